"""Clustering only (nlp.cluster + catch-all split + Unthemed cap, as find_themes runs them) on every labelled set.

Per set, on the same 5,000-row sample and the vectors find_themes builds for --backend (tfidf-lsa by default;
texts with no content words grouped among themselves as find_themes groups them, nlp.catchall.theme_wordless;
minilm and minilm+lsa need the embedding packages, vectors cached under CHORUS_BENCH_CACHE): NMI/ARI/accuracy at
gold k and automatic k against KMeans(n_init=10) on the same vectors, mean of seeds 0-2; % Unthemed and the largest theme's share. Faster than
bench/themes.py (no labels, quotes or summaries), so it can run on all nine sets with three seeds.
--criteria prints the k that each automatic-k criterion would choose (seeds 0-2, 2,000 rows each), for comparison:
silhouette (in use), a gap statistic and silhouette against a column-permuted null, silhouette with the
one-standard-error rule, Kneedle, prediction strength, NPMI coherence, Ward's largest merge gap, Davies-Bouldin,
Calinski-Harabasz, HDBSCAN cluster counts and the spectral eigengap of a 10- and 30-nearest-neighbour graph.
--umap-criteria prints the k of the UMAP-based rules instead (needs `umap-learn`, not a dependency of the app): UMAP
(15 neighbours, 5 dimensions, min_dist 0, cosine) of the same 2,000 rows, then HDBSCAN with min_cluster_size tied to n
(15 = UMAP's neighbourhood; n/40, the largest size that still lets the cap of 40 be reached; sqrt(n)), and silhouette
measured in the UMAP space (of the engine's Ward cuts, and of Ward cuts of the UMAP coordinates), k clipped to [2, 40].
--auto-rule runs the automatic-k half of the default table with one of those rules choosing k in place of silhouette
(the engine then clusters at that k as now), and also scores UMAP + HDBSCAN's own labels on all rows (noise Unthemed).
--steps takes the gold-k run apart, one row per set and seed: NMI and k-means objective of KMeans(n_init=10) on all
rows and on the rows the engine clusters (texts with no content words are left out and Unthemed), of the Ward start
and of one k-means++ start, of the engine's clustering before outliers are marked, after marking them and after the
Unthemed cap; and how often a marked outlier's gold label differs from its theme's majority, against kept ideas.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from typing import Any
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent  # bench/http.py must not shadow the standard library's http
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
from _data import PUBLIC_SETS, cached_embeddings, load_set  # noqa: E402

from nlp import cluster as C  # noqa: E402
from nlp.cluster import choose_k as _choose_k  # noqa: E402  (the engine's own rule, kept before any patching)
from nlp.catchall import cap_unthemed, split_catch_alls, split_keeping_count, theme_wordless  # noqa: E402
from nlp.metrics import agreement  # noqa: E402
from nlp.preprocess import analyse  # noqa: E402
from nlp.represent import TfidfLsa, l2_normalise, term_matrix  # noqa: E402
from nlp.themes import LSA_DIMS_ALONE  # noqa: E402

SETS = ("nhs_fft", "stackoverflow", "banking77", "staff_demo", *PUBLIC_SETS)
ROWS = 5000
SEEDS = 3  # seeds 0..SEEDS-1 of the default table (--seeds)


def _sample(n: int) -> np.ndarray:
    """The same ROWS rows of a set every time (--rows sets ROWS)."""
    return np.arange(n) if n <= ROWS else np.sort(np.random.default_rng(0).choice(n, ROWS, replace=False))


def vectors(name: str, seed: int, backend: str = "tfidf-lsa") -> tuple[np.ndarray, list[str]]:
    """Unit vectors of the set's sample as find_themes builds them for a backend (MiniLM vectors cached on disk)."""
    texts, gold = load_set(name)
    idx = _sample(len(texts))
    terms = term_matrix([analyse(texts[i]) for i in idx])
    if backend == "tfidf-lsa":
        return l2_normalise(TfidfLsa(n_components=LSA_DIMS_ALONE, seed=seed).from_terms(terms)), [gold[i] for i in idx]
    from nlp.themes import Document, _vectors

    sample = [texts[i] for i in idx]
    emb = cached_embeddings(name, sample)
    docs = [Document(str(i), t) for i, t in enumerate(sample)]
    x, used = _vectors(docs, terms, {d.id: e for d, e in zip(docs, emb, strict=True)}, backend, seed)
    assert used == backend
    return l2_normalise(x), [gold[i] for i in idx]


