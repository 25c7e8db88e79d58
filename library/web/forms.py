"""Web forms (Flask-WTF gives each a CSRF token). The rules live in the services; these only
collect and shape the input, with the presence checks a form can make by itself."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from library.core.models import Role


def first_errors(form: FlaskForm) -> dict[str, str]:
    """Each field's first error, as the error summary and the fields show them."""
    return {name: errors[0] for name, errors in form.errors.items()}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class UploadForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    summary = TextAreaField("Summary (optional)", validators=[Length(max=2000)])
    document_type = SelectField("Type of document", choices=[], validate_choice=False)
    service_areas = MultiCheckboxField("Service areas", choices=[], validate_choice=False)
    year = StringField("Year of the peer challenge (optional)", validators=[Optional()])
    challenge = SelectField("Peer challenge (optional)", choices=[], validate_choice=False)
    file = FileField("File")


class ChallengeForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    year = StringField("Year of the visit (optional)", validators=[Optional()])
    service_areas = MultiCheckboxField("Service areas", choices=[], validate_choice=False)
    focus = TextAreaField("Focus: the question the challenge looked at", validators=[Length(max=2000)])


ROLE_CHOICES = [(r.value, r.label) for r in Role]


class AuthorityForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired("Enter a code.")])
    name = StringField("Name", validators=[DataRequired("Enter the authority's name.")])
    region = SelectField("Region", choices=[], validate_choice=False)


class AuthorityEditForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter the authority's name.")])
    region = SelectField("Region", choices=[], validate_choice=False)


class UserForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter an email address.")])
    name = StringField("Full name", validators=[DataRequired("Enter the user's name.")])
    authority = SelectField("Authority", choices=[], validate_choice=False)
    role = SelectField("Role", choices=[], validate_choice=False)


class UserEditForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired("Enter the user's name.")])
    authority = SelectField("Authority", choices=[], validate_choice=False)
    role = SelectField("Role", choices=[], validate_choice=False)
    active = BooleanField("Account is active (untick to sign the user out and stop them signing in)")
