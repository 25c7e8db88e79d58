"""Fixtures: an app on a temporary data folder, a client, a CLI runner, users of every role
and a way to sign in as each.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from library import create_app
from library.accounts import service as accounts
from library.core.models import Authority, Region, User
from library.core.vocabularies import load_vocabularies
from library.ops.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"
PASSWORD = "correct-horse-battery"


def pytest_report_header(config):
    url = os.environ.get("TEST_DATABASE_URL")
    return f"database: {'PostgreSQL (' + url + ')' if url else 'SQLite'}"


@pytest.fixture(scope="session")
def password_hash() -> str:
    return accounts.hash_password(PASSWORD)


@pytest.fixture(scope="session")
def _database(tmp_path_factory):
    """A migrated database: a template file for SQLite, the shared server for PostgreSQL."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        from config import normalise_database_url

        url = normalise_database_url(url)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
        tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        engine.dispose()
        return {"kind": "postgresql", "url": url, "tables": tables}
    template = tmp_path_factory.mktemp("template") / "library.core.db"
    engine = create_engine(f"sqlite:///{template}")
    upgrade(engine)
    engine.dispose()
    return {"kind": "sqlite", "template": template}


@pytest.fixture
def app(request, tmp_path, _database):
    """The app on a data folder of its own. ``@pytest.mark.search_backend("postgres")``, or an
    indirect parameter naming a backend, picks the search backend (the PostgreSQL one is skipped
    on SQLite); otherwise (or with "default") SEARCH_BACKEND decides."""
    overrides = {}
    marker = request.node.get_closest_marker("search_backend")
    chosen = marker.args[0] if marker is not None else getattr(request, "param", "default")
    if chosen != "default":
        if chosen == "postgres" and _database["kind"] != "postgresql":
            pytest.skip("the PostgreSQL search backend needs TEST_DATABASE_URL")
        overrides["SEARCH_BACKEND"] = chosen
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if _database["kind"] == "sqlite":
        shutil.copy(_database["template"], data_dir / "library.core.db")
        url = f"sqlite:///{data_dir / 'library.core.db'}"
    else:
        url = _database["url"]
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(_database['tables'])} RESTART IDENTITY CASCADE"))
        engine.dispose()
    app = create_app(
        {
            "ENV_NAME": "test",
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": url,
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "http://127.0.0.1:5000",  # whatever the environment says: links in tests
            **overrides,
        }
    )
    session = app.extensions["db_sessionmaker"]()
    load_vocabularies(session)
    session.close()
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A database session of the test's own, outside any application context (so that requests
    made by the test client get their own context and session, as in real use)."""
    session = app.extensions["db_sessionmaker"]()
    yield session
    session.close()


@dataclass
class People:
    """Users of every role. ``kgm_*`` belong to Kingsmere (South East); ``ash_reader`` to
    Ashcombe (same region); ``brk_reader`` to Brackenford (North West)."""

    kgm_reader: User
    kgm_contributor: User
    kgm_approver: User
    ash_reader: User
    ash_contributor: User
    ash_approver: User
    brk_reader: User
    brk_contributor: User
    brk_approver: User
    admin: User

    def __getitem__(self, name: str) -> User:
        return getattr(self, name)


@pytest.fixture
def people(app, db, password_hash) -> People:
    regions = {r.slug: r for r in db.query(Region)}
    kgm = Authority(code="KGM", name="Kingsmere Borough Council", region=regions["south-east"])
    ash = Authority(code="ASH", name="Ashcombe County Council", region=regions["south-east"])
    brk = Authority(code="BRK", name="Brackenford City Council", region=regions["north-west"])
    db.add_all([kgm, ash, brk])

    def user(name, email, role, authority):
        u = User(
            email=email, name=name, role=role, authority=authority, active=True, password_hash=password_hash
        )
        db.add(u)
        return u

    people = People(
        kgm_reader=user("Rita Reader", "reader@kgm.example", "reader", kgm),
        kgm_contributor=user("Colin Contributor", "contributor@kgm.example", "contributor", kgm),
        kgm_approver=user("Abi Approver", "approver@kgm.example", "approver", kgm),
        ash_reader=user("Rob Reader", "reader@ash.example", "reader", ash),
        ash_contributor=user("Cara Contributor", "contributor@ash.example", "contributor", ash),
        ash_approver=user("Amir Approver", "approver@ash.example", "approver", ash),
        brk_reader=user("Bea Reader", "reader@brk.example", "reader", brk),
        brk_contributor=user("Bob Contributor", "contributor@brk.example", "contributor", brk),
        brk_approver=user("Bina Approver", "approver@brk.example", "approver", brk),
        admin=user("Alex Admin", "admin@library.example", "admin", None),
    )
    db.commit()
    return people


@pytest.fixture
def login(client, people):
    """``login("kgm_contributor")`` signs the test client in as that person."""

    def _login(who: str):
        user = people[who]
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login


@pytest.fixture
def api(client, app, people):
    """``api("kgm_contributor").get("/api/v1/...")``: requests with that person's bearer token."""

    class _Api:
        def __init__(self, token: str):
            self.headers = {"Authorization": f"Bearer {token}"}

        def __getattr__(self, method):
            def call(path, **kwargs):
                headers = {**self.headers, **kwargs.pop("headers", {})}
                return getattr(client, method)(path, headers=headers, **kwargs)

            return call

    def _api(who: str) -> _Api:
        session = app.extensions["db_sessionmaker"]()
        try:
            token = accounts.create_token(session, None, session.get(User, people[who].id))
        finally:
            session.close()
        return _Api(token)

    return _api


