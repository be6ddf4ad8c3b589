"""Facilitator forms: shape only; services check meaning."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms covers 3.2
from wtforms.form import BaseForm
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.models import VotingMode
from app.services.conversations.stages import REASON_MAX, STAGES
from app.services.conversations.templates import TEMPLATES
from app.services.workshops import polls
from app.urls import WholeNumber

DATE_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def _int_or_none(value: object) -> int | None:
    """A row id from a select, or None; ids too big for the database (a 500 once) are None too."""
    return WholeNumber().parse("" if value is None else value)


def _db_int(value: object) -> int:
    """Coerce for multi-selects of ids: ValueError (a form error) for anything that cannot be a row id."""
    number = _int_or_none(value)
    if number is None:
        raise ValueError("not an id")
    return number


def parse_when(value: str | None) -> datetime | None:
    """A date and time typed as 2026-12-01 09:00 (or picked in a date-time field), or None when blank."""
    value = (value or "").strip()
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValidationError("Enter a real date and time, like 2026-12-01 09:00")


class DateTimeText(StringField):
    """A date-time typed as text, so a bad value comes back with a clear message rather than vanishing."""

    when: datetime | None = None

    def post_validate(self, form: BaseForm, validation_stopped: bool) -> None:
        if not validation_stopped and not self.errors:
            try:
                self.when = parse_when(self.data)
            except ValidationError as error:
                self.errors = [*self.errors, str(error)]


class NewConversationForm(FlaskForm):
    kind = RadioField("Type of conversation", choices=[SelectChoice(k, t.kind.label) for k, t in TEMPLATES.items()],
                      validators=[DataRequired("Choose a type of conversation")], validate_choice=False)
    title = StringField("Title", validators=[DataRequired("Enter a title"),
                                             Length(max=160, message="The title must be 160 characters or fewer")])
    organisation_id = SelectField("Organisation running it", coerce=_int_or_none, validate_choice=False)
    previous_id = SelectField("Previous Change Hub session", coerce=_int_or_none, validators=[Optional()],
                              validate_choice=False)


class SettingsForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title"),
                                             Length(max=160, message="The title must be 160 characters or fewer")])
    description = TextAreaField("Description", validators=[Length(max=5000, message="The description must be 5,000 characters or fewer")])
    audience_ids = SelectMultipleField("Who can take part", coerce=_db_int, validate_choice=False)
    opens_at = DateTimeText("Opens")
    closes_at = DateTimeText("Closes")
    voting_mode = RadioField("How people vote", choices=[SelectChoice(VotingMode.SUPPORT.value, "Support (one upvote, can be withdrawn)"),
                                                         SelectChoice(VotingMode.AGREE.value, "Agree, disagree or pass (can be changed)")],
                             validators=[DataRequired("Choose how people vote")])
    comments_enabled = BooleanField("People can add sticky-note comments to ideas")
    named_mode = BooleanField("Show people's names (named mode: this conversation will not be anonymous)")
    # Blank keeps the current value; the service checks the ranges.
    batch_release = BooleanField("Release new posts in batches")
    batch_size = IntegerField("Release when this many posts are waiting", validators=[Optional()],  # type: ignore[call-arg]  # invalid_value_message: WTForms 3.3, not in types-WTForms 3.2
                              invalid_value_message="Enter the batch size as a whole number, like 5")
    batch_max_wait_hours = IntegerField("Or when the first has waited this many hours", validators=[Optional()],  # type: ignore[call-arg]  # invalid_value_message: WTForms 3.3, not in types-WTForms 3.2
                                        invalid_value_message="Enter the longest wait as a whole number of hours, like 24")


class QuestionForm(FlaskForm):
    text = StringField("Question", validators=[DataRequired("Enter the question"),
                                               Length(max=300, message="The question must be 300 characters or fewer")])
    description = TextAreaField("More about the question (optional)",
                                validators=[Length(max=1000, message="The description must be 1,000 characters or fewer")])


class StageForm(FlaskForm):
    stage = SelectField("Stage", choices=[SelectChoice(k, v) for k, v in STAGES.items()], validate_choice=False)
    reason = StringField("Reason (needed for not taken forward)",
                         validators=[Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer")])


class PaperImportForm(FlaskForm):
    question_id = SelectField("Question (for notes pasted one per line)", coerce=_int_or_none, validators=[Optional()],
                              validate_choice=False)
    notes = TextAreaField("Paste the notes")
    file = FileField("Or upload a CSV file")


class PolisImportForm(FlaskForm):
    organisation_id = SelectField("Organisation the conversation belongs to", coerce=_int_or_none, validate_choice=False)
    files = MultipleFileField("Pol.is export files")


class ConfirmForm(FlaskForm):
    """A button-only form: the CSRF token is its only field."""


class FrameworkChoiceForm(FlaskForm):
    framework_id = RadioField("Framework", coerce=_int_or_none, validate_choice=False,
                              validators=[DataRequired("Choose a framework")])


class PollForm(FlaskForm):
    question = StringField("Question", validators=[DataRequired("Enter the question."), Length(max=polls.QUESTION_MAX)])
    kind = RadioField("Type of answer", choices=[SelectChoice("choice", "Single choice: people pick one of your choices"),
                                                 SelectChoice("scale", "A scale from 1 (not at all) to 5 (completely)")],
                      default="choice", validators=[DataRequired("Choose the type of answer.")])
    options = TextAreaField("Choices, one on each line", validators=[Length(max=1000)])
