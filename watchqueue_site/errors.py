"""The errors services raise; `watchqueue_site.api.exception_handler` turns them into responses.

Each carries a stable machine-readable `code` and a sentence for people. Messages that tests
assert on are constants in the service modules that raise them.
"""

from typing import Any


class ServiceError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}
        self.extra = extra


class Invalid(ServiceError):
    status_code = 400
    code = "invalid"


class Unauthenticated(ServiceError):
    status_code = 401
    code = "invalid_token"


class NotFound(ServiceError):
    status_code = 404
    code = "not_found"


class Forbidden(ServiceError):
    status_code = 403
    code = "forbidden"


class Conflict(ServiceError):
    status_code = 409
    code = "conflict"


class RateLimited(ServiceError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """Something the server depends on cannot serve the request now; `retry_after` in seconds."""

    status_code = 503
    code = "unavailable"

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
