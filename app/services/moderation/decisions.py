"""The moderation queue and moderators' decisions: approve, hide with a reason, or redact.

Moderators see what an item says and why it is in the queue, never who wrote it. Each decision is
logged with the moderator's user id; a decision that affects the author also leaves a notice on the
item itself, which the author finds at their next visit by recomputing their own author tags.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from app import live
from app.extensions import db
from app.models import (
    Comment,
    ContentReport,
    ContentStatus,
    Conversation,
    Idea,
    ModerationEntry,
    ModerationLogAction,
    ModerationMode,
    ReportReason,
    User,
)
from app.services.accounts import guests
from app.services.workshops import events
from app.services.conversations import release
from app.services.common.errors import InvalidInput, NotFound
from app.services.content.forgetting import rewrite_copies
from app.services.common.text import clean_text
from app.services.content.authorship import Content

KINDS = ("idea", "comment")
NOTE_MAX = 500
HIDE_REASONS = {r.value: r for r in ReportReason}
_LIMITS = {"idea": (5, 2000), "comment": (1, 500)}
THRESHOLD_RANGE = (1, 50)


@dataclass
class QueueItem:
    """One item waiting for a moderator, with the reasons it is here; nothing about its author."""

    kind: str
    item: Idea | Comment
    reasons: list[str]
    report_reasons: dict[str, int] = field(default_factory=dict)
    report_notes: list[str] = field(default_factory=list)

    @property
    def idea(self) -> Idea:
        return self.item if isinstance(self.item, Idea) else self.item.idea


@dataclass
class LogEntry:
    entry: ModerationEntry
    moderator: str

    @property
    def action_label(self) -> str:
        return ModerationLogAction(self.entry.action).label


def _reports(conversation_id: int) -> dict[tuple[str, str], list[ContentReport]]:
    rows = db.session.scalars(
        sa.select(ContentReport).where(ContentReport.conversation_id == conversation_id, ContentReport.cleared.is_(False))
    ).all()
    grouped: dict[tuple[str, str], list[ContentReport]] = {}
    for report in rows:
        key = ("idea", report.idea_id) if report.idea_id else ("comment", report.comment_id or "")
        grouped.setdefault(key, []).append(report)
    return grouped


def _why(item: Idea | Comment, reports: list[ContentReport], threshold: int) -> list[str]:
    reasons = []
    if item.status == ContentStatus.PENDING:
        reasons.append("Rewritten after moderation: held for approval" if item.edited and item.notice_action
                       else "Held until a moderator approves it")
    if item.status == ContentStatus.HIDDEN:
        reasons.append(f"Hidden automatically: reported by {threshold} or more people" if len(reports) >= threshold
                       else "Hidden until reviewed")
    paper = isinstance(item, Idea) and item.source == "paper"
    if item.flagged_identifying:
        reasons.append("May contain identifying details (an imported paper note)" if paper
                       else "May contain identifying details (the author chose to post it anyway)")
    if item.flagged_abusive:
        reasons.append("May contain abusive language")
    if reports:
        reasons.append(f"Reported by {len(reports)} {'person' if len(reports) == 1 else 'people'}")
    return reasons


def moderation_queue(conversation: Conversation) -> list[QueueItem]:
    """Held, flagged and reported ideas and comments: hidden ones first, then most reported."""
    reports = _reports(conversation.id)
    items: list[QueueItem] = []
    queued: list[tuple[str, Sequence[Idea | Comment]]] = [
        ("idea", _queued(Idea, conversation.id)), ("comment", _queued(Comment, conversation.id))]
    for kind, rows in queued:
        for item in rows:
            found = reports.get((kind, item.id), [])
            items.append(QueueItem(
                kind, item, _why(item, found, conversation.report_threshold),
                dict(Counter(ReportReason(r.reason).label for r in found)),
                sorted(r.note for r in found if r.note),
            ))
    items.sort(key=lambda q: (q.item.status != ContentStatus.HIDDEN, -sum(q.report_reasons.values())))
    return items


def _queued(model: type[Content], conversation_id: int) -> Sequence[Content]:
    return db.session.scalars(
        sa.select(model).where(model.conversation_id == conversation_id, model.queued.is_(True),
                               model.status != ContentStatus.WITHDRAWN).order_by(model.created_hour, model.id)
    ).all()


def get_item(conversation: Conversation, kind: str, item_id: str) -> Idea | Comment:
    """An idea or comment of this conversation that a moderator can act on, or NotFound."""
    item = db.session.get(Idea, item_id) if kind == "idea" else db.session.get(Comment, item_id) if kind == "comment" else None
    if item is None or item.conversation_id != conversation.id or item.status == ContentStatus.WITHDRAWN:
        raise NotFound("We could not find that item.")
    return item


def _resolve(conversation: Conversation, kind: str, item: Idea | Comment, moderator_id: int, action: str,
             reason: str | None, note: str) -> None:
    column = ContentReport.idea_id if kind == "idea" else ContentReport.comment_id
    db.session.execute(sa.update(ContentReport).where(column == item.id).values(cleared=True))
    item.queued = False
    db.session.add(ModerationEntry(conversation_id=conversation.id, item_kind=kind, item_id=item.id,
                                   action=action, reason=reason, note=note, moderator_id=moderator_id))


def _refresh_themes(conversation: Conversation) -> None:
    """Theme labels and quotes may have been computed from text that is now hidden or edited: recompute."""
    if conversation.current_theme_run_id is not None:
        from app.services.themes.runs import request_theme_run

        request_theme_run(conversation.id, trigger="moderation")


def _note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"The note must be {NOTE_MAX} characters or fewer", field="note")
    return note


def approve_item(conversation: Conversation, moderator_id: int, kind: str, item_id: str) -> Idea | Comment:
    """Publish a held or hidden item (or keep a reported one) and clear its reports."""
    item = get_item(conversation, kind, item_id)
    was_published = item.status == ContentStatus.PUBLISHED
    release.publish_or_hold(conversation, item, was_published)  # with batch release on, joins the next batch
    item.notice_action = item.notice_reason = item.notice_note = None
    item.notice_unseen = False
    _resolve(conversation, kind, item, moderator_id, ModerationLogAction.APPROVE, None, "")
    message = events.moderated(item, was_published)
    released = release.hold_or_release(conversation)
    db.session.commit()
    live.publish(message)
    release.announce(released)
    return item


def hide_item(conversation: Conversation, moderator_id: int, kind: str, item_id: str, reason: str,
              note: str = "") -> Idea | Comment:
    """Hide an item with a reason; its author is told at their next visit and may rewrite it."""
    item = get_item(conversation, kind, item_id)
    if reason not in HIDE_REASONS:
        raise InvalidInput("Choose why you are hiding this", field="reason")
    note = _note(note)
    if reason == ReportReason.OTHER and not note:
        raise InvalidInput("Explain why, for the author", field="note")
    was_published = item.status == ContentStatus.PUBLISHED
    item.status = ContentStatus.HIDDEN
    item.notice_action, item.notice_reason, item.notice_note, item.notice_unseen = "hide", reason, note, True
    rewrite_copies(item)  # hidden text must not stay replayable from the live log
    _resolve(conversation, kind, item, moderator_id, ModerationLogAction.HIDE, reason, note)
    message = events.moderated(item, was_published)
    db.session.commit()
    live.publish(message)
    _refresh_themes(conversation)
    return item


def redact_item(conversation: Conversation, moderator_id: int, kind: str, item_id: str, body: str,
                note: str = "") -> Idea | Comment:
    """Replace an item's text (to remove identifying details) and publish it, marked as edited by a moderator."""
    item = get_item(conversation, kind, item_id)
    minimum, maximum = _LIMITS[kind]
    text = clean_text(body, minimum=minimum, maximum=maximum, what="text")
    if text == item.body:
        raise InvalidInput("Change the text to remove the details, or approve or hide it instead", field="body")
    note = _note(note)
    was_published = item.status == ContentStatus.PUBLISHED
    item.body, item.moderator_edited = text, True
    release.publish_or_hold(conversation, item, was_published)
    item.flagged_identifying = item.flagged_abusive = False
    item.notice_action, item.notice_reason, item.notice_note, item.notice_unseen = "redact", "identifying", note, True
    rewrite_copies(item)  # the removed details must not stay in the live log's earlier events
    _resolve(conversation, kind, item, moderator_id, ModerationLogAction.REDACT, "identifying", note)
    message = events.moderated(item, was_published)
    released = release.hold_or_release(conversation)
    db.session.commit()
    live.publish(message)
    release.announce(released)
    _refresh_themes(conversation)
    return item


