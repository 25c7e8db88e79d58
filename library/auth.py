"""Signing in: flask-login for the pages, bearer tokens for the API."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager

from .db import get_session
from .models import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    try:
        user = get_session().get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    # A deactivated user is signed out at their next request.
    if user is None or not user.is_active:
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
