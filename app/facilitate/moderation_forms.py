"""Forms for moderators and for a conversation's moderation settings: shape only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms covers 3.2
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.models import ReportReason

_NOTE = Length(max=500, message="The note must be 500 characters or fewer")


class HideForm(FlaskForm):
    reason = RadioField(
        "Why are you hiding it?",
        choices=[SelectChoice(r.value, r.label) for r in ReportReason],
        validators=[DataRequired("Choose why you are hiding it")],
    )
    note = TextAreaField("Note for the author (optional unless you chose ‘Something else’)", validators=[_NOTE])


class RedactForm(FlaskForm):
    body = TextAreaField("Text without the identifying details", validators=[DataRequired("Enter the text"),
                         Length(max=2000, message="The text must be 2,000 characters or fewer")])
    note = TextAreaField("Note for the author (optional)", validators=[_NOTE])


class SettingsForm(FlaskForm):
    moderation_mode = RadioField(
        "How are posts moderated?",
        choices=[SelectChoice("post", "Post-moderation: posts appear at once, and moderators can hide them"),
                 SelectChoice("pre", "Pre-moderation: posts are held until a moderator approves them")],
        validators=[DataRequired("Choose how posts are moderated")],
    )
    report_threshold = IntegerField(
        "Hide a post after this many people report it",
        validators=[InputRequired("Enter a number of reports"),
                    NumberRange(min=1, max=50, message="The number of reports must be between 1 and 50")],
    )
    allow_guests = BooleanField("Let people without an account join with a code (for live workshops)")
