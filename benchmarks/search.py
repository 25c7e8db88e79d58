"""Search at N = 1,000 and 10,000 published documents of about 1,500 words.

Reports the bulk indexing rate (``search reindex``'s path: database to a fresh index) and p50/p95
latency of GET /api/v1/search over HTTP for a fixed mix of queries with and without filters.
Targets on a 2-core machine: p95 at most 100 ms at 10,000 documents; indexing at least 150 documents/s.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import tempfile
import threading
import time
from datetime import datetime, timedelta
from urllib.parse import urlencode

P95_TARGET_MS = 100.0
RATE_TARGET = 150.0
WORDS_PER_DOCUMENT = 1500

GENERAL = (
    "the of and to in a for that with our we is are was were have has be on as by at this from which it "
    "their "
    "they not more but all also there been can will would should could into than who what when how where "
    "children young people families family practice service services support plan plans review reviews team "
    "teams partners partnership school schools health social care work workers worker staff manager managers "
    "leaders leadership quality assurance audit data performance evidence outcomes needs need risk risks "
    "strengths areas improvement improve improved challenge peer visit visiting feedback self-assessment "
    "lines enquiry key local authority council board strategy meeting meetings training caseloads cases case "
    "referrals referral assessment assessments thresholds threshold decision decisions timely consistent "
    "consistency voice child parents carers professionals multi-agency agencies police front door step-down "
    "step-up early help hubs hub intervention"
).split()
TOPICS = {
    "send": "special educational needs disabilities EHCP tribunal inclusion SENCo annual reviews provision",
    "early-help": "early help family hubs targeted support step-down lead practitioner family CAF",
    "children-in-care": "looked-after children placement stability care planning IRO reviewing officer",
    "care-leavers": "care leavers pathway plan personal adviser staying put local offer housing",
    "youth-justice": "youth justice YOT out-of-court disposal reoffending custody prevention",
    "front-door-and-mash": "MASH contacts referrals thresholds strategy discussion triage",
    "child-protection": "child protection conference section 47 core group plan neglect",
    "fostering": "foster carers recruitment sufficiency fostering panel supervising social worker",
    "exploitation-and-missing": "exploitation missing episodes return home interview county lines CSE CCE",
    "workforce-and-practice": "recruitment retention agency social workers practice model supervision ASYE",
}
DOC_TYPES = [
    "self-assessment",
    "scoping-document",
    "feedback-presentation",
    "feedback-letter",
    "action-plan",
    "learning-summary",
]
QUERIES = [
    "early help",
    "EHCP timeliness",
    "placement stability",
    "LAC",
    "care leavers pathway",
    '"family hubs"',
    "reoffending prevention",
    "supervision caseloads",
    "MASH thresholds",
    "SEND",
]
FILTERS = [
    {},
    {"service_area": "send"},
    {"document_type": "action-plan"},
    {"region": "south-east"},
    {"year": "2024", "document_type": "self-assessment"},
]


def _vocabulary() -> tuple[list[str], list[int]]:
    """Words and their frequencies from the review that asked for this library: documents drawn
    from it have the skewed word frequencies of real prose in this field."""
    from collections import Counter
    from pathlib import Path

    seed = Path(__file__).resolve().parents[1].parent / "shared" / "seeds" / "000_a50aba4e4f356042.txt"
    text = seed.read_text(encoding="utf-8") if seed.exists() else " ".join(GENERAL)
    counts = Counter(w.lower().strip(".,;:()'\"") for w in text.split())
    words = [w for w in counts if w.isalpha() or "-" in w]
    return words, [counts[w] for w in words]


_VOCABULARY: tuple[list[str], list[int]] | None = None


def _text(rng: random.Random, area: str) -> str:
    global _VOCABULARY
    if _VOCABULARY is None:
        _VOCABULARY = _vocabulary()
    words_, weights = _VOCABULARY
    topic = TOPICS[area].split()
    words = rng.choices(words_, weights=weights, k=WORDS_PER_DOCUMENT)
    for i in range(0, WORDS_PER_DOCUMENT, 12):
        words[rng.randrange(i, min(i + 12, WORDS_PER_DOCUMENT))] = rng.choice(topic)
    out, i = [], 0
    while i < len(words):
        n = rng.randint(12, 25)
        out.append(" ".join(words[i : i + n]).capitalize() + ".")
        i += n
    paragraphs = [" ".join(out[j : j + 5]) for j in range(0, len(out), 5)]
    return "\n\n".join(f"## Section {k + 1}\n\n{p}" if k % 3 == 0 else p for k, p in enumerate(paragraphs))


def populate(app, n: int, seed: int = 7) -> None:
    """N published documents straight into the database (as consent would leave them)."""
    from library.models import Authority, Document, DocumentType, DocumentVersion, Region, ServiceArea
    from library.services.vocabularies import load_vocabularies

    rng = random.Random(seed)
    session = app.extensions["db_sessionmaker"]()
    load_vocabularies(session)
    regions = {r.slug: r for r in session.query(Region)}
    authorities = [
        Authority(code=f"A{i:03d}", name=f"Authority {i}", region=regions[slug])
        for i, slug in enumerate(sorted(regions) * 3)
    ]
    session.add_all(authorities)
    areas = {a.slug: a for a in session.query(ServiceArea)}
    types = {t.slug: t for t in session.query(DocumentType)}
    session.flush()
    start = datetime(2023, 1, 1)
    for i in range(n):
        area = rng.choice(list(TOPICS))
        doc_type = types[rng.choice(DOC_TYPES)]
        year = rng.choice([2023, 2024, 2025])
        when = start + timedelta(hours=i)
        title = f"{doc_type.name}: {areas[area].name} ({i})"
        text = _text(rng, area)
        document = Document(
            authority=rng.choice(authorities),
            title=title,
            summary="",
            document_type=doc_type,
            year=year,
            status="published",
            scope=rng.choice(["authority", "region", "national", "national"]),
            extracted_text=text,
            published_at=when,
            service_areas=[areas[area]],
        )
        document.versions.append(
            DocumentVersion(
                number=1,
                title=title,
                summary="",
                text=text,
                document_type=doc_type,
                year=year,
                scope=document.scope,
                text_hash=f"{i:064d}",
                statement="benchmark",
                consented_at=when,
                is_current=True,
                service_areas=[areas[area]],
            )
        )
        session.add(document)
        if i % 500 == 499:
            session.commit()
    session.commit()
    session.close()


def _serve(app):
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log line per request

    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def measure(n: int) -> dict:
    from library import create_app
    from library.migrate import upgrade
    from library.models import User
    from library.services import accounts

    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app({"ENV_NAME": "test", "DATA_DIR": data_dir, "LOG_LEVEL": "WARNING"})
        upgrade(app.extensions["db_engine"])
        started = time.perf_counter()
        populate(app, n)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        count = app.extensions["search_indexer"].rebuild()
        index_seconds = time.perf_counter() - started

        session = app.extensions["db_sessionmaker"]()
        from library.models import Authority

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

        server = _serve(app)
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        headers = {"Authorization": f"Bearer {token}"}
        mix = [(q, f) for q in QUERIES for f in FILTERS]
        latencies, totals = [], []
        for round_ in range(3):
            for q, f in mix:
                url = "/api/v1/search?" + urlencode({"q": q, **f})
                t = time.perf_counter()
                conn.request("GET", url, headers=headers)
                response = conn.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - t) * 1000
                assert response.status == 200, body[:200]
                if round_ > 0:  # the first round warms the searcher and caches
                    latencies.append(elapsed)
                    totals.append(json.loads(body)["total"])
        server.shutdown()
        app.extensions["search"].close()
        app.extensions["db_engine"].dispose()
    latencies.sort()
    return {
        "documents": count,
        "generate_seconds": generated,
        "index_seconds": index_seconds,
        "rate": count / index_seconds,
        "queries": len(latencies),
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "mean_hits": statistics.mean(totals),
    }


def run(sizes=(1_000, 10_000)) -> list[dict]:
    rows = []
    for n in sizes:
        row = measure(n)
        row["ok"] = row["p95"] <= P95_TARGET_MS and row["rate"] >= RATE_TARGET
        rows.append(row)
    return rows
