"""Importing a Pol.is conversation: check and stage the files, preview the counts, then import all at once.

Statements become ideas under random author tags (as paper notes are); moderated-out statements are imported
hidden, and statements that may identify someone wait in the moderation queue. Each Pol.is participant becomes a
fresh random vote pseudonym: random bytes, not an HMAC of anything, so it never equals an account's pseudonym and
nobody can derive it from the Pol.is participant id; the mapping exists only in memory during the import. Votes
are stored without times. Re-importing the same files is recognised by their digest alone (rule A3: no stored
value reproduces a pseudonym).
"""

from __future__ import annotations

import io
import logging
import secrets
import zipfile
from collections.abc import Callable
from datetime import timedelta
from typing import cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import jobs
from app.crypto import tag
from app.extensions import db
from app.jobs import outbox as job_outbox
from app.models import (ContentStatus, Conversation, ConversationKind, ConversationStatus, Idea, Organisation,
                        PolisImport, PolisImportStatus, Question, Vote, VotingMode)
from app.models.base import random_id, this_hour
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound
from app.services.common.keys import conversation_key, create_key
from app.services.common.text import clean_text
from app.services.polis.files import KNOWN, MAX_BODY, PolisExport, read_export

log = logging.getLogger("chorus.polis")


class ImportFailed(NotAllowedNow):
    """The import stopped part-way (its failed status is recorded); nothing of it was kept."""


VOTE_BATCH = 5000
STAGED_FOR = timedelta(hours=24)  # a checked upload nobody confirmed is forgotten after a day
DEFAULT_TITLE = "Imported Pol.is conversation"


