"""API: ideas, comments and votes."""

from __future__ import annotations

from flask import jsonify, request, url_for

from app.views import acting, page_arg
from app.api import bp
from app.api.helpers import comment_json, confirm_flag, idea_json, idempotency_key, json_body, text_field
from app.ratelimit import posting_limit
from app.services.content import comments
from app.services.content import ideas
from app.services.content import voting
from app.models import ContentStatus
from app.services.content.listing import SORTS, IdeaCard, idea_detail, list_ideas


def _created(payload: dict, created: bool, location: str):  # type: ignore[no-untyped-def]
    response = jsonify(payload)
    response.status_code = 201 if created else 200
    response.headers["Location"] = location
    return response


@bp.get("/questions/<int:question_id>/ideas")
def question_ideas(question_id: int):  # type: ignore[no-untyped-def]
    sort = request.args.get("sort", "random")
    if sort not in SORTS:
        return jsonify(error={"status": 400, "message": "sort must be one of: " + ", ".join(SORTS)}), 400
    result = list_ideas(acting(), question_id, sort, page_arg(), request.args.get("stage"))
    return jsonify(
        ideas=[idea_json(card) for card in result.cards],
        page=result.page, pages=result.pages, total=result.total, sort=result.sort,
    )


@bp.post("/questions/<int:question_id>/ideas")
@posting_limit
def post_idea(question_id: int):  # type: ignore[no-untyped-def]
    data = json_body("body")
    idea, created = ideas.post_idea(
        acting(), question_id, text_field(data, "body"), client_token=idempotency_key(data),
        allow_identifying=confirm_flag(data),
    )
    if idea.status != ContentStatus.PUBLISHED:  # held for a moderator: only its author sees it, in "mine"
        return _created(idea_json(IdeaCard(idea=idea, mine=True)), created,
                        url_for("api.mine", conversation_id=idea.conversation_id))
    detail = idea_detail(acting(), idea.id)
    return _created(idea_json(detail.card), created, url_for("api.get_idea", idea_id=idea.id))


@bp.get("/ideas/<idea_id>")
def get_idea(idea_id: str):  # type: ignore[no-untyped-def]
    detail = idea_detail(acting(), idea_id)
    return jsonify(idea_json(detail.card) | {"comments": [comment_json(v.comment, v.mine) for v in detail.comments]})


@bp.patch("/ideas/<idea_id>")
@posting_limit
def edit_idea(idea_id: str):  # type: ignore[no-untyped-def]
    data = json_body("body")
    idea = ideas.edit_idea(acting(), idea_id, text_field(data, "body"), allow_identifying=confirm_flag(data))
    if idea.status != ContentStatus.PUBLISHED:
        return jsonify(idea_json(IdeaCard(idea=idea, mine=True)))
    return jsonify(idea_json(idea_detail(acting(), idea_id).card))


@bp.delete("/ideas/<idea_id>")
@posting_limit
def withdraw_idea(idea_id: str):  # type: ignore[no-untyped-def]
    ideas.withdraw_idea(acting(), idea_id)
    return "", 204


@bp.post("/ideas/<idea_id>/comments")
@posting_limit
def add_comment(idea_id: str):  # type: ignore[no-untyped-def]
    data = json_body("body")
    comment, created = comments.add_comment(
        acting(), idea_id, text_field(data, "body"), client_token=idempotency_key(data),
        allow_identifying=confirm_flag(data),
    )
    return _created(comment_json(comment, True), created, url_for("api.get_idea", idea_id=idea_id))


@bp.patch("/comments/<comment_id>")
@posting_limit
def edit_comment(comment_id: str):  # type: ignore[no-untyped-def]
    data = json_body("body")
    comment = comments.edit_comment(acting(), comment_id, text_field(data, "body"), allow_identifying=confirm_flag(data))
    return jsonify(comment_json(comment, True))


@bp.delete("/comments/<comment_id>")
@posting_limit
def withdraw_comment(comment_id: str):  # type: ignore[no-untyped-def]
    comments.withdraw_comment(acting(), comment_id)
    return "", 204


@bp.put("/ideas/<idea_id>/vote")
@posting_limit
def cast_vote(idea_id: str):  # type: ignore[no-untyped-def]
    data = json_body("choice")
    voting.cast_vote(acting(), idea_id, text_field(data, "choice"))
    return jsonify(idea_json(idea_detail(acting(), idea_id).card))


@bp.delete("/ideas/<idea_id>/vote")
@posting_limit
def withdraw_vote(idea_id: str):  # type: ignore[no-untyped-def]
    voting.withdraw_vote(acting(), idea_id)
    return jsonify(idea_json(idea_detail(acting(), idea_id).card))
