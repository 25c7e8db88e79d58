"""Home (browse by service area) and the guidance pages."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from library.accounts import service as accounts
from library.core import access, vocabularies
from library.core.errors import ValidationError
from library.documents import handoff, upload
from library.web.database import get_session

bp = Blueprint("main", __name__)

GUIDANCE_DIR = Path(__file__).resolve().parents[2] / "content" / "guidance"
_SLUG_RE = re.compile(r"^[a-z0-9-]+$")


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    session = get_session()
    areas = vocabularies.service_areas(session)
    counts = vocabularies.service_area_counts(session, access.readable_versions(current_user))
    tasks = handoff.tasks(session, current_user) if current_user.role in access.OWNER_ROLES else []
    return render_template(
        "main/home.html",
        tasks=tasks,
        areas=areas,
        counts=counts,
        empty=[a for a in areas if not counts.get(a.id)],
        total=sum(counts.values()),
        recent=upload.recent_readable(session, current_user, area_ids=[a.id for a in current_user.areas]),
        my_areas={a.slug for a in current_user.areas},
        document_types=vocabularies.document_types(session),
    )


@bp.post("/my-areas")
@login_required
def my_areas():
    try:
        areas = accounts.set_areas(get_session(), current_user, request.form.getlist("areas"))
    except ValidationError as exc:
        get_session().rollback()
        flash(exc.message, "error")
    else:
        flash(
            "Your first page now shows what is new in: " + ", ".join(a.name for a in areas) + "."
            if areas
            else "Your first page now shows what is new in the whole library.",
            "success",
        )
    return redirect(url_for("main.home"))


def _guidance_pages() -> list[dict]:
    pages = []
    for path in sorted(GUIDANCE_DIR.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        title, _, body = text.partition("\n")
        pages.append(
            {
                "slug": path.stem.split("-", 1)[1] if path.stem[:2].isdigit() else path.stem,
                "title": title.lstrip("# ").strip(),
                "body": body,
                "path": path,
            }
        )
    return pages


@bp.get("/guidance")
def guidance_index():
    return render_template("main/guidance_index.html", pages=_guidance_pages())


@bp.get("/guidance/<slug>")
def guidance(slug: str):
    if not _SLUG_RE.match(slug):
        abort(404)
    for page in _guidance_pages():
        if page["slug"] == slug:
            return render_template("main/guidance.html", page=page)
    abort(404)
