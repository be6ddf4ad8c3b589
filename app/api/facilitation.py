"""API: facilitators' participation figures, paper sticky-note import and Ideas Lab stages."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify

from app.views import acting
from app.api import bp, for_role
from app.api.helpers import is_db_id, json_body, text_field
from app.models import Role
from app.services import access
from app.services.content import paper_notes
from app.services.conversations import stages
from app.services.common.csvfile import RowErrors
from app.services.conversations.participation import Cell, participation_figures


def _cells(cells: list[Cell]) -> list[dict[str, Any]]:
    return [{"group": c.label, "participants": c.value, "hidden": c.hidden} for c in cells]


@bp.get("/conversations/<int:conversation_id>/participation")
@for_role(Role.FACILITATOR)
def participation(conversation_id: int):  # type: ignore[no-untyped-def]
    figures = participation_figures(access.get_managed_conversation(acting().facilitates, conversation_id))
    return jsonify(
        conversation_id=conversation_id, min_group_size=figures.k,
        updated_at=figures.updated_at.strftime("%Y-%m-%dT%H:00:00Z") if figures.updated_at else None,
        ideas=figures.ideas, comments=figures.comments,
        votes=figures.votes, participants=figures.participants,
        by_organisation=_cells(figures.by_organisation), by_staff_group=_cells(figures.by_staff_group),
    )


@bp.post("/conversations/<int:conversation_id>/paper-notes")
@for_role(Role.FACILITATOR)
def paper_import(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = access.get_managed_conversation(acting().facilitates, conversation_id)
    data = json_body("notes")
    notes = text_field(data, "notes")
    question_id = data.get("question_id")
    if question_id is not None and not is_db_id(question_id):
        abort(400, "question_id must be a question's id.")
    dry_run = data.get("dry_run", False)
    if not isinstance(dry_run, bool):
        abort(400, "dry_run must be true or false.")
    try:
        if dry_run:
            checked = paper_notes.read_notes(conversation, notes, question_id)
            return jsonify(imported=0, notes=[{"row": n.row, "question_id": n.question.id, "text": n.text,
                                               "identifying": n.flags} for n in checked])
        added = paper_notes.import_notes(conversation, notes, question_id)
    except RowErrors as error:
        return jsonify(error={"status": 422, "message": error.message, "field": error.field,
                              "rows": [{"row": row, "message": message} for row, message in error.errors]}), 422
    return jsonify(imported=len(added), idea_ids=[i.id for i in added],
                   flagged_identifying=sum(1 for i in added if i.flagged_identifying),
                   held_for_moderation=sum(1 for i in added if i.queued)), 201


@bp.put("/ideas/<idea_id>/stage")
@for_role(Role.FACILITATOR)
def set_stage(idea_id: str):  # type: ignore[no-untyped-def]
    data = json_body("stage")
    reason = data.get("reason", "")
    if not isinstance(reason, str):
        abort(400, "reason must be a string.")
    idea = stages.set_idea_stage(acting().facilitates, idea_id, text_field(data, "stage"), reason)
    return jsonify(id=idea.id, conversation_id=idea.conversation_id, stage=idea.stage, stage_reason=idea.stage_reason)
