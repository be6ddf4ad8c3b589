"""Agreement measures between two labellings: NMI, ARI and accuracy after Hungarian matching."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Hashable

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

__all__ = ["agreement", "hungarian_accuracy"]


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
        "acc": hungarian_accuracy(g, p),
    }
