"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..db import get_session
from ..forms import LoginForm
from ..services import accounts

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an address elsewhere."""
    if not target:
        return url_for("main.home")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return url_for("main.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.home"))
    if form.validate_on_submit():
        user = accounts.authenticate(get_session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(f"Signed in as {user.name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
        form.email.errors.append("Enter a correct email address and password. Passwords are case sensitive.")
    errors = {name: errs[0] for name, errs in form.errors.items()}
    if request.method == "POST" and not errors:
        errors["csrf_token"] = "Your sign-in form expired. Try again."  # noqa: S105
    return render_template("auth/login.html", form=form, errors=errors), 400 if errors else 200


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
