"""Following and digests: only what the person may read when it is sent, never withdrawn, once."""

import re
from datetime import timedelta

import pytest

from library.core.db import utcnow
from library.core.errors import NotFound, ValidationError
from library.documents import publication, workspace
from library.search import follows
from tests.helpers import consent


@pytest.fixture
def published(app, db, people, make_document):
    """Three Kingsmere documents on early help: shared with the region, nationally, and with
    Kingsmere only."""
    made = {}
    for scope in ("region", "national", "authority"):
        doc = make_document(
            b"# Notes\n\nEarly help step-down worked well.\n",
            title=f"Early help {scope}",
            service_areas=["early-help"],
        )
        with app.app_context():
            workspace.accept_all(db, people.kgm_contributor, doc.id)
            consent(db, people.kgm_approver, doc.id, scope)
        made[scope] = doc
    return made


def test_follow_is_idempotent_checked_and_personal(app, db, people):
    with app.app_context():
        first = follows.follow(db, people.ash_reader, "", {"service_area": ["early-help"]})
        again = follows.follow(db, people.ash_reader, None, {"service_area": "early-help"})
        assert first.id == again.id
        with pytest.raises(ValidationError, match="Unknown service area"):
            follows.follow(db, people.ash_reader, "", {"service_area": ["astrology"]})
        with pytest.raises(ValidationError, match="Unknown filter"):
            follows.follow(db, people.ash_reader, "", {"colour": ["red"]})
        with pytest.raises(ValidationError, match="Follow a search"):
            follows.follow(db, people.ash_reader, "  ", {})
        with pytest.raises(NotFound):
            follows.unfollow(db, people.brk_reader, first.id)
        follows.unfollow(db, people.ash_reader, first.id)
        assert follows.follows_of(db, people.ash_reader) == []


def test_a_digest_lists_only_what_the_reader_may_read_never_withdrawn(app, db, people, published, mailbox):
    backend = app.extensions["search"]
    with app.app_context():
        follows.follow(db, people.ash_reader, "", {"service_area": ["early-help"]})
        follows.follow(db, people.ash_reader, "step-down", {})
        publication.withdraw(db, people.kgm_approver, published["national"].id, "Shared by mistake.")
        considered, sent = follows.send_digests(db, backend)
    assert (considered, sent) == (1, 1)
    (digest,) = mailbox.to("reader@ash.example")
    body = mailbox.text(digest)
    assert digest["Subject"] == "New in what you follow: 1 document"
    assert "Early help region (Kingsmere Borough Council" in body
    assert f"http://127.0.0.1:5000/documents/{published['region'].id}" in body
    assert "Early help authority" not in body  # Kingsmere only: not Ashcombe's to read
    assert "Early help national" not in body  # withdrawn before the digest went
    assert "Early help" in body and "“step-down”" in body
    assert digest["List-Unsubscribe"] and digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<br>" in digest.get_body(("html",)).get_content()
    # Not due again for a week; forced, there is nothing new, so nothing is sent.
    with app.app_context():
        assert follows.send_digests(db, backend) == (1, 0)
        assert follows.send_digests(db, backend, force=True) == (1, 0)
    assert len(mailbox.to("reader@ash.example")) == 1


def test_daily_digests_and_turning_them_off(app, db, people, published, mailbox):
    backend = app.extensions["search"]
    with app.app_context():
        follows.follow(db, people.kgm_reader, "", {"service_area": ["early-help"]})
        follows.set_frequency(db, people.kgm_reader, "daily")
        with pytest.raises(ValidationError):
            follows.set_frequency(db, people.kgm_reader, "hourly")
        follows.send_digests(db, backend)
    (digest,) = mailbox.to("reader@kgm.example")
    assert digest["Subject"] == "New in what you follow: 3 documents"  # a Kingsmere reader reads all three
    link = re.search(r"http://127\.0\.0\.1:5000(/unsubscribe/\S+)", mailbox.text(digest)).group(1)
    people.kgm_reader.digest_sent_at = utcnow() - timedelta(days=2)
    db.commit()
    with app.test_client() as client:
        assert client.post(link).status_code == 200  # one click: digests off
    db.refresh(people.kgm_reader)
    assert "digest" in people.kgm_reader.notices_off
    with app.app_context():
        assert follows.send_digests(db, backend) == (1, 0)


# Four `notifications digest` runs started at the same moment in processes of their own (two
# hosts, or cron beside the app's daily run), on this test's database and data folder.
RUNS_TOGETHER = """
import sys, time
from library import create_app
from library.search import follows
from library.web.database import get_session
url, data_dir, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
app = create_app({"ENV_NAME": "test", "DATABASE_URL": url, "DATA_DIR": data_dir, "WTF_CSRF_ENABLED": False})
with app.app_context():
    session = get_session()
    while time.time() < start_at:
        time.sleep(0.001)
    print(follows.send_digests(session, app.extensions["search"], force="--all" in sys.argv))
"""


@pytest.mark.parametrize("force", [False, True], ids=["due", "all"])
def test_digests_go_once_whatever_runs_them_at_the_same_time(app, db, people, published, force):
    import os
    import subprocess
    import sys
    import time

    from sqlalchemy import select

    from library.core.models import MailMessage
    from tests.conftest import ROOT

    with app.app_context():
        for who in ("ash_reader", "ash_contributor", "kgm_reader"):
            follows.follow(db, people[who], "", {"service_area": ["early-help"]})
    start_at = time.time() + 6  # every process started and waiting by then
    runs = [
        subprocess.Popen(  # noqa: S603 - this interpreter on the script above
            [
                sys.executable,
                "-c",
                RUNS_TOGETHER,
                app.config["DATABASE_URL"],
                app.config["DATA_DIR"],
                str(start_at),
            ]
            + (["--all"] if force else []),
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err[-2000:] for _, err in outputs]
    db.expire_all()
    digests = db.scalars(select(MailMessage).where(MailMessage.kind == "digest")).all()
    assert sorted(m.to_address for m in digests) == sorted(
        [people.ash_reader.email, people.ash_contributor.email, people.kgm_reader.email]
    )
    sent = sum(int(out.strip().splitlines()[-1].strip("()").split(",")[1]) for out, _ in outputs)
    assert sent == 3  # the runs' own counts agree: three digests in all
