from rest_framework import serializers

from queues.serializers import QueueItemSerializer
from rooms.models import SelectionMode
from selection.eligibility import REASON_CODES
from selection.models import Selection
from selection.wording import reason_words
from watchqueue_site.fields import StrictChoiceField, StrictSerializer
from watchqueue_site.speedups.serializers import FrozenModelSerializer


class ReasonField(serializers.JSONField):
    """A pick's reason, its words in the asker's language (selection.wording)."""

    def to_representation(self, value):
        return super().to_representation(reason_words(value))


class SelectionSerializer(FrozenModelSerializer):
    room_id = serializers.CharField(read_only=True)
    item_id = serializers.CharField(read_only=True, allow_null=True)
    round_id = serializers.CharField(read_only=True, allow_null=True)
    evening_id = serializers.CharField(read_only=True, allow_null=True)
    item = QueueItemSerializer(read_only=True, allow_null=True)
    reason = ReasonField(
        help_text=(
            "Why this item: the `rule`, a `summary` in words, the `candidates` (a weighted "
            "draw's with `weight` and `chance` in percent), the tie-break, whose `turn` it was "
            "or the consensus `tier`; tonight's `constraints` and `attendees`; `excluded`, every "
            "item left out with all its `reasons` (`code` and `text`); and `after_turn_down` "
            "when it replaces a turned-down pick. A weighted draw also records `seed` and "
            "`point`. The words (`rule`, `summary`, each reason's `text`) follow "
            "Accept-Language in an answer and are English in events; `summary_phrase` and each "
            "reason's `phrase` and `args` say the same as a phrase of the catalog, for a client "
            "to word in its own language."
        )
    )
    seed = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "The seed of a weighted_random draw (below 2**53, exact in JavaScript); replay it "
            "with Python's random.Random(seed).random() * total_weight over the recorded "
            "candidates. Null for the other modes."
        ),
    )

    class Meta:
        model = Selection
        fields = [
            "id",
            "room_id",
            "item_id",
            "item_title",
            "item",
            "mode",
            "reason",
            "seed",
            "selected_by",
            "round_id",
            "evening_id",
            "turned_down_at",
            "turned_down_by",
            "created_at",
        ]


class SelectQuerySerializer(StrictSerializer):
    mode = StrictChoiceField(
        choices=SelectionMode.choices,
        required=False,
        help_text="Overrides the room's selection_mode for this pick.",
    )


class PreviewCandidateSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    title = serializers.CharField()
    added_by = serializers.CharField()
    vote_score = serializers.IntegerField()
    up = serializers.IntegerField(help_text="Up votes of tonight's attendees.")
    down = serializers.IntegerField(help_text="Down votes of tonight's attendees.")
    match = serializers.BooleanField()
    chance = serializers.FloatField(
        allow_null=True, help_text="Percent, in a weighted_random draw; null in other modes."
    )


class ExclusionReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=REASON_CODES)
    text = serializers.CharField(help_text="In the asker's language (Accept-Language).")
    phrase = serializers.CharField(
        help_text="The same as a phrase of the catalog, worded with `args`."
    )
    args = serializers.DictField(
        required=False, help_text="The values the phrase is worded with; absent when it has none."
    )


class ExcludedSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    title = serializers.CharField()
    added_by = serializers.CharField()
    reasons = ExclusionReasonSerializer(many=True)


class PreviewSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=SelectionMode.choices)
    candidates = PreviewCandidateSerializer(many=True)
    excluded = ExcludedSerializer(many=True)
    turn = serializers.CharField(
        allow_null=True, help_text="round_robin: the user_id whose turn it is."
    )
    standing = SelectionSerializer(allow_null=True, help_text="Tonight's pick, if one stands.")
    summary = serializers.CharField(
        allow_null=True, help_text="Why nothing can be picked, when nothing can."
    )
    constraints = serializers.JSONField(
        help_text="Tonight's constraints, with `max_runtime_now` (minutes, the finish-by time "
        "and maximum runtime resolved now) and `services`."
    )
    attendees = serializers.ListField(child=serializers.CharField())
