"""Spherical k-means with an automatic number of clusters and an outlier label (-1), scaling to 100k rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from nlp.represent import l2_normalise

__all__ = ["Clustering", "candidate_ks", "choose_k", "cluster", "UNTHEMED"]

UNTHEMED = -1
SAMPLE_FIT = 20_000  # rows k-means is fitted on; the rest are assigned and refined with full Lloyd passes
SAMPLE_CHOOSE = 2_000  # rows used to score candidate k
MAX_THEMES = 40
WARD_ROWS = 6_000  # rows in the Ward tree that seeds k-means and scores candidate k
WARD_SAMPLES = 3  # Ward trees over different samples when there are more rows than WARD_ROWS
RESTARTS_ASKED = 10  # k-means++ starts at a k the lead asked for, as KMeans(n_init=10) runs them
MIN_THEME = 2  # a theme holds at least two ideas; a smaller cluster is never "too small" by share (issue #11.3)


@dataclass(frozen=True)
class Clustering:
    """Cluster ids per row (-1 = unthemed), unit centroids, the k used and the score of each tried k."""

    labels: np.ndarray
    centroids: np.ndarray
    k: int
    scores: dict[int, float] = field(default_factory=dict)


def candidate_ks(n: int, max_themes: int = MAX_THEMES) -> list[int]:
    """Candidate theme counts for n documents: 2 up to about sqrt(n/2), capped, spaced roughly geometrically.

    Always from 2: a floor that grew with n (sqrt(n/2)/4: 12 at 5,000 ideas, the cap itself from 51,200) made 4-8
    real topics impossible to find (snips, 7 intents, MiniLM: silhouette peaks at 6-7, the floor forced 12;
    docs/benchmarks.md "Automatic k").
    """
    if n < 6:
        return [1]
    upper = max(2, min(max_themes, int(round(math.sqrt(n / 2))), n // 3))
    ks: list[int] = []
    k = 2
    while k <= upper:
        ks.append(k)
        k = k + 1 if k < 8 else int(math.ceil(k * 1.2))
    if ks[-1] != upper:
        ks.append(upper)
    return ks


def _kmeans(x: np.ndarray, k: int, seed: int, init: np.ndarray | None = None, n_init: int = 3) -> np.ndarray:
    """Fit k-means on unit rows to convergence and return its (Euclidean) centroids; deterministic for a seed."""
    if init is not None:
        km = KMeans(n_clusters=k, init=init, n_init=1, random_state=seed, max_iter=300)
    else:
        km = KMeans(n_clusters=k, init="k-means++", n_init=n_init, random_state=seed, max_iter=300)
    km.fit(x)
    return km.cluster_centers_.astype(np.float32)


def _assign(x: np.ndarray, centroids: np.ndarray, chunk: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centroid (Euclidean, as k-means) and the cosine similarity to it, in chunks to bound memory.

    For unit rows, |x - c|^2 = 1 - 2 x.c + |c|^2, so the nearest centroid maximises x.c - |c|^2 / 2: a tight
    theme (long mean vector) reaches further than a diffuse one, which measured better than plain cosine.
    """
    norms = np.linalg.norm(centroids, axis=1)
    half_sq = 0.5 * norms**2
    safe = np.where(norms > 0, norms, 1.0)
    labels = np.empty(len(x), dtype=np.int64)
    sims = np.empty(len(x), dtype=np.float32)
    for start in range(0, len(x), chunk):
        dots = x[start : start + chunk] @ centroids.T
        best = (dots - half_sq).argmax(axis=1)
        labels[start : start + chunk] = best
        sims[start : start + chunk] = dots[np.arange(len(dots)), best] / safe[best]
    return labels, sims


def _objective(x: np.ndarray, centroids: np.ndarray) -> float:
    """k-means objective as a score to maximise: minus the total squared distance to the nearest centroid."""
    labels, _ = _assign(x, centroids)
    return -float(((x - centroids[labels]) ** 2).sum())


def _refine(x: np.ndarray, centroids: np.ndarray, rounds: int) -> np.ndarray:
    """Full-data Lloyd passes starting from centroids fitted on a sample."""
    for _ in range(rounds):
        labels, _ = _assign(x, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, labels, x)
        counts = np.bincount(labels, minlength=len(centroids)).astype(np.float32)
        new = centroids.copy()
        filled = counts > 0
        new[filled] = sums[filled] / counts[filled, None]
        if np.allclose(new, centroids, atol=1e-5):
            return new
        centroids = new
    return centroids


