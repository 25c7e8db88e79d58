"""The health check's page, for load balancers and monitors."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from library.ops import health
from library.web.database import get_session

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """For load balancers and monitors: no sign-in, and nothing but which checks pass."""
    result = health.check(
        get_session(),
        current_app.extensions["search"],
        index_max_age=current_app.config["HEALTH_INDEX_OUTBOX_MAX_SECONDS"],
        mail_max_age=current_app.config["HEALTH_MAIL_OUTBOX_MAX_SECONDS"],
    )
    body = {
        "status": "ok" if result.ok else "unavailable",
        "checks": {k: "ok" if v else "failing" for k, v in result.checks.items()},
    }
    response = jsonify(body)
    response.status_code = 200 if result.ok else 503
    return response
