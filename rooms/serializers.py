import re

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rooms.models import (
    AVATAR_MAX,
    MEMBER_NAME_MAX,
    NAME_MAX,
    SCREEN_LABEL_MAX,
    SHARE_PERCENT_MAX,
    SHARE_PERCENT_MIN,
    USER_ID_MAX,
    VETOES_PER_EVENING_MAX,
    VOTING_DURATION_MAX,
    VOTING_DURATION_MIN,
    Member,
    Room,
    RoomScreen,
    RoomStatus,
    SelectionMode,
    name_key,
)
from watchqueue_site.fields import (
    DisplayTextField,
    EmojiField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictSerializer,
)
from watchqueue_site.speedups.serializers import FrozenModelSerializer

USER_ID_PATTERN = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9_.-]{{0,{USER_ID_MAX - 1}}}$")
USER_ID_HELP = "Letters, digits, '.', '_' and '-', starting with a letter or digit."


class UserIdField(StrictCharField):
    default_error_messages = {"user_id": f"Must be 1-{USER_ID_MAX} characters: {USER_ID_HELP}"}

    schema_pattern = USER_ID_PATTERN.pattern

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", USER_ID_MAX)
        # " bob" is not a user_id: no spaces are trimmed, as the pattern says.
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> str:
        value = super().to_internal_value(data)
        if not USER_ID_PATTERN.match(value):
            self.fail("user_id")
        return value


# Output


class MemberSerializer(FrozenModelSerializer):
    class Meta:
        model = Member
        fields = ["user_id", "name", "avatar", "is_host", "claimed", "joined_at", "services"]


class FormerMemberSerializer(FrozenModelSerializer):
    """A member who left or was removed: kept so what they rated and added still has a name."""

    class Meta:
        model = Member
        fields = ["user_id", "name", "avatar", "left_at"]


class ScreenSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoomScreen
        fields = ["id", "label", "created_at"]


SEEN_SHARE_HELP = (
    "An item seen by at least this percentage of tonight's attendees is left out of picks."
)
VETOES_HELP = "Vetoes each member has per evening; 0 turns vetoes off."
VETOES_PUBLIC_HELP = "Whether the room sees who vetoed an item."
CONSENSUS_SHARE_HELP = (
    "Consensus mode, when no item is a match: the percentage of attendees who must have voted "
    "an item up for it to be a candidate."
)
FAIR_BOOST_HELP = (
    "Weighted draws give items of members whose items have not won for a while a small boost: "
    "x(1 + 0.1 x evenings since their last win, at most 5)."
)


class RoomSettingsSerializer(serializers.Serializer):
    voting_duration_seconds = serializers.IntegerField()
    selection_mode = serializers.ChoiceField(choices=SelectionMode.choices)
    allow_revotes = serializers.BooleanField()
    seen_share_percent = serializers.IntegerField(help_text=SEEN_SHARE_HELP)
    vetoes_per_evening = serializers.IntegerField(help_text=VETOES_HELP)
    vetoes_public = serializers.BooleanField(help_text=VETOES_PUBLIC_HELP)
    consensus_share_percent = serializers.IntegerField(help_text=CONSENSUS_SHARE_HELP)
    fair_boost = serializers.BooleanField(help_text=FAIR_BOOST_HELP)


class RoomSerializer(serializers.ModelSerializer):
    settings = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()
    former_members = serializers.SerializerMethodField()
    host = serializers.SerializerMethodField()

    class Meta:
        model = Room
        fields = [
            "id",
            "name",
            "code",
            "status",
            "host",
            "members",
            "former_members",
            "settings",
            "event_seq",
            "created_at",
            "updated_at",
        ]

    def _members(self, room: Room) -> list[Member]:
        if not hasattr(room, "_member_list"):
            room._member_list = list(room.members.all())
        return room._member_list

    @extend_schema_field(RoomSettingsSerializer)
    def get_settings(self, room: Room) -> dict:
        return RoomSettingsSerializer(room).data

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, room: Room) -> list[dict]:
        return MemberSerializer(self._members(room), many=True).data

    @extend_schema_field(FormerMemberSerializer(many=True))
    def get_former_members(self, room: Room) -> list[dict]:
        former = Member.everyone.filter(room=room, left_at__isnull=False)
        return FormerMemberSerializer(former, many=True).data

    def get_host(self, room: Room) -> str | None:
        return next((m.user_id for m in self._members(room) if m.is_host), None)


