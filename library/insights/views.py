"""The insights page: what the library holds that the viewer may read and how it is read, as
charts with their tables and CSV downloads; and a document's usage for its owners."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from library.core import vocabularies
from library.core.errors import NotFound
from library.insights import service as insights
from library.insights import usage
from library.web.csvfile import csv_response
from library.web.database import get_session

bp = Blueprint("insights", __name__)
CHARTS = ("areas-by-region", "types", "years", "most-read", "growth")


def _filters() -> dict[str, str]:
    return insights.parse_filters(get_session(), {k: v for k, v in request.args.items()})


@bp.get("/insights")
@login_required
def page():
    found = insights.insights(get_session(), current_user, _filters())
    return render_template(
        "insights/index.html", found=found, document_types=vocabularies.document_types(get_session())
    )


@bp.get("/insights/<chart>.csv")
@login_required
def chart_csv(chart: str):
    if chart not in CHARTS:
        raise NotFound("No such chart.")
    found = insights.insights(get_session(), current_user, _filters())
    if chart == "areas-by-region":
        head = ["Service area"] + [name for _slug, name in found.regions]
        rows = [
            [area] + [found.by_area_region.get((slug, region), 0) for region, _name in found.regions]
            for slug, area in found.areas
        ]
    elif chart == "types":
        head, rows = ["Document type", "Documents"], [list(r) for r in found.by_type]
    elif chart == "years":
        head, rows = ["Year", "Documents"], [list(r) for r in found.by_year]
    elif chart == "most-read":
        head = ["Document", "Authority", "Reads in the last three months"]
        rows = [[d["title"], d["authority"], d["views"]] for d in found.most_read]
    else:
        if not found.whole_library:
            raise NotFound("No such chart.")
        g = found.growth
        head = ["Month", "Documents shared", "Authorities sharing", "Readers active"]
        rows = [list(r) for r in zip(g["labels"], g["shared"], g["authorities"], g["readers"], strict=True)]
    return csv_response(f"insights-{chart}", head, rows)


@bp.get("/documents/<int:document_id>/usage.csv")
@login_required
def usage_csv(document_id: int):
    found = usage.usage_of(get_session(), current_user, document_id)
    rows = [[usage.month_label(m), v, d] for m, v, d in found.months]
    return csv_response(f"document-{document_id}-usage", ["Month", "Reads", "Downloads"], rows)