def quality(name: str, backend: str = "tfidf-lsa", modes: tuple[str, ...] = ("gold", "auto"),
            split_at_k: bool = True) -> dict[str, object]:
    """Gold-k and automatic-k scores as find_themes clusters; split_at_k=False is the gold k before catch-alls were
    split there (2026-12-07), for before/after tables."""
    from sklearn.cluster import KMeans

    res: dict[str, list[float]] = {}
    ks: list[int] = []
    beyond: list[int] = []  # themes over the number asked for (no merge avoided a catch-all)
    texts = load_set(name)[0]
    texts = [texts[i] for i in _sample(len(texts))]
    for seed in range(SEEDS):
        x, gold = vectors(name, seed, backend)
        kg = len(set(gold))
        base = KMeans(n_clusters=kg, n_init=10, random_state=seed).fit_predict(x)
        for m, v in agreement(gold, [str(v) for v in base]).items():
            res.setdefault(f"km_{m}", []).append(v)
        for mode in modes:
            start = time.perf_counter()
            found = C.cluster(x, k=kg if mode == "gold" else None, seed=seed)
            labels, k = found.labels.copy(), found.k
            if mode == "auto":
                k = split_catch_alls(x, labels, k, seed)
            elif split_at_k:
                k = split_keeping_count(x, labels, k, seed)
                beyond.append(k - found.k)
            wide, k = theme_wordless(x, texts, labels, k, LSA_DIMS_ALONE, seed)
            if mode == "auto":
                ks.append(k)
            cap_unthemed(wide, labels, k)
            res.setdefault(f"{mode}_secs", []).append(time.perf_counter() - start)
            for m, v in agreement(gold, [str(v) for v in labels]).items():
                res.setdefault(f"{mode}_{m}", []).append(v)
            res.setdefault(f"{mode}_unthemed", []).append(float((labels == C.UNTHEMED).mean()))
            res.setdefault(f"{mode}_largest", []).append(float(np.bincount(labels[labels >= 0]).max() / len(labels)))
    row: dict[str, object] = {"set": name, "backend": backend, "n": len(gold), "gold_k": len(set(gold)), "auto_k": ks,
                              "beyond_asked": beyond}
    row.update({m: round(float(np.mean(v)), 4) for m, v in sorted(res.items())})
    return row


def _sse(x: np.ndarray, labels: np.ndarray) -> float:
    """k-means objective of a labelling over its themed rows: squared distance of each row to its cluster's mean."""
    return float(sum(((x[labels == g] - x[labels == g].mean(0)) ** 2).sum() for g in np.unique(labels[labels >= 0])))


def _misplaced(gold: list[str], labels: np.ndarray, rows: np.ndarray) -> float:
    """Share of rows whose gold label is not the most common one in the cluster they were assigned to."""
    if len(rows) == 0:
        return 0.0
    majority = {}
    for c in np.unique(labels):
        members = [gold[i] for i in np.flatnonzero(labels == c)]
        majority[int(c)] = max(set(members), key=members.count)
    return float(np.mean([gold[i] != majority[int(labels[i])] for i in rows]))


def steps(name: str, backend: str = "tfidf-lsa") -> list[dict[str, object]]:
    """Each step of a gold-k run against KMeans(n_init=10), per seed: NMI (Unthemed as a cluster) and objective."""
    from sklearn.cluster import KMeans

    rows = []
    for seed in (0, 1, 2):
        x, gold = vectors(name, seed, backend)
        k = len(set(gold))
        valid = np.flatnonzero(np.linalg.norm(x, axis=1) > 0)
        xv = x[valid]
        row: dict[str, object] = {"set": name, "backend": backend, "seed": seed, "k": k,
                                  "no_words": round(1 - len(valid) / len(x), 4)}

        def record(tag: str, labels: np.ndarray, on_valid: bool = False, objective: bool = True) -> None:
            full = labels
            if on_valid:
                full = np.full(len(x), C.UNTHEMED, dtype=np.int64)
                full[valid] = labels
            row[f"{tag}_nmi"] = round(agreement(gold, [str(v) for v in full])["nmi"], 4)
            if objective:  # not once ideas are Unthemed: fewer rows always have a smaller sum
                row[f"{tag}_sse"] = round(_sse(x, full), 1)

        baseline = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)
        record("km10_all_rows", baseline)
        if len(valid) < len(x):
            record("km10_same_rows", KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(xv), True)
        else:  # embeddings give every text a direction: the same rows, so the same fit
            record("km10_same_rows", baseline)
        ward_rows = C._ward_sample(xv, np.random.default_rng(seed))
        ward = C._kmeans(xv, k, seed, init=C._cut_means(ward_rows, C._ward_tree(ward_rows), k))
        record("ward_start", C._assign(xv, ward)[0], True)
        record("one_kmeanspp", C._assign(xv, C._kmeans(xv, k, seed, n_init=1))[0], True)
        kept = C.cluster(x, k=k, seed=seed, outlier_fence=float("inf"), min_size=1).labels
        record("engine_no_outliers", kept)
        labels = C.cluster(x, k=k, seed=seed).labels.copy()
        marked = np.flatnonzero((labels == C.UNTHEMED) & (kept != C.UNTHEMED))
        row["outliers"] = round(len(marked) / len(x), 4)
        record("engine_outliers", labels, objective=False)
        row["misplaced_outliers"] = round(_misplaced(gold, kept, marked), 3)
        row["misplaced_kept"] = round(_misplaced(gold, kept, np.flatnonzero(labels != C.UNTHEMED)), 3)
        cap_unthemed(x, labels, k)
        record("engine_capped", labels, objective=False)
        rows.append(row)
    return rows


