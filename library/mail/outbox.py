"""Email: an outbox and its delivery.

A message is written to the outbox (``mail_outbox``) in the same transaction as the event that
causes it, so it exists exactly when the event does. After each commit, and whenever
``notifications send`` runs, what is due is delivered: over SMTP (``SMTP_HOST``, STARTTLS and
authentication through settings) or, without a mail server, as ``.eml`` files in
``DATA_DIR/mail/`` (the log names the file: open it to follow a link). A failure leaves the
message in the outbox to be tried again later, with growing pauses; the action that caused it has
already succeeded.

Each message is claimed before it is sent (so two senders never send it both) and marked sent
straight after; its Message-ID is fixed by its row, so a mail client sees a repeat after a crash
in between as the same message. One address gets one message per event: the outbox refuses a
second with the same ``event_key``.
"""

from __future__ import annotations

import logging
import os
import signal
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Protocol

from flask import Flask
from sqlalchemy import event, func, or_, select, update
from sqlalchemy.orm import Session

from library.core.db import utcnow
from library.core.models import MailMessage, User
from library.web import catch_up

log = logging.getLogger(__name__)

# Pauses before each further attempt: 1 minute, 5, 30, then every 2 hours.
BACKOFF_MINUTES = (1, 5, 30, 120)
CLAIM_MINUTES = 5
CATCH_UP_SECONDS = 30.0


class Transport(Protocol):
    @contextmanager
    def connection(self) -> Iterator[Sender]: ...


class Sender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass
class SmtpTransport:
    host: str
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0
    ca_file: str = ""  # a private certificate authority the server's certificate is checked against

    @contextmanager
    def connection(self) -> Iterator[Sender]:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=self.ca_file or None))
            if self.username:
                smtp.login(self.username, self.password)
            yield _SmtpSender(smtp)


@dataclass
class _SmtpSender:
    smtp: smtplib.SMTP

    def send(self, message: EmailMessage) -> None:
        self.smtp.send_message(message)


@dataclass
class FileTransport:
    """Without a mail server: each message as an .eml file in ``directory``. The log names the
    file, never the message's links (invitation and reset links are secrets) or its subject."""

    directory: Path

    @contextmanager
    def connection(self) -> Iterator[Sender]:
        self.directory.mkdir(parents=True, exist_ok=True)
        yield self

    def send(self, message: EmailMessage) -> None:
        name = f"{utcnow():%Y%m%d-%H%M%S}-{message['X-Outbox-Id']}.eml"
        (self.directory / name).write_bytes(bytes(message))
        log.info("mail written to %s", self.directory / name)


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def enqueue(
    session: Session,
    *,
    to: User | str,
    kind: str,
    event_key: str,
    subject: str,
    text: str,
    html: str,
    headers: dict[str, str] | None = None,
) -> MailMessage | None:
    """Put a message in the outbox, in ``session``'s transaction. None if this address was
    already sent (or is already waiting for) a message about this event."""
    address = to.email if isinstance(to, User) else to
    address = address.strip().lower()
    waiting = [
        m
        for m in session.new
        if isinstance(m, MailMessage) and (m.to_address, m.event_key) == (address, event_key)
    ]
    if waiting or session.scalar(
        select(MailMessage.id).where(MailMessage.to_address == address, MailMessage.event_key == event_key)
    ):
        return None
    message = MailMessage(
        recipient_id=to.id if isinstance(to, User) else None,
        to_address=address,
        kind=kind,
        event_key=event_key[:200],
        subject=subject[:300],
        body_text=text,
        body_html=html,
        headers=headers or {},
        next_attempt_at=utcnow(),
        attempts=0,
    )
    session.add(message)
    session.info["mail_outbox"] = True
    return message


