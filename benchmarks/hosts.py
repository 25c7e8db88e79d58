"""Two hosts working as one: two gunicorn instances on two ports, each with a data folder of its
own, sharing one PostgreSQL database (with the PostgreSQL search backend), one S3 endpoint for
the originals (moto's server on 127.0.0.1), one Redis for the sign-in throttle, and one SMTP
server (aiosmtpd, counting every message it is given). Clients are spread over both hosts.

Checks, each printed with what was seen:
- an original uploaded on one host opens on the other, byte for byte;
- a document consented on one host is found by search on the other at once;
- withdrawn on one host, it is gone on the other at once (410, and not in search);
- failed sign-ins on both hosts add up: the 11th for one address is refused, on either host;
- `notifications digest --all` started on both hosts at the same moment sends each follower one
  digest; every message of the outbox reaches the SMTP server exactly once (by its Message-ID);
- under load on both hosts, one host is killed with SIGKILL: the clients go on against the
  other, and afterwards nothing a client saw succeed is lost, the index equals the database, the
  mail outbox is empty and every original is in the bucket.

``python -m benchmarks.hosts`` (``make bench-hosts``), on a fresh database beside
``HOSTS_DATABASE_URL`` (default: the local server's ``test``) and Redis at ``HOSTS_REDIS_URL``
(default redis://127.0.0.1:6379).
"""

from __future__ import annotations

import io
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from benchmarks.load import ROOT, _free_port, documents_to_upload, fresh_database, serve

PASSWORD = "demo-password"  # the demo people's password (library/demo/seed.py)


@dataclass
class Drill:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)

    def check(self, name: str, ok: bool, seen: str) -> None:
        self.checks.append((name, ok, seen))
        print(f"  {'ok  ' if ok else 'FAIL'} {name}: {seen}", flush=True)

    @property
    def ok(self) -> bool:
        return all(ok for _, ok, _ in self.checks)


# Services ---------------------------------------------------------------------------------------


class Mailbox:
    """An SMTP server on 127.0.0.1 that keeps the Message-ID and recipients of every message."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received: list[tuple[str, str, str]] = []  # (message id, to, subject)
        self.lock = threading.Lock()
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
                message = message_from_bytes(envelope.content)
                with outer.lock:
                    for to in envelope.rcpt_tos:
                        outer.received.append((message["Message-ID"], to, message["Subject"] or ""))
                return "250 OK"

        self.port = _free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def s3_endpoint() -> tuple[object, str, str]:
    """moto's S3 server on a free port, a new bucket on it, and the variables that point at it."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "AWS_ACCESS_KEY_ID": "drill",
            "AWS_SECRET_ACCESS_KEY": "drill-secret",
            "AWS_DEFAULT_REGION": "eu-west-2",
        }
    )
    bucket = f"drill-{uuid.uuid4().hex[:10]}"
    boto3.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    return server, bucket, f"http://127.0.0.1:{port}"


def shared_settings(database_url: str, bucket: str, redis_url: str, smtp_port: int, secret: str) -> dict:
    return {
        "LIBRARY_ENV": "production",
        "SECRET_KEY": secret,  # the same on every host: a session signed by one is read by the other
        "DATABASE_URL": database_url,
        "SEARCH_BACKEND": "postgres",
        "STORAGE_URL": f"s3://{bucket}/originals",
        "RATELIMIT_STORAGE_URI": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_STARTTLS": "false",
        "MAIL_FROM": "library@drill.example",
        "LIBRARY_BASE_URL": "https://library.drill.example",
        "LIBRARY_DIGESTS_IN_APP": "true",
        "LIBRARY_LOG_LEVEL": "WARNING",
    }


