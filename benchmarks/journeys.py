"""Every page a person opens in the main journeys, at 10,000 published documents, over HTTP.

The library is the search benchmark's (10,000 documents of about 1,600 words from 150 authorities
in 9 regions, shared at every scope, on SQLite with the default search backend). Four people of
two authorities sign in through the login form and open the pages of their journeys:

- a reader of another authority: home, search (a common phrase; a common word with a filter; the
  second page), a service area, a document, key lines of enquiry, peer challenges, what they
  follow, their account;
- a contributor: home, Our documents, upload, a 20-page draft's page, the never/always lists;
- an approver: home, the documents waiting for consent, the consent page of the 20-page draft
  (about 280 decisions summarised);
- an administrator: the administration home, users, the audit trail.

Each page is opened twice to warm up, then ``OPENS`` times; the p95 of each is reported. Target:
every page under 200 ms at p95. The workspace (target 300 ms), the outline and starter, and
insights (500 ms) have their own benchmarks and are not repeated here.
"""

from __future__ import annotations

import statistics
import tempfile
import time

from .search import populate
from .workspace import PASSWORD, _Browser, _serve, upload_twenty_pages

TARGET_MS = 200.0
DOCUMENTS = 10_000
OPENS = 20


def _people(app) -> dict:
    """The four people, the 20-page draft handed to the approver, and a document the reader may read."""
    from sqlalchemy import select

    from library.accounts import service as accounts
    from library.core.models import Authority, Document
    from library.documents import handoff, workspace

    session = app.extensions["db_sessionmaker"]()
    home = session.scalars(select(Authority).where(Authority.code == "A000")).one()
    other = session.scalars(select(Authority).where(Authority.code == "A021")).one()
    people = {}
    for role, authority in (
        ("reader", other),
        ("contributor", home),
        ("approver", home),
        ("admin", None),
    ):
        people[role] = accounts.create_user(
            session,
            None,
            email=f"{role}@bench.example",
            name=f"Bench {role.title()}",
            role=role,
            authority_code=authority.code if authority else None,
            password=PASSWORD,
        ).email
    session.commit()
    contributor = accounts.get_user_by_email(session, people["contributor"])
    draft = upload_twenty_pages(app, session, contributor)
    workspace.accept_all(session, contributor, draft.id)
    session.commit()
    handoff.mark_ready(session, contributor, draft.id)
    session.commit()
    readable = session.scalars(
        select(Document.id).where(Document.scope == "national", Document.authority_id != other.id).limit(1)
    ).one()
    draft_id = draft.id
    session.close()
    return {"emails": people, "draft": draft_id, "readable": readable}


def _pages(found: dict) -> dict[str, list[tuple[str, str]]]:
    draft, readable = found["draft"], found["readable"]
    return {
        "reader": [
            ("home", "/"),
            ("search: a common phrase", "/search?q=early+help"),
            ("search: a word and a filter", "/search?q=children&service_area=send"),
            ("search: page 2", "/search?q=practice&page=2"),
            ("service area", "/areas/send"),
            ("a document", f"/documents/{readable}"),
            ("key lines of enquiry", "/kloes"),
            ("peer challenges", "/challenges"),
            ("what they follow", "/follows"),
            ("account", "/account"),
        ],
        "contributor": [
            ("home", "/"),
            ("Our documents", "/our-documents"),
            ("upload", "/upload"),
            ("the draft's page", f"/documents/{draft}"),
            ("never/always lists", "/terms"),
        ],
        "approver": [
            ("home", "/"),
            ("waiting for consent", "/consent"),
            ("consent page (20 pages)", f"/documents/{draft}/consent"),
        ],
        "admin": [
            ("administration", "/admin"),
            ("users", "/admin/users"),
            ("audit trail", "/audit"),
        ],
    }


def _sign_in(port: int, email: str) -> _Browser:
    browser = _Browser(port)
    browser.request("GET", "/login")
    status, _ = browser.request(
        "POST", "/login", {"email": email, "password": PASSWORD, "csrf_token": browser.token}
    )
    if status != 302:
        raise RuntimeError(f"{email} could not sign in ({status})")
    return browser


def run(documents: int = DOCUMENTS) -> list[dict]:
    from library import create_app
    from library.ops.migrate import upgrade

    rows = []
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(
            {"ENV_NAME": "test", "DATA_DIR": data_dir, "LOG_LEVEL": "WARNING", "SEARCH_BACKEND": "tantivy"}
        )
        upgrade(app.extensions["db_engine"])
        populate(app, documents)
        app.extensions["search_indexer"].rebuild()
        with app.app_context():
            found = _people(app)
        server = _serve(app)
        try:
            for role, pages in _pages(found).items():
                browser = _sign_in(server.server_port, found["emails"][role])
                for name, path in pages:
                    timings = []
                    size = 0
                    for n in range(OPENS + 2):
                        started = time.perf_counter()
                        status, html = browser.request("GET", path)
                        elapsed = (time.perf_counter() - started) * 1000
                        if status != 200:
                            raise RuntimeError(f"{role} {path} answered {status}")
                        if n >= 2:
                            timings.append(elapsed)
                        size = len(html.encode())
                    timings.sort()
                    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
                    rows.append(
                        {
                            "role": role,
                            "page": name,
                            "path": path,
                            "p50": statistics.median(timings),
                            "p95": p95,
                            "kb": size / 1024,
                            "ok": p95 < TARGET_MS,
                        }
                    )
        finally:
            server.shutdown()
            app.extensions["search"].close()
            app.extensions["db_engine"].dispose()
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
