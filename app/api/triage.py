"""API: the lead's triage actions and the staff "You said, we did" page, pairwise comparisons and notices."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, jsonify
from flask_login import current_user

from app.views import acting
from app import notice_cookie
from app.api import bp, for_role
from app.api.helpers import is_db_id, json_body
from app.urls import MAX_DB_INT
from app.models import Conversation, Role
from app.services import access
from app.services.triage import outcomes
from app.services.triage import pairs
from app.services.triage import plans
from app.services.triage import pairwise
from app.services.themes import edits
from app.services.triage import board
from app.services.triage.board import BoardCard


def _theme(theme_id: int):  # type: ignore[no-untyped-def]
    return access.get_led_theme(acting().leads, theme_id)


def _date(data: dict[str, Any], name: str) -> date | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else abort(400, f"{name} must be a date like 2026-12-31.")
    except ValueError:
        abort(400, f"{name} must be a date like 2026-12-31.")


def _str(data: dict[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str):
        abort(400, f"The field {name!r} must be a string.")
    return value


def _id(data: dict[str, Any], name: str) -> int | str:
    """A theme id (a whole number) or an idea id (a string)."""
    value = data.get(name)
    if not (is_db_id(value) or isinstance(value, str)):  # 2**70 is no row's id (and a 500 on PostgreSQL once)
        abort(400, f"The field {name!r} must be a theme id or an idea id.")
    return value


def _int(data: dict[str, Any], name: str, *, optional: bool = False) -> int | None:
    value = data.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_DB_INT:  # 2**70: a 500 once
        abort(400, f"The field {name!r} must be a whole number.")
    return value


def card_json(card: BoardCard) -> dict[str, Any]:
    plan, breadth = card.plan, card.breadth
    return {
        "id": card.theme.id, "label": card.snapshot.label, "summary": card.theme.summary, "size": card.snapshot.size,
        "support": card.support, "sentiment": card.snapshot.sentiment, "trend": card.trend,
        "pinned": card.theme.pinned,
        "breadth": {"people": breadth.voters if breadth.shown else None, "threshold": breadth.k,
                    "organisations": breadth.organisations if breadth.shown else None,
                    "staff_groups": breadth.staff_groups if breadth.shown else None},
        "score": {"total": card.score.total, "parts": [
            {"name": p.name, "points": p.points, "out_of": p.weight, "explanation": p.explanation} for p in card.score.parts]},
        "status": plan.status, "public_reason": plan.public_reason, "owner": plan.owner,
        "due_on": plan.due_on.isoformat() if plan.due_on else None, "impact": plan.impact, "effort": plan.effort,
        "rank": plan.manual_rank,
        "actions": [{"id": a.id, "text": a.text, "owner": a.owner, "due_on": a.due_on.isoformat() if a.due_on else None,
                     "done": a.done} for a in card.actions],
        "quotes": [{"idea_id": q.id, "body": q.body} for q in card.quotes],
        "outcome": _outcome_json(card.outcome),
    }


def _outcome_json(outcome) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    if outcome is None:
        return None
    return {"heard": outcome.heard, "will_do": outcome.will_do, "by_whom": outcome.by_whom,
            "by_when": outcome.by_when.isoformat() if outcome.by_when else None,
            "published_on": outcome.published_at.date().isoformat(), "updated_on": outcome.updated_at.date().isoformat(),
            "updates": [{"body": u.body, "on": u.created_at.date().isoformat()} for u in outcome.updates]}


def _card(theme_id: int):  # type: ignore[no-untyped-def]
    _, card, theme = board.theme_card(acting().leads, theme_id)
    if card is None:
        return jsonify(id=theme.id, label=theme.label, in_current_themes=False)
    return jsonify(card_json(card))


@bp.get("/manage/conversations/<int:conversation_id>/board")
@for_role(Role.LEAD)
def manage_board(conversation_id: int):  # type: ignore[no-untyped-def]
    from flask import request

    view = board.board(acting().leads, conversation_id, request.args.get("order", "score"))
    return jsonify(conversation_id=view.conversation.id, order=view.order, unthemed=view.unthemed,
                   themes=[card_json(c) for c in view.cards],
                   not_themes=[{"id": t.id, "label": t.label} for t in view.set_aside])


@bp.get("/manage/themes/<int:theme_id>")
@for_role(Role.LEAD)
def manage_theme(theme_id: int):  # type: ignore[no-untyped-def]
    return _card(theme_id)


@bp.patch("/manage/themes/<int:theme_id>")
@for_role(Role.LEAD)
def edit_theme(theme_id: int):  # type: ignore[no-untyped-def]
    """One change per call: label, summary, pinned or not_a_theme."""
    data = json_body()
    fields = [k for k in ("label", "summary", "pinned", "not_a_theme") if k in data]
    if len(fields) != 1:
        abort(400, "Send exactly one of label, summary, pinned, not_a_theme.")
    theme = _theme(theme_id)
    name = fields[0]
    if name in ("pinned", "not_a_theme") and not isinstance(data[name], bool):
        abort(400, f"{name} must be true or false.")
    {"label": lambda: edits.rename_theme(theme, _str(data, "label")),
     "summary": lambda: edits.set_summary(theme, _str(data, "summary")),
     "pinned": lambda: edits.set_pinned(theme, data["pinned"]),
     "not_a_theme": lambda: edits.set_not_a_theme(theme, data["not_a_theme"])}[name]()
    return _card(theme_id)


@bp.post("/manage/themes/<int:theme_id>/merge")
@for_role(Role.LEAD)
def merge_theme(theme_id: int):  # type: ignore[no-untyped-def]
    data = json_body("target_id")
    source = _theme(theme_id)
    target = edits.merge_themes(source, _theme(_int(data, "target_id")))  # type: ignore[arg-type]
    return _card(target.id)


@bp.post("/manage/themes/<int:theme_id>/split")
@for_role(Role.LEAD)
def split_theme(theme_id: int):  # type: ignore[no-untyped-def]
    """Either {"idea_ids": [...], "label": "..."} or {"recluster": true}."""
    data = json_body()
    theme = _theme(theme_id)
    if data.get("recluster") is True:
        created = edits.recluster_theme(theme)
    else:
        ids = data.get("idea_ids")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            abort(400, "idea_ids must be a list of idea ids.")
        created = [edits.split_theme(theme, ids, _str(data, "label", ""))]
    return jsonify(created=[{"id": t.id, "label": t.label} for t in created]), 201


@bp.post("/manage/conversations/<int:conversation_id>/placements")
@for_role(Role.LEAD)
def place_idea(conversation_id: int):  # type: ignore[no-untyped-def]
    data = json_body("idea_id", "theme_id")
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    edits.move_idea(conversation, _str(data, "idea_id"), _theme(_int(data, "theme_id")))  # type: ignore[arg-type]
    return jsonify(idea_id=data["idea_id"], theme_id=data["theme_id"])


@bp.put("/manage/themes/<int:theme_id>/status")
@for_role(Role.LEAD)
def theme_status(theme_id: int):  # type: ignore[no-untyped-def]
    data = json_body("status")
    plans.set_status(_theme(theme_id), _str(data, "status"), _str(data, "public_reason", ""))
    return _card(theme_id)


@bp.put("/manage/themes/<int:theme_id>/owner")
@for_role(Role.LEAD)
def theme_owner(theme_id: int):  # type: ignore[no-untyped-def]
    data = json_body("owner")
    plans.set_owner(_theme(theme_id), _str(data, "owner"), _date(data, "due_on"))
    return _card(theme_id)


@bp.put("/manage/themes/<int:theme_id>/rating")
@for_role(Role.LEAD)
def theme_rating(theme_id: int):  # type: ignore[no-untyped-def]
    data = json_body()
    plans.rate(_theme(theme_id), _int(data, "impact", optional=True), _int(data, "effort", optional=True))
    return _card(theme_id)


@bp.put("/manage/themes/<int:theme_id>/rank")
@for_role(Role.LEAD)
def theme_rank(theme_id: int):  # type: ignore[no-untyped-def]
    data = json_body()
    plans.set_rank(_theme(theme_id), _int(data, "rank", optional=True))
    return _card(theme_id)


@bp.post("/manage/themes/<int:theme_id>/actions")
@for_role(Role.LEAD)
def theme_action(theme_id: int):  # type: ignore[no-untyped-def]
    data = json_body("text")
    action = plans.add_action(_theme(theme_id), _str(data, "text"), _str(data, "owner", ""), _date(data, "due_on"))
    return jsonify(id=action.id, text=action.text, owner=action.owner, done=action.done,
                   due_on=action.due_on.isoformat() if action.due_on else None), 201


@bp.patch("/manage/themes/<int:theme_id>/actions/<int:action_id>")
@for_role(Role.LEAD)
def theme_action_done(theme_id: int, action_id: int):  # type: ignore[no-untyped-def]
    data = json_body("done")
    if not isinstance(data["done"], bool):
        abort(400, "done must be true or false.")
    action = plans.set_action_done(_theme(theme_id), action_id, data["done"])
    return jsonify(id=action.id, text=action.text, done=action.done)


@bp.put("/manage/themes/<int:theme_id>/outcome")
@for_role(Role.LEAD)
def theme_outcome(theme_id: int):  # type: ignore[no-untyped-def]
    data = json_body("heard", "will_do", "by_whom")
    outcome = outcomes.publish_outcome(_theme(theme_id), _str(data, "heard"), _str(data, "will_do"),
                                       _str(data, "by_whom"), _date(data, "by_when"))
    return jsonify(_outcome_json(outcome))


@bp.post("/manage/themes/<int:theme_id>/outcome/updates")
@for_role(Role.LEAD)
def theme_outcome_update(theme_id: int):  # type: ignore[no-untyped-def]
    data = json_body("body")
    update = outcomes.add_progress_update(_theme(theme_id), _str(data, "body"))
    return jsonify(body=update.body, on=update.created_at.date().isoformat()), 201


@bp.get("/manage/conversations/<int:conversation_id>/ranking")
@for_role(Role.LEAD)
def pairwise_ranking(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    rows = [{"id": r.item.id, "label": r.item.label, "score": r.score, "lower": r.lower, "upper": r.upper,
             "comparisons": r.comparisons} for r in pairwise.ranking(conversation)]
    kind = pairwise.compared_kind(conversation)
    return jsonify(compared=kind, **{"themes" if kind == "theme" else "ideas": rows})


@bp.get("/manage/conversations/<int:conversation_id>/pairwise")
@for_role(Role.LEAD)
def pairwise_setup_get(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    return jsonify(_setup_json(conversation))


@bp.put("/manage/conversations/<int:conversation_id>/pairwise")
@for_role(Role.LEAD)
def pairwise_setup_put(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    data = json_body("items")
    question_id = _int(data, "question_id", optional=True)
    picked = data.get("picked")
    if picked is not None and (not isinstance(picked, list) or not all(isinstance(i, str) for i in picked)):
        abort(400, "The field 'picked' must be a list of idea ids.")
    if picked is not None:
        pairs.configure(conversation, _str(data, "items"), question_id, picked)
    else:
        pairs.choose_items(conversation, _str(data, "items"), question_id)
    return jsonify(_setup_json(conversation))


def _setup_json(conversation: Conversation) -> dict[str, Any]:
    chosen = pairs.setup(conversation)
    return {"items": chosen.items.value, "question_id": chosen.question.id if chosen.question else None,
            "compared": [{"id": i.id, "label": i.label} for i in pairwise.items(conversation)]}


@bp.get("/conversations/<int:conversation_id>/pairs/next")
def next_pair(conversation_id: int):  # type: ignore[no-untyped-def]
    pair = pairwise.next_comparison(acting(), conversation_id)
    if pair is None:
        return jsonify(pair=None)
    return jsonify(pair={"kind": pair.left.kind,
                         "left": {"id": pair.left.id, "label": pair.left.label, "summary": pair.left.summary},
                         "right": {"id": pair.right.id, "label": pair.right.label, "summary": pair.right.summary},
                         "answered": pair.answered})


@bp.post("/conversations/<int:conversation_id>/pairs")
def answer_pair(conversation_id: int):  # type: ignore[no-untyped-def]
    data = json_body("left_id", "right_id", "choice")
    pairwise.record_choice(acting(), conversation_id, _id(data, "left_id"), _id(data, "right_id"),
                             _str(data, "choice"))
    return jsonify(recorded=True), 201


def _outcomes_page_json(page: outcomes.OutcomesPage) -> dict[str, Any]:
    return {"title": page.title, "conversations": [
        {"id": conversation.id, "title": conversation.title, "themes": [
            {"id": i.theme.id, "label": i.theme.label, "status": i.status.value, "public_reason": i.public_reason or None,
             "outcome": _outcome_json(i.outcome)} for i in items]}
        for conversation, items in page.conversations]}


@bp.get("/conversations/<int:conversation_id>/outcomes")
def conversation_outcomes(conversation_id: int):  # type: ignore[no-untyped-def]
    return jsonify(_outcomes_page_json(outcomes.conversation_outcomes(acting(), conversation_id)))


@bp.get("/organisations/<int:organisation_id>/outcomes")
def organisation_outcomes(organisation_id: int):  # type: ignore[no-untyped-def]
    return jsonify(_outcomes_page_json(outcomes.organisation_outcomes(acting(), organisation_id)))


@bp.get("/me/outcome-notices")
def outcome_notices():  # type: ignore[no-untyped-def]
    if getattr(current_user, "is_guest", False):
        return jsonify(notices=[])  # guests have no account to remember what they have seen
    notices = outcomes.outcome_notices(acting(), notice_cookie.dismissed())
    return jsonify(notices=[{"conversation_id": n.conversation.id, "theme_id": n.theme.id, "label": n.theme.label,
                             "updated": n.is_update} for n in notices])


@bp.post("/me/outcome-notices/seen")
def outcome_notices_seen():  # type: ignore[no-untyped-def]
    response = current_app.make_response(("", 204))
    if not getattr(current_user, "is_guest", False):
        notice_cookie.remember(response, [n.token for n in outcomes.outcome_notices(acting(), notice_cookie.dismissed())])
    return response
