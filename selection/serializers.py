from rest_framework import serializers

from queues.serializers import QueueItemSerializer
from rooms.models import SelectionMode
from selection.models import Selection
from watchqueue_site.fields import StrictChoiceField, StrictSerializer
from watchqueue_site.speedups.serializers import FrozenModelSerializer


class SelectionSerializer(FrozenModelSerializer):
    room_id = serializers.CharField(read_only=True)
    item_id = serializers.CharField(read_only=True, allow_null=True)
    round_id = serializers.CharField(read_only=True, allow_null=True)
    item = QueueItemSerializer(read_only=True, allow_null=True)
    reason = serializers.JSONField(
        help_text=(
            "Why this item: the rule, the candidates and their weights or ranks, the tie-break "
            "or whose turn it was. A weighted draw also records `seed` and `point`."
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
            "created_at",
        ]


class SelectQuerySerializer(StrictSerializer):
    mode = StrictChoiceField(
        choices=SelectionMode.choices,
        required=False,
        help_text="Overrides the room's selection_mode for this pick.",
    )
