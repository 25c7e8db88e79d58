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
