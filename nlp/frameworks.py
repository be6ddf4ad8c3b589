"""Map staff ideas to the elements of a reporting framework (NHS People Promise by default), multi-label.

Two methods share one decision rule. Without vectors, a lexicon/TF-IDF method compares each text with every
element's wording (name, description, example phrases, plus lead corrections passed as `extra_examples`).
With sentence embeddings (nlp.represent), it compares the text's vector with the vectors of the same wording.
Either way an element is kept when its score reaches an absolute threshold and is close enough to the text's
best element (a relative margin), so one idea can map to several elements, or to none when it is off-topic.

Scores depend only on the text and the framework, never on the other texts in the batch, so an idea maps
the same way in every run until the framework or its corrections change.

Embedding callers: `vectors = represent.embed_many(texts)` (or the stored per-idea embeddings the theme run
already reads) and `element_vectors = represent.embed_many(element_texts(elements, extra_examples))`,
with the same `extra_examples` passed to map_texts.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from nlp.preprocess import ngrams, stem, tokenize

__all__ = [
    "EMBEDDING_RULE",
    "LEXICON_RULE",
    "Element",
    "Rule",
    "decide",
    "element_key",
    "element_texts",
    "map_texts",
    "map_theme",
    "read_default_framework",
    "score_texts",
]

EXAMPLE_SEPARATOR = " | "
# Words that carry framework meaning but are on general stop lists ("thank you", "part-time", "full-time").
_KEEP = frozenset({"thank", "thanks", "part", "full", "together", "back", "fire", "well", "first", "put"})
_STOP = (frozenset(ENGLISH_STOP_WORDS) - _KEEP) | frozenset({"im", "i'm", "ive", "i've", "dont", "don't", "let", "lets"})


@dataclass(frozen=True)
class Element:
    """One framework element: a stable key, its display name, a one-paragraph description and example phrases."""

    key: str
    name: str
    description: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """Decision rule: keep elements scoring >= threshold and >= margin * the text's best score; at most max_labels."""

    threshold: float
    margin: float
    max_labels: int = 3


# Chosen by cross-validation on bench/data/people_promise (bench/frameworks.py prints the held-out figures).
LEXICON_RULE = Rule(threshold=0.12, margin=0.6)
EMBEDDING_RULE = Rule(threshold=0.45, margin=0.9)


def element_key(name: str) -> str:
    """Stable key from a display name: lower case, words joined by hyphens ("We work flexibly" -> "we-work-flexibly")."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))


def read_default_framework() -> list[Element]:
    """The shipped People Promise framework (seven elements plus staff engagement and morale)."""
    text = resources.files("nlp").joinpath("data/frameworks/people_promise.csv").read_text(encoding="utf-8")
    return [
        Element(
            key=element_key(row["name"]),
            name=row["name"].strip(),
            description=row["description"].strip(),
            examples=tuple(e.strip() for e in row["examples"].split("|") if e.strip()),
        )
        for row in csv.DictReader(io.StringIO(text))
    ]


def _terms(text: str) -> list[str]:
    """Stemmed uni+bigrams of content words, with a lighter stop list than theme labels use."""
    stems = [stem(w) for w in (t.lower().replace("'s", "") for t in tokenize(text)) if len(w) > 1 and w not in _STOP]
    return ngrams(stems, (1, 2))


def _wording(element: Element, extra: Sequence[str]) -> list[str]:
    """The texts that describe one element: name, each description sentence, examples, then corrections."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", element.description) if s.strip()]
    return [element.name, *sentences, *element.examples, *extra]


