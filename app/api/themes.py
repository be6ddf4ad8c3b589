"""API: themes, theme runs, and help while drafting (similar ideas, identifying details)."""

from __future__ import annotations


from app.api import bp, for_role
from app.api.schemas.themes import (
    CheckedText, PendingRun, Quote, RunProgress, Similar, SimilarIdea, Span, TextBody, Theme, ThemeRun, Themes,
)
from app.api.spec import ACT, parsed_json, responses, validate
from app.extensions import limiter
from app.models import Role
from app.services import access
from app.services.themes import pending as run_status, reading, runs
from app.views import acting

_DRAFT = (400, 401, 404, 415, 429)


@bp.get("/conversations/<int:conversation_id>/themes")
@validate(resp=responses(200, Themes))
def list_themes(conversation_id: int) -> Themes:
    """The current themes, with the latest run's state."""
    view = reading.themes_for(acting(), conversation_id)
    return Themes(
        run=ThemeRun.of(view.run), pending=ThemeRun.of(view.pending), latest_failed=ThemeRun.of(view.latest_failed),
        unthemed=view.unthemed,
        themes=[Theme(id=card.snapshot.theme_id, label=card.snapshot.label, size=card.snapshot.size,
                      top_terms=card.snapshot.top_terms, coherence=round(card.snapshot.coherence, 3),
                      sentiment=card.snapshot.sentiment, quotes=[Quote(idea_id=q.id, body=q.body) for q in card.quotes])
                for card in view.cards],
    )


@bp.get("/conversations/<int:conversation_id>/themes/progress")
@validate(resp=responses(200, RunProgress))
def theme_run_progress(conversation_id: int) -> RunProgress:
    """The pending theme run's stage and progress (n of N ideas read), for pages that show it live."""
    found = run_status.progress_for(acting(), conversation_id)
    pending = found.pending
    return RunProgress(
        current_run_id=found.current_run_id,
        pending=None if pending is None else PendingRun(
            run_id=pending.run_id, status=pending.status, stage=pending.stage, done=pending.done, total=pending.total,
            percent=pending.percent, text=pending.text),
    )


@bp.post("/conversations/<int:conversation_id>/themes/run")
@for_role(Role.FACILITATOR)  # leads rank above facilitators, so they may too
@validate(resp=responses(202, ThemeRun, (*ACT, 429)))
def run_themes(conversation_id: int) -> tuple[ThemeRun, int]:
    """Queue a theme run (facilitators and leads); 429 when asked for again within CHORUS_THEMES_ON_DEMAND_MINUTES."""
    conversation = access.get_managed_conversation(acting().facilitates, conversation_id)
    return ThemeRun.of(runs.request_on_demand_run(conversation.id)), 202  # 429 with a message when too soon


@bp.post("/conversations/<int:conversation_id>/similar")
@limiter.limit("60 per minute")
@validate(json=TextBody, resp=responses(200, Similar, _DRAFT))
def similar_ideas(conversation_id: int) -> Similar:
    """Ideas similar to a draft (text in the body, never the URL)."""
    data: TextBody = parsed_json()
    matches = reading.similar_ideas(acting(), conversation_id, data.draft[:2000])
    return Similar(ideas=[SimilarIdea(id=idea.id, body=idea.body, question_id=idea.question_id, score=round(score, 3))
                          for idea, score in matches])


@bp.post("/check-text")
@limiter.limit("60 per minute")
@validate(json=TextBody, resp=responses(200, CheckedText, (400, 401, 415, 429)))
def check_text() -> tuple[CheckedText, int, dict[str, str]] | CheckedText:
    """Identifying details and sentiment of a draft; nothing is stored. Send `body` (`text` still works, deprecated)."""
    data: TextBody = parsed_json()
    result = reading.check_text(data.draft[:5000])
    checked = CheckedText(spans=[Span(start=s.start, end=s.end, kind=s.kind, reason=s.reason, text=s.text)
                                 for s in result.spans], sentiment=round(result.sentiment, 3), speak_up=result.speak_up)
    # RFC 9745: the field name `text` is deprecated.
    return (checked, 200, {"Deprecation": "true"}) if data.body is None else checked
