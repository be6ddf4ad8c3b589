"""Spot posts that read like a safety, bullying, harassment or discrimination disclosure, to suggest the
Freedom to Speak Up route to their author.

A shipped lexicon of cues with weights, matched on word boundaries after light normalisation. A cue is ignored when
a negation stands just before it ("no bullying", "never been harassed"), and a topic word is ignored when it names a
policy, training or campaign rather than an experience ("anti-bullying training", "patient safety week"). A text is
suggested the route when its cues weigh at least THRESHOLD. Nothing is stored and nothing is blocked: the result only
adds a suggestion the author may ignore. Measured on bench/data/disclosure/ (bench/disclosure.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["CATEGORIES", "Cue", "Disclosure", "THRESHOLD", "find_disclosure"]

THRESHOLD = 2
CATEGORIES = {
    "bullying": "bullying or being treated badly by colleagues",
    "harassment": "harassment, including sexual harassment",
    "discrimination": "discrimination or racism",
    "safety": "patient or staff safety",
    "wrongdoing": "fraud or covering things up",
}

# (category, weight, pattern). Patterns are regular expressions over lower-case text with straight quotes;
# word boundaries are added around each. Weight 2 cues suggest the route alone; weight 1 cues need company.
_CUES: tuple[tuple[str, int, str], ...] = (
    ("bullying", 2, r"bull(?:y|ied|ies|ying)"),
    ("bullying", 2, r"(?:shout(?:s|ed|ing)?|scream(?:s|ed|ing)?|swear(?:s|ing)?|swore|yell(?:s|ed|ing)?) at (?:me|us|a|an|the|staff|students?|nurses?|him|her|them|juniors?|the \w+)"),
    ("bullying", 2, r"(?:belittl|humiliat|victimi[sz]|intimidat)\w*"),
    ("bullying", 2, r"pick(?:s|ed|ing)? on"),
    ("bullying", 2, r"singled out|frozen out|pushed out|torn apart"),
    ("bullying", 2, r"undermin(?:es|ed|ing) me"),
    ("bullying", 2, r"(?:shouted|sworn|screamed|yelled) at by|been (?:shouted|sworn|screamed|yelled) at"),
    ("bullying", 2, r"threatens? to (?:report|sack|discipline|sue|move) (?:me|us)"),
    ("bullying", 2, r"(?:threatened|assaulted|abused|attacked|punched|spat at) by"),
    ("bullying", 2, r"(?:keep|shut) (?:my|your|our) mouths? shut"),
    ("bullying", 2, r"(?:punish|threaten)(?:ed|ing|s)? (?:with|me|us|if)"),
    ("bullying", 2, r"(?:scared|afraid|frightened|fear) (?:to|of) (?:speak|raise|report|complain)\w*"),
    ("bullying", 2, r"(?:not|don't|do not) feel safe (?:raising|to raise|speaking|reporting)"),
    ("bullying", 1, r"(?:scared|afraid|frightened|dread)\w*"),
    ("bullying", 1, r"nasty|names|cried|crying|in tears"),
    ("bullying", 1, r"grievance|disciplinary|raised (?:a )?concerns?|raise concerns|reporting an incident"),
    ("bullying", 1, r"excluded|threaten\w*"),
    ("harassment", 2, r"(?:sexual(?:ly)?|racial(?:ly)?) (?:harass\w*|comments?|abus\w*|assault\w*)"),
    ("harassment", 2, r"harass(?:ed|es|ment)"),
    ("harassment", 1, r"harassing"),
    ("harassment", 2, r"comments about (?:\w+\W+){0,4}(?:bodies|body|appearance|looks|weight|breasts)"),
    ("harassment", 2, r"grop\w+|stalk(?:ed|ing)|unwanted (?:messages|touching|advances|attention)"),
    ("harassment", 2, r"touching me|followed (?:me )?home|will not leave me alone|won't leave me alone"),
    ("harassment", 1, r"comments about (?:the )?(?:female|male|my|our|her|his)"),
    ("discrimination", 2, r"racis[tm]|racial(?:ly)? abus\w*|homophobic|transphobic|sexist|misogyn\w*"),
    ("discrimination", 2, r"discriminat(?:ed|ion|ing)"),
    ("discrimination", 2, r"because i (?:am|was) (?:pregnant|black|disabled|gay|muslim|a woman|older)"),
    ("discrimination", 2, r"(?:adjustments|treated differently)\b.{0,40}\b(?:ignored|refused|disciplined)"),
    ("discrimination", 1, r"treated differently|passed over|overseas nurses|pushed out|never put forward"),
    ("safety", 2, r"unsafe (?:staffing|levels|practice)|not safe|dangerously|put at risk|at risk of harm"),
    ("safety", 2, r"(?:is|was|are|were|it's|feels?) (?:\w+ )?dangerous"),
    ("safety", 1, r"dangerous"),
    ("safety", 2, r"cut(?:ting)? corners|corners are (?:being )?cut"),
    ("safety", 2, r"no (?:trained|qualified|registered) (?:midwi\w+|nurses?|doctors?|staff)"),
    ("safety", 2, r"(?:medication|drug|dosing|prescribing) errors?|mistakes with (?:doses|drugs|medication)"),
    ("safety", 2, r"falsif\w+|fiddl\w+|covered up|covering up|cover(?:ing)?[- ]ups?"),
    ("safety", 2, r"(?:told|asked|pressured) (?:us |me )?(?:not|to stop) (?:to )?(?:report|complete|datix|raise)\w*"),
    ("safety", 2, r"(?:stop|not) reporting (?:near misses|incidents)"),
    ("safety", 2, r"safeguarding concerns? (?:i|we) raised|safeguarding concerns? (?:was|were|is|are) ignored"),
    ("safety", 2, r"(?:patients?|people) (?:will|could|might) die|missed diagnosis|diagnosis was missed"),
    ("safety", 2, r"one (?:nurse|midwife|doctor|hca) (?:for|to) \d+"),
    ("safety", 2, r"(?:cannot|can't|can not) keep (?:patients|people|staff) safe"),
    ("safety", 2, r"smelling of alcohol|drunk at work|stealing|gone missing|assaulted|rough with"),
    ("safety", 2, r"(?:left|run) (?:in charge|bays|the ward|alone)\b.{0,40}\b(?:without|on their own|own)"),
    ("safety", 2, r"without (?:any )?(?:induction|training|observations|supervision)|not been trained"),
    ("safety", 2, r"sedated|restrained|isolated|pressure sores|fell twice|fire alarm has been disabled"),
    ("safety", 1, r"unsafe|risk|worried|missing|broken|ignored|nobody (?:acts|does anything|listens)|no one checked"),
    ("safety", 1, r"not (?:being )?(?:checked|signed|followed up|reviewed)|keeps? failing|call(?:ing)? for help"),
    ("safety", 1, r"without (?:anyone )?reviewing|sleeping on (?:night )?shifts?|no trained|so thin"),
    ("wrongdoing", 2, r"fraud\w*|claiming for shifts|given to a manager's relative|contracts? given to"),
    ("wrongdoing", 2, r"changed the incident report|altered (?:the )?records?"),
    ("wrongdoing", 1, r"unpaid overtime|work while injured|before the inspection"),
)

# A negation this close before a cue cancels it: "no bullying", "never been harassed", "not once has ... shouted at".
_NEGATIONS = r"(?:no|not|never|nobody|none|without|zero|free of|hasn't|haven't|isn't|wasn't|don't|didn't|not once)"
_NEGATION = re.compile(rf"\b{_NEGATIONS}\b(?:\W+\w+){{0,3}}\W*$"
                       r"|\b(?:nobody|no one|never)\b(?:\W+\w+){0,5}\W+ever\W+(?:been\W+)?$")
# Topic words that name a policy, training or campaign rather than something that happened.
_TOPIC_AFTER = re.compile(r"^[\s-]*(?:and \w+ )?(?:policy|policies|training|week|month|charter|network|tool|"
                          r"refresher|session|guardian|awareness|campaign|champions?|prevention)\b")
_TOPIC_BEFORE = re.compile(r"\b(?:anti|prevent(?:ing)?|tackling|about)[\s-]*$")


@dataclass(frozen=True)
class Cue:
    """One cue found: character offsets [start, end), the text, its category and weight."""

    start: int
    end: int
    text: str
    category: str
    weight: int


@dataclass(frozen=True)
class Disclosure:
    """What the detector found: the cues that counted, and whether to suggest the Speak Up route."""

    cues: tuple[Cue, ...]

    @property
    def score(self) -> int:
        return sum(c.weight for c in self.cues)

    @property
    def suggest(self) -> bool:
        return self.score >= THRESHOLD

    @property
    def categories(self) -> tuple[str, ...]:
        """Categories of the cues found, heaviest first, each once."""
        ranked = sorted(self.cues, key=lambda c: -c.weight)
        return tuple(dict.fromkeys(c.category for c in ranked))


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[str, int, re.Pattern[str]], ...]:
    return tuple((category, weight, re.compile(rf"\b(?:{pattern})\b")) for category, weight, pattern in _CUES)


def _normalise(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


def _cancelled(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 60):start]
    # A negation in the same clause only: stop at the last sentence or clause break before the cue.
    clause = re.split(r"[.;:!?,]|\bbut\b|\band\b", before)[-1]
    return bool(_NEGATION.search(clause) or _TOPIC_BEFORE.search(before) or _TOPIC_AFTER.match(text[end:end + 30]))


def find_disclosure(text: str) -> Disclosure:
    """The cues in `text` that count (negated and policy mentions left out), overlapping matches counted once."""
    if not text:
        return Disclosure(())
    lower = _normalise(text)
    found: list[Cue] = []
    taken: list[tuple[int, int]] = []
    for category, weight, pattern in sorted(_compiled(), key=lambda c: -c[1]):
        for match in pattern.finditer(lower):
            start, end = match.span()
            if any(start < b and a < end for a, b in taken) or _cancelled(lower, start, end):
                continue
            taken.append((start, end))
            found.append(Cue(start, end, text[start:end], category, weight))
    return Disclosure(tuple(sorted(found, key=lambda c: c.start)))
