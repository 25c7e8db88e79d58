"""The insights page at 10,000 published documents and 1,000,000 recorded reads, and what
counting a read adds to a document request.

The library: 10,000 published documents from 150 authorities in 9 regions (scopes 50% national,
30% region, 20% authority) across every service area, type and four years; usage as two years of
a library in use would leave it: 1,000,000 reads spread over the documents and 24 months (about
240,000 monthly rows), 40 readers a document, 3,000 readers active a month.

Measured through the app (``GET /insights``), after a warm-up, 10 times each: a reader of one
authority (who may read about half the library) and an administrator (the whole library and its
growth). Target: p95 under 500 ms.

Counting a read: ``GET /api/v1/documents/{id}`` as a reader of another authority, 400 requests with
counting on (queued, written every 2 s by the process's thread, as in production) and 400 with it
off, interleaved; the difference of the p95s. Target: under 2 ms.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy import text as sql_text

from .load import bench_app
from .search import frame

PAGE_TARGET_MS = 500.0
COUNT_TARGET_MS = 2.0
DOCUMENTS = 10_000
READS = 1_000_000
MONTHS = 24
CALLS = 10
REQUESTS = 400


def populate(app, seed: int = 5) -> None:
    from library.core.models import (
        Document,
        DocumentVersion,
        UsageActive,
        UsageMonth,
        UsageReader,
        document_service_areas,
    )
    from library.core.models import version_service_areas as vsa
    from library.insights.usage import months_back

    rng = random.Random(seed)
    session = app.extensions["db_sessionmaker"]()
    authorities, areas, types = frame(session)
    area_ids = [a.id for a in areas.values()]
    type_ids = [t.id for t in types.values()]
    start = datetime(2024, 12, 1)
    documents, versions, doc_areas, version_areas = [], [], [], []
    for i in range(1, DOCUMENTS + 1):
        authority = rng.choice(authorities)
        scope = rng.choices(["national", "region", "authority"], [50, 30, 20])[0]
        when = start + timedelta(hours=i * 1.7)
        year = rng.choice([2022, 2023, 2024, 2025])
        type_id = rng.choice(type_ids)
        documents.append(
            {
                "id": i,
                "authority_id": authority.id,
                "title": f"Document {i}",
                "summary": "",
                "document_type_id": type_id,
                "year": year,
                "status": "published",
                "scope": scope,
                "extracted_text": "Text.",
                "created_at": when,
                "updated_at": when,
                "published_at": when,
            }
        )
        versions.append(
            {
                "id": i,
                "document_id": i,
                "number": 1,
                "title": f"Document {i}",
                "summary": "",
                "text": "Text.",
                "document_type_id": type_id,
                "year": year,
                "scope": scope,
                "text_hash": f"{i:064d}",
                "statement": "benchmark",
                "consented_at": when,
                "is_current": True,
                "sections": [],
            }
        )
        for area in rng.sample(area_ids, rng.choice([1, 1, 2])):
            doc_areas.append({"document_id": i, "service_area_id": area})
            version_areas.append({"version_id": i, "service_area_id": area})
    session.execute(insert(Document), documents)
    session.execute(insert(DocumentVersion), versions)
    session.execute(document_service_areas.insert(), doc_areas)
    session.execute(vsa.insert(), version_areas)
    session.commit()
    months = months_back(MONTHS)
    per_month = READS // (DOCUMENTS * MONTHS)  # about 4 a document a month, spread unevenly
    rows, total = [], 0
    for i in range(1, DOCUMENTS + 1):
        weight = rng.paretovariate(2.0)
        for month in months:
            views = int(per_month * weight * rng.random() * 0.95) + 1
            total += views
            rows.append({"document_id": i, "month": month, "views": views, "downloads": views // 5})
        if len(rows) >= 20_000:
            session.execute(insert(UsageMonth), rows)
            rows = []
    if rows:
        session.execute(insert(UsageMonth), rows)
    by_id = {a.id: a for a in authorities}
    readers = []
    for i in range(1, DOCUMENTS + 1):
        for n in range(40):
            authority = by_id[rng.choice(authorities).id]
            readers.append(
                {
                    "document_id": i,
                    "reader": f"{i:08d}{n:024d}",
                    "authority_id": authority.id,
                    "region_id": authority.region_id,
                    "first_month": rng.choice(months),
                }
            )
        if len(readers) >= 20_000:
            session.execute(insert(UsageReader), readers)
            readers = []
    if readers:
        session.execute(insert(UsageReader), readers)
    session.execute(
        insert(UsageActive), [{"month": m, "reader": f"{r:032d}"} for m in months for r in range(3_000)]
    )
    session.commit()
    if session.bind.dialect.name == "postgresql":
        session.execute(sql_text("SELECT setval('documents_id_seq', 20000)"))
        session.execute(sql_text("SELECT setval('document_versions_id_seq', 20000)"))
        session.execute(sql_text("ANALYZE"))
        session.commit()
    session.close()
    return total


def _percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[max(int(len(values) * 0.95) - 1, 0)]


def _login(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": "bench-password-1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def measure(database: str) -> dict:
    from library.accounts import service as accounts
    from library.core.models import Authority, User

    with bench_app(database, USAGE_FLUSH_SECONDS=2.0, WTF_CSRF_ENABLED=False) as app:
        reads = populate(app)
        session = app.extensions["db_sessionmaker"]()
        password = accounts.hash_password("bench-password-1")
        reader = User(
            email="reader@bench.example",
            name="Reader",
            role="reader",
            active=True,
            password_hash=password,
            authority=session.query(Authority).filter_by(code="A021").one(),
        )
        admin = User(
            email="admin@bench.example", name="Admin", role="admin", active=True, password_hash=password
        )
        session.add_all([reader, admin])
        session.commit()
        token = accounts.create_token(session, None, reader)
        document_id = session.scalar(
            sql_text(
                "SELECT id FROM documents WHERE scope = 'national' AND authority_id != :a ORDER BY id LIMIT 1"
            ),
            {"a": reader.authority_id},
        )
        session.close()
        row = {"database": database, "reads": reads}
        for who, email in (("reader", "reader@bench.example"), ("admin", "admin@bench.example")):
            client = app.test_client()
            _login(client, email)
            client.get("/insights")
            times = []
            for _ in range(CALLS):
                started = time.perf_counter()
                response = client.get("/insights")
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            row[f"{who}_p50"], row[f"{who}_p95"] = _percentiles(times)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        recorder = app.extensions["usage"]
        record = recorder.record
        on, off = [], []
        url = f"/api/v1/documents/{document_id}"
        client.get(url, headers=headers)
        for n in range(REQUESTS * 2):
            counting = n % 2 == 0
            recorder.record = record if counting else (lambda _event: None)
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            (on if counting else off).append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        recorder.record = record
        recorder.close()
        row["on_p50"], row["on_p95"] = _percentiles(on)
        row["off_p50"], row["off_p95"] = _percentiles(off)
    row["added_p95"] = row["on_p95"] - row["off_p95"]
    row["ok"] = (
        row["reader_p95"] < PAGE_TARGET_MS
        and row["admin_p95"] < PAGE_TARGET_MS
        and row["added_p95"] < COUNT_TARGET_MS
    )
    return row


def run() -> list[dict]:
    named = os.environ.get("BENCH_INSIGHTS_DATABASES", "sqlite,postgresql")
    return [measure(name) for name in named.split(",") if name]


if __name__ == "__main__":
    for result in run():
        print(result)
