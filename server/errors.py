"""One error vocabulary: every error a client sees carries a stable `code` extension."""

from __future__ import annotations


class TafError(Exception):
    code = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = {"code": self.code}


class Unauthenticated(TafError):
    code = "UNAUTHENTICATED"


class Forbidden(TafError):
    code = "FORBIDDEN"


class NotFound(TafError):
    code = "NOT_FOUND"


class BadUserInput(TafError):
    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.extensions["field"] = field


class Conflict(TafError):
    code = "CONFLICT"


class RateLimited(TafError):
    code = "RATE_LIMITED"


class Unavailable(TafError):
    code = "UNAVAILABLE"
