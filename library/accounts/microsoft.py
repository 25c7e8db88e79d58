"""Who may sign in with their council's Microsoft account, and as whom.

An administrator maps an Entra ID tenant (and, if wished, the only email domains accepted from
it) to an authority. Where the authority already has contributors or approvers, the connection
waits until one of its approvers confirms it on their people page: no administrator alone can
bring in the accounts of a tenant they chose to an authority whose drafts exist.

A Microsoft account is known by the provider's stable subject: the tenant id and the object id
(``oid``; ``sub`` where a provider sends no ``oid``), never by its email address. The first time
an unknown subject signs in from a connected tenant it becomes a reader of that authority. An
existing account is joined to a Microsoft account only by its own person: by accepting their
invitation with Microsoft, or signed in, on their account page. A sign-in whose email is that of
an existing account is refused, never joined. Every sign-in, link and refusal is audited.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from library.accounts import links
from library.accounts import service as accounts
from library.core import access, audit
from library.core.db import utcnow
from library.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from library.core.models import AccountLink, Authority, Role, User
from library.mail import messages

TENANT_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$|^[\w.-]{3,64}$"
)
DOMAIN_RE = re.compile(r"^(?=.{3,253}$)[a-z0-9-]+(\.[a-z0-9-]+)+$")


class SignInRefused(PermissionDenied):
    code = "sign_in_refused"
    title = "Sign-in with Microsoft did not work"


def refuse(session: Session, reason: str, claims: dict | None = None) -> SignInRefused:
    """Audit a refused sign-in; the caller raises what this returns."""
    claims = claims or {}
    audit.record(
        session,
        None,
        "user.sign_in_refused",
        subject_type="user",
        details={"method": "microsoft", "reason": reason, "tenant": str(claims.get("tid", ""))[:64]},
    )
    session.commit()
    return SignInRefused(
        "We could not sign you in with that Microsoft account: "
        f"{reason}. Sign in with your email address and password instead, or ask your authority's "
        "approver or the programme team to connect your council's Microsoft accounts."
    )


def subject_of(claims: dict) -> str:
    """Who the account is to its provider, for good: the tenant and the object id."""
    tenant = str(claims.get("tid") or "")
    return f"{tenant}:{claims.get('oid') or claims['sub']}"[:255]


def _connected_authority(session: Session, claims: dict) -> Authority | None:
    tenant = str(claims.get("tid") or "")
    if not tenant:
        return None
    return session.scalar(
        select(Authority).where(Authority.tenant_id == tenant, Authority.tenant_confirmed_at.is_not(None))
    )


def _known(session: Session, claims: dict) -> User | None:
    """The account already joined to this Microsoft account. Joins made by ``sub`` before the
    object id was used are found too, and moved to the object id."""
    external_id = subject_of(claims)
    user = session.scalar(select(User).where(User.external_id == external_id))
    if user is None and claims.get("oid") and claims.get("sub"):
        old = f"{claims.get('tid') or ''}:{claims['sub']}"[:255]
        user = session.scalar(select(User).where(User.external_id == old))
        if user is not None:
            user.external_id = external_id
    return user


def _email(claims: dict) -> str:
    return accounts.normalise_email(str(claims.get("email") or claims.get("preferred_username") or ""))


def sign_in(session: Session, claims: dict) -> User:
    """The person the validated ID token names: the account joined to that Microsoft account, or
    (the first time) a new reader of the tenant's authority."""
    authority = _connected_authority(session, claims)
    if authority is None:
        raise refuse(session, "your council's Microsoft tenant is not connected to the library", claims)
    user = _known(session, claims)
    if user is not None:
        if user.authority_id != authority.id:
            raise refuse(session, "that account belongs to another authority", claims)
        if not user.active:
            raise refuse(session, "the account is deactivated", claims)
        accounts.record_sign_in(session, user, "microsoft")
        return user
    email = _email(claims)
    if not accounts.EMAIL_RE.match(email):
        raise refuse(session, "the account has no email address", claims)
    if authority.email_domains and email.rpartition("@")[2] not in authority.email_domains:
        raise refuse(session, "that email domain is not accepted for your council", claims)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise refuse(
            session,
            "an account with this email address already exists, and an account is joined to Microsoft "
            "only by its own person: sign in with your password and connect Microsoft on your account "
            "page, or accept your invitation with Microsoft",
            claims,
        )
    name = str(claims.get("name") or email.split("@")[0])[:200]
    user = User(
        email=email,
        name=name,
        role=Role.READER.value,
        authority=authority,
        active=True,
        external_id=subject_of(claims),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        None,
        "user.created",
        subject_type="user",
        subject_id=user.id,
        authority_id=authority.id,
        details={"email": email, "role": user.role, "method": "microsoft"},
    )
    accounts.record_sign_in(session, user, "microsoft")
    return user


