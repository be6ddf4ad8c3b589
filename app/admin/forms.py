"""Admin forms: shape only; services check meaning."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms covers 3.2
from wtforms.validators import DataRequired, Length, Optional

from app.models import Role
from app.urls import WholeNumber

ROLE_CHOICES = [SelectChoice(r.value, r.label) for r in Role]


def _int_or_none(value: object) -> int | None:
    """A row id from a select, or None; ids too big for the database (a 500 once) are None too."""
    return WholeNumber().parse("" if value is None else value)


class OrganisationForm(FlaskForm):
    name = StringField("Organisation name", validators=[DataRequired("Enter the organisation's name"),
                                                        Length(max=160, message="The name must be 160 characters or fewer")])
    code = StringField("Organisation code", validators=[DataRequired("Enter a short code, like RX1"),
                                                        Length(max=20, message="The code must be 20 characters or fewer")])
    partnership_id = SelectField("Partnership", coerce=_int_or_none, validators=[Optional()], validate_choice=False)


class PartnershipForm(FlaskForm):
    name = StringField("Partnership name", validators=[DataRequired("Enter the partnership's name"),
                                                       Length(max=120, message="The name must be 120 characters or fewer")])


class StaffGroupForm(FlaskForm):
    name = StringField("Staff group name", validators=[DataRequired("Enter the staff group's name"),
                                                       Length(max=80, message="The name must be 80 characters or fewer")])


class PersonForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter their email address"), Length(max=254)])
    display_name = StringField("Name", validators=[DataRequired("Enter their name"),
                                                   Length(max=120, message="The name must be 120 characters or fewer")])
    organisation_id = SelectField("Organisation", coerce=_int_or_none, validate_choice=False)
    role = RadioField("Role", choices=ROLE_CHOICES, default=Role.PARTICIPANT.value, validate_choice=False)
    staff_group_id = SelectField("Staff group", coerce=_int_or_none, validators=[Optional()], validate_choice=False)
    password = PasswordField("One-time password", validators=[DataRequired("Enter an initial password"), Length(max=200)])


class MembershipForm(FlaskForm):
    organisation_id = SelectField("Organisation", coerce=_int_or_none, validate_choice=False)
    role = SelectField("Role", choices=ROLE_CHOICES, validate_choice=False)
    staff_group_id = SelectField("Staff group", coerce=_int_or_none, validators=[Optional()], validate_choice=False)


class PasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired("Enter a new password"), Length(max=200)])
    confirm = PasswordField("Confirm the new password", validators=[DataRequired("Confirm the new password"), Length(max=200)])


class TokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[DataRequired("Enter what the token is for"),
                                                            Length(max=80, message="The name must be 80 characters or fewer")])


class UploadForm(FlaskForm):
    file = FileField("CSV file")


class ConfirmForm(FlaskForm):
    """A button-only form: the CSRF token is its only field."""


class GuardianForm(FlaskForm):
    email = EmailField("Email address of the person to appoint", validators=[
        DataRequired("Enter the email address of the person to appoint"), Length(max=254)])


class SpeakUpContactForm(FlaskForm):
    guardian_contact = TextAreaField("How to reach your Guardian directly", validators=[
        Length(max=1000, message="This must be 1,000 characters or fewer")])
    local_routes = TextAreaField("Other ways to speak up in your organisation", validators=[
        Length(max=2000, message="This must be 2,000 characters or fewer")])


class FrameworkForm(FlaskForm):
    organisation_id = SelectField("Organisation", coerce=_int_or_none, validate_choice=False)
    name = StringField("Framework name", validators=[DataRequired("Enter the framework's name"),
                                                     Length(max=120, message="The name must be 120 characters or fewer")])
    description = TextAreaField("Description (optional)", validators=[
        Length(max=1000, message="The description must be 1,000 characters or fewer")])
    file = FileField("Elements from a CSV file (optional)")


class FrameworkDetailsForm(FlaskForm):
    name = StringField("Framework name", validators=[DataRequired("Enter the framework's name"),
                                                     Length(max=120, message="The name must be 120 characters or fewer")])
    description = TextAreaField("Description (optional)", validators=[
        Length(max=1000, message="The description must be 1,000 characters or fewer")])


class ElementForm(FlaskForm):
    name = StringField("Element name", validators=[DataRequired("Enter the element's name"),
                                                   Length(max=120, message="The name must be 120 characters or fewer")])
    description = TextAreaField("What it covers (optional)", validators=[
        Length(max=1000, message="The description must be 1,000 characters or fewer")])
    examples = TextAreaField("Example phrases staff might write, one per line (optional)", validators=[
        Length(max=4000, message="The example phrases must be 4,000 characters or fewer")])
