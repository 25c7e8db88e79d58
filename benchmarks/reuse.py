"""Starting from examples: the outline of a document type with 200 examples, and the starter.

The library holds 2,000 published documents composed like the demo's (about 1,600 words each,
headings, tables, case examples), from 150 authorities in 9 regions at every scope. Of them, 200
are self-assessments on SEND shared nationally: the examples the reader may read. Their headings
vary as real ones do: numbered or not, in capitals, with a bracketed remark, and each document has
sections of its own, so the outline groups several hundred distinct headings. Sections, key lines
of enquiry and what each section says (its vector, for grouping by meaning) are kept with each
version, as consent keeps them.

Measured through the app (``GET /api/v1/outline`` and ``POST /api/v1/starter``, a reader's token)
after one warm-up call: p50 and p95 of 20 calls each. The starter asks for 10 headings, two of them
with an extract, and 8 key lines of enquiry. Targets: outline p95 under 300 ms, starter p95 under
500 ms; on SQLite and on PostgreSQL (``BENCH_DATABASE_URL``).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import datetime, timedelta

from sqlalchemy import text as sql_text

from .load import bench_app
from .search import frame
from .vectors import remembered

OUTLINE_TARGET_MS = 300.0
STARTER_TARGET_MS = 500.0
DOCUMENTS = 2_000
EXAMPLES = 200
CALLS = 20
OTHER_AREAS = ["early-help", "children-in-care", "youth-justice", "front-door-and-mash", "fostering"]
OTHER_TYPES = ["scoping-document", "feedback-letter", "action-plan", "self-assessment"]
OWN_SECTIONS = [
    "Our partnership with health",
    "Preparing for adulthood",
    "Alternative provision",
    "Inclusion in mainstream schools",
    "The local offer",
    "Tribunals and mediation",
    "Home to school transport",
    "Short breaks",
]


def _vary(text: str, rng: random.Random) -> str:
    """Headings as different authorities write them."""
    lines, number = [], 0
    for line in text.splitlines():
        if line.startswith("## "):
            number += 1
            heading = line[3:]
            roll = rng.random()
            if roll < 0.3:
                heading = f"{number}. {heading}"
            elif roll < 0.45:
                heading = heading.upper()
            elif roll < 0.6:
                heading = f"{heading} (SEND)"
            line = f"## {heading}"
            if rng.random() < 0.15:
                lines += [f"## {rng.choice(OWN_SECTIONS)} {rng.randint(1, 60)}", "", "Local detail.", ""]
        lines.append(line)
    return "\n".join(lines) + "\n"


def populate(app, seed: int = 11) -> None:
    from library.core import structure
    from library.core.models import Document, DocumentVersion, Kloe
    from library.demo.compose import compose
    from library.documents.publication import KLOE_TYPES
    from library.search import meaning

    rng = random.Random(seed)
    session = app.extensions["db_sessionmaker"]()
    authorities, areas, types = frame(session)
    start = datetime(2022, 1, 1)
    for i in range(DOCUMENTS):
        example = i < EXAMPLES
        area = "send" if example else rng.choice(OTHER_AREAS)
        doc_type = types["self-assessment" if example else rng.choice(OTHER_TYPES)]
        year = rng.choice([2022, 2023, 2024, 2025])
        authority = rng.choice(authorities)
        title, text = compose(
            area=area, document_type=doc_type.slug, authority=authority.name, pages=3, seed=i, year=year
        )
        if example:
            text = _vary(text, rng)
        when = start + timedelta(hours=i * 3)
        scope = "national" if example else rng.choices(["national", "region", "authority"], [50, 30, 20])[0]
        found = structure.sections(text)
        version = DocumentVersion(
            number=1,
            title=title,
            summary="",
            text=text,
            document_type=doc_type,
            year=year,
            scope=scope,
            text_hash=f"{i:064d}",
            statement="benchmark",
            consented_at=when,
            is_current=True,
            service_areas=[areas[area]],
            sections=[s.as_dict() for s in found],
        )
        document = Document(
            authority=authority,
            title=title,
            summary="",
            document_type=doc_type,
            year=year,
            status="published",
            scope=scope,
            extracted_text=text,
            published_at=when,
            service_areas=[areas[area]],
        )
        document.versions.append(version)
        meaning.attach(version)  # what each section says, as consent keeps it
        session.add(document)
        session.flush()
        if doc_type.slug in KLOE_TYPES:
            version.kloes = [
                Kloe(document_id=document.id, position=n, section=k.section, text=k.text)
                for n, k in enumerate(structure.kloes(text, found), start=1)
            ]
        if i % 500 == 499:
            session.commit()
    session.commit()
    if session.bind.dialect.name == "postgresql":
        # The planner's statistics, as autovacuum keeps them for a library in use.
        session.execute(sql_text("ANALYZE"))
        session.commit()
    session.close()


def _percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[max(int(len(values) * 0.95) - 1, 0)]


def _timed(call, count: int) -> list[float]:
    call()  # warm-up
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return times


def measure(database: str) -> dict:
    from library.accounts import service as accounts
    from library.core.models import Authority, User

    with bench_app(database) as app:
        with remembered():  # the vectors of earlier runs (benchmarks/vectors.py)
            populate(app)
        session = app.extensions["db_sessionmaker"]()
        reader = User(
            email="reader@bench.example",
            name="Reader",
            role="reader",
            active=True,
            authority=session.query(Authority).filter_by(code="A021").one(),
        )
        session.add(reader)
        session.commit()
        token = accounts.create_token(session, None, reader)
        session.close()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        outline_url = "/api/v1/outline?document_type=self-assessment&service_area=send"
        outline = client.get(outline_url, headers=headers).get_json()
        kloes = client.get("/api/v1/kloes?service_area=send&per_page=8", headers=headers).get_json()
        headings = [s["heading"] for s in outline["sections"][:10]]
        body = {
            "document_type": "self-assessment",
            "service_area": "send",
            "headings": headings,
            "extracts": headings[1:3],
            "kloe_ids": [k["id"] for k in kloes["results"]],
        }
        outline_ms = _timed(lambda: client.get(outline_url, headers=headers), CALLS)
        starter_ms = _timed(lambda: client.post("/api/v1/starter", json=body, headers=headers), CALLS)
        size = len(client.post("/api/v1/starter", json=body, headers=headers).data)
    o50, o95 = _percentiles(outline_ms)
    s50, s95 = _percentiles(starter_ms)
    return {
        "database": database,
        "examples": outline["examples"],
        "headings": sum(len(s["examples"]) for s in outline["sections"]),
        "groups": len(outline["sections"]),
        "outline_p50": o50,
        "outline_p95": o95,
        "starter_p50": s50,
        "starter_p95": s95,
        "starter_kb": size / 1024,
        "ok": o95 < OUTLINE_TARGET_MS and s95 < STARTER_TARGET_MS and outline["examples"] == EXAMPLES,
    }


def run() -> list[dict]:
    named = os.environ.get("BENCH_REUSE_DATABASES", "sqlite,postgresql")
    return [measure(name) for name in named.split(",") if name]


if __name__ == "__main__":
    for row in run():
        print(row)
