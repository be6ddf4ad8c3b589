"""The join form: shape only."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class JoinForm(FlaskForm):
    code = StringField("Join code", validators=[DataRequired("Enter the join code"), Length(max=20, message="The join code is 6 letters and numbers")])
