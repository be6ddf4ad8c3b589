"""The triage board: each current theme with its size, support, breadth, sentiment, trend, quotes and score.

Breadth across organisations and staff groups is computed at the moment of reading: the roster's voter
pseudonyms are recomputed in memory and matched against the theme's votes, and only counts of groups
with at least k distinct supporters leave this module. Nothing that links a person to a theme is stored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.services.common.text import sentiment_label
from app.crypto import voter_pseudonym
from app.extensions import db
from app.models import (
    ContentStatus,
    Conversation,
    Idea,
    Membership,
    Outcome,
    RunStatus,
    StaffGroup,
    Theme,
    ThemeAction,
    ThemeAssignment,
    ThemePlan,
    ThemeRun,
    ThemeSnapshot,
    ThemeStatus,
    User,
    Vote,
)
from app.models.base import utcnow
from app.services.common.errors import NotAllowedNow
from app.services.common.keys import conversation_key
from app.services.triage.recurring import ResolvedTheme, SessionTrends, session_trends
from app.services.triage.score import PriorityScore, priority_score, severity_terms_in
from app.services.themes.quotes import quotable
from app.services.access import get_led_conversation

ORDERS = {"score": "Priority score", "rank": "Your order", "size": "Number of ideas"}
MAX_MONTHS = 12


@dataclass
class Breadth:
    voters: int
    ideas: int
    k: int
    organisations: int | None = None  # groups with at least k supporters; None when it cannot be computed
    staff_groups: int | None = None

    @property
    def shown(self) -> bool:
        return self.voters >= self.k


@dataclass
class BoardCard:
    theme: Theme
    snapshot: ThemeSnapshot
    plan: ThemePlan
    quotes: list[Idea]
    support: int
    breadth: Breadth
    trend: str
    score: PriorityScore
    severe_ideas: int
    outcome: Outcome | None = None
    actions: list[ThemeAction] = field(default_factory=list)
    earlier: ThemeSnapshot | None = None  # the same theme in the session before, when it recurs

    @property
    def summary(self) -> str:
        """The lead's summary, or a sentence from the most central quote."""
        from app.services.themes.quotes import theme_summary

        return theme_summary(self.theme.summary, self.quotes)

    @property
    def sentiment_label(self) -> str:
        return sentiment_label(self.snapshot.sentiment)


@dataclass
class MonthSummary:
    conversation: Conversation
    cards: list[tuple[str, int, str]]  # label, size, status label


@dataclass
class Board:
    conversation: Conversation
    run: ThemeRun | None
    cards: list[BoardCard]
    unthemed: int = 0
    set_aside: list[Theme] = field(default_factory=list)
    order: str = "score"
    months: list[MonthSummary] = field(default_factory=list)
    previous_session: Conversation | None = None
    resolved: list[ResolvedTheme] = field(default_factory=list)  # done last session and not raised again


def _roster(conversation: Conversation) -> dict[str, tuple[int, str]] | None:
    """voter pseudonym -> (organisation id, staff group name) for everyone in the audience, in memory only."""
    try:
        key = conversation_key(conversation)
    except NotAllowedNow:
        return None
    org_ids = [org.id for org in conversation.audience]
    rows = db.session.execute(
        sa.select(User.user_key, Membership.organisation_id, StaffGroup.name)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(StaffGroup, StaffGroup.id == Membership.staff_group_id)
        .where(Membership.organisation_id.in_(org_ids))
    ).all()
    return {voter_pseudonym(key, user_key): (org_id, group or "Other") for user_key, org_id, group in rows}


def _groups_at_k(voters: set[str], roster: dict[str, tuple[int, str]] | None, k: int) -> tuple[int | None, int | None]:
    if roster is None:
        return None, None
    orgs: dict[int, int] = defaultdict(int)
    groups: dict[str, int] = defaultdict(int)
    for voter in voters:
        found = roster.get(voter)
        if found is not None:
            orgs[found[0]] += 1
            groups[found[1]] += 1
    return sum(1 for n in orgs.values() if n >= k), sum(1 for n in groups.values() if n >= k)


def _previous_sizes(conversation: Conversation, run: ThemeRun) -> dict[int, int] | None:
    """Sizes by theme in the run before this one in the same conversation (None for its first run)."""
    earlier = db.session.scalar(
        sa.select(ThemeRun).where(ThemeRun.conversation_id == conversation.id, ThemeRun.id < run.id,
                                  ThemeRun.status == RunStatus.SUCCEEDED).order_by(ThemeRun.id.desc()).limit(1))
    if earlier is None:
        return None
    return dict(db.session.execute(
        sa.select(ThemeSnapshot.theme_id, ThemeSnapshot.size).where(ThemeSnapshot.run_id == earlier.id)).all())


