"""People and their access: sign-in (passwords, Microsoft), sessions, invitations, resets, tokens,
an authority's people, the administrators' pages. Imports mail, web and core; no other feature."""

from __future__ import annotations

from flask import Flask

from library.accounts import admin_views, cli, oidc, people_views, sessions, views


def init_app(app: Flask) -> None:
    app.extensions["oidc"] = oidc.provider_for(app.config)
    sessions.init_app(app)
    for blueprint in (views.bp, people_views.bp, admin_views.bp):
        app.register_blueprint(blueprint)
    cli.init_app(app)
