"""Lead edits to themes (rename, summary, merge, split, move, pin, not a theme) that every later run keeps.

Edits are recorded where a run can respect them—Theme flags, ThemePlan.merged_into_id and IdeaPlacement
rows—and `apply_lead_edits` is the hook execute_theme_run calls after writing a run (and each edit calls
on the current run), so the board and every future run agree with what the lead decided.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    ContentStatus,
    Conversation,
    Idea,
    IdeaPlacement,
    Theme,
    ThemeAction,
    ThemeAssignment,
    ThemePlan,
    ThemeRun,
    ThemeSnapshot,
)
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound
from app.services.themes.quotes import first_quotable

LABEL_MAX = 120
SUMMARY_MAX = 4000


def plan_for(theme: Theme) -> ThemePlan:
    """The theme's plan row, created on first use."""
    plan = db.session.get(ThemePlan, theme.id)
    if plan is None:
        plan = ThemePlan(theme_id=theme.id)
        db.session.add(plan)
        db.session.flush()
    return plan


def current_members(theme: Theme) -> list[str]:
    """Idea ids of the theme in its conversation's current run."""
    conversation = db.session.get_one(Conversation, theme.conversation_id)
    if conversation.current_theme_run_id is None:
        return []
    return list(db.session.scalars(
        sa.select(ThemeAssignment.idea_id).where(
            ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id == theme.id)
    ))


def _current_run(conversation_id: int) -> ThemeRun:
    conversation = db.session.get_one(Conversation, conversation_id)
    run = db.session.get(ThemeRun, conversation.current_theme_run_id) if conversation.current_theme_run_id else None
    if run is None:
        raise NotAllowedNow("There are no themes yet. Run the themes first.")
    return run


def _active(theme: Theme) -> Theme:
    plan = db.session.get(ThemePlan, theme.id)
    if plan is not None and plan.merged_into_id is not None:
        raise NotAllowedNow("This theme has been merged into another one.")
    return theme


# --- the hook --------------------------------------------------------------------------------------

def apply_lead_edits(run: ThemeRun) -> None:
    """Make a run respect lead edits: merged themes redirect, manual placements win, "not a theme" is unthemed.

    Rewrites the run's assignments and snapshots (size, sentiment, quotes, label) in the caller's
    transaction; flushes but does not commit.
    """
    themes = {t.id: t for t in db.session.scalars(sa.select(Theme).where(Theme.conversation_id == run.conversation_id))}
    redirects = dict(db.session.execute(
        sa.select(ThemePlan.theme_id, ThemePlan.merged_into_id).where(
            ThemePlan.theme_id.in_(themes), ThemePlan.merged_into_id.is_not(None))
    ).all()) if themes else {}

    def final(theme_id: int | None) -> int | None:
        for _ in range(50):  # merge chains are short; the bound guards against a cycle
            if theme_id is None or theme_id not in redirects:
                break
            theme_id = redirects[theme_id]
        if theme_id is None or theme_id not in themes or themes[theme_id].not_a_theme:
            return None
        return theme_id

    placements = dict(db.session.execute(
        sa.select(IdeaPlacement.idea_id, IdeaPlacement.theme_id).where(IdeaPlacement.conversation_id == run.conversation_id)
    ).all())
    members: dict[int, list[str]] = defaultdict(list)
    assignments = db.session.scalars(sa.select(ThemeAssignment).where(ThemeAssignment.run_id == run.id)).all()
    for row in assignments:
        target = final(placements.get(row.idea_id, row.theme_id))
        if target != row.theme_id:
            row.theme_id = target
        if target is not None:
            members[target].append(row.idea_id)
    snapshots = {s.theme_id: s for s in db.session.scalars(sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == run.id))}
    for theme_id, dropped in snapshots.items():
        if theme_id not in members:
            db.session.delete(dropped)
    by_id = {i.id: i for i in db.session.scalars(
        sa.select(Idea).where(Idea.id.in_([i for ids in members.values() for i in ids])))} if members else {}
    sentiment = {idea_id: idea.sentiment for idea_id, idea in by_id.items()}
    for theme_id, ids in members.items():
        snapshot = snapshots.get(theme_id)
        if snapshot is None:
            last = db.session.scalar(
                sa.select(ThemeSnapshot).where(ThemeSnapshot.theme_id == theme_id).order_by(ThemeSnapshot.id.desc()).limit(1))
            snapshot = ThemeSnapshot(run_id=run.id, theme_id=theme_id, label=themes[theme_id].label,
                                     top_terms=list(last.top_terms) if last else [], quote_ids=[],
                                     coherence=last.coherence if last else 0.0)
            db.session.add(snapshot)
        members_set = set(ids)
        quotes = [q for q in (snapshot.quote_ids or []) if q in members_set]
        # Refill with ideas that name nobody (issue #10.8); the shown list is checked again on reading.
        candidates = (by_id[i] for i in sorted(ids) if i not in quotes and i in by_id)
        quotes += [i.id for i in first_quotable(candidates, 3 - len(quotes))]
        scores = [score for i in ids if (score := sentiment.get(i)) is not None]
        snapshot.label = themes[theme_id].label
        snapshot.quote_ids = quotes[:3]
        snapshot.size = len(ids)
        snapshot.sentiment = float(np.mean(scores)) if scores else None
    run.theme_count = len(members)
    run.unthemed_count = sum(1 for row in assignments if row.theme_id is None)
    db.session.flush()
    _drop_unused_themes(run.conversation_id)


