"""Neighbourhood smoothing of embeddings (nlp.smoothing)."""

from __future__ import annotations

import numpy as np

from nlp.represent import l2_normalise
from nlp.smoothing import smooth_by_neighbours


def _two_groups(n_per_group: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noisy unit vectors around two orthogonal directions, and each row's group."""
    rng = np.random.default_rng(seed)
    centres = np.eye(16, dtype=np.float32)[:2]
    groups = np.repeat([0, 1], n_per_group)
    x = centres[groups] + rng.normal(0, 0.45, (len(groups), 16)).astype(np.float32)
    return l2_normalise(x), groups


def _margin(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """How much closer each row is to its own group's direction than to the other's."""
    own = x[np.arange(len(x)), groups]
    other = x[np.arange(len(x)), 1 - groups]
    return own - other


def test_rows_move_towards_their_own_group() -> None:
    x, groups = _two_groups(150)
    smoothed = smooth_by_neighbours(x)
    assert np.allclose(np.linalg.norm(smoothed, axis=1), 1.0, atol=1e-5)
    before, after = _margin(x, groups), _margin(smoothed, groups)
    assert after.mean() > before.mean() + 0.05
    assert (after > before).mean() > 0.7


def test_each_row_moves_halfway_to_the_mean_of_its_ten_nearest_other_rows() -> None:
    x, _ = _two_groups(110, seed=1)  # 220 rows: enough for the full ten neighbours
    x[0] = x[1]  # an exact copy is a neighbour; the row itself is not
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    nearest = np.argsort(-sims, axis=1, kind="stable")[:, :10]
    expected = l2_normalise(0.5 * x + 0.5 * x[nearest].mean(axis=1))
    assert np.allclose(smooth_by_neighbours(x), expected, atol=1e-5)
    assert 1 in nearest[0] and 0 not in nearest[0]


def test_small_conversations_are_left_as_they_are() -> None:
    x, _ = _two_groups(15)  # 30 ideas: a neighbour here is a different idea
    assert np.allclose(smooth_by_neighbours(x), x)
    assert np.allclose(smooth_by_neighbours(x[:0].reshape(0, 16)), np.zeros((0, 16)))


def test_large_runs_search_a_pool_and_stay_deterministic() -> None:
    x, groups = _two_groups(300)
    pooled = smooth_by_neighbours(x, pool=200, seed=3)
    assert np.array_equal(pooled, smooth_by_neighbours(x, pool=200, seed=3))
    assert not np.array_equal(pooled, smooth_by_neighbours(x, pool=200, seed=4))
    assert _margin(pooled, groups).mean() > _margin(x, groups).mean() + 0.1
    assert np.array_equal(smooth_by_neighbours(x, pool=600), smooth_by_neighbours(x))
