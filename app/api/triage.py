"""API: the change-hub lead's triage board, theme edits, plans and outcomes."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from pydantic import BaseModel

from app.api import bp, for_role
from app.api.schemas.triage import (Action, ActionBody, ActionDone, Board, BoardQuery, BoardTheme, Created, DoneBody,
                                    MergeBody, Outcome, OutcomeBody, OwnerBody, Placement, PlacementBody, RankBody,
                                    RatingBody, SetAsideTheme, SplitBody, StatusBody, ThemeCard, ThemeEdit, ThemeRef,
                                    Update, UpdateBody)
from app.api.schemas.common import iso_day
from app.api.spec import READ, WRITE, parsed_json, parsed_query, responses, validate
from app.models import Role
from app.models import Theme as ThemeRow
from app.services import access
from app.services.themes import edits
from app.services.triage import board, outcomes, plans
from app.views import acting


def _theme(theme_id: int) -> ThemeRow:
    return access.get_led_theme(acting().leads, theme_id)


def _card(theme_id: int) -> ThemeCard:
    _, card, theme = board.theme_card(acting().leads, theme_id)
    if card is None:
        return ThemeCard(SetAsideTheme(id=theme.id, label=theme.label))
    return ThemeCard(BoardTheme.of(card))


def _card_route(json: type[BaseModel] | None = None) -> Callable:
    """Validation for a lead's write that answers with the theme's card."""
    return validate(json=json, resp=responses(200, ThemeCard, WRITE))


@bp.get("/manage/conversations/<int:conversation_id>/board")
@for_role(Role.LEAD)
@validate(query=BoardQuery, resp=responses(200, Board, (400, 401, 404)))
def manage_board(conversation_id: int) -> Board:
    """The triage board (change-hub leads; others get 404)."""
    view = board.board(acting().leads, conversation_id, parsed_query().order)
    return Board(conversation_id=view.conversation.id, order=view.order, unthemed=view.unthemed,
                 themes=[BoardTheme.of(c) for c in view.cards],
                 not_themes=[ThemeRef(id=t.id, label=t.label) for t in view.set_aside])


@bp.get("/manage/themes/<int:theme_id>")
@for_role(Role.LEAD)
@validate(resp=responses(200, ThemeCard, READ))
def manage_theme(theme_id: int) -> ThemeCard:
    """One theme's card (change-hub leads; others get 404)."""
    return _card(theme_id)


@bp.patch("/manage/themes/<int:theme_id>")
@for_role(Role.LEAD)
@_card_route(ThemeEdit)
def edit_theme(theme_id: int) -> ThemeCard:
    """Rename, summarise, pin or mark not a theme: exactly one field per call (change-hub leads; others get 404)."""
    data: ThemeEdit = parsed_json()
    fields = [name for name in ("label", "summary", "pinned", "not_a_theme") if getattr(data, name) is not None]
    if len(fields) != 1:
        abort(400, "Send exactly one of label, summary, pinned, not_a_theme.")
    theme = _theme(theme_id)
    if data.label is not None:
        edits.rename_theme(theme, data.label)
    elif data.summary is not None:
        edits.set_summary(theme, data.summary)
    elif data.pinned is not None:
        edits.set_pinned(theme, data.pinned)
    elif data.not_a_theme is not None:
        edits.set_not_a_theme(theme, data.not_a_theme)
    return _card(theme_id)


@bp.post("/manage/themes/<int:theme_id>/merge")
@for_role(Role.LEAD)
@_card_route(MergeBody)
def merge_theme(theme_id: int) -> ThemeCard:
    """Merge this theme into target_id; later runs redirect it (change-hub leads; others get 404)."""
    source = _theme(theme_id)
    return _card(edits.merge_themes(source, _theme(parsed_json().target_id)).id)


@bp.post("/manage/themes/<int:theme_id>/split")
@for_role(Role.LEAD)
@validate(json=SplitBody, resp=responses(201, Created, WRITE))
def split_theme(theme_id: int) -> tuple[Created, int]:
    """Split chosen ideas into a new theme, or re-cluster just this theme (change-hub leads; others get 404)."""
    data: SplitBody = parsed_json()
    theme = _theme(theme_id)
    if data.recluster:
        created = edits.recluster_theme(theme)
    elif data.idea_ids is None:
        abort(400, "idea_ids must be a list of idea ids.")
    else:
        created = [edits.split_theme(theme, data.idea_ids, data.label)]
    return Created(created=[ThemeRef(id=t.id, label=t.label) for t in created]), 201