CRITERIA_KS = [2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 17, 20, 24, 29, 34, 40]


def _null(x: np.ndarray, seed: int) -> np.ndarray:
    """Reference data with no cluster structure: each column permuted on its own (marginals kept), rows re-normalised."""
    rng = np.random.default_rng(seed)
    return l2_normalise(np.column_stack([rng.permutation(x[:, j]) for j in range(x.shape[1])]).astype(np.float32))


def _ward_curves(x: np.ndarray) -> tuple[dict[int, float], dict[int, float], dict[int, np.ndarray]]:
    """Within-cluster sum of squares and cosine silhouette of each Ward-tree cut in CRITERIA_KS."""
    from sklearn.metrics import silhouette_score

    tree = C._ward_tree(x)
    dist = np.clip(1 - x @ x.T, 0, 2)
    np.fill_diagonal(dist, 0)
    cuts = {k: C._tree_cut(tree, k) for k in CRITERIA_KS}
    wss = {k: float(sum(((x[c == g] - x[c == g].mean(0)) ** 2).sum() for g in np.unique(c))) for k, c in cuts.items()}
    sil = {k: float(silhouette_score(dist, c, metric="precomputed")) for k, c in cuts.items()}
    return wss, sil, cuts


def _kneedle(ks: list[int], y: list[float], log: bool) -> int:
    """Kneedle (Satopaa et al. 2011) for a rising concave curve: the k furthest above the chord, k on a log scale or not."""
    xs = np.log(ks) if log else np.asarray(ks, dtype=float)
    xn, yv = (xs - xs[0]) / (xs[-1] - xs[0]), np.asarray(y)
    yn = (yv - yv.min()) / max(float(np.ptp(yv)), 1e-12)
    return ks[int(np.argmax(yn - xn))]


