"""API: frameworks, a conversation's framework mappings, and leads' corrections."""

from __future__ import annotations

from flask import url_for

from app.api import bp, for_role
from app.api.schemas.frameworks import (Correction, CorrectionBody, Framework, Frameworks, IdeaMapping, Mapped, Mappings,
                                        ThemeMapping)
from app.api.spec import ACT, READ, WRITE, parsed_json, responses, validate
from app.models import Role
from app.services.frameworks import catalogue, corrections
from app.services.frameworks.board import conversation_mappings
from app.views import acting


@bp.get("/frameworks")
@validate(resp=responses(200, Frameworks, (401,)))
def list_frameworks() -> Frameworks:
    """The NHS People Promise and the frameworks of the caller's organisations, with their elements."""
    me = acting()
    found = catalogue.available_frameworks(me.organisation_ids | me.facilitates | me.leads)
    return Frameworks(frameworks=[Framework.of(f) for f in found])


@bp.get("/manage/conversations/<int:conversation_id>/framework-mappings")
@for_role(Role.LEAD)
@validate(resp=responses(200, Mappings, READ))
def framework_mappings(conversation_id: int) -> Mappings:
    """Every theme's and idea's elements in the current run, and the corrections (change-hub leads; others get 404)."""
    found = conversation_mappings(acting().leads, conversation_id)
    return Mappings(
        conversation_id=found.conversation.id, framework=Framework.of(found.framework),
        themes=[ThemeMapping(theme_id=t, elements=[Mapped(element_id=e, confidence=round(c, 3), source=s) for e, c, s in m])
                for t, m in found.themes.items()],
        ideas=[IdeaMapping(idea_id=i, elements=[Mapped(element_id=e, confidence=round(c, 3), source=s) for e, c, s in m])
               for i, m in found.ideas.items()],
        corrections=[Correction.of(c) for c in found.corrections])


@bp.post("/manage/conversations/<int:conversation_id>/framework-corrections")
@for_role(Role.LEAD)
@validate(json=CorrectionBody, resp=responses(201, Correction, WRITE))
def add_framework_correction(conversation_id: int) -> tuple[Correction, int, dict[str, str]]:
    """Add or remove an element for a theme or an idea of the conversation; every later run keeps it (leads)."""
    data: CorrectionBody = parsed_json()
    if data.theme_id is not None:
        row = corrections.correct_theme(acting().leads, data.theme_id, data.element_id, data.added,
                                        conversation_id=conversation_id)
    else:
        row = corrections.correct_idea(acting().leads, data.idea_id or "", data.element_id, data.added,
                                       conversation_id=conversation_id)
    location = url_for("api.framework_mappings", conversation_id=conversation_id)
    return Correction.of(row), 201, {"Location": location}


@bp.delete("/manage/framework-corrections/<int:correction_id>")
@for_role(Role.LEAD)
@validate(resp=responses(204, None, ACT))
def withdraw_framework_correction(correction_id: int) -> tuple[str, int]:
    """Take back a correction; the element is mapped as the runs find it again (leads; others get 404)."""
    corrections.withdraw_correction(acting().leads, correction_id)
    return "", 204
