"""No catch-all themes and a small Unthemed bucket: the two ways a clustering fails a lead who must act on it.

A theme holding more than a fifth of a big conversation is split unless it is as cohesive as the other
themes (then it really is one topic people keep raising); ideas with no content words ("Nothing", "All good")
are grouped among themselves by all their words; Unthemed keeps only the ideas least like any theme, at most a
tenth of the conversation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from nlp.cluster import MAX_THEMES, UNTHEMED, cluster
from nlp.preprocess import all_stems
from nlp.represent import TfidfLsa, term_matrix

__all__ = [
    "MAX_SHARE",
    "MAX_UNTHEMED",
    "MIN_IDEAS",
    "cap_unthemed",
    "cohesion",
    "split_catch_alls",
    "split_keeping_count",
    "theme_wordless",
]

MAX_SHARE = 0.2  # a theme above this share of the ideas is a catch-all unless cohesive
MIN_IDEAS = 100  # below this many ideas, one theme of a fifth is a handful of ideas: left alone
MAX_UNTHEMED = 0.1
ROUNDS = 8  # bisections per run at most: enough to break a catch-all of half the ideas into topics
# At a number of themes the lead asked for, a split is paid for by merging two other themes, so only a theme looser
# than two of the looser themes joined is split: two unrelated themes joined have about half their cohesion (the
# squared length of their mean halves). At automatic k a split costs nothing and the bar is the lower quartile itself.
AT_K_BAR = 0.5


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v)
    return v / norm if norm > 0 else v


def cohesion(x: np.ndarray, rows: np.ndarray) -> float:
    """Mean cosine between two different rows of a group: near 1 for one topic, low for a mix.

    Counted over pairs, not to the group's own centre, which flatters small groups (their centre sits on them).
    """
    m = len(rows)
    if m < 2:
        return 1.0
    total = x[rows].sum(axis=0)
    return float((total @ total - np.einsum("ij,ij->", x[rows], x[rows])) / (m * (m - 1)))


def _cohesions(x: np.ndarray, labels: np.ndarray, sizes: np.ndarray) -> dict[int, float]:
    """The cohesion of each theme of two ideas or more (sizes: ideas per theme number)."""
    return {c: cohesion(x, np.flatnonzero(labels == c)) for c in range(len(sizes)) if sizes[c] > 1}


def _loose(tight: dict[int, float], candidates: list[int], bar: float = 1.0) -> list[int]:
    """Those of the candidate themes less cohesive than bar x the lower quartile of the other themes (not one topic),
    loosest first."""
    loose = []
    for c in candidates:
        others = [v for d, v in tight.items() if d != c]
        if others and tight[c] < bar * float(np.quantile(others, 0.25)):
            loose.append(c)  # else as tight as a typical theme: one topic that many people raise
    return sorted(loose, key=tight.__getitem__)


def _mixed(tight: dict[int, float], sizes: np.ndarray) -> list[int]:
    """Themes of at least an average theme's size that are looser than two unrelated themes joined, loosest first: a
    mix of topics whatever their share (four such themes held 48% of the staff demo on tfidf-lsa, none over a fifth)."""
    typical = max(2.0, float(sizes.sum()) / max(len(sizes), 1))
    return _loose(tight, [c for c in range(len(sizes)) if sizes[c] >= typical], AT_K_BAR)


def split_catch_alls(
    x: np.ndarray, labels: np.ndarray, k: int, seed: int = 0, total: int | None = None, bar: float = 1.0,
    mixed: bool = True,
) -> int:
    """Bisect themes over MAX_SHARE of the ideas that are less cohesive than most themes; returns the new k.

    labels (one per row of x, UNTHEMED allowed) is changed in place; new themes take the numbers k, k+1, ...
    total is the size of the whole conversation when x holds only part of it (ideas pinned by a lead are apart).
    bar scales the cohesion a theme must fall below (the lower quartile of the other themes') to count as loose.
    mixed (automatic k): also bisect a theme of any size looser than AT_K_BAR of that quartile, while there are
    fewer than MAX_THEMES themes (a split there costs nothing, and the readability cap still holds).
    """
    n = total if total is not None else len(labels)
    if n <= MIN_IDEAS:
        return k
    for _ in range(ROUNDS):
        sizes = np.bincount(labels[labels >= 0], minlength=k)
        big = [c for c in range(k) if sizes[c] > MAX_SHARE * n]
        room = MAX_THEMES - k if mixed else 0
        if not big and room <= 0:
            break
        tight = _cohesions(x, labels, sizes)  # once a round, for both tests
        loose = set(_loose(tight, big, bar))
        if room > 0:
            loose.update(_mixed(tight, sizes)[:room])
        if not loose:
            break
        changed = False
        for c in sorted(loose):
            rows = np.flatnonzero(labels == c)
            # Bisect (as in bisecting k-means): each half is checked again next round, so the data sets the count.
            sub = KMeans(n_clusters=2, n_init=3, random_state=seed).fit_predict(x[rows])
            if len(np.unique(sub)) < 2:
                continue
            labels[rows[sub == 1]] = k
            k += 1
            changed = True
        if not changed:
            break
    return k


def split_keeping_count(x: np.ndarray, labels: np.ndarray, k: int, seed: int = 0, total: int | None = None) -> int:
    """At a number of themes the lead asked for: give a catch-all's ideas to the themes they point to, split what is
    still a catch-all as at automatic k, then give back each theme gained by merging the pair of themes whose merge
    costs the k-means objective least, never into a new catch-all.

    A lead who asks for k themes asks how many, not for one theme of a third of the ideas; one who asks for 5 or fewer
    asks for broad themes, which are left alone. Each split costs a merge, so a theme counts as a catch-all here only
    below AT_K_BAR of the usual bar: a real topic that is merely loosely worded stays whole. labels is changed in
    place and renumbered 0..k'-1; returns k' (more than k only when no merge keeps every theme under MAX_SHARE).
    """
    if k * MAX_SHARE <= 1:  # 5 themes or fewer: some theme must hold a fifth; broad themes are what was asked for
        return k
    n = total if total is not None else len(labels)
    if n <= MIN_IDEAS:
        return k
    _by_direction(x, labels, k, n)
    grown = split_catch_alls(x, labels, k, seed, total, AT_K_BAR, mixed=False)
    while grown > k:
        themed = labels >= 0
        sizes = np.bincount(labels[themed], minlength=grown).astype(np.float64)
        sums = np.zeros((grown, x.shape[1]))
        np.add.at(sums, labels[themed], x[themed])
        means = sums / np.maximum(sizes, 1)[:, None]
        sq = (means * means).sum(axis=1)
        gap = np.maximum(sq[:, None] + sq[None, :] - 2 * means @ means.T, 0.0)
        # Ward's merge cost: the rise in the k-means objective when two themes become one.
        cost = sizes[:, None] * sizes[None, :] / np.maximum(sizes[:, None] + sizes[None, :], 1) * gap
        cost[sizes[:, None] + sizes[None, :] > MAX_SHARE * n] = np.inf
        np.fill_diagonal(cost, np.inf)
        a, b = np.unravel_index(int(np.argmin(cost)), cost.shape)
        if not np.isfinite(cost[a, b]):
            break  # every merge would make a catch-all again: the lead gets more themes than asked (and is told)
        keep, gone = min(a, b), max(a, b)
        labels[labels == gone] = keep
        labels[labels > gone] -= 1
        grown -= 1
    return grown


def _by_direction(x: np.ndarray, labels: np.ndarray, k: int, n: int) -> None:
    """Give each idea of a catch-all to the theme it points to (cosine to the unit centres, its own included).

    k-means puts an idea where x.c - |c|^2/2 is largest: a catch-all's centre is short (the mean of ideas pointing
    every way, |c| about 0.2 against 0.55-0.7 for a topic), so it pays almost no penalty and takes ideas that point
    to a topic but sit loosely in it (cosine 0.3 to a topic's centre loses to 0.1 to the catch-all's). By
    direction they go back to their topic; what points nowhere stays (docs/benchmarks.md, "No catch-all at a
    requested k").
    """
    sizes = np.bincount(labels[labels >= 0], minlength=k)
    loose = _loose(_cohesions(x, labels, sizes), [c for c in range(k) if sizes[c] > MAX_SHARE * n], AT_K_BAR)
    if not loose:
        return
    centres = np.vstack([_unit(x[labels == c].mean(axis=0)) if sizes[c] else np.zeros(x.shape[1]) for c in range(k)])
    rows = np.flatnonzero(np.isin(labels, loose))
    labels[rows] = (x[rows] @ centres.T).argmax(axis=1)


def theme_wordless(
    x: np.ndarray, texts: Sequence[str], labels: np.ndarray, k: int, dims: int, seed: int = 0
) -> tuple[np.ndarray, int]:
    """Group the ideas whose vector is zero (no content words) among themselves, by all their words; new k and x.

    "Nothing", "Nothing really", "All good", "Great staff": stop words only, so TF-IDF gives them no direction,
    yet many people writing them is an answer a lead wants counted (issue #11: Unthemed is for outliers). They are
    represented again, among themselves only, by TF-IDF + LSA over every word stemmed (stop words kept), and
    clustered by the same rules as any theme (silhouette k, minimum size, outlier fence), with as many themes per
    idea as the rest of the conversation got at most; fewer than half a theme's worth of them (9 of 5,000 titles)
    are outliers and stay Unthemed. labels (UNTHEMED for those rows) are changed in
    place, new themes numbered from k. Returns x widened by that representation in dimensions of its own, zero for
    every other row, so centres, quotes and the Unthemed cap see these ideas and never mix them with other themes.
    A text with no words at all ("-", "?") stays at zero and Unthemed.
    """
    rows = np.flatnonzero(~np.asarray(x).any(axis=1) & (labels == UNTHEMED))
    if len(rows) < 2:
        return x, k
    with threadpool_limits(limits=1):  # small matrices: BLAS threads cost more than they save (1.2 s against 0.05 s)
        extra = TfidfLsa(n_components=dims, seed=seed).from_terms(term_matrix([all_stems(texts[int(i)]) for i in rows]))
        placed = extra.any(axis=1)
        rows, extra = rows[placed], extra[placed]
        others = len(labels) - len(rows)
        room = round(k * len(rows) / others) if others and k else MAX_THEMES
        if len(rows) < 2 or room == 0:  # fewer than half a theme's worth of ideas: outliers, as before
            return x, k
        found = cluster(extra, k=1 if room == 1 else None, seed=seed, max_themes=room)
    labels[rows] = np.where(found.labels >= 0, found.labels + k, UNTHEMED)
    wide = np.zeros((len(x), x.shape[1] + extra.shape[1]), dtype=np.float32)
    wide[:, : x.shape[1]] = x
    wide[rows, x.shape[1] :] = extra
    return wide, k + found.k


def cap_unthemed(x: np.ndarray, labels: np.ndarray, k: int, max_share: float = MAX_UNTHEMED) -> None:
    """Put back into their nearest theme the unthemed ideas most like it, until at most max_share stay unthemed."""
    out = np.flatnonzero(labels == UNTHEMED)
    allowed = int(max_share * len(labels))
    if len(out) <= allowed or k == 0:
        return
    centres = np.vstack([_unit(x[labels == c].mean(axis=0)) if (labels == c).any() else np.zeros(x.shape[1])
                         for c in range(k)])
    sims = x[out] @ centres.T
    best = sims.argmax(axis=1)
    score = sims[np.arange(len(out)), best]
    usable = np.linalg.norm(x[out], axis=1) > 0  # a text with no words (or no group of its kind) has no direction
    order = [i for i in np.argsort(-score, kind="stable") if usable[i]]
    for i in order[: len(out) - allowed]:
        labels[out[i]] = best[i]
