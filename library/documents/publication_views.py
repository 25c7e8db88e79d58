"""Consent, scope, withdrawal and take-down; the approver's waiting list; the audit trail."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from library.core import access, published, rendering, vocabularies
from library.core import trail as audit_trail
from library.core.errors import PermissionDenied, ServiceError, ValidationError
from library.core.paging import page_count
from library.documents import consent_summary, handoff, publication
from library.documents.api import download_response
from library.web.csvfile import csv_response
from library.web.database import get_session
from library.web.paging import page_number

bp = Blueprint("publication", __name__)


def _consent_page(
    document_id: int,
    errors: dict | None = None,
    scope: str | None = None,
    status: int = 200,
    note: str = "",
):
    session = get_session()
    document = access.for_approver(session, current_user, document_id)
    snap = published.snapshot(document)
    summary = consent_summary.summarise(session, document, snap)
    sections = snap.sections
    return render_template(
        "publication/consent.html",
        document=document,
        snapshot=snap,
        summary=summary,
        sections=sections,
        marked_text=rendering.render_marked(snap.text, summary.places, shift_headings=2, sections=sections),
        audience_now=publication.audience_words(session, document.authority, document.scope)
        if document.scope
        else "",
        audiences=publication.audiences(session, document.authority),
        blockers=publication.blockers(session, document),
        statement=publication.FORM_STATEMENT.format(authority=document.authority.name),
        version=document.current_version,
        changed=published.has_unpublished_changes(document),
        errors=errors or {},
        scope=scope or document.scope or "",
        area_names=[a.name for a in document.service_areas],
        kloes=publication.kloes_to_share(document, snap),
        challenge_areas=vocabularies.area_names(session, snap.challenge.areas) if snap.challenge else [],
        can_send_back=handoff.needs_consent(document),
        note=note,
        challenge_to_review=document.challenge is not None
        and any(r.status == "suggested" for r in document.challenge.redactions),  # (reviewed by blockers)
    ), status


@bp.post("/documents/<int:document_id>/send-back")
@login_required
def send_back(document_id: int):
    note = request.form.get("note", "")
    try:
        handoff.send_back(get_session(), current_user, document_id, note)
    except ValidationError as exc:
        get_session().rollback()
        return _consent_page(document_id, {"note": exc.message}, status=400, note=note)
    flash(
        "Sent back with your note. The contributors see it on their home page and on the document.", "success"
    )
    return redirect(url_for("publication.waiting"))


@bp.route("/documents/<int:document_id>/consent", methods=["GET", "POST"])
@login_required
def consent(document_id: int):
    if request.method == "GET":
        return _consent_page(document_id)
    scope = request.form.get("scope") or None
    try:
        version = publication.give_consent(
            get_session(),
            current_user,
            document_id,
            scope,
            request.form.get("confirm") == "yes",
            request.form.get("content_hash"),
            request.form.get("read"),
        )
    except ValidationError as exc:
        get_session().rollback()
        return _consent_page(document_id, exc.errors or {"scope": exc.message}, scope, 400)
    except ServiceError as exc:
        if exc.status != 409:
            raise
        get_session().rollback()
        errors = dict(exc.errors or {"scope": exc.message})
        if "content_hash" in errors:  # the summary links to the text to read again
            errors["consent-text"] = errors.pop("content_hash")
        return _consent_page(document_id, errors, scope, 409)
    words = publication.audience_phrase(get_session(), version.document.authority, version.document.scope)
    flash(f"Shared. Version {version.number} can now be read by {words}.", "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.post("/documents/<int:document_id>/scope")
@login_required
def scope(document_id: int):
    document = publication.change_scope(
        get_session(), current_user, document_id, request.form.get("scope"), request.form.get("content_hash")
    )
    flash(
        f"Now shared with: {publication.audience_words(get_session(), document.authority, document.scope)}",
        "success",
    )
    return redirect(url_for("documents.show", document_id=document_id))


def _ending(document, kind: str, end, done_message: str, done_url: str):
    """The withdraw and take-down pages: a reason, then the service call ``end(reason)``."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            end(request.form.get("reason"))
        except ValidationError as exc:
            get_session().rollback()
            errors = exc.errors
        else:
            flash(done_message, "success")
            return redirect(done_url)
    return render_template(
        "publication/withdraw.html",
        document=document,
        errors=errors,
        kind=kind,
        reason=request.form.get("reason", ""),
    ), 400 if errors else 200


@bp.route("/documents/<int:document_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(document_id: int):
    session = get_session()
    document = access.for_approver(session, current_user, document_id)
    return _ending(
        document,
        "withdraw",
        lambda reason: publication.withdraw(session, current_user, document_id, reason),
        "Consent withdrawn. No one outside your authority's contributors and approvers can see the "
        "document now.",
        url_for("documents.show", document_id=document_id),
    )


@bp.post("/documents/<int:document_id>/delete")
@login_required
def delete_for_good(document_id: int):
    session = get_session()
    if request.form.get("confirm") != "y":
        flash("Tick the box to confirm that the document is to be deleted for good.", "error")
        return redirect(url_for("documents.show", document_id=document_id))
    publication.delete_for_good(session, current_app.extensions["file_storage"], current_user, document_id)
    flash("Deleted for good. Only a record that it existed, and the audit trail, remain.", "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.route("/documents/<int:document_id>/take-down", methods=["GET", "POST"])
@login_required
def take_down(document_id: int):
    session = get_session()
    document = access.get_for_viewer(session, current_user, document_id)
    if not current_user.is_admin:
        raise PermissionDenied("Only administrators can take documents down.")
    return _ending(
        document,
        "take_down",
        lambda reason: publication.take_down(session, current_user, document_id, reason),
        "The document was taken down.",
        url_for("admin.index"),
    )


@bp.get("/consent")
@login_required
def waiting():
    items = handoff.waiting_for_consent(get_session(), current_user)
    return render_template("publication/waiting.html", items=items)


@bp.get("/documents/<int:document_id>/download")
@login_required
def download(document_id: int):
    """The published text as markdown or, with ``format=docx``, as a Word document."""
    return download_response(current_user, document_id)


@bp.get("/audit")
@login_required
def audit():
    session = get_session()
    page = page_number()
    try:
        document_id = int(request.args["document"]) if request.args.get("document") else None
    except ValueError:
        document_id = None
    events, total = audit_trail.events_for(session, current_user, document_id=document_id, page=page)
    pages = page_count(total, audit_trail.PAGE_SIZE)
    return render_template(
        "publication/audit.html",
        rows=list(zip(events, audit_trail.sentences(session, current_user, events), strict=True)),
        events=events,
        total=total,
        page=page,
        pages=pages,
        document_id=document_id,
    )


@bp.get("/audit.csv")
@login_required
def audit_csv():
    head = ["id", "time", "actor", "action", "subject_type", "subject_id", "authority", "details"]
    return csv_response("audit-trail", head, audit_trail.export_rows(get_session(), current_user))
