"""The redaction workspace and the authority's term lists.

Every decision is a plain form that works without JavaScript (it redirects back to the
workspace). The workspace's script sends the same forms in the background with the header
``X-Requested-With: fetch``; those get JSON with the parts of the page that changed.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from library import redaction as engine
from library.core import published
from library.core.errors import Conflict, NotFound, ValidationError
from library.core.paging import page_count
from library.documents import challenge_details, handoff, reading
from library.documents import workspace as redaction
from library.web import navigation
from library.web.database import get_session
from library.web.paging import page_number

bp = Blueprint("redaction", __name__)

CATEGORY_CHOICES = [(c, engine.category_words(c).capitalize()) for c in engine.CATEGORIES]
RULE_WORDS = {
    **engine.RULES,
    "manual": "someone at your authority chose it",
    "authority-term": "it is on your authority's list of terms to redact",
    "indirect": "details that together may identify someone meet there",
}


def _background() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


VALUES_PER_PAGE = 25


def _values_page(ws: redaction.Workspace) -> int:
    """Which page of the list of values the page shows: ``values`` in the address, or for the
    page's script the header it sends with each decision."""
    raw = request.args.get("values") or request.headers.get("X-Values-Page") or "1"
    pages = page_count(len(ws.groups), VALUES_PER_PAGE)
    return min(max(int(raw), 1), pages) if raw.isdigit() and len(raw) < 6 else 1


def _context(ws: redaction.Workspace, **extra) -> dict:
    values_page = _values_page(ws)
    return {
        "shown_groups": ws.groups[(values_page - 1) * VALUES_PER_PAGE : values_page * VALUES_PER_PAGE],
        "values_page": values_page,
        "per_values_page": VALUES_PER_PAGE,
        "values_pages": page_count(len(ws.groups), VALUES_PER_PAGE),
        "workspace_here": url_for("redaction.workspace", document_id=ws.document.id)
        + (f"?values={values_page}" if values_page > 1 else ""),
        "ws": ws,
        "document": ws.document,
        "rule_words": RULE_WORDS,
        "categories": CATEGORY_CHOICES,
        "words": engine.category_words,
        "word_map": {c: engine.category_words(c) for c in engine.CATEGORIES},
        "needs_consent": handoff.needs_consent(ws.document),
        "reading_notes": reading.notes(ws.document, current_app.config["OCR_MAX_PAGES"]),
        **extra,
    }


def _workspace(document_id: int, errors: dict | None = None, form: dict | None = None, status: int = 200):
    session = get_session()
    ws = redaction.workspace(session, current_user, document_id)
    pending = bool(challenge_details.pending(session, ws.document))
    return render_template(
        "redaction/workspace.html",
        **_context(ws, errors=errors or {}, form=form or {}, with_items=True, challenge_to_review=pending),
    ), status


@bp.get("/documents/<int:document_id>/redact")
@login_required
def workspace(document_id: int):
    return _workspace(document_id)


def _done(document_id: int, message: str, anchor: str = "", *, redraw: bool = False):
    """After a decision: the changed parts as JSON for the page's script, or back to the page.
    The final check, when it is due, is left for the script's next request (:func:`check`), so
    that the highlights and the preview change at once. ``redraw``: send the text and the list
    again even if no suggestion was added (they show the reviewer's own words)."""
    if not _background():
        flash(message, "success")
        # From the page of one value's places, or a later page of the values: back there.
        back = request.form.get("next", "")
        if back.startswith(f"/documents/{document_id}/redact"):
            return redirect(navigation.safe_next(back) + anchor)
        return redirect(url_for("redaction.workspace", document_id=document_id) + anchor)
    ws = redaction.workspace(get_session(), current_user, document_id, check=False)
    known = request.headers.get("X-Known-Marks", type=int)
    body = _parts(ws, with_document=redraw or known != len(ws.items))
    body["message"] = message
    if not ws.checked:
        body["check_url"] = url_for("redaction.check", document_id=document_id)
    return jsonify(body)


def _parts(ws: redaction.Workspace, *, with_document: bool) -> dict:
    context = _context(ws, with_items=False, errors={}, form={})
    body = {
        "statuses": {str(r.id): r.status for r in ws.items},
        "pending": ws.preview.pending,
        "reviewed": ws.preview.reviewed,
        "total": ws.preview.total,
        "status_html": render_template("redaction/_status.html", **context),
        "kinds_html": render_template("redaction/_kinds.html", **context),
        "preview_html": render_template("redaction/_preview.html", **context),
        # Each value's counts: the page updates its list in place (and keeps its order).
        "groups": {g.key: [g.pending, g.redacted, g.kept] for g in ws.groups},
    }
    if with_document:  # new suggestions or places: the text and the list are drawn again
        body["document_html"] = render_template("redaction/_document.html", **context)
        body["groups_html"] = render_template("redaction/_groups.html", **context)
    return body


