"""The redaction workspace and the authority's term lists."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import redaction as engine
from ..db import get_session
from ..services import redaction
from ..services.errors import ValidationError

bp = Blueprint("redaction", __name__)

CATEGORY_CHOICES = [(c, engine.LABELS[c].capitalize()) for c in engine.CATEGORIES]
RULE_WORDS = {**engine.RULES, "manual": "you", "authority-term": "your authority's term list"}


def _workspace(document_id: int, errors: dict | None = None, form: dict | None = None, status: int = 200):
    session = get_session()
    document, items = redaction.redactions_for(session, current_user, document_id)
    result = redaction.preview(document)
    findings = redaction.final_check(session, document) if result.pending == 0 else []
    counts = Counter(" ".join(r.text.lower().split()) for r in items if r.status == "suggested")
    by_field = {field: [r for r in items if r.field == field] for field in redaction.FIELDS}
    return render_template(
        "redaction/workspace.html",
        document=document,
        items=items,
        by_field=by_field,
        preview=result,
        findings=findings,
        counts=counts,
        errors=errors or {},
        form=form or {},
        categories=CATEGORY_CHOICES,
        rule_words=RULE_WORDS,
    ), status


@bp.get("/documents/<int:document_id>/redact")
@login_required
def workspace(document_id: int):
    return _workspace(document_id)


def _back(document_id: int, anchor: str = ""):
    return redirect(url_for("redaction.workspace", document_id=document_id) + anchor)


@bp.post("/documents/<int:document_id>/redactions/<int:redaction_id>")
@login_required
def decide(document_id: int, redaction_id: int):
    redaction.decide(get_session(), current_user, document_id, redaction_id, request.form.get("status", ""))
    return _back(document_id, f"#row-{redaction_id}")


@bp.post("/documents/<int:document_id>/redactions/value")
@login_required
def decide_value(document_id: int):
    count = redaction.decide_value(
        get_session(),
        current_user,
        document_id,
        request.form.get("value", ""),
        request.form.get("status", ""),
    )
    flash(f"{count} suggestion{'s' if count != 1 else ''} {request.form.get('status')}.", "success")
    return _back(document_id)


@bp.post("/documents/<int:document_id>/redactions/accept-all")
@login_required
def accept_all(document_id: int):
    count = redaction.accept_all(get_session(), current_user, document_id)
    flash(f"{count} suggestion{'s' if count != 1 else ''} accepted.", "success")
    return _back(document_id)


@bp.post("/documents/<int:document_id>/redactions/detect")
@login_required
def detect_again(document_id: int):
    added = redaction.check_again(get_session(), current_user, document_id)
    flash(f"Checked again: {added} new suggestion{'s' if added != 1 else ''}.", "success")
    return _back(document_id)


@bp.post("/documents/<int:document_id>/redactions/add")
@login_required
def add(document_id: int):
    form = {
        "text": request.form.get("text", ""),
        "category": request.form.get("category", "other"),
        "all_occurrences": request.form.get("all_occurrences") == "y",
        "field": request.form.get("field", "text"),
    }
    try:
        made = redaction.add_manual(
            get_session(),
            current_user,
            document_id,
            text=form["text"],
            all_occurrences=form["all_occurrences"],
            category=form["category"],
            field=form["field"],
        )
    except ValidationError as exc:
        get_session().rollback()
        return _workspace(document_id, exc.errors or {"text": exc.message}, form, exc.status)
    flash(f"Redacted {len(made)} occurrence{'s' if len(made) != 1 else ''} of '{made[0].text}'.", "success")
    return _back(document_id)


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
        except ValidationError as exc:
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
        "redaction/terms.html", rows=rows, errors=errors, form=form, categories=CATEGORY_CHOICES
    ), 400 if errors else 200


@bp.post("/terms/<int:term_id>/delete")
@login_required
def delete_term(term_id: int):
    redaction.delete_term(get_session(), current_user, term_id)
    flash("The term was removed.", "success")
    return redirect(url_for("redaction.terms"))
