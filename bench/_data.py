"""Loaders for the labelled theme sets and a disk cache of embeddings for the benchmarks."""

from __future__ import annotations

import csv
import hashlib
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("CHORUS_DATA", ROOT.parent / "shared" / "data"))
CACHE = Path(os.environ.get("CHORUS_BENCH_CACHE", "/tmp/chorus-bench-cache"))
PUBLIC = ROOT / "bench" / "data"  # committed public sets (bench/data/README.md): text,label
PUBLIC_SETS = ("hwu64", "snips", "atis", "trec6", "trec50")


def load_set(name: str) -> tuple[list[str], list[str]]:
    """Return (texts, gold labels) for nhs_fft, stackoverflow, banking77, staff_demo (the app's demo ideas) or a PUBLIC_SETS one."""
    if name == "staff_demo":  # written for the demo; ideas naming people are held by moderation, so left out
        pairs, topic = [], ""
        for line in (ROOT / "app" / "demo" / "staff_demo_ideas.txt").read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                topic = line[3:].strip()
            elif line.strip() and not line.startswith("#") and topic != "identifying":
                pairs.append((line.strip(), topic))
        return [t for t, _ in pairs], [g for _, g in pairs]
    if name in PUBLIC_SETS:
        with open(PUBLIC / name / "data.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        return [r["text"] for r in rows], [r["label"] for r in rows]
    base = DATA / "themes" / name
    if name == "nhs_fft":
        with open(base / "feedback.csv", newline="", encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if (r["text"] or "").strip()]
        return [r["text"] for r in rows], [r["theme"] for r in rows]
    if name == "stackoverflow":
        texts = (base / "StackOverflow.txt").read_text(encoding="utf-8").splitlines()
        gold = (base / "StackOverflow_gnd.txt").read_text(encoding="utf-8").splitlines()
        return texts, gold
    if name == "banking77":
        texts: list[str] = []
        gold: list[str] = []
        for part in ("train.csv", "test.csv"):
            with open(base / part, newline="", encoding="utf-8") as f:
                for r in csv.DictReader(f):
                    texts.append(r["text"])
                    gold.append(r["category"])
        return texts, gold
    raise ValueError(name)


def cached_embeddings(name: str, texts: list[str]) -> np.ndarray:
    """Embed texts with the optional MiniLM backend, caching on disk keyed by content."""
    from nlp.represent import embed_many

    digest = hashlib.sha1("\n".join(texts).encode()).hexdigest()[:12]
    path = CACHE / f"{name}-{digest}.npy"
    if path.exists():
        return np.load(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    vectors = embed_many(texts)
    np.save(path, vectors)
    return vectors
