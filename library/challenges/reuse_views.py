"""Starting from examples: the outline and the starter document, the bank of key lines of
enquiry, and comparing documents side by side."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from library.challenges import reuse
from library.challenges.api import list_filters
from library.core import vocabularies
from library.core.errors import NotFound, ValidationError
from library.web.database import get_session
from library.web.openapi import DOCX
from library.web.paging import page_number

bp = Blueprint("reuse", __name__)


@bp.get("/kloes")
@login_required
def kloes():
    session = get_session()
    params = reuse.KloeParams(**list_filters(), page=page_number())
    try:
        total, results = reuse.kloe_bank(session, current_user, params)
        error = None
    except ValidationError as exc:
        total, results, error = 0, [], exc.message
    return render_template(
        "reuse/kloes.html",
        total=total,
        results=results,
        params=params,
        error=error,
        pages=params.pages(total),
        areas=vocabularies.service_areas(session),
        regions=vocabularies.regions(session),
        area_names={a.slug: a.name for a in vocabularies.service_areas(session)},
    ), 400 if error else 200


def _start_page(errors: dict | None = None, chosen: dict | None = None, status: int = 200):
    session = get_session()
    doc_type = request.values.get("document_type", "").strip()
    area = request.values.get("service_area", "").strip()
    found = kloes_found = None
    errors = dict(errors or {})
    if doc_type or area:
        try:
            found = reuse.outline(session, current_user, doc_type, area)
            _total, kloes_found = reuse.kloe_bank(
                session, current_user, reuse.KloeParams(service_area=area, per_page=30)
            )
        except ValidationError as exc:
            errors.update(exc.errors or {"document_type": exc.message})
            status = 400
    return render_template(
        "reuse/start.html",
        outline=found,
        kloes=kloes_found or [],
        examples={e.document_id: e for e in found.examples} if found else {},
        types=vocabularies.document_types(session),
        areas=vocabularies.service_areas(session),
        document_type=doc_type,
        service_area=area,
        errors=errors,
        chosen=chosen or {"headings": [], "extracts": [], "kloe_ids": []},
    ), status


@bp.get("/start")
@login_required
def start():
    return _start_page()


@bp.post("/start")
@login_required
def make_starter():
    chosen = {
        "headings": request.form.getlist("headings"),
        "extracts": request.form.getlist("extracts"),
        "kloe_ids": request.form.getlist("kloe_ids"),
    }
    try:
        made = reuse.starter(
            get_session(),
            current_user,
            reuse.StarterRequest(
                document_type=request.form.get("document_type"),
                service_area=request.form.get("service_area"),
                headings=chosen["headings"],
                kloe_ids=chosen["kloe_ids"],
                extracts=chosen["extracts"],
            ),
        )
    except (ValidationError, NotFound) as exc:
        field = exc.errors and next(iter(exc.errors)) or "headings"
        return _start_page({field: exc.message}, chosen, exc.status)
    response = current_app.response_class(made.data, mimetype=DOCX)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


@bp.get("/compare")
@login_required
def compare():
    raw = request.args.getlist("ids")
    ids = [int(v) for v in raw if v.isdigit()][:10]
    if len(ids) != len(raw):
        raise ValidationError("ids are document numbers.", field="ids")
    result = reuse.compare(get_session(), current_user, ids)
    return render_template(
        "reuse/compare.html", result=result, back=request.referrer or url_for("reuse.start")
    )
