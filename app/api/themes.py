"""API: themes, theme runs, and help while drafting (similar ideas, identifying details)."""

from __future__ import annotations

from flask import abort, jsonify

from app.views import acting
from app.api import bp, for_role
from app.api.helpers import iso_hour, json_body, text_field
from app.extensions import limiter
from app.models import Role
from app.services import access
from app.services.themes import runs
from app.services.themes import reading


def _span_json(span) -> dict:  # type: ignore[no-untyped-def]
    return {"start": span.start, "end": span.end, "kind": span.kind, "reason": span.reason, "text": span.text}


def _run_json(run) -> dict | None:  # type: ignore[no-untyped-def]
    if run is None:
        return None
    return {"id": run.id, "status": run.status, "trigger": run.trigger, "backend": run.backend,
            "idea_count": run.idea_count, "theme_count": run.theme_count, "unthemed_count": run.unthemed_count,
            "error": run.error, "finished_hour": iso_hour(run.finished_at)}


@bp.get("/conversations/<int:conversation_id>/themes")
def list_themes(conversation_id: int):  # type: ignore[no-untyped-def]
    view = reading.themes_for(acting(), conversation_id)
    return jsonify(
        run=_run_json(view.run), pending=_run_json(view.pending), latest_failed=_run_json(view.latest_failed),
        unthemed=view.unthemed,
        themes=[{
            "id": card.snapshot.theme_id, "label": card.snapshot.label, "size": card.snapshot.size,
            "top_terms": card.snapshot.top_terms, "coherence": round(card.snapshot.coherence, 3),
            "sentiment": card.snapshot.sentiment,
            "quotes": [{"idea_id": q.id, "body": q.body} for q in card.quotes],
        } for card in view.cards],
    )


@bp.post("/conversations/<int:conversation_id>/themes/run")
@for_role(Role.FACILITATOR)  # leads rank above facilitators, so they may too
def run_themes(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = access.get_managed_conversation(acting().facilitates, conversation_id)
    run = runs.request_on_demand_run(conversation.id)  # 429 with a message when too soon
    return jsonify(_run_json(run)), 202


@bp.post("/conversations/<int:conversation_id>/similar")
@limiter.limit("60 per minute")
def similar_ideas(conversation_id: int):  # type: ignore[no-untyped-def]
    """Draft text goes in a POST body, never a URL, so proxies do not log it."""
    data = json_body("text")
    matches = reading.similar_ideas(acting(), conversation_id, text_field(data, "text")[:2000])
    return jsonify(ideas=[{"id": idea.id, "body": idea.body, "question_id": idea.question_id, "score": round(score, 3)}
                          for idea, score in matches])


@bp.post("/check-text")
@limiter.limit("60 per minute")
def check_text():  # type: ignore[no-untyped-def]
    """`body`, as when posting an idea; `text` is the deprecated name, still accepted for older clients."""
    data = json_body()
    name = "body" if "body" in data or "text" not in data else "text"
    if name not in data:
        abort(400, "Missing field: body")
    result = reading.check_text(text_field(data, name)[:5000])
    response = jsonify(spans=[_span_json(s) for s in result.spans], sentiment=round(result.sentiment, 3))
    if name == "text":
        response.headers["Deprecation"] = "true"  # RFC 9745: the field name `text` is deprecated
    return response