@bp.post("/manage/conversations/<int:conversation_id>/placements")
@for_role(Role.LEAD)
@validate(json=PlacementBody, resp=responses(200, Placement, WRITE))
def place_idea(conversation_id: int) -> Placement:
    """Move one idea into a theme; later runs keep it there (change-hub leads; others get 404)."""
    data: PlacementBody = parsed_json()
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    edits.move_idea(conversation, data.idea_id, _theme(data.theme_id))
    return Placement(idea_id=data.idea_id, theme_id=data.theme_id)


@bp.put("/manage/themes/<int:theme_id>/status")
@for_role(Role.LEAD)
@_card_route(StatusBody)
def theme_status(theme_id: int) -> ThemeCard:
    """Move the theme along the workflow; not_taking_forward needs public_reason (change-hub leads; others get 404)."""
    data: StatusBody = parsed_json()
    plans.set_status(_theme(theme_id), data.status, data.public_reason)
    return _card(theme_id)


@bp.put("/manage/themes/<int:theme_id>/owner")
@for_role(Role.LEAD)
@_card_route(OwnerBody)
def theme_owner(theme_id: int) -> ThemeCard:
    """Owner (free text) and due date (change-hub leads; others get 404)."""
    data: OwnerBody = parsed_json()
    plans.set_owner(_theme(theme_id), data.owner, data.due_on)
    return _card(theme_id)


@bp.put("/manage/themes/<int:theme_id>/rating")
@for_role(Role.LEAD)
@_card_route(RatingBody)
def theme_rating(theme_id: int) -> ThemeCard:
    """Impact and effort, 1 to 5 each, or both null (change-hub leads; others get 404)."""
    data: RatingBody = parsed_json()
    plans.rate(_theme(theme_id), data.impact, data.effort)
    return _card(theme_id)


@bp.put("/manage/themes/<int:theme_id>/rank")
@for_role(Role.LEAD)
@_card_route(RankBody)
def theme_rank(theme_id: int) -> ThemeCard:
    """Manual position on the board, null to follow the score (change-hub leads; others get 404)."""
    plans.set_rank(_theme(theme_id), parsed_json().rank)
    return _card(theme_id)


@bp.post("/manage/themes/<int:theme_id>/actions")
@for_role(Role.LEAD)
@validate(json=ActionBody, resp=responses(201, Action, WRITE))
def theme_action(theme_id: int) -> tuple[Action, int]:
    """Add an action (change-hub leads; others get 404)."""
    data: ActionBody = parsed_json()
    action = plans.add_action(_theme(theme_id), data.text, data.owner, data.due_on)
    return Action(id=action.id, text=action.text, owner=action.owner, done=action.done,
                  due_on=iso_day(action.due_on)), 201


@bp.patch("/manage/themes/<int:theme_id>/actions/<int:action_id>")
@for_role(Role.LEAD)
@validate(json=DoneBody, resp=responses(200, ActionDone, WRITE))
def theme_action_done(theme_id: int, action_id: int) -> ActionDone:
    """Mark an action done or not (change-hub leads; others get 404)."""
    action = plans.set_action_done(_theme(theme_id), action_id, parsed_json().done)
    return ActionDone(id=action.id, text=action.text, done=action.done)


@bp.put("/manage/themes/<int:theme_id>/outcome")
@for_role(Role.LEAD)
@validate(json=OutcomeBody, resp=responses(200, Outcome, WRITE))
def theme_outcome(theme_id: int) -> Outcome:
    """Publish or rewrite the theme's "You said, we did" (change-hub leads; others get 404)."""
    data: OutcomeBody = parsed_json()
    outcome = outcomes.publish_outcome(_theme(theme_id), data.heard, data.will_do, data.by_whom, data.by_when)
    return Outcome.of(outcome)


@bp.post("/manage/themes/<int:theme_id>/outcome/updates")
@for_role(Role.LEAD)
@validate(json=UpdateBody, resp=responses(201, Update, WRITE))
def theme_outcome_update(theme_id: int) -> tuple[Update, int]:
    """Add a progress update to a published outcome (change-hub leads; others get 404)."""
    update = outcomes.add_progress_update(_theme(theme_id), parsed_json().body)
    return Update(body=update.body, on=iso_day(update.created_at)), 201
