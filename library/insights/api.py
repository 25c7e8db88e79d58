"""The insights' routes of the JSON API: a document's usage, for its owners."""

from __future__ import annotations

from flask import jsonify

from library.insights import usage
from library.web.api import api_user, bp
from library.web.database import get_session


@bp.get("/documents/<int:document_id>/usage")
def get_usage(document_id: int):
    """How often people of other authorities read and downloaded it (owners, administrators)."""
    return jsonify(usage.usage_of(get_session(), api_user(), document_id).as_json())