class PublicMemberSerializer(FrozenModelSerializer):
    class Meta:
        model = Member
        fields = ["user_id", "name", "avatar", "is_host", "claimed"]


class RoomPublicSerializer(FrozenModelSerializer):
    """What the join screen may see with only the code: no settings, no queue."""

    members = PublicMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Room
        fields = ["id", "name", "code", "status", "members"]


class RoomWithTokenSerializer(serializers.Serializer):
    room = RoomSerializer()
    member = MemberSerializer()
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`.")


class ScreenTokenSerializer(serializers.Serializer):
    room = RoomSerializer()
    screen = ScreenSerializer()
    token = serializers.CharField(help_text="A read-only token: send as `Authorization: Bearer`.")


# Input


class MemberInSerializer(StrictSerializer):
    user_id = UserIdField(required=False, help_text=USER_ID_HELP)
    name = DisplayTextField(max_length=MEMBER_NAME_MAX, trim_whitespace=True)
    avatar = EmojiField(
        max_length=AVATAR_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="One emoji (a flag or a ZWJ sequence counts as one), or empty.",
    )


class RoomSettingsInSerializer(StrictSerializer):
    voting_duration_seconds = StrictIntegerField(
        min_value=VOTING_DURATION_MIN, max_value=VOTING_DURATION_MAX, required=False
    )
    selection_mode = StrictChoiceField(choices=SelectionMode.choices, required=False)
    allow_revotes = StrictBooleanField(required=False)
    seen_share_percent = StrictIntegerField(
        min_value=SHARE_PERCENT_MIN,
        max_value=SHARE_PERCENT_MAX,
        required=False,
        help_text=SEEN_SHARE_HELP,
    )
    vetoes_per_evening = StrictIntegerField(
        min_value=0, max_value=VETOES_PER_EVENING_MAX, required=False, help_text=VETOES_HELP
    )
    vetoes_public = StrictBooleanField(required=False, help_text=VETOES_PUBLIC_HELP)
    consensus_share_percent = StrictIntegerField(
        min_value=SHARE_PERCENT_MIN,
        max_value=SHARE_PERCENT_MAX,
        required=False,
        help_text=CONSENSUS_SHARE_HELP,
    )
    fair_boost = StrictBooleanField(required=False, help_text=FAIR_BOOST_HELP)


class RoomCreateSerializer(StrictSerializer):
    name = DisplayTextField(max_length=NAME_MAX)
    members = MemberInSerializer(many=True, min_length=1, max_length=settings.ROOM_MEMBERS_MAX)
    settings = RoomSettingsInSerializer(required=False)

    def validate_members(self, members: list[dict]) -> list[dict]:
        ids = [m["user_id"] for m in members if "user_id" in m]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("Each member needs a different user_id.")
        names = [name_key(m["name"]) for m in members]
        if len(names) != len(set(names)):
            raise serializers.ValidationError("Each member needs a different name.")
        return members


class ScreenOpenSerializer(StrictSerializer):
    label = StrictCharField(
        max_length=SCREEN_LABEL_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the host sees in the list of screens, such as 'TV'.",
    )


class MemberTokenSerializer(serializers.Serializer):
    member = MemberSerializer()
    token = serializers.CharField(help_text="The caller's new token; every older one is dead.")


class RoomUpdateSerializer(StrictSerializer):
    name = DisplayTextField(max_length=NAME_MAX, required=False)
    settings = RoomSettingsInSerializer(required=False)
    status = StrictChoiceField(choices=RoomStatus.choices, required=False)


class HandOverSerializer(StrictSerializer):
    user_id = UserIdField(help_text="The present member who becomes the host.")


class JoinSerializer(MemberInSerializer):
    avatar = EmojiField(
        max_length=AVATAR_MAX,
        required=False,
        allow_blank=True,
        help_text=(
            "One emoji, or empty. Omit to keep the avatar a listed place or an earlier join "
            "already has."
        ),
    )
