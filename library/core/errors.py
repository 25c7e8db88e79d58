"""Errors a service raises; views turn them into form errors, JSON errors or CLI messages."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors: dict[str, str] = dict(errors or {})
        if field and field not in self.errors:
            self.errors[field] = message


class ValidationError(ServiceError):
    status = 400
    code = "invalid"


class NotAuthenticated(ServiceError):
    status = 401
    code = "unauthenticated"


class PermissionDenied(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class ContentChanged(Conflict):
    """Consent was asked for a text that is no longer what would be published."""

    code = "content_changed"


class TooManyAttempts(ServiceError):
    status = 429
    code = "too_many_attempts"


class Unavailable(ServiceError):
    """A service the library needs (the store of originals) did not answer: try again later."""

    status = 503
    code = "unavailable"


class Gone(ServiceError):
    """A withdrawn document, for someone who could read it: who shared it and when it went, no content."""

    status = 410
    code = "withdrawn"

    def __init__(self, message: str, *, tombstone: dict | None = None):
        super().__init__(message)
        self.tombstone = tombstone or {}


class FileTooLarge(ValidationError):
    status = 413
    code = "file_too_large"


class UnsupportedFile(ValidationError):
    status = 415
    code = "unsupported_file"
