"""Theme quality (NMI/ARI/accuracy), speed, memory, scaling to 100k and run-to-run stability for nlp.themes."""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

# bench/ holds http.py, which would shadow the standard library's http (nltk imports http.client): search
# bench/ last, not first as Python does for a script run from it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
from _data import PUBLIC_SETS, cached_embeddings, load_set  # noqa: E402

from nlp.metrics import agreement  # noqa: E402
from nlp.represent import embeddings_available  # noqa: E402
from nlp.matching import mostly_unchanged  # noqa: E402
from nlp.themes import Document, PreviousTheme, ThemeRun, find_themes  # noqa: E402

SETS = ("nhs_fft", "stackoverflow", "banking77", "staff_demo", *PUBLIC_SETS)
REFERENCE = {"nhs_fft": (0.115, 0.240), "stackoverflow": (0.730, 0.702), "banking77": (0.556, 0.774)}
LABEL_SAMPLE = 8  # labels printed per set for a person to read


def assignments(run: ThemeRun, ids: list[str]) -> list[str]:
    """Theme key per id, '-1' for unthemed."""
    owner = {m: t.key for t in run.themes for m in t.member_ids}
    return [owner.get(i, "-1") for i in ids]


def sample(name: str, n: int | None, seed: int = 0) -> tuple[list[Document], list[str], dict[str, np.ndarray]]:
    """Documents, gold labels and cached embeddings (empty without the optional backend) for a set."""
    texts, gold = load_set(name)
    idx = np.arange(len(texts)) if n is None or n >= len(texts) else np.sort(
        np.random.default_rng(seed).choice(len(texts), n, replace=False)
    )
    vectors: dict[str, np.ndarray] = {}
    if embeddings_available():
        emb = cached_embeddings(name, texts)
        vectors = {str(i): emb[i] for i in idx}
    return [Document(str(i), texts[i]) for i in idx], [gold[i] for i in idx], vectors


def quality(
    n: int | None, backends: list[str], seeds: list[int], modes: tuple[str, ...] = ("auto", "gold")
) -> list[dict[str, object]]:
    """Score every backend on every set with automatic k and/or with k = gold count (mean over seeds)."""
    rows: list[dict[str, object]] = []
    for name in SETS:
        docs, gold, vectors = sample(name, n)
        ids = [d.id for d in docs]
        for backend in backends:
            for mode in modes:
                k = len(set(gold)) if mode == "gold" else None
                scores, secs, ks, unthemed, largest, cover, contrast = [], [], [], [], [], [], []
                for seed in seeds:
                    start = time.perf_counter()
                    run = find_themes(docs, vectors=vectors or None, k=k, seed=seed, backend=backend)
                    secs.append(time.perf_counter() - start)
                    scores.append(agreement(gold, assignments(run, ids)))
                    ks.append(run.k_chosen)
                    unthemed.append(len(run.unthemed) / len(docs))
                    largest.append(max((t.size for t in run.themes), default=0) / len(docs))
                    cover.append(float(np.mean([t.label_coverage for t in run.themes])) if run.themes else 0.0)
                    contrast.append(float(np.median([t.label_contrast for t in run.themes])) if run.themes else 0.0)
                    if seed == seeds[0]:
                        sample_labels = [(t.label, t.size, t.label_coverage, t.label_contrast) for t in run.themes]
                row = {"set": name, "n": len(docs), "backend": backend, "k": mode, "k_used": ks[0]}
                means = {m: float(np.mean([s[m] for s in scores])) for m in ("nmi", "ari", "acc")}
                row.update({m: round(v, 4 if m == "nmi" else 3) for m, v in means.items()})
                row.update({"unthemed": round(float(np.mean(unthemed)), 3), "largest": round(float(np.mean(largest)), 3),
                            "label_cover": round(float(np.mean(cover)), 3),
                            "label_contrast_median": round(float(np.mean(contrast)), 1),
                            "secs": round(float(np.mean(secs)), 2)})
                if mode == "gold":
                    row["kmeans_nmi"] = round(kmeans_baseline(docs, gold, vectors, backend, k, seeds), 4)
                rows.append(row)
                print(json.dumps(row), flush=True)
                if mode == modes[0]:
                    print("# labels " + " | ".join(f"{label} ({size}, {cov:.0%} of it, x{con:.0f})"
                                                   for label, size, cov, con in sample_labels[:LABEL_SAMPLE]), flush=True)
    return rows


