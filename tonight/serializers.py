from rest_framework import serializers

from rooms.models import SERVICE_NAME_MAX, SERVICES_MAX
from tonight.models import GENRE_NAME_MAX, GENRES_MAX, RUNTIME_MAX, Media
from watchqueue_site.fields import (
    AwareDateTimeField,
    DisplayTextField,
    StrictBooleanField,
    StrictChoiceField,
    StrictIntegerField,
    StrictSerializer,
)

FINISH_BY_HELP = (
    "Finish by this time: ISO 8601 with the caller's UTC offset, within the next 24 hours. At "
    "pick time the server turns it into a maximum runtime (minutes left). null clears it."
)
MAX_RUNTIME_HELP = "At most this many minutes (a show: one episode). null clears it."
GENRES_HELP = (
    "TMDB genre names; compared without regard to case. A genre cannot be both included and "
    "excluded (400)."
)
MEDIA_HELP = "Films, shows, or both."
STREAMABLE_HELP = "Only items that stream on a service one of tonight's attendees has."


def _genres(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=DisplayTextField(max_length=GENRE_NAME_MAX, trim_whitespace=True),
        max_length=GENRES_MAX,
        required=False,
        help_text=help_text,
    )


class ConstraintsInSerializer(StrictSerializer):
    finish_by = AwareDateTimeField(required=False, allow_null=True, help_text=FINISH_BY_HELP)
    max_runtime_minutes = StrictIntegerField(
        min_value=1,
        max_value=RUNTIME_MAX,
        required=False,
        allow_null=True,
        help_text=MAX_RUNTIME_HELP,
    )
    genres_include = _genres("At least one of these genres. " + GENRES_HELP)
    genres_exclude = _genres("None of these genres. " + GENRES_HELP)
    media = StrictChoiceField(choices=Media.choices, required=False, help_text=MEDIA_HELP)
    streamable_only = StrictBooleanField(required=False, help_text=STREAMABLE_HELP)

    def validate(self, data: dict) -> dict:
        for name in ("genres_include", "genres_exclude"):
            if name in data:
                data[name] = list(dict.fromkeys(data[name]))
        return data


class ConstraintsSerializer(serializers.Serializer):
    finish_by = serializers.DateTimeField(allow_null=True, help_text=FINISH_BY_HELP)
    max_runtime_minutes = serializers.IntegerField(allow_null=True, help_text=MAX_RUNTIME_HELP)
    genres_include = serializers.ListField(child=serializers.CharField())
    genres_exclude = serializers.ListField(child=serializers.CharField())
    media = serializers.ChoiceField(choices=Media.choices, help_text=MEDIA_HELP)
    streamable_only = serializers.BooleanField(help_text=STREAMABLE_HELP)


class EveningSerializer(serializers.Serializer):
    id = serializers.CharField()
    started_at = serializers.DateTimeField()
    started_by = serializers.CharField(help_text="user_id; empty when the server started it.")


class AttendanceSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    # "in" is a Python keyword, so the field is declared below.
    said = serializers.BooleanField(
        allow_null=True, help_text="What they said: in, out, or null to follow who is connected."
    )
    online = serializers.BooleanField()
    vetoes_left = serializers.IntegerField(
        allow_null=True, help_text="null when the room hides who vetoed, for others than you."
    )


AttendanceSerializer._declared_fields["in"] = serializers.BooleanField(
    help_text="Whether they are in tonight."
)


class VetoSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    by = serializers.CharField(
        allow_null=True, help_text="Who vetoed it; null when the room hides it."
    )


class SeenSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    by = serializers.ListField(child=serializers.CharField(), help_text="user_ids")


class TonightSerializer(serializers.Serializer):
    evening = EveningSerializer(
        allow_null=True, help_text="null until something about tonight is first set."
    )
    constraints = ConstraintsSerializer()
    attendees = serializers.ListField(
        child=serializers.CharField(), help_text="user_ids of who is in tonight."
    )
    attendance = AttendanceSerializer(many=True)
    services = serializers.ListField(
        child=serializers.CharField(), help_text="The streaming services of tonight's attendees."
    )
    vetoes_per_evening = serializers.IntegerField()
    vetoes = VetoSerializer(many=True)
    seen = SeenSerializer(many=True)
    matches = serializers.ListField(
        child=serializers.CharField(),
        help_text="Items every attendee voted up and nobody vetoed tonight.",
    )


class AttendanceInSerializer(StrictSerializer):
    pass


AttendanceInSerializer._declared_fields["in"] = StrictBooleanField(
    allow_null=True, help_text="true: in; false: out; null: follow who is connected."
)


class ServicesInSerializer(StrictSerializer):
    services = serializers.ListField(
        child=DisplayTextField(max_length=SERVICE_NAME_MAX, trim_whitespace=True),
        max_length=SERVICES_MAX,
        help_text="Provider names from `GET /api/tmdb/providers`.",
    )


class ServicesSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    services = serializers.ListField(child=serializers.CharField())


class SeenAnswerSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    seen_by = serializers.ListField(child=serializers.CharField(), help_text="user_ids")
