"""Matching themes across sessions (nlp.matching.match_sessions): precision and recall on labelled sets.

Each set is split into two random "sessions" of up to 600 texts; the gold topics are the themes. A quarter of
the topics is dropped from the earlier session (new this time) and another quarter from the later one
(resolved), so a right matcher must leave those unmatched. Precision: matched pairs that are the same topic;
recall: topics in both sessions that were matched to each other.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

# bench/ holds http.py, which would shadow the standard library's http (nltk imports http.client): search
# bench/ last, not first as Python does for a script run from it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
from _data import PUBLIC_SETS, load_set  # noqa: E402

from nlp.matching import centroid_similarity  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402

SETS = ("staff_demo", "nhs_fft", "stackoverflow", "banking77", *PUBLIC_SETS)


def one(name: str, thresholds: tuple[float, ...]) -> dict[str, object]:
    texts, gold = load_set(name)
    idx = np.random.default_rng(0).permutation(len(texts))[:1200]
    half = len(idx) // 2
    earlier, later = idx[half:], idx[:half]
    topics = sorted({gold[i] for i in idx})
    old = {t: [texts[i] for i in earlier if gold[i] == t] for t in topics}
    new = {t: [texts[i] for i in later if gold[i] == t] for t in topics}
    both = [t for t in topics if len(old[t]) >= 3 and len(new[t]) >= 3]
    q = len(both) // 4
    new_topics, old_topics = both[q:], both[: len(both) - q]
    sim = centroid_similarity([new[t] for t in new_topics], [old[t] for t in old_topics])
    rows, cols = linear_sum_assignment(-sim)
    truth = set(new_topics) & set(old_topics)
    row: dict[str, object] = {"set": name, "topics": len(both)}
    for t in thresholds:
        pairs = [(r, c) for r, c in zip(rows, cols, strict=True) if sim[r, c] >= t]
        right = sum(new_topics[r] == old_topics[c] for r, c in pairs)
        row[f"P@{t}"] = round(right / max(len(pairs), 1), 2)
        row[f"R@{t}"] = round(right / max(len(truth), 1), 2)
    return row


def main() -> None:
    for name in SETS:
        print(json.dumps(one(name, (0.3, 0.4, 0.5))), flush=True)


if __name__ == "__main__":
    main()
