"""API: facilitators' participation figures, paper sticky-note import and Ideas Lab stages."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import jsonify

from app.api import bp, for_role
from app.api.schemas.common import iso_hour
from app.api.schemas.facilitation import (Cell, CheckedNote, Imported, NoteImportState, PaperNotes, Participation,
                                          RowProblem, StageBody,
                                          Staged)
from app.api.spec import READ, WRITE, parsed_json, responses, validate
from app.models import NoteImport, Role
from app.services import access
from app.services.common.csvfile import RowErrors
from app.services.content import note_imports, paper_notes
from app.services.conversations import stages
from app.services.conversations.participation import Cell as FigureCell
from app.services.conversations.participation import participation_figures
from app.views import acting


def _cells(cells: list[FigureCell]) -> list[Cell]:
    return [Cell(group=c.label, participants=c.value, hidden=c.hidden) for c in cells]


@bp.get("/conversations/<int:conversation_id>/participation")
@for_role(Role.FACILITATOR)
@validate(resp=responses(200, Participation, READ))
def participation(conversation_id: int) -> Participation:
    """Participation figures (facilitators), worked out hourly: totals, and people by organisation and staff group,
    rounded to 5, groups below the minimum group size folded into Other (complementary suppression included)."""
    figures = participation_figures(access.get_managed_conversation(acting().facilitates, conversation_id))
    return Participation(
        conversation_id=conversation_id, min_group_size=figures.k, updated_at=iso_hour(figures.updated_at),
        ideas=figures.ideas, comments=figures.comments,
        votes=figures.votes, participants=figures.participants,
        by_organisation=_cells(figures.by_organisation), by_staff_group=_cells(figures.by_staff_group),
    )


def _import_state(found: NoteImport) -> NoteImportState:
    return NoteImportState(
        id=found.id, conversation_id=found.conversation_id, status=found.status, check_only=found.check_only,
        total=found.total, checked=found.checked, imported=found.imported, flagged=found.flagged,
        held_for_moderation=found.held, error=found.error,
        rows=[RowProblem(row=row, message=message) for row, message in note_imports.row_errors(found)])


@bp.post("/conversations/<int:conversation_id>/paper-notes")
@for_role(Role.FACILITATOR)
@validate(json=PaperNotes, resp=responses(201, Imported, WRITE, HTTP_200=(Imported, "Dry run: what would be imported"),
                                          HTTP_202=(NoteImportState, "More notes than CHORUS_NOTES_INLINE_MAX: "
                                                    "a background job checks (and saves) them; follow its state")))
def paper_import(conversation_id: int) -> Imported | tuple[Imported, int] | tuple[FlaskResponse, int] | tuple[
        NoteImportState, int]:
    """Import typed-up paper sticky notes as ideas (facilitators): all or nothing, with row-numbered errors (422);
    dry_run checks and previews without saving. Large imports answer 202 and run as a job with progress."""
    conversation = access.get_managed_conversation(acting().facilitates, conversation_id)
    data: PaperNotes = parsed_json()
    try:
        if note_imports.in_background(conversation, data.notes, data.question_id):
            started = note_imports.start_import(conversation, data.notes, data.question_id, check_only=data.dry_run)
            return _import_state(started), 202
        if data.dry_run:
            checked = paper_notes.read_notes(conversation, data.notes, data.question_id)
            return Imported(imported=0, notes=[CheckedNote(row=n.row, question_id=n.question.id, text=n.text,
                                                           identifying=n.flags) for n in checked])
        added = paper_notes.import_notes(conversation, data.notes, data.question_id)
    except RowErrors as error:
        return jsonify(error={"status": 422, "message": error.message, "field": error.field,
                              "rows": [{"row": row, "message": message} for row, message in error.errors]}), 422
    return Imported(imported=len(added), idea_ids=[i.id for i in added],
                    flagged_identifying=sum(1 for i in added if i.flagged_identifying),
                    held_for_moderation=sum(1 for i in added if i.queued)), 201


@bp.get("/conversations/<int:conversation_id>/paper-notes/imports/<int:import_id>")
@for_role(Role.FACILITATOR)
@validate(resp=responses(200, NoteImportState, READ))
def paper_import_state(conversation_id: int, import_id: int) -> NoteImportState:
    """How far a large paper-note import has got, and its result or its row-numbered problems (facilitators)."""
    return _import_state(note_imports.get_import(acting().facilitates, conversation_id, import_id))


@bp.put("/ideas/<idea_id>/stage")
@for_role(Role.FACILITATOR)
@validate(json=StageBody, resp=responses(200, Staged, WRITE))
def set_stage(idea_id: str) -> Staged:
    """Move an Ideas Lab idea to a stage (facilitators); not_taken_forward needs a reason."""
    data: StageBody = parsed_json()
    idea = stages.set_idea_stage(acting().facilitates, idea_id, data.stage, data.reason)
    return Staged(id=idea.id, conversation_id=idea.conversation_id, stage=idea.stage, stage_reason=idea.stage_reason)