def prepare(settings: dict, data_dir: Path) -> dict[str, str]:
    """The demo library on the shared services, people following early help, and API tokens."""
    from library import create_app
    from library.accounts import service as accounts
    from library.demo.seed import USERS, seed_demo
    from library.ops.migrate import init_db
    from library.search import follows
    from library.web.database import get_session

    saved = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings | {"LIBRARY_DATA_DIR": str(data_dir), "LIBRARY_ENV": "test"})
    try:
        app = create_app(
            {"ENV_NAME": "test", "DATA_DIR": str(data_dir), "DATABASE_URL": settings["DATABASE_URL"]}
        )
        with app.app_context():
            init_db(app)
            seed_demo(app)
            session = get_session()
            people = {email: accounts.get_user_by_email(session, email) for email, *_ in USERS}
            for email in ("reader@brackenford.example", "reader@ashcombe.example"):
                follows.follow(session, people[email], "", {"service_area": ["early-help"]})
            tokens = {email: accounts.create_token(session, None, people[email], days=1) for email in people}
        app.extensions["db_engine"].dispose()
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    return tokens


# A browser's sign-in, over plain HTTP to a production app (its cookies are marked Secure, so they
# are carried by hand, as a TLS-terminating load balancer would pass them on).


class Browser:
    def __init__(self, base: str):
        self.client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        header = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.client.request(method, path, headers={"Cookie": header} if header else {}, **kwargs)
        for value in response.headers.get_list("set-cookie"):
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    def sign_in(self, email: str, password: str) -> int:
        form = self.request("GET", "/login").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', form
        )
        data = {"email": email, "password": password, "csrf_token": token.group(1) if token else ""}
        return self.request("POST", "/login", data=data).status_code


# The checks -------------------------------------------------------------------------------------