def moderation_log(conversation: Conversation, limit: int = 500) -> list[LogEntry]:
    """The conversation's moderation decisions, newest first, with the moderator's name."""
    rows = db.session.execute(
        sa.select(ModerationEntry, User.display_name, User.email)
        .outerjoin(User, User.id == ModerationEntry.moderator_id)
        .where(ModerationEntry.conversation_id == conversation.id)
        .order_by(ModerationEntry.created_at.desc(), ModerationEntry.id.desc())
        .limit(limit)
    ).all()
    def who(entry: ModerationEntry, name: str | None, email: str | None) -> str:
        if entry.action == ModerationLogAction.AUTO_HIDE:
            return "Chorus (automatic)"
        return name or email or "A former moderator"

    return [LogEntry(entry, who(entry, name, email)) for entry, name, email in rows]


def update_settings(conversation: Conversation, *, moderation_mode: str, report_threshold: int | None,
                    allow_guests: bool) -> Conversation:
    """Moderation mode, report threshold and whether guests may join with a code."""
    if moderation_mode not in {m.value for m in ModerationMode}:
        raise InvalidInput("Choose how posts are moderated", field="moderation_mode")
    low, high = THRESHOLD_RANGE
    if report_threshold is None or not low <= report_threshold <= high:
        raise InvalidInput(f"The number of reports must be between {low} and {high}", field="report_threshold")
    conversation.moderation_mode = moderation_mode
    conversation.report_threshold = report_threshold
    conversation.allow_guests = allow_guests
    if not allow_guests:
        conversation.join_code = None
    db.session.commit()
    if allow_guests and not conversation.join_code:
        guests.regenerate_join_code(conversation)
    return conversation
