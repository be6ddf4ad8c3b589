"""Find themes in a conversation's contributions, keeping ids, names and pins stable across re-runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from nlp.cluster import UNTHEMED, cluster
from nlp.identifying import find_identifying_details
from nlp.people import is_name_word
from nlp.labels import class_tfidf, distinguish, make_label, top_terms
from nlp.matching import match_clusters
from nlp.preprocess import SurfaceForms, analyse_pairs
from nlp.represent import TermMatrix, TfidfLsa, embed_many, embeddings_available, l2_normalise, term_matrix
from nlp.smoothing import smooth_by_neighbours

__all__ = ["Document", "PreviousTheme", "Theme", "ThemeRun", "find_themes", "BACKENDS"]

BACKENDS = ("auto", "tfidf-lsa", "minilm", "minilm+lsa")
CENTRE_FROM = 10  # centre embeddings on the run's mean from this many documents
LEXICAL_WEIGHT = 0.2  # share of cosine similarity from LSA when mixed with embeddings (measured best, docs/nlp.md)
LSA_DIMS_ALONE = 75  # LSA dimensions when LSA is the whole representation (tfidf-lsa)
LSA_DIMS_MIXED = 50  # and when it is the lexical part mixed with embeddings (measured, docs/benchmarks.md)


@dataclass(frozen=True)
class Document:
    """One contribution: its id and text."""

    id: str
    text: str


@dataclass(frozen=True)
class PreviousTheme:
    """A theme from the last run as the lead left it (members after any manual moves)."""

    id: str
    member_ids: Sequence[str]
    label: str
    pinned: bool = False
    label_locked: bool = False


@dataclass(frozen=True)
class Theme:
    """One theme: key (previous id when matched, else 'new-N'), label, terms, quotes, members and quality."""

    key: str
    label: str
    top_terms: list[str]
    quotes: list[str]
    member_ids: list[str]
    size: int
    coherence: float
    previous_id: str | None = None


@dataclass(frozen=True)
class ThemeRun:
    """Result of a run: themes largest first, unthemed ids, backend used and number of clusters found."""

    themes: list[Theme]
    unthemed: list[str]
    backend: str
    k_chosen: int
    extras: dict[str, float] = field(default_factory=dict)


def _vectors(
    docs: Sequence[Document], terms: TermMatrix, vectors: Mapping[str, np.ndarray] | None, backend: str, seed: int
) -> tuple[np.ndarray, str]:
    """Combine stored embeddings (computing missing ones) with LSA per the backend; fall back to LSA alone.

    Embedding-based vectors are smoothed towards their nearest neighbours (nlp.smoothing); LSA ones are not.
    """
    have = vectors or {}
    missing = [d for d in docs if d.id not in have]
    lsa_alone = backend == "tfidf-lsa" or (backend == "auto" and bool(missing) and not embeddings_available())
    if lsa_alone:
        return TfidfLsa(n_components=LSA_DIMS_ALONE, seed=seed).from_terms(terms), "tfidf-lsa"
    if missing and not embeddings_available():
        raise RuntimeError(f"backend {backend!r} needs the optional embedding packages")
    fresh = dict(zip((d.id for d in missing), embed_many([d.text for d in missing]), strict=True)) if missing else {}
    emb = l2_normalise(np.vstack([have[d.id] if d.id in have else fresh[d.id] for d in docs]))
    if len(emb) >= CENTRE_FROM:  # MiniLM vectors share a common direction; removing it sharpens cosine
        emb = l2_normalise(emb - emb.mean(axis=0))
    if backend == "minilm":
        return smooth_by_neighbours(emb, seed=seed), "minilm"
    w = LEXICAL_WEIGHT
    lexical = TfidfLsa(n_components=LSA_DIMS_MIXED, seed=seed).from_terms(terms)
    mixed = np.hstack([np.sqrt(1 - w) * emb, np.sqrt(w) * lexical]).astype(np.float32)
    return smooth_by_neighbours(mixed, seed=seed), "minilm+lsa"


def _centroids(x: np.ndarray, groups: Sequence[np.ndarray]) -> np.ndarray:
    """Unit mean vector of each group of row indices (zero row for an empty group)."""
    if not groups:
        return np.zeros((0, x.shape[1]), dtype=np.float32)
    return l2_normalise(np.vstack([x[g].mean(axis=0) if len(g) else np.zeros(x.shape[1]) for g in groups]))


def find_themes(
    docs: Sequence[Document],
    *,
    previous: Sequence[PreviousTheme] = (),
    vectors: Mapping[str, np.ndarray] | None = None,
    k: int | None = None,
    seed: int = 0,
    backend: str = "auto",
) -> ThemeRun:
    """Cluster documents into labelled themes; k=None picks the count; previous keeps ids, labels and pins."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}")
    ids = [d.id for d in docs]
    if not docs:
        return ThemeRun([], [], "none", 0)
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    pairs = [analyse_pairs(d.text) for d in docs]
    terms = term_matrix([[s for _, s in p] for p in pairs])
    x, used = _vectors(docs, terms, vectors, backend, seed)
    x = l2_normalise(x)

    pinned = [p for p in previous if p.pinned]
    pinned_rows = [np.array(sorted({index[m] for m in p.member_ids if m in index}), dtype=np.int64) for p in pinned]
    fixed = np.zeros(len(docs), dtype=bool)
    for rows in pinned_rows:
        fixed[rows] = True
    free = np.flatnonzero(~fixed)
    movable = [p for p in previous if not p.pinned]
    prev_rows = [np.array([index[m] for m in p.member_ids if m in index and not fixed[index[m]]]) for p in movable]
    prev_rows_kept = [(p, r) for p, r in zip(movable, prev_rows, strict=True) if len(r)]
    init = _centroids(x, [r for _, r in prev_rows_kept]) if prev_rows_kept else None

    labels = np.full(len(docs), UNTHEMED, dtype=np.int64)
    result = cluster(x[free], k=k, seed=seed, init=init) if len(free) else None
    n_free = result.k if result else 0
    if result is not None:
        labels[free] = result.labels
    for j, rows in enumerate(pinned_rows):
        labels[rows] = n_free + j
    if pinned:
        _let_new_docs_join_pins(x, labels, previous, ids, n_free, _centroids(x, pinned_rows))

    groups = [np.flatnonzero(labels == c) for c in range(n_free + len(pinned))]
    matched = match_clusters(
        [{ids[i] for i in g} for g in groups[:n_free]], [{ids[i] for i in r} for _, r in prev_rows_kept]
    )
    prev_of: dict[int, PreviousTheme] = {c: prev_rows_kept[j][0] for c, j in matched.items()}
    prev_of.update({n_free + j: p for j, p in enumerate(pinned)})
    themes = _describe(docs, pairs, terms, x, labels, groups, prev_of)
    unthemed = [ids[i] for i in np.flatnonzero(labels == UNTHEMED)]
    return ThemeRun(themes, unthemed, used, n_free + len(pinned))


