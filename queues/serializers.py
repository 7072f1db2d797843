from rest_framework import serializers

from queues.models import OVERVIEW_MAX, TITLE_MAX, ItemStatus, MediaType, QueueItem
from rooms.serializers import UserIdField
from watchqueue_site.fields import (
    DisplayTextField,
    IdField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictSerializer,
)
from watchqueue_site.speedups.serializers import FrozenModelSerializer

# Output


class QueueItemSerializer(FrozenModelSerializer):
    room_id = serializers.CharField(read_only=True)

    class Meta:
        model = QueueItem
        fields = [
            "id",
            "room_id",
            "title",
            "media_type",
            "tmdb_id",
            "year",
            "overview",
            "poster_url",
            "backdrop_url",
            "runtime_minutes",
            "genres",
            "providers",
            "added_by",
            "added_at",
            "status",
            "status_changed_at",
            "upvotes",
            "downvotes",
            "vote_score",
            "enrichment",
            "enrichment_error",
            "enrichment_at",
        ]


class VoteCountsSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    upvotes = serializers.IntegerField()
    downvotes = serializers.IntegerField()
    vote_score = serializers.IntegerField()


def vote_counts(item: QueueItem) -> dict:
    return {
        "item_id": item.pk,
        "upvotes": item.upvotes,
        "downvotes": item.downvotes,
        "vote_score": item.vote_score,
    }


# Input


class _ItemFieldsSerializer(StrictSerializer):
    media_type = StrictChoiceField(choices=MediaType.choices, required=False)
    tmdb_id = StrictIntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True)
    year = StrictIntegerField(min_value=1870, max_value=2200, required=False, allow_null=True)
    overview = StrictCharField(max_length=OVERVIEW_MAX, required=False, allow_blank=True)


class QueueAddSerializer(_ItemFieldsSerializer):
    room_id = IdField()
    title = DisplayTextField(max_length=TITLE_MAX, strip_invisible=True)
    added_by = UserIdField(
        required=False, help_text="Must be the token's own user_id; defaults to it."
    )


class QueueUpdateSerializer(_ItemFieldsSerializer):
    title = DisplayTextField(max_length=TITLE_MAX, strip_invisible=True, required=False)
    status = StrictChoiceField(choices=ItemStatus.choices, required=False)


class QueueListQuerySerializer(StrictSerializer):
    status = StrictChoiceField(choices=ItemStatus.choices, required=False)
    sort = StrictChoiceField(choices=[("score", "score"), ("added", "added")], required=False)