def kmeans_baseline(docs: list[Document], gold: list[str], vectors: dict[str, np.ndarray], backend: str, k: int,
                    seeds: list[int]) -> float:
    """NMI of KMeans(n_init=10) on the same representation the backend clusters (mean over seeds)."""
    from sklearn.cluster import KMeans

    from nlp.preprocess import analyse
    from nlp.represent import l2_normalise, term_matrix
    from nlp.themes import _vectors

    terms = term_matrix([analyse(d.text) for d in docs])
    out = []
    for seed in seeds:
        x, _ = _vectors(docs, terms, vectors or None, backend, seed)
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(l2_normalise(x))
        out.append(agreement(gold, [str(v) for v in labels])["nmi"])
    return float(np.mean(out))


def stable_labels(first: ThemeRun, again: ThemeRun) -> tuple[int, int, list[str]]:
    """Issue #11's measure: of the first run's themes that are still mostly what was named in the matched theme of the
    re-run (`nlp.matching.mostly_unchanged`, the rule the engine keeps labels by: 80% of the ideas unchanged,
    counted both ways), how many there are and how many kept their label; each changed one described."""
    now = {t.previous_id: t for t in again.themes if t.previous_id is not None}
    qualified, kept, changed = 0, 0, []
    for t in first.themes:
        match = now.get(t.key)
        if match is None or not mostly_unchanged(set(t.member_ids), set(match.member_ids)):
            continue
        held = len(set(t.member_ids) & set(match.member_ids))
        qualified += 1
        if match.label == t.label:
            kept += 1
        else:
            changed.append(f"{t.label!r} -> {match.label!r}: {t.size} ideas, {held} still in it of {match.size}")
    return qualified, kept, changed


def stability(n: int | None, backend: str, sample_seed: int = 1) -> list[dict[str, object]]:
    """ARI of the first 90% of documents between a run on them and a re-run after adding the other 10%, and the
    share of unedited labels kept where at least 80% of a theme's ideas are still in it (issue #11)."""
    rows: list[dict[str, object]] = []
    for name in SETS:
        docs, _, vectors = sample(name, n, seed=sample_seed)
        order = np.random.default_rng(2).permutation(len(docs))
        old = [docs[i] for i in order[: int(0.9 * len(docs))]]
        old_ids = [d.id for d in old]
        first = find_themes(old, vectors=vectors or None, backend=backend)
        prev = [PreviousTheme(t.key, t.member_ids, t.label) for t in first.themes]
        old_labels = {t.key: t.label for t in first.themes}
        with_prev = find_themes(docs, previous=prev, vectors=vectors or None, backend=backend, seed=1)
        fresh = find_themes(docs, vectors=vectors or None, backend=backend, seed=1)
        a = assignments(first, old_ids)
        row = {
            "set": name, "n": len(docs), "backend": backend,
            "ari_with_previous": round(agreement(a, assignments(with_prev, old_ids))["ari"], 3),
            "ari_fresh_rerun": round(agreement(a, assignments(fresh, old_ids))["ari"], 3),
            "themes_kept": f"{sum(t.previous_id is not None for t in with_prev.themes)}/{len(first.themes)}",
            "labels_unchanged": round(sum(old_labels.get(t.previous_id or "") == t.label for t in with_prev.themes)
                                      / max(len(first.themes), 1), 3),
        }
        qualified, kept, changed = stable_labels(first, with_prev)
        row.update({"stable_themes": qualified, "stable_labels_unchanged": round(kept / max(qualified, 1), 3)})
        rows.append(row)
        print(json.dumps(row), flush=True)
        for line in changed:
            print(f"# {name}: label changed {line}", flush=True)
    return rows


def synthetic(n: int, seed: int = 0) -> tuple[list[Document], dict[str, np.ndarray] | None]:
    """n documents sampled from the three public sets with ~10% of words dropped and vectors jittered."""
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    vecs: list[np.ndarray] = []
    for name in REFERENCE:
        t, _ = load_set(name)
        texts.extend(t)
        if embeddings_available():
            vecs.append(cached_embeddings(name, t))
    pick = rng.integers(0, len(texts), n)
    docs = []
    for i, j in enumerate(pick):
        words = texts[j].split()
        keep = [w for w in words if rng.random() > 0.1] or words
        docs.append(Document(f"s{i}", " ".join(keep)))
    if not vecs:
        return docs, None
    base = np.vstack(vecs)[pick]
    jitter = base + rng.normal(scale=0.02, size=base.shape).astype(np.float32)
    return docs, {d.id: v for d, v in zip(docs, jitter, strict=True)}


