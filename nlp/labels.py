"""Theme labels from class-based TF-IDF over stem n-grams, rendered with real surface wording."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from nlp.preprocess import SurfaceForms

__all__ = ["class_tfidf", "distinguish", "top_terms", "make_label"]

PHRASE_RATIO = 0.4  # a multi-word phrase is preferred when it scores at least this share of the best term


def class_tfidf(counts: sp.csr_matrix, labels: np.ndarray, k: int) -> np.ndarray:
    """BERTopic-style c-TF-IDF: term frequency within each cluster times log(1 + avg words per cluster / term freq)."""
    n_terms = counts.shape[1]
    rows = np.flatnonzero(labels >= 0)
    if n_terms == 0 or len(rows) == 0 or k == 0:
        return np.zeros((k, n_terms), dtype=np.float32)
    member = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (labels[rows], rows)), shape=(k, counts.shape[0]))
    per_class = np.asarray((member @ counts).todense(), dtype=np.float64)
    totals = per_class.sum(axis=1, keepdims=True)
    tf = np.divide(per_class, totals, out=np.zeros_like(per_class), where=totals > 0)
    term_freq = per_class.sum(axis=0)
    avg_words = per_class.sum() / max(k, 1)
    idf = np.log1p(np.divide(avg_words, term_freq, out=np.zeros_like(term_freq), where=term_freq > 0))
    return (tf * idf).astype(np.float32)


def top_terms(scores: np.ndarray, vocabulary: Sequence[str], n: int = 10) -> list[str]:
    """Highest-scoring stem n-grams for one cluster, skipping unigrams already inside a chosen phrase."""
    order = np.argsort(-scores, kind="stable")
    chosen: list[str] = []
    for j in order[: n * 4]:
        if scores[j] <= 0:
            break
        term = vocabulary[j]
        words = set(term.split(" "))
        if any(term != c and (words <= set(c.split(" "))) for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == n:
            break
    return chosen


def make_label(terms: Sequence[str], scores: dict[str, float], forms: SurfaceForms) -> str:
    """A 2-4 word label: the best key phrase when it scores well, else the two best words joined by 'and'."""
    if not terms:
        return "Miscellaneous"
    best = scores.get(terms[0], 0.0)
    phrases = [t for t in terms if " " in t and scores.get(t, 0.0) >= PHRASE_RATIO * best]
    if phrases:
        words = forms.render(phrases[0]).split(" ")
        return " ".join(words[:4]).capitalize()
    singles = [t for t in terms if " " not in t]
    if len(singles) >= 2:
        return f"{forms.render(singles[0])} and {forms.render(singles[1])}".capitalize()
    only = forms.render(terms[0])
    return only.capitalize() if " " in only else f"About {only}"


def distinguish(label: str, extra: str) -> str:
    """Tell apart two themes with the same label by a further term, keeping to at most 4 words."""
    extra_words = extra.split(" ")[:2]
    base = label.split(" ")[: max(1, 4 - len(extra_words))]
    return f"{' '.join(base)} ({' '.join(extra_words)})"
