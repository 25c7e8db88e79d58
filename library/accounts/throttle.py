"""Sign-in throttling: failed attempts counted per email address (and per client address) in a
moving window, in memory by default or in Redis (``RATELIMIT_STORAGE_URI``) for several workers
or hosts. Pure: nothing here knows about Flask."""

from __future__ import annotations

import hashlib

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class SignInThrottle:
    def __init__(
        self,
        storage_uri: str = "memory://",
        per_email: int = 10,
        per_address: int = 100,
        minutes: int = 15,
    ):
        self.minutes = minutes
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._email = RateLimitItemPerMinute(per_email, minutes, namespace="signin-email")
        self._address = RateLimitItemPerMinute(per_address, minutes, namespace="signin-address")

    @staticmethod
    def _key(value: str) -> str:
        # Keys may live in a shared store: keep no email address there, only a digest of it.
        return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]

    def blocked(self, email: str, address: str | None = None) -> bool:
        """True once too many attempts have failed for this email (or from this address)."""
        if not self._limiter.test(self._email, self._key(email)):
            return True
        return bool(address) and not self._limiter.test(self._address, self._key(address))

    def failed(self, email: str, address: str | None = None) -> None:
        self._limiter.hit(self._email, self._key(email))
        if address:
            self._limiter.hit(self._address, self._key(address))

    def succeeded(self, email: str) -> None:
        self._limiter.clear(self._email, self._key(email))


class RequestThrottle:
    """Requests of one kind (password reset links) per email address and per client address in
    an hour. :meth:`allow` counts the request and says whether it is within the limits."""

    def __init__(self, storage_uri: str = "memory://", per_email: int = 3, per_address: int = 30):
        from limits import RateLimitItemPerHour

        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._email = RateLimitItemPerHour(per_email, namespace="reset-email")
        self._address = RateLimitItemPerHour(per_address, namespace="reset-address")

    def address_allowed(self, address: str | None) -> bool:
        return not address or self._limiter.hit(self._address, SignInThrottle._key(address))

    def email_allowed(self, email: str) -> bool:
        return self._limiter.hit(self._email, SignInThrottle._key(email))
