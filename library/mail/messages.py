"""Who is told what, by email.

Every message is written to the outbox in the transaction of the event that causes it (see
``library/mail.py``), in plain English as text and simple HTML. A message names a document by
its title as readers get it (or, before consent, with every suggestion applied) and links to it;
it never holds a redacted value, a note, or any other unredacted text. Each person may turn each
kind of notice off; invitations and password resets are always sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from library.core import audit
from library.core.errors import NotFound, ValidationError
from library.core.models import Document, DocumentStatus, Role, User

# The notices a person may turn off, in the words of their account page.
KINDS = {
    "ready": "A document of our authority is ready for approval (approvers)",
    "sent_back": "A document I worked on was sent back to us",
    "shared": "A document I worked on was shared",
    "withdrawn": "A document I worked on was withdrawn or taken down",
    "account": "Someone's account at our authority was created or changed role (approvers)",
    "digest": "Something new is shared in what I follow (a daily or weekly digest)",
}
OWNER_ROLES = (Role.CONTRIBUTOR.value, Role.APPROVER.value)


@dataclass
class Message:
    subject: str
    paragraphs: list[str]
    link: str
    link_text: str


def _mailer():
    return current_app.extensions["mailer"]


def base_url() -> str:
    return current_app.config["BASE_URL"]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(user: User, kind: str) -> str:
    return _serializer().dumps([user.id, kind])


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
        unsubscribe = f"{base_url()}/unsubscribe/{unsubscribe_token(to, kind)}"
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        footer = (
            f"To stop these messages: {unsubscribe} (or choose on your account page: {base_url()}/account)."
        )
    text = "\n\n".join(
        [f"Dear {to.name},", *message.paragraphs, f"{message.link_text}: {message.link}", footer]
    )
    html = render_template(
        "mail/message.html",
        name=to.name,
        message=message,
        unsubscribe=unsubscribe,
        account=f"{base_url()}/account",
    )
    queued = _mailer().enqueue(
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
        user_id, kind = _serializer().loads(token)
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


# Who -----------------------------------------------------------------------------------------------


def approvers_of(session: Session, authority_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User).where(
                User.authority_id == authority_id, User.role == Role.APPROVER.value, User.active.is_(True)
            )
        )
    )


def workers_on(document: Document) -> list[User]:
    """The people who worked on a document: who uploaded it and who marked it ready."""
    people = [u for u in (document.uploader, document.ready_by) if u is not None]
    unique = {u.id: u for u in people if u.role in OWNER_ROLES and u.authority_id == document.authority_id}
    return list(unique.values())


def _others(people: list[User], actor: User | None) -> list[User]:
    return [p for p in people if actor is None or p.id != actor.id]


# What ----------------------------------------------------------------------------------------------


def safe_title(document: Document) -> str:
    """A document's title as a message may give it: as published, or before consent with every
    suggestion (reviewed or not) applied, so that no value waiting for review reaches a mailbox."""
    version = document.current_version
    if version is not None and document.status == DocumentStatus.PUBLISHED.value:
        return version.title
    from library.documents.workspace import redacted_mapped

    return redacted_mapped(document, "title", pending_too=True)[0]


def _when(moment) -> str:
    """When an event happened, as part of its key: the same event is one key."""
    return moment.isoformat() if moment else ""


def _document_link(document: Document, page: str = "") -> str:
    return f"{base_url()}/documents/{document.id}{page}"


def ready_for_approval(session: Session, actor: User, document: Document) -> None:
    title = safe_title(document)
    message = Message(
        subject=f"Ready for approval: {title}",
        paragraphs=[
            f"{actor.name} marked “{title}” ready for approval. It needs an approver of "
            f"{document.authority.name} to read it and decide whether to share it.",
        ],
        link=_document_link(document, "/consent"),
        link_text="Read it and decide",
    )
    key = f"ready:document:{document.id}:{_when(document.ready_at)}"
    for approver in _others(approvers_of(session, document.authority_id), actor):
        send(session, approver, "ready", key, message)


def sent_back(session: Session, actor: User, document: Document) -> None:
    title = safe_title(document)
    message = Message(
        subject=f"Sent back: {title}",
        paragraphs=[
            f"{actor.name} sent “{title}” back with a note. Read the note on the document's page, make "
            "the changes, then mark it ready for approval again.",
        ],
        link=_document_link(document),
        link_text="Read the note",
    )
    key = f"sent_back:document:{document.id}:{_when(document.sent_back_at)}"
    for person in _others(workers_on(document), actor):
        send(session, person, "sent_back", key, message)


def shared(
    session: Session, actor: User, document: Document, audience: str, *, scope_change: bool = False
) -> None:
    version = document.current_version
    if version is None:
        return
    paragraphs = [f"{actor.name} shared “{version.title}” with {audience}."]
    if version.summary:
        paragraphs.append(f"Its summary, as readers see it: {version.summary}")
    message = Message(
        subject=f"Shared: {version.title}",
        paragraphs=paragraphs,
        link=_document_link(document),
        link_text="See it",
    )
    key = f"shared:document:{document.id}:version:{version.number}:{document.scope if scope_change else ''}"
    for person in _others(workers_on(document), actor):
        send(session, person, "shared", key, message)


def withdrawn(session: Session, actor: User, document: Document, *, taken_down: bool) -> None:
    version = document.current_version or (document.versions[-1] if document.versions else None)
    title = version.title if version is not None else safe_title(document)
    if taken_down:
        words = f"An administrator of the library took down “{title}”. Readers can no longer find or open it."
        people = workers_on(document) + approvers_of(session, document.authority_id)
    else:
        words = f"{actor.name} withdrew “{title}”. Readers can no longer find or open it."
        people = workers_on(document)
    message = Message(
        subject=f"{'Taken down' if taken_down else 'Withdrawn'}: {title}",
        paragraphs=[words, "The audit trail records who did it, when and why."],
        link=_document_link(document),
        link_text="See the document",
    )
    key = f"withdrawn:document:{document.id}:{_when(document.withdrawn_at)}"
    unique = {p.id: p for p in _others(people, actor)}
    for person in unique.values():
        send(session, person, "withdrawn", key, message)


ROLE_WORDS = {
    Role.READER.value: "a reader",
    Role.CONTRIBUTOR.value: "a contributor",
    Role.APPROVER.value: "an approver",
    Role.ADMIN.value: "an administrator",
}


def account_changed(session: Session, actor: User | None, user: User, change: str, event_id: int) -> None:
    """Tell an authority's approvers that one of its owner accounts was created or changed role."""
    if user.authority_id is None:
        return
    message = Message(
        subject=f"Account {change}: {user.name}",
        paragraphs=[
            f"{user.name} ({user.email}) {change_words(change, user)} at {user.authority.name}"
            f"{' by ' + actor.name if actor is not None else ''}.",
            "If you did not expect this, review your authority's people now.",
        ],
        link=f"{base_url()}/people",
        link_text="Your authority's people",
    )
    for approver in approvers_of(session, user.authority_id):
        if approver.id != user.id and (actor is None or approver.id != actor.id):
            send(session, approver, "account", f"account:{event_id}", message)


def change_words(change: str, user: User) -> str:
    role = ROLE_WORDS.get(user.role, user.role)
    return f"now has an account as {role}" if change == "created" else f"is now {role}"