PLACES_PER_PAGE = 25


@bp.get("/documents/<int:document_id>/redact/places/<key>")
@login_required
def places(document_id: int, key: str):
    """One value's places, one by one and a page at a time, each with its own decision: the
    workspace lists each value once and links here."""
    ws = redaction.workspace(get_session(), current_user, document_id, check=False)
    group = next((g for g in ws.groups if g.key == key), None)
    if group is None:
        raise NotFound("That value is not among this document's suggestions any more.")
    page = page_number()
    pages = page_count(len(group.items), PLACES_PER_PAGE)
    values_page = ws.groups.index(group) // VALUES_PER_PAGE + 1
    shown = group.items[(page - 1) * PLACES_PER_PAGE : page * PLACES_PER_PAGE]
    return render_template(
        "redaction/places.html",
        ws=ws,
        document=ws.document,
        group=group,
        items=shown,
        page=page,
        pages=pages,
        here=request.full_path,
        words=engine.category_words,
        back=url_for("redaction.workspace", document_id=document_id)
        + (f"?values={values_page}" if values_page > 1 else "")
        + f"#g-{group.key}",
    )


@bp.get("/documents/<int:document_id>/redact/check")
@login_required
def check(document_id: int):
    """The workspace's parts with the final check run: the page's script asks for it once
    nothing is pending. The text comes too when the check found something (its places are
    highlighted) or the page still shows places found before."""
    ws = redaction.workspace(get_session(), current_user, document_id)
    with_document = bool(ws.findings) or request.headers.get("X-Finding-Marks") == "1"
    body = _parts(ws, with_document=with_document)
    body["message"] = (
        "The final check passed."
        if ws.passes
        else f"The final check found {_plural(len(ws.findings), 'thing')} still to redact."
    )
    return jsonify(body)


def _plural(count: int, word: str = "suggestion") -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


@bp.post("/documents/<int:document_id>/redactions/<int:redaction_id>")
@login_required
def decide(document_id: int, redaction_id: int):
    status = request.form.get("status", "")
    item = redaction.decide(
        get_session(),
        current_user,
        document_id,
        redaction_id,
        status,
        never_redact=request.form.get("never_redact") == "y",
    )
    words = "Redacted" if status == "accepted" else "Kept"
    extra = " and added to your never-redact list" if request.form.get("never_redact") == "y" else ""
    # Back at the place decided: its row on the page of places, or its highlight in the text.
    anchor = f"#row-{redaction_id}" if "/places/" in request.form.get("next", "") else f"#r-{redaction_id}"
    return _done(document_id, f"{words} “{item.text}”{extra}.", anchor)


@bp.post("/documents/<int:document_id>/redactions/<int:redaction_id>/generalise")
@login_required
def generalise(document_id: int, redaction_id: int):
    """Words of the reviewer's own instead of a warning's details ("a teenager with a disability")."""
    words = request.form.get("replacement", "")
    try:
        item = redaction.generalise(get_session(), current_user, document_id, redaction_id, words)
    except (ValidationError, Conflict) as exc:
        get_session().rollback()
        if _background():
            raise
        key = f"replacement-{redaction_id}"
        return _workspace(document_id, {key: exc.message}, {key: words}, exc.status)
    return _done(
        document_id,
        f"Readers will see “{item.replacement}” there instead.",
        f"#replacement-{redaction_id}",
        redraw=True,
    )


@bp.post("/documents/<int:document_id>/redactions/value")
@login_required
def decide_value(document_id: int):
    status = request.form.get("status", "")
    value = request.form.get("value", "")
    count = redaction.decide_value(
        get_session(),
        current_user,
        document_id,
        value,
        status,
        category=request.form.get("category") or None,
        never_redact=request.form.get("never_redact") == "y",
    )
    words = "Redacted" if status == "accepted" else "Kept"
    key = request.form.get("key", "")
    anchor = f"#g-{key}" if key.isalnum() and len(key) <= 64 else ""
    return _done(document_id, f"{words} “{value}” in {_plural(count, 'place')}.", anchor)


@bp.post("/documents/<int:document_id>/redactions/category")
@login_required
def decide_category(document_id: int):
    category = request.form.get("category", "")
    count = redaction.decide_category(get_session(), current_user, document_id, category)
    return _done(document_id, f"Redacted {count} {engine.category_words(category, count)}.")


