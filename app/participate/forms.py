"""Forms for taking part: shape only; services check meaning."""

from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms covers 3.2
from wtforms.validators import DataRequired, InputRequired, Length

from app.models import ReportReason
from app.services.content.comments import COMMENT_MAX
from app.services.content.ideas import IDEA_MAX
from app.services.speakup.threads import MESSAGE_MAX
from app.services.workshops import polls


GUARDIAN_CHOICE = "Also send this to the Freedom to Speak Up Guardian"


def new_client_token() -> str:
    """A post form's duplicate-post token: fresh for each form shown."""
    return secrets.token_urlsafe(16)


class IdeaForm(FlaskForm):
    body = TextAreaField(
        "Your idea",
        validators=[DataRequired("Enter your idea"), Length(max=IDEA_MAX, message=f"Your idea must be {IDEA_MAX:,} characters or fewer")],
    )
    # A fresh token per form: a double-clicked or re-sent form posts one idea, not two.
    client_token = HiddenField(default=new_client_token)
    confirm_identifying = BooleanField("I have checked it and want to post it anyway")
    # "1" once the author has seen similar ideas (after a first submit, or live while typing with JavaScript).
    similar_checked = HiddenField(default="")
    to_guardian = BooleanField(GUARDIAN_CHOICE)


class EditIdeaForm(FlaskForm):
    body = TextAreaField(
        "Your idea",
        validators=[DataRequired("Enter your idea"), Length(max=IDEA_MAX, message=f"Your idea must be {IDEA_MAX:,} characters or fewer")],
    )
    confirm_identifying = BooleanField("I have checked it and want to post it anyway")


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Add a comment",
        validators=[DataRequired("Enter your comment"), Length(max=COMMENT_MAX, message=f"Your comment must be {COMMENT_MAX} characters or fewer")],
    )
    client_token = HiddenField(default=new_client_token)
    confirm_identifying = BooleanField("I have checked it and want to post it anyway")
    to_guardian = BooleanField(GUARDIAN_CHOICE)


class EditCommentForm(FlaskForm):
    body = TextAreaField(
        "Your comment",
        validators=[DataRequired("Enter your comment"), Length(max=COMMENT_MAX, message=f"Your comment must be {COMMENT_MAX} characters or fewer")],
    )
    confirm_identifying = BooleanField("I have checked it and want to post it anyway")


class VoteForm(FlaskForm):
    choice = RadioField(
        "Your vote",
        choices=[SelectChoice("support", "Support"), SelectChoice("agree", "Agree"),
                 SelectChoice("disagree", "Disagree"), SelectChoice("pass", "Pass")],
        validators=[DataRequired("Choose how you vote")],
    )


class ConfirmForm(FlaskForm):
    """A button-only form: the CSRF token is its only field."""


class ReportForm(FlaskForm):
    reason = RadioField(
        "Why are you reporting this?",
        choices=[SelectChoice(r.value, r.label) for r in ReportReason],
        validators=[DataRequired("Choose why you are reporting this")],
    )
    note = TextAreaField("Anything else the moderators should know (optional)",
                         validators=[Length(max=500, message="Your note must be 500 characters or fewer")])


class SendToGuardianForm(FlaskForm):
    message = TextAreaField("Anything you want to add for the Guardian (optional)", validators=[
        Length(max=MESSAGE_MAX, message=f"Your message must be {MESSAGE_MAX:,} characters or fewer")])


class GuardianMessageForm(FlaskForm):
    body = TextAreaField("Your message to the Guardian", validators=[
        DataRequired("Enter your message"),
        Length(max=MESSAGE_MAX, message=f"Your message must be {MESSAGE_MAX:,} characters or fewer")])


class PollAnswerForm(FlaskForm):
    choice = RadioField("Your answer", coerce=int, validators=[InputRequired("Choose one of the answers.")],
                        validate_choice=False)  # the service checks the answer against the poll's own options


def answer_form(found: polls.MyPoll | None, form: PollAnswerForm | None = None) -> PollAnswerForm:
    """The form for the board's poll, its choices in the poll's order (values are positions)."""
    form = form or PollAnswerForm(prefix="poll", formdata=None)
    form.choice.choices = [SelectChoice(i, polls.option_label(found.results.poll, i))
                           for i in range(len(found.results.poll.options))] if found else []
    return form
