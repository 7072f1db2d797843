"""One shape for every error under `/api/`: `{"error": code, "detail": sentence, ...}`.

DRF's exceptions, Django's `ValidationError`/`PermissionDenied`/`Http404` and the services'
`ServiceError`s all end here, so a client parses one format whatever went wrong.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from watchqueue_site.errors import RateLimited, ServiceError, Unauthenticated, Unavailable

logger = logging.getLogger(__name__)

_DRF_CODES = {
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "invalid_token",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.Throttled: "rate_limited",
}


TOO_LARGE = "The request body is too large."
CSRF_FAILED = "CSRF verification failed."


def error_body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "detail": detail, **extra}


def _flatten(detail: Any) -> dict[str, list[str]]:
    """DRF's nested error detail as `{"field.sub": ["message", ...]}`."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            for sub, messages in _flatten(value).items():
                flat[f"{key}.{sub}" if sub else str(key)] = messages
        return flat
    if isinstance(detail, list):
        if all(not isinstance(part, dict | list) for part in detail):
            return {"": [str(part) for part in detail]}
        flat = {}
        for index, value in enumerate(detail):
            for sub, messages in _flatten(value).items():
                flat[f"{index}.{sub}" if sub else str(index)] = messages
        return flat
    return {"": [str(detail)]}


def _validation_response(fields: dict[str, list[str]]) -> Response:
    fields = {key or "non_field_errors": value for key, value in fields.items()}
    first_field, first_messages = next(iter(fields.items()))
    detail = (
        first_messages[0]
        if first_field == "non_field_errors"
        else f"{first_field}: {first_messages[0]}"
    )
    return Response(
        error_body("invalid", detail, fields=fields), status=status.HTTP_400_BAD_REQUEST
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        body = error_body(exc.code, exc.message, **exc.extra)
        if exc.fields:
            body["fields"] = exc.fields
        response = Response(body, status=exc.status_code)
        if isinstance(exc, RateLimited | Unavailable) and exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        if isinstance(exc, Unauthenticated):
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body("too_large", TOO_LARGE), status=413)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(_flatten(exc.detail))
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return _validation_response(
                {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            )
        return _validation_response({"": [str(m) for m in exc.messages]})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, exceptions.APIException):
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
        response = Response(error_body(code, str(exc.detail)), status=exc.status_code)
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            response["WWW-Authenticate"] = 'Bearer realm="api"'
            response.status_code = status.HTTP_401_UNAUTHORIZED
        if getattr(exc, "wait", None):
            response["Retry-After"] = str(int(exc.wait))
        return response
    return None


class JSONErrorsMixin:
    """For an API view whose own answer is not JSON (an event stream, the YAML schema): its
    errors and its OPTIONS answer are JSON all the same, whatever the Accept header chose, as
    every other answer under `/api/` is."""

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if isinstance(response, Response) and (response.exception or request.method == "OPTIONS"):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


# Nothing here acts, so nothing needs protecting: a POST to a mistyped path is told that, not
# that its CSRF check failed.
@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """The answer for any path under `/api/` that no endpoint serves."""
    return JsonResponse(error_body("not_found", f"No API endpoint at {request.path}."), status=404)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """JSON under `/api/` for what Django refuses before any view runs."""
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(error_body("too_large", TOO_LARGE), status=413)
        return JsonResponse(
            error_body("bad_request", "The request was not understood."), status=400
        )
    return defaults.bad_request(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """`CSRF_FAILURE_VIEW`: JSON under `/api/`, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("csrf_failed", f"{CSRF_FAILED} {reason}".strip()), status=403
        )
    return csrf.csrf_failure(request, reason)


def server_error(request: HttpRequest) -> HttpResponse:
    """JSON under `/api/`, Django's plain page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side."), status=500
        )
    return defaults.server_error(request)


NOT_AN_OBJECT = "The body must be a JSON object."


def parse(serializer_class: type, data: Any) -> dict[str, Any]:
    """Validate input with `serializer_class`; a 400 naming each bad field otherwise.

    A missing body arrives as an empty dict; a body of JSON `null` is None, and is refused like
    any other body that is not an object, not taken as "no changes"."""
    if data is None:
        raise exceptions.ValidationError({"non_field_errors": [NOT_AN_OBJECT]})
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def query_params(request: Any) -> dict[str, str]:
    """Query parameters as a plain dict, without the token that may ride along."""
    return {k: v for k, v in request.query_params.items() if k != "token"}