@pytest.fixture(scope="session")
def samples() -> Path:
    if not (SAMPLES / "manifest.json").exists():
        pytest.skip("../shared/samples is not beside this checkout")
    return SAMPLES


@pytest.fixture
def make_document(app, db, people):
    """``make_document(data=b"# Notes", title=..., who="kgm_contributor")``: a draft uploaded through
    the service, as the page and the API upload it."""
    from library.documents import upload
    from library.extraction import Limits

    def _make(
        data: bytes | str = b"# Notes\n\nSome text.\n",
        *,
        who: str = "kgm_contributor",
        filename: str = "d.md",
        **metadata,
    ):
        values = {
            "title": "Notes",
            "document_type": "action-plan",
            "service_areas": ["early-help"],
            **metadata,
        }
        if isinstance(data, str):
            data = data.encode()
        with app.app_context():
            return upload.upload_document(
                db,
                app.extensions["file_storage"],
                db.merge(people[who]),
                upload.UploadInput(filename=filename, data=data, **values),
                Limits(),
            )

    return _make


class Mailbox:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it accepts."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
                from email import message_from_bytes
                from email.policy import default

                mailbox.messages.append(message_from_bytes(envelope.content, policy=default))
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._make = lambda: Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller = None

    def start(self):
        self.controller = self._make()  # a stopped controller cannot start again
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    def text(self, message) -> str:
        return message.get_body(("plain",)).get_content()


@pytest.fixture
def mailbox(app):
    """Mail from ``app`` goes over SMTP to a local server; ``mailbox.messages`` holds what arrived."""
    from library.mail.outbox import SmtpTransport

    box = Mailbox()
    box.start()
    app.extensions["mailer"].transport = SmtpTransport("127.0.0.1", box.port, timeout=5)
    yield box
    box.stop()


