"""Sign in and sign out."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from library.accounts import links, microsoft, oidc
from library.accounts import service as accounts
from library.accounts.sessions import start_session
from library.core.errors import ServiceError, TooManyAttempts, ValidationError
from library.mail import messages
from library.web import csrf, forms
from library.web.database import get_session
from library.web.forms import LoginForm
from library.web.navigation import safe_next

bp = Blueprint("auth", __name__)


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
            return render_template("auth/login.html", form=form, errors=errors, **_login_extras()), 429
        if user is not None:
            start_session(user)
            flash(f"Signed in as {user.name}.", "success")
            return redirect(safe_next(request.args.get("next")))
        form.email.errors.append("Enter a correct email address and password. Passwords are case sensitive.")
    errors = forms.first_errors(form)
    if request.method == "POST" and not errors:
        errors["csrf_token"] = "Your sign-in form expired. Try again."  # noqa: S105
    return render_template(
        "auth/login.html", form=form, errors=errors, **_login_extras()
    ), 400 if errors else 200


def _login_extras() -> dict:
    return {
        "microsoft": current_app.extensions.get("oidc") is not None,
        "next_page": safe_next(request.args.get("next")) if request.args.get("next") else None,
    }


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
            if action == "notices":
                messages.set_choices(db, user, request.form.getlist("notices"))
                flash("Your email choices were saved.", "success")
                return redirect(url_for("auth.account") + "#emails")
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
        microsoft=current_app.extensions.get("oidc") is not None and user.authority is not None,
        errors=errors,
        tokens=tokens,
        state=accounts.token_state,
        new_token=new_token,
        action=action,
        min_length=accounts.MIN_PASSWORD_LENGTH,
        notice_kinds=messages.kinds_for(user.role),
    ), status


@bp.route("/unsubscribe/<secret:token>", methods=["GET", "POST"])
@csrf.exempt  # one click from a mail client (RFC 8058): the signed token is the permission
def unsubscribe(token: str):
    """GET asks (a link scanner must not unsubscribe anyone); POST stops that kind of email."""
    db = get_session()
    if request.method == "GET":
        user, kind = messages.peek(db, token)
        return render_template("auth/unsubscribe.html", kind_words=messages.KINDS[kind], done=False)
    user, kind = messages.turn_off(db, token)
    return render_template("auth/unsubscribe.html", kind_words=messages.KINDS[kind], done=True)


def _whole(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


# Forgotten passwords and invitations: single-use links mailed to the person --------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """The same answer whether or not the address has an account; throttled per address."""
    if request.method == "GET":
        return render_template("auth/forgot.html", errors={}, email="")
    email = request.form.get("email", "").strip()
    if not email:
        return render_template(
            "auth/forgot.html", errors={"email": "Enter your email address."}, email=""
        ), 400
    throttle = current_app.extensions["reset_throttle"]
    if not throttle.address_allowed(request.remote_addr):
        raise TooManyAttempts("Too many requests from here. Wait an hour, then try again.")
    links.request_reset(get_session(), email, allowed=throttle.email_allowed(email))
    return render_template("auth/forgot_sent.html", email=email)


@bp.route("/password/reset/<secret:secret>", methods=["GET", "POST"])
def reset_password(secret: str):
    return _choose_password(secret, links.RESET)


@bp.route("/invitation/<secret:secret>", methods=["GET", "POST"])
def invitation(secret: str):
    return _choose_password(secret, links.INVITATION)


@bp.post("/invitation/<secret:secret>/microsoft")
def invitation_with_microsoft(secret: str):
    """Accept the invitation with the council's Microsoft account instead of a password: the
    account is joined to the Microsoft account the person signs in with."""
    provider = _provider()
    links.open_link(get_session(), secret, links.INVITATION)  # still usable?
    return _to_provider(provider, purpose="invitation", invitation=links.secret_hash(secret))


def _choose_password(secret: str, purpose: str):
    """The page a mailed link opens: the person chooses their password. A reset signs them out
    everywhere (they sign in again); an accepted invitation signs them in."""
    db = get_session()
    opened = links.open_link(db, secret, purpose)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            user = links.complete(
                db,
                secret,
                purpose,
                request.form.get("new_password", ""),
                request.form.get("confirm_password", ""),
            )
        except ValidationError as exc:
            db.rollback()
            errors = exc.errors or {"new_password": exc.message}
        else:
            if purpose == links.RESET:
                logout_user()
                session.clear()
                flash(
                    "Your password was changed and you were signed out everywhere. Sign in with it now.",
                    "success",
                )
                return redirect(url_for("auth.login"))
            start_session(user)
            flash("Welcome. Your password is set and you are signed in.", "success")
            return redirect(url_for("main.home"))
    if purpose == links.RESET:
        words = {
            "heading": "Choose a new password",
            "intro": f"For {opened.user.email}. Choosing a new password signs you out everywhere.",
            "button": "Save my new password",
        }
    else:
        words = {
            "heading": "Choose your password",
            "intro": f"{links.describe_invitation(opened)} Your account is {opened.user.email}.",
            "button": "Save my password and sign in",
        }
    microsoft_path = (
        url_for("auth.invitation_with_microsoft", secret=secret)
        if purpose == links.INVITATION and current_app.extensions.get("oidc") is not None
        else None
    )
    return render_template(
        "auth/choose_password.html",
        errors=errors,
        min_length=accounts.MIN_PASSWORD_LENGTH,
        microsoft_path=microsoft_path,
        **words,
    ), 400 if errors else 200


# Sign-in with Microsoft (OpenID Connect) -------------------------------------------------------------


def _provider():
    provider = current_app.extensions.get("oidc")
    if provider is None:
        abort(404)
    return provider


def _callback_url() -> str:
    return current_app.config["BASE_URL"] + url_for("auth.microsoft_callback")


def _to_provider(provider, **started):
    """Off the site, to the council's sign-in page, with a fresh state and nonce for this
    browser; ``started`` says what the sign-in is for when it comes back."""
    state, nonce = provider.new_secret(), provider.new_secret()
    session["oidc"] = {"state": state, "nonce": nonce, **started}
    try:
        return redirect(provider.authorization_url(_callback_url(), state, nonce))
    except oidc.Refused as exc:
        raise microsoft.refuse(get_session(), exc.reason) from None


@bp.get("/login/microsoft")
def microsoft_login():
    return _to_provider(_provider(), purpose="sign_in", next=safe_next(request.args.get("next")))


@bp.post("/account/microsoft")
@login_required
def account_microsoft():
    """Join this account to a Microsoft account (by signing in with it now), or part them."""
    provider = _provider()
    user = current_user._get_current_object()
    if request.form.get("action") == "unlink":
        try:
            microsoft.unlink(get_session(), user)
        except ServiceError as exc:
            flash(exc.message, "error")
            return redirect(url_for("auth.account") + "#microsoft")
        flash("Your account is no longer joined to a Microsoft account.", "success")
        return redirect(url_for("auth.account") + "#microsoft")
    return _to_provider(provider, purpose="link", user=user.id)


@bp.get("/login/microsoft/callback")
def microsoft_callback():
    provider = _provider()
    db = get_session()
    started = session.pop("oidc", None)
    if not started or not request.args.get("state") or request.args.get("state") != started.get("state"):
        raise microsoft.refuse(db, "this sign-in did not start here, or it was already used (state)")
    if request.args.get("error"):
        # Only an error code of the protocol's shape is repeated (it reaches the audit trail).
        code = request.args.get("error", "")
        code = code if re.fullmatch(r"[a-z_]{1,40}", code) else "an unknown error"
        raise microsoft.refuse(db, f"Microsoft answered “{code}”")
    try:
        token = provider.exchange(request.args.get("code", ""), _callback_url())
        claims = provider.validate(token, started["nonce"])
    except oidc.Refused as exc:
        raise microsoft.refuse(db, exc.reason) from None
    purpose = started.get("purpose")
    if purpose == "link":
        if not current_user.is_authenticated or current_user.id != started.get("user"):
            raise microsoft.refuse(db, "the account that asked to join is no longer signed in here", claims)
        microsoft.link(db, current_user._get_current_object(), claims)
        flash("Your account is joined to your council's Microsoft account: sign in with it.", "success")
        return redirect(url_for("auth.account") + "#microsoft")
    if purpose == "invitation":
        user = microsoft.accept_invitation(db, str(started.get("invitation") or ""), claims)
        start_session(user)
        flash("Welcome. Your account is joined to your council's Microsoft account.", "success")
        return redirect(url_for("main.home"))
    user = microsoft.sign_in(db, claims)
    start_session(user)
    return redirect(safe_next(started.get("next")))
