"""The Freedom to Speak Up route for authors: what it is, sending a post (when posting or afterwards), and the thread.

The author's threads are found from their own author tags; no page here writes anything because someone visits.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from app.models import Conversation, Idea
from app.participate import bp
from app.participate.forms import GuardianMessageForm, SendToGuardianForm
from app.ratelimit import posting_limit
from app.services import access
from app.services.common.errors import ServiceError
from app.services.speakup import settings, threads
from app.services.themes.reading import speak_up_topics
from app.views import acting, int_arg, refuse_on


@bp.app_template_global()
def speak_up_available(conversation: Conversation) -> bool:
    """For templates: may posts in this conversation be sent to a Guardian (its organisation has one)?"""
    return settings.has_guardian(conversation.organisation_id)


@bp.app_template_global()
def speak_up_suggestion(text: str) -> list[str]:
    """For templates: what a post seems to be about when it reads like a disclosure (empty when it does not)."""
    return speak_up_topics(text)


@bp.get("/speak-up")
def speak_up_about() -> ResponseReturnValue:
    conversation_id = int_arg("conversation")
    conversation = access.get_conversation(acting(), conversation_id) if conversation_id else None
    org_ids = {conversation.organisation_id} if conversation else set(acting().organisation_ids)
    contacts = [(org, settings.contact_for(org.id), settings.has_guardian(org.id))
                for org in sorted((access.organisation(o) for o in org_ids), key=lambda o: o.name)]
    return render_template("participate/speak_up.html", conversation=conversation, contacts=contacts)


def _send_page(kind: str, item_id: str) -> ResponseReturnValue:
    person = acting()
    existing = threads.thread_of(person, kind, item_id)  # NotFound unless it is this person's own post
    if existing is not None:
        return redirect(url_for("participate.speak_up_thread", conversation_id=existing.conversation_id,
                                thread_id=existing.id))
    item = threads.own_post(person, kind, item_id)
    conversation = access.get_conversation(person, item.conversation_id)
    form = SendToGuardianForm()
    if form.validate_on_submit():
        try:
            thread = threads.send_to_guardian(person, kind, item_id, form.message.data or "")
        except ServiceError as error:
            refuse_on(form, error, "message")
        else:
            flash(f"Your {kind} has been sent to the Freedom to Speak Up Guardian. Their replies will appear here and "
                  "in “My ideas and comments”.", "success")
            return redirect(url_for("participate.speak_up_thread", conversation_id=thread.conversation_id,
                                    thread_id=thread.id))
    return render_template("participate/speak_up_send.html", form=form, item=item, kind=kind, conversation=conversation,
                           available=speak_up_available(conversation), named_mode=conversation.named_mode,
                           about=speak_up_suggestion(item.body)), 400 if form.errors else 200


@bp.route("/ideas/<idea_id>/speak-up", methods=["GET", "POST"])
@posting_limit
def send_idea_to_guardian(idea_id: str) -> ResponseReturnValue:
    return _send_page("idea", idea_id)


@bp.route("/comments/<comment_id>/speak-up", methods=["GET", "POST"])
@posting_limit
def send_comment_to_guardian(comment_id: str) -> ResponseReturnValue:
    return _send_page("comment", comment_id)


def _thread_page(conversation_id: int, thread_id: str, form: GuardianMessageForm, status: int = 200) -> tuple[str, int]:
    found = threads.author_thread(acting(), conversation_id, thread_id)
    conversation = found.thread.conversation
    return render_template("participate/speak_up_thread.html", found=found, form=form, conversation=conversation,
                           named_mode=conversation.named_mode, is_idea=isinstance(found.post, Idea)), status


@bp.get("/conversations/<int:conversation_id>/speak-up/<thread_id>")
def speak_up_thread(conversation_id: int, thread_id: str) -> ResponseReturnValue:
    return _thread_page(conversation_id, thread_id, GuardianMessageForm(formdata=None))


@bp.post("/conversations/<int:conversation_id>/speak-up/<thread_id>")
@posting_limit
def speak_up_write(conversation_id: int, thread_id: str) -> ResponseReturnValue:
    form = GuardianMessageForm()
    if form.validate_on_submit():
        try:
            threads.author_message(acting(), conversation_id, thread_id, form.body.data or "")
        except ServiceError as error:
            refuse_on(form, error, "body")
        else:
            flash("Your message has been sent to the Guardian.", "success")
            return redirect(url_for("participate.speak_up_thread", conversation_id=conversation_id,
                                    thread_id=thread_id, _anchor="messages"))
    return _thread_page(conversation_id, thread_id, form, 400)
