"""Sign-in throttling: failed attempts counted per email address (and per client address) in a
moving window, in memory by default or in Redis (``RATELIMIT_STORAGE_URI``) for several workers
or hosts. If Redis does not answer, each process counts on its own (every attempt is counted in
the process as well, so the count it falls back on is not empty) and says so once in the log.
Pure: nothing here knows about Flask."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from urllib.parse import urlsplit

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)
# After the shared store fails, ask it again after this long (meanwhile, count in the process).
RETRY_SECONDS = 15.0


def _where(uri: str) -> str:
    """The store's address for the log, without its password."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"


class Limiter:
    """A moving-window limiter on the configured store, with the process's own memory beside it."""

    def __init__(self, storage_uri: str = "memory://"):
        self._local = MovingWindowRateLimiter(storage_from_string("memory://"))
        self._shared = None
        self._where = _where(storage_uri)
        if not storage_uri.startswith("memory://"):
            options = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5} if "redis" in storage_uri else {}
            self._shared = MovingWindowRateLimiter(storage_from_string(storage_uri, **options))
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _ask(self, method: str, *args):
        """The shared store's answer, or None while it does not answer."""
        if self._shared is None or time.monotonic() < self._down_until:
            return None
        try:
            answer = getattr(self._shared, method)(*args)
        except Exception as exc:  # redis.ConnectionError, TimeoutError, limits' own errors
            with self._lock:
                first = self._down_until == 0.0
                self._down_until = time.monotonic() + RETRY_SECONDS
            if first:
                log.error(
                    "the sign-in throttle's store %s does not answer (%s): each process counts attempts on "
                    "its own until it does",
                    self._where,
                    type(exc).__name__,
                )
            return None
        if self._down_until:
            with self._lock:
                self._down_until = 0.0
            log.warning("the sign-in throttle's store %s answers again", self._where)
        return answer

    def hit(self, item, key: str) -> bool:
        local = self._local.hit(item, key)
        shared = self._ask("hit", item, key)
        return local if shared is None else shared

    def test(self, item, key: str) -> bool:
        shared = self._ask("test", item, key)
        return self._local.test(item, key) if shared is None else shared

    def clear(self, item, key: str) -> None:
        self._local.clear(item, key)
        self._ask("clear", item, key)


class SignInThrottle:
    def __init__(
        self,
        storage_uri: str = "memory://",
        per_email: int = 10,
        per_address: int = 100,
        minutes: int = 15,
    ):
        self.minutes = minutes
        self._limiter = Limiter(storage_uri)
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

        self._limiter = Limiter(storage_uri)
        self._email = RateLimitItemPerHour(per_email, namespace="reset-email")
        self._address = RateLimitItemPerHour(per_address, namespace="reset-address")

    def address_allowed(self, address: str | None) -> bool:
        return not address or self._limiter.hit(self._address, SignInThrottle._key(address))

    def email_allowed(self, email: str) -> bool:
        return self._limiter.hit(self._email, SignInThrottle._key(email))