class IdentityProvider:
    """A real OpenID Connect provider (oidc-provider-mock) served over HTTP on 127.0.0.1."""

    TENANT = "7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09"

    def __init__(self):
        import threading

        import oidc_provider_mock
        import werkzeug.serving

        users = [
            oidc_provider_mock.User(
                sub="kim-sub", claims={"email": "kim@kingsmere.gov.uk", "name": "Kim Lee", "tid": self.TENANT}
            ),
            oidc_provider_mock.User(
                sub="colin-sub",
                claims={"email": "contributor@kgm.example", "name": "Colin C", "tid": self.TENANT},
            ),
            oidc_provider_mock.User(
                sub="stranger-sub",
                claims={"email": "x@elsewhere.example", "name": "X", "tid": "unmapped-tenant"},
            ),
            oidc_provider_mock.User(
                sub="gmail-sub", claims={"email": "kim@gmail.example", "name": "Kim G", "tid": self.TENANT}
            ),
            # Someone of the tenant whose email claim is an approver's address (a tenant an
            # administrator controls can say anything).
            oidc_provider_mock.User(
                sub="mallory-sub",
                claims={"email": "approver@kgm.example", "name": "Mallory", "tid": self.TENANT},
            ),
            oidc_provider_mock.User(
                sub="oid-sub",
                claims={
                    "email": "ola@kingsmere.gov.uk",
                    "name": "Ola",
                    "tid": self.TENANT,
                    "oid": "ola-object",
                },
            ),
        ]
        self.app = oidc_provider_mock.app(require_nonce=True, user_claims=users)
        self.server = werkzeug.serving.make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(2)

    def signing_key(self) -> dict:
        """The provider's own private key (to make tokens it would sign, with chosen claims)."""
        import flask

        with self.app.test_request_context():
            self.app.preprocess_request()
            return flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True)

    def sign_in(self, client, sub: str, *, before_callback=None, start=None):
        """The whole browser journey: our start page (``start``: the response of another way in,
        such as an invitation's), the provider's form, back to our callback."""
        import httpx

        start = start if start is not None else client.get("/login/microsoft")
        assert start.status_code == 302 and start.headers["Location"].startswith(self.url)
        answer = httpx.post(start.headers["Location"], data={"sub": sub}, follow_redirects=False)
        assert answer.status_code == 302, answer.text
        back = answer.headers["Location"]
        if before_callback is not None:
            before_callback()
        path = back.split("://", 1)[1].split("/", 1)[1]
        return client.get("/" + path)


@pytest.fixture
def identity_provider(app, db, people):
    """Sign-in with Microsoft on, against a local provider; Kingsmere's tenant is connected."""
    from library.accounts.oidc import Provider

    provider = IdentityProvider()
    app.extensions["oidc"] = Provider(
        metadata_url=f"{provider.url}/.well-known/openid-configuration",
        client_id="library-test",
        client_secret="s",
    )
    from library.core.db import utcnow

    authority = people.kgm_reader.authority
    authority.tenant_id = IdentityProvider.TENANT
    authority.tenant_confirmed_at = utcnow()  # confirmed by one of its approvers
    db.commit()
    yield provider
    provider.stop()


@pytest.fixture
def second_approver(db, people, password_hash):
    """Another approver of Kingsmere: "Ann Other", a2@kgm.example."""
    user = User(
        email="a2@kgm.example",
        name="Ann Other",
        role="approver",
        authority=people.kgm_approver.authority,
        active=True,
        password_hash=password_hash,
    )
    db.add(user)
    db.commit()
    return user


@pytest.fixture
def postgres_search(_database):
    """PostgreSQL search backends on the suite's database (skipped on SQLite)."""
    if _database["kind"] != "postgresql":
        pytest.skip("the PostgreSQL search backend needs TEST_DATABASE_URL")
    from search_index.postgres_backend import PostgresBackend

    engine = create_engine(_database["url"])
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE search_entries"))

    def make(thesaurus):
        return PostgresBackend(engine, thesaurus)

    yield make
    engine.dispose()


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3 endpoint on 127.0.0.1 (moto's threaded server) for the session; the AWS variables
    point every client at it."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in _AWS_VARIABLES}
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "library-test",
            "AWS_SECRET_ACCESS_KEY": "library-test-secret",
            "AWS_DEFAULT_REGION": "eu-west-2",
        }
    )
    yield endpoint
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


_AWS_VARIABLES = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")


@pytest.fixture
def bucket(s3_endpoint):
    """A new, empty bucket on the S3 endpoint: its name and a client."""
    import uuid

    import boto3

    client = boto3.client("s3")
    name = f"originals-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return name, client


@pytest.fixture
def s3_storage(app, bucket):
    """The app's originals kept in a bucket of the S3 endpoint (``STORAGE_URL=s3://bucket/originals``)."""
    from library.core import storage

    name, _client = bucket
    app.config["STORAGE_URL"] = f"s3://{name}/originals"
    app.extensions["file_storage"] = storage.from_config(app.config, app.config["DATA_DIR"])
    return app.extensions["file_storage"]
