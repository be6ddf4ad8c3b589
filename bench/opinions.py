"""Compare nlp.opinions groups with Pol.is's own group ids on the five real conversations (ARI)."""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import DATA  # noqa: E402

from sklearn.metrics import adjusted_rand_score  # noqa: E402

from nlp.opinions import matrix_from_votes, opinion_groups  # noqa: E402


def load_conversation(folder: Path) -> tuple[list[str], list[str], object, dict[str, str]]:
    """Vote matrix from votes.csv (time order, later votes win) and Pol.is group ids from participants-votes.csv."""
    with open(folder / "votes.csv", newline="", encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["timestamp"]))
    events = [(r["voter-id"], r["comment-id"], float(r["vote"])) for r in rows]
    pids, sids, matrix = matrix_from_votes(events)
    with open(folder / "participants-votes.csv", newline="", encoding="utf-8") as f:
        polis = {r["participant"]: r["group-id"] for r in csv.DictReader(f) if r["group-id"] != ""}
    return pids, sids, matrix, polis


def main() -> None:
    """Print, per conversation, participants clustered by both, k by each, and ARI with Pol.is."""
    argparse.ArgumentParser(description=__doc__).parse_args()
    print(f"{'conversation':32} {'n':>5} {'k_polis':>7} {'k_ours':>6} {'ARI':>6} {'secs':>6}")
    for folder in sorted(p for p in (DATA / "polis").iterdir() if p.is_dir()):
        pids, sids, matrix, polis = load_conversation(folder)
        start = time.perf_counter()
        result = opinion_groups(pids, sids, matrix, seed=0)
        secs = time.perf_counter() - start
        both = [p for p in pids if p in polis and p in result.group_of]
        ari = adjusted_rand_score([polis[p] for p in both], [result.group_of[p] for p in both])
        print(f"{folder.name:32} {len(both):5d} {len(set(polis.values())):7d} {result.k:6d} {ari:6.3f} {secs:6.2f}")


if __name__ == "__main__":
    main()
