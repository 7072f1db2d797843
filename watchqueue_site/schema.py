"""Pieces of the OpenAPI description shared by every app's views, and the view serving it."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers

from watchqueue_site.api import JSONErrorsMixin

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": serializers.CharField(help_text="A stable, machine-readable code."),
        "detail": serializers.CharField(help_text="What went wrong, for people."),
        "fields": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="For 400: each bad field and what is wrong with it.",
        ),
    },
)


def error(description: str, code: str, detail: str) -> OpenApiResponse:
    return OpenApiResponse(
        ErrorSerializer,
        description=description,
        examples=[OpenApiExample(code, value={"error": code, "detail": detail})],
    )


BAD_REQUEST = error("Invalid input.", "invalid", "title: This field is required.")
UNAUTHORIZED = error(
    "No token, or a token that is not valid.",
    "not_authenticated",
    "A member token is required: send Authorization: Bearer <token>.",
)
FORBIDDEN = error(
    "The token's member may not do this.", "forbidden", "Your token is for another room."
)
NOT_FOUND = error("No such object.", "not_found", "No room with this id.")
ROOM_CLOSED = error("The room is closed.", "room_closed", "This room is closed.")


def responses(ok: dict, *extra: tuple[int, OpenApiResponse]) -> dict:
    """The usual error responses of a member endpoint, plus `ok` and any `extra`."""
    result = {**ok, 400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND}
    result.update(dict(extra))
    return result


class SchemaView(JSONErrorsMixin, SpectacularAPIView):
    """The OpenAPI document, YAML unless asked for JSON; its errors are JSON, like the rest of
    `/api/`."""
