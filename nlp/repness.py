"""Pol.is-style statement statistics: what represents each opinion group, what all agree on, what divides."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["StatementStat", "Z_90", "consensus", "divisive", "representative"]

Z_90 = 1.2816  # one-sided 90% significance, as Pol.is uses


@dataclass(frozen=True)
class StatementStat:
    """Why a statement represents a group: direction, probability in group vs others, ratio and z-scores."""

    statement_id: str
    direction: str
    p_group: float
    p_other: float
    ratio: float
    z_prop: float
    z_ratio: float


def _prop_z(successes: float, n: float) -> float:
    """z of a smoothed proportion against 0.5 (Pol.is prop-test)."""
    return 2.0 * math.sqrt(n + 1.0) * ((successes + 1.0) / (n + 2.0) - 0.5)


def _two_prop_z(s1: float, n1: float, s2: float, n2: float) -> float:
    """z of the difference between two smoothed proportions (Pol.is two-prop-test)."""
    p1, p2 = (s1 + 1.0) / (n1 + 2.0), (s2 + 1.0) / (n2 + 2.0)
    pooled = (s1 + s2 + 1.0) / (n1 + n2 + 2.0)
    se = math.sqrt(max(pooled * (1 - pooled) * (1.0 / (n1 + 1.0) + 1.0 / (n2 + 1.0)), 1e-12))
    return (p1 - p2) / se


def _counts(votes: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Agree, disagree and seen (incl. pass) counts per statement among the given participant rows."""
    sub = votes[rows]
    return (sub == 1).sum(axis=0), (sub == -1).sum(axis=0), (~np.isnan(sub)).sum(axis=0)


def representative(
    votes: np.ndarray, labels: np.ndarray, group: int, statement_ids: list[str], top: int = 5
) -> list[StatementStat]:
    """Statements that set a group apart: significant (z > 1.28) in both level and ratio, best first."""
    na, nd, ns = _counts(votes, np.flatnonzero(labels == group))
    oa, od, os_ = _counts(votes, np.flatnonzero((labels != group) & (labels >= 0)))
    stats: list[tuple[float, StatementStat]] = []
    for j, sid in enumerate(statement_ids):
        best: tuple[float, StatementStat] | None = None
        for direction, s, o in (("agree", na[j], oa[j]), ("disagree", nd[j], od[j])):
            p = (s + 1.0) / (ns[j] + 2.0)
            q = (o + 1.0) / (os_[j] + 2.0)
            z_p, z_r = _prop_z(s, ns[j]), _two_prop_z(s, ns[j], o, os_[j])
            if z_p > Z_90 and z_r > Z_90:
                stat = StatementStat(sid, direction, round(p, 4), round(q, 4), round(p / q, 4), round(z_p, 3), round(z_r, 3))
                score = (p / q) * z_r * p * z_p
                if best is None or score > best[0]:
                    best = (score, stat)
        if best is not None:
            stats.append(best)
    stats.sort(key=lambda t: (-t[0], t[1].statement_id))
    return [s for _, s in stats[:top]]


def consensus(votes: np.ndarray, labels: np.ndarray, statement_ids: list[str], threshold: float = 0.6) -> list[str]:
    """Statements every group agrees with (smoothed agree probability >= threshold in each), most agreed first."""
    groups = [g for g in np.unique(labels) if g >= 0]
    floor = np.full(len(statement_ids), np.inf)
    for g in groups:
        na, _, ns = _counts(votes, np.flatnonzero(labels == g))
        floor = np.minimum(floor, (na + 1.0) / (ns + 2.0))
    order = np.argsort(-floor, kind="stable")
    return [statement_ids[j] for j in order if groups and floor[j] >= threshold]


def divisive(votes: np.ndarray, labels: np.ndarray, statement_ids: list[str], gap: float = 0.3) -> list[str]:
    """Statements where groups' agree rates differ by at least gap, most divisive first."""
    groups = [g for g in np.unique(labels) if g >= 0]
    if len(groups) < 2:
        return []
    rates = []
    for g in groups:
        na, nd, _ = _counts(votes, np.flatnonzero(labels == g))
        rates.append((na + 1.0) / (na + nd + 2.0))
    spread = np.max(rates, axis=0) - np.min(rates, axis=0)
    order = np.argsort(-spread, kind="stable")
    return [statement_ids[j] for j in order if spread[j] >= gap]
