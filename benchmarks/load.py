"""Load held: the app under gunicorn (4 workers) driven over HTTP on 127.0.0.1 by readers (search,
browse, open, download) and contributors (upload, accept, consent, withdraw) at once, bounded in
time and count. Reports throughput, p50/p95 per kind of request and errors, then checks that the
search index equals the database, both outboxes are empty, nothing the clients saw succeed was
lost, and every action has its audit event.

``python -m benchmarks.load`` (``make bench-load``): 60 s, 20 readers, 4 contributors, on a fresh
PostgreSQL database beside ``LOAD_DATABASE_URL`` (default: the local server's ``test``).
"""

from __future__ import annotations

import io
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["children", "early help", "edge of care", "step-down", "supervision", "SEND", "family", "quality"]
AREAS = ["early-help", "send", "children-in-care", "child-protection", "front-door-and-mash"]


@dataclass
class Results:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)  # 5xx and failed connections
    unexpected: list[str] = field(default_factory=list)  # other statuses a client did not expect
    uploaded: set[int] = field(default_factory=set)
    consented: set[int] = field(default_factory=set)
    withdrawn: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, response: httpx.Response | None, started: float, ok=(200,), allowed=()) -> bool:
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.timings[kind].append(elapsed)
            if response is None:
                self.errors.append(f"{kind}: no answer")
                return False
            if response.status_code >= 500:
                self.errors.append(f"{kind}: {response.status_code}")
                return False
            if response.status_code not in ok and response.status_code not in allowed:
                self.unexpected.append(f"{kind}: {response.status_code} {response.text[:120]}")
            return response.status_code in ok


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database(base_url: str, data_dir: Path) -> tuple[str, callable]:
    """An empty database of the kind ``base_url`` names, and how to drop it afterwards."""
    if base_url.startswith("sqlite") or not base_url:
        return f"sqlite:///{data_dir / 'library.core.db'}", lambda: None
    name = f"load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base_url.rsplit("/", 1)[0] + f"/{name}", drop


@contextmanager
def bench_app(database: str, **settings):
    """An app on an empty, migrated database of its own (``sqlite`` in a temporary folder, or
    ``postgresql`` on ``BENCH_DATABASE_URL``), dropped afterwards."""
    from library import create_app
    from library.ops.migrate import upgrade

    with tempfile.TemporaryDirectory() as data_dir:
        base_url = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
        database_url, drop = (
            fresh_database(base_url, Path(data_dir))
            if database == "postgresql"
            else (f"sqlite:///{data_dir}/library.db", lambda: None)
        )
        try:
            app = create_app(
                {
                    "ENV_NAME": "test",
                    "DATA_DIR": data_dir,
                    "DATABASE_URL": database_url,
                    "LOG_LEVEL": "WARNING",
                }
                | settings
            )
            upgrade(app.extensions["db_engine"])
            yield app
            app.extensions["search"].close()
            app.extensions["db_engine"].dispose()
        finally:
            drop()


def prepare(database_url: str, data_dir: Path) -> dict[str, str]:
    """The demo library, and an API token per demo person."""
    from library import create_app
    from library.accounts import service as accounts
    from library.demo.seed import USERS, seed_demo
    from library.ops.migrate import init_db
    from library.web.database import get_session

    app = create_app({"ENV_NAME": "test", "DATA_DIR": str(data_dir), "DATABASE_URL": database_url})
    with app.app_context():
        init_db(app)
        seed_demo(app)
        session = get_session()
        tokens = {
            email: accounts.create_token(session, None, accounts.get_user_by_email(session, email), days=1)
            for email, _name, _code, _role in USERS
        }
    app.extensions["db_engine"].dispose()
    return tokens


