"""The outreach monitor: participation as a share of the workforce baseline, from the last scheduled batch only.

It reads the participation snapshot (app/services/conversations/participation_batch.py), which already holds
rounded counts with every group below k folded into "Other", and divides by the baseline headcounts. k applies
to the baseline too: a group whose headcount is below k is never named or given a share, and "Other"'s headcount
is shown only when it reaches k. "Least heard" lists only groups at or above k on both counts; groups that sit
inside "Other" are listed by name only when their headcount reaches k, without any figure, which says no more
than the participation page already does (they are not among its named groups). Nothing is counted live.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from app.models import Conversation, ConversationStatus
from app.services.conversations.participation import NOT_RECORDED, OTHER, Cell, participation_figures
from app.services.outreach.baseline import headcounts
from app.services.triage.exports import neutralise

LEAST_HEARD = 3

# Ways to reach a staff group that online posting misses, by the kind of work the group's name suggests.
METHODS = {
    "paper": "Take paper sticky notes and a box to their rest areas and team bases, then type them up under "
             "“Import paper notes”.",
    "huddle": "Ask a few minutes at their safety huddles or shift handovers to take ideas aloud or on paper.",
    "teams": "Post the conversation's link, with a sentence on why their view matters, in their Teams channel "
             "or team brief.",
}
_HINTS = (
    (("estates", "facilit", "ancillary", "support", "porter", "domestic", "catering", "housekeep"), ("paper", "huddle")),
    (("nurs", "midwi", "healthcare", "medical", "dental", "allied", "ambulance", "paramedic", "therap"), ("huddle", "paper")),
    (("admin", "clerical", "scientific", "technical", "professional", "manage"), ("teams", "huddle")),
)


def methods_for(label: str) -> tuple[str, ...]:
    """Suggested ways to reach a group, best first (all three when its name gives no hint)."""
    lower = label.lower()
    for words, methods in _HINTS:
        if any(word in lower for word in words):
            return methods
    return ("huddle", "paper", "teams")


@dataclass
class Reach:
    """One row of the monitor: people who took part (rounded), the headcount, and the share in whole percent."""

    label: str
    participants: int | None  # None: fewer than k (only "Other" is ever hidden)
    headcount: int | None  # None: no baseline, or fewer than k
    share: int | None  # None unless both figures are shown

    @property
    def methods(self) -> tuple[str, ...]:
        return methods_for(self.label)


@dataclass
class Dimension:
    """Rows for organisations or staff groups, with what the monitor can say about groups it cannot show."""

    rows: list[Reach] = field(default_factory=list)
    in_other: list[str] = field(default_factory=list)  # headcount at least k, not named in the batch
    complete: bool = True  # every audience organisation has a baseline


@dataclass
class OutreachFigures:
    conversation: Conversation
    k: int
    updated_at: datetime | None
    participants: int | None
    by_organisation: Dimension
    by_staff_group: Dimension
    without_baseline: list[str]  # audience organisations with no baseline yet
    least_heard: list[Reach] = field(default_factory=list)

    @property
    def available(self) -> bool:
        """The monitor is for a conversation while it is open and once a batch has run."""
        return self.conversation.status == ConversationStatus.OPEN and self.updated_at is not None


def _share(participants: int | None, headcount: int | None) -> int | None:
    if participants is None or not headcount:
        return None
    return round(100 * participants / headcount)


def _shown_headcounts(named: set[str], baseline: dict[str, int], k: int) -> tuple[dict[str, int], int]:
    """Headcounts that may be shown for named groups, and the pool of every other headcount.

    A headcount below k is hidden, and so is "Other"'s when below k. Because the other breakdown's total (or the
    organisations' total) would give a hidden headcount away as a difference, the pool of hidden headcounts is made
    to reach k by hiding the smallest shown ones too (complementary suppression, as for people).
    """
    shown = {label: n for label, n in baseline.items() if label in named and n >= k}
    pool = sum(baseline.values()) - sum(shown.values())
    for label, n in sorted(shown.items(), key=lambda item: (item[1], item[0])):
        if not 0 < pool < k:
            break
        del shown[label]
        pool += n
    return shown, pool


def _dimension(cells: list[Cell], baseline: dict[str, int], k: int, complete: bool,
               expected: set[str] | None = None) -> Dimension:
    """Rows for one breakdown; `expected` names every group that should have a headcount (for "Other")."""
    if not complete:
        return Dimension([Reach(c.label, c.value, None, None) for c in cells], [], False)
    named = {c.label for c in cells if c.label not in (OTHER, NOT_RECORDED)}
    other_known = not ((expected or set()) - named - set(baseline))
    shown, pool = _shown_headcounts(named, baseline, k)
    # "Other"'s headcount only when it is the staff of exactly the groups in "Other" (no named group hidden in it).
    pure = pool == sum(n for label, n in baseline.items() if label not in named)
    rows: list[Reach] = []
    for cell in cells:
        if cell.label == OTHER:
            headcount = pool if other_known and pure and pool >= k else None
        else:
            headcount = shown.get(cell.label)
        rows.append(Reach(cell.label, cell.value, headcount, _share(cell.value, headcount)))
    in_other = sorted(label for label, n in baseline.items() if n >= k and label not in named)
    return Dimension(rows, in_other, True)


def outreach_figures(conversation: Conversation) -> OutreachFigures:
    """The monitor for one conversation, from the last participation batch and the current baseline."""
    figures = participation_figures(conversation)
    audience = list(conversation.audience) or [conversation.organisation]
    by_org, by_group = headcounts([o.id for o in audience])
    without = sorted(o.name for o in audience if o.name not in by_org)
    k = figures.k
    organisations = _dimension(figures.by_organisation, by_org, k, complete=True, expected={o.name for o in audience})
    staff_groups = _dimension(figures.by_staff_group, by_group, k, complete=not without)
    # Named groups only: the batch names a group only when at least k of its people took part.
    candidates = [r for r in organisations.rows + staff_groups.rows
                  if r.label not in (OTHER, NOT_RECORDED) and r.share is not None]
    least = sorted(candidates, key=lambda r: (r.share or 0, r.label))[:LEAST_HEARD]
    return OutreachFigures(conversation, k, figures.updated_at, figures.participants, organisations, staff_groups,
                           without, least)


def outreach_csv(figures: OutreachFigures) -> str:
    """The monitor as CSV: one row per group shown, hidden figures left empty; text that could be a formula is neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Breakdown", "Group", "People who took part (rounded to 5)", "Headcount", "Share (%)",
                     "Figures from the batch of (UTC)", "Minimum group size"])
    hour = figures.updated_at.strftime("%Y-%m-%d %H:00") if figures.updated_at else ""
    for name, dimension in (("Organisation", figures.by_organisation), ("Staff group", figures.by_staff_group)):
        for row in dimension.rows:
            writer.writerow([name, neutralise(row.label), "" if row.participants is None else row.participants,
                             "" if row.headcount is None else row.headcount, "" if row.share is None else row.share,
                             hour, figures.k])
    return out.getvalue()
