"""Upload, our documents, a document's page and its original (owners only)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from library.challenges import service as challenges
from library.core import access, published, vocabularies
from library.core.errors import PermissionDenied, ValidationError
from library.core.paging import page_count
from library.documents import publication, reading, workspace
from library.documents import upload as documents
from library.documents.api import count_use, limits
from library.insights import usage
from library.search import service as search
from library.web import forms, navigation
from library.web.database import get_session
from library.web.forms import UploadForm
from library.web.paging import page_number

bp = Blueprint("documents", __name__)


def _upload_form(read_request: bool = True) -> UploadForm:
    session = get_session()
    form = UploadForm() if read_request else UploadForm(formdata=None)
    form.document_type.choices = [("", "Choose a type")] + [
        (t.slug, t.name) for t in vocabularies.document_types(session)
    ]
    form.service_areas.choices = [(a.slug, a.name) for a in vocabularies.service_areas(session)]
    form.challenge.choices = [("", "Not part of a recorded peer challenge")] + [
        (str(c.id), f"{c.title} ({c.year})" if c.year else c.title)
        for c in challenges.own_challenges(session, current_user)
    ]
    return form


def _render_upload(form: UploadForm, errors: dict[str, str], status: int):
    return render_template(
        "documents/upload.html",
        form=form,
        errors=errors,
        max_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
        ocr_max_pages=current_app.config["OCR_MAX_PAGES"],
    ), status


def upload_too_large(message: str):
    """The request was refused before the form could be read: show the form again, empty."""
    if not current_user.is_authenticated or not current_user.can_upload:
        return render_template(
            "errors/error.html", status=413, title="The file is too large", message=message
        ), 413
    return _render_upload(_upload_form(read_request=False), {"file": message}, 413)


@bp.route("/upload", methods=["GET", "POST"])
@login_required
def upload():
    if not current_user.can_upload:
        raise PermissionDenied(
            "Only contributors and approvers can upload documents. Ask your authority's "
            "approver or the programme team if you need to."
        )
    form = _upload_form()
    if request.method == "GET":
        form.challenge.data = request.args.get("challenge", "")
        return _render_upload(form, {}, 200)
    if not form.validate_on_submit():
        errors = forms.first_errors(form)
        return _render_upload(form, errors, 400)
    upload = request.files.get("file")
    data = upload.read() if upload and upload.filename else None
    submitted = documents.UploadInput(
        title=form.title.data or "",
        summary=form.summary.data or "",
        document_type=form.document_type.data or "",
        service_areas=form.service_areas.data or [],
        year=form.year.data,
        filename=upload.filename if upload else "",
        data=data,
        challenge=form.challenge.data or None,
    )
    try:
        document = documents.upload_document(
            get_session(), current_app.extensions["file_storage"], current_user, submitted, limits()
        )
    except ValidationError as exc:
        return _render_upload(form, exc.errors or {"file": exc.message}, exc.status)
    found = workspace.found_words(document)
    flash(
        f"Uploaded. We found {found} to review: decide on each below."
        if found
        else "Uploaded. We found nothing to redact: read the text below and redact anything we missed.",
        "success",
    )
    landing = url_for("redaction.workspace", document_id=document.id, uploaded=1)
    if request.headers.get("X-Upload-Progress"):
        # The upload page's script sent the form to show progress: it opens the page itself, as a
        # page of its own (a page written into the upload page would not start its scripts).
        return jsonify(location=landing)
    return redirect(landing)


@bp.get("/our-documents")
@login_required
def our_documents():
    page = page_number()
    per_page = current_app.config["PAGE_SIZE"]
    items, total = documents.own_documents(get_session(), current_user, page=page, per_page=per_page)
    pages = page_count(total, per_page)
    is_owner = current_user.role in access.OWNER_ROLES
    return render_template(
        "documents/our_documents.html",
        documents=items,
        total=total,
        page=page,
        pages=pages,
        is_owner=is_owner,
        usage=usage.summaries(get_session(), [d.id for d in items if d.status != "draft"])
        if is_owner
        else {},
    )


@bp.get("/documents/<int:document_id>")
@login_required
def show(document_id: int):
    session = get_session()
    document = access.get_for_viewer(session, current_user, document_id)
    owner = access.is_owner(current_user, document)
    version = document.current_version
    if not owner:
        count_use(current_user, document, "view")
    # Opened from a page of search results: a way back to them, the search kept.
    back = navigation.safe_next(request.args.get("back"), default="/") if request.args.get("back") else ""
    return render_template(
        "documents/show.html",
        back_to_results=back if back.startswith("/search") else "",
        document=document,
        is_owner=owner,
        version=version,
        changed=owner and published.has_unpublished_changes(document),
        reading_notes=reading.notes(document, current_app.config["OCR_MAX_PAGES"]) if owner else [],
        audiences=publication.audiences(session, document.authority) if owner else [],
        audience=publication.audience_words(session, document.authority, document.scope)
        if document.scope
        else "",
        similar=[]
        if owner
        else search.more_like_this(session, current_app.extensions["search"], current_user, document.id),
        part_of=challenges.document_challenge(session, current_user, document),
        usage=usage.usage_of(session, current_user, document.id)
        if owner and document.status != "draft"
        else None,
    )


@bp.route("/documents/<int:document_id>/edit", methods=["GET", "POST"])
@login_required
def edit(document_id: int):
    session = get_session()
    document = access.get_for_owner(session, current_user, document_id)
    form = _upload_form()
    errors: dict[str, str] = {}
    if request.method == "GET":
        form.title.data, form.summary.data = document.title, document.summary
        form.document_type.data = document.document_type.slug
        form.service_areas.data = [a.slug for a in document.service_areas]
        form.year.data = str(document.year or "")
        form.challenge.data = str(document.challenge_id or "")
    elif form.validate_on_submit():
        submitted = documents.UploadInput(
            title=form.title.data or "",
            summary=form.summary.data or "",
            document_type=form.document_type.data or "",
            service_areas=form.service_areas.data or [],
            year=form.year.data,
            challenge=form.challenge.data or None,
        )
        try:
            documents.update_details(session, current_user, document_id, submitted)
        except ValidationError as exc:
            session.rollback()
            errors = exc.errors
        else:
            flash(
                "The details were saved."
                + (
                    " Readers see the shared version until your approver consents to the changes."
                    if document.status == "published"
                    else ""
                ),
                "success",
            )
            return redirect(url_for("documents.show", document_id=document_id))
    else:
        errors = forms.first_errors(form)
    return render_template(
        "documents/edit.html", form=form, errors=errors, document=document
    ), 400 if errors else 200


@bp.get("/documents/<int:document_id>/original")
@login_required
def original(document_id: int):
    stored, data = documents.read_original(
        current_app.extensions["file_storage"], get_session(), current_user, document_id
    )
    response = Response(data, mimetype=stored.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="document-{document_id}.{stored.kind}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
