"""The outbox and its delivery: written with the event, sent over real SMTP after the commit, kept
when the server is down, never sent twice."""

import threading
from datetime import timedelta

from sqlalchemy import select

from library.core.db import utcnow
from library.core.models import MailMessage
from library.mail import outbox
from library.mail.outbox import FileTransport


def _queue(app, db, key="test:1", to="person@example.org", commit=True):
    with app.app_context():
        message = outbox.enqueue(
            db,
            to=to,
            kind="test",
            event_key=key,
            subject="Hello",
            text="Plain words.\n\nSee: http://127.0.0.1:5000/documents/1\n",
            html="<p>Plain words.</p>",
            headers={"List-Unsubscribe": "<http://127.0.0.1:5000/unsubscribe/x>"},
        )
        if commit:
            db.commit()
    return message


def test_a_message_is_written_with_the_event_and_sent_after_the_commit(app, db, mailbox):
    message = _queue(app, db, commit=False)
    assert mailbox.messages == []  # nothing leaves before the commit
    db.rollback()
    assert db.scalar(select(MailMessage.id)) is None  # the event did not happen: nor did the message
    _queue(app, db)
    (sent,) = mailbox.messages
    assert sent["To"] == "person@example.org" and sent["Subject"] == "Hello"
    assert sent["From"] == "Peer Challenge Library <library@localhost>"
    assert sent["Message-ID"].startswith("<outbox-") and sent["List-Unsubscribe"]
    assert mailbox.text(sent).startswith("Plain words.")
    assert sent.get_body(("html",)).get_content().strip() == "<p>Plain words.</p>"
    row = db.scalars(select(MailMessage)).one()
    assert row.sent_at is not None and row.attempts == 1 and message is not None


def test_one_message_per_address_and_event(app, db, mailbox):
    assert _queue(app, db) is not None
    assert _queue(app, db) is None
    assert _queue(app, db, to="PERSON@example.org") is None
    assert _queue(app, db, key="test:2") is not None
    assert len(mailbox.messages) == 2


def test_a_server_that_is_down_loses_nothing_and_the_command_sends_it_later(app, db, mailbox, runner):
    mailbox.stop()
    _queue(app, db)  # the action succeeds; the message waits
    row = db.scalars(select(MailMessage)).one()
    db.refresh(row)
    assert row.sent_at is None and row.attempts == 1 and "Connection" in (row.last_error or "")
    assert row.next_attempt_at > utcnow()
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0 and "Sent 0 message(s); 1 waiting." in result.output  # still pausing
    result = runner.invoke(args=["notifications", "send", "--now"])
    assert result.exit_code == 1 and "could not be sent and wait to be tried again" in result.output
    mailbox.start()
    result = runner.invoke(args=["notifications", "send", "--now"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 message(s); 0 waiting." in result.output
    assert len(mailbox.messages) == 1
    assert runner.invoke(args=["notifications", "send", "--now"]).output.startswith("Sent 0 message(s)")
    assert len(mailbox.messages) == 1  # never twice


def test_two_senders_at_once_send_each_message_once(app, db, mailbox):
    app.config["MAIL_DELIVER_AFTER_COMMIT"] = False
    for n in range(30):
        _queue(app, db, key=f"test:{n}")
    mailer = app.extensions["mailer"]
    threads = [threading.Thread(target=mailer.deliver) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(mailbox.messages) == 30
    assert len({m["Message-ID"] for m in mailbox.messages}) == 30


def test_a_claim_left_by_a_crashed_sender_expires(app, db, mailbox):
    app.config["MAIL_DELIVER_AFTER_COMMIT"] = False
    _queue(app, db)
    row = db.scalars(select(MailMessage)).one()
    row.claimed_until = utcnow() + timedelta(minutes=5)  # a sender died holding it
    db.commit()
    assert app.extensions["mailer"].deliver(everything=True).sent == 0
    row.claimed_until = utcnow() - timedelta(seconds=1)
    db.commit()
    assert app.extensions["mailer"].deliver(everything=True).sent == 1
    assert len(mailbox.messages) == 1


def test_without_a_mail_server_messages_are_files_named_in_the_log(app, db, tmp_path, caplog):
    app.extensions["mailer"].transport = FileTransport(tmp_path / "mail")
    with caplog.at_level("INFO", logger="library.mail.outbox"):
        _queue(app, db)
    (path,) = (tmp_path / "mail").glob("*.eml")
    assert b"Subject: Hello" in path.read_bytes()
    assert str(path) in caplog.text  # open it to follow its links
    assert "http://" not in caplog.text and "Hello" not in caplog.text  # never its links or subject


def test_without_a_scheduler_the_running_app_sends_the_days_digests_once(
    app, db, people, mailbox, make_document
):
    import time

    from library.documents import workspace
    from library.search import digests, follows
    from tests.helpers import consent

    doc = make_document(b"# Notes\n\nEarly help.\n", title="Early help notes", service_areas=["early-help"])
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        consent(db, people.kgm_approver, doc.id, "national")
        follows.follow(db, people.brk_reader, "", {"service_area": ["early-help"]})
    digests.init_app(app)  # what DIGESTS_IN_APP (on outside tests) sets up
    client = app.test_client()
    client.get("/login")
    for _ in range(100):
        if mailbox.to("reader@brk.example"):
            break
        time.sleep(0.05)
    (digest,) = mailbox.to("reader@brk.example")
    assert "Early help notes" in mailbox.text(digest)
    client.get("/login")  # within the day: no second run
    time.sleep(0.3)
    assert len(mailbox.to("reader@brk.example")) == 1


def _self_signed(tmp_path):
    """A certificate for 127.0.0.1 and its key, as files."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_starttls_and_login_as_the_settings_say(app, db, tmp_path):
    """A server that demands STARTTLS before AUTH, and AUTH before mail: the settings get through."""
    import socket
    import ssl
    from email import message_from_bytes
    from email.policy import default

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from library.mail.outbox import transport_for

    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    received, logins = [], []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            received.append((session.authenticated, message_from_bytes(envelope.content, policy=default)))
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"library" and auth_data.password == b"s3cret-relay"
        logins.append((mechanism, ok, session.ssl is not None))
        return AuthResult(success=ok)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    server.start()
    try:
        app.extensions["mailer"].transport = transport_for(
            {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": port,
                "SMTP_USERNAME": "library",
                "SMTP_PASSWORD": "s3cret-relay",
                "SMTP_STARTTLS": True,
                "SMTP_CA_FILE": str(cert),
                "DATA_DIR": str(tmp_path),
            }
        )
        _queue(app, db)
    finally:
        server.stop()
    assert logins and all(ok and over_tls for _mechanism, ok, over_tls in logins)
    ((authenticated, message),) = received
    assert authenticated and message["Subject"] == "Hello"


def test_production_never_logs_the_links_of_messages_written_to_files_either(app, db, tmp_path, caplog):
    from library.mail.outbox import transport_for

    app.extensions["mailer"].transport = transport_for({"DATA_DIR": str(tmp_path), "ENV_NAME": "production"})
    with caplog.at_level("INFO", logger="library.mail.outbox"):
        _queue(app, db)
    assert "mail written to" in caplog.text and "http://" not in caplog.text
    assert list((tmp_path / "mail").glob("*.eml"))
