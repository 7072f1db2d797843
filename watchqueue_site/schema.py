"""Pieces of the OpenAPI description shared by every app's views, and the view serving it."""

import re
import sys
from collections.abc import Iterable
from functools import cache
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers

from watchqueue_site.api import TOO_LARGE, JSONErrorsMixin
from watchqueue_site.fields import ID_PATTERN, DisplayTextField, EmojiField
from watchqueue_site.text import BIDI_CONTROLS, _is_pictograph, is_invisible

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


def _ranges(codes: Iterable[int]) -> str:
    """A regular expression character class's body for the BMP characters of `codes`, escaped
    as `\\uXXXX`: an ECMA-262 pattern without the `u` flag cannot name the others."""

    def one(code: int) -> str:
        return f"\\u{code:04x}"

    body, codes = [], sorted({code for code in codes if code <= 0xFFFF})
    start = previous = codes[0]
    for code in [*codes[1:], None]:
        if code is not None and code == previous + 1:
            previous = code
            continue
        body.append(one(start) if start == previous else f"{one(start)}-{one(previous)}")
        if code is not None:
            start = previous = code
    return "".join(body)


# What `StrictCharField` refuses: the C0 controls but tab and new line, and DEL.
_CONTROLS = _ranges([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_SPACE = "\\s"


@cache
def _invisible() -> str:
    return _ranges(code for code in range(sys.maxunicode + 1) if is_invisible(chr(code)))


@cache
def _pictographs() -> str:
    return _ranges(code for code in range(sys.maxunicode + 1) if _is_pictograph(chr(code)))


def _text_pattern(field: Any) -> str:
    """The strings a `StrictCharField` (or one of its kinds) takes, as a pattern.

    Names refuse every invisible character (`watchqueue_site.text.is_invisible`); titles refuse
    bidirectional controls and drop other invisible characters; other text refuses control
    characters. A field that may not be blank needs one character that is neither a space nor
    invisible somewhere in it."""
    if isinstance(field, DisplayTextField) and not field.strip_invisible:
        refused = _invisible()
        content = f"[^{_SPACE}{refused}]"
    elif isinstance(field, DisplayTextField):
        refused = _CONTROLS + _ranges(ord(c) for c in BIDI_CONTROLS)
        content = f"[^{_SPACE}{refused}{_invisible()}]"
    else:
        refused = _CONTROLS
        content = f"[^{_SPACE}{refused}]"
    if getattr(field, "allow_blank", False):
        return f"^[^{refused}]*$"
    return f"^[^{refused}]*{content}[^{refused}]*$"


def _emoji_pattern() -> str:
    """The part of `watchqueue_site.text.is_one_emoji` a pattern without the `u` flag can
    state: a pictograph of the BMP with its presentation selector, or a keycap; or nothing.
    The description names the rest (emoji beyond the BMP, skin tones, ZWJ sequences, flags)."""
    one = f"[{_pictographs()}][\\ufe0e\\ufe0f]?|[0-9#*]\\ufe0f?\\u20e3"
    return f"^(?:{one})?$"


class StrictCharFieldSchema(OpenApiSerializerFieldExtension):
    """The characters a `StrictCharField` refuses, stated as a `pattern` (see `_text_pattern`);
    a field with its own rule states it as `schema_pattern`."""

    target_class = "watchqueue_site.fields.StrictCharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction != "request":
            return schema
        field = self.target
        if "pattern" in schema:
            return schema
        if getattr(field, "schema_pattern", None):
            schema["pattern"] = field.schema_pattern
        elif isinstance(field, EmojiField):
            schema["pattern"] = _emoji_pattern()
        else:
            schema["pattern"] = _text_pattern(field)
        return schema


def state_limits(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """A postprocessing hook: limits the views enforce that the generated schema leaves out.

    Every `*_id` in a path but `user_id` is a 24-hex-digit id (another string finds nothing, a
    404). Every operation that takes a body may answer 413 (`REQUEST_MAX_BYTES`) and 415 (a
    body that is not JSON); every operation may answer 406 to an `Accept` it cannot serve."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if parameter["in"] == "path" and _ID_PARAMETER.match(name) and name != "user_id":
                    parameter["schema"]["pattern"] = ID_PATTERN
            answers = operation.setdefault("responses", {})
            if "requestBody" in operation:
                answers.setdefault("413", _generic(TOO_LARGE_RESPONSE))
                answers.setdefault("415", _generic(UNSUPPORTED_RESPONSE))
            answers.setdefault("406", _generic(NOT_ACCEPTABLE_RESPONSE))
    return result


def _generic(answer: tuple[str, str, str]) -> dict:
    description, code, detail = answer
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "examples": {code: {"value": {"error": code, "detail": detail}}},
            }
        },
    }


TOO_LARGE_RESPONSE = (
    "The body is larger than `REQUEST_MAX_BYTES`; refused before it is read.",
    "too_large",
    TOO_LARGE,
)
UNSUPPORTED_RESPONSE = (
    "The body is not JSON (`Content-Type: application/json`).",
    "unsupported_media_type",
    'Unsupported media type "text/plain" in request.',
)
NOT_ACCEPTABLE_RESPONSE = (
    "No answer in a media type the `Accept` header allows.",
    "not_acceptable",
    "Could not satisfy the request Accept header.",
)


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


def error(description: str, code: str, detail: str, *more: tuple[str, str]) -> OpenApiResponse:
    """An error answer, with an example of `code` and of each of `more` (code, detail)."""
    return OpenApiResponse(
        ErrorSerializer,
        description=description,
        examples=[
            OpenApiExample(c, value={"error": c, "detail": d}) for c, d in [(code, detail), *more]
        ],
    )


def conflict(*codes: tuple[str, str]) -> OpenApiResponse:
    """A 409 that may carry each of `codes` (code, detail)."""
    names = ", ".join(f"`{code}`" for code, _ in codes)
    return error(f"The state refuses the request: {names}.", *codes[0], *codes[1:])


BAD_REQUEST = error("Invalid input.", "invalid", "title: This field is required.")
UNAUTHORIZED = error(
    "No token, a token that is not valid, or one revoked (`revoked`: its member left, was "
    "removed or signed out their other devices, or its screen was revoked).",
    "not_authenticated",
    "A member token is required: send Authorization: Bearer <token>.",
    ("revoked", "You are no longer a member of this room."),
)
FORBIDDEN = error(
    "The token's member may not do this.", "forbidden", "Your token is for another room."
)
NOT_FOUND = error("No such object.", "not_found", "No room with this id.")
ROOM_CLOSED = error("The room is closed.", "room_closed", "This room is closed.")
CLOSED = ("room_closed", "This room is closed.")


def responses(ok: dict, *extra: tuple[int, OpenApiResponse]) -> dict:
    """The usual error responses of a member endpoint, plus `ok` and any `extra`."""
    result = {**ok, 400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND}
    result.update(dict(extra))
    return result


class SchemaView(JSONErrorsMixin, SpectacularAPIView):
    """The OpenAPI document, YAML unless asked for JSON; its errors are JSON, like the rest of
    `/api/`."""