def _may_join(session: Session, user: User, claims: dict) -> None:
    """Whether ``user`` may be joined to the Microsoft account of ``claims``."""
    authority = _connected_authority(session, claims)
    if authority is None or authority.id != user.authority_id:
        raise refuse(
            session, "that Microsoft account's tenant is not the one connected to your authority", claims
        )
    other = session.scalar(select(User).where(User.external_id == subject_of(claims), User.id != user.id))
    if other is not None:
        raise refuse(session, "that Microsoft account is already joined to another account", claims)
    if not user.active:
        raise refuse(session, "the account is deactivated", claims)


def link(session: Session, actor: User, claims: dict) -> User:
    """The signed-in person joins their account to the Microsoft account they just signed in
    with (on their account page)."""
    _may_join(session, actor, claims)
    actor.external_id = subject_of(claims)
    audit.record(
        session,
        actor,
        "user.microsoft_linked",
        subject_type="user",
        subject_id=actor.id,
        authority_id=actor.authority_id,
    )
    session.commit()
    return actor


def unlink(session: Session, actor: User) -> User:
    if not actor.external_id:
        raise Conflict("Your account is not joined to a Microsoft account.")
    if not actor.password_hash:
        raise Conflict(
            "Choose a password first (“Forgotten your password?” on the sign-in page): without one "
            "you could not sign in again."
        )
    actor.external_id = None
    audit.record(
        session,
        actor,
        "user.microsoft_unlinked",
        subject_type="user",
        subject_id=actor.id,
        authority_id=actor.authority_id,
    )
    session.commit()
    return actor


def accept_invitation(session: Session, secret_hash: str, claims: dict) -> User:
    """The invited person accepts with Microsoft instead of choosing a password: their account
    is joined to that Microsoft account and the invitation is used."""
    link_row = session.scalar(
        select(AccountLink).where(
            AccountLink.secret_hash == secret_hash, AccountLink.purpose == links.INVITATION
        )
    )
    if link_row is None:
        raise refuse(session, "the invitation could not be found", claims)
    try:
        opened = links.open_link_row(link_row)
    except links.LinkProblem as exc:
        raise refuse(session, "the invitation cannot be used", claims) from exc
    user = opened.user
    _may_join(session, user, claims)
    user.external_id = subject_of(claims)
    links.use(session, opened)
    audit.record(
        session,
        user,
        "user.invitation_accepted",
        subject_type="user",
        subject_id=user.id,
        authority_id=user.authority_id,
        details={"method": "microsoft"},
    )
    accounts.record_sign_in(session, user, "microsoft")
    return user


# Connecting a tenant -------------------------------------------------------------------------------


def clean_tenant(tenant: str | None, domains: str | None) -> tuple[str | None, list[str]]:
    """An administrator's entry for an authority's tenant ID and email domains, checked."""
    tenant = (tenant or "").strip() or None
    if tenant is not None and not TENANT_RE.match(tenant):
        raise ValidationError("Enter the tenant ID as Microsoft shows it (a GUID).", field="tenant_id")
    cleaned = sorted({d.strip().lower().lstrip("@") for d in re.split(r"[,\s]+", domains or "") if d.strip()})
    bad = [d for d in cleaned if not DOMAIN_RE.match(d)]
    if bad:
        raise ValidationError(f"Not an email domain: {', '.join(bad)}.", field="email_domains")
    if cleaned and tenant is None:
        raise ValidationError("Email domains only apply with a tenant ID.", field="email_domains")
    return tenant, cleaned


