"""The priority score: a transparent sum of parts a lead can read, check and argue with.

Each part is a 0–1 value times a fixed weight (points); the score is their sum out of 100.
Support and breadth are relative to the theme with the most in the conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEIGHTS = {"support": 25, "breadth": 20, "momentum": 15, "severity": 15, "impact_effort": 25}

# Words that signal harm to staff or patients; a theme whose ideas mention them gets severity points.
SEVERITY_TERMS = (
    "abuse", "abusive", "aggression", "aggressive", "assault", "bullied", "bullying", "burnout", "burnt out",
    "discrimination", "discriminated", "exhausted", "harassed", "harassment", "intimidated", "intimidation",
    "racism", "racist", "safeguarding", "safety", "sexism", "sexual", "threatened", "threats", "unsafe",
    "understaffed", "understaffing", "unsafe staffing", "violence", "violent", "whistleblowing", "stress", "stressed",
)
_SEVERITY = re.compile(r"\b(" + "|".join(re.escape(t) for t in sorted(SEVERITY_TERMS, key=len, reverse=True)) + r")\b",
                       re.IGNORECASE)


def severity_terms_in(text: str) -> set[str]:
    """The severity words a text mentions, lower case."""
    return {m.group(1).lower() for m in _SEVERITY.finditer(text or "")}


@dataclass(frozen=True)
class ScorePart:
    name: str
    label: str
    value: float  # 0–1
    weight: int
    explanation: str

    @property
    def points(self) -> float:
        return round(self.value * self.weight, 1)


@dataclass(frozen=True)
class PriorityScore:
    parts: tuple[ScorePart, ...]

    @property
    def total(self) -> float:
        return round(sum(p.points for p in self.parts), 1)


def priority_score(*, support: int, max_support: int, voters: int, max_voters: int, recent_ideas: int, ideas: int,
                   severe_ideas: int, severe_terms: list[str], impact: int | None, effort: int | None) -> PriorityScore:
    """Combine the parts; every part says in words where its points come from."""
    support_v = support / max_support if max_support else 0.0
    breadth_v = voters / max_voters if max_voters else 0.0
    momentum_v = recent_ideas / ideas if ideas else 0.0
    # A third of ideas mentioning harm counts as fully severe: such themes need a look whatever their size.
    severity_v = min(1.0, 3.0 * severe_ideas / ideas) if ideas else 0.0
    if impact is None or effort is None:
        rating_v, rating_text = 0.5, "Not rated yet, so counted as the middle value"
    else:
        rating_v = (impact - 1 + 5 - effort) / 8.0
        rating_text = f"Your rating: impact {impact} of 5, effort {effort} of 5 (high impact and low effort score most)"
    terms = ", ".join(sorted(severe_terms)[:5])
    parts = (
        ScorePart("support", "Support", support_v, WEIGHTS["support"],
                  f"{support} {'vote' if support == 1 else 'votes'} of support, against {max_support} for the most supported theme"),
        ScorePart("breadth", "Breadth", breadth_v, WEIGHTS["breadth"],
                  f"{voters} different {'person' if voters == 1 else 'people'} supported its ideas, against {max_voters} for the broadest theme"),
        ScorePart("momentum", "Momentum", momentum_v, WEIGHTS["momentum"],
                  f"{recent_ideas} of its {ideas} {'idea was' if ideas == 1 else 'ideas were'} posted in the last 7 days"),
        ScorePart("severity", "Severity", severity_v, WEIGHTS["severity"],
                  f"{severe_ideas} of its ideas mention {terms}" if severe_ideas else "No ideas mention safety, bullying or similar harms"),
        ScorePart("impact_effort", "Impact and effort", rating_v, WEIGHTS["impact_effort"], rating_text),
    )
    return PriorityScore(parts)
