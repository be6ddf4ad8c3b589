"""Clustering: automatic k, fixed k, outliers, determinism, tiny and degenerate inputs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from nlp.cluster import UNTHEMED, candidate_ks, cluster


def _blobs(n_per: int, k: int, dim: int = 30, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    gold = np.repeat(np.arange(k), n_per)
    return centres[gold] + noise * rng.normal(size=(len(gold), dim)) * np.sqrt(dim) / 3, gold


def test_candidate_ks_scale_with_n() -> None:
    assert candidate_ks(3) == [1]
    assert max(candidate_ks(20)) <= 6
    assert max(candidate_ks(6000)) == 40
    assert candidate_ks(6000) == sorted(set(candidate_ks(6000)))
    assert candidate_ks(6000)[0] == 2  # thousands of ideas may still hold only a few topics


def test_auto_k_recovers_blobs() -> None:
    x, gold = _blobs(60, 6)
    result = cluster(x, seed=1)
    assert result.k == 6
    assert adjusted_rand_score(gold, result.labels) > 0.95
    assert result.scores and max(result.scores, key=result.scores.get) == 6


@pytest.mark.parametrize("groups", [4, 7, 12])
def test_auto_k_finds_separated_groups_of_uneven_size(groups: int) -> None:
    """Well-separated groups of 12 to 200 ideas: the chosen k is within half to twice the true count (issue #11.3)."""
    rng = np.random.default_rng(groups)
    sizes = rng.integers(12, 200, size=groups)
    gold = np.repeat(np.arange(groups), sizes)
    x = rng.normal(size=(groups, 30))[gold] + 0.15 * rng.normal(size=(len(gold), 30)) * np.sqrt(30) / 3
    result = cluster(x, seed=0)
    assert groups / 2 <= result.k <= 2 * groups
    assert adjusted_rand_score(gold, result.labels) > 0.9


def test_a_few_topics_among_thousands_of_ideas_are_found() -> None:
    """Five real topics in 4,000 ideas: the candidate range used to start at sqrt(n/2)/4 (11 here), so five was
    impossible to find however clear the topics were (issue #11.3)."""
    x, gold = _blobs(800, 5)
    result = cluster(x, seed=0)
    assert result.k == 5
    assert adjusted_rand_score(gold, result.labels) > 0.95


def test_fixed_k() -> None:
    x, _ = _blobs(40, 4)
    assert cluster(x, k=7).k == 7


def test_outliers_are_unthemed() -> None:
    x, _ = _blobs(80, 3)
    far = np.random.default_rng(5).normal(size=(4, x.shape[1])) * 10
    result = cluster(np.vstack([x, far]), k=3)
    assert (result.labels[-4:] == UNTHEMED).sum() >= 3
    assert (result.labels[:-4] == UNTHEMED).mean() < 0.05


def test_theme_of_repeated_texts_keeps_its_near_copies() -> None:
    """A theme that is mostly one repeated text ("Nothing.") has no spread; its close variants must stay in it."""
    x, _ = _blobs(80, 3)
    rng = np.random.default_rng(7)
    base = rng.normal(size=x.shape[1]) * 3
    copies = np.repeat(base[None, :], 60, axis=0)
    variants = base + 0.3 * rng.normal(size=(12, x.shape[1]))  # cosine to the copies about 0.98
    result = cluster(np.vstack([x, copies, variants]), k=4)
    copy_theme = result.labels[len(x)]
    assert copy_theme != UNTHEMED
    assert (result.labels[len(x) + 60 :] == copy_theme).all()


def test_deterministic_for_seed() -> None:
    x, _ = _blobs(50, 5, noise=0.6)
    a, b = cluster(x, seed=3), cluster(x, seed=3)
    assert np.array_equal(a.labels, b.labels) and a.k == b.k


def test_tiny_and_degenerate_inputs() -> None:
    assert cluster(np.zeros((0, 4))).k == 0
    assert list(cluster(np.zeros((3, 4))).labels) == [UNTHEMED] * 3
    single = cluster(np.ones((2, 4)))
    assert single.k == 1 and list(single.labels) == [0, 0]
    same = cluster(np.ones((50, 4)))
    assert same.k == 1 and (same.labels == 0).all()


def test_large_n_uses_sample_and_refines() -> None:
    x, gold = _blobs(2500, 8, dim=20)
    result = cluster(x, k=8)
    assert adjusted_rand_score(gold, result.labels) > 0.95


def test_init_keeps_previous_clusters() -> None:
    x, gold = _blobs(60, 5, noise=0.5)
    first = cluster(x, seed=0)
    cents = np.vstack([x[first.labels == c].mean(axis=0) for c in range(first.k)])
    second = cluster(x, seed=9, init=cents)
    keep = (first.labels >= 0) & (second.labels >= 0)
    assert adjusted_rand_score(first.labels[keep], second.labels[keep]) > 0.95


def test_a_rerun_keeps_every_previous_theme_where_the_count_chooser_would_pick_fewer() -> None:
    """The previous run's themes may be more than the count chooser picks (nlp.catchall splits mixes after it): a
    re-run seeds every one of them, so no theme a lead has seen vanishes for 10% more ideas."""
    x, gold = _blobs(40, 6, noise=0.1)
    rng = np.random.default_rng(3)
    halves = np.where(rng.random(len(gold)) < 0.5, 2 * gold, 2 * gold + 1)  # 12 themes: each topic cut in two
    assert cluster(x, seed=0).k == 6
    cents = np.vstack([x[halves == c].mean(axis=0) for c in range(12)])
    assert cluster(x, seed=0, init=cents).k == 12


def test_a_small_real_topic_stays_a_theme() -> None:
    """A tight topic of 0.2% of the ideas is a theme, not Unthemed (it used to be: clusters under 0.3% were)."""
    x, gold = _blobs(600, 5)
    rng = np.random.default_rng(9)
    small = rng.normal(size=x.shape[1]) * 3 + 0.1 * rng.normal(size=(6, x.shape[1]))
    result = cluster(np.vstack([x, small]), k=6)
    labels = result.labels[-6:]
    assert (labels != UNTHEMED).all() and len(set(labels.tolist())) == 1
    assert labels[0] not in set(result.labels[:-6].tolist())  # its own theme
    assert adjusted_rand_score(gold, result.labels[:-6]) > 0.95


def test_a_themes_loosely_worded_ideas_stay_in_it() -> None:
    """A third of each topic written more loosely (cosine to its centre down to 0.7, where other topics' ideas reach
    about 0.6) is still the topic: those ideas stay themed, while ideas from nowhere are still unthemed. The rule before,
    median - 3 robust SDs, set aside 65% of the loose ideas (issue #11.3: Unthemed is for outliers)."""
    rng = np.random.default_rng(11)
    centres = rng.normal(size=(6, 30))
    noise = np.tile(np.repeat([0.15, 0.3], [70, 30]), 6)  # 70 tightly worded ideas and 30 loose ones per topic
    gold = np.repeat(np.arange(6), 100)
    x = centres[gold] + noise[:, None] * rng.normal(size=(600, 30)) * np.sqrt(30) / 3
    far = rng.normal(size=(4, 30)) * 10
    labels = cluster(np.vstack([x, far]), k=6, seed=0).labels
    assert (labels[:600][noise == 0.3] == UNTHEMED).mean() < 0.05
    assert (labels[-4:] == UNTHEMED).all()
    assert adjusted_rand_score(gold, labels[:600]) > 0.95


def test_a_single_idea_is_never_a_theme() -> None:
    x, _ = _blobs(100, 3)
    lone = np.random.default_rng(4).normal(size=(1, x.shape[1])) * 10
    result = cluster(np.vstack([x, lone]), k=4)
    assert result.labels[-1] == UNTHEMED


def _sum_of_squares(x: np.ndarray, labels: np.ndarray) -> float:
    return sum(float(((x[labels == g] - x[labels == g].mean(axis=0)) ** 2).sum()) for g in np.unique(labels))


@pytest.mark.parametrize(("data_seed", "k"), [(23, 8), (26, 5), (28, 8)])
def test_an_asked_k_fits_at_least_as_well_as_kmeans_with_ten_starts(data_seed: int, k: int) -> None:
    """Overlapping topics of uneven size and spread: at a k the lead asked for, the k-means objective of the themes
    (before any idea is set aside as an outlier) is never above KMeans(n_init=10)'s on the same vectors. With one
    k-means++ start beside the Ward start it was, by 0.2-1.1% on these three (issue #11.3)."""
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(data_seed)
    centres, spread, sizes = rng.normal(size=(12, 16)), rng.uniform(0.3, 1.5, size=12), rng.integers(20, 120, size=12)
    x = np.vstack([c + s * rng.normal(size=(m, 16)) for c, s, m in zip(centres, spread, sizes, strict=True)])
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    ours = cluster(x, k=k, seed=0, outlier_fence=float("inf"), min_size=1).labels
    baseline = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(x)
    assert (ours != UNTHEMED).all()
    assert _sum_of_squares(x, ours) <= _sum_of_squares(x, baseline) * (1 + 1e-6)
