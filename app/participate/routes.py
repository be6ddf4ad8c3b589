"""Participation pages. Each view parses input, calls one service, and renders or redirects."""

from __future__ import annotations

from urllib.parse import quote

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from app.models import ContentStatus, Conversation
from app.participate import bp
from app.participate.forms import CommentForm, ConfirmForm, EditCommentForm, EditIdeaForm, IdeaForm, VoteForm
from app.ratelimit import posting_limit
from app.services import access
from app.services.content import comments
from app.services.content import grace
from app.services.content import ideas
from app.services.themes import reading
from app.services.content import voting
from app.services.common.errors import ServiceError
from app.services.content.listing import idea_detail, list_ideas, my_posts, sort_labels
from app.services.conversations.stages import STAGES
from app.services.speakup.threads import my_threads, thread_of
from app.urls import safe_next
from app.views import acting, flash_refusal, page_arg, refuse_on


HELD_MESSAGE = ("Thank you. Your {kind} has been sent to the moderators and will appear once they approve it. "
                "You can see it in “My ideas and comments”.")
WAITING_MESSAGE = ("Thank you. Your {kind} is waiting to be published with the next batch of posts, so nobody can "
                   "tell who wrote it from when it appears. You can see it in “My ideas and comments”.")
SENT_MESSAGE = ("Your {kind} has also been sent to the Freedom to Speak Up Guardian, who will not know who wrote it. "
                "Their replies will appear in “My ideas and comments”.")


def held_message(kind: str, status: str) -> str:
    """What to tell an author whose post is not visible yet: held for a moderator, or waiting for a batch."""
    return (WAITING_MESSAGE if status == ContentStatus.WAITING else HELD_MESSAGE).format(kind=kind)


@bp.app_template_global()
def author_may(conversation: Conversation, action: grace.AuthorAction) -> bool:
    """For templates: may an author edit or withdraw their own post now (open, or the grace period)?"""
    return grace.may_change(conversation, action)


bp.add_app_template_global(grace.grace_ends, "grace_ends")
bp.add_app_template_global(grace.in_grace_period, "in_grace_period")