def _ward_tree(x: np.ndarray) -> np.ndarray:
    """Ward linkage over rows, with Euclidean distances from one matrix product (fast for 384-d vectors)."""
    x = x.astype(np.float32)
    sq = (x * x).sum(axis=1)
    d = x @ x.T
    d *= -2.0
    d += sq[:, None]
    d += sq[None, :]
    np.maximum(d, 0.0, out=d)
    np.sqrt(d, out=d)
    np.fill_diagonal(d, 0.0)
    return linkage(squareform(d, checks=False).astype(np.float64), method="ward")


def _ward_sample(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """All rows when few, else a random WARD_ROWS of them (sorted, so results do not depend on row order)."""
    return x if len(x) <= WARD_ROWS else x[np.sort(rng.choice(len(x), WARD_ROWS, replace=False))]


def _cut_means(rows: np.ndarray, tree: np.ndarray, k: int) -> np.ndarray:
    """Mean vector of each group when the Ward tree is cut into (at most) k groups: k-means starting points."""
    groups = _tree_cut(tree, k)
    return np.vstack([rows[groups == c].mean(axis=0) for c in np.unique(groups)]).astype(np.float32)


def _tree_cut(tree: np.ndarray, k: int) -> np.ndarray:
    """Cut a Ward tree into k groups, labelled 0..k-1."""
    return fcluster(tree, t=k, criterion="maxclust").astype(np.int64) - 1


def choose_k(
    x: np.ndarray, micro: np.ndarray, tree: np.ndarray, seed: int = 0, ks: list[int] | None = None
) -> tuple[int, dict[int, float]]:
    """Pick k by cosine silhouette of the Ward-tree cuts on a sample: best score wins, ties to fewer themes."""
    n = len(x)
    ks = ks or candidate_ks(n)
    if ks == [1]:
        return 1, {1: 0.0}
    rng = np.random.default_rng(seed)
    rows = np.arange(n) if n <= SAMPLE_CHOOSE else np.sort(rng.choice(n, SAMPLE_CHOOSE, replace=False))
    sample = x[rows]
    distances = np.clip(1.0 - sample @ sample.T, 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    scores: dict[int, float] = {}
    for k in ks:
        labels = _tree_cut(tree, k)[micro[rows]]
        if 1 < len(np.unique(labels)) < len(rows):
            scores[k] = float(silhouette_score(distances, labels, metric="precomputed"))
    if not scores:
        return 1, {1: 0.0}
    best = max(scores.values())
    return min(k for k, s in scores.items() if s >= best - 1e-9), scores


def _outliers(labels: np.ndarray, sims: np.ndarray, k: int, fence: float, min_size: int) -> np.ndarray:
    """Mark rows below their cluster's far-out fence, and members of clusters under min_size, as -1.

    The fence is Tukey's for "far out" on the low side: Q1 - fence x IQR of the cluster's cosines to its centre
    (fence 3, Tukey's own). Cosines to a centre are bounded above and skewed to the low side, so the rule before,
    median - 3 robust SDs, also marked a theme's loosely worded members, not only ideas that fit no theme
    (docs/benchmarks.md, "Unthemed: Tukey's far-out fence"). A cluster's IQR is floored at the median IQR of the
    clusters: a theme made mostly of identical texts ("Nothing.") has an IQR of 0, and without the floor every
    slightly different member was marked unthemed.
    """
    out = labels.copy()
    quartiles = {c: np.quantile(sims[labels == c], [0.25, 0.75]) for c in range(k) if (labels == c).sum() >= 2}
    typical = float(np.median([q3 - q1 for q1, q3 in quartiles.values()])) if quartiles else 0.0
    for c in range(k):
        members = labels == c
        if members.sum() < min_size:
            out[members] = UNTHEMED
        elif c in quartiles:
            q1, q3 = quartiles[c]
            out[members & (sims < q1 - fence * max(q3 - q1, typical, 1e-6))] = UNTHEMED
    return out


def _seed_centroids(x: np.ndarray, init: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Start from previous centroids, adding the rows least like any of them until there are k."""
    centres = l2_normalise(init)[:k]
    rng = np.random.default_rng(seed)
    while len(centres) < k:
        _, sims = _assign(x, centres)
        far = np.flatnonzero(sims <= np.quantile(sims, 0.02))
        centres = np.vstack([centres, x[rng.choice(far)][None, :]])
    return centres


def cluster(
    x: np.ndarray,
    *,
    k: int | None = None,
    seed: int = 0,
    init: np.ndarray | None = None,
    outlier_fence: float = 3.0,
    min_size: int | None = None,
    max_themes: int = MAX_THEMES,
) -> Clustering:
    """Cluster unit row vectors; k=None chooses k (up to max_themes); init (previous centroids) keeps themes stable."""
    x = l2_normalise(x)
    n = len(x)
    asked = k is not None
    if init is not None:  # a previous theme with no centre here ("Nothing": nlp.catchall.theme_wordless) seeds nothing
        init = init[np.asarray(init).any(axis=1)]
    labels = np.full(n, UNTHEMED, dtype=np.int64)
    valid = np.flatnonzero(np.linalg.norm(x, axis=1) > 0)
    xv = x[valid]
    if len(xv) == 0:
        return Clustering(labels, np.zeros((0, x.shape[1]), dtype=np.float32), 0)
    rng = np.random.default_rng(seed)
    fit_rows = xv if len(xv) <= SAMPLE_FIT else xv[np.sort(rng.choice(len(xv), SAMPLE_FIT, replace=False))]
    scores: dict[int, float] = {}
    distinct = len(np.unique(fit_rows.round(6), axis=0))
    if (k is None or k > 1) and distinct >= 2:
        ward_rows = _ward_sample(fit_rows, rng)
        tree = _ward_tree(ward_rows)
        if k is None:
            k, scores = choose_k(ward_rows, np.arange(len(ward_rows)), tree, seed, candidate_ks(len(ward_rows), max_themes))
            # A re-run keeps every previous theme as a start unless the data now holds clearly more: the previous
            # count may be above what the chooser picks (mixed themes are split after it, nlp.catchall), and a
            # theme the lead has seen must not vanish for a few more ideas (docs/benchmarks.md, "Mixed themes").
            if init is not None and len(init) and k - len(init) <= max(2, len(init) // 4):
                k = len(init)
        k = max(1, min(k, distinct))
        if init is not None and len(init):
            starts = [_seed_centroids(fit_rows, init, k, seed)]
        else:  # one Ward tree over all rows, or several over samples: the lowest k-means objective wins
            starts = [_cut_means(ward_rows, tree, k)]
            for _ in range(WARD_SAMPLES - 1 if len(fit_rows) > WARD_ROWS else 0):
                rows = _ward_sample(fit_rows, rng)
                starts.append(_cut_means(rows, _ward_tree(rows), k))
        fits = [_kmeans(fit_rows, len(start), seed, init=start) if len(start) > 1 else start for start in starts]
        if k > 1 and init is None:
            # A Ward start can end in one huge cluster at nearly the same objective; k-means++ is always tried too,
            # at any size, and whichever reaches the lower k-means objective wins. At a k the lead asked for, as many
            # k-means++ starts as KMeans(n_init=10), so the result never fits worse than that baseline on these rows;
            # a chosen k keeps one start (the 6,000-idea time goal; docs/benchmarks.md "Gold k, step by step").
            fits.append(_kmeans(fit_rows, k, seed, n_init=RESTARTS_ASKED if asked else 1))
        centroids = max(fits, key=lambda c: _objective(fit_rows, c))
        k = len(centroids)
    else:
        k = 1
        centroids = l2_normalise(xv.mean(axis=0, keepdims=True))
    centroids = _refine(xv, centroids, rounds=10 if len(xv) > len(fit_rows) else 1)
    assigned, sims = _assign(xv, centroids)
    # Small clusters stay themes (a small real topic is still a topic); only rows far from their centroid, and a
    # "theme" of a single idea, are unthemed.
    min_size = min_size if min_size is not None else MIN_THEME
    labels[valid] = _outliers(assigned, sims, k, outlier_fence, min_size) if len(xv) >= 10 else assigned
    return Clustering(labels, l2_normalise(centroids), k, scores)
