"""Peer challenges: browse them, read one in chain order, and (owners) record and change them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from library.challenges import service as challenges
from library.challenges.api import list_filters
from library.core import access, vocabularies
from library.core.errors import PermissionDenied, ValidationError
from library.web import forms
from library.web.database import get_session
from library.web.forms import ChallengeForm
from library.web.paging import page_number

bp = Blueprint("challenges", __name__)


def _form(read_request: bool = True) -> ChallengeForm:
    form = ChallengeForm() if read_request else ChallengeForm(formdata=None)
    form.service_areas.choices = [(a.slug, a.name) for a in vocabularies.service_areas(get_session())]
    return form


def _submitted(form: ChallengeForm) -> challenges.ChallengeInput:
    return challenges.ChallengeInput(
        title=form.title.data or "",
        year=form.year.data,
        service_areas=form.service_areas.data or [],
        focus=form.focus.data or "",
    )


@bp.get("/challenges")
@login_required
def browse():
    session = get_session()
    params = challenges.BrowseParams(**list_filters(), page=page_number())
    try:
        found, total = challenges.browse(session, current_user, params)
        error = None
    except ValidationError as exc:
        found, total, error = [], 0, exc.message
    return render_template(
        "challenges/browse.html",
        found=found,
        total=total,
        params=params,
        error=error,
        pages=params.pages(total),
        areas=vocabularies.service_areas(session),
        regions=vocabularies.regions(session),
        area_names={a.slug: a.name for a in vocabularies.service_areas(session)},
        type_names=vocabularies.type_names(session),
        can_create=current_user.can_upload,
    ), 400 if error else 200


@bp.route("/challenges/new", methods=["GET", "POST"])
@login_required
def new():
    if not current_user.can_upload:
        raise PermissionDenied(
            "Only contributors and approvers can record their authority's peer challenges."
        )
    form = _form()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                challenge = challenges.create(get_session(), current_user, _submitted(form))
            except ValidationError as exc:
                get_session().rollback()
                errors = exc.errors or {"title": exc.message}
            else:
                flash(
                    "The peer challenge was recorded. Add its documents from each document's details.",
                    "success",
                )
                return redirect(url_for("challenges.show", challenge_id=challenge.id))
        else:
            errors = forms.first_errors(form)
    return render_template(
        "challenges/form.html", form=form, errors=errors, challenge=None
    ), 400 if errors else 200


@bp.route("/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
@login_required
def edit(challenge_id: int):
    session = get_session()
    challenge = access.challenge_for_owner(session, current_user, challenge_id)
    form = _form()
    errors: dict[str, str] = {}
    if request.method == "GET":
        form.title.data, form.focus.data = challenge.title, challenge.focus
        form.year.data = str(challenge.year or "")
        form.service_areas.data = [a.slug for a in challenge.service_areas]
    elif form.validate_on_submit():
        try:
            challenges.update(session, current_user, challenge_id, _submitted(form))
        except ValidationError as exc:
            session.rollback()
            errors = exc.errors or {"title": exc.message}
        else:
            flash(
                "The details were saved. Readers keep the details shared with each document until your "
                "approver consents to it again.",
                "success",
            )
            return redirect(url_for("challenges.show", challenge_id=challenge_id))
    else:
        errors = forms.first_errors(form)
    return render_template(
        "challenges/form.html", form=form, errors=errors, challenge=challenge
    ), 400 if errors else 200


@bp.get("/challenges/<int:challenge_id>")
@login_required
def show(challenge_id: int):
    session = get_session()
    view = challenges.view(session, current_user, challenge_id)
    return render_template(
        "challenges/show.html",
        view=view,
        area_names=vocabularies.area_names(session, view.areas),
        chain=challenges.CHAIN,
        type_names=vocabularies.type_names(session),
    )
