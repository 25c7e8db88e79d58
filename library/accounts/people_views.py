"""An approver's page for their authority's people: invite, change role, deactivate."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from library.accounts import links, microsoft, people
from library.core import access
from library.core.errors import ServiceError
from library.web.database import get_session

bp = Blueprint("people", __name__)

ROLES = [("reader", "Reader"), ("contributor", "Contributor"), ("approver", "Approver")]


def _page(errors: dict | None = None, form: dict | None = None, status: int = 200):
    actor = current_user._get_current_object()
    return render_template(
        "people/index.html",
        people=people.people_of(get_session(), actor),
        roles=ROLES,
        role_words=access.ROLE_WORDS,
        errors=errors or {},
        form=form or {"role": "contributor"},
    ), status


@bp.get("/people")
@login_required
def index():
    return _page()


@bp.post("/people/invite")
@login_required
def invite():
    db = get_session()
    actor = current_user._get_current_object()
    form = {k: request.form.get(k, "") for k in ("email", "name", "role")}
    try:
        people.people_of(db, actor)  # approvers only
        user = links.invite(
            db,
            actor,
            email=form["email"],
            name=form["name"],
            role=form["role"],
            authority_code=actor.authority.code,
        )
    except ServiceError as exc:
        db.rollback()
        if exc.status not in (400, 409):
            raise
        return _page(exc.errors or {"email": exc.message}, form, exc.status)
    flash(f"An invitation was sent to {user.email}. The link works once, for 7 days.", "success")
    return redirect(url_for("people.index"))


@bp.post("/people/microsoft")
@login_required
def microsoft_tenant():
    """Confirm, or refuse, the Microsoft tenant an administrator connected to the authority."""
    db = get_session()
    actor = current_user._get_current_object()
    try:
        if request.form.get("action") == "confirm":
            authority = microsoft.confirm_tenant(db, actor, request.form.get("tenant_id", ""))
            flash(f"People of that Microsoft tenant can now sign in to {authority.name}.", "success")
        elif request.form.get("action") == "refuse":
            microsoft.refuse_tenant(db, actor)
            flash("The request was refused: nobody signs in with that Microsoft tenant.", "success")
        else:
            return _page({"microsoft": "Choose to confirm or refuse."}, status=400)
    except ServiceError as exc:
        db.rollback()
        if exc.status not in (400, 409):
            raise
        return _page({"microsoft": exc.message}, status=exc.status)
    return redirect(url_for("people.index"))


@bp.post("/people/<int:user_id>")
@login_required
def change(user_id: int):
    db = get_session()
    actor = current_user._get_current_object()
    action = request.form.get("action")
    try:
        if action == "role":
            user = people.change_role(db, actor, user_id, request.form.get("role", ""))
            flash(f"{user.name} is now {access.ROLE_WORDS[user.role]}.", "success")
        elif action in ("deactivate", "activate"):
            user = people.set_active(db, actor, user_id, action == "activate")
            flash(
                f"{user.name} was {'reactivated' if user.active else 'deactivated and signed out'}.",
                "success",
            )
        else:
            return _page({"people": "Choose what to do."}, status=400)
    except ServiceError as exc:
        db.rollback()
        if exc.status not in (400, 409):
            raise
        return _page({"people": exc.message}, status=exc.status)
    return redirect(url_for("people.index"))
