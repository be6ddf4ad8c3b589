"""Match themes across runs (by shared members) and across sessions (by what their ideas say)."""

from __future__ import annotations

from collections.abc import Sequence, Set

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.feature_extraction.text import TfidfTransformer

from nlp.preprocess import analyse
from nlp.represent import term_matrix

__all__ = ["MIN_COSINE", "MIN_JACCARD", "STABLE_SHARE", "centroid_similarity", "jaccard_matrix", "match_clusters",
           "match_sessions", "mostly_unchanged"]

MIN_JACCARD = 0.2  # below this member overlap a new cluster is treated as a new theme
MIN_COSINE = 0.3  # below this likeness of two sessions' themes (TF-IDF centroids) they differ (bench/theme_sessions.py)
STABLE_SHARE = 0.8  # a label stays while this share of its previous ideas, or of its ideas now, are in both


def mostly_unchanged(before: Set[str], now: Set[str]) -> bool:
    """Whether a matched theme is still mostly what was named (issue #11's stable label): STABLE_SHARE of its previous
    ideas are still in it, or STABLE_SHARE of its ideas now were in it before."""
    return bool(before) and bool(now) and len(before & now) >= STABLE_SHARE * min(len(before), len(now))


def jaccard_matrix(new: Sequence[Set[str]], old: Sequence[Set[str]]) -> np.ndarray:
    """Jaccard similarity of member-id sets, new clusters by previous themes."""
    out = np.zeros((len(new), len(old)), dtype=np.float64)
    for i, a in enumerate(new):
        for j, b in enumerate(old):
            union = len(a | b)
            out[i, j] = len(a & b) / union if union else 0.0
    return out


def _one_to_one(sim: np.ndarray, minimum: float) -> dict[int, int]:
    """Hungarian matching maximising total similarity; pairs below minimum are left unmatched."""
    rows, cols = linear_sum_assignment(-sim)
    return {int(r): int(c) for r, c in zip(rows, cols, strict=True) if sim[r, c] >= minimum}


def match_clusters(
    new: Sequence[Set[str]], old: Sequence[Set[str]], min_jaccard: float = MIN_JACCARD
) -> dict[int, int]:
    """One-to-one Hungarian matching maximising member overlap; returns {new index: old index}."""
    if not new or not old:
        return {}
    return _one_to_one(jaccard_matrix(new, old), min_jaccard)


def centroid_similarity(new: Sequence[Sequence[str]], old: Sequence[Sequence[str]]) -> np.ndarray:
    """Cosine of TF-IDF centroids of each new theme's texts against each old theme's, new by old.

    Two sessions share no ideas, so themes are compared by their words: TF-IDF over stem uni+bigrams is fitted
    on both sessions' texts together, each theme's rows are averaged and the mean vectors compared by cosine.
    """
    groups = [*new, *old]
    texts = [t for g in groups for t in g]
    if not new or not old or not texts:
        return np.zeros((len(new), len(old)), dtype=np.float64)
    terms = term_matrix([analyse(t) for t in texts])
    if terms.counts.shape[1] == 0:
        return np.zeros((len(new), len(old)), dtype=np.float64)
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(terms.counts).tocsr()
    bounds = np.cumsum([0, *(len(g) for g in groups)])
    means = np.vstack([np.asarray(tfidf[a:b].mean(axis=0)).ravel() if b > a else np.zeros(tfidf.shape[1])
                       for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    unit = np.divide(means, norms, out=np.zeros_like(means), where=norms > 0)
    return (unit[: len(new)] @ unit[len(new):].T).astype(np.float64)


def match_sessions(
    new: Sequence[Sequence[str]], old: Sequence[Sequence[str]], min_cosine: float = MIN_COSINE
) -> dict[int, int]:
    """Match this session's themes (lists of texts) one-to-one to an earlier session's; {new index: old index}."""
    if not new or not old:
        return {}
    return _one_to_one(centroid_similarity(new, old), min_cosine)
