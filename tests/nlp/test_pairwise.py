"""Bradley–Terry scoring and adaptive pairs against simulated answers with a known true order."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.pairwise import Comparison, fit, next_pair, simulate, spearman


def test_recovers_a_known_order_of_50_items():
    truth, ranking = simulate(50, 1500, seed=3, adaptive=True)
    rho = spearman(truth, ranking.scores)
    print(f"Spearman (50 items, 1500 adaptive answers): {rho:.3f}")
    assert rho >= 0.9


def test_adaptive_pairs_find_the_top_five_of_fifty():
    truth, ranking = simulate(50, 1200, seed=5, adaptive=True, focus_top=5)
    true_top = set(np.argsort(-truth)[:5])
    found = set(ranking.order()[:5])
    assert len(true_top & found) >= 3


def test_a_clear_winner_ranks_first_with_a_finite_interval():
    answers = [Comparison(0, 1)] * 8 + [Comparison(0, 2)] * 8 + [Comparison(1, 2)] * 5 + [Comparison(2, 1)] * 3
    ranking = fit(3, answers)
    assert ranking.order() == [0, 1, 2]
    assert np.all(np.isfinite(ranking.theta)) and np.all(ranking.se > 0)
    assert np.all(ranking.lower <= ranking.scores) and np.all(ranking.scores <= ranking.upper)
    fewer = fit(3, answers[:4] + answers[8:10])
    assert fewer.upper[0] - fewer.lower[0] > ranking.upper[0] - ranking.lower[0]  # less evidence, wider interval


def test_cant_decide_pulls_scores_together():
    ranking = fit(2, [Comparison(0, 1, tie=True)] * 10)
    assert abs(ranking.scores[0] - ranking.scores[1]) < 1e-6


def test_next_pair_prefers_close_uncertain_pairs_and_skips_answered_ones():
    answers = [Comparison(0, 1)] * 30 + [Comparison(1, 2)] * 30
    ranking = fit(4, answers)  # item 3 has never been compared
    rng = np.random.default_rng(0)
    picks = [tuple(sorted(next_pair(ranking, rng, shortlist=1))) for _ in range(5)]
    assert all(3 in pair for pair in picks)
    every = {(i, j) for i in range(4) for j in range(i + 1, 4)}
    assert next_pair(ranking, rng, exclude=every) is None


def test_bad_comparisons_are_refused():
    with pytest.raises(ValueError):
        fit(2, [Comparison(0, 0)])
    with pytest.raises(ValueError):
        fit(2, [Comparison(0, 5)])
