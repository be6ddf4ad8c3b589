"""Large paper-note imports: checked and saved by a background job with progress, never inside one request.

Checking a note (identifying details, abuse, sentiment) costs about a millisecond, so a few thousand notes would
hold a web worker for seconds. Up to CHORUS_NOTES_INLINE_MAX notes are still done in the request; above that the
notes wait in a NoteImport row (they have no author) and the job `notes.import` checks them, reporting progress,
then saves them all in one transaction or none. The text is cleared once the notes are ideas or the import fails.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import CursorResult

from app import jobs
from app import live
from app.extensions import db
from app.jobs import outbox as job_outbox
from app.models import Conversation, NoteImport, RunStatus
from app.models.base import this_hour, utcnow
from app.services.access import get_managed_conversation
from app.services.common.csvfile import RowErrors, decode
from app.services.common.errors import NotAllowedNow, NotFound
from app.services.content import paper_notes
from app.services.content.screening import is_abusive

log = logging.getLogger("chorus.imports")
MAX_ROW_ERRORS = 200
DEAD_MESSAGE = "The import stopped because its worker stopped. Nothing was saved: import the notes again."
PENDING = (RunStatus.QUEUED, RunStatus.RUNNING)


def inline_max() -> int:
    return int(current_app.config.get("CHORUS_NOTES_INLINE_MAX", 200))


def in_background(conversation: Conversation, data: bytes | str, question_id: int | None) -> bool:
    """Whether these notes are too many to check inside a request (raises on input that cannot be read)."""
    return paper_notes.count_notes(conversation, data, question_id) > inline_max()


def start_import(conversation: Conversation, data: bytes | str, question_id: int | None,
                 check_only: bool = False) -> NoteImport:
    """Keep the notes and queue the job that checks (and unless check_only, saves) them; returns the import."""
    total = paper_notes.count_notes(conversation, data, question_id)  # refuses unreadable input at once
    note_import = NoteImport(conversation_id=conversation.id, question_id=question_id, notes=decode(data, field="notes"),
                             check_only=check_only, total=total)
    db.session.add(note_import)
    db.session.flush()
    job_outbox.defer("notes.import", note_import.id)  # with the row: Redis being away delays it, never strands it
    db.session.commit()
    job_outbox.dispatch()
    return note_import


def import_checked(note_import: NoteImport) -> NoteImport:
    """Save the notes of a finished check (the facilitator read its results and chose to import them)."""
    if not (note_import.check_only and note_import.status == RunStatus.SUCCEEDED and note_import.notes):
        raise NotAllowedNow("These notes are not waiting to be imported (they may be importing already). "
                            "To import them again, paste or upload them again.")
    note_import.check_only, note_import.status, note_import.checked = False, RunStatus.QUEUED.value, 0
    note_import.finished_at = None
    job_outbox.defer("notes.import", note_import.id)
    db.session.commit()
    job_outbox.dispatch()
    return note_import


def get_import(facilitates: frozenset[int], conversation_id: int, import_id: int) -> NoteImport:
    """An import of a conversation this person facilitates; NotFound for anything else."""
    conversation = get_managed_conversation(facilitates, conversation_id)
    note_import = db.session.get(NoteImport, import_id)
    if note_import is None or note_import.conversation_id != conversation.id:
        raise NotFound("We could not find that import.")
    return note_import


def row_errors(note_import: NoteImport) -> list[tuple[int, str]]:
    return [(int(row), str(message)) for row, message in json.loads(note_import.row_errors or "[]")]


@jobs.job("notes.import")
def run_import(import_id: int) -> None:
    """Check every note with progress, then save all of them as ideas in one transaction, or none."""
    note_import = db.session.get(NoteImport, import_id)
    if note_import is None or note_import.status != RunStatus.QUEUED:
        return
    note_import.status = RunStatus.RUNNING.value
    db.session.commit()

    def progress(done: int, total: int) -> None:
        # Its own short statement: the row is read by the progress page while the check goes on.
        db.session.execute(sa.update(NoteImport).where(NoteImport.id == import_id).values(checked=done, total=total))
        db.session.commit()

    message = None
    try:
        conversation = db.session.get_one(Conversation, note_import.conversation_id)
        notes = paper_notes.read_notes(conversation, note_import.notes, note_import.question_id, progress)
        note_import = db.session.get_one(NoteImport, import_id)
        note_import.checked = note_import.total = len(notes)
        note_import.flagged = sum(1 for note in notes if note.flags or is_abusive(note.text))  # will be held
        if not note_import.check_only:
            ideas, message = paper_notes.add_notes(conversation, notes)
            note_import.imported = len(ideas)
            note_import.held = sum(1 for idea in ideas if idea.queued)
            note_import.notes = ""  # they are ideas now: no second copy of their text
        note_import.status, note_import.finished_at = RunStatus.SUCCEEDED.value, this_hour()
        db.session.commit()
    except Exception as error:  # noqa: BLE001  (recorded on the import for the facilitator; nothing was saved)
        db.session.rollback()
        note_import = db.session.get_one(NoteImport, import_id)
        if isinstance(error, RowErrors):
            note_import.error = error.message
            note_import.row_errors = json.dumps(error.errors[:MAX_ROW_ERRORS])
        elif hasattr(error, "message"):
            note_import.error = str(error.message)
        else:
            log.exception("Note import %s failed", import_id)
            note_import.error = f"The import stopped with an error ({type(error).__name__}). Nothing was saved."
        note_import.status, note_import.finished_at, note_import.notes = RunStatus.FAILED.value, this_hour(), ""
        db.session.commit()
    else:
        live.publish(message)  # after the commit that stored the notes and numbered the event


def fail_dead_imports() -> list[int]:
    """Imports whose worker died are recorded as failed (the scheduler tick), with their notes cleared."""
    from app.services.common.dead_runs import fail_dead_runs

    failed = fail_dead_runs(NoteImport, "notes.import", DEAD_MESSAGE)
    if failed:
        db.session.execute(sa.update(NoteImport).where(NoteImport.id.in_(failed)).values(notes=""))
        db.session.commit()
    return failed


def clear_abandoned_checks() -> int:
    """Notes checked but never imported are not kept: their text is cleared a day after the check."""
    # Hours are stored (rule A5): an import stamped 10:00 may be from 10:59, so allow the hour too.
    before = utcnow() - timedelta(hours=25)
    cleared = cast(CursorResult[Any], db.session.execute(sa.update(NoteImport).where(
        NoteImport.check_only.is_(True), NoteImport.notes != "", NoteImport.status.notin_(PENDING),
        NoteImport.created_at < before).values(notes=""))).rowcount
    db.session.commit()
    return int(cleared or 0)