class Mailer:
    def __init__(self, make_session, transport: Transport, *, sender: str, service_name: str):
        self.make_session = make_session
        self.transport = transport
        self.sender = sender
        self.service_name = service_name

    # Writing ------------------------------------------------------------------------------------

    # Delivering ---------------------------------------------------------------------------------

    def waiting(self) -> tuple[int, float]:
        """How many messages wait, and for how long (seconds) the oldest has."""
        with self.make_session() as session:
            count, oldest = session.execute(
                select(func.count(MailMessage.id), func.min(MailMessage.created_at)).where(
                    MailMessage.sent_at.is_(None)
                )
            ).one()
        return count or 0, ((utcnow() - oldest).total_seconds() if oldest else 0.0)

    def deliver(self, *, everything: bool = False, limit: int = 500) -> Report:
        """Send what is due (``everything``: what waits, whatever its pause). Each message is
        claimed first, so that another sender leaves it alone, and marked sent at once after."""
        report = Report()
        claimed = self._claim(everything, limit)
        if not claimed:
            return report
        try:
            with self.transport.connection() as sender:
                for message_id in claimed:
                    self._send_one(sender, message_id, report)
        except Exception as exc:  # the server could not be reached: every claimed message waits
            log.warning("mail server unavailable: %s", exc)
            self._failed(claimed, f"{type(exc).__name__}: {exc}", report)
        return report

    def _claim(self, everything: bool, limit: int) -> list[int]:
        """The ids of the messages this sender now holds. Each claim is one conditional update,
        so of two senders (processes, hosts) only one holds a message."""
        now = utcnow()
        free = or_(MailMessage.claimed_until.is_(None), MailMessage.claimed_until < now)
        with self.make_session() as session:
            due = select(MailMessage.id).where(MailMessage.sent_at.is_(None), free)
            if not everything:
                due = due.where(MailMessage.next_attempt_at <= now)
            candidates = list(session.scalars(due.order_by(MailMessage.id).limit(limit)))
            claimed = []
            for message_id in candidates:
                result = session.execute(
                    update(MailMessage)
                    .where(MailMessage.id == message_id, MailMessage.sent_at.is_(None), free)
                    .values(claimed_until=now + timedelta(minutes=CLAIM_MINUTES))
                )
                if result.rowcount == 1:
                    claimed.append(message_id)
            session.commit()
            return claimed

    def _send_one(self, sender: Sender, message_id: int, report: Report) -> None:
        with self.make_session() as session:
            row = session.get(MailMessage, message_id)
            if row is None or row.sent_at is not None:
                return
            try:
                sender.send(self.build(row))
            except (smtplib.SMTPException, OSError) as exc:
                session.rollback()
                self._failed([message_id], f"{type(exc).__name__}: {exc}", report)
                return
            row.sent_at = utcnow()
            row.claimed_until = None
            row.attempts += 1
            row.last_error = None
            session.commit()
            report.sent += 1

    def _failed(self, ids: list[int], error: str, report: Report) -> None:
        now = utcnow()
        with self.make_session() as session:
            for row in session.scalars(
                select(MailMessage).where(MailMessage.id.in_(ids), MailMessage.sent_at.is_(None))
            ):
                row.attempts += 1
                pause = BACKOFF_MINUTES[min(row.attempts, len(BACKOFF_MINUTES)) - 1]
                row.next_attempt_at = now + timedelta(minutes=pause)
                row.claimed_until = None
                row.last_error = error[:500]
                report.failed += 1
            session.commit()
        report.errors.append(error)

    def build(self, row: MailMessage) -> EmailMessage:
        message = EmailMessage()
        message["From"] = formataddr((self.service_name, self.sender))
        message["To"] = row.to_address
        message["Subject"] = row.subject
        message["Date"] = format_datetime(row.created_at.replace(tzinfo=UTC), usegmt=True)
        domain = self.sender.rpartition("@")[2] or "localhost"
        message["Message-ID"] = f"<outbox-{row.id}@{domain}>"
        message["X-Outbox-Id"] = str(row.id)
        message["Auto-Submitted"] = "auto-generated"
        for name, value in (row.headers or {}).items():
            message[name] = value
        message.set_content(row.body_text)
        message.add_alternative(row.body_html, subtype="html")
        return message


def transport_for(config: dict) -> Transport:
    if config.get("SMTP_HOST"):
        return SmtpTransport(
            host=config["SMTP_HOST"],
            port=int(config.get("SMTP_PORT") or 25),
            username=config.get("SMTP_USERNAME") or "",
            password=config.get("SMTP_PASSWORD") or "",
            starttls=bool(config.get("SMTP_STARTTLS")),
            timeout=float(config.get("SMTP_TIMEOUT_SECONDS") or 10),
            ca_file=config.get("SMTP_CA_FILE") or "",
        )
    return FileTransport(Path(config["DATA_DIR"]) / "mail")


def init_app(app: Flask) -> None:
    mailer = Mailer(
        app.extensions["db_sessionmaker"],
        transport_for(app.config),
        sender=app.config["MAIL_FROM"],
        service_name=app.config["SERVICE_NAME"],
    )
    app.extensions["mailer"] = mailer

    _catch_up(app, mailer)

    @event.listens_for(app.extensions["db_sessionmaker"], "after_commit")
    def _deliver_after_commit(session: Session) -> None:
        if session.info.get("mail_outbox") and app.config.get("CRASH_AFTER_COMMIT") == "mail":
            os.kill(os.getpid(), signal.SIGKILL)  # tests only: a crash between commit and delivery
        if session.info.pop("mail_outbox", False) and app.config.get("MAIL_DELIVER_AFTER_COMMIT", True):
            try:
                mailer.deliver()
            except Exception:  # the outbox keeps every message; `notifications send` finishes it
                log.exception("delivering mail after a commit failed")


def _catch_up(app: Flask, mailer: Mailer) -> None:
    """Mail left waiting by a process that died after its commit: the next request of any process
    (checking at most every half minute) sends what is due."""

    def deliver_waiting() -> None:
        if app.config.get("MAIL_DELIVER_AFTER_COMMIT", True) and mailer.waiting()[0]:
            mailer.deliver()

    catch_up.on_requests(app, "the mail outbox", CATCH_UP_SECONDS, deliver_waiting)