def _trend(snapshot: ThemeSnapshot, sizes: dict[int, int] | None, across: SessionTrends | None) -> str:
    """Across sessions when this one follows another (app/services/triage/recurring.py), else run to run."""
    if across is not None:
        return across.trends.get(snapshot.theme_id, "new")
    before = sizes.get(snapshot.theme_id) if sizes is not None else None
    if before is None:
        return "new"
    if snapshot.size >= before * 1.1 and snapshot.size > before:
        return "rising"
    if snapshot.size <= before * 0.9 and snapshot.size < before:
        return "falling"
    return "steady"


def _months(conversation: Conversation) -> list[MonthSummary]:
    months: list[MonthSummary] = []
    seen = {conversation.id}
    current: Conversation | None = conversation
    while current is not None and current.previous_conversation_id and len(months) < MAX_MONTHS:
        current = db.session.get(Conversation, current.previous_conversation_id)
        if current is None or current.id in seen:
            break
        seen.add(current.id)
        rows = []
        if current.current_theme_run_id:
            for snap in db.session.scalars(sa.select(ThemeSnapshot).where(
                    ThemeSnapshot.run_id == current.current_theme_run_id).order_by(ThemeSnapshot.size.desc()).limit(5)):
                plan = db.session.get(ThemePlan, snap.theme_id)
                rows.append((snap.label, snap.size, ThemeStatus(plan.status if plan else "new").label))
        months.append(MonthSummary(current, rows))
    return months


def board(lead_orgs: frozenset[int], conversation_id: int, order: str = "score") -> Board:
    """The triage board of a conversation the person leads, in the chosen order."""
    conversation = get_led_conversation(lead_orgs, conversation_id)
    order = order if order in ORDERS else "score"
    result = Board(conversation, None, [], order=order, months=_months(conversation))
    result.set_aside = list(db.session.scalars(
        sa.select(Theme).where(Theme.conversation_id == conversation.id, Theme.not_a_theme.is_(True)).order_by(Theme.label)))
    run = db.session.get(ThemeRun, conversation.current_theme_run_id) if conversation.current_theme_run_id else None
    if run is None:
        return result
    result.run, result.unthemed = run, run.unthemed_count
    result.cards = build_cards(conversation, run)
    across = session_trends(conversation, run, [c.snapshot for c in result.cards])
    if across is not None:
        result.previous_session, result.resolved = across.previous, across.resolved
    _sort(result.cards, order)
    return result


