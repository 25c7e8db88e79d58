"""Who is told what, by email.

Every message is written to the outbox in the transaction of the event that causes it (see
``library/mail.py``), in plain English as text and simple HTML. A message names a document by
its title as readers get it (or, before consent, with every suggestion applied) and links to it;
it never holds a redacted value, a note, or any other unredacted text. Each person may turn each
kind of notice off; invitations and password resets are always sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from library.core import audit, settings
from library.core.errors import NotFound, ValidationError
from library.core.models import User
from library.mail import outbox

# The notices a person may turn off, in the words of their account page.
KINDS = {
    "ready": "A document of our authority is ready for approval",
    "sent_back": "A document I worked on was sent back to us",
    "shared": "A document I worked on was shared",
    "withdrawn": "A document I worked on was withdrawn or taken down",
    "account": "Someone's account at our authority was created or changed role",
    "digest": "Something new is shared in what I follow (a daily or weekly digest)",
}
# Who can be sent each kind: only those kinds are offered on a person's account page.
KINDS_FOR = {
    "approver": ("ready", "sent_back", "shared", "withdrawn", "account", "digest"),
    "contributor": ("sent_back", "shared", "withdrawn", "digest"),
}


def kinds_for(role: str) -> dict[str, str]:
    """The notices a person of ``role`` can be sent, in the words of their account page."""
    return {kind: KINDS[kind] for kind in KINDS_FOR.get(role, ("digest",))}


@dataclass
class Message:
    subject: str
    paragraphs: list[str]
    link: str
    link_text: str


# The HTML part is written from a template without Flask: services need no app context.
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parents[2] / "templates"),
    autoescape=select_autoescape(["html"]),
)


def base_url(session: Session) -> str:
    """The service's address, for links in messages."""
    return settings.of(session).base_url


def _serializer(session: Session) -> URLSafeSerializer:
    return URLSafeSerializer(settings.of(session).secret_key, salt="unsubscribe")


def unsubscribe_token(session: Session, user: User, kind: str) -> str:
    return _serializer(session).dumps([user.id, kind])


def send(
    session: Session, to: User, kind: str, event_key: str, message: Message, *, optional: bool = True
) -> bool:
    """Put one message in the outbox for ``to``, unless they turned this kind off (``optional``)
    or were already sent one about this event. Returns whether it was queued."""
    if optional and (not to.is_active or kind in (to.notices_off or [])):
        return False
    headers = {}
    footer = "You get this message because of your account at the Peer Challenge Library."
    unsubscribe = None
    if optional:
        unsubscribe = f"{base_url(session)}/unsubscribe/{unsubscribe_token(session, to, kind)}"
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        account = f"{base_url(session)}/account"
        footer = f"To stop these messages: {unsubscribe} (or choose on your account page: {account})."
    text = "\n\n".join(
        [f"Dear {to.name},", *message.paragraphs, f"{message.link_text}: {message.link}", footer]
    )
    html = _TEMPLATES.get_template("mail/message.html").render(
        name=to.name,
        message=message,
        unsubscribe=unsubscribe,
        account=f"{base_url(session)}/account",
    )
    queued = outbox.enqueue(
        session,
        to=to,
        kind=kind,
        event_key=event_key,
        subject=message.subject,
        text=text + "\n",
        html=html,
        headers=headers,
    )
    return queued is not None


def peek(session: Session, token: str) -> tuple[User, str]:
    """The person and kind of notice a signed unsubscribe token names."""
    try:
        user_id, kind = _serializer(session).loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise NotFound("This unsubscribe link is not one of ours.") from exc
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or kind not in KINDS:
        raise NotFound("This unsubscribe link is not one of ours.")
    return user, kind


def turn_off(session: Session, token: str) -> tuple[User, str]:
    """One-click unsubscribe: the person and kind the signed token names, now turned off."""
    user, kind = peek(session, token)
    set_choices(session, user, [k for k in KINDS if k not in (user.notices_off or []) and k != kind])
    return user, kind


def set_choices(session: Session, actor: User, wanted: list[str]) -> list[str]:
    """The kinds of notice ``actor`` wants; every other kind is turned off."""
    unknown = [k for k in wanted if k not in KINDS]
    if unknown:
        raise ValidationError(f"Unknown kind of email: {', '.join(unknown)}.", field="notices")
    off = sorted(k for k in KINDS if k not in wanted)
    if off != sorted(actor.notices_off or []):
        actor.notices_off = off
        audit.record(
            session,
            actor,
            "user.notices_changed",
            subject_type="user",
            subject_id=actor.id,
            details={"off": off},
        )
    session.commit()
    return off
