"""Forms for change-hub leads: shape only; services check meaning."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms covers 3.2
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.models import PairwiseItems, ThemeStatus

_RATING = [SelectChoice(str(n), str(n)) for n in range(1, 6)]


class _Prefixed(FlaskForm):
    """Several forms share the theme page: a prefix keeps their field ids (and labels) apart."""

    prefix_name = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)


class RenameForm(FlaskForm):
    label = StringField("Theme name", validators=[DataRequired("Enter a name for the theme"), Length(max=120, message="The name must be 120 characters or fewer")])


class SummaryForm(FlaskForm):
    summary = TextAreaField("Summary", validators=[Length(max=4000, message="The summary must be 4,000 characters or fewer")])


class FlagForm(FlaskForm):
    value = HiddenField(validators=[DataRequired()])


class MergeForm(FlaskForm):
    target_id = SelectField("Merge this theme into", coerce=int, validators=[DataRequired("Choose a theme to merge into")])


class SplitForm(_Prefixed):
    prefix_name = "split"
    label = StringField("Name of the new theme", validators=[DataRequired("Enter a name for the new theme"), Length(max=120, message="The name must be 120 characters or fewer")])


class MoveForm(FlaskForm):
    idea_id = HiddenField(validators=[DataRequired()])
    target_id = SelectField("Move to", coerce=int, validators=[DataRequired("Choose a theme")])


class PlaceForm(FlaskForm):
    idea_id = HiddenField(validators=[DataRequired()])
    theme_id = SelectField("Place in theme", coerce=int, validators=[DataRequired("Choose a theme")])


class StatusForm(FlaskForm):
    status = RadioField("Status", choices=[SelectChoice(s.value, s.label) for s in ThemeStatus],
                        validators=[DataRequired("Choose a status")])
    public_reason = TextAreaField("Reason staff will see", validators=[Length(max=2000, message="The reason must be 2,000 characters or fewer")])


class OwnerForm(_Prefixed):
    prefix_name = "plan"
    owner = StringField("Owner (name or role)", validators=[Length(max=160, message="The owner must be 160 characters or fewer")])
    due_on = DateField("Due date", validators=[Optional()], format="%Y-%m-%d")


class RatingForm(FlaskForm):
    impact = RadioField("Impact", choices=_RATING, validators=[DataRequired("Choose the impact from 1 to 5")])
    effort = RadioField("Effort", choices=_RATING, validators=[DataRequired("Choose the effort from 1 to 5")])


class RankForm(FlaskForm):
    rank = IntegerField("Position in your list", validators=[Optional(), NumberRange(1, 999, "Enter a position from 1 to 999")])


class ActionForm(_Prefixed):
    prefix_name = "action"
    text = StringField("Action", validators=[DataRequired("Describe the action"), Length(max=500, message="The action must be 500 characters or fewer")])
    owner = StringField("Who", validators=[Length(max=160, message="The owner must be 160 characters or fewer")])
    due_on = DateField("By when", validators=[Optional()], format="%Y-%m-%d")


class OutcomeForm(_Prefixed):
    prefix_name = "outcome"
    heard = TextAreaField("What we heard", validators=[DataRequired("Say what you heard"), Length(max=4000, message="Use 4,000 characters or fewer")])
    will_do = TextAreaField("What we will do", validators=[DataRequired("Say what will be done"), Length(max=4000, message="Use 4,000 characters or fewer")])
    by_whom = StringField("By whom", validators=[DataRequired("Say who will do it"), Length(max=160, message="Use 160 characters or fewer")])
    by_when = DateField("By when", validators=[Optional()], format="%Y-%m-%d")


class ProgressForm(_Prefixed):
    prefix_name = "progress"
    body = TextAreaField("Progress update", validators=[DataRequired("Enter the progress update"), Length(max=4000, message="Use 4,000 characters or fewer")])


class PairForm(FlaskForm):
    left_id = HiddenField(validators=[DataRequired()])
    right_id = HiddenField(validators=[DataRequired()])
    choice = HiddenField(validators=[DataRequired()])


class PairwiseSetupForm(FlaskForm):
    items = RadioField("What staff compare", choices=[SelectChoice(k.value, k.label) for k in PairwiseItems], validators=[DataRequired("Choose what staff compare")])
    question_id = SelectField("Question (for the ideas of one question)", coerce=int, validate_choice=False)


class PickIdeasForm(FlaskForm):
    question_id = HiddenField(validators=[DataRequired()])


class CorrectionForm(FlaskForm):
    """Add or remove one element for the theme, or for one of its ideas (idea_id set)."""

    element_id = SelectField("Element", coerce=int, validate_choice=False,
                             validators=[DataRequired("Choose an element")])
    added = HiddenField(validators=[DataRequired()])
    idea_id = HiddenField(validators=[Optional(), Length(max=24)])
