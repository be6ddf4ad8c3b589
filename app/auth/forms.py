"""Sign-in form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address"), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password"), Length(max=200)])


class SignOutForm(FlaskForm):
    """A button-only form, so signing out needs a CSRF token."""


class SsoForm(FlaskForm):
    """The single sign-on button: a POST with a CSRF token, so another site cannot start a sign-in."""


class OwnPasswordForm(FlaskForm):
    """Change your own password; `current` is required unless an admin's one-time password was just used."""

    current = PasswordField("Current password", validators=[Length(max=200)])
    password = PasswordField("New password", validators=[DataRequired("Enter a new password"), Length(max=200)])
    confirm = PasswordField("Confirm the new password", validators=[DataRequired("Confirm the new password"),
                                                                   Length(max=200)])


class LinkPasswordForm(FlaskForm):
    """Choose a password through a one-time link."""

    password = PasswordField("New password", validators=[DataRequired("Enter a new password"), Length(max=200)])
    confirm = PasswordField("Confirm the new password", validators=[DataRequired("Confirm the new password"),
                                                                   Length(max=200)])