def _let_new_docs_join_pins(
    x: np.ndarray, labels: np.ndarray, previous: Sequence[PreviousTheme], ids: list[str], n_free: int, pins: np.ndarray
) -> None:
    """Move documents new since the last run into a pinned theme when they are closer to it than to their own."""
    seen = {m for p in previous for m in p.member_ids}
    new_rows = np.array([i for i, doc_id in enumerate(ids) if doc_id not in seen and labels[i] < n_free], dtype=np.int64)
    if len(new_rows) == 0:
        return
    own = np.zeros(len(new_rows), dtype=np.float32)
    members = labels[new_rows] >= 0
    if members.any():
        cents = _centroids(x, [np.flatnonzero(labels == c) for c in range(n_free)])
        own[members] = np.einsum("ij,ij->i", x[new_rows[members]], cents[labels[new_rows[members]]])
    to_pin = x[new_rows] @ pins.T
    best = to_pin.argmax(axis=1)
    join = to_pin[np.arange(len(new_rows)), best] > own
    labels[new_rows[join]] = n_free + best[join]


def _clean_quotes(docs: Sequence[Document], members: np.ndarray, order: np.ndarray, n: int = 3) -> list[str]:
    """The n most central members without identifying details: a quote speaks for a theme, never names anyone."""
    picked: list[str] = []
    for i in order:
        doc = docs[members[i]]
        if not find_identifying_details(doc.text):
            picked.append(doc.id)
            if len(picked) == n:
                break
    return picked


def _describe(
    docs: Sequence[Document],
    pairs: list[list[tuple[str, str]]],
    terms: TermMatrix,
    x: np.ndarray,
    labels: np.ndarray,
    groups: list[np.ndarray],
    prev_of: Mapping[int, PreviousTheme],
) -> list[Theme]:
    """Label each non-empty cluster, pick its 3 most central quotes and score its coherence."""
    scores = class_tfidf(terms.counts, labels, len(groups))
    vocab = terms.vocabulary
    column = {t: j for j, t in enumerate(vocab)}
    cents = _centroids(x, groups)
    drafts: list[tuple[int, list[str], dict[str, float]]] = []
    for c, g in enumerate(groups):
        if len(g):
            tt = top_terms(scores[c], vocab)
            drafts.append((c, tt, {t: float(scores[c][column[t]]) for t in tt}))
    wanted = {t for _, tt, _ in drafts for t in tt}
    forms = SurfaceForms(wanted=wanted)
    for p in pairs:
        forms.add(p)
    themes: list[Theme] = []
    used_labels: set[str] = set()
    new_count = 0
    for c, tt, sc in sorted(drafts, key=lambda d: (-len(groups[d[0]]), d[0])):
        g = groups[c]
        # A theme's label and key terms are shown to everyone: never a person's name ("Sarah", "sister Jones").
        tt = [t for t in tt if not any(is_name_word(w) for w in forms.render(t).split())]
        sims = x[g] @ cents[c]
        prev = prev_of.get(c)
        order = np.argsort(-sims, kind="stable")
        if prev is not None and prev.label_locked:
            label = prev.label
        elif tt:
            label = make_label(tt, sc, forms)
        else:  # members are stop words only ("Nothing."): name it after its most central text
            label = " ".join(docs[g[order[0]]].text.strip().rstrip(".!").split()[:4]).capitalize() or "Other"
        if label in used_labels and not (prev is not None and prev.label_locked):
            extra = next((forms.render(t) for t in tt if forms.render(t).lower() not in label.lower()), str(c))
            label = distinguish(label, extra)
        used_labels.add(label)
        if prev is None:
            new_count += 1
        themes.append(
            Theme(
                key=prev.id if prev is not None else f"new-{new_count}",
                label=label,
                top_terms=[forms.render(t) for t in tt],
                quotes=_clean_quotes(docs, g, order),
                member_ids=[docs[i].id for i in g],
                size=len(g),
                coherence=round(float(sims.mean()), 4),
                previous_id=prev.id if prev is not None else None,
            )
        )
    return themes
