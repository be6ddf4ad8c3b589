"""Catch-all themes are split unless cohesive, and Unthemed keeps at most a tenth of the ideas."""

from __future__ import annotations

import numpy as np

from nlp.catchall import MAX_SHARE, cap_unthemed, cohesion, split_catch_alls
from nlp.cluster import UNTHEMED
from nlp.themes import find_themes
from tests.nlp.conftest import make_corpus


def _blobs(sizes: list[int], dims: int = 20, spread: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.eye(dims)[: len(sizes)]
    x = np.vstack([centres[i] + rng.normal(scale=spread, size=(s, dims)) for i, s in enumerate(sizes)])
    gold = np.repeat(np.arange(len(sizes)), sizes)
    return x / np.linalg.norm(x, axis=1, keepdims=True), gold


def test_a_mixed_catch_all_is_split_until_no_theme_is_over_a_fifth() -> None:
    x, gold = _blobs([50, 50, 50, 40, 40, 40, 40])  # every real topic under a fifth
    labels = np.where(gold < 3, 0, gold - 2)  # the first three topics lumped into one theme of 48%
    k = split_catch_alls(x, labels, 5)
    assert k > 5
    assert np.bincount(labels[labels >= 0]).max() <= MAX_SHARE * len(labels)
    for topic in range(3):  # each real topic ends up whole in one theme
        assert len(set(labels[gold == topic])) == 1


def test_a_cohesive_big_theme_is_one_topic_and_stays() -> None:
    x, gold = _blobs([120, 20, 20, 20, 20])
    labels = gold.copy()
    assert split_catch_alls(x, labels, 5) == 5 and (labels == gold).all()
    assert cohesion(x, np.flatnonzero(gold == 0)) > 0.9


def test_small_conversations_are_left_alone() -> None:
    x, gold = _blobs([30, 30, 20])
    labels = np.zeros(80, dtype=np.int64)
    assert split_catch_alls(x, labels, 1) == 1


def test_unthemed_is_capped_at_a_tenth_keeping_the_least_alike() -> None:
    x, gold = _blobs([50, 50, 50, 50])
    labels = gold.copy()
    labels[::3] = UNTHEMED  # a third unthemed
    cap_unthemed(x, labels, 4)
    assert (labels == UNTHEMED).sum() <= 0.1 * len(labels)
    placed = (labels >= 0) & (np.arange(len(labels)) % 3 == 0)
    assert (labels[placed] == gold[placed]).all()


def test_find_themes_keeps_unthemed_under_a_tenth_and_no_catch_all() -> None:
    docs, _ = make_corpus(300, seed=3)
    run = find_themes(docs, backend="tfidf-lsa")
    assert len(run.unthemed) <= 0.1 * len(docs)
    assert max(t.size for t in run.themes) <= MAX_SHARE * len(docs) or len(run.themes) == 1
