"""A process killed (SIGKILL) after its database commit and before the search index or the mail
outbox work is done: nothing is findable that should not be, and the next start-up or request of
any process brings everything in line."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from library import create_app, start_up
from library.documents import workspace
from tests.helpers import consent

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from library import create_app
from library.web.database import get_session
from library.core.models import User
from library.documents import handoff, publication

data_dir, url, action, user_id, document_id = sys.argv[1:6]
app = create_app({"ENV_NAME": "test", "DATA_DIR": data_dir, "DATABASE_URL": url})
with app.app_context():
    db = get_session()
    user = db.get(User, int(user_id))
    if action == "withdraw":
        publication.withdraw(db, user, int(document_id), "Crash test.")
    else:
        handoff.mark_ready(db, user, int(document_id))
print("the process was not stopped")
"""


def _killed_after_commit(app, hook: str, action: str, user_id: int, document_id: int) -> None:
    env = {
        **os.environ,
        "LIBRARY_ENV": "test",
        "LIBRARY_CRASH_AFTER_COMMIT": hook,
        "SEARCH_BACKEND": app.config["SEARCH_BACKEND"],
    }
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [
            sys.executable,
            "-c",
            SCRIPT,
            app.config["DATA_DIR"],
            app.config["DATABASE_URL"],
            action,
            str(user_id),
            str(document_id),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr


@pytest.fixture
def shared(app, db, people, make_document):
    doc = make_document(b"# Notes\n\nThe quokka protocol helped.\n", title="Quokka notes")
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        consent(db, people.kgm_approver, doc.id, "national")
    assert doc.id in app.extensions["search"].indexed()
    return doc


# The outbox is what these test; the PostgreSQL backend has none (tests/search/test_indexer.py).
@pytest.mark.search_backend("tantivy")
def test_killed_between_withdrawal_and_the_index(app, db, client, api, people, shared):
    _killed_after_commit(app, "search", "withdraw", people.kgm_approver.id, shared.id)
    db.expire_all()
    indexer = app.extensions["search_indexer"]
    assert indexer.pending() == 1 and shared.id in app.extensions["search"].indexed()  # the index is behind
    # Nothing findable that should not be: the database has the last word on every hit.
    reader = api("brk_reader")
    results = reader.get("/api/v1/search?q=quokka").get_json()["results"]
    assert all(r["id"] != shared.id for r in results)
    assert reader.get(f"/api/v1/documents/{shared.id}").status_code == 410
    # A new process starting up catches up.
    fresh = create_app(
        {
            "ENV_NAME": "test",
            "DATA_DIR": app.config["DATA_DIR"],
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SEARCH_BACKEND": app.config["SEARCH_BACKEND"],
        }
    )
    start_up(fresh)
    assert fresh.extensions["search_indexer"].differences() == []
    assert indexer.pending() == 0
    fresh.extensions["db_engine"].dispose()


@pytest.mark.search_backend("tantivy")
def test_killed_between_a_commit_and_the_index_caught_up_by_the_next_request(app, db, client, people, shared):
    _killed_after_commit(app, "search", "withdraw", people.kgm_approver.id, shared.id)
    assert app.extensions["search_indexer"].pending() == 1
    client.get("/login")  # any request of any process
    assert app.extensions["search_indexer"].pending() == 0
    assert app.extensions["search_indexer"].differences() == []


def test_killed_between_a_commit_and_its_mail(app, db, client, people, make_document, mailbox):
    doc = make_document(b"# Notes\n\nText.\n", title="Ready notes")
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
    _killed_after_commit(app, "mail", "ready", people.kgm_contributor.id, doc.id)
    assert mailbox.messages == [] and app.extensions["mailer"].waiting()[0] == 1
    client.get("/login")  # the next request sends what waits
    (message,) = mailbox.to("approver@kgm.example")
    assert message["Subject"] == "Ready for approval: Ready notes"
    client.get("/login")
    assert len(mailbox.messages) == 1  # and only once


def test_start_up_on_a_new_data_folder_is_quiet(tmp_path, caplog):
    fresh = create_app(
        {
            "ENV_NAME": "test",
            "DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            "SEARCH_BACKEND": "tantivy",
        }
    )
    with caplog.at_level("ERROR"):
        start_up(fresh)
    assert "catching up" not in caplog.text
    fresh.extensions["db_engine"].dispose()
