"""The peer challenges' routes of the JSON API: challenges, the bank of key lines of enquiry, the
outline of examples and the starter."""

from __future__ import annotations

from flask import current_app, jsonify, request, url_for

from library.challenges import reuse
from library.challenges import service as challenges
from library.core import access
from library.web.api import api_user, bp, json_body, page_args
from library.web.database import get_session
from library.web.openapi import DOCX


def _challenge_input(body: dict, current=None) -> challenges.ChallengeInput:
    return challenges.ChallengeInput(
        title=body.get("title", current.title if current else ""),
        year=body.get("year", current.year if current else None),
        service_areas=body.get("service_areas", [a.slug for a in current.service_areas] if current else []),
        focus=body.get("focus", current.focus if current else ""),
    )


def _challenge_json(challenge_id: int) -> dict:
    return challenges.view(get_session(), api_user(), challenge_id).as_json()


@bp.post("/challenges")
def create_challenge():
    challenge = challenges.create(get_session(), api_user(), _challenge_input(json_body()))
    response = jsonify(_challenge_json(challenge.id))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_challenge", challenge_id=challenge.id)
    return response


@bp.patch("/challenges/<int:challenge_id>")
def patch_challenge(challenge_id: int):
    body = json_body()
    session = get_session()
    current = access.challenge_for_owner(session, api_user(), challenge_id)
    challenges.update(session, api_user(), challenge_id, _challenge_input(body, current))
    return jsonify(_challenge_json(challenge_id))


def list_filters() -> dict:
    """The filters of the challenge and key line of enquiry lists: words, service area, region, year."""
    return {
        name: (request.args.get(name) or "").strip()[:200] for name in ("q", "service_area", "region", "year")
    }


@bp.get("/challenges")
def list_challenges():
    page, per_page = page_args()
    params = challenges.BrowseParams(**list_filters(), page=page, per_page=per_page)
    found, total = challenges.browse(get_session(), api_user(), params)
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
    page, per_page = page_args()
    params = reuse.KloeParams(**list_filters(), page=page, per_page=per_page)
    total, results = reuse.kloe_bank(get_session(), api_user(), params)
    return jsonify({"total": total, "page": page, "per_page": per_page, "results": results})


@bp.get("/outline")
def get_outline():
    found = reuse.outline(
        get_session(), api_user(), request.args.get("document_type"), request.args.get("service_area")
    )
    return jsonify(found.as_json())


@bp.post("/starter")
def make_starter():
    body = json_body()
    made = reuse.starter(
        get_session(),
        api_user(),
        reuse.StarterRequest(
            document_type=body.get("document_type"),
            service_area=body.get("service_area"),
            headings=body.get("headings", []),
            kloe_ids=body.get("kloe_ids", []),
            extracts=body.get("extracts", []),
        ),
    )
    response = current_app.response_class(made.data, mimetype=DOCX)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response
