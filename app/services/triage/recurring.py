"""Themes that recur across Change Hub sessions: the same theme keeps one identity from session to session.

After each theme run of a session that follows another (Conversation.previous_conversation_id), every theme
not yet linked is matched to a theme of the previous session's current run by what their ideas say
(nlp.matching.match_sessions, one-to-one, TF-IDF centroids) and the link is stored in Theme.previous_theme_id.
A lead's name for a theme (label locked) carries over with the link.

Trends across sessions: "new" (no earlier match), "rising" (matched, and its share of the session's ideas grew
beyond chance: a two-proportion z-test at 1.96), else "recurring". Earlier themes marked done and not raised
again are "resolved since last session". Ideas' texts are read in memory only; links join themes, never people.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentStatus, Conversation, Idea, Theme, ThemeAssignment, ThemePlan, ThemeRun, ThemeSnapshot, ThemeStatus

__all__ = ["RISING_Z", "ResolvedTheme", "SessionTrends", "link_to_previous_session", "session_trends", "share_trend"]

RISING_Z = 1.96  # a share grew "clearly" when the rise is beyond chance at the 5% level


@dataclass(frozen=True)
class ResolvedTheme:
    """An earlier session's theme marked done that nobody raised again this session."""

    theme: Theme
    label: str
    size: int


@dataclass
class SessionTrends:
    """Across-session trend per theme id of the current run, the earlier theme each matches, and resolved ones."""

    previous: Conversation
    trends: dict[int, str] = field(default_factory=dict)
    earlier: dict[int, ThemeSnapshot] = field(default_factory=dict)
    resolved: list[ResolvedTheme] = field(default_factory=list)


def _previous_session(conversation: Conversation) -> tuple[Conversation, ThemeRun] | None:
    if not conversation.previous_conversation_id:
        return None
    previous = db.session.get(Conversation, conversation.previous_conversation_id)
    if previous is None or previous.current_theme_run_id is None:
        return None
    run = db.session.get(ThemeRun, previous.current_theme_run_id)
    return (previous, run) if run is not None else None


def _texts_by_theme(run_id: int, theme_ids: list[int]) -> dict[int, list[str]]:
    """Published ideas' texts of each theme in a run, in memory only."""
    out: dict[int, list[str]] = defaultdict(list)
    if not theme_ids:
        return out
    rows = db.session.execute(
        sa.select(ThemeAssignment.theme_id, Idea.body).join(Idea, Idea.id == ThemeAssignment.idea_id).where(
            ThemeAssignment.run_id == run_id, ThemeAssignment.theme_id.in_(theme_ids),
            Idea.status == ContentStatus.PUBLISHED))
    for theme_id, body in rows:
        if theme_id is not None:
            out[theme_id].append(body)
    return out


def link_to_previous_session(conversation: Conversation, run: ThemeRun) -> int:
    """Link this run's unlinked themes to the previous session's matching themes (flushes); returns links made."""
    from nlp.matching import match_sessions

    found = _previous_session(conversation)
    if found is None:
        return 0
    _, old_run = found
    themes = list(db.session.scalars(sa.select(Theme).join(ThemeSnapshot, ThemeSnapshot.theme_id == Theme.id).where(
        ThemeSnapshot.run_id == run.id).order_by(Theme.id)))
    claimed = set(db.session.scalars(sa.select(Theme.previous_theme_id).where(
        Theme.conversation_id == conversation.id, Theme.previous_theme_id.is_not(None))))
    unlinked = [t for t in themes if t.previous_theme_id is None]
    old = [s for s in db.session.scalars(sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == old_run.id).order_by(
        ThemeSnapshot.theme_id)) if s.theme_id not in claimed]
    if not unlinked or not old:
        return 0
    new_texts = _texts_by_theme(run.id, [t.id for t in unlinked])
    old_texts = _texts_by_theme(old_run.id, [s.theme_id for s in old])
    matched = match_sessions([new_texts[t.id] for t in unlinked], [old_texts[s.theme_id] for s in old])
    for i, j in matched.items():
        theme, earlier = unlinked[i], old[j].theme
        theme.previous_theme_id = earlier.id
        if earlier.label_locked and not theme.label_locked:  # the name a lead gave stays with the theme
            theme.label, theme.label_locked = earlier.label, True
            db.session.execute(sa.update(ThemeSnapshot).where(
                ThemeSnapshot.run_id == run.id, ThemeSnapshot.theme_id == theme.id).values(label=earlier.label))
    db.session.flush()
    return len(matched)


def share_trend(size: int, total: int, before: int, before_total: int) -> str:
    """'rising' when a theme's share of ideas grew beyond chance (two-proportion z-test), else 'recurring'."""
    if total <= 0 or before_total <= 0:
        return "recurring"
    now, then = size / total, before / before_total
    pooled = (size + before) / (total + before_total)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total + 1 / before_total))
    return "rising" if spread > 0 and (now - then) / spread >= RISING_Z else "recurring"


def session_trends(conversation: Conversation, run: ThemeRun, snapshots: list[ThemeSnapshot]) -> SessionTrends | None:
    """Trends against the previous session, or None when this conversation does not follow one."""
    found = _previous_session(conversation)
    if found is None:
        return None
    previous, old_run = found
    old = {s.theme_id: s for s in db.session.scalars(sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == old_run.id))}
    result = SessionTrends(previous)
    for snap in snapshots:
        earlier = old.get(snap.theme.previous_theme_id) if snap.theme.previous_theme_id else None
        if earlier is None:
            result.trends[snap.theme_id] = "new"
            continue
        result.earlier[snap.theme_id] = earlier
        result.trends[snap.theme_id] = share_trend(snap.size, run.idea_count, earlier.size, old_run.idea_count)
    raised = {s.theme.previous_theme_id for s in snapshots if s.theme.previous_theme_id}
    done = set(db.session.scalars(sa.select(ThemePlan.theme_id).where(
        ThemePlan.theme_id.in_(list(old)), ThemePlan.status == ThemeStatus.DONE.value)))
    result.resolved = [ResolvedTheme(s.theme, s.label, s.size) for theme_id, s in sorted(old.items())
                       if theme_id in done and theme_id not in raised]
    return result