def _drop_unused_themes(conversation_id: int) -> None:
    """Themes a run created only for ideas the lead holds elsewhere: never shown, referenced by nothing."""
    unused = sa.select(Theme.id).where(
        Theme.conversation_id == conversation_id, Theme.not_a_theme.is_(False),
        ~sa.exists().where(ThemeSnapshot.theme_id == Theme.id),
        ~sa.exists().where(ThemePlan.theme_id == Theme.id),
        ~sa.exists().where(IdeaPlacement.theme_id == Theme.id),
    )
    ids = list(db.session.scalars(unused))
    if ids:
        db.session.execute(sa.delete(Theme).where(Theme.id.in_(ids)))
        db.session.flush()


def _reapply(conversation_id: int) -> None:
    apply_lead_edits(_current_run(conversation_id))
    db.session.commit()


# --- edits -------------------------------------------------------------------------------------------

def rename_theme(theme: Theme, label: str) -> Theme:
    """Give a theme a lead's name; runs keep it (label_locked)."""
    label = " ".join((label or "").split())
    if not 2 <= len(label) <= LABEL_MAX:
        raise InvalidInput(f"Enter a name of 2 to {LABEL_MAX} characters", field="label")
    _active(theme)
    theme.label, theme.label_locked = label, True
    _reapply(theme.conversation_id)
    return theme


def set_summary(theme: Theme, summary: str) -> Theme:
    """Write a lead's summary of the theme (plain text)."""
    summary = (summary or "").strip()
    if len(summary) > SUMMARY_MAX:
        raise InvalidInput(f"The summary must be {SUMMARY_MAX:,} characters or fewer", field="summary")
    theme.summary = summary
    db.session.commit()
    return theme


def set_pinned(theme: Theme, pinned: bool) -> Theme:
    """Pin a theme so re-clustering keeps its ideas together (new ideas may still join it)."""
    _active(theme)
    theme.pinned = bool(pinned)
    db.session.commit()
    return theme


def set_not_a_theme(theme: Theme, value: bool) -> Theme:
    """Mark a theme as not a real theme: its ideas become unthemed now and in every later run."""
    _active(theme)
    if value and not theme.not_a_theme:
        # Hold its ideas here, so no later run regroups them into a look-alike theme (and unmarking restores them).
        _place(theme.conversation_id, current_members(theme), theme.id)
    theme.not_a_theme = bool(value)
    _reapply(theme.conversation_id)
    return theme


def _place(conversation_id: int, idea_ids: Iterable[str], theme_id: int) -> None:
    for idea_id in idea_ids:
        existing = db.session.get(IdeaPlacement, idea_id)
        if existing is None:
            db.session.add(IdeaPlacement(idea_id=idea_id, conversation_id=conversation_id, theme_id=theme_id))
        else:
            existing.theme_id = theme_id
    db.session.flush()