def _prediction_strength(x: np.ndarray, seed: int) -> dict[int, tuple[float, float]]:
    """Tibshirani & Walther (2005) on two random halves (Ward cuts, mean of 2 splits): (min, mean) over test clusters."""
    rng = np.random.default_rng(seed)
    out: dict[int, list[tuple[float, float]]] = {k: [] for k in CRITERIA_KS}
    for _ in range(2):
        perm = rng.permutation(len(x))
        a, b = x[perm[: len(x) // 2]], x[perm[len(x) // 2 :]]
        ta, tb = C._ward_tree(a), C._ward_tree(b)
        for k in CRITERIA_KS:
            predicted, _ = C._assign(b, C._cut_means(a, ta, k))
            test = C._tree_cut(tb, k)
            strengths = []
            for g in np.unique(test):
                members = predicted[test == g]
                if len(members) > 1:
                    counts = np.bincount(members)
                    strengths.append(float((counts * (counts - 1)).sum() / (len(members) * (len(members) - 1))))
            out[k].append((min(strengths), float(np.mean(strengths))))
    return {k: (float(np.mean([v[0] for v in vs])), float(np.mean([v[1] for v in vs]))) for k, vs in out.items()}


def _npmi(binary: object, labels: np.ndarray, top: int = 10) -> float:
    """Size-weighted mean NPMI coherence of each cluster's top terms (by lift), over document co-occurrence."""
    import scipy.sparse as sp

    b = sp.csr_matrix(binary)
    n = b.shape[0]
    df = np.asarray(b.sum(0)).ravel() / n
    scores, weights = [], []
    for g in np.unique(labels):
        inside = labels == g
        if inside.sum() < 3:
            continue
        cf = np.asarray(b[inside].sum(0)).ravel() / inside.sum()
        terms = np.argsort(-(cf * np.log((cf + 1e-9) / (df + 1e-9))))[:top]
        co = (b[:, terms].T @ b[:, terms]).toarray() / n
        p = df[terms]
        pairs = [(i, j) for i in range(len(terms)) for j in range(i + 1, len(terms))]
        vals = [-1.0 if co[i, j] == 0 else float(np.log(co[i, j] / (p[i] * p[j])) / -np.log(co[i, j])) for i, j in pairs]
        scores.append(float(np.mean(vals)))
        weights.append(int(inside.sum()))
    return float(np.average(scores, weights=weights))


def _one_se_silhouette(x: np.ndarray, cuts: dict[int, np.ndarray]) -> int:
    """Fewest themes whose mean cosine silhouette is within one standard error of the best (Breiman's 1-SE rule)."""
    from sklearn.metrics import silhouette_samples

    dist = np.clip(1 - x @ x.T, 0, 2)
    np.fill_diagonal(dist, 0)
    values = {k: silhouette_samples(dist, c, metric="precomputed") for k, c in cuts.items()}
    mean = {k: float(v.mean()) for k, v in values.items()}
    best = max(mean, key=lambda k: mean[k])
    se = float(values[best].std() / np.sqrt(len(x)))
    return min(k for k in cuts if mean[k] >= mean[best] - se)


def _eigengap(x: np.ndarray, neighbours: int, top: int = 40) -> int:
    """Spectral eigengap (von Luxburg 2007): largest gap among the smallest eigenvalues of the normalised Laplacian
    of a symmetric k-nearest-neighbour cosine graph; k is the count of eigenvalues below the gap."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import eigsh

    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    near = np.argpartition(-sims, neighbours, axis=1)[:, :neighbours]
    rows = np.repeat(np.arange(len(x)), neighbours)
    w = sp.csr_matrix((np.clip(sims[rows, near.ravel()], 0, None) + 1e-6, (rows, near.ravel())), shape=(len(x),) * 2)
    w = w.maximum(w.T)
    scale = sp.diags(1 / np.sqrt(np.asarray(w.sum(axis=1)).ravel()))
    lam = np.sort(1 - eigsh(scale @ w @ scale, k=top + 2, which="LA", return_eigenvectors=False))
    return max(range(2, top + 1), key=lambda k: lam[k] - lam[k - 1])


def _criteria_sample(name: str, seed: int) -> tuple[Any, np.ndarray, Any, np.ndarray]:
    """The labelled set's gold labels, the indices of up to 2,000 rows sampled for the seed, their term matrix and
    their tfidf-lsa vectors (what criteria() and umap_criteria() both score)."""
    texts, gold = load_set(name)
    rng = np.random.default_rng(seed)
    idx = np.arange(len(texts)) if len(texts) <= 2000 else np.sort(rng.choice(len(texts), 2000, replace=False))
    terms = term_matrix([analyse(texts[i]) for i in idx])
    return gold, idx, terms, l2_normalise(TfidfLsa(n_components=LSA_DIMS_ALONE, seed=seed).from_terms(terms))


def criteria(name: str, seed: int) -> dict[str, object]:
    """k that each automatic-k criterion picks (Ward-tree cuts of 2,000 rows, k in CRITERIA_KS), for one seed."""
    from sklearn.cluster import HDBSCAN
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score

    gold, idx, terms, s = _criteria_sample(name, seed)
    ks = CRITERIA_KS
    start = time.process_time()
    wss, sil, cuts = _ward_curves(s)
    refs = [_ward_curves(_null(s, seed * 10 + r))[:2] for r in range(3)]
    null_cpu = time.process_time() - start
    log_ref = {k: np.array([np.log(r[0][k]) for r in refs]) for k in ks}
    gap = {k: float(log_ref[k].mean() - np.log(wss[k])) for k in ks}
    gap_sd = {k: float(log_ref[k].std() * np.sqrt(1 + 1 / len(refs))) for k in ks}
    sil_gap = {k: sil[k] - float(np.mean([r[1][k] for r in refs])) for k in ks}
    total = float(((s - s.mean(0)) ** 2).sum())
    explained = [1 - wss[k] / total for k in ks]
    ps = _prediction_strength(s, seed)
    binary = (terms.counts > 0).astype(np.float32)
    row: dict[str, object] = {"set": name, "seed": seed, "gold_k": len({gold[i] for i in idx})}
    row["silhouette"] = max(ks, key=lambda k: sil[k])
    row["gap_tibshirani"] = next((k for k, k1 in itertools.pairwise(ks) if gap[k] >= gap[k1] - gap_sd[k1]), ks[-1])
    row["silhouette_minus_null"] = max(ks, key=lambda k: sil_gap[k])
    row["silhouette_one_se"] = _one_se_silhouette(s, cuts)
    nonzero = s[np.linalg.norm(s, axis=1) > 0]  # a text of stop words only has no neighbours
    row["eigengap_10nn"], row["eigengap_30nn"] = _eigengap(nonzero, 10), _eigengap(nonzero, 30)
    row["kneedle_log_k"] = _kneedle(ks, explained, log=True)
    row["kneedle_k"] = _kneedle(ks, explained, log=False)
    row["pred_strength_min_0.8"] = max([k for k in ks if ps[k][0] >= 0.8], default=1)
    row["pred_strength_mean_0.8"] = max([k for k in ks if ps[k][1] >= 0.8], default=1)
    row["npmi_coherence"] = max(ks, key=lambda k: _npmi(binary, cuts[k]))
    heights = C._ward_tree(s)[:, 2]
    row["ward_gap"] = max(ks[2:], key=lambda k: heights[-(k - 1)] / heights[-k])
    row["davies_bouldin"] = min(ks[2:], key=lambda k: davies_bouldin_score(s, cuts[k]))
    row["calinski_harabasz"] = max(ks[2:], key=lambda k: calinski_harabasz_score(s, cuts[k]))
    for m in (5, 10, 20):
        labels = HDBSCAN(min_cluster_size=m, min_samples=m, copy=True).fit_predict(s)
        row[f"hdbscan_{m}"] = f"{labels.max() + 1} ({(labels == -1).mean():.0%} noise)"
    row["cpu_s_curves_with_null"] = round(null_cpu, 1)
    return row


UMAP_NEIGHBOURS = 15


_UMAP_DONE: dict[tuple[str, int], np.ndarray] = {}


def _umap(x: np.ndarray, seed: int) -> np.ndarray:
    """UMAP of unit rows to 5 dimensions (15 neighbours, min_dist 0, cosine), as BERTopic-style pipelines run it.

    Kept per process by content and seed, so several rules compared on the same rows share one embedding.
    """
    import hashlib

    import umap

    key = (hashlib.sha1(np.ascontiguousarray(x).tobytes()).hexdigest(), seed)
    if key in _UMAP_DONE:
        return _UMAP_DONE[key]
    reducer = umap.UMAP(n_neighbors=UMAP_NEIGHBOURS, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
    _UMAP_DONE[key] = np.asarray(reducer.fit_transform(x), dtype=np.float32)
    return _UMAP_DONE[key]


def _hdbscan(u: np.ndarray, m: int) -> np.ndarray:
    from sklearn.cluster import HDBSCAN

    return np.asarray(HDBSCAN(min_cluster_size=max(2, m), copy=True).fit_predict(u))


UMAP_RULES = {  # name -> min_cluster_size for n rows
    "umap_hdbscan_m15": lambda n: UMAP_NEIGHBOURS,
    "umap_hdbscan_n_over_cap": lambda n: n // C.MAX_THEMES,
    "umap_hdbscan_sqrt_n": lambda n: int(round(np.sqrt(n))),
}


def _clip(k: int) -> int:
    return max(2, min(C.MAX_THEMES, k))


def _meets(k: int, gold: int) -> bool:
    """The issue's goal for a chosen k: within half to twice the gold count for 4-40 labels, else the cap."""
    return k == C.MAX_THEMES if gold > C.MAX_THEMES else gold / 2 <= k <= 2 * gold


def umap_criteria(name: str, seed: int) -> dict[str, object]:
    """k that each UMAP-based rule picks on the same 2,000 tfidf-lsa rows as criteria(), with silhouette (in use)."""
    from sklearn.metrics import silhouette_score

    gold, idx, terms, s = _criteria_sample(name, seed)
    s = s[np.linalg.norm(s, axis=1) > 0]  # as the engine: a text with no content words is not clustered
    n, ks = len(s), CRITERIA_KS
    row: dict[str, object] = {"set": name, "seed": seed, "gold_k": len({gold[i] for i in idx}), "n": n}
    _, sil, cuts = _ward_curves(s)
    row["silhouette"] = max(ks, key=lambda k: sil[k])
    start = time.process_time()
    u = _umap(s, seed)
    row["umap_cpu_s"] = round(time.process_time() - start, 1)
    for rule, size in UMAP_RULES.items():
        labels = _hdbscan(u, size(n))
        row[rule] = _clip(int(labels.max()) + 1)
        row[f"{rule}_raw"] = f"{labels.max() + 1} (m={size(n)}, {(labels == -1).mean():.0%} noise)"
    in_umap = {k: float(silhouette_score(u, c)) for k, c in cuts.items()}
    row["umap_silhouette_of_engine_cuts"] = max(ks, key=lambda k: in_umap[k])
    tree = C._ward_tree(u)
    of_umap = {k: float(silhouette_score(u, C._tree_cut(tree, k))) for k in ks}
    row["umap_silhouette_of_umap_ward"] = max(ks, key=lambda k: of_umap[k])
    return row


LOW_RANK = 10  # dimensions of the low-rank projection the rules below score k in


def _low_rank(x: np.ndarray, dims: int | None = None) -> np.ndarray:
    """The rows' first `dims` singular directions (uncentred, as LSA), rows re-normalised: a low-rank LSA view."""
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    return l2_normalise((x @ vt[: dims or LOW_RANK].T).astype(np.float32))


def _cosine_distances(x: np.ndarray) -> np.ndarray:
    dist = np.clip(1.0 - x @ x.T, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    return dist


def _best(scores: dict[int, float]) -> int:
    """Highest score, ties to fewer themes (as nlp.cluster.choose_k)."""
    top = max(scores.values())
    return min(k for k, v in scores.items() if v >= top - 1e-9)


def rule_dpgmm(xs: np.ndarray, cuts: Any, ks: list[int], seed: int, prior: float = 0.01) -> int:
    """Dirichlet-process Gaussian mixture (variational, truncated at the cap, small concentration prior, diagonal
    covariances) on the low-rank projection: the number of components that are the most likely component of at
    least MIN_THEME rows (the engine's smallest theme). Unused components keep only the prior's weight."""
    from sklearn.mixture import BayesianGaussianMixture

    z = _low_rank(xs)
    bgm = BayesianGaussianMixture(n_components=C.MAX_THEMES, weight_concentration_prior_type="dirichlet_process",
                                  weight_concentration_prior=prior, covariance_type="diag", max_iter=300,
                                  random_state=seed).fit(z)
    return _clip(int((np.bincount(bgm.predict(z), minlength=C.MAX_THEMES) >= C.MIN_THEME).sum()))


def rule_silhouette_low_rank(xs: np.ndarray, cuts: Any, ks: list[int], seed: int) -> int:
    """Cosine silhouette of the engine's own Ward cuts, measured in the low-rank projection instead of all LSA dims."""
    from sklearn.metrics import silhouette_score

    dist = _cosine_distances(_low_rank(xs))
    return _best({k: float(silhouette_score(dist, c, metric="precomputed")) for k, c in cuts(ks).items()})


def rule_silhouette_low_rank_tree(xs: np.ndarray, cuts: Any, ks: list[int], seed: int) -> int:
    """Cosine silhouette of Ward cuts of a tree built in the low-rank projection, measured there."""
    from sklearn.metrics import silhouette_score

    z = _low_rank(xs)
    tree, dist = C._ward_tree(z), _cosine_distances(z)
    return _best({k: float(silhouette_score(dist, C._tree_cut(tree, k), metric="precomputed")) for k in ks})


def rule_calinski_low_rank(xs: np.ndarray, cuts: Any, ks: list[int], seed: int) -> int:
    """Calinski-Harabasz of the engine's own Ward cuts in the low-rank projection (k >= 2)."""
    from sklearn.metrics import calinski_harabasz_score

    z = _low_rank(xs)
    return _best({k: float(calinski_harabasz_score(z, c)) for k, c in cuts(ks).items()})


def _bic(z: np.ndarray, labels: np.ndarray, centres: np.ndarray) -> float:
    """Pelleg & Moore (2000) BIC of a k-means fit under identical spherical Gaussians (X-means), natural log."""
    n, d = z.shape
    k = len(centres)
    if n <= k:
        return -np.inf
    variance = max(float(((z - centres[labels]) ** 2).sum()) / (d * (n - k)), 1e-12)
    sizes = np.bincount(labels, minlength=k).astype(float)
    sizes = sizes[sizes > 0]
    loglik = float((sizes * np.log(sizes / n)).sum()) - n * d / 2 * np.log(2 * np.pi * variance) - d * (n - k) / 2
    return loglik - (k * (d + 1)) / 2 * np.log(n)


def rule_xmeans(xs: np.ndarray, cuts: Any, ks: list[int], seed: int) -> int:
    """X-means (Pelleg & Moore 2000) on the low-rank projection: from one cluster, split every cluster in two by
    2-means where the two children's BIC beats the parent's, refit k-means on all, until no split pays or the cap."""
    from sklearn.cluster import KMeans

    z = _low_rank(xs)
    centres = z.mean(axis=0, keepdims=True)
    while len(centres) < C.MAX_THEMES:
        labels = KMeans(n_clusters=len(centres), init=centres, n_init=1, random_state=seed).fit(z).labels_
        centres = np.vstack([z[labels == c].mean(0) for c in np.unique(labels)])
        labels = np.unique(labels, return_inverse=True)[1]
        new = []
        for c in range(len(centres)):
            part = z[labels == c]
            if len(part) < 2 * C.MIN_THEME:
                new.append(centres[c])
                continue
            km = KMeans(n_clusters=2, n_init=1, random_state=seed).fit(part)
            parent = _bic(part, np.zeros(len(part), dtype=np.int64), centres[c : c + 1])
            if _bic(part, km.labels_, km.cluster_centers_) > parent:
                new.extend(km.cluster_centers_)
            else:
                new.append(centres[c])
        if len(new) == len(centres):
            break
        centres = np.asarray(new[: C.MAX_THEMES])
    return _clip(len(centres))


AUTO_RULES = {  # name -> rule(xs sample, cuts of the engine's Ward tree by k, candidate ks, seed) -> k
    "dpgmm": rule_dpgmm,
    "dpgmm_prior_0.001": lambda xs, cuts, ks, seed: rule_dpgmm(xs, cuts, ks, seed, prior=0.001),
    "silhouette_low_rank": rule_silhouette_low_rank,
    "silhouette_low_rank_tree": rule_silhouette_low_rank_tree,
    "calinski_low_rank": rule_calinski_low_rank,
    "xmeans": rule_xmeans,
}


def rule_ks(name: str, seed: int) -> dict[str, object]:
    """k that silhouette (in use) and each rule of AUTO_RULES pick on the same 2,000 tfidf-lsa rows as criteria(),
    before any catch-all split, and the low-rank silhouette and Calinski-Harabasz at 5 and 20 dimensions beside 10."""
    global LOW_RANK
    gold, idx, _, s = _criteria_sample(name, seed)
    s = s[np.linalg.norm(s, axis=1) > 0]  # as the engine: a text with no content words is not clustered
    tree = C._ward_tree(s)
    ks = [k for k in C.candidate_ks(len(s)) if k >= 2]
    row: dict[str, object] = {"set": name, "seed": seed, "gold_k": len({gold[i] for i in idx}), "n": len(s)}
    row["silhouette"] = _choose_k(s, np.arange(len(s)), tree, seed, ks)[0]

    def cuts(wanted: list[int]) -> dict[int, np.ndarray]:
        return {k: C._tree_cut(tree, k) for k in wanted}

    for rule, fn in AUTO_RULES.items():
        start = time.process_time()
        row[rule] = fn(s, cuts, ks, seed)
        row[f"{rule}_cpu_s"] = round(time.process_time() - start, 2)
    kept = LOW_RANK
    for dims in (5, 20):
        LOW_RANK = dims
        row[f"silhouette_low_rank_{dims}"] = rule_silhouette_low_rank(s, cuts, ks, seed)
        row[f"calinski_low_rank_{dims}"] = rule_calinski_low_rank(s, cuts, ks, seed)
    LOW_RANK = kept
    return row


def umap_quality(name: str, rule: str, backend: str = "tfidf-lsa") -> dict[str, object]:
    """Automatic k chosen by a rule (engine clusters at it, catch-all split and Unthemed cap as find_themes), seeds
    0-2, 5,000 rows; for a UMAP rule also UMAP + HDBSCAN's own labels on all rows (noise as Unthemed). The rule sees
    what nlp.cluster.choose_k sees: the same 2,000-row sample and the engine's Ward tree; "silhouette" is choose_k."""
    from unittest import mock

    res: dict[str, list[float]] = {}
    ks: list[int] = []
    own_ks: list[int] = []
    rule_ks: list[int] = []  # what the rule itself chose, before the catch-all split
    for seed in (0, 1, 2):
        x, gold = vectors(name, seed, backend)
        valid = np.flatnonzero(np.linalg.norm(x, axis=1) > 0)
        choose_cpu: list[float] = []

        def choose(
            xs: np.ndarray, micro: np.ndarray, tree: np.ndarray, seed: int = seed, ks: list[int] | None = None,
            choose_cpu: list[float] = choose_cpu,
        ) -> tuple[int, dict[int, float]]:
            """The rule in place of nlp.cluster.choose_k, on the same 2,000-row sample size."""
            begin = time.process_time()
            try:
                if rule == "silhouette":
                    return _choose_k(xs, micro, tree, seed, ks)
                rng = np.random.default_rng(seed)
                rows = np.arange(len(xs))
                if len(xs) > C.SAMPLE_CHOOSE:
                    rows = np.sort(rng.choice(len(xs), C.SAMPLE_CHOOSE, replace=False))
                if rule in AUTO_RULES:
                    candidates = ks or C.candidate_ks(len(xs))
                    if candidates == [1]:
                        return 1, {}
                    candidates = [k for k in candidates if k >= 2]

                    def cuts(wanted: list[int]) -> dict[int, np.ndarray]:
                        return {k: C._tree_cut(tree, k)[micro[rows]] for k in wanted}

                    rule_ks.append(AUTO_RULES[rule](xs[rows], cuts, candidates, seed))
                    return min(rule_ks[-1], candidates[-1]), {}
                u = _umap(xs[rows], seed)
                return _clip(int(_hdbscan(u, UMAP_RULES[rule](len(rows))).max()) + 1), {}
            finally:
                choose_cpu.append(time.process_time() - begin)

        start = time.process_time()
        with mock.patch.object(C, "choose_k", choose):
            found = C.cluster(x, seed=seed)
        labels, k = found.labels.copy(), found.k
        k = split_catch_alls(x, labels, k, seed)
        cap_unthemed(x, labels, k)
        ks.append(k)
        res.setdefault("auto_cpu_s", []).append(time.process_time() - start)
        for m, v in agreement(gold, [str(v) for v in labels]).items():
            res.setdefault(f"auto_{m}", []).append(v)
        res.setdefault("auto_unthemed", []).append(float((labels == C.UNTHEMED).mean()))
        res.setdefault("choose_cpu_s", []).append(sum(choose_cpu))
        if rule not in UMAP_RULES:
            continue
        start = time.process_time()
        own = np.full(len(x), C.UNTHEMED, dtype=np.int64)
        own[valid] = _hdbscan(_umap(x[valid], seed), UMAP_RULES[rule](len(valid)))
        res.setdefault("own_cpu_s", []).append(time.process_time() - start)
        own_ks.append(int(own.max()) + 1)
        for m, v in agreement(gold, [str(v) for v in own]).items():
            res.setdefault(f"own_{m}", []).append(v)
        res.setdefault("own_unthemed", []).append(float((own == C.UNTHEMED).mean()))
    row: dict[str, object] = {"set": name, "rule": rule, "backend": backend, "n": len(gold), "gold_k": len(set(gold)),
                              "rule_k": rule_ks, "auto_k": ks, "own_k": own_ks}
    row.update({m: round(float(np.mean(v)), 4) for m, v in sorted(res.items())})
    return row


def main() -> None:
    global ROWS, SEEDS  # the sample size and seed count every function of this bench reads
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--criteria", action="store_true", help="compare automatic-k criteria instead")
    parser.add_argument("--steps", action="store_true", help="take the gold-k run apart step by step instead")
    parser.add_argument("--umap-criteria", action="store_true", help="k of the UMAP-based rules instead")
    parser.add_argument("--auto-rule", help="automatic k by these rules instead (comma-separated of "
                        f"{['silhouette', *AUTO_RULES, *UMAP_RULES]})")
    parser.add_argument("--rule-ks", action="store_true", help="k of silhouette and each --auto-rule rule, 2,000 rows")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--rows", type=int, default=ROWS, help="rows sampled from each set (a smaller conversation)")
    parser.add_argument("--seeds", type=int, default=SEEDS, help="default table: seeds 0..N-1 (3)")
    parser.add_argument("--modes", default="gold,auto", help="default table: gold k, automatic k or both")
    parser.add_argument("--no-split-at-k", action="store_true", help="default table: gold k without the catch-all "
                        "split (as before 2026-12-07)")
    parser.add_argument("--backend", default="tfidf-lsa", choices=("tfidf-lsa", "minilm", "minilm+lsa"))
    args = parser.parse_args()
    ROWS, SEEDS = args.rows, args.seeds
    for name in args.sets.split(","):
        if args.steps:
            rows = steps(name, args.backend)
        elif args.rule_ks:
            rows = [rule_ks(name, seed) for seed in (0, 1, 2)]
        elif args.umap_criteria:
            rows = [umap_criteria(name, seed) for seed in (0, 1, 2)]
        elif args.auto_rule:
            rows = [umap_quality(name, rule, args.backend) for rule in args.auto_rule.split(",")]
        elif args.criteria:
            rows = [criteria(name, seed) for seed in (0, 1, 2)]
        else:
            rows = [quality(name, args.backend, tuple(args.modes.split(",")), not args.no_split_at_k)]
        for row in rows:
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
