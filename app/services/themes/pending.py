"""Whether a conversation's themes are being worked out now, and how far the run has got (pages and the API)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import ThemeRun
from app.services.access import get_conversation
from app.services.common.participants import Participant
from app.services.themes.progress import RunProgress, of
from app.services.themes.runs import PENDING, is_stale


def pending_for(conversation_id: int) -> RunProgress | None:
    """The conversation's newest run while it is queued or running (and not stuck), else None."""
    latest = db.session.scalar(sa.select(ThemeRun).where(ThemeRun.conversation_id == conversation_id)
                               .order_by(ThemeRun.id.desc()).limit(1))
    if latest is None or latest.status not in PENDING or is_stale(latest):
        return None
    return of(latest)


@dataclass(frozen=True)
class ConversationProgress:
    pending: RunProgress | None
    current_run_id: int | None


def progress_for(participant: Participant, conversation_id: int) -> ConversationProgress:
    """The pending run of a conversation this person may see (NotFound otherwise) and its current run's id."""
    conversation = get_conversation(participant, conversation_id)
    return ConversationProgress(pending_for(conversation.id), conversation.current_theme_run_id)
