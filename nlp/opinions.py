"""Opinion groups from agree/disagree votes, in the manner of Pol.is (PCA to 2-D, k-means, repness)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from nlp.repness import StatementStat, consensus, divisive, representative

__all__ = ["OpinionGroup", "OpinionResult", "StatementStat", "matrix_from_votes", "min_votes", "opinion_groups"]


@dataclass(frozen=True)
class OpinionGroup:
    """One opinion group: its participants and the statements that represent it."""

    id: int
    participant_ids: list[str]
    representative: list[StatementStat]


@dataclass(frozen=True)
class OpinionResult:
    """Groups, each clustered participant's 2-D position and group, who was left out, consensus and divisive ids."""

    groups: list[OpinionGroup]
    coords: dict[str, tuple[float, float]]
    group_of: dict[str, int]
    excluded: list[str]
    consensus: list[str]
    divisive: list[str]
    k: int
    silhouette: float


def min_votes(n_statements: int) -> int:
    """Pol.is clusters participants who cast at least min(7, number of statements) votes."""
    return min(7, n_statements)


def matrix_from_votes(events: Iterable[tuple[str, str, float]]) -> tuple[list[str], list[str], np.ndarray]:
    """Build the participants x statements matrix from (participant, statement, vote) events; later votes win."""
    latest: dict[tuple[str, str], float] = {}
    for pid, sid, vote in events:
        latest[(pid, sid)] = float(vote)
    pids = sorted({p for p, _ in latest}, key=_natural)
    sids = sorted({s for _, s in latest}, key=_natural)
    pi = {p: i for i, p in enumerate(pids)}
    si = {s: j for j, s in enumerate(sids)}
    matrix = np.full((len(pids), len(sids)), np.nan)
    for (p, s), v in latest.items():
        matrix[pi[p], si[s]] = v
    return pids, sids, matrix


def _natural(value: str) -> tuple[int, str]:
    """Sort numeric ids numerically, others after them alphabetically."""
    return (int(value), "") if value.isdigit() else (1 << 62, value)


def _project(votes: np.ndarray, seed: int) -> np.ndarray:
    """Column-mean impute, PCA to 2-D, then Pol.is's scaling so sparse voters are not pulled to the centre."""
    seen = ~np.isnan(votes)
    counts = seen.sum(axis=0, keepdims=True)
    means = np.divide(np.where(seen, votes, 0.0).sum(axis=0, keepdims=True), counts,
                      out=np.zeros((1, votes.shape[1])), where=counts > 0)
    filled = np.where(seen, votes, means)
    dims = min(2, filled.shape[0], filled.shape[1])
    coords = PCA(n_components=dims, random_state=seed).fit_transform(filled) if dims else np.zeros((len(votes), 0))
    if coords.shape[1] < 2:
        coords = np.hstack([coords, np.zeros((len(coords), 2 - coords.shape[1]))])
    n_voted = (~np.isnan(votes)).sum(axis=1)
    return coords * np.sqrt(votes.shape[1] / np.maximum(n_voted, 1))[:, None]


def _groups(coords: np.ndarray, seed: int, k_range: Sequence[int], min_size: int) -> tuple[np.ndarray, int, float]:
    """k-means for each k in range, small groups folded into their nearest, keeping the best silhouette."""
    best: tuple[float, int, np.ndarray] | None = None
    distinct = len(np.unique(coords.round(9), axis=0))
    for k in k_range:
        if k > distinct or k >= len(coords):
            break
        labels = _fold_small(coords, KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(coords), min_size)
        found = int(labels.max()) + 1
        if found < 2:
            continue  # every group but one was too small: this k describes nobody
        score = float(silhouette_score(coords, labels))
        if best is None or score > best[0] + 1e-9 or (abs(score - best[0]) <= 1e-9 and found < best[1]):
            best = (score, found, labels)
    if best is None:
        return np.zeros(len(coords), dtype=np.int64), 1, 0.0
    return best[2].astype(np.int64), best[1], best[0]


def _fold_small(coords: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
    """Merge each group under min_size, smallest first, into the group whose centre is nearest; renumber 0..n-1.

    A group of one or two people would publish their voting records, so no group under min_size survives.
    """
    labels = labels.astype(np.int64).copy()
    while True:
        ids, sizes = np.unique(labels, return_counts=True)
        if len(ids) < 2 or sizes.min() >= min_size:
            break
        small = ids[np.argmin(sizes)]
        centres = {g: coords[labels == g].mean(axis=0) for g in ids}
        others = [g for g in ids if g != small]
        nearest = min(others, key=lambda g: (float(np.linalg.norm(centres[g] - centres[small])), g))
        labels[labels == small] = nearest
    return np.unique(labels, return_inverse=True)[1].astype(np.int64)


def opinion_groups(
    participant_ids: Sequence[str],
    statement_ids: Sequence[str],
    matrix: np.ndarray,
    *,
    seed: int = 0,
    k_range: Sequence[int] = (2, 3, 4, 5),
    min_group_size: int = 1,
) -> OpinionResult:
    """Group participants by how they vote (+1 agree, -1 disagree, 0 pass, NaN unseen) and explain the groups.

    Every group has at least min_group_size participants: smaller ones are folded into their nearest group, and
    when that leaves a single group the result has k = 1 (nothing to contrast).
    """
    votes = np.asarray(matrix, dtype=np.float64)
    pids, sids = [str(p) for p in participant_ids], [str(s) for s in statement_ids]
    if votes.shape != (len(pids), len(sids)):
        raise ValueError("matrix must be participants x statements")
    keep = (~np.isnan(votes)).sum(axis=1) >= max(1, min_votes(len(sids)))
    rows = np.flatnonzero(keep)
    excluded = [pids[i] for i in np.flatnonzero(~keep)]
    if len(rows) < 2 or not sids:
        return OpinionResult([], {}, {}, pids if len(rows) < 2 else excluded, [], [], 0, 0.0)
    # One thread: on a few thousand 2-D points, OpenMP and BLAS threads cost far more in start-up and, on a busy
    # machine, in waiting for cores than they save (measured 30-100x slower on 2 shared cores; same groups).
    with threadpool_limits(limits=1):
        coords = _project(votes[rows], seed)
        labels, k, sil = _groups(coords, seed, k_range, max(1, min_group_size))
    order = _order_groups(labels, k)
    labels = order[labels]
    kept = votes[rows]
    groups = [
        OpinionGroup(g, [pids[rows[i]] for i in np.flatnonzero(labels == g)], representative(kept, labels, g, sids))
        for g in range(k)
    ]
    return OpinionResult(
        groups=groups,
        coords={pids[r]: (round(float(c[0]), 6), round(float(c[1]), 6)) for r, c in zip(rows, coords, strict=True)},
        group_of={pids[r]: int(g) for r, g in zip(rows, labels, strict=True)},
        excluded=excluded,
        consensus=consensus(kept, labels, sids) if k > 1 else [],
        divisive=divisive(kept, labels, sids),
        k=k,
        silhouette=round(sil, 4),
    )


def _order_groups(labels: np.ndarray, k: int) -> np.ndarray:
    """Renumber groups largest first so ids are stable for display."""
    sizes = np.bincount(labels, minlength=k)
    ranking = np.argsort(-sizes, kind="stable")
    mapping = np.empty(k, dtype=np.int64)
    mapping[ranking] = np.arange(k)
    return mapping