def build_cards(conversation: Conversation, run: ThemeRun) -> list[BoardCard]:
    """Cards for every theme in a run, with all measures and the score."""
    snapshots = list(db.session.scalars(sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == run.id)))
    membership = {idea_id: theme_id for idea_id, theme_id in db.session.execute(
        sa.select(ThemeAssignment.idea_id, ThemeAssignment.theme_id).where(
            ThemeAssignment.run_id == run.id, ThemeAssignment.theme_id.is_not(None)))
        if theme_id is not None}  # always, by the query; the column itself is nullable
    ideas = {i.id: i for i in db.session.scalars(sa.select(Idea).where(Idea.id.in_(list(membership))))}
    support: dict[int, int] = defaultdict(int)
    voters: dict[int, set[str]] = defaultdict(set)
    for idea_id, voter in db.session.execute(
            sa.select(Vote.idea_id, Vote.voter).where(Vote.conversation_id == conversation.id, Vote.value == 1)):
        theme_id = membership.get(idea_id)
        if theme_id is not None:
            support[theme_id] += 1
            voters[theme_id].add(voter)
    recent_since = utcnow() - timedelta(days=7)
    recent: dict[int, int] = defaultdict(int)
    severe: dict[int, int] = defaultdict(int)
    severe_terms: dict[int, set[str]] = defaultdict(set)
    for idea_id, theme_id in membership.items():
        idea = ideas.get(idea_id)
        if idea is None:
            continue
        if idea.created_hour >= recent_since:
            recent[theme_id] += 1
        terms = severity_terms_in(idea.body)
        if terms:
            severe[theme_id] += 1
            severe_terms[theme_id] |= terms
    k = current_app.config.get("CHORUS_MIN_GROUP_SIZE", 11)
    roster = _roster(conversation) if any(len(v) >= k for v in voters.values()) else None
    plans = {p.theme_id: p for p in db.session.scalars(sa.select(ThemePlan).where(ThemePlan.theme_id.in_([s.theme_id for s in snapshots])))}
    outcomes = {o.theme_id: o for o in db.session.scalars(sa.select(Outcome).where(Outcome.conversation_id == conversation.id))}
    actions: dict[int, list[ThemeAction]] = defaultdict(list)
    for action in db.session.scalars(sa.select(ThemeAction).where(ThemeAction.theme_id.in_([s.theme_id for s in snapshots])).order_by(ThemeAction.id)):
        actions[action.theme_id].append(action)
    sizes = _previous_sizes(conversation, run)
    across = session_trends(conversation, run, snapshots)
    max_support = max(support.values(), default=0)
    max_voters = max((len(v) for v in voters.values()), default=0)
    quote_ids = {q for s in snapshots for q in s.quote_ids}
    # A withdrawn idea is no quote: its text is gone, and an empty card would point at the author's choice.
    quotes = {i.id: i for i in db.session.scalars(
        sa.select(Idea).where(Idea.id.in_(quote_ids), Idea.status != ContentStatus.WITHDRAWN))}
    cards = []
    for snap in snapshots:
        plan = plans.get(snap.theme_id) or ThemePlan(theme_id=snap.theme_id, status="new", owner="", public_reason="")
        theme_voters = voters.get(snap.theme_id, set())
        orgs, groups = _groups_at_k(theme_voters, roster, k) if len(theme_voters) >= k else (None, None)
        score = priority_score(
            support=support[snap.theme_id], max_support=max_support, voters=len(theme_voters), max_voters=max_voters,
            recent_ideas=recent[snap.theme_id], ideas=snap.size, severe_ideas=severe[snap.theme_id],
            severe_terms=sorted(severe_terms[snap.theme_id]), impact=plan.impact, effort=plan.effort)
        cards.append(BoardCard(
            theme=snap.theme, snapshot=snap, plan=plan, quotes=quotable(quotes[q] for q in snap.quote_ids if q in quotes),
            support=support[snap.theme_id], breadth=Breadth(len(theme_voters), snap.size, k, orgs, groups),
            trend=_trend(snap, sizes, across), score=score, severe_ideas=severe[snap.theme_id],
            outcome=outcomes.get(snap.theme_id), actions=actions.get(snap.theme_id, []),
            earlier=across.earlier.get(snap.theme_id) if across is not None else None))
    return cards


def _sort(cards: list[BoardCard], order: str) -> None:
    if order == "size":
        cards.sort(key=lambda c: (-c.snapshot.size, -c.score.total, c.theme.id))
    elif order == "rank":
        cards.sort(key=lambda c: (c.plan.manual_rank is None, c.plan.manual_rank or 0, -c.score.total, c.theme.id))
    else:
        cards.sort(key=lambda c: (-c.score.total, -c.snapshot.size, c.theme.id))


def led_conversations(lead_orgs: frozenset[int]) -> list[Conversation]:
    """Conversations run by organisations the person leads, newest first (drafts left out)."""
    if not lead_orgs:
        return []
    return list(db.session.scalars(
        sa.select(Conversation).where(Conversation.organisation_id.in_(lead_orgs), Conversation.status != "draft")
        .order_by(Conversation.created_at.desc())))


def theme_card(lead_orgs: frozenset[int], theme_id: int) -> tuple[Board, BoardCard | None, Theme]:
    """The board of the theme's conversation and this theme's card (None when not in the current run)."""
    from app.services.access import get_led_theme

    theme = get_led_theme(lead_orgs, theme_id)
    result = board(lead_orgs, theme.conversation_id)
    card = next((c for c in result.cards if c.theme.id == theme.id), None)
    return result, card, theme


__all__ = ["ORDERS", "Board", "BoardCard", "Breadth", "board", "build_cards", "led_conversations", "theme_card", "theme_ideas"]


def theme_ideas(theme: Theme) -> list[Idea]:
    """The theme's ideas in the current run, in a stable order for choosing which to move."""
    from app.services.themes.edits import current_members

    ids = current_members(theme)
    return list(db.session.scalars(sa.select(Idea).where(Idea.id.in_(ids)).order_by(Idea.body))) if ids else []
