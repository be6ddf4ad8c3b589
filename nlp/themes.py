"""Find themes in a conversation's contributions, keeping ids, names and pins stable across re-runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from nlp.catchall import cap_unthemed, split_catch_alls, split_keeping_count, theme_wordless
from nlp.cluster import UNTHEMED, cluster
from nlp.identifying import find_identifying_details
from nlp.people import is_name_word
from nlp.labels import class_tfidf, top_terms
from nlp.matching import match_clusters, mostly_unchanged
from nlp.phrases import INDEX_ROWS, LabelChoice, PhraseIndex, choose_labels, summary_sentence
from nlp.preprocess import SurfaceForms, tokenize
from nlp.progress import Progress, analyse_all
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
    summary: str = ""
    label_coverage: float = 0.0  # share of the theme's ideas holding the label phrase
    label_contrast: float = 0.0  # that share over the phrase's share among the other ideas


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
    progress: Progress | None = None,
) -> ThemeRun:
    """Cluster documents into labelled themes; k=None picks the count; previous keeps ids, labels and pins."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}")
    ids = [d.id for d in docs]
    if not docs:
        return ThemeRun([], [], "none", 0)
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    pairs = analyse_all([d.text for d in docs], progress)
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

    if progress is not None:
        progress("clustering", len(docs), len(docs))
    labels = np.full(len(docs), UNTHEMED, dtype=np.int64)
    wordless = range(0)
    result = cluster(x[free], k=k, seed=seed, init=init) if len(free) else None
    n_free = result.k if result else 0
    if result is not None:
        found = result.labels.copy()
        split = split_catch_alls if k is None else split_keeping_count  # a number asked for is kept if it can be
        n_content = n_free = split(x[free], found, n_free, seed, total=len(docs))  # catch-alls broken up
        wide, n_free = theme_wordless(x[free], [docs[int(i)].text for i in free], found, n_free, LSA_DIMS_ALONE, seed)
        wordless = range(n_content, n_free)
        if wide.shape[1] > x.shape[1]:  # ideas with no content words now have a direction of their own
            x = np.hstack([x, np.zeros((len(docs), wide.shape[1] - x.shape[1]), dtype=np.float32)])
            x[free] = wide
        cap_unthemed(x[free], found, n_free)
        labels[free] = found
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
    if progress is not None:
        progress("labelling", len(docs), len(docs))
    themes = _describe(docs, pairs, terms, x, labels, groups, prev_of, wordless)
    unthemed = [ids[i] for i in np.flatnonzero(labels == UNTHEMED)]
    beyond = float(n_content - result.k) if result is not None and k is not None else 0.0  # the caller is told
    return ThemeRun(themes, unthemed, used, n_free + len(pinned), {"themes_beyond_asked": beyond} if beyond else {})


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


QUOTE_POOL = 30  # quotes are drawn from this many most central members
QUOTE_DIVERSITY = 0.5  # weight against likeness to quotes already picked (maximal marginal relevance)


def _clean_quotes(
    docs: Sequence[Document], x: np.ndarray, members: np.ndarray, order: np.ndarray, n: int = 3
) -> list[int]:
    """Rows of n central, mutually different members without identifying details: a quote never names anyone."""
    pool: list[int] = []
    seen: set[str] = set()
    for i in order:
        text = docs[members[i]].text
        wording = " ".join(tokenize(text.lower()))  # "Nothing" and "Nothing." are one quote, not two
        if wording not in seen and not find_identifying_details(text):
            seen.add(wording)
            pool.append(int(members[i]))
            if len(pool) == QUOTE_POOL:
                break
    if not pool:
        return []
    centre = x[members].mean(axis=0)
    centre = centre / (np.linalg.norm(centre) or 1.0)
    central = x[pool] @ centre
    picked = [0]
    while len(picked) < min(n, len(pool)):
        likeness = (x[pool] @ x[[pool[p] for p in picked]].T).max(axis=1)
        score = central - QUOTE_DIVERSITY * likeness
        score[picked] = -np.inf
        picked.append(int(np.argmax(score)))
    return [pool[p] for p in picked]


