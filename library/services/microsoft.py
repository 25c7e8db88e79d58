"""Who may sign in with their council's Microsoft account, and as whom.

An administrator maps an Entra ID tenant (and, if wished, the only email domains accepted from
it) to an authority. A person from a mapped tenant signs in with their council account: the first
time, they become a reader of that authority; an account already invited with the same address
is joined to it and keeps its role. Contributor and approver roles still come only by invitation
or from the authority's approvers. Every sign-in and every refusal is audited.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Authority, Role, User
from . import accounts, audit
from .errors import PermissionDenied, ValidationError

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


def sign_in(session: Session, claims: dict) -> User:
    """The person the validated ID token names, made a reader of their authority the first time."""
    tenant = str(claims.get("tid") or "")
    authority = session.scalar(select(Authority).where(Authority.tenant_id == tenant)) if tenant else None
    if authority is None:
        raise refuse(session, "your council's Microsoft tenant is not connected to the library", claims)
    email = accounts.normalise_email(str(claims.get("email") or claims.get("preferred_username") or ""))
    if not accounts.EMAIL_RE.match(email):
        raise refuse(session, "the account has no email address", claims)
    if authority.email_domains and email.rpartition("@")[2] not in authority.email_domains:
        raise refuse(session, "that email domain is not accepted for your council", claims)
    external_id = f"{tenant}:{claims['sub']}"[:255]
    user = session.scalar(select(User).where(User.external_id == external_id))
    if user is None:
        user = session.scalar(select(User).where(User.email == email))
        if user is not None and user.external_id and user.external_id != external_id:
            raise refuse(session, "that email address belongs to another Microsoft account", claims)
    if user is not None and user.authority_id != authority.id:
        raise refuse(session, "that account belongs to another authority", claims)
    if user is not None and not user.active:
        raise refuse(session, "the account is deactivated", claims)
    if user is None:
        name = str(claims.get("name") or email.split("@")[0])[:200]
        user = User(
            email=email,
            name=name,
            role=Role.READER.value,
            authority=authority,
            active=True,
            external_id=external_id,
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
    user.external_id = external_id
    accounts.record_sign_in(session, user, "microsoft")
    return user


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


def set_tenant(
    session: Session, actor: User, authority: Authority, tenant: str | None, domains: str | None
) -> None:
    """An administrator connects (or disconnects) an authority's Microsoft tenant."""
    if actor is None or not actor.is_admin:
        raise PermissionDenied("Only administrators connect an authority's Microsoft accounts.")
    tenant, cleaned = clean_tenant(tenant, domains)
    if tenant is not None:
        other = session.scalar(
            select(Authority).where(Authority.tenant_id == tenant, Authority.id != authority.id)
        )
        if other is not None:
            raise ValidationError(f"That tenant is already connected to {other.name}.", field="tenant_id")
    changes = {}
    if tenant != authority.tenant_id:
        changes["tenant_id"] = [authority.tenant_id, tenant]
    if cleaned != (authority.email_domains or []):
        changes["email_domains"] = [authority.email_domains or [], cleaned]
    authority.tenant_id, authority.email_domains = tenant, cleaned
    audit.record(
        session,
        actor,
        "authority.tenant_changed",
        subject_type="authority",
        subject_id=authority.id,
        authority_id=authority.id,
        details=changes,
    )
    session.commit()