@bp.post("/documents/<int:document_id>/redactions/accept-all")
@login_required
def accept_all(document_id: int):
    count = redaction.accept_all(get_session(), current_user, document_id)
    return _done(document_id, f"{_plural(count)} accepted.")


@bp.post("/documents/<int:document_id>/redactions/detect")
@login_required
def detect_again(document_id: int):
    added = redaction.check_again(get_session(), current_user, document_id)
    return _done(document_id, f"Checked again: {_plural(added, 'new suggestion')}.")


@bp.post("/documents/<int:document_id>/redactions/add")
@login_required
def add(document_id: int):
    form = {
        "text": request.form.get("text", ""),
        "category": request.form.get("category", "other"),
        "all_occurrences": request.form.get("all_occurrences") == "y",
        "field": request.form.get("field", "text"),
    }
    start, end = request.form.get("start", type=int), request.form.get("end", type=int)
    try:
        made = redaction.add_manual(
            get_session(),
            current_user,
            document_id,
            text=None if start is not None and end is not None else form["text"],
            start=start,
            end=end,
            all_occurrences=form["all_occurrences"],
            category=form["category"],
            field=form["field"],
        )
    except (ValidationError, Conflict) as exc:
        get_session().rollback()
        if _background():
            raise
        return _workspace(document_id, exc.errors or {"text": exc.message}, form, exc.status)
    return _done(document_id, f"Redacted {_plural(len(made), 'occurrence')} of “{made[0].text}”.")


@bp.post("/documents/<int:document_id>/ready")
@login_required
def ready(document_id: int):
    handoff.mark_ready(get_session(), current_user, document_id)
    flash("Marked ready for approval. Your authority's approvers see it on their list.", "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.route("/terms", methods=["GET", "POST"])
@login_required
def terms():
    session = get_session()
    errors: dict[str, str] = {}
    form = {"term": "", "kind": "always", "category": "other"}
    if request.method == "POST":
        form = {key: request.form.get(key, default) for key, default in form.items()}
        try:
            row = redaction.add_term(session, current_user, form["term"], form["kind"], form["category"])
        except (ValidationError, Conflict) as exc:
            session.rollback()
            errors = exc.errors or {"term": exc.message}
        else:
            flash(
                f"'{row.term}' added to the {'always' if row.kind == 'always' else 'never'} redact list.",
                "success",
            )
            return redirect(url_for("redaction.terms"))
    rows = redaction.list_terms(session, current_user)
    return render_template(
        "redaction/terms.html",
        rows=rows,
        errors=errors,
        form=form,
        categories=CATEGORY_CHOICES,
        words=engine.category_words,
    ), 400 if errors else 200


@bp.post("/terms/<int:term_id>/delete")
@login_required
def delete_term(term_id: int):
    redaction.delete_term(get_session(), current_user, term_id)
    flash("The term was removed.", "success")
    return redirect(url_for("redaction.terms"))


# The peer challenge's details ---------------------------------------------------------------------


def _challenge_details_page(document_id: int, errors: dict | None = None, status: int = 200):
    session = get_session()
    document = redaction.editable(session, current_user, document_id)
    rows = challenge_details.review(session, document)
    challenge = document.challenge
    return render_template(
        "redaction/challenge_details.html",
        document=document,
        challenge=challenge,
        rows=rows,
        shown={f: published.challenge_detail(challenge, f) for f in challenge_details.FIELDS}
        if challenge
        else {},
        words=engine.category_words,
        errors=errors or {},
    ), status


@bp.get("/documents/<int:document_id>/challenge-details")
@login_required
def challenge_details_page(document_id: int):
    return _challenge_details_page(document_id)


@bp.post("/documents/<int:document_id>/challenge-details/<int:redaction_id>")
@login_required
def decide_challenge_detail(document_id: int, redaction_id: int):
    action = request.form.get("action", "")
    status = {"redact": "accepted", "words": "accepted", "keep": "rejected"}.get(action, "")
    words = request.form.get("replacement", "") if action == "words" else None
    try:
        challenge_details.decide(get_session(), current_user, document_id, redaction_id, status, words)
    except (ValidationError, Conflict) as exc:
        get_session().rollback()
        return _challenge_details_page(document_id, exc.errors or {"replacement": exc.message}, status=400)
    flash("Your decision is saved.", "success")
    return redirect(url_for("redaction.challenge_details_page", document_id=document_id))
