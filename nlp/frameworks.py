"""Map staff ideas to the elements of a reporting framework (NHS People Promise by default), multi-label.

Without vectors, a lexicon/TF-IDF method learns from every element's wording (name, the topics listed in its
description, example phrases, plus lead corrections passed as `extra_examples`): a logistic regression on the
wording's TF-IDF vectors, one class per element, scores each text. With sentence embeddings (nlp.represent), the
embedding similarity to the same wording (nearest phrases and centroid) is averaged with the lexicon score.
Either way an element is kept when its score reaches an absolute threshold and is close enough to the text's
best element (a relative margin), so one idea can map to several elements, or to none when it is off-topic.
bench/frameworks.py measures both on a labelled sample (docs/benchmarks.md, "Framework mapping").

Deterministic: the same texts, framework and corrections always give the same result. The lexicon's word
weights (IDF) are learnt from the framework wording and the batch together, so pass a run's ideas in one call.

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
from sklearn.linear_model import LogisticRegression

from nlp.preprocess import ngrams, stem, tokenize

__all__ = [
    "EMBEDDING_RULE",
    "LEXICON_RULE",
    "Element",
    "Rule",
    "decide",
    "select",
    "element_key",
    "element_texts",
    "map_texts",
    "map_theme",
    "read_default_framework",
    "score_texts",
    "split_examples",
]

EXAMPLE_SEPARATOR = "|"  # between example phrases in a framework CSV's `examples` column ("a | b | c")
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
LEXICON_RULE = Rule(threshold=0.17, margin=0.45)
EMBEDDING_RULE = Rule(threshold=0.16, margin=0.65)
# Regularisation of the lexicon's logistic regression (sklearn's C): measured alike from 1 to 16 in bench/frameworks.py.
LEXICON_C = 4.0


def element_key(name: str) -> str:
    """Stable key from a display name: lower case, words joined by hyphens ("We work flexibly" -> "we-work-flexibly")."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))


def split_examples(cell: str) -> tuple[str, ...]:
    """The example phrases of a CSV `examples` cell, trimmed, empty ones dropped."""
    return tuple(e.strip() for e in cell.split(EXAMPLE_SEPARATOR) if e.strip())


def read_default_framework() -> list[Element]:
    """The shipped People Promise framework (seven elements plus staff engagement and morale)."""
    text = resources.files("nlp").joinpath("data/frameworks/people_promise.csv").read_text(encoding="utf-8")
    return [
        Element(
            key=element_key(row["name"]),
            name=row["name"].strip(),
            description=row["description"].strip(),
            examples=split_examples(row["examples"]),
        )
        for row in csv.DictReader(io.StringIO(text))
    ]


def _terms(text: str) -> list[str]:
    """Stemmed uni+bigrams of content words, with a lighter stop list than theme labels use."""
    stems = [stem(w) for w in (t.lower().replace("'s", "") for t in tokenize(text)) if len(w) > 1 and w not in _STOP]
    return ngrams(stems, (1, 2))


def _phrases(description: str) -> list[str]:
    """A description cut into its listed topics ("proper breaks", "occupational health"), so each can match alone."""
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?:])\s+", description):
        sentence = re.sub(r"^(This covers|It covers|Staff|How staff)\s+", "", sentence.strip())
        out.extend(p.strip(" .") for p in re.split(r"[,;:]| including ", sentence) if len(p.split()) >= 2)
    return out


def _wording(element: Element, extra: Sequence[str]) -> list[str]:
    """The texts that describe one element: name, description topics, examples, then lead corrections."""
    return [element.name, *_phrases(element.description), *element.examples, *extra]


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


def _lexicon_scores(texts: Sequence[str], wording: list[str], owners: np.ndarray, n_elements: int) -> np.ndarray:
    """Probability of each element for each text, from a logistic regression learnt on the elements' wording.

    TF-IDF (stemmed uni+bigrams) is fitted on the wording and the batch together, so words every idea uses
    ("staff", "ward", "shift") weigh little. Each wording row is one example of its element; the classifier
    learns which words tell the elements apart, so a broad element (safe and healthy spans staffing, breaks,
    violence, equipment and IT) is not diluted into one weak centroid, as a similarity to its mean would be.
    A text sharing no word with the wording scores 0 everywhere, so off-topic ideas stay unmapped. With fewer
    than two elements there is nothing to tell apart: the score is the cosine to the element's wording centroid.
    """
    vectorizer = TfidfVectorizer(analyzer=_terms, sublinear_tf=True, dtype=np.float64)
    try:
        both = vectorizer.fit_transform([*wording, *texts]).tocsr()
    except ValueError:  # no content words anywhere
        return np.zeros((len(texts), n_elements))
    refs, queries = both[: len(wording)], both[len(wording) :]
    known = np.asarray(refs.sum(axis=0)).ravel() > 0  # terms the wording uses
    touches = np.asarray(queries[:, np.flatnonzero(known)].sum(axis=1)).ravel() > 0
    scores = np.zeros((len(texts), n_elements))
    classes = np.unique(owners)
    if classes.size < 2:
        member = sp.csr_matrix((np.ones(len(owners)), (owners, np.arange(len(owners)))), shape=(n_elements, len(owners)))
        scores = np.asarray(queries @ _unit(np.asarray((member @ refs).todense())).T)
    else:
        model = LogisticRegression(C=LEXICON_C, solver="newton-cg", max_iter=1000).fit(refs, owners)  # exact, fast here
        scores[:, model.classes_] = model.predict_proba(queries)
    scores[~touches] = 0.0
    return scores


