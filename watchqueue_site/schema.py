"""Pieces of the OpenAPI description shared by every app's views, and the view serving it."""

import re
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers

from watchqueue_site.api import JSONErrorsMixin
from watchqueue_site.fields import ID_PATTERN

_ID_PARAMETER = re.compile(r"^[a-z]+_id$")


class StrictSerializerSchema(OpenApiSerializerExtension):
    """A `StrictSerializer` refuses fields it does not know, and a list of nested objects it
    takes has the length its `min_length`/`max_length` allow: its schema says so."""

    target_class = "watchqueue_site.fields.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: str) -> dict:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        for name, field in self.target.fields.items():
            if isinstance(field, serializers.ListSerializer) and name in schema["properties"]:
                if field.min_length is not None:
                    schema["properties"][name]["minItems"] = field.min_length
                if field.max_length is not None:
                    schema["properties"][name]["maxItems"] = field.max_length
        return schema


def state_limits(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """A postprocessing hook: limits the views enforce that the generated schema leaves out.

    Every `*_id` in a path but `user_id` is a 24-hex-digit id (another string finds nothing, a
    404)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if parameter["in"] == "path" and _ID_PARAMETER.match(name) and name != "user_id":
                    parameter["schema"]["pattern"] = ID_PATTERN
    return result


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