def element_texts(elements: Sequence[Element], extra_examples: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """Every element's wording in a fixed order: embed these to get the `element_vectors` map_texts expects."""
    extra = extra_examples or {}
    return [t for e in elements for t in _wording(e, extra.get(e.key, ()))]


def _owners(elements: Sequence[Element], extra_examples: Mapping[str, Sequence[str]] | None) -> np.ndarray:
    """Element index of each row of element_texts()."""
    extra = extra_examples or {}
    return np.concatenate(
        [np.full(len(_wording(e, extra.get(e.key, ()))), i, dtype=np.int64) for i, e in enumerate(elements)]
    )


def score_texts(
    texts: Sequence[str],
    elements: Sequence[Element],
    *,
    vectors: np.ndarray | None = None,
    element_vectors: np.ndarray | None = None,
    extra_examples: Mapping[str, Sequence[str]] | None = None,
) -> np.ndarray:
    """Raw similarity of each text to each element (n_texts x n_elements, 0-1); map_texts applies the rule."""
    if not elements:
        return np.zeros((len(texts), 0))
    owners = _owners(elements, extra_examples)
    wording = element_texts(elements, extra_examples)
    if vectors is None:
        vectorizer = TfidfVectorizer(analyzer=_terms, sublinear_tf=True, dtype=np.float64)
        refs = vectorizer.fit_transform(wording).tocsr()
        queries = vectorizer.transform(list(texts)).tocsr()
    else:
        if element_vectors is None or len(element_vectors) != len(wording) or len(vectors) != len(texts):
            raise ValueError("vectors need one row per text and element_vectors one row per element_texts() entry")
        refs = sp.csr_matrix(_unit(np.asarray(element_vectors, dtype=np.float64)))
        queries = sp.csr_matrix(_unit(np.asarray(vectors, dtype=np.float64)))
    sims = np.asarray((queries @ refs.T).todense())
    scores = np.zeros((len(texts), len(elements)))
    for i in range(len(elements)):
        rows = np.flatnonzero(owners == i)
        centroid = _unit(np.asarray(refs[rows].sum(axis=0)).reshape(1, -1))
        to_centroid = np.asarray(queries @ sp.csr_matrix(centroid).T.todense()).ravel()
        scores[:, i] = 0.5 * sims[:, rows].max(axis=1) + 0.5 * to_centroid
    return np.clip(scores, 0.0, 1.0)


def _unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def decide(scores: np.ndarray, keys: Sequence[str], rule: Rule) -> list[list[tuple[str, float]]]:
    """Apply a rule to a score matrix: per text, (key, confidence) best first; confidence is 0.5 at the threshold."""
    out: list[list[tuple[str, float]]] = []
    for row in scores:
        best = float(row.max()) if row.size else 0.0
        picked = [i for i in np.argsort(-row, kind="stable") if row[i] >= rule.threshold and row[i] >= rule.margin * best]
        out.append([(keys[i], _confidence(float(row[i]), rule.threshold)) for i in picked[: rule.max_labels]])
    return out


def _confidence(score: float, threshold: float) -> float:
    """Map a score to 0-1: 0.5 at the threshold, rising linearly to 1 at twice the threshold."""
    return round(min(1.0, 0.5 * score / threshold), 3)


def map_texts(
    texts: Sequence[str],
    elements: Sequence[Element],
    *,
    vectors: np.ndarray | None = None,
    element_vectors: np.ndarray | None = None,
    extra_examples: Mapping[str, Sequence[str]] | None = None,
) -> list[list[tuple[str, float]]]:
    """For each text, the element keys it maps to with a confidence in [0, 1], best first (may be empty)."""
    scores = score_texts(texts, elements, vectors=vectors, element_vectors=element_vectors, extra_examples=extra_examples)
    rule = LEXICON_RULE if vectors is None else EMBEDDING_RULE
    return decide(scores, [e.key for e in elements], rule)


def map_theme(idea_mappings: Sequence[Sequence[tuple[str, float]]], min_share: float = 0.25) -> list[tuple[str, float]]:
    """A theme's elements from its ideas' mappings: those held by >= min_share of the ideas (or the most held one).

    Confidence is the mean over all the theme's ideas of their confidence for the element (0 where unmapped),
    so it is high only when most ideas map there confidently.
    """
    n = len(idea_mappings)
    if n == 0:
        return []
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    for mapping in idea_mappings:
        for key, conf in mapping:
            totals[key] = totals.get(key, 0.0) + conf
            counts[key] = counts.get(key, 0) + 1
    ranked = sorted(totals, key=lambda k: (-totals[k], k))
    kept = [k for k in ranked if counts[k] / n >= min_share] or ranked[:1]
    return [(k, round(totals[k] / n, 3)) for k in kept]
