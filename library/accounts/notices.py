"""What an authority's approvers are told when one of its accounts that reads drafts is created
or changes role."""

from __future__ import annotations

from sqlalchemy.orm import Session

from library.core import access
from library.core.models import User
from library.mail import messages


def account_changed(session: Session, actor: User | None, user: User, change: str, event_id: int) -> None:
    """Tell an authority's approvers that one of its owner accounts was created or changed role."""
    if user.authority_id is None:
        return
    message = messages.Message(
        subject=f"Account {change}: {user.name}",
        paragraphs=[
            f"{user.name} ({user.email}) {change_words(change, user)} at {user.authority.name}"
            f"{' by ' + actor.name if actor is not None else ''}.",
            "If you did not expect this, review your authority's people now.",
        ],
        link=f"{messages.base_url(session)}/people",
        link_text="Your authority's people",
    )
    for approver in access.approvers_of(session, user.authority_id):
        if approver.id != user.id and (actor is None or approver.id != actor.id):
            messages.send(session, approver, "account", f"account:{event_id}", message)


def change_words(change: str, user: User) -> str:
    role = access.ROLE_WORDS.get(user.role, user.role)
    return f"now has an account as {role}" if change == "created" else f"is now {role}"
