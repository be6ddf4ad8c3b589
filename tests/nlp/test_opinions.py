"""Opinion groups: synthetic two-camp data, repness/consensus/divisive, and agreement with Pol.is on real data."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from nlp.opinions import matrix_from_votes, min_votes, opinion_groups

POLIS = Path(__file__).resolve().parents[3] / "shared" / "data" / "polis"


def _two_camps(seed: int = 0) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """40 participants in two camps over 10 statements: s0-s3 split them, s4-s5 everyone agrees with."""
    rng = np.random.default_rng(seed)
    camp = np.repeat([0, 1], 20)
    m = np.zeros((40, 10))
    for i, c in enumerate(camp):
        m[i, :4] = 1 if c == 0 else -1
        m[i, 4:6] = 1
        m[i, 6:] = rng.choice([-1, 0, 1], size=4)
    flip = rng.random(m.shape) < 0.05
    m[flip] = -m[flip]
    m[rng.random(m.shape) < 0.1] = np.nan
    return [f"p{i}" for i in range(40)], [f"s{j}" for j in range(10)], m, camp


def test_two_camps_found_with_reasons() -> None:
    pids, sids, m, camp = _two_camps()
    result = opinion_groups(pids, sids, m)
    assert result.k == 2
    assert adjusted_rand_score(camp, [result.group_of[p] for p in pids]) > 0.8
    assert set(result.consensus[:2]) == {"s4", "s5"}
    assert set(result.divisive[:4]) == {"s0", "s1", "s2", "s3"}
    for g in result.groups:
        assert g.representative and {s.statement_id for s in g.representative[:4]} <= {"s0", "s1", "s2", "s3"}
        assert all(s.z_prop > 1.28 and s.z_ratio > 1.28 and s.direction in {"agree", "disagree"} for s in g.representative)
    assert set(result.coords) == set(pids) and all(len(c) == 2 for c in result.coords.values())
    assert [len(g.participant_ids) for g in result.groups] == sorted((len(g.participant_ids) for g in result.groups), reverse=True)


def test_sparse_voters_excluded_and_deterministic() -> None:
    pids, sids, m, _ = _two_camps()
    m[0, :] = np.nan
    m[0, :3] = 1
    a, b = opinion_groups(pids, sids, m, seed=1), opinion_groups(pids, sids, m, seed=1)
    assert a.excluded == ["p0"] and "p0" not in a.group_of and min_votes(len(sids)) == 7
    assert a.group_of == b.group_of and a.coords == b.coords


def test_degenerate_inputs() -> None:
    assert opinion_groups([], [], np.zeros((0, 0))).k == 0
    assert opinion_groups(["a"], ["s"], np.array([[1.0]])).excluded == ["a"]
    with pytest.raises(ValueError):
        opinion_groups(["a"], ["s", "t"], np.zeros((1, 1)))


def test_matrix_from_votes_later_vote_wins() -> None:
    pids, sids, m = matrix_from_votes([("2", "1", 1), ("10", "1", -1), ("2", "1", -1), ("2", "0", 0)])
    assert pids == ["2", "10"] and sids == ["0", "1"]
    assert m[0, 1] == -1 and m[0, 0] == 0 and np.isnan(m[1, 0])


@pytest.mark.skipif(not (POLIS / "15-per-hour-seattle").exists(), reason="shared Pol.is data not present")
def test_agrees_with_polis_on_a_real_conversation() -> None:
    folder = POLIS / "15-per-hour-seattle"
    with open(folder / "votes.csv", newline="", encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["timestamp"]))
    pids, sids, m = matrix_from_votes((r["voter-id"], r["comment-id"], float(r["vote"])) for r in rows)
    with open(folder / "participants-votes.csv", newline="", encoding="utf-8") as f:
        polis = {r["participant"]: r["group-id"] for r in csv.DictReader(f) if r["group-id"]}
    result = opinion_groups(pids, sids, m)
    both = [p for p in pids if p in polis and p in result.group_of]
    assert len(both) > 100
    # measured 0.78 (bench/opinions.py); Pol.is's own pipeline differs in details, so allow a margin
    assert adjusted_rand_score([polis[p] for p in both], [result.group_of[p] for p in both]) > 0.6



def test_groups_under_the_minimum_size_are_folded_into_their_nearest() -> None:
    # Two camps of 12 split on six statements and agree on two; a contrarian and someone who always passes.
    rows = [[1.0 if j >= 6 or j % 2 == n % 2 else -1.0 for j in range(8)] for n in range(24)]
    m = np.array(rows + [[-1.0] * 8, [0.0] * 8])
    pids, sids = [f"p{i}" for i in range(26)], [f"s{j}" for j in range(8)]
    free = opinion_groups(pids, sids, m)
    assert min(len(g.participant_ids) for g in free.groups) < 11, "without a minimum the two form a group"
    result = opinion_groups(pids, sids, m, min_group_size=11)
    assert result.k == 2 and all(len(g.participant_ids) >= 11 for g in result.groups)
    assert sorted(p for g in result.groups for p in g.participant_ids) == sorted(pids)
    camps = [result.group_of[f"p{n}"] for n in range(24)]
    assert adjusted_rand_score([n % 2 for n in range(24)], camps) == 1.0
    assert all(g.representative for g in result.groups)
    # Fewer than two groups of the minimum: one group, nothing to contrast.
    assert opinion_groups(pids, sids, m, min_group_size=14).k == 1