def serve(
    database_url: str, data_dir: Path, port: int, workers: int, settings: dict | None = None
) -> subprocess.Popen:
    """gunicorn with production settings on ``port``, once its health check answers; ``settings``
    (environment variables) are added to and override the defaults here."""
    env = {
        **os.environ,
        "LIBRARY_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "LIBRARY_DATA_DIR": str(data_dir),
        "LIBRARY_DIGESTS_IN_APP": "false",
        "LIBRARY_LOG_LEVEL": "WARNING",
        **(settings or {}),
    }
    env.pop("LIBRARY_CRASH_AFTER_COMMIT", None)
    server = subprocess.Popen(  # noqa: S603 - this environment's gunicorn
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped: " + server.stderr.read().decode()[-2000:])
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not answer within 60 s")


def reader(base: str, token: str, results: Results, until: float, most: int, seed: int) -> None:
    rng = random.Random(seed)
    known: list[int] = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for _ in range(most):
            if time.monotonic() >= until:
                return
            kind = rng.choice(["search", "browse", "open", "download"] if known else ["search", "browse"])
            started = time.perf_counter()
            try:
                if kind == "search":
                    response = client.get("/api/v1/search", params={"q": rng.choice(QUERIES)})
                elif kind == "browse":
                    response = client.get("/api/v1/search", params={"service_area": rng.choice(AREAS)})
                elif kind == "open":
                    response = client.get(f"/api/v1/documents/{rng.choice(known)}")
                else:
                    response = client.get(f"/api/v1/documents/{rng.choice(known)}/download")
            except httpx.HTTPError:
                response = None
            # A document withdrawn since it was seen answers 410 (or 404): not an error.
            if results.note(kind, response, started, allowed=(404, 410)) and kind in ("search", "browse"):
                known = [r["id"] for r in response.json()["results"]] or known


def documents_to_upload(count: int = 6) -> list[str]:
    """Real-sized uploads: composed self-assessments of about ten pages, with the names, dates of
    birth, addresses and case studies that give a reviewer some 175 suggestions each."""
    from library.demo.compose import compose

    return [
        compose(
            area=AREAS[n % len(AREAS)],
            document_type="self-assessment",
            authority="Kingsmere Borough Council",
            pages=10,
            seed=n,
        )[1]
        for n in range(count)
    ]


def contributor(
    base: str,
    writer: str,
    approver: str,
    results: Results,
    until: float,
    most: int,
    seed: int,
    bodies: list[str],
) -> None:
    rng = random.Random(seed)
    write = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {writer}"}, timeout=60)
    approve = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {approver}"}, timeout=60)
    with write, approve:
        for n in range(most):
            if time.monotonic() >= until:
                return
            body = bodies[(seed + n) % len(bodies)]
            started = time.perf_counter()
            try:
                response = write.post(
                    "/api/v1/documents",
                    data={
                        "title": f"Load notes {seed}-{n}",
                        "document_type": "action-plan",
                        "service_areas": [rng.choice(AREAS)],
                    },
                    files={"file": (f"load-{seed}-{n}.md", io.BytesIO(body.encode()), "text/markdown")},
                )
            except httpx.HTTPError:
                response = None
            if not results.note("upload", response, started, ok=(201,)):
                continue
            document_id = response.json()["id"]
            with results.lock:
                results.uploaded.add(document_id)
            started = time.perf_counter()
            try:
                response = write.post(f"/api/v1/documents/{document_id}/redactions/accept-all")
            except httpx.HTTPError:
                response = None
            if not results.note("accept", response, started):
                continue
            started = time.perf_counter()
            try:
                content_hash = approve.get(f"/api/v1/documents/{document_id}/preview").json()["content_hash"]
                response = approve.post(
                    f"/api/v1/documents/{document_id}/consent",
                    json={
                        "scope": rng.choice(["region", "national"]),
                        "confirm": True,
                        "content_hash": content_hash,
                    },
                )
            except (httpx.HTTPError, KeyError, ValueError):
                response = None
            if not results.note("consent", response, started):
                continue
            with results.lock:
                results.consented.add(document_id)
            if rng.random() < 0.5:
                started = time.perf_counter()
                try:
                    response = approve.request(
                        "DELETE", f"/api/v1/documents/{document_id}/consent", json={"reason": "Load test."}
                    )
                except httpx.HTTPError:
                    response = None
                if results.note("withdraw", response, started):
                    with results.lock:
                        results.withdrawn.add(document_id)


@dataclass
class Report:
    seconds: float
    requests: int
    per_kind: dict[str, tuple[int, float, float]]  # count, p50 ms, p95 ms
    errors: list[str]
    unexpected: list[str]
    problems: list[str]  # what the checks after the run found

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems

    def lines(self) -> list[str]:
        out = [
            f"{self.requests} requests in {self.seconds:.0f} s: {self.requests / self.seconds:.1f} per second"
        ]
        for kind, (count, p50, p95) in sorted(self.per_kind.items()):
            out.append(f"  {kind:<9} {count:>6}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        out.append(
            f"  5xx or no answer: {len(self.errors)}; other unexpected answers: {len(self.unexpected)}"
        )
        out += [f"  {line}" for line in (self.errors + self.unexpected)[:10]]
        out.append(
            "  checks: "
            + (
                "index = database, outboxes empty, nothing lost, every action audited"
                if not self.problems
                else "; ".join(self.problems)
            )
        )
        return out


def _checks(database_url: str, data_dir: Path, results: Results) -> list[str]:
    from library import create_app

    app = create_app({"ENV_NAME": "test", "DATA_DIR": str(data_dir), "DATABASE_URL": database_url})
    problems = []
    try:
        engine = app.extensions["db_engine"]
        deadline = time.monotonic() + 15  # drains still in flight
        while app.extensions["search_indexer"].pending() and time.monotonic() < deadline:
            time.sleep(0.2)
        differences = app.extensions["search_indexer"].differences()
        if differences:
            problems.append(f"{len(differences)} document(s) differ between the index and the database")
        with engine.connect() as conn:
            if conn.execute(text("SELECT count(*) FROM index_outbox")).scalar():
                problems.append("the search outbox is not empty")
            waiting = conn.execute(text("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")).scalar()
            if waiting:
                problems.append(f"{waiting} message(s) wait in the mail outbox")
            status = dict(conn.execute(text("SELECT id, status FROM documents")).all())
            audited = defaultdict(set)
            for action, subject in conn.execute(
                text("SELECT action, subject_id FROM audit_events WHERE subject_type = 'document'")
            ):
                audited[action].add(subject)
        lost = [d for d in results.uploaded if d not in status]
        lost += [d for d in results.consented - results.withdrawn if status.get(d) != "published"]
        lost += [d for d in results.withdrawn if status.get(d) != "withdrawn"]
        if lost:
            problems.append(f"{len(lost)} update(s) the clients saw succeed are not in the database")
        for action, ids in (
            ("document.uploaded", results.uploaded),
            ("consent.given", results.consented),
            ("consent.withdrawn", results.withdrawn),
        ):
            missing = ids - audited[action]
            if missing:
                problems.append(f"{len(missing)} {action} without an audit event")
    finally:
        app.extensions["db_engine"].dispose()
    return problems


def run(
    base_url: str,
    *,
    seconds: float = 60,
    readers: int = 20,
    contributors: int = 4,
    workers: int = 4,
    most: int = 100_000,
) -> Report:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        data_dir.mkdir()
        database_url, drop = fresh_database(base_url, data_dir)
        server = None
        try:
            tokens = prepare(database_url, data_dir)
            port = _free_port()
            server = serve(database_url, data_dir, port, workers)
            base = f"http://127.0.0.1:{port}"
            results = Results()
            reader_tokens = [tokens[e] for e in tokens if e.startswith("reader@")]
            pairs = [
                (tokens[f"contributor@{d}"], tokens[f"approver@{d}"])
                for d in (
                    "kingsmere.example",
                    "ashcombe.example",
                    "brackenford.example",
                    "westbridge.example",
                )
            ]
            bodies = documents_to_upload()
            until = time.monotonic() + seconds
            started = time.perf_counter()
            threads = [
                threading.Thread(
                    target=reader, args=(base, reader_tokens[i % len(reader_tokens)], results, until, most, i)
                )
                for i in range(readers)
            ] + [
                threading.Thread(
                    target=contributor,
                    args=(base, *pairs[i % len(pairs)], results, until, most, 1000 + i, bodies),
                )
                for i in range(contributors)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            problems = _checks(database_url, data_dir, results)
        finally:
            if server is not None:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(30)
                except subprocess.TimeoutExpired:
                    server.kill()
            drop()
    per_kind = {
        kind: (
            len(times),
            statistics.median(times),
            statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0],
        )
        for kind, times in results.timings.items()
    }
    return Report(
        seconds=elapsed,
        requests=sum(len(t) for t in results.timings.values()),
        per_kind=per_kind,
        errors=results.errors,
        unexpected=results.unexpected,
        problems=problems,
    )


def main() -> int:
    base = os.environ.get("LOAD_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    print("Load: gunicorn -w 4 on PostgreSQL, 20 readers and 4 contributors for 60 s over HTTP on 127.0.0.1")
    report = run(base)
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
