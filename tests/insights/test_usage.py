"""Usage: reads and downloads by people of other authorities, counted right by several processes,
shown to the owning authority and administrators only, never naming anyone."""

import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select

from library.core.errors import NotFound
from library.core.models import Document, UsageReader
from library.insights import usage
from tests.helpers import publish


@pytest.fixture
def shared(app, db, people, make_document):
    return publish(
        app, db, people, make_document, "# Plan\n\n## Actions\n\n- Act\n", "national", title="Plan"
    )


def test_reads_by_other_authorities_are_counted_and_the_owners_own_are_not(api, db, people, shared):
    for who in (
        "ash_reader",
        "ash_reader",
        "ash_approver",
        "brk_reader",
        "kgm_reader",
        "kgm_approver",
        "admin",
    ):
        assert api(who).get(f"/api/v1/documents/{shared}").status_code == 200
    assert api("brk_reader").get(f"/api/v1/documents/{shared}/download?format=docx").status_code == 200
    assert api("kgm_reader").get(f"/api/v1/documents/{shared}/download").status_code == 200
    body = api("kgm_approver").get(f"/api/v1/documents/{shared}/usage").get_json()
    assert (body["views"], body["downloads"], body["people"], body["authorities"], body["regions"]) == (
        4,
        1,
        3,
        2,
        2,
    )
    assert body["months"][-1]["views"] == 4 and len(body["months"]) == usage.CHART_MONTHS
    # Never who: the JSON names no one, and the table holds a keyed hash, not an id.
    text = str(body)
    for who in ("ash_reader", "brk_reader", "ash_approver"):
        person = people[who]
        assert person.email not in text and person.name not in text
    keys = set(db.scalars(select(UsageReader.reader)))
    assert not keys & {str(p.id) for p in (people.ash_reader, people.brk_reader)}
    assert len(keys) == 3 and all(len(k) == 32 for k in keys)


def test_only_the_owners_and_administrators_see_usage(api, shared):
    for who, status in (
        ("kgm_contributor", 200),
        ("kgm_approver", 200),
        ("admin", 200),
        ("kgm_reader", 404),
        ("ash_reader", 404),
        ("ash_approver", 404),
        ("brk_reader", 404),
    ):
        assert api(who).get(f"/api/v1/documents/{shared}/usage").status_code == status, who


def test_the_owners_pages_say_how_it_is_read(client, login, api, shared):
    api("ash_reader").get(f"/api/v1/documents/{shared}")
    login("kgm_contributor")
    page = client.get(f"/documents/{shared}").get_data(as_text=True)
    assert "Read by 1 person in 1 authority across 1 region; downloaded 0 times." in page
    assert 'id="usage-months"' in page and "Show as table" in page
    listing = client.get("/our-documents").get_data(as_text=True)
    assert "Read by 1 person in 1 authority across 1 region" in listing
    csv = client.get(f"/documents/{shared}/usage.csv")
    assert (
        csv.mimetype == "text/csv" and csv.get_data(as_text=True).splitlines()[0] == "Month,Reads,Downloads"
    )


SCRIPT = textwrap.dedent(
    """
    import sys
    from library import create_app
    from library.core.models import Authority, Document, User
    from library.insights import usage

    app = create_app({"ENV_NAME": "test", "DATA_DIR": sys.argv[1], "DATABASE_URL": sys.argv[2],
                      "USAGE_FLUSH_SECONDS": 0.05})
    recorder = app.extensions["usage"]
    session = app.extensions["db_sessionmaker"]()
    document = session.get(Document, int(sys.argv[3]))
    readers = [session.get(User, int(i)) for i in sys.argv[4].split(",")]
    for n in range(300):
        recorder.record(usage.event_for("secret", readers[n % len(readers)], document, "view"))
    recorder.close()
    """
)


def test_two_processes_reading_at_once_count_every_read(app, db, people, shared, tmp_path):
    """Each process queues and writes its own events; the database adds them up."""
    readers = ",".join(str(people[w].id) for w in ("ash_reader", "brk_reader", "ash_approver"))
    args = [sys.executable, "-c", SCRIPT, str(tmp_path), app.config["DATABASE_URL"], str(shared), readers]
    processes = [subprocess.Popen(args) for _ in range(2)]  # noqa: S603 - this interpreter, a fixed script
    assert [p.wait(timeout=120) for p in processes] == [0, 0]
    found = usage.usage_of(db, people.kgm_approver, shared)
    assert (found.views, found.people, found.authorities, found.regions) == (600, 3, 2, 2)


def test_a_failed_write_keeps_the_events_for_the_next(app, db, people, shared, monkeypatch):
    from library.insights import recorder as recorder_module

    recorder = recorder_module.Recorder(app.extensions["db_sessionmaker"], interval=60)
    event = usage.event_for("secret", people.ash_reader, db.get(Document, shared), "view")
    recorder.record(event)
    real = recorder_module.write
    monkeypatch.setattr(recorder_module, "write", lambda *_a: (_ for _ in ()).throw(RuntimeError("down")))
    assert recorder.flush() == 0 and recorder.pending() == 1
    monkeypatch.setattr(recorder_module, "write", real)
    assert recorder.flush() == 1 and recorder.pending() == 0
    recorder.close()
    with pytest.raises(NotFound):
        usage.usage_of(db, people.ash_reader, shared)
