"""Administration: authorities and users."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from library.accounts import links, microsoft
from library.accounts import service as accounts
from library.core import trail, vocabularies
from library.core.errors import NotFound, PermissionDenied, ValidationError
from library.core.models import AuditEvent, Authority, Document, User
from library.core.paging import page_count
from library.web import forms
from library.web.database import get_session
from library.web.forms import ROLE_CHOICES, AuthorityEditForm, AuthorityForm, UserEditForm, UserForm
from library.web.paging import page_number

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            raise PermissionDenied("Only administrators can use these pages.")
        return view(*args, **kwargs)

    return wrapper


def _region_choices():
    return [(r.slug, r.name) for r in vocabularies.regions(get_session())]


def _authority_choices(blank: str):
    authorities = get_session().scalars(select(Authority).order_by(Authority.name))
    return [("", blank)] + [(a.code, f"{a.name} ({a.code})") for a in authorities]


@bp.get("")
@admin_required
def index():
    session = get_session()
    stats = {
        "authorities": session.scalar(select(func.count(Authority.id))),
        "users": session.scalar(select(func.count(User.id))),
        "documents": session.scalar(select(func.count(Document.id))),
    }
    recent = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10)))
    words = trail.sentences(session, current_user, recent)  # in plain words, as the audit trail says them
    return render_template("admin/index.html", stats=stats, recent=list(zip(recent, words, strict=True)))


@bp.get("/authorities")
@admin_required
def authorities():
    session = get_session()
    rows = session.execute(
        select(Authority, func.count(User.id))
        .outerjoin(User, User.authority_id == Authority.id)
        .group_by(Authority.id)
        .order_by(Authority.name)
    ).all()
    return render_template("admin/authorities.html", rows=rows)


@bp.route("/authorities/new", methods=["GET", "POST"])
@admin_required
def new_authority():
    form = AuthorityForm()
    form.region.choices = [("", "Choose a region")] + _region_choices()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                authority = accounts.create_authority(
                    get_session(), current_user, form.code.data, form.name.data, form.region.data
                )
            except ValidationError as exc:
                errors = exc.errors
            else:
                flash(f"{authority.name} was added.", "success")
                return redirect(url_for("admin.authorities"))
        else:
            errors = forms.first_errors(form)
    return render_template(
        "admin/authority_form.html", form=form, errors=errors, authority=None
    ), 400 if errors else 200


@bp.route("/authorities/<int:authority_id>", methods=["GET", "POST"])
@admin_required
def edit_authority(authority_id: int):
    session = get_session()
    authority = session.get(Authority, authority_id)
    if authority is None:
        raise NotFound("No such authority.")
    form = AuthorityEditForm(obj=None if request.method == "POST" else authority)
    form.region.choices = _region_choices()
    if request.method == "GET":
        form.region.data = authority.region.slug
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                accounts.update_authority(session, current_user, authority, form.name.data, form.region.data)
            except ValidationError as exc:
                errors = exc.errors
            else:
                flash(f"{authority.name} was updated.", "success")
                return redirect(url_for("admin.authorities"))
        else:
            errors = forms.first_errors(form)
    return render_template(
        "admin/authority_form.html", form=form, errors=errors, authority=authority
    ), 400 if errors else 200


@bp.post("/authorities/<int:authority_id>/tenant")
@admin_required
def authority_tenant(authority_id: int):
    session = get_session()
    authority = session.get(Authority, authority_id)
    if authority is None:
        raise NotFound("No such authority.")
    try:
        microsoft.set_tenant(
            session, current_user, authority, request.form.get("tenant_id"), request.form.get("email_domains")
        )
    except ValidationError as exc:
        session.rollback()
        form = AuthorityEditForm(obj=authority)
        form.region.choices = _region_choices()
        form.region.data = authority.region.slug
        return render_template(
            "admin/authority_form.html",
            form=form,
            errors=exc.errors,
            authority=authority,
            tenant_form={
                "tenant_id": request.form.get("tenant_id", ""),
                "email_domains": request.form.get("email_domains", ""),
            },
        ), 400
    state = (
        "not connected"
        if not authority.tenant_id
        else "connected"
        if authority.tenant_confirmed_at
        else "waiting for one of its approvers to confirm it (they were told by email)"
    )
    flash(f"{authority.name}: sign-in with Microsoft is {state}.", "success")
    return redirect(url_for("admin.edit_authority", authority_id=authority.id))


@bp.get("/users")
@admin_required
def users():
    session = get_session()
    page = page_number()
    per_page = 50
    total = session.scalar(select(func.count(User.id))) or 0
    rows = list(
        session.scalars(select(User).order_by(User.name).limit(per_page).offset((page - 1) * per_page))
    )
    pages = page_count(total, per_page)
    return render_template("admin/users.html", users=rows, total=total, page=page, pages=pages)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = UserForm()
    form.authority.choices = _authority_choices("No authority (administrators only)")
    form.role.choices = ROLE_CHOICES
    errors: dict[str, str] = {}
    if request.method == "GET" and len(form.authority.choices) > 1:
        # Open on a combination that can be saved: a reader of the first authority.
        form.authority.data = form.authority.choices[1][0]
        form.role.data = "reader"
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = links.invite(
                    get_session(),
                    current_user,
                    email=form.email.data,
                    name=form.name.data,
                    role=form.role.data,
                    authority_code=form.authority.data or None,
                )
            except (ValidationError, PermissionDenied) as exc:
                get_session().rollback()
                errors = exc.errors or {"role": exc.message}
            else:
                flash(f"An invitation was sent to {user.email}: they choose their own password.", "success")
                return redirect(url_for("admin.users"))
        else:
            errors = forms.first_errors(form)
    return render_template(
        "admin/user_form.html", form=form, errors=errors, user=None
    ), 400 if errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    session = get_session()
    user = accounts.get_user(session, user_id)
    form = UserEditForm(obj=None if request.method == "POST" else user)
    form.authority.choices = _authority_choices("No authority (administrators only)")
    form.role.choices = ROLE_CHOICES
    if request.method == "GET":
        form.authority.data = user.authority.code if user.authority else ""
        form.active.data = user.active
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                accounts.update_user(
                    session,
                    current_user,
                    user,
                    name=form.name.data,
                    role=form.role.data,
                    authority_code=form.authority.data or None,
                    active=form.active.data,
                )
            except (ValidationError, PermissionDenied) as exc:
                session.rollback()
                errors = exc.errors or {"role": exc.message}
            else:
                flash(f"{user.name} was updated.", "success")
                return redirect(url_for("admin.users"))
        else:
            errors = forms.first_errors(form)
    return render_template(
        "admin/user_form.html", form=form, errors=errors, user=user
    ), 400 if errors else 200