def scale_one(n: int, backend: str, k: int | None = None) -> dict[str, object]:
    """One full theme run on n synthetic documents (cached vectors) in this process, at k themes when given (as a lead
    asks for them) or a chosen k: seconds, CPU seconds (all threads; steadier than wall time on a shared machine) and
    peak RSS."""
    docs, vectors = synthetic(n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start, cpu_start = time.perf_counter(), time.process_time()
    run = find_themes(docs, vectors=vectors if backend != "tfidf-lsa" else None, backend=backend, k=k)
    secs, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": n, "backend": run.backend, "k_asked": k, "k": run.k_chosen,
            "unthemed": round(len(run.unthemed) / n, 4), "secs": round(secs, 2), "cpu_secs": round(cpu, 2),
            "peak_rss_mb": round(peak), "rss_before_run_mb": round(before)}


def scaling(sizes: list[int], backends: list[str]) -> list[dict[str, object]]:
    """Run scale_one in a fresh subprocess per size and backend so peak memory is not shared."""
    rows = []
    for backend in backends:
        for n in sizes:
            out = subprocess.run(
                [sys.executable, __file__, "--scale-one", str(n), "--backend", backend],
                check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]
            rows.append(json.loads(out))
            print(out, flush=True)
    return rows


def print_goals(rows: list[dict[str, object]], default: str) -> None:
    """Print each NMI goal at gold k (mean over seeds) as met or MISSED."""
    print("\n# goals")
    for name in REFERENCE:
        tf, mini = REFERENCE[name]
        got = {r["backend"]: r["nmi"] for r in rows if r["set"] == name and r["k"] == "gold"}
        for b in dict.fromkeys(("tfidf-lsa", default)):
            if b in got:
                print(f"{name}: {b} NMI {got[b]} vs TF-IDF ref {tf}: {'met' if got[b] > tf else 'MISSED'}")
        for b in ("minilm", "minilm+lsa"):
            if b in got:
                print(f"{name}: {b} NMI {got[b]} vs MiniLM ref {mini}: {'met' if got[b] > mini else 'MISSED'}")


def main() -> None:
    """Run everything (or the --quick subset) and print JSON lines plus a summary against the goals."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3,000 docs per set, one seed, no 100k run")
    parser.add_argument("--scale-one", type=int, metavar="N", help="only one run on N synthetic ideas: time and peak RSS")
    parser.add_argument("--backend", default="auto", help="with --scale-one: the backend (default auto)")
    parser.add_argument("--k", type=int, help="with --scale-one: ask for this many themes (default: chosen)")
    parser.add_argument("--quality-only", choices=("gold", "auto", "both"), help="only the quality table, for this k")
    parser.add_argument("--stability-only", type=int, metavar="N", help="only the stability table, on the N-row "
                        "samples bench/themes_clustering.py uses (5000), with tfidf-lsa unless --backend")
    args = parser.parse_args()
    if args.stability_only:
        stability(args.stability_only, "tfidf-lsa" if args.backend == "auto" else args.backend, sample_seed=0)
        return
    if args.scale_one:
        print(json.dumps(scale_one(args.scale_one, args.backend, args.k)))
        return
    if args.quality_only:
        backends = ["tfidf-lsa"] + (["minilm", "minilm+lsa"] if embeddings_available() else [])
        modes = ("auto", "gold") if args.quality_only == "both" else (args.quality_only,)
        rows = quality(3000 if args.quick else None, backends, [0] if args.quick else [0, 1, 2], modes)
        print_goals(rows, backends[-1])
        return
    backends = ["tfidf-lsa"] + (["minilm", "minilm+lsa"] if embeddings_available() else [])
    print(f"# python {platform.python_version()}, backends {backends}", flush=True)
    n = 3000 if args.quick else None
    seeds = [0] if args.quick else [0, 1, 2]
    rows = quality(n, backends, seeds)
    stable = stability(3000 if args.quick else 6000, backends[-1])
    sizes = [1000, 6000] if args.quick else [1000, 6000, 100_000]
    scale = scaling(sizes, [backends[-1]] + (["tfidf-lsa"] if len(backends) > 1 else []))
    print_goals(rows, backends[-1])
    for r in scale:
        limit = 3 if r["n"] == 6000 else 60 if r["n"] == 100_000 else None
        if limit:
            ok = r["secs"] < limit and (r["n"] != 100_000 or r["peak_rss_mb"] < 2048)
            print(f"{r['backend']} n={r['n']}: {r['secs']} s, peak {r['peak_rss_mb']} MB: {'met' if ok else 'MISSED'}")
    print(json.dumps({"stability": stable}))


if __name__ == "__main__":
    main()
