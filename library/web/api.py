"""The JSON API at /api/v1. Bearer tokens only: no cookies, so no CSRF."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request, url_for

from library.accounts import service as accounts
from library.challenges import reuse
from library.challenges import service as challenges
from library.core import access as permissions
from library.core import vocabularies
from library.core.db import get_session
from library.core.errors import NotAuthenticated, ValidationError
from library.core.models import Document, User
from library.documents import handoff, publication
from library.documents import upload as documents
from library.documents import workspace as redaction
from library.extraction import Limits
from library.insights import usage
from library.search import follows
from library.search import service as search_service
from library.web import api_checks
from library.web.openapi import DOCX
from library.web.paging import MAX_PAGE

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def json_error(status: int, code: str, message: str, errors: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if errors:
        body["error"]["fields"] = errors
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="library"'
    return response


@bp.before_request
def _authenticate() -> None:
    if request.endpoint == "api.openapi_json":
        return  # the description is public
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Send an API token: 'Authorization: Bearer TOKEN'.")
    user = accounts.user_for_token(get_session(), token.strip())
    if user is None:
        raise NotAuthenticated("The API token is not valid, or its user is no longer active.")
    g.api_user = user


@bp.before_request
def _as_described() -> None:
    """Every request as the OpenAPI description says (types, ranges, fixed values, required and
    unknown fields): a 400 naming the field otherwise, before any view reads it."""
    rule = request.url_rule
    if rule is None or request.endpoint == "api.openapi_json":
        return
    operation = api_checks.operation_for(rule.rule, request.method)
    if operation is None:
        return
    body, has_body, form, files = None, False, None, None
    if request.mimetype == "multipart/form-data":
        form, files = request.form, request.files
    elif request.content_length or request.get_data(cache=True):
        has_body = True
        body = request.get_json(silent=True) if request.is_json else None
        if body is None:
            raise ValidationError("Send a JSON object in the request body (Content-Type: application/json).")
        body = api_checks.as_described(body, api_checks.body_schema(operation))
        g.api_body = body

    def full() -> dict:
        names = search_service.vocabulary_names(get_session())
        return api_checks.operation_for(rule.rule, request.method, {k: sorted(v) for k, v in names.items()})

    api_checks.check(operation, request.args, body, has_body, form, files, full)


@bp.after_request
def _no_cookies(response):
    response.headers.pop("Set-Cookie", None)
    response.headers["Cache-Control"] = "no-store"
    return response


def _user() -> User:
    return g.api_user


def limits() -> Limits:
    return Limits.from_config(current_app.config)


def document_json(document: Document, user: User) -> dict:
    """The API's view of a document. Readers get the published version only (its redacted title,
    summary and text); the unredacted text is never here: see /text (owners only)."""
    owner = permissions.is_owner(user, document)
    version = document.current_version
    published = document.status == "published" and version is not None
    shown = document if owner or not published else version
    body = {
        "id": document.id,
        "title": shown.title,
        "summary": shown.summary,
        "document_type": shown.document_type.slug,
        "service_areas": [a.slug for a in shown.service_areas],
        "year": shown.year,
        "authority": {"code": document.authority.code, "name": document.authority.name},
        "region": document.authority.region.slug,
        "status": document.status,
        "scope": document.scope,
        "published_at": _iso(document.published_at),
        "withdrawn_at": _iso(document.withdrawn_at),
        "url": url_for("documents.show", document_id=document.id),
    }
    if published and (owner or permissions.can_read_published(user, document)):
        body["text"] = version.text
        body["version"] = version.number
    if owner:
        body["challenge"] = (
            {"id": document.challenge.id, "title": document.challenge.title} if document.challenge else None
        )
    else:
        shared = version if published and version.challenge_id else None
        body["challenge"] = {"id": shared.challenge_id, "title": shared.challenge_title} if shared else None
    if owner:
        body["created_at"] = _iso(document.created_at)
        body["unpublished_changes"] = publication.has_unpublished_changes(document)
        body["hand_off"] = {
            "ready_at": _iso(document.ready_at),
            "ready_by": document.ready_by.name if document.ready_by else None,
            "sent_back_at": _iso(document.sent_back_at),
            "sent_back_by": document.sent_back_by.name if document.sent_back_by else None,
            "note": document.sent_back_note,
        }
        if document.original is not None:
            body["original"] = {
                "filename": document.original.original_filename,
                "kind": document.original.kind,
                "size": document.original.size,
            }
    return body


def _iso(value) -> str | None:
    return value.isoformat() + "Z" if value else None


@bp.get("/taxonomy")
def taxonomy():
    session = get_session()
    from sqlalchemy import select

    from library.core.models import Authority

    return jsonify(
        {
            "regions": [{"slug": r.slug, "name": r.name} for r in vocabularies.regions(session)],
            "authorities": [
                {"code": a.code, "name": a.name, "region": a.region.slug}
                for a in session.scalars(select(Authority).order_by(Authority.name))
            ],
            "service_areas": [
                {"slug": a.slug, "name": a.name, "description": a.description}
                for a in vocabularies.service_areas(session)
            ],
            "document_types": [
                {"slug": t.slug, "name": t.name, "description": t.description}
                for t in vocabularies.document_types(session)
            ],
        }
    )


@bp.post("/documents")
def create_document():
    upload = request.files.get("file")
    form = documents.UploadInput(
        title=request.form.get("title", ""),
        summary=request.form.get("summary", ""),
        document_type=request.form.get("document_type", ""),
        service_areas=request.form.getlist("service_areas"),
        year=request.form.get("year"),
        filename=upload.filename if upload else "",
        data=upload.read() if upload else None,
        challenge=request.form.get("challenge_id") or documents.KEEP,
    )
    document = documents.upload_document(
        get_session(), current_app.extensions["file_storage"], _user(), form, limits()
    )
    response = jsonify(document_json(document, _user()))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_document", document_id=document.id)
    return response


def _page_args() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 20))
    except ValueError as exc:
        raise ValidationError("page and per_page must be whole numbers.") from exc
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= 100:
        raise ValidationError(f"page must be between 1 and {MAX_PAGE}, and per_page between 1 and 100.")
    return page, per_page


@bp.get("/documents")
def list_documents():
    page, per_page = _page_args()
    items, total = documents.own_documents(get_session(), _user(), page=page, per_page=per_page)
    return jsonify(
        {
            "total": total,
            "page": page,
            "per_page": per_page,
            "results": [document_json(d, _user()) for d in items],
        }
    )


@bp.get("/documents/<int:document_id>")
def get_document(document_id: int):
    document = documents.get_for_viewer(get_session(), _user(), document_id)
    count_use(_user(), document, "view")
    return jsonify(document_json(document, _user()))


@bp.get("/documents/<int:document_id>/usage")
def get_usage(document_id: int):
    """How often people of other authorities read and downloaded it (owners, administrators)."""
    return jsonify(usage.usage_of(get_session(), _user(), document_id).as_json())


@bp.get("/documents/<int:document_id>/text")
def get_text(document_id: int):
    document = documents.get_for_owner(get_session(), _user(), document_id)
    return jsonify({"text": document.extracted_text})


# Redaction ---------------------------------------------------------------------------------------


def redaction_json(r) -> dict:
    return {
        "id": r.id,
        "field": r.field,
        "start": r.start,
        "end": r.end,
        "text": r.text,
        "category": r.category,
        "rule": r.rule,
        "source": r.source,
        "status": r.status,
        "reason": r.reason or None,
        "replacement": r.replacement,
    }


def _json_body() -> dict:
    """The request's JSON object, as checked against the description (whole numbers sent as 2025.0
    read as 2025)."""
    body = g.get("api_body", request.get_json(silent=True))
    if not isinstance(body, dict):
        raise ValidationError("Send a JSON object in the request body.")
    return body


@bp.get("/documents/<int:document_id>/redactions")
def list_redactions(document_id: int):
    _document, items = redaction.redactions_for(get_session(), _user(), document_id)
    return jsonify({"redactions": [redaction_json(r) for r in items]})


@bp.post("/documents/<int:document_id>/redactions")
def add_redactions(document_id: int):
    body = _json_body()
    if "text" in body and not isinstance(body["text"], str):
        raise ValidationError("text must be a string.", field="text")
    made = redaction.add_manual(
        get_session(),
        _user(),
        document_id,
        text=body.get("text") if "text" in body else None,
        all_occurrences=bool(body.get("all_occurrences", True)),
        start=body.get("start"),
        end=body.get("end"),
        category=body.get("category"),
        field=body.get("field", "text"),
    )
    response = jsonify({"redactions": [redaction_json(r) for r in made]})
    response.status_code = 201
    return response


@bp.patch("/documents/<int:document_id>/redactions/<int:redaction_id>")
def patch_redaction(document_id: int, redaction_id: int):
    body = _json_body()
    if "replacement" in body:
        # Words of the caller's own instead of a label: a decision to redact it that way.
        if body.get("status", "accepted") != "accepted" or not isinstance(body["replacement"], str):
            raise ValidationError(
                "replacement is text, sent alone or with status 'accepted'.", field="replacement"
            )
        item = redaction.generalise(get_session(), _user(), document_id, redaction_id, body["replacement"])
        return jsonify(redaction_json(item))
    item = redaction.decide(
        get_session(),
        _user(),
        document_id,
        redaction_id,
        str(body.get("status", "")),
        never_redact=body.get("never_redact") is True,
    )
    return jsonify(redaction_json(item))


@bp.post("/documents/<int:document_id>/redactions/accept-all")
def accept_all(document_id: int):
    count = redaction.accept_all(get_session(), _user(), document_id)
    return jsonify({"accepted": count})


@bp.get("/documents/<int:document_id>/preview")
def get_preview(document_id: int):
    session = get_session()
    document = documents.get_for_owner(session, _user(), document_id)
    result = redaction.preview(document)
    findings = redaction.checked(session, document)
    return jsonify(
        {
            "text": result.text,
            "title": result.title,
            "summary": result.summary,
            "pending": result.pending,
            "reviewed": result.reviewed,
            "total": result.total,
            "content_hash": publication.snapshot(document).content_hash,
            "final_check": {
                "passed": not findings,
                "findings": [
                    {
                        "field": f.field,
                        "start": f.start,
                        "end": f.end,
                        "text": f.text,
                        "category": f.category,
                        "reason": f.reason,
                        "source_start": f.source_start,
                        "source_end": f.source_end,
                    }
                    for f in findings
                ],
            },
        }
    )


def term_json(t) -> dict:
    return {"id": t.id, "term": t.term, "kind": t.kind, "category": t.category}


@bp.get("/terms")
def list_terms():
    return jsonify({"terms": [term_json(t) for t in redaction.list_terms(get_session(), _user())]})


@bp.post("/terms")
def add_term():
    body = _json_body()
    term = redaction.add_term(
        get_session(), _user(), str(body.get("term", "")), str(body.get("kind", "")), body.get("category")
    )
    response = jsonify(term_json(term))
    response.status_code = 201
    return response


@bp.delete("/terms/<int:term_id>")
def delete_term(term_id: int):
    redaction.delete_term(get_session(), _user(), term_id)
    return "", 204


# Details, consent and publication ----------------------------------------------------------------


@bp.patch("/documents/<int:document_id>")
def patch_document(document_id: int):
    body = _json_body()
    session = get_session()
    document = documents.get_for_owner(session, _user(), document_id)
    form = documents.UploadInput(
        title=body.get("title", document.title),
        summary=body.get("summary", document.summary),
        document_type=body.get("document_type", document.document_type.slug),
        service_areas=body.get("service_areas", [a.slug for a in document.service_areas]),
        year=body.get("year", document.year),
        challenge=body.get("challenge_id", documents.KEEP),
    )
    if not isinstance(form.service_areas, list) or not all(isinstance(x, str) for x in form.service_areas):
        raise ValidationError("service_areas must be a list of slugs.", field="service_areas")
    for name in ("title", "summary", "document_type"):
        if not isinstance(getattr(form, name), str):
            raise ValidationError(f"{name} must be a string.", field=name)
    document = documents.update_details(session, _user(), document_id, form)
    return jsonify(document_json(document, _user()))


@bp.post("/documents/<int:document_id>/consent")
def give_consent(document_id: int):
    body = _json_body()
    session = get_session()
    publication.give_consent(
        session,
        _user(),
        document_id,
        body.get("scope"),
        body.get("confirm") is True,
        body.get("content_hash"),
    )
    return jsonify(document_json(session.get(Document, document_id), _user()))


@bp.post("/documents/<int:document_id>/ready")
def mark_ready(document_id: int):
    document = handoff.mark_ready(get_session(), _user(), document_id)
    return jsonify(document_json(document, _user()))


@bp.post("/documents/<int:document_id>/send-back")
def send_back(document_id: int):
    body = _json_body()
    note = body.get("note")
    if note is not None and not isinstance(note, str):
        raise ValidationError("note must be a string.", field="note")
    document = handoff.send_back(get_session(), _user(), document_id, note)
    return jsonify(document_json(document, _user()))


@bp.delete("/documents/<int:document_id>/consent")
def withdraw_consent(document_id: int):
    body = g.get("api_body") or {}
    if not isinstance(body, dict):
        raise ValidationError("Send a JSON object in the request body.")
    document = publication.withdraw(get_session(), _user(), document_id, body.get("reason"))
    return jsonify(document_json(document, _user()))


@bp.post("/documents/<int:document_id>/take-down")
def take_down(document_id: int):
    body = _json_body()
    document = publication.take_down(get_session(), _user(), document_id, body.get("reason"))
    return jsonify(
        {"id": document.id, "status": document.status, "withdrawn_at": _iso(document.withdrawn_at)}
    )


def count_use(user: User, document: Document, kind: str) -> None:
    """Count a read or a download of a shared document (queued: no wait for the database)."""
    event = usage.event_for(current_app.config["SECRET_KEY"], user, document, kind)
    current_app.extensions["usage"].record(event)


def download_response(user: User, document_id: int):
    """The published text as markdown (``format=md``, the default) or Word (``format=docx``)."""
    kind = request.args.get("format", "md") or "md"
    if kind not in ("md", "docx"):
        raise ValidationError("format is md or docx.", field="format")
    session = get_session()
    if kind == "docx":
        data = reuse.document_docx(session, user, document_id, current_app.config["BASE_URL"])
        response = current_app.response_class(data, mimetype=DOCX)
    else:
        response = current_app.response_class(
            publication.download_markdown(session, user, document_id), mimetype="text/markdown"
        )
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="peer-challenge-library-{document_id}.{kind}"'
    )
    count_use(user, session.get(Document, document_id), "download")
    return response


@bp.get("/documents/<int:document_id>/download")
def download(document_id: int):
    return download_response(_user(), document_id)


# Peer challenges and reuse ---------------------------------------------------------------------------


def _challenge_input(body: dict, current=None) -> challenges.ChallengeInput:
    return challenges.ChallengeInput(
        title=body.get("title", current.title if current else ""),
        year=body.get("year", current.year if current else None),
        service_areas=body.get("service_areas", [a.slug for a in current.service_areas] if current else []),
        focus=body.get("focus", current.focus if current else ""),
    )


def _challenge_json(challenge_id: int) -> dict:
    return challenges.view(get_session(), _user(), challenge_id).as_json()


@bp.post("/challenges")
def create_challenge():
    challenge = challenges.create(get_session(), _user(), _challenge_input(_json_body()))
    response = jsonify(_challenge_json(challenge.id))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_challenge", challenge_id=challenge.id)
    return response


@bp.patch("/challenges/<int:challenge_id>")
def patch_challenge(challenge_id: int):
    body = _json_body()
    session = get_session()
    current = challenges.get_for_owner(session, _user(), challenge_id)
    challenges.update(session, _user(), challenge_id, _challenge_input(body, current))
    return jsonify(_challenge_json(challenge_id))


def list_filters() -> dict:
    """The filters of the challenge and key line of enquiry lists: words, service area, region, year."""
    return {
        name: (request.args.get(name) or "").strip()[:200] for name in ("q", "service_area", "region", "year")
    }


@bp.get("/challenges")
def list_challenges():
    page, per_page = _page_args()
    params = challenges.BrowseParams(**list_filters(), page=page, per_page=per_page)
    found, total = challenges.browse(get_session(), _user(), params)
    return jsonify(
        {
            "total": total,
            "page": page,
            "per_page": per_page,
            "results": [
                {
                    "id": c.id,
                    "title": c.title,
                    "authority": {"code": c.authority.code, "name": c.authority.name},
                    "region": c.authority.region.slug,
                    "year": c.year,
                    "service_areas": c.areas,
                    "focus": c.focus,
                    "documents": c.documents,
                    "url": url_for("challenges.show", challenge_id=c.id),
                }
                for c in found
            ],
        }
    )


@bp.get("/challenges/<int:challenge_id>")
def get_challenge(challenge_id: int):
    return jsonify(_challenge_json(challenge_id))


@bp.get("/kloes")
def list_kloes():
    page, per_page = _page_args()
    params = reuse.KloeParams(**list_filters(), page=page, per_page=per_page)
    total, results = reuse.kloe_bank(get_session(), _user(), params)
    return jsonify({"total": total, "page": page, "per_page": per_page, "results": results})


@bp.get("/outline")
def get_outline():
    found = reuse.outline(
        get_session(), _user(), request.args.get("document_type"), request.args.get("service_area")
    )
    return jsonify(found.as_json())


@bp.post("/starter")
def make_starter():
    body = _json_body()
    made = reuse.starter(
        get_session(),
        _user(),
        reuse.StarterRequest(
            document_type=body.get("document_type"),
            service_area=body.get("service_area"),
            headings=body.get("headings", []),
            kloe_ids=body.get("kloe_ids", []),
            extracts=body.get("extracts", []),
        ),
        current_app.config["BASE_URL"],
    )
    response = current_app.response_class(made.data, mimetype=DOCX)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


@bp.get("/search")
def search_documents():
    from library.search import service as search_service

    session = get_session()
    params = search_service.parse_params({key: request.args.getlist(key) for key in request.args})
    result = search_service.search(session, current_app.extensions["search"], _user(), params)
    body = {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "results": result.results,
        "facets": result.facets,
    }
    if result.suggestion:
        body["suggestion"] = result.suggestion
    return jsonify(body)


# Following -----------------------------------------------------------------------------------------


def follow_json(row, names) -> dict:
    return {
        "id": row.id,
        "query": row.query,
        "filters": row.filters,
        "description": follows.describe(row, names),
        "created_at": row.created_at.isoformat() + "Z",
    }


@bp.get("/follows")
def list_follows():
    session = get_session()
    user = _user()
    names = search_service.vocabulary_names(session)
    return jsonify(
        {
            "digest_frequency": user.digest_frequency,
            "follows": [follow_json(r, names) for r in follows.follows_of(session, user)],
        }
    )


@bp.post("/follows")
def add_follow():
    """``{"service_area": slug}`` (or ``document_type``, ``region``), or ``{"query", "filters"}``."""
    body = _json_body()
    filters = body.get("filters") or {}
    if not isinstance(filters, dict):
        raise ValidationError("filters is an object of lists of values.", field="filters")
    filters = dict(filters)
    for name in ("service_area", "document_type", "region"):
        if name in body:
            if not isinstance(body[name], str):
                raise ValidationError(f"{name} is a slug.", field=name)
            filters[name] = [body[name]]
    query = body.get("query", "")
    if not isinstance(query, str):
        raise ValidationError("query is text.", field="query")
    session = get_session()
    before = {r.id for r in follows.follows_of(session, _user())}
    row = follows.follow(session, _user(), query, filters)
    names = search_service.vocabulary_names(session)
    return jsonify(follow_json(row, names)), 200 if row.id in before else 201


@bp.delete("/follows/<int:follow_id>")
def delete_follow(follow_id: int):
    follows.unfollow(get_session(), _user(), follow_id)
    return "", 204


@bp.delete("/documents/<int:document_id>")
def delete_document(document_id: int):
    """A withdrawn document deleted for good by its authority's approver (its tombstone stays)."""
    publication.delete_for_good(get_session(), current_app.extensions["file_storage"], _user(), document_id)
    return "", 204


@bp.get("/openapi.json")
def openapi_json():
    """This API's OpenAPI 3.1 description."""
    from library.web.openapi import description

    names = search_service.vocabulary_names(get_session())
    return jsonify(description({name: sorted(values) for name, values in names.items()}))