def merge_themes(source: Theme, target: Theme) -> Theme:
    """Merge `source` into `target`: its ideas and actions move, and later runs redirect it there."""
    if source.id == target.id:
        raise InvalidInput("Choose a different theme to merge with", field="target_id")
    if source.conversation_id != target.conversation_id:
        raise NotFound("We could not find that theme.")
    _active(source), _active(target)
    if target.not_a_theme:
        raise InvalidInput("You cannot merge into a theme marked as not a theme", field="target_id")
    _current_run(source.conversation_id)
    # Both themes' ideas are placed: the lead has decided they belong together, whatever re-clustering finds.
    _place(source.conversation_id, current_members(source) + current_members(target), target.id)
    db.session.execute(sa.update(IdeaPlacement).where(IdeaPlacement.theme_id == source.id).values(theme_id=target.id))
    db.session.execute(sa.update(ThemeAction).where(ThemeAction.theme_id == source.id).values(theme_id=target.id))
    plan_for(source).merged_into_id = target.id
    source.pinned = False
    _reapply(source.conversation_id)
    return target


def split_theme(theme: Theme, idea_ids: list[str], label: str) -> Theme:
    """Move chosen ideas out of a theme into a new theme with the lead's name; returns the new theme."""
    _active(theme)
    label = " ".join((label or "").split())
    if not 2 <= len(label) <= LABEL_MAX:
        raise InvalidInput(f"Enter a name of 2 to {LABEL_MAX} characters for the new theme", field="label")
    members = set(current_members(theme))
    chosen = list(dict.fromkeys(idea_ids or []))
    if not chosen:
        raise InvalidInput("Choose at least one idea to move to the new theme", field="idea_ids")
    if any(i not in members for i in chosen):
        raise InvalidInput("Choose ideas from this theme only", field="idea_ids")
    if len(chosen) == len(members):
        raise InvalidInput("Leave at least one idea in this theme (or rename it instead)", field="idea_ids")
    new = Theme(conversation_id=theme.conversation_id, label=label, label_locked=True)
    db.session.add(new)
    db.session.flush()
    _place(theme.conversation_id, chosen, new.id)
    _reapply(theme.conversation_id)
    return new


def recluster_theme(theme: Theme) -> list[Theme]:
    """Cluster just this theme's ideas again; the largest part keeps the theme, the others become new themes."""
    from nlp.themes import Document, find_themes

    _active(theme)
    ids = current_members(theme)
    if len(ids) < 4:
        raise NotAllowedNow("A theme needs at least 4 ideas to be split automatically.")
    ideas = db.session.scalars(sa.select(Idea).where(Idea.id.in_(ids), Idea.status == ContentStatus.PUBLISHED)).all()
    result = find_themes([Document(id=i.id, text=i.body) for i in ideas], seed=0, backend="tfidf-lsa")
    parts = [t for t in result.themes if t.member_ids]
    if len(parts) < 2:
        raise NotAllowedNow("We could not find separate groups in this theme. Choose ideas to move out instead.")
    _place(theme.conversation_id, parts[0].member_ids, theme.id)
    _place(theme.conversation_id, result.unthemed, theme.id)
    created = []
    for part in parts[1:]:
        new = Theme(conversation_id=theme.conversation_id, label=part.label[:LABEL_MAX])
        db.session.add(new)
        db.session.flush()
        _place(theme.conversation_id, part.member_ids, new.id)
        created.append(new)
    _reapply(theme.conversation_id)
    return created


def move_idea(conversation: Conversation, idea_id: str, target: Theme) -> None:
    """Put one idea in another theme by hand; later runs keep it there."""
    if target.conversation_id != conversation.id:
        raise NotFound("We could not find that theme.")
    _active(target)
    if target.not_a_theme:
        raise InvalidInput("Choose a theme that is not marked as not a theme", field="target_id")
    run = _current_run(conversation.id)
    in_run = db.session.get(ThemeAssignment, (run.id, idea_id))
    if in_run is None:
        raise NotFound("We could not find that idea in the current themes.")
    _place(conversation.id, [idea_id], target.id)
    _reapply(conversation.id)
