"""A theme's plan: the status workflow, owner and due date, impact/effort rating, manual rank and actions.

Only change-hub leads reach these functions (views pass the person's lead organisations and the service
looks the theme up through them); "not taking forward" needs a public reason, because staff see it.
"""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import Theme, ThemeAction, ThemePlan, ThemeStatus
from app.services.common.errors import InvalidInput, NotFound
from app.services.themes.edits import plan_for

OWNER_MAX = 160
ACTION_MAX = 500
REASON_MAX = 2000

S = ThemeStatus
# Forward one step, back one step, or set aside with a reason from anywhere; a set-aside theme can be reopened.
TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.UNDER_REVIEW, S.NOT_TAKING_FORWARD},
    S.UNDER_REVIEW: {S.NEW, S.PRIORITISED, S.NOT_TAKING_FORWARD},
    S.PRIORITISED: {S.UNDER_REVIEW, S.IN_PROGRESS, S.NOT_TAKING_FORWARD},
    S.IN_PROGRESS: {S.PRIORITISED, S.DONE, S.NOT_TAKING_FORWARD},
    S.DONE: {S.IN_PROGRESS},
    S.NOT_TAKING_FORWARD: {S.UNDER_REVIEW},
}


def allowed_next(plan: ThemePlan | None) -> list[ThemeStatus]:
    current = S(plan.status if plan else S.NEW)
    return [s for s in S if s in TRANSITIONS[current]]


def set_status(theme: Theme, status: str, public_reason: str = "") -> ThemePlan:
    """Move a theme along the workflow; "not taking forward" requires a public reason."""
    if status not in {s.value for s in S}:
        raise InvalidInput("Choose a status", field="status")
    plan = plan_for(theme)
    if plan.merged_into_id is not None:
        raise InvalidInput("This theme has been merged into another one", field="status")
    current = S(plan.status)
    if status != current and status not in TRANSITIONS[current]:
        allowed = ", ".join(s.label.lower() for s in allowed_next(plan))
        raise InvalidInput(f"A theme that is {current.label.lower()} can move to: {allowed}", field="status")
    reason = (public_reason or "").strip()
    if status == S.NOT_TAKING_FORWARD:
        if len(reason) < 10:
            raise InvalidInput("Give staff a reason why this is not being taken forward (at least 10 characters)",
                               field="public_reason")
        if len(reason) > REASON_MAX:
            raise InvalidInput(f"The reason must be {REASON_MAX:,} characters or fewer", field="public_reason")
        plan.public_reason = reason
    plan.status = status
    db.session.commit()
    return plan


def _date(value: date | None) -> date | None:
    if value is not None and not isinstance(value, date):
        raise InvalidInput("Enter a real date", field="due_on")
    return value


def set_owner(theme: Theme, owner: str, due_on: date | None) -> ThemePlan:
    """Who owns the theme (a name or role, free text) and when it is due."""
    owner = " ".join((owner or "").split())
    if len(owner) > OWNER_MAX:
        raise InvalidInput(f"The owner must be {OWNER_MAX} characters or fewer", field="owner")
    plan = plan_for(theme)
    plan.owner, plan.due_on = owner, _date(due_on)
    db.session.commit()
    return plan


def rate(theme: Theme, impact: int | None, effort: int | None) -> ThemePlan:
    """The lead's own impact and effort rating, 1 to 5 each (both or neither)."""
    for name, value in (("impact", impact), ("effort", effort)):
        if value is not None and (not isinstance(value, int) or not 1 <= value <= 5):
            raise InvalidInput(f"Choose {name} from 1 to 5", field=name)
    if (impact is None) != (effort is None):
        raise InvalidInput("Rate both impact and effort, or neither", field="impact" if impact is None else "effort")
    plan = plan_for(theme)
    plan.impact, plan.effort = impact, effort
    db.session.commit()
    return plan


def set_rank(theme: Theme, rank: int | None) -> ThemePlan:
    """A lead's own position for the theme (1 = first), overriding the score order when sorting by it."""
    if rank is not None and (not isinstance(rank, int) or not 1 <= rank <= 999):
        raise InvalidInput("Enter a position from 1 to 999", field="rank")
    plan = plan_for(theme)
    plan.manual_rank = rank
    db.session.commit()
    return plan


def add_action(theme: Theme, text: str, owner: str = "", due_on: date | None = None) -> ThemeAction:
    text = " ".join((text or "").split())
    if not 3 <= len(text) <= ACTION_MAX:
        raise InvalidInput(f"Describe the action in 3 to {ACTION_MAX} characters", field="text")
    owner = " ".join((owner or "").split())
    if len(owner) > OWNER_MAX:
        raise InvalidInput(f"The owner must be {OWNER_MAX} characters or fewer", field="owner")
    action = ThemeAction(theme_id=theme.id, text=text, owner=owner, due_on=_date(due_on))
    db.session.add(action)
    db.session.commit()
    return action


def set_action_done(theme: Theme, action_id: int, done: bool) -> ThemeAction:
    action = db.session.get(ThemeAction, action_id)
    if action is None or action.theme_id != theme.id:
        raise NotFound("We could not find that action.")
    action.done = bool(done)
    db.session.commit()
    return action