def _pack(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(n for n in files if n in KNOWN):
            archive.writestr(name, files[name])
    return buffer.getvalue()


def _unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _done(organisation_id: int, digest: str) -> PolisImport | None:
    return db.session.scalar(sa.select(PolisImport).where(
        PolisImport.organisation_id == organisation_id, PolisImport.digest == digest,
        PolisImport.conversation_id.is_not(None)))


def _forget_unconfirmed() -> None:
    db.session.execute(sa.delete(PolisImport).where(
        PolisImport.status == PolisImportStatus.CHECKED, PolisImport.created_hour < this_hour() - STAGED_FOR))


def check_files(organisation_ids: frozenset[int], organisation_id: int | None, files: dict[str, bytes]) -> PolisImport:
    """Check the files and keep them for the facilitator to confirm; the earlier import when they were imported already."""
    if organisation_id not in organisation_ids:
        raise InvalidInput("Choose an organisation where you are a facilitator", field="organisation_id")
    export = read_export(files)  # raises before anything is written
    earlier = _done(organisation_id, export.digest)
    if earlier is not None:
        return earlier
    _forget_unconfirmed()
    staged = PolisImport(organisation_id=organisation_id, digest=export.digest, files=_pack(files),
                         counts=export.counts(), status=PolisImportStatus.CHECKED)
    db.session.add(staged)
    db.session.commit()
    return staged


def get_import(organisation_ids: frozenset[int], import_id: int) -> PolisImport:
    """An import into an organisation this person facilitates, or NotFound."""
    found = db.session.get(PolisImport, import_id)
    if found is None or found.organisation_id not in organisation_ids:
        raise NotFound("We could not find that import.")
    return found


def source_of(conversation_id: int) -> PolisImport | None:
    """The Pol.is import a conversation came from, if it was imported."""
    return db.session.scalar(sa.select(PolisImport).where(PolisImport.conversation_id == conversation_id))


def confirm_import(organisation_ids: frozenset[int], import_id: int) -> PolisImport:
    """Import checked files now, or in the background when they hold many votes; confirming twice changes nothing."""
    staged = get_import(organisation_ids, import_id)
    if staged.status != PolisImportStatus.CHECKED:
        return staged
    if int(staged.counts.get("votes", 0)) <= current_app.config.get("CHORUS_POLIS_INLINE_VOTES", 20_000):
        return _run(staged)
    staged.status = PolisImportStatus.QUEUED
    job_outbox.defer("polis.import", staged.id)
    db.session.commit()
    job_outbox.dispatch()
    return staged


def import_files(organisation_id: int, files: dict[str, bytes]) -> tuple[PolisImport, bool]:
    """Check and import at once (the command line); returns the import and whether anything was imported."""
    export = read_export(files)
    earlier = _done(organisation_id, export.digest)
    if earlier is not None:
        return earlier, False
    if db.session.get(Organisation, organisation_id) is None:
        raise NotFound("We could not find that organisation.")
    staged = PolisImport(organisation_id=organisation_id, digest=export.digest, counts=export.counts(),
                         status=PolisImportStatus.RUNNING)
    db.session.add(staged)
    db.session.flush()
    done = _run(staged, export)
    return done, done.id == staged.id


@jobs.job("polis.import")
def run_import_job(import_id: int) -> None:
    """The background import: the job payload is the import's id only."""
    staged = db.session.get(PolisImport, import_id)
    if staged is None or staged.status != PolisImportStatus.QUEUED:
        return
    staged.status = PolisImportStatus.RUNNING
    db.session.commit()
    _run(staged)


def _run(staged: PolisImport, export: PolisExport | None = None) -> PolisImport:
    """Import in one transaction: a failure writes nothing but the import's failed status."""
    import_id = staged.id
    try:
        if export is None:
            if staged.files is None:
                raise InvalidInput("The uploaded files are no longer kept. Upload them again.", field="files")
            export = read_export(_unpack(staged.files))
        earlier = _done(staged.organisation_id, export.digest)
        if earlier is not None and earlier.id != staged.id:
            db.session.delete(staged)
            db.session.commit()
            return earlier
        _report(import_id, 10)
        conversation = _write(staged.organisation_id, export, lambda percent: _report(import_id, percent))
        staged.conversation_id, staged.status, staged.files, staged.progress = (
            conversation.id, PolisImportStatus.DONE, None, 100)
        db.session.commit()
        _progress().pop(import_id, None)
    except IntegrityError:  # the same files were imported at the same moment by someone else
        db.session.rollback()
        earlier = _done(staged.organisation_id, export.digest) if export else None
        if earlier is None:
            raise
        return earlier
    except Exception as error:
        db.session.rollback()
        _progress().pop(import_id, None)
        failed = db.session.get(PolisImport, import_id)
        if failed is None:
            raise
        failed.status, failed.files = PolisImportStatus.FAILED, None
        failed.error = error.message if isinstance(error, InvalidInput) else \
            f"The import stopped with an error ({type(error).__name__}); nothing was imported."
        db.session.commit()
        if isinstance(error, InvalidInput):
            raise
        log.exception("Pol.is import %s failed", import_id)
        raise ImportFailed(failed.error) from error
    _queue_opinion_run(conversation.id)
    return staged


def _queue_opinion_run(conversation_id: int) -> None:
    from app.services.opinions.runs import request_opinion_run

    request_opinion_run(conversation_id, trigger="import")


def _progress() -> dict[int, int]:
    """import id -> percent written, for imports running in this process (memory only)."""
    return current_app.extensions.setdefault("chorus_polis_progress", {})


def progress_of(found: PolisImport) -> int:
    """How far a running import has got, in percent: from the database, or from this process's memory."""
    return max(found.progress, _progress().get(found.id, 0))


def _report(import_id: int, percent: int) -> None:
    """Record progress outside the import's transaction, so the status page can show it while the import runs.

    On PostgreSQL a separate, committed update (the import's own transaction does not touch that row until it ends);
    SQLite allows one writer at a time, so there the figure stays in this process's memory, where an embedded
    deployment's job thread runs. The figure says how far, never who or what.
    """
    _progress()[import_id] = percent
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect() as connection:
        connection.execute(sa.update(PolisImport).where(PolisImport.id == import_id).values(progress=percent))
        connection.commit()


def _write(organisation_id: int, export: PolisExport, report: Callable[[int], None] = lambda _: None) -> Conversation:
    """The conversation, its one question, the statements as ideas and the votes (flushes only)."""
    from app.services.themes.reading import check_text

    topic = clean_text(export.topic or DEFAULT_TITLE, minimum=1, maximum=160, what="title", field="files")
    if len(topic) < 3:
        topic = DEFAULT_TITLE
    organisation = db.session.get_one(Organisation, organisation_id)
    conversation = Conversation(
        organisation_id=organisation_id, title=topic, kind=ConversationKind.ONLINE.value,
        description=clean_text(export.description or "Imported from Pol.is.", minimum=1, maximum=5000,
                               what="description", field="files"),
        voting_mode=VotingMode.AGREE.value, status=ConversationStatus.DRAFT.value, comments_enabled=False,
        audience=[organisation], questions=[Question(text=topic[:300], position=0)])
    db.session.add(conversation)
    db.session.flush()
    create_key(conversation)
    key = conversation_key(conversation)
    question_id = conversation.questions[0].id
    hour = this_hour()
    idea_of: dict[int, str] = {}
    rows = []
    for statement in export.statements:
        body = clean_text(statement.body, minimum=1, maximum=MAX_BODY, what="statement", field="files")
        flagged = bool(check_text(body).spans)
        status = ContentStatus.HIDDEN if not statement.shown else \
            ContentStatus.PENDING if flagged else ContentStatus.PUBLISHED
        nonce = secrets.token_hex(16)
        idea_of[statement.polis_id] = random_id()
        rows.append({"id": idea_of[statement.polis_id], "conversation_id": conversation.id, "question_id": question_id,
                     "body": body, "nonce": nonce, "author_tag": tag(key, "polis", secrets.token_hex(32), nonce),
                     "slot_tag": secrets.token_hex(32),  # no author: a slot nobody's tags reach
                     "created_hour": hour, "status": status.value, "source": "polis",
                     "flagged_identifying": flagged, "queued": flagged and statement.shown})
    db.session.execute(sa.insert(Idea), rows)
    report(20)
    written, total = 0, max(1, len(export.votes))
    connection = db.session.connection()  # Core executemany for votes: no ORM bookkeeping per row
    vote_table = cast(sa.Table, Vote.__table__)
    # A fresh random pseudonym per participant, in memory only; the dict is dropped when this returns.
    voter_of: dict[int, str] = {}
    batch: list[dict[str, object]] = []
    for (participant, statement_id), value in export.votes.items():
        voter = voter_of.get(participant)
        if voter is None:
            voter = voter_of[participant] = secrets.token_hex(32)
        batch.append({"idea_id": idea_of[statement_id], "voter": voter, "conversation_id": conversation.id,
                      "value": value})
        if len(batch) >= VOTE_BATCH:
            connection.execute(sa.insert(vote_table), batch)
            written += len(batch)
            report(20 + 75 * written // total)
            batch = []
    if batch:
        connection.execute(sa.insert(vote_table), batch)
    return conversation
