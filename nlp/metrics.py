"""Agreement measures: NMI, ARI and Hungarian accuracy between labellings; precision and recall of text spans."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Hashable

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

__all__ = ["agreement", "hungarian_accuracy", "span_precision_recall"]


def _codes(labels: Sequence[Hashable]) -> np.ndarray:
    """Map arbitrary hashable labels to integer codes."""
    index: dict[Hashable, int] = {}
    return np.array([index.setdefault(x, len(index)) for x in labels], dtype=np.int64)


def hungarian_accuracy(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Share of items whose predicted cluster maps to their gold class under the best one-to-one matching."""
    g, p = _codes(gold), _codes(predicted)
    if len(g) == 0:
        return 0.0
    table = np.zeros((p.max() + 1, g.max() + 1), dtype=np.int64)
    np.add.at(table, (p, g), 1)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / len(g))


def agreement(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> dict[str, float]:
    """NMI, ARI and Hungarian accuracy in one dictionary (unthemed -1 counts as its own cluster)."""
    g, p = _codes(gold), _codes(predicted)
    return {
        "nmi": float(normalized_mutual_info_score(g, p)),
        "ari": float(adjusted_rand_score(g, p)),
        "acc": hungarian_accuracy(gold, predicted),
    }


def span_precision_recall(
    gold: Sequence[Sequence[tuple[int, int]]], found: Sequence[Sequence[tuple[int, int]]]
) -> tuple[float, float]:
    """Per-text spans compared by overlap: a found span is right if it overlaps a gold one, and vice versa.

    Overlap rather than exact offsets, because "Dr Patel" and "consultant Dr Patel" hide the same person.
    """
    def overlaps(a: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
        return any(a[0] < b[1] and b[0] < a[1] for b in spans)

    right = sum(overlaps(f, g) for g, fs in zip(gold, found, strict=True) for f in fs)
    caught = sum(overlaps(g_span, fs) for g, fs in zip(gold, found, strict=True) for g_span in g)
    n_found, n_gold = sum(len(fs) for fs in found), sum(len(g) for g in gold)
    return (right / n_found if n_found else 1.0), (caught / n_gold if n_gold else 1.0)
