"""Forms for the "Invite and remind" page: shape only; the messaging services check meaning."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms covers 3.2
from wtforms.validators import DataRequired, Length

from app.facilitate.forms import DateTimeText, _db_int
from app.models import MessageKind


class MessageForm(FlaskForm):
    kind = RadioField("What do you want to send?",
                      choices=[SelectChoice(k.value, k.label) for k in MessageKind],
                      validators=[DataRequired("Choose what to send")])
    channels = SelectMultipleField("How should it be sent?",
                                   choices=[SelectChoice("email", "Email to each person"),
                                            SelectChoice("teams", "A post in the conversation's Microsoft Teams channel")])
    organisation_ids = SelectMultipleField("Organisations", coerce=_db_int, choices=[])
    staff_group_ids = SelectMultipleField("Staff groups", coerce=_db_int, choices=[])
    when = RadioField("When should it be sent?",
                      choices=[SelectChoice("now", "Now"),
                               SelectChoice("before_close", "Three days before the conversation closes"),
                               SelectChoice("at", "On a date and time I choose")],
                      validators=[DataRequired("Choose when to send it")])
    at = DateTimeText("Date and time (UTC, to the hour)", validators=[Length(max=20)])
    note = TextAreaField("A short note to add (optional)",
                         validators=[Length(max=1000, message="The note must be 1,000 characters or fewer")])


class WebhookForm(FlaskForm):
    url = StringField("Teams channel address (incoming webhook or workflow)",
                      validators=[Length(max=2000, message="The Teams address must be 2,000 characters or fewer")])
