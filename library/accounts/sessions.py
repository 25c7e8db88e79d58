"""Signing in: flask-login for the pages, bearer tokens for the API."""

from __future__ import annotations

import time

from flask import Flask, flash, request, session
from flask_login import LoginManager, login_user, logout_user

from library.accounts.throttle import RequestThrottle, SignInThrottle
from library.core.models import User
from library.web.database import get_session

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The user of a session id "user_id:session_version"; None once that session was ended."""
    user_id, _, version = (session_id or "").partition(":")
    try:
        user = get_session().get(User, int(user_id))
        version_number = int(version)
    except (TypeError, ValueError):
        return None
    # A deactivated user is signed out at their next request; so is every session ended since.
    if user is None or not user.is_active or version_number != (user.session_version or 1):
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.extensions["signin_throttle"] = SignInThrottle(
        app.config["RATELIMIT_STORAGE_URI"],
        per_email=app.config["SIGNIN_MAX_FAILURES"],
        per_address=app.config["SIGNIN_MAX_FAILURES_PER_ADDRESS"],
        minutes=app.config["SIGNIN_WINDOW_MINUTES"],
    )
    app.extensions["reset_throttle"] = RequestThrottle(
        app.config["RATELIMIT_STORAGE_URI"],
        per_email=app.config["RESET_MAX_PER_EMAIL"],
        per_address=app.config["RESET_MAX_PER_ADDRESS"],
    )

    @app.before_request
    def _session_limits() -> None:
        """End a session idle for too long, or signed in too long ago; note this request."""
        if request.path.startswith("/static/") or "_user_id" not in session:
            return
        now = int(time.time())
        signed_in = session.get("signed_in_at", 0)
        seen = session.get("seen_at", 0)
        idle = app.config["SESSION_IDLE_MINUTES"] * 60
        absolute = app.config["SESSION_ABSOLUTE_HOURS"] * 3600
        if now - seen > idle or now - signed_in > absolute:
            logout_user()
            session.clear()
            flash("You were signed out because your session ended. Sign in again to continue.", "info")
            return
        if now - seen >= 30:  # no new cookie on every request
            session["seen_at"] = now


def start_session(user: User) -> None:
    """Sign ``user`` in on this browser, with the times the session limits are checked against."""
    session.clear()
    login_user(user)
    now = int(time.time())
    session["signed_in_at"] = now
    session["seen_at"] = now