def _embedding_scores(vectors: np.ndarray, element_vectors: np.ndarray, owners: np.ndarray, n_elements: int) -> np.ndarray:
    """Per element: half a similarity, half a learnt classifier's probability (_embedding_classifier).

    The similarity is the mean of the 3 closest wordings and the centroid, minus the text's mean over elements:
    sentence embeddings of staff feedback are all somewhat alike, and subtracting the text's own average keeps
    what is specific to each element, so one threshold works across texts.
    """
    texts, refs = _unit(np.asarray(vectors, dtype=np.float64)), _unit(np.asarray(element_vectors, dtype=np.float64))
    sims = texts @ refs.T
    raw = np.zeros((len(texts), n_elements))
    for i in range(n_elements):
        rows = np.flatnonzero(owners == i)
        if rows.size == 0:
            continue
        top = -np.sort(-sims[:, rows], axis=1)[:, :3]
        centroid = _unit(refs[rows].sum(axis=0, keepdims=True))
        raw[:, i] = 0.5 * top.mean(axis=1) + 0.5 * (texts @ centroid.T).ravel()
    similarity = np.clip(2.0 * (raw - raw.mean(axis=1, keepdims=True)), 0.0, 1.0)
    return 0.5 * _embedding_classifier(texts, refs, owners, n_elements) * similarity.max(axis=1, keepdims=True) \
        + 0.5 * similarity


def _embedding_classifier(texts: np.ndarray, refs: np.ndarray, owners: np.ndarray, n_elements: int) -> np.ndarray:
    """Probability of each element, from a logistic regression learnt on the wording's sentence embeddings.

    The embedding counterpart of the lexicon's classifier: it learns what tells the elements apart, where the
    similarity above sees only how close an idea is to each element's phrases. Its probabilities sum to one for
    every idea, off-topic ones included, so _embedding_scores weighs them by the idea's best similarity: an idea
    like no element gets little from it. Same regularisation as the lexicon's (LEXICON_C).
    """
    scores = np.zeros((len(texts), n_elements))
    classes = np.unique(owners)
    if classes.size < 2:  # nothing to tell apart
        scores[:, classes] = 1.0
        return scores
    model = LogisticRegression(C=LEXICON_C, max_iter=2000).fit(refs, owners)
    scores[:, model.classes_] = model.predict_proba(texts)
    return scores


def score_texts(
    texts: Sequence[str],
    elements: Sequence[Element],
    *,
    vectors: np.ndarray | None = None,
    element_vectors: np.ndarray | None = None,
    extra_examples: Mapping[str, Sequence[str]] | None = None,
) -> np.ndarray:
    """Similarity of each text to each element (n_texts x n_elements, 0-1); map_texts applies the rule.

    Lexicon only without vectors; with vectors, the mean of the embedding and lexicon scores (measured
    better than either alone in bench/frameworks.py).
    """
    if not elements or not texts:
        return np.zeros((len(texts), len(elements)))
    owners = _owners(elements, extra_examples)
    wording = element_texts(elements, extra_examples)
    lexicon = np.clip(_lexicon_scores(texts, wording, owners, len(elements)), 0.0, 1.0)
    if vectors is None:
        return lexicon
    if element_vectors is None or len(element_vectors) != len(wording) or len(vectors) != len(texts):
        raise ValueError("vectors need one row per text and element_vectors one row per element_texts() entry")
    return 0.5 * _embedding_scores(vectors, element_vectors, owners, len(elements)) + 0.5 * lexicon


def _unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def select(scores: np.ndarray, rule: Rule) -> np.ndarray:
    """Boolean matrix of kept (text, element) pairs under a rule; vectorised so the benchmark can tune it."""
    if scores.size == 0:
        return np.zeros(scores.shape, dtype=bool)
    best = scores.max(axis=1, keepdims=True)
    rank = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1, kind="stable")
    return (scores >= rule.threshold) & (scores >= rule.margin * best) & (rank < rule.max_labels)


def decide(scores: np.ndarray, keys: Sequence[str], rule: Rule) -> list[list[tuple[str, float]]]:
    """Apply a rule to a score matrix: per text, (key, confidence) best first; confidence is 0.5 at the threshold."""
    kept = select(scores, rule)
    out: list[list[tuple[str, float]]] = []
    for row, mask in zip(scores, kept, strict=True):
        order = [int(i) for i in np.argsort(-row, kind="stable") if mask[i]]
        out.append([(keys[i], _confidence(float(row[i]), rule.threshold)) for i in order])
    return out


def _confidence(score: float, threshold: float) -> float:
    """Map a kept score to 0.5-1: 0.5 at the threshold, rising linearly to 1 at a score of 1 (or above)."""
    return round(min(1.0, 0.5 + 0.5 * (score - threshold) / max(1.0 - threshold, 1e-6)), 3)


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
    """A theme's elements from its ideas' mappings: those that at least min_share of the ideas map to, best first.

    Confidence is the mean over all the theme's ideas of their confidence for the element (0 where unmapped),
    so it is high only when most ideas map there confidently. Empty when no element is shared that widely.
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
    kept = sorted((k for k in totals if counts[k] / n >= min_share), key=lambda k: (-totals[k], k))
    return [(k, round(totals[k] / n, 3)) for k in kept]
