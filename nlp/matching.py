"""Match a new run's clusters to the previous run's themes so ids, names and pins survive re-runs."""

from __future__ import annotations

from collections.abc import Sequence, Set

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["MIN_JACCARD", "jaccard_matrix", "match_clusters"]

MIN_JACCARD = 0.2  # below this member overlap a new cluster is treated as a new theme


def jaccard_matrix(new: Sequence[Set[str]], old: Sequence[Set[str]]) -> np.ndarray:
    """Jaccard similarity of member-id sets, new clusters by previous themes."""
    out = np.zeros((len(new), len(old)), dtype=np.float64)
    for i, a in enumerate(new):
        for j, b in enumerate(old):
            union = len(a | b)
            out[i, j] = len(a & b) / union if union else 0.0
    return out


def match_clusters(
    new: Sequence[Set[str]], old: Sequence[Set[str]], min_jaccard: float = MIN_JACCARD
) -> dict[int, int]:
    """One-to-one Hungarian matching maximising member overlap; returns {new index: old index}."""
    if not new or not old:
        return {}
    sim = jaccard_matrix(new, old)
    rows, cols = linear_sum_assignment(-sim)
    return {int(r): int(c) for r, c in zip(rows, cols, strict=True) if sim[r, c] >= min_jaccard}
