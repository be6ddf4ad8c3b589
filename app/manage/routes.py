"""Triage pages for change-hub leads. Each view parses input, calls one service, and renders or redirects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.manage import bp
from app.manage.charts import matrix_svg, quadrant
from app.manage.forms import (
    ActionForm,
    FlagForm,
    MergeForm,
    MoveForm,
    OutcomeForm,
    OwnerForm,
    PlaceForm,
    ProgressForm,
    RankForm,
    RatingForm,
    RenameForm,
    SplitForm,
    StatusForm,
    SummaryForm,
)
from app.models import Theme, ThemeStatus
from app.services import access
from app.services.triage import outcomes
from app.services.triage import plans
from app.services.themes import edits
from app.services.themes import pending, runs
from app.services.themes import unthemed
from app.services.triage import board as triage
from app.services.common.errors import ServiceError
from app.views import acting, flash_refusal, refuse_on


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("manage/index.html", conversations=triage.led_conversations(acting().leads))


@bp.get("/conversations/<int:conversation_id>")
def board(conversation_id: int) -> ResponseReturnValue:
    view = triage.board(acting().leads, conversation_id, request.args.get("order", "score"))
    return render_template("manage/board.html", board=view, conversation=view.conversation, orders=triage.ORDERS,
                           run_form=FlagForm(value="run"), run_progress=pending.pending_for(view.conversation.id))


@bp.get("/conversations/<int:conversation_id>/unthemed")
def unthemed_list(conversation_id: int, form: PlaceForm | None = None, status: int = 200) -> ResponseReturnValue:
    view = unthemed.unthemed_ideas(acting().leads, conversation_id)
    return render_template("manage/unthemed.html", view=view, conversation=view.conversation,
                           form=form or PlaceForm()), status


@bp.post("/conversations/<int:conversation_id>/unthemed")
def place_unthemed(conversation_id: int) -> ResponseReturnValue:
    view = unthemed.unthemed_ideas(acting().leads, conversation_id)
    form = PlaceForm()
    form.theme_id.choices = view.themes
    if not form.validate_on_submit():
        return unthemed_list(conversation_id, form, 400)
    try:
        unthemed.place_unthemed_idea(acting().leads, conversation_id, form.idea_id.data or "", form.theme_id.data)
    except ServiceError as error:
        flash_refusal(error)
    else:
        flash("The idea has been placed in the theme. Later theme runs keep it there.", "success")
    return redirect(url_for("manage.unthemed_list", conversation_id=conversation_id))


@bp.post("/conversations/<int:conversation_id>/run")
def run_themes(conversation_id: int) -> ResponseReturnValue:
    form = FlagForm()
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    if form.validate_on_submit():
        try:
            runs.request_on_demand_run(conversation.id)
        except ServiceError as error:
            flash_refusal(error)  # too soon after the last update
        else:
            flash("The themes are being updated. Refresh the page in a minute to see the latest.", "info")
    return redirect(url_for("manage.board", conversation_id=conversation.id))


@bp.get("/conversations/<int:conversation_id>/matrix")
def matrix(conversation_id: int) -> ResponseReturnValue:
    view = triage.board(acting().leads, conversation_id)
    rated = [c for c in view.cards if c.plan.impact and c.plan.effort]
    points = [(n, c.snapshot.label, c.plan.impact or 0, c.plan.effort or 0) for n, c in enumerate(rated, start=1)]
    return render_template("manage/matrix.html", board=view, conversation=view.conversation, rated=rated,
                           svg=matrix_svg(points), quadrant=quadrant,
                           unrated=[c for c in view.cards if not (c.plan.impact and c.plan.effort)])


# --- one theme -------------------------------------------------------------------------------------

def _theme_page(theme_id: int, status: int = 200, **forms: Any) -> tuple[str, int]:
    view, card, theme = triage.theme_card(acting().leads, theme_id)
    plan = card.plan if card else edits.plan_for(theme)
    others = [(c.theme.id, c.snapshot.label) for c in view.cards if c.theme.id != theme.id]
    merge = forms.get("merge") or MergeForm()
    merge.target_id.choices = [(0, "Choose a theme")] + others
    status_form = forms.get("status_form") or StatusForm(status=plan.status, public_reason=plan.public_reason)
    allowed = {s.value for s in plans.allowed_next(plan)} | {plan.status}
    status_form.status.choices = [(s.value, s.label) for s in ThemeStatus if s.value in allowed]
    outcome = card.outcome if card else None
    defaults = {
        "rename": RenameForm(label=theme.label), "summary": SummaryForm(summary=theme.summary),
        "owner": OwnerForm(owner=plan.owner, due_on=plan.due_on),
        "rating": RatingForm(impact=str(plan.impact) if plan.impact else None, effort=str(plan.effort) if plan.effort else None),
        "rank": RankForm(rank=plan.manual_rank), "action": ActionForm(), "split": SplitForm(),
        "outcome": OutcomeForm(obj=outcome) if outcome else OutcomeForm(), "progress": ProgressForm(),
    }
    defaults.update({k: v for k, v in forms.items() if k in defaults})
    ideas = triage.theme_ideas(theme) if card else []
    return render_template(
        "manage/theme.html", theme=theme, card=card, plan=plan, board=view, conversation=view.conversation,
        ideas=ideas, others=others, merge=merge, status_form=status_form, flag=FlagForm(), move=MoveForm(),
        forms=defaults, status=ThemeStatus(plan.status), merged_into=plan.merged_into_id,
    ), status


@bp.get("/themes/<int:theme_id>")
def theme(theme_id: int) -> ResponseReturnValue:
    return _theme_page(theme_id)


def _edit(theme_id: int, form_name: str, form: Any, action: Callable[[Theme, Any], object], done: str,
          anchor: str = "") -> ResponseReturnValue:
    """Validate `form`, run `action(theme, form)`, then redirect with `done` (to the URL it returns, if any)."""
    found = access.get_led_theme(acting().leads, theme_id)
    if form.validate_on_submit():
        try:
            result = action(found, form)
        except ServiceError as error:
            if getattr(form, error.field or "", None) is None:
                flash_refusal(error)
                return redirect(url_for("manage.theme", theme_id=theme_id))
            refuse_on(form, error, error.field or "")
        else:
            flash(done, "success")
            target = result if isinstance(result, str) else url_for("manage.theme", theme_id=theme_id, _anchor=anchor or None)
            return redirect(target)
    return _theme_page(theme_id, 400, **{form_name: form})


@bp.post("/themes/<int:theme_id>/rename")
def rename(theme_id: int) -> ResponseReturnValue:
    return _edit(theme_id, "rename", RenameForm(), lambda t, f: edits.rename_theme(t, f.label.data),
                 "The theme has been renamed. Later theme runs keep this name.")


@bp.post("/themes/<int:theme_id>/summary")
def summary(theme_id: int) -> ResponseReturnValue:
    return _edit(theme_id, "summary", SummaryForm(), lambda t, f: edits.set_summary(t, f.summary.data),
                 "The summary has been saved.")


@bp.post("/themes/<int:theme_id>/pin")
def pin(theme_id: int) -> ResponseReturnValue:
    return _edit(theme_id, "flag", FlagForm(), lambda t, f: edits.set_pinned(t, f.value.data == "on"),
                 "The theme has been updated.")


@bp.post("/themes/<int:theme_id>/not-a-theme")
def not_a_theme(theme_id: int) -> ResponseReturnValue:
    def act(t: Theme, f: FlagForm) -> str | None:
        edits.set_not_a_theme(t, f.value.data == "on")
        return url_for("manage.board", conversation_id=t.conversation_id) if f.value.data == "on" else None

    return _edit(theme_id, "flag", FlagForm(), act, "The theme has been updated.")


@bp.post("/themes/<int:theme_id>/merge")
def merge(theme_id: int) -> ResponseReturnValue:
    form = MergeForm()
    view, _, _ = triage.theme_card(acting().leads, theme_id)
    form.target_id.choices = [(0, "Choose a theme")] + [(c.theme.id, c.snapshot.label) for c in view.cards]

    def act(t: Theme, f: MergeForm) -> str | None:
        target = access.get_led_theme(acting().leads, f.target_id.data)
        return url_for("manage.theme", theme_id=edits.merge_themes(t, target).id)

    return _edit(theme_id, "merge", form, act, "The themes have been merged. Later theme runs keep them together.")


@bp.post("/themes/<int:theme_id>/split")
def split(theme_id: int) -> ResponseReturnValue:
    chosen = request.form.getlist("idea_ids")

    def act(t: Theme, f: SplitForm) -> str | None:
        return url_for("manage.theme", theme_id=edits.split_theme(t, chosen, f.label.data or "").id)

    return _edit(theme_id, "split", SplitForm(), act, "A new theme has been made from the ideas you chose.")


@bp.post("/themes/<int:theme_id>/recluster")
def recluster(theme_id: int) -> ResponseReturnValue:
    def act(t: Theme, f: FlagForm) -> str | None:
        edits.recluster_theme(t)
        return None

    return _edit(theme_id, "flag", FlagForm(), act, "The theme has been split into smaller themes.")


@bp.post("/themes/<int:theme_id>/move")
def move(theme_id: int) -> ResponseReturnValue:
    form = MoveForm()
    view, _, _ = triage.theme_card(acting().leads, theme_id)
    form.target_id.choices = [(c.theme.id, c.snapshot.label) for c in view.cards]

    def act(t: Theme, f: MoveForm) -> str | None:
        target = access.get_led_theme(acting().leads, f.target_id.data)
        edits.move_idea(view.conversation, f.idea_id.data or "", target)
        return None

    return _edit(theme_id, "move", form, act, "The idea has been moved. Later theme runs keep it there.", "ideas")


@bp.post("/themes/<int:theme_id>/status")
def status(theme_id: int) -> ResponseReturnValue:
    form = StatusForm()
    return _edit(theme_id, "status_form", form,
                 lambda t, f: plans.set_status(t, f.status.data, f.public_reason.data),
                 "The status has been changed.", "plan")


@bp.post("/themes/<int:theme_id>/owner")
def owner(theme_id: int) -> ResponseReturnValue:
    return _edit(theme_id, "owner", OwnerForm(), lambda t, f: plans.set_owner(t, f.owner.data, f.due_on.data),
                 "The owner and due date have been saved.", "plan")


@bp.post("/themes/<int:theme_id>/rating")
def rating(theme_id: int) -> ResponseReturnValue:
    return _edit(theme_id, "rating", RatingForm(),
                 lambda t, f: plans.rate(t, int(f.impact.data), int(f.effort.data)),
                 "Your rating has been saved.", "priority")


@bp.post("/themes/<int:theme_id>/rank")
def rank(theme_id: int) -> ResponseReturnValue:
    return _edit(theme_id, "rank", RankForm(), lambda t, f: plans.set_rank(t, f.rank.data),
                 "The position has been saved.", "priority")


@bp.post("/themes/<int:theme_id>/actions")
def add_action(theme_id: int) -> ResponseReturnValue:
    return _edit(theme_id, "action", ActionForm(),
                 lambda t, f: plans.add_action(t, f.text.data, f.owner.data, f.due_on.data),
                 "The action has been added.", "actions")


@bp.post("/themes/<int:theme_id>/actions/<int:action_id>/done")
def action_done(theme_id: int, action_id: int) -> ResponseReturnValue:
    return _edit(theme_id, "flag", FlagForm(),
                 lambda t, f: plans.set_action_done(t, action_id, f.value.data == "on"),
                 "The action has been updated.", "actions")


@bp.post("/themes/<int:theme_id>/outcome")
def publish_outcome(theme_id: int) -> ResponseReturnValue:
    return _edit(theme_id, "outcome", OutcomeForm(),
                 lambda t, f: outcomes.publish_outcome(t, f.heard.data, f.will_do.data, f.by_whom.data, f.by_when.data),
                 "The outcome has been published. Staff who took part will see a notice at their next visit.", "outcome")


@bp.post("/themes/<int:theme_id>/progress")
def progress(theme_id: int) -> ResponseReturnValue:
    return _edit(theme_id, "progress", ProgressForm(),
                 lambda t, f: outcomes.add_progress_update(t, f.body.data),
                 "The progress update has been published.", "outcome")


from app.manage import exports, framework_routes, prioritise  # noqa: E402,F401  (register routes)
