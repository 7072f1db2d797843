"""Input fields that refuse the wrong JSON type instead of coercing it.

DRF's own fields accept `"60"` for an integer, `1` for a boolean and `123` for a string. An API
that others build on should say "wrong type" instead, so these reject anything but the JSON type
they name. `StrictSerializer` also refuses fields it does not know, which catches typos such as
`selection_mod` that would otherwise be silently ignored.
"""

import re
from datetime import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from watchqueue_site.text import has_bidi_control, has_hidden, is_one_emoji, without_hidden

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class StrictCharField(serializers.CharField):
    default_error_messages = {
        "type": "Must be a string.",
        "control": "Must not contain control characters.",
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("type")
        value = super().to_internal_value(data)
        if _CONTROL.search(value):
            self.fail("control")
        return value


BIDI = "Must not contain characters that reorder text (bidirectional controls)."
INVISIBLE = "Must not contain invisible characters."
NOT_ONE_EMOJI = "Must be one emoji, or empty."


class DisplayTextField(StrictCharField):
    """A name or a title: text shown to everyone, so it must be what it looks like.

    Bidirectional controls (which make "\u202eecilA" show as "Alice") are refused. Other invisible
    characters (zero-width spaces, joiners outside an emoji, soft hyphens, tabs and new lines) are
    refused too, or, with `strip_invisible`, removed, for a title that is compared with others
    anyway.
    """

    default_error_messages = {"bidi": BIDI, "invisible": INVISIBLE}

    def __init__(self, *, strip_invisible: bool = False, **kwargs: Any) -> None:
        self.strip_invisible = strip_invisible
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, str) and has_bidi_control(data):
            self.fail("bidi")
        value = super().to_internal_value(data)
        if self.strip_invisible:
            return without_hidden(value)
        if has_hidden(value):
            self.fail("invisible")
        return value


class EmojiField(StrictCharField):
    """An avatar: exactly one emoji (flags and ZWJ sequences count as one), or empty."""

    default_error_messages = {"emoji": NOT_ONE_EMOJI}

    def __init__(self, **kwargs: Any) -> None:
        # Spaces are not trimmed: "   " is not an emoji, and not "no avatar" either.
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value and not is_one_emoji(value):
            self.fail("emoji")
        return value


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"type": "Must be an integer."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("type")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"type": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("type")
        return data


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "format": "date-time"})
class AwareDateTimeField(serializers.Field):
    """A moment as ISO 8601 text with its UTC offset ("2026-12-01T23:30:00+01:00"). The offset
    is required: without it the server would have to guess the caller's clock."""

    default_error_messages = {
        "type": "Must be a date and time as ISO 8601 text.",
        "naive": "Give the time with its UTC offset, such as 2026-12-01T23:30:00+01:00.",
    }

    def to_internal_value(self, data: Any) -> datetime:
        if not isinstance(data, str) or len(data) > 40:
            self.fail("type")
        try:
            value = datetime.fromisoformat(data)
        except ValueError:
            self.fail("type")
        if value.utcoffset() is None:
            self.fail("naive")
        return value

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


ID_PATTERN = "^[0-9a-f]{24}$"


@extend_schema_field({"type": "string", "pattern": ID_PATTERN})
class IdField(StrictCharField):
    """A 24-hex-digit id, as every object in WatchQueue has."""

    default_error_messages = {"id": "Must be a 24-character hexadecimal id."}

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if not re.fullmatch(ID_PATTERN, value):
            self.fail("id")
        return value


class StrictSerializer(serializers.Serializer):
    """Fields not listed here are refused with 400."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)
