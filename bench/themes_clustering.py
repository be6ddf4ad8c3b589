"""Clustering only (nlp.cluster + catch-all split + Unthemed cap, as find_themes runs them) on every labelled set.

Per set, on the same 5,000-row sample and TF-IDF+LSA vectors: NMI/ARI/accuracy at gold k and automatic k against
KMeans(n_init=10) on the same vectors, mean of seeds 0-2; % Unthemed and the largest theme's share. Faster than
bench/themes.py (no labels, quotes or summaries), so it can run on all nine sets with three seeds.
--criteria prints the k that other automatic-k criteria would choose (seed 0, 2,000 rows), for comparison.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent  # bench/http.py must not shadow the standard library's http
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
from _data import PUBLIC_SETS, load_set  # noqa: E402

from nlp import cluster as C  # noqa: E402
from nlp.catchall import cap_unthemed, split_catch_alls  # noqa: E402
from nlp.metrics import agreement  # noqa: E402
from nlp.preprocess import analyse  # noqa: E402
from nlp.represent import TfidfLsa, l2_normalise, term_matrix  # noqa: E402
from nlp.themes import LSA_DIMS_ALONE  # noqa: E402

SETS = ("nhs_fft", "stackoverflow", "banking77", "staff_demo", *PUBLIC_SETS)
ROWS = 5000


def vectors(name: str, seed: int) -> tuple[np.ndarray, list[str]]:
    texts, gold = load_set(name)
    idx = np.arange(len(texts)) if len(texts) <= ROWS else np.sort(np.random.default_rng(0).choice(len(texts), ROWS, replace=False))
    x = TfidfLsa(n_components=LSA_DIMS_ALONE, seed=seed).from_terms(term_matrix([analyse(texts[i]) for i in idx]))
    return l2_normalise(x), [gold[i] for i in idx]


def quality(name: str) -> dict[str, object]:
    from sklearn.cluster import KMeans

    res: dict[str, list[float]] = {}
    ks: list[int] = []
    for seed in (0, 1, 2):
        x, gold = vectors(name, seed)
        kg = len(set(gold))
        base = KMeans(n_clusters=kg, n_init=10, random_state=seed).fit_predict(x)
        for m, v in agreement(gold, [str(v) for v in base]).items():
            res.setdefault(f"km_{m}", []).append(v)
        for mode in ("gold", "auto"):
            start = time.perf_counter()
            found = C.cluster(x, k=kg if mode == "gold" else None, seed=seed)
            labels, k = found.labels.copy(), found.k
            if mode == "auto":
                k = split_catch_alls(x, labels, k, seed)
                ks.append(k)
            cap_unthemed(x, labels, k)
            res.setdefault(f"{mode}_secs", []).append(time.perf_counter() - start)
            for m, v in agreement(gold, [str(v) for v in labels]).items():
                res.setdefault(f"{mode}_{m}", []).append(v)
            res.setdefault(f"{mode}_unthemed", []).append(float((labels == C.UNTHEMED).mean()))
            res.setdefault(f"{mode}_largest", []).append(float(np.bincount(labels[labels >= 0]).max() / len(labels)))
    row: dict[str, object] = {"set": name, "n": len(gold), "gold_k": len(set(gold)), "auto_k": ks}
    row.update({m: round(float(np.mean(v)), 4) for m, v in sorted(res.items())})
    return row


def criteria(name: str) -> dict[str, object]:
    """k picked by HDBSCAN cluster counts, the largest Ward merge-height jump, Davies-Bouldin, Calinski-Harabasz."""
    from sklearn.cluster import HDBSCAN
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

    x, gold = vectors(name, 0)
    rng = np.random.default_rng(0)
    s = x if len(x) <= 2000 else x[np.sort(rng.choice(len(x), 2000, replace=False))]
    row: dict[str, object] = {"set": name, "gold_k": len(set(gold))}
    for m in (5, 10, 20):
        labels = HDBSCAN(min_cluster_size=m, min_samples=m).fit_predict(s)
        row[f"hdbscan_{m}"] = f"{labels.max() + 1} ({(labels == -1).mean():.0%} noise)"
    tree = C._ward_tree(s)
    heights = tree[:, 2]
    ks = [4, 5, 6, 7, 8, 10, 12, 14, 17, 20, 24, 29, 34, 40]
    dist = np.clip(1 - s @ s.T, 0, 2)
    np.fill_diagonal(dist, 0)
    cuts = {k: C._tree_cut(tree, k) for k in ks}
    row["ward_gap"] = max(ks, key=lambda k: heights[-(k - 1)] / heights[-k])
    row["davies_bouldin"] = min(ks, key=lambda k: davies_bouldin_score(s, cuts[k]))
    row["calinski_harabasz"] = max(ks, key=lambda k: calinski_harabasz_score(s, cuts[k]))
    row["silhouette"] = max(ks, key=lambda k: silhouette_score(dist, cuts[k], metric="precomputed"))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--criteria", action="store_true", help="compare automatic-k criteria instead")
    parser.add_argument("--sets", default=",".join(SETS))
    args = parser.parse_args()
    for name in args.sets.split(","):
        print(json.dumps(criteria(name) if args.criteria else quality(name)), flush=True)


if __name__ == "__main__":
    main()
