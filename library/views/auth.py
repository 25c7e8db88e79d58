"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from ..auth import start_session
from ..db import get_session
from ..forms import LoginForm
from ..services import accounts
from ..services.errors import ServiceError, TooManyAttempts

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
        try:
            user = accounts.authenticate(
                get_session(),
                form.email.data,
                form.password.data,
                throttle=current_app.extensions["signin_throttle"],
                address=request.remote_addr,
            )
        except TooManyAttempts as exc:
            errors = {"email": exc.message}
            return render_template("auth/login.html", form=form, errors=errors), 429
        if user is not None:
            start_session(user)
            flash(f"Signed in as {user.name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
        form.email.errors.append("Enter a correct email address and password. Passwords are case sensitive.")
    errors = {name: errs[0] for name, errs in form.errors.items()}
    if request.method == "POST" and not errors:
        errors["csrf_token"] = "Your sign-in form expired. Try again."  # noqa: S105
    return render_template("auth/login.html", form=form, errors=errors), 400 if errors else 200


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """POST signs out (ending the session on the server); GET only asks, so no link can sign
    anyone out."""
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        return render_template("auth/logout.html")
    if current_user.is_authenticated:
        accounts.end_sessions(get_session(), current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Your account: change your password; your API tokens, to create or revoke."""
    db = get_session()
    user = current_user._get_current_object()
    errors: dict[str, str] = {}
    new_token = None
    status = 200
    action = request.form.get("action")
    if request.method == "POST":
        try:
            if action == "password":
                accounts.change_password(
                    db,
                    user,
                    request.form.get("current_password", ""),
                    request.form.get("new_password", ""),
                    request.form.get("confirm_password", ""),
                )
                start_session(user)  # this browser stays signed in; every other session has ended
                flash("Your password was changed. You were signed out everywhere else.", "success")
                return redirect(url_for("auth.account"))
            if action == "create-token":
                new_token = accounts.create_token(
                    db, user, user, _whole(request.form.get("days"), accounts.TOKEN_DAYS_DEFAULT)
                )
            elif action == "revoke-token":
                accounts.revoke_token(db, user, user, _whole(request.form.get("token"), -1))
                flash("The token was revoked. Scripts using it can no longer sign in.", "success")
                return redirect(url_for("auth.account"))
            else:
                errors["action"] = "Choose what to do."
        except ServiceError as exc:
            db.rollback()
            errors = exc.errors or {"action": exc.message}
            status = exc.status
    tokens = accounts.tokens_of(db, user, user)
    return render_template(
        "auth/account.html",
        errors=errors,
        tokens=tokens,
        state=accounts.token_state,
        new_token=new_token,
        action=action,
        min_length=accounts.MIN_PASSWORD_LENGTH,
    ), status


def _whole(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default