def _api(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _upload(client: httpx.Client, body: bytes, title: str, name: str = "notes.md") -> httpx.Response:
    return client.post(
        "/api/v1/documents",
        data={"title": title, "document_type": "action-plan", "service_areas": ["early-help"]},
        files={"file": (name, io.BytesIO(body), "text/markdown")},
    )


def _publish(client: httpx.Client, approver: httpx.Client, document_id: int, scope: str = "national") -> int:
    client.post(f"/api/v1/documents/{document_id}/redactions/accept-all")
    content_hash = approver.get(f"/api/v1/documents/{document_id}/preview").json()["content_hash"]
    return approver.post(
        f"/api/v1/documents/{document_id}/consent",
        json={"scope": scope, "confirm": True, "content_hash": content_hash},
    ).status_code


def across(drill: Drill, a: str, b: str, tokens: dict[str, str]) -> None:
    writer_a = _api(a, tokens["contributor@kingsmere.example"])
    approver_a = _api(a, tokens["approver@kingsmere.example"])
    reader_b = _api(b, tokens["reader@brackenford.example"])
    word = f"quokka{secrets.token_hex(3)}"
    body = f"# Early help notes\n\nThe {word} panel met weekly with families.\n".encode()
    response = _upload(writer_a, body, f"Early help {word}")
    document_id = response.json()["id"]
    browser = Browser(b)
    signed = browser.sign_in("contributor@kingsmere.example", PASSWORD)
    original = browser.request("GET", f"/documents/{document_id}/original")
    drill.check(
        "upload on A, original opened on B",
        response.status_code == 201
        and signed == 302
        and original.status_code == 200
        and original.content == body,
        f"upload {response.status_code}, sign-in on B {signed}, original on B {original.status_code}, "
        f"{len(original.content)} bytes ({'the same' if original.content == body else 'different'})",
    )
    consented = _publish(writer_a, approver_a, document_id)
    started = time.perf_counter()
    found = reader_b.get("/api/v1/search", params={"q": word}).json()
    drill.check(
        "consent on A, found by search on B at once",
        consented == 200 and [r["id"] for r in found["results"]] == [document_id],
        f"consent {consented}; the first search on B, {1000 * (time.perf_counter() - started):.0f} ms "
        f"after, found {found['total']}",
    )
    withdrawn = approver_a.request(
        "DELETE", f"/api/v1/documents/{document_id}/consent", json={"reason": "Drill."}
    ).status_code
    gone = reader_b.get(f"/api/v1/documents/{document_id}").status_code
    searched = reader_b.get("/api/v1/search", params={"q": word}).json()["total"]
    drill.check(
        "withdrawn on A, gone on B at once",
        withdrawn == 200 and gone == 410 and searched == 0,
        f"withdraw {withdrawn}; on B the document answers {gone}, search finds {searched}",
    )


def throttle(drill: Drill, a: str, b: str) -> None:
    email = "reader@westbridge.example"  # nobody signs in as this address elsewhere in the drill
    statuses = []
    for n in range(11):
        host = a if n % 2 == 0 else b
        statuses.append(Browser(host).sign_in(email, f"wrong-{n}"))
    right = Browser(b).sign_in(email, PASSWORD)
    drill.check(
        "the throttle reached across both hosts",
        statuses[:10] == [400] * 10 and statuses[10] == 429 and right == 429,
        f"10 failures alternating A and B answered {Counter(statuses[:10])}; the 11th (on A) {statuses[10]}; "
        f"the right password then, on B, {right}",
    )


def digests_together(
    drill: Drill, settings: dict, data_dirs: list[Path], database_url: str, host: str, tokens: dict[str, str]
) -> None:
    """Both hosts ran the day's digests in the app at their first requests; then, after a
    document the followers may read is shared, `notifications digest --all` runs on both hosts at
    the same moment. Each follower gets one digest from each round."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        first = conn.execute(text("SELECT recipient_id FROM mail_outbox WHERE kind = 'digest'")).all()
    drill.check(
        "the day's digests run in the app on both hosts: one each",
        len(first) == len(set(first)) == 2,
        f"{len(first)} digest(s) for 2 followers from the two hosts' own runs",
    )
    writer = _api(host, tokens["contributor@ashcombe.example"])
    document_id = _upload(writer, b"# Early help\n\nA new family hub model.\n", "Early help hubs").json()[
        "id"
    ]
    _publish(writer, _api(host, tokens["approver@ashcombe.example"]), document_id)
    before = len(first)
    runs = []
    for data_dir in data_dirs:
        env = {**os.environ, **settings, "LIBRARY_DATA_DIR": str(data_dir)}
        runs.append(
            subprocess.Popen(  # noqa: S603 - this environment's flask
                [
                    str(Path(sys.executable).parent / "flask"),
                    "--app",
                    "wsgi",
                    "notifications",
                    "digest",
                    "--all",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = [run.communicate(timeout=120)[0].strip() for run in runs]
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT recipient_id FROM mail_outbox WHERE kind = 'digest'")).all()
    engine.dispose()
    per_follower = Counter(r[0] for r in rows)
    drill.check(
        "digests started on both hosts at once: one each",
        len(rows) - before == 2 and max(per_follower.values()) == 2,
        f"runs said {outputs}; {len(rows) - before} new digest(s) for 2 followers",
    )


def outbox_once(drill: Drill, database_url: str, mailbox: Mailbox) -> None:
    engine = create_engine(database_url)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            waiting = conn.execute(text("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")).scalar()
        if not waiting:
            break
        time.sleep(0.5)
    with engine.connect() as conn:
        sent = conn.execute(text("SELECT id FROM mail_outbox WHERE sent_at IS NOT NULL")).all()
    engine.dispose()
    ids = Counter(message_id for message_id, _to, _subject in mailbox.received)
    repeated = [m for m, n in ids.items() if n > 1]
    drill.check(
        "every notice and digest sent exactly once",
        not waiting and not repeated and len(ids) == len(sent),
        f"{len(sent)} messages sent from the outbox, {len(ids)} distinct Message-IDs received, "
        f"{len(repeated)} received twice, {waiting} waiting",
    )


# Load with one host killed ----------------------------------------------------------------------


@dataclass
class LoadResults:
    ok: Counter = field(default_factory=Counter)
    failed_over: int = 0
    errors: list[str] = field(default_factory=list)
    uploaded: set[int] = field(default_factory=set)
    consented: set[int] = field(default_factory=set)
    timings: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _either(hosts: list[str], alive: list[bool], rng: random.Random) -> list[str]:
    """The hosts in the order a load balancer would try them: a random live one first."""
    order = hosts[:]
    rng.shuffle(order)
    return sorted(order, key=lambda h: not alive[hosts.index(h)])


def _call(hosts, alive, rng, results: LoadResults, token: str, method: str, path: str, **kwargs):
    for host in _either(hosts, alive, rng):
        started = time.perf_counter()
        try:
            with _api(host, token) as client:
                response = client.request(method, path, **kwargs)
        except httpx.HTTPError:
            with results.lock:
                results.failed_over += 1  # the load balancer tries the other host
            alive[hosts.index(host)] = False
            continue
        with results.lock:
            results.timings.append((time.perf_counter() - started) * 1000)
            results.ok[host] += 1
        if response.status_code >= 500:
            with results.lock:
                results.errors.append(f"{method} {path}: {response.status_code}")
        return response
    with results.lock:
        results.errors.append(f"{method} {path}: no host answered")
    return None


def load(hosts: list[str], tokens: dict[str, str], seconds: float, kill, results: LoadResults) -> None:
    alive = [True] * len(hosts)
    until = time.monotonic() + seconds
    bodies = [b.encode() for b in documents_to_upload(3)]

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        token = tokens["reader@ashcombe.example"]
        while time.monotonic() < until:
            query = {"q": rng.choice(["early help", "family", "SEND"])}
            _call(hosts, alive, rng, results, token, "GET", "/api/v1/search", params=query)

    def contributor(seed: int, authority: str) -> None:
        rng = random.Random(seed)
        writer, approver = tokens[f"contributor@{authority}"], tokens[f"approver@{authority}"]
        n = 0
        while time.monotonic() < until:
            n += 1
            form = {
                "title": f"Drill {seed}-{n}",
                "document_type": "action-plan",
                "service_areas": ["early-help"],
            }
            upload = {"file": (f"d{seed}-{n}.md", io.BytesIO(bodies[n % len(bodies)]), "text/markdown")}
            response = _call(
                hosts, alive, rng, results, writer, "POST", "/api/v1/documents", data=form, files=upload
            )
            if response is None or response.status_code != 201:
                continue
            document_id = response.json()["id"]
            with results.lock:
                results.uploaded.add(document_id)
            _call(
                hosts,
                alive,
                rng,
                results,
                writer,
                "POST",
                f"/api/v1/documents/{document_id}/redactions/accept-all",
            )
            preview = _call(
                hosts, alive, rng, results, approver, "GET", f"/api/v1/documents/{document_id}/preview"
            )
            if preview is None or preview.status_code != 200:
                continue
            consent = _call(
                hosts, alive, rng, results, approver, "POST", f"/api/v1/documents/{document_id}/consent",
                json={"scope": "national", "confirm": True, "content_hash": preview.json()["content_hash"]},
            )  # fmt: skip
            if consent is not None and consent.status_code == 200:
                with results.lock:
                    results.consented.add(document_id)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(6)] + [
        threading.Thread(target=contributor, args=(100 + i, a))
        for i, a in enumerate(["kingsmere.example", "ashcombe.example", "brackenford.example"])
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds / 2)
    kill()
    for thread in threads:
        thread.join()


def after_load(drill: Drill, settings: dict, data_dir: Path, results: LoadResults, killed_at: float) -> None:
    from library import create_app

    saved = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings | {"LIBRARY_ENV": "test"})
    try:
        app = create_app(
            {
                "ENV_NAME": "test",
                "DATA_DIR": str(data_dir),
                "DATABASE_URL": settings["DATABASE_URL"],
                "SEARCH_BACKEND": "postgres",
                "STORAGE_URL": settings["STORAGE_URL"],
            }
        )
        differences = app.extensions["search_indexer"].differences()
        storage = app.extensions["file_storage"]
        with app.extensions["db_engine"].connect() as conn:
            status = dict(conn.execute(text("SELECT id, status FROM documents")).all())
            keys = [r[0] for r in conn.execute(text("SELECT storage_key FROM stored_files"))]
        app.extensions["db_engine"].dispose()
        missing_objects = [k for k in keys if not storage.exists(k)]
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    lost = [d for d in results.uploaded if d not in status]
    lost += [d for d in results.consented if status.get(d) != "published"]
    p95 = statistics.quantiles(results.timings, n=20)[-1] if len(results.timings) > 1 else 0.0
    per_host = ", ".join(f"port {h.rsplit(':', 1)[-1]}: {n}" for h, n in results.ok.items())
    p50 = statistics.median(results.timings)
    drill.figures.append(
        f"load: {sum(results.ok.values())} answers ({per_host}), p50 {p50:.0f} ms, p95 {p95:.0f} ms; "
        f"{len(results.uploaded)} uploads, {len(results.consented)} consents; host A killed at "
        f"{killed_at:.0f} s; {results.failed_over} request(s) failed over to B"
    )
    drill.check(
        "host A killed mid-load: B carries on, nothing lost",
        not results.errors and not lost and not differences and not missing_objects and results.ok,
        f"{len(results.errors)} errors; {len(lost)} of {len(results.uploaded)} uploads and "
        f"{len(results.consented)} consents lost; index differs from the database for {len(differences)}; "
        f"{len(missing_objects)} of {len(keys)} originals missing from the bucket",
    )


def run(base_url: str, redis_url: str, seconds: float = 20) -> Drill:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the S3 server's request lines
    drill = Drill()
    mailbox = Mailbox()
    s3_server, bucket, _endpoint = s3_endpoint()
    with tempfile.TemporaryDirectory() as folder:
        dirs = [Path(folder) / "host-a", Path(folder) / "host-b"]
        for d in dirs:
            d.mkdir()
        database_url, drop = fresh_database(base_url, dirs[0])
        settings = shared_settings(database_url, bucket, redis_url, mailbox.port, secrets.token_hex(32))
        servers: list[subprocess.Popen] = []
        try:
            import redis

            server = redis.Redis.from_url(redis_url)
            for key in server.scan_iter("*signin*"):
                server.delete(key)
            import logging

            tokens = prepare(settings, dirs[0])
            for name in ("", "werkzeug", "mail.log", "botocore", "library"):  # the services' chatter
                logging.getLogger(name).setLevel(logging.WARNING)
            ports = [_free_port(), _free_port()]
            servers = [
                serve(database_url, d, p, workers=2, settings=settings)
                for d, p in zip(dirs, ports, strict=True)
            ]
            a, b = (f"http://127.0.0.1:{p}" for p in ports)
            print(f"Two hosts: A on {ports[0]}, B on {ports[1]}; PostgreSQL, S3 bucket {bucket}, Redis, SMTP")
            across(drill, a, b, tokens)
            throttle(drill, a, b)
            digests_together(drill, settings, dirs, database_url, a, tokens)
            results = LoadResults()
            started = time.monotonic()
            killed = []

            def kill() -> None:
                servers[0].send_signal(signal.SIGKILL)  # the master; its workers go with it
                subprocess.run(["pkill", "-9", "-f", f"127.0.0.1:{ports[0]}"], check=False)  # noqa: S603, S607
                killed.append(time.monotonic() - started)

            load([a, b], tokens, seconds, kill, results)
            after_load(drill, settings, dirs[1], results, killed[0] if killed else 0.0)
            outbox_once(drill, database_url, mailbox)
        finally:
            for server in servers:
                if server.poll() is None:
                    server.send_signal(signal.SIGTERM)
                    try:
                        server.wait(30)
                    except subprocess.TimeoutExpired:
                        server.kill()
            drop()
            mailbox.stop()
            s3_server.stop()
    return drill


def main() -> int:
    base = os.environ.get("HOSTS_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    redis_url = os.environ.get("HOSTS_REDIS_URL", "redis://127.0.0.1:6379")
    drill = run(base, redis_url)
    for line in drill.figures:
        print(f"  {line}")
    print("all checks passed" if drill.ok else "SOME CHECKS FAILED")
    return 0 if drill.ok else 1


if __name__ == "__main__":
    sys.exit(main())
