"""Pairwise prioritisation (as in All Our Ideas): a Bradley–Terry model fitted by MM, with intervals and
an adaptive choice of the next pair.

Each answer says which of two items matters more (a "can't decide" counts as half a win each way).
A small prior—`prior` virtual wins and losses against an anchor of strength 1—keeps every score finite
when an item has only won or only lost, and anchors the scale: an item's score is the modelled chance
(0–100) that it is chosen over an average item. Intervals come from the observed Fisher information of
the log-strengths (a Laplace approximation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Comparison", "Ranking", "fit", "next_pair", "simulate", "spearman"]

Z95 = 1.959964


@dataclass(frozen=True)
class Comparison:
    """Item `winner` was chosen over `loser`; tie=True for "can't decide" (order then does not matter)."""

    winner: int
    loser: int
    tie: bool = False


@dataclass(frozen=True)
class Ranking:
    """Fitted log-strengths with standard errors; scores and intervals on the 0–100 scale."""

    theta: np.ndarray
    se: np.ndarray
    counts: np.ndarray  # comparisons per pair, symmetric

    @property
    def scores(self) -> np.ndarray:
        return 100.0 / (1.0 + np.exp(-self.theta))

    @property
    def lower(self) -> np.ndarray:
        return 100.0 / (1.0 + np.exp(-(self.theta - Z95 * self.se)))

    @property
    def upper(self) -> np.ndarray:
        return 100.0 / (1.0 + np.exp(-(self.theta + Z95 * self.se)))

    def order(self) -> list[int]:
        """Item indices, highest score first (ties broken by index for determinism)."""
        return sorted(range(len(self.theta)), key=lambda i: (-self.theta[i], i))


def _tallies(n: int, comparisons: Sequence[Comparison]) -> tuple[np.ndarray, np.ndarray]:
    wins = np.zeros((n, n))
    for c in comparisons:
        if not (0 <= c.winner < n and 0 <= c.loser < n) or c.winner == c.loser:
            raise ValueError("comparison refers to an unknown item or to one item twice")
        if c.tie:
            wins[c.winner, c.loser] += 0.5
            wins[c.loser, c.winner] += 0.5
        else:
            wins[c.winner, c.loser] += 1.0
    return wins, wins + wins.T


def fit(n: int, comparisons: Sequence[Comparison], *, prior: float = 1.0, iterations: int = 500,
        tolerance: float = 1e-8) -> Ranking:
    """Bradley–Terry strengths by Hunter's MM algorithm with `prior` virtual games against an anchor."""
    if n < 1:
        raise ValueError("need at least one item")
    if prior <= 0:
        raise ValueError("prior must be positive")
    wins, games = _tallies(n, comparisons)
    total_wins = wins.sum(axis=1) + prior
    strength = np.ones(n)
    for _ in range(iterations):
        pair = games / (strength[:, None] + strength[None, :])
        denominator = pair.sum(axis=1) + 2.0 * prior / (strength + 1.0)
        updated = total_wins / denominator
        if np.max(np.abs(np.log(updated) - np.log(strength))) < tolerance:
            strength = updated
            break
        strength = updated
    theta = np.log(strength)
    # Observed information of theta: the BT log-likelihood's negative Hessian, plus the anchor games.
    p = strength
    w = games * (p[:, None] * p[None, :]) / (p[:, None] + p[None, :]) ** 2
    information = -w
    np.fill_diagonal(information, w.sum(axis=1) + 2.0 * prior * p / (p + 1.0) ** 2)
    se = np.sqrt(np.clip(np.diag(np.linalg.inv(information)), 0.0, None))
    return Ranking(theta=theta, se=se, counts=games.astype(np.int64) if not (games % 1).any() else np.rint(games).astype(np.int64))


def next_pair(ranking: Ranking, rng: np.random.Generator, *, exclude: set[tuple[int, int]] | None = None,
              focus_top: int | None = None, shortlist: int = 5) -> tuple[int, int] | None:
    """A pair worth asking next: close in score, uncertain, and rarely compared; random among the best few.

    `focus_top` spends answers on the boundary of a top-k shortlist: pairs of items that are clearly in,
    or clearly out, count for little. `exclude` holds pairs (i < j) this person has already answered.
    """
    n = len(ranking.theta)
    if n < 2:
        return None
    i, j = np.triu_indices(n, k=1)
    theta, se = ranking.theta, ranking.se
    p = 1.0 / (1.0 + np.exp(-(theta[i] - theta[j])))
    utility = p * (1.0 - p) * (se[i] ** 2 + se[j] ** 2) / (1.0 + ranking.counts[i, j])
    if focus_top is not None and 0 < focus_top < n:
        order = np.argsort(-theta, kind="stable")
        cut = (theta[order[focus_top - 1]] + theta[order[focus_top]]) / 2.0
        straddles = np.abs(theta - cut) <= Z95 * se
        utility = utility * np.where(straddles[i] | straddles[j], 1.0, 0.1)
    if exclude:
        mask = np.array([(int(a), int(b)) not in exclude for a, b in zip(i, j, strict=True)])
        if not mask.any():
            return None
        utility = np.where(mask, utility, -1.0)
    best = np.argsort(-utility, kind="stable")[:shortlist]
    best = best[utility[best] >= 0]
    pick = int(rng.choice(best))
    a, b = int(i[pick]), int(j[pick])
    return (a, b) if rng.random() < 0.5 else (b, a)


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman rank correlation (average ranks for ties)."""
    def ranks(values: Sequence[float]) -> np.ndarray:
        x = np.asarray(values, dtype=float)
        order = np.argsort(x, kind="stable")
        r = np.empty(len(x))
        r[order] = np.arange(len(x), dtype=float)
        for value in np.unique(x):
            same = x == value
            r[same] = r[same].mean()
        return r

    ra, rb = ranks(a), ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def simulate(n_items: int, n_comparisons: int, *, seed: int = 0, adaptive: bool = True, tie_rate: float = 0.05,
             refit_every: int = 10, focus_top: int | None = None) -> tuple[np.ndarray, Ranking]:
    """Simulated answers from a known true order; returns (true strengths, fitted ranking)."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(0.0, 1.5, n_items)
    comparisons: list[Comparison] = []
    ranking = fit(n_items, comparisons)
    for step in range(n_comparisons):
        if adaptive:
            if step % refit_every == 0:
                ranking = fit(n_items, comparisons)
            pair = next_pair(ranking, rng, focus_top=focus_top)
            assert pair is not None
            a, b = pair
        else:
            a, b = (int(x) for x in rng.choice(n_items, size=2, replace=False))
        if rng.random() < tie_rate:
            comparisons.append(Comparison(a, b, tie=True))
            continue
        p_a = 1.0 / (1.0 + np.exp(-(truth[a] - truth[b])))
        comparisons.append(Comparison(a, b) if rng.random() < p_a else Comparison(b, a))
    return truth, fit(n_items, comparisons)
