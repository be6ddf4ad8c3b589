"""Catch-all themes are split unless cohesive, and Unthemed keeps at most a tenth of the ideas."""

from __future__ import annotations

import numpy as np

from nlp.catchall import MAX_SHARE, cap_unthemed, cohesion, split_catch_alls, split_keeping_count
from nlp.cluster import MAX_THEMES, UNTHEMED
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


def _near_pairs(sizes: list[int], pairs: list[tuple[int, int]], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Blobs where each listed pair of topics shares most of its direction (two sides of one subject)."""
    x, gold = _blobs(sizes, seed=seed)
    for a, b in pairs:
        x[gold == b] += 1.5 * x[gold == a].mean(axis=0)
    return x / np.linalg.norm(x, axis=1, keepdims=True), gold


def test_at_a_number_asked_for_a_catch_all_is_split_and_the_most_alike_themes_merged() -> None:
    x, gold = _near_pairs([40, 40, 40, 15, 15, 15, 15, 30], [(3, 4), (5, 6)])
    labels = np.select([gold < 3, gold == 7], [0, 5], gold - 2)  # a theme of 57% and five others: 6 asked for
    assert split_keeping_count(x, labels, 6) == 6
    assert sorted(np.unique(labels)) == list(range(6))
    assert np.bincount(labels).max() <= MAX_SHARE * len(labels)
    for topic in range(8):  # no real topic is cut
        assert len(set(labels[gold == topic])) == 1
    assert labels[gold == 3][0] == labels[gold == 4][0] and labels[gold == 5][0] == labels[gold == 6][0]


def test_at_a_number_asked_for_a_catch_all_gives_its_ideas_back_to_the_topics_they_point_to() -> None:
    rng = np.random.default_rng(1)
    x, gold = _blobs([40] * 6)
    off_topic = np.hstack([np.zeros((180, 6)), rng.normal(size=(180, 14))])  # dimensions no topic uses
    loose = np.eye(20)[np.repeat(np.arange(6), 20)] + 0.3 * off_topic[:120]  # about a topic, loosely
    nowhere = off_topic[120:]  # about no topic
    x = np.vstack([x, loose, nowhere])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    topic = np.concatenate([gold, np.repeat(np.arange(6), 20), np.full(60, -1)])
    labels = np.concatenate([gold, np.full(180, 6)])  # k-means' short centre took the loose ones: 43% in one theme
    assert split_keeping_count(x, labels, 7) == 7
    for t in range(6):
        assert len(set(labels[topic == t])) == 1
    assert np.bincount(labels).max() <= MAX_SHARE * len(labels)


def test_at_a_number_asked_for_a_loosely_worded_real_topic_over_a_fifth_stays_whole() -> None:
    # Six topics asked for; the largest (30%) is one topic worded loosely: less cohesive than the other themes' lower
    # quartile, but tighter than any two of them joined. Splitting it would cost merging two real topics.
    rng = np.random.default_rng(2)
    x, gold = _blobs([90, 42, 42, 42, 42, 42])
    x[gold == 0] = np.eye(20)[0] + rng.normal(scale=0.16, size=(90, 20))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    others = [cohesion(x, np.flatnonzero(gold == t)) for t in range(1, 6)]
    loose = cohesion(x, np.flatnonzero(gold == 0))
    assert 0.5 * min(others) < loose < min(others)
    labels = gold.copy()
    assert split_keeping_count(x, labels, 6) == 6 and (labels == gold).all()
    # With no number asked for, a split costs no merge: the same theme is broken up.
    assert split_catch_alls(x, gold.copy(), 6) > 6


def test_at_a_number_asked_for_the_lead_gets_more_themes_when_any_merge_makes_a_catch_all() -> None:
    x, gold = _blobs([40, 40, 40, 30, 30, 30, 30, 30])
    labels = np.where(gold < 3, 0, gold - 2)  # 120 of 270 in one theme; any two others together hold over a fifth
    k = split_keeping_count(x, labels, 6)
    assert k > 6 and np.bincount(labels).max() <= MAX_SHARE * len(labels)


def test_five_themes_or_fewer_asked_for_are_broad_on_purpose() -> None:
    x, gold = _blobs([40, 40, 40, 30, 30, 30, 30, 30])
    labels = np.where(gold < 4, 0, gold - 3)  # 150 of 270 in one theme, 5 asked for
    before = labels.copy()
    assert split_keeping_count(x, labels, 5) == 5 and (labels == before).all()


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


def test_at_automatic_k_a_theme_of_two_topics_is_split_though_under_a_fifth() -> None:
    # The staff demo on tfidf-lsa: four themes of 9-18% each mixed several topics and held 48% of the ideas between
    # them.
    x, gold = _blobs([20] * 14)
    labels = np.select([gold < 2, gold < 4], [0, 1], gold - 2)  # topics 0+1 and 2+3 lumped: themes of 14%
    k = split_catch_alls(x, labels, 12)
    assert k == 14
    for topic in range(14):  # each real topic ends up whole, and alone, in a theme of its own
        assert len(set(labels[gold == topic])) == 1
    assert len({labels[gold == topic][0] for topic in range(14)}) == 14


def test_at_automatic_k_a_loosely_worded_topic_is_not_a_mix() -> None:
    x, gold = _blobs([20] * 12)
    loose, _ = _blobs([20], spread=0.2, seed=3)  # one topic worded many ways: cohesion about 0.55 against 0.95
    x[gold == 0] = loose
    labels = gold.copy()
    assert split_catch_alls(x, labels, 12) == 12 and (labels == gold).all()


def test_a_mix_is_split_up_to_the_readability_cap_and_no_further() -> None:
    x, gold = _blobs([6] * (MAX_THEMES + 1), dims=MAX_THEMES + 1)
    labels = np.where(gold == 1, 0, np.maximum(gold - 1, 0))  # topics 0 and 1 lumped: MAX_THEMES themes already
    assert split_catch_alls(x, labels, MAX_THEMES) == MAX_THEMES
    fewer = gold < MAX_THEMES  # one topic less: the same mix among MAX_THEMES - 1 themes is split
    labels = np.where(gold[fewer] == 1, 0, np.maximum(gold[fewer] - 1, 0))
    assert split_catch_alls(x[fewer], labels, MAX_THEMES - 1) == MAX_THEMES
    assert labels[gold[fewer] == 0][0] != labels[gold[fewer] == 1][0]


def test_with_room_for_one_more_theme_the_loosest_mix_is_split() -> None:
    topics = MAX_THEMES + 2
    x, gold = _blobs([6] * topics, dims=topics)
    # MAX_THEMES - 1 themes: topics 0+1 (a mix of two), topics 2+3+4 (a mix of three: looser), then one per topic.
    labels = np.select([gold <= 1, gold <= 4], [0, 1], gold - 3)
    assert labels.max() + 1 == MAX_THEMES - 1
    assert split_catch_alls(x, labels, MAX_THEMES - 1) == MAX_THEMES
    assert len(set(labels[gold <= 1])) == 1  # the tighter mix waits for room
    assert len(set(labels[(gold >= 2) & (gold <= 4)])) == 2
