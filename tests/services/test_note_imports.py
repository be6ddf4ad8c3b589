"""Issue #18: an import of more than a few hundred paper notes runs as a job with progress, all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Idea, NoteImport, RunStatus
from app.models.base import this_hour
from app.services.common.errors import NotAllowedNow
from app.services.content import note_imports, paper_notes


def _notes(count: int, bad_row: int | None = None) -> str:
    rows = [f"{9 if n == bad_row else 1},Note {n}: more staff on the ward at weekends" for n in range(count)]
    return "question,text\n" + "\n".join(rows) + "\n"


@pytest.fixture
def small_inline(app):  # type: ignore[no-untyped-def]
    app.config["CHORUS_NOTES_INLINE_MAX"] = 5
    return app


def _ideas() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) or 0


def test_many_notes_go_to_a_job_that_saves_them_all_and_keeps_no_copy(small_inline, make_conversation):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    assert not note_imports.in_background(conversation, _notes(5), None)
    assert note_imports.in_background(conversation, _notes(6), None)
    started = note_imports.start_import(conversation, _notes(12), None)
    found = db.session.get(NoteImport, started.id)
    assert found.status == RunStatus.SUCCEEDED and found.total == found.checked == found.imported == 12
    assert found.notes == "" and _ideas() == 12  # the text lives on only as the ideas
    assert {i.source for i in db.session.scalars(sa.select(Idea))} == {"paper"}


def test_a_wrong_row_saves_nothing_and_names_the_row(small_inline, make_conversation):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    started = note_imports.start_import(conversation, _notes(12, bad_row=7), None)
    found = db.session.get(NoteImport, started.id)
    assert found.status == RunStatus.FAILED and "nothing was imported" in found.error
    assert note_imports.row_errors(found) == [(9, note_imports.row_errors(found)[0][1])]  # header is row 1
    assert "not a question number" in note_imports.row_errors(found)[0][1]
    assert _ideas() == 0 and found.notes == ""


def test_a_check_keeps_the_notes_until_the_facilitator_imports_them(small_inline, make_conversation):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    text = _notes(8) + "1,Call Jane Doe on 07700 900123 about the rota\n"
    checked = note_imports.start_import(conversation, text, None, check_only=True)
    found = db.session.get(NoteImport, checked.id)
    assert found.status == RunStatus.SUCCEEDED and found.check_only and found.total == 9 and found.flagged == 1
    assert found.notes and _ideas() == 0
    note_imports.import_checked(found)
    found = db.session.get(NoteImport, checked.id)
    assert found.imported == 9 and found.held == 1 and not found.check_only and found.notes == "" and _ideas() == 9
    with pytest.raises(NotAllowedNow):
        note_imports.import_checked(found)  # a second click imports nothing twice
    assert _ideas() == 9


def test_progress_is_reported_as_the_notes_are_checked(app, make_conversation):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    heard: list[tuple[int, int]] = []
    paper_notes.read_notes(conversation, _notes(250), None, lambda done, total: heard.append((done, total)))
    assert heard == [(100, 250), (200, 250)]


def test_an_import_whose_worker_died_fails_and_forgets_its_notes(small_inline, make_conversation):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    stuck = NoteImport(conversation_id=conversation.id, notes=_notes(12), total=12, status=RunStatus.RUNNING.value)
    db.session.add(stuck)
    db.session.commit()
    small_inline.config["CHORUS_JOBS"] = "thread"  # the thread runner knows nothing of it: its worker is gone
    assert note_imports.fail_dead_imports() == [stuck.id]
    found = db.session.get(NoteImport, stuck.id)
    assert found.status == RunStatus.FAILED and "worker stopped" in found.error and found.notes == ""


def test_checked_notes_never_imported_are_not_kept(small_inline, make_conversation):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    old = note_imports.start_import(conversation, _notes(8), None, check_only=True)
    recent = note_imports.start_import(conversation, _notes(8), None, check_only=True)
    db.session.get(NoteImport, old.id).created_at = this_hour() - timedelta(hours=30)
    db.session.commit()
    assert note_imports.clear_abandoned_checks() == 1
    assert db.session.get(NoteImport, old.id).notes == "" and db.session.get(NoteImport, recent.id).notes