def _describe(
    docs: Sequence[Document],
    pairs: list[list[tuple[str, str]]],
    terms: TermMatrix,
    x: np.ndarray,
    labels: np.ndarray,
    groups: list[np.ndarray],
    prev_of: Mapping[int, PreviousTheme],
    wordless: range = range(0),
) -> list[Theme]:
    """Label each non-empty cluster with a phrase from its ideas, pick diverse central quotes and a summary."""
    scores = class_tfidf(terms.counts, labels, len(groups))
    vocab = terms.vocabulary
    order = sorted((c for c, g in enumerate(groups) if len(g)), key=lambda c: (-len(groups[c]), c))
    tops = {c: top_terms(scores[c], vocab) for c in order}
    forms = SurfaceForms(wanted={t for tt in tops.values() for t in tt})
    for p in pairs:
        forms.add(p)
    keep = {c: prev_of[c] for c in order if c in prev_of and _keeps_label(prev_of[c], docs, groups[c])}
    phrases = _phrase_labels(docs, groups, [c for c in order if c not in keep and c not in wordless])
    if wordless:
        among = np.sort(np.concatenate([groups[c] for c in wordless]))
        phrases.update(_phrase_labels(docs, groups, [c for c in order if c in wordless and c not in keep], among))
    themes: list[Theme] = []
    used_labels = {p.label for p in keep.values()}
    new_count = 0
    for c in order:
        g = groups[c]
        # A theme's label and key terms are shown to everyone: never a person's name ("Sarah", "sister Jones").
        tt = [t for t in tops[c] if not any(is_name_word(w) for w in forms.render(t).split())]
        sims = x[g] @ _centroids(x, [g])[0]
        rank = np.argsort(-sims, kind="stable")
        quotes = _clean_quotes(docs, x, g, rank)
        prev = prev_of.get(c)
        choice = phrases.get(c)
        if c in keep:
            label = keep[c].label
        elif choice is not None and choice.label not in used_labels:
            label = choice.label
        else:  # no phrase recurs (members are stop words only, or all different): the central idea's opening
            source = docs[quotes[0]].text if quotes else "Other ideas"
            label = " ".join(source.strip().rstrip(".!").split()[:5]).capitalize() or "Other ideas"
        if label in used_labels and c not in keep:
            label = f"{label} ({len(used_labels) + 1})"
        used_labels.add(label)
        if prev is None:
            new_count += 1
        themes.append(
            Theme(
                key=prev.id if prev is not None else f"new-{new_count}",
                label=label,
                top_terms=[forms.render(t) for t in tt],
                quotes=[docs[i].id for i in quotes],
                member_ids=[docs[i].id for i in g],
                size=len(g),
                coherence=round(float(sims.mean()), 4),
                previous_id=prev.id if prev is not None else None,
                summary=summary_sentence(docs[quotes[0]].text) if quotes else "",
                label_coverage=choice.coverage if choice is not None and label == choice.label else 0.0,
                label_contrast=choice.contrast if choice is not None and label == choice.label else 0.0,
            )
        )
    return themes


def _phrase_labels(
    docs: Sequence[Document], groups: list[np.ndarray], order: list[int], among: np.ndarray | None = None
) -> dict[int, LabelChoice]:
    """Phrase labels, on a fixed sample of INDEX_ROWS ideas when there are more (shares barely move); themes of
    ideas with no content words ("Nothing") by phrases of any words, against those ideas only (`among`)."""
    rows = np.arange(len(docs)) if among is None else among
    if len(rows) > INDEX_ROWS:
        rows = np.sort(np.random.default_rng(0).choice(rows, INDEX_ROWS, replace=False))
    position = np.full(len(docs), -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    sampled = [position[g][position[g] >= 0] for g in groups]
    index = PhraseIndex([docs[int(i)].text for i in rows], any_word=among is not None)
    return choose_labels(index, sampled, order)


def _keeps_label(prev: PreviousTheme, docs: Sequence[Document], rows: np.ndarray) -> bool:
    """A lead's label stays for good; a found one until the theme is no longer mostly what was named (issue #11)."""
    return prev.label_locked or mostly_unchanged(set(prev.member_ids), {docs[i].id for i in rows})
