"""Peer Challenge Library: a Flask application. ``create_app`` builds it (``library/app.py``);
``docs/architecture.md`` shows the packages and what each may import."""

from library.app import create_app, start_up

__all__ = ["create_app", "start_up"]
