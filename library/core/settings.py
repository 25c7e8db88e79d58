"""The settings a service needs, given to it with its database session (set up once for each app
in ``web.database``), so that services and their tests need no application context."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Settings:
    base_url: str  # the service's address, for links in messages
    secret_key: str  # signs one-click unsubscribe links
    invitation_days: int
    reset_minutes: int

    @classmethod
    def from_config(cls, config) -> Settings:
        return cls(
            base_url=config["BASE_URL"],
            secret_key=config["SECRET_KEY"],
            invitation_days=config["INVITATION_DAYS"],
            reset_minutes=config["RESET_MINUTES"],
        )

    @property
    def audit_key(self) -> bytes:
        """The key of the audit trail's keyed hashes."""
        return hashlib.sha256(b"audit-values:" + self.secret_key.encode()).digest()


def of(session: Session) -> Settings:
    """The settings of the app whose session this is."""
    return session.info["settings"]