def _fail_on(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's refusal beside the form field it concerns (a 404 stays a 404)."""
    refuse_on(form, error, "body")
    # Only after a warning does the form offer "post it anyway" (the checkbox is shown when set).
    form.identifying_spans = getattr(error, "spans", None)


@bp.get("/")
def home() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return render_template("participate/landing.html")
    return render_template("participate/home.html", conversations=access.visible_conversations(acting()))


@bp.get("/conversations/<int:conversation_id>")
def conversation(conversation_id: int) -> ResponseReturnValue:
    found = access.get_conversation(acting(), conversation_id)
    return render_template("participate/conversation.html", conversation=found, named_mode=found.named_mode)


def _question_page(question_id: int, form: IdeaForm | None, status: int = 200) -> tuple[str, int]:
    """The page of a question's ideas with its idea form: `form` None is the empty form a first showing has, built
    only if the page must render it afresh (fragments.kept_form)."""
    page = list_ideas(acting(), question_id, request.args.get("sort", "random"), page_arg(), request.args.get("stage"),
                      guardian=True)
    conversation = page.question.conversation
    return render_template(
        "participate/question.html", page=page, conversation=conversation, form=form, new_form=IdeaForm,
        sorts=sort_labels(conversation.voting_mode),
        named_mode=conversation.named_mode, stages=STAGES,
        facilitator=conversation.organisation_id in acting().facilitates,
    ), status


@bp.get("/questions/<int:question_id>")
def question(question_id: int) -> ResponseReturnValue:
    return _question_page(question_id, None)


@bp.post("/questions/<int:question_id>/ideas")
@posting_limit
def post_idea(question_id: int) -> ResponseReturnValue:
    form = IdeaForm()
    if form.validate_on_submit():
        if form.similar_checked.data != "1":
            form.similar_checked.data = "1"
            form.similar = reading.similar_to_draft(acting(), question_id, form.body.data or "")
            if form.similar:  # without JavaScript: one step to support an existing idea instead
                return _question_page(question_id, form)
        try:
            idea, created = ideas.post_idea(acting(), question_id, form.body.data or "", client_token=form.client_token.data,
                allow_identifying=form.confirm_identifying.data, to_guardian=form.to_guardian.data)
        except ServiceError as error:
            _fail_on(form, error)
        else:
            if form.to_guardian.data:
                flash(SENT_MESSAGE.format(kind="idea"), "success")
            if idea.status != ContentStatus.PUBLISHED:
                flash(held_message("idea", idea.status), "success")
                return redirect(url_for("participate.mine", conversation_id=idea.conversation_id))
            flash("Your idea has been posted." if created else "Your idea was already posted.", "success")
            return redirect(url_for("participate.idea", idea_id=idea.id))
    return _question_page(question_id, form, 400)


def _idea_page(idea_id: str, comment_form: CommentForm, status: int = 200) -> tuple[str, int]:
    detail = idea_detail(acting(), idea_id)
    conversation = detail.card.idea.conversation
    sent = thread_of(acting(), "idea", idea_id) if detail.card.mine else None
    return render_template(
        "participate/idea.html", detail=detail, conversation=conversation, comment_form=comment_form, sent_thread=sent,
        vote_form=VoteForm(), confirm_form=ConfirmForm(), named_mode=conversation.named_mode,
        facilitator=conversation.organisation_id in acting().facilitates,
    ), status


@bp.get("/ideas/<idea_id>")
def idea(idea_id: str) -> ResponseReturnValue:
    return _idea_page(idea_id, CommentForm())


@bp.post("/ideas/<idea_id>/comments")
@posting_limit
def add_comment(idea_id: str) -> ResponseReturnValue:
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment, _ = comments.add_comment(acting(), idea_id, form.body.data or "", client_token=form.client_token.data,
                allow_identifying=form.confirm_identifying.data, to_guardian=form.to_guardian.data)
        except ServiceError as error:
            _fail_on(form, error)
        else:
            if form.to_guardian.data:
                flash(SENT_MESSAGE.format(kind="comment"), "success")
            if comment.status != ContentStatus.PUBLISHED:
                flash(held_message("comment", comment.status), "success")
                return redirect(url_for("participate.idea", idea_id=idea_id, _anchor="comments"))
            flash("Your comment has been added.", "success")
            return redirect(url_for("participate.idea", idea_id=idea_id, _anchor="comments"))
    return _idea_page(idea_id, form, 400)


def _back_to_idea(idea_id: str) -> str:
    """Where a vote returns: the list it came from, at the idea's card (so a long page keeps its place)."""
    target = request.form.get("next")
    if not target:
        return url_for("participate.idea", idea_id=idea_id)
    page = safe_next(target, "participate.home")
    if page != target:  # refused (another site, say): the home page, with no anchor
        return page
    return f"{page.split('#', 1)[0]}#idea-{quote(idea_id, safe='')}"


@bp.post("/ideas/<idea_id>/vote")
@posting_limit
def vote(idea_id: str) -> ResponseReturnValue:
    form = VoteForm()
    back = _back_to_idea(idea_id)
    if not form.validate_on_submit():
        flash("Choose how you vote.", "error")
        return redirect(back)
    try:
        voting.cast_vote(acting(), idea_id, form.choice.data)
    except ServiceError as error:
        flash_refusal(error)
    return redirect(back)


@bp.post("/ideas/<idea_id>/vote/withdraw")
@posting_limit
def withdraw_vote(idea_id: str) -> ResponseReturnValue:
    form = ConfirmForm()
    back = _back_to_idea(idea_id)
    if form.validate_on_submit():
        try:
            voting.withdraw_vote(acting(), idea_id)
        except ServiceError as error:
            flash_refusal(error)
    return redirect(back)


@bp.route("/ideas/<idea_id>/edit", methods=["GET", "POST"])
@posting_limit
def edit_idea(idea_id: str) -> ResponseReturnValue:
    own = ideas.own_idea(acting(), idea_id)
    form = EditIdeaForm(data={"body": own.body} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            edited = ideas.edit_idea(acting(), idea_id, form.body.data or "", allow_identifying=form.confirm_identifying.data)
        except ServiceError as error:
            _fail_on(form, error)
        else:
            session.pop("notices_none_until", None)
            if edited.status != ContentStatus.PUBLISHED:
                flash(held_message("idea", edited.status), "success")
                return redirect(url_for("participate.mine", conversation_id=edited.conversation_id))
            flash("Your idea has been updated.", "success")
            return redirect(url_for("participate.idea", idea_id=idea_id))
    status = 400 if form.errors else 200
    return render_template("participate/edit.html", form=form, item=own, kind="idea",
                           conversation=own.conversation, named_mode=own.conversation.named_mode), status


@bp.route("/ideas/<idea_id>/withdraw", methods=["GET", "POST"])
@posting_limit
def withdraw_idea(idea_id: str) -> ResponseReturnValue:
    own = ideas.own_idea(acting(), idea_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        conversation_id = own.conversation_id
        ideas.withdraw_idea(acting(), idea_id)
        flash("Your idea has been withdrawn.", "success")
        return redirect(url_for("participate.mine", conversation_id=conversation_id))
    return render_template("participate/withdraw.html", form=form, item=own, kind="idea", conversation=own.conversation)


@bp.route("/comments/<comment_id>/edit", methods=["GET", "POST"])
@posting_limit
def edit_comment(comment_id: str) -> ResponseReturnValue:
    own = comments.own_comment(acting(), comment_id)
    form = EditCommentForm(data={"body": own.body} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            edited = comments.edit_comment(acting(), comment_id, form.body.data or "", allow_identifying=form.confirm_identifying.data)
        except ServiceError as error:
            _fail_on(form, error)
        else:
            if edited.status != ContentStatus.PUBLISHED:
                flash(held_message("comment", edited.status), "success")
                return redirect(url_for("participate.mine", conversation_id=edited.conversation_id))
            flash("Your comment has been updated.", "success")
            return redirect(url_for("participate.idea", idea_id=own.idea_id, _anchor="comments"))
    status = 400 if form.errors else 200
    conversation = own.idea.conversation
    return render_template("participate/edit.html", form=form, item=own, kind="comment",
                           conversation=conversation, named_mode=conversation.named_mode), status


@bp.route("/comments/<comment_id>/withdraw", methods=["GET", "POST"])
@posting_limit
def withdraw_comment(comment_id: str) -> ResponseReturnValue:
    own = comments.own_comment(acting(), comment_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        idea_id = own.idea_id
        comments.withdraw_comment(acting(), comment_id)
        flash("Your comment has been withdrawn.", "success")
        return redirect(url_for("participate.idea", idea_id=idea_id, _anchor="comments"))
    return render_template("participate/withdraw.html", form=form, item=own, kind="comment",
                           conversation=own.idea.conversation)


@bp.get("/conversations/<int:conversation_id>/mine")
def mine(conversation_id: int) -> ResponseReturnValue:
    posts = my_posts(acting(), conversation_id)
    sent = my_threads(acting(), posts.conversation) if not posts.archived else []
    return render_template("participate/mine.html", posts=posts, conversation=posts.conversation,
                           named_mode=posts.conversation.named_mode, sent=sent,
                           sent_ids={t.post.id: t.thread for t in sent})