def _owners(session: Session, authority: Authority) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.authority_id == authority.id, User.role.in_(access.OWNER_ROLES))
        )
    )


def set_tenant(
    session: Session, actor: User, authority: Authority, tenant: str | None, domains: str | None
) -> None:
    """An administrator connects (or disconnects) an authority's Microsoft tenant. Where the
    authority has contributors or approvers, a new tenant waits for one of its approvers to
    confirm it; they are told by email."""
    if actor is None or not actor.is_admin:
        raise PermissionDenied("Only administrators connect an authority's Microsoft accounts.")
    tenant, cleaned = clean_tenant(tenant, domains)
    if tenant is not None:
        other = session.scalar(
            select(Authority).where(Authority.tenant_id == tenant, Authority.id != authority.id)
        )
        if other is not None:
            raise ValidationError(f"That tenant is already connected to {other.name}.", field="tenant_id")
    changes: dict = {}
    if tenant != authority.tenant_id:
        changes["tenant_id"] = [authority.tenant_id, tenant]
    if cleaned != (authority.email_domains or []):
        changes["email_domains"] = [authority.email_domains or [], cleaned]
    owners = _owners(session, authority)
    if "tenant_id" in changes:
        authority.tenant_id = tenant
        if tenant is not None and owners:
            authority.tenant_confirmed_at, authority.tenant_confirmed_by_id = None, None
            changes["waits_for_approver"] = True
        else:
            authority.tenant_confirmed_at = utcnow() if tenant else None
            authority.tenant_confirmed_by_id = actor.id if tenant else None
    authority.email_domains = cleaned
    event = audit.record(
        session,
        actor,
        "authority.tenant_changed",
        subject_type="authority",
        subject_id=authority.id,
        authority_id=authority.id,
        details=changes,
    )
    if changes.get("waits_for_approver"):
        session.flush()
        for approver in owners:
            if approver.role == Role.APPROVER.value and approver.active:
                messages.send(
                    session,
                    approver,
                    "account",
                    f"tenant:{authority.id}:{event.id}",
                    messages.Message(
                        subject="Confirm sign-in with Microsoft for your authority",
                        paragraphs=[
                            f"The programme team asked to let people of a Microsoft tenant sign in "
                            f"as people of {authority.name}.",
                            "Nothing changes until one of your authority's approvers confirms it on "
                            "your people page. Confirm it only if the tenant is your council's: ask "
                            "your IT team for its tenant ID.",
                        ],
                        link=f"{messages.base_url(session)}/people#microsoft",
                        link_text="Review the request",
                    ),
                    optional=False,
                )
    session.commit()


def _pending_for(session: Session, actor: User) -> Authority:
    if actor is None or actor.role != Role.APPROVER.value or actor.authority is None:
        raise PermissionDenied("Only an authority's approvers confirm its Microsoft sign-in.")
    authority = actor.authority
    if authority.tenant_id is None or authority.tenant_confirmed_at is not None:
        raise NotFound("Nothing is waiting for your confirmation.")
    return authority


def confirm_tenant(session: Session, actor: User, tenant: str) -> Authority:
    """One of the authority's approvers confirms the tenant waiting for them (naming it, so that
    a tenant changed since the page was read is not confirmed)."""
    authority = _pending_for(session, actor)
    if (tenant or "").strip().lower() != authority.tenant_id.lower():
        raise Conflict("The tenant waiting for confirmation changed: read the page again.")
    authority.tenant_confirmed_at, authority.tenant_confirmed_by_id = utcnow(), actor.id
    audit.record(
        session,
        actor,
        "authority.tenant_confirmed",
        subject_type="authority",
        subject_id=authority.id,
        authority_id=authority.id,
        details={"tenant_id": authority.tenant_id},
    )
    session.commit()
    return authority


def refuse_tenant(session: Session, actor: User) -> Authority:
    authority = _pending_for(session, actor)
    refused = authority.tenant_id
    authority.tenant_id, authority.email_domains = None, []
    audit.record(
        session,
        actor,
        "authority.tenant_refused",
        subject_type="authority",
        subject_id=authority.id,
        authority_id=authority.id,
        details={"tenant_id": refused},
    )
    session.commit()
    return authority
