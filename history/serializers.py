from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from history.models import NOTE_MAX, RATING_MAX, RATING_MIN, Rating, WatchEntry
from selection.serializers import SelectionSerializer
from watchqueue_site.fields import StrictCharField, StrictIntegerField, StrictSerializer
from watchqueue_site.speedups.serializers import FrozenModelSerializer

# Output


class RatingSerializer(FrozenModelSerializer):
    class Meta:
        model = Rating
        fields = ["user_id", "rating", "note", "created_at", "updated_at"]


class WatchEntrySerializer(serializers.ModelSerializer):
    """An entry with its ratings; lists pass the ratings in `context["ratings"]` to save queries."""

    room_id = serializers.CharField(read_only=True)
    item_id = serializers.CharField(read_only=True, allow_null=True)
    selection = SelectionSerializer(read_only=True, allow_null=True)
    picked_by = serializers.SerializerMethodField(
        help_text="How it was chosen: the selection's mode, or 'manual' if nobody ran a pick."
    )
    ratings = serializers.SerializerMethodField()
    average_rating = serializers.SerializerMethodField()
    rating_count = serializers.SerializerMethodField()

    class Meta:
        model = WatchEntry
        fields = [
            "id",
            "room_id",
            "item_id",
            "title",
            "media_type",
            "tmdb_id",
            "year",
            "poster_url",
            "added_by",
            "added_at",
            "selection",
            "picked_by",
            "marked_by",
            "watched_at",
            "ratings",
            "average_rating",
            "rating_count",
        ]

    def _ratings(self, entry: WatchEntry) -> list[Rating]:
        by_entry = self.context.get("ratings")
        if by_entry is not None:
            return by_entry.get(entry.pk, [])
        if not hasattr(entry, "_rating_list"):
            entry._rating_list = list(entry.ratings.all())
        return entry._rating_list

    def get_picked_by(self, entry: WatchEntry) -> str:
        return entry.selection.mode if entry.selection_id else "manual"

    @extend_schema_field(
        serializers.DictField(
            child=RatingSerializer(), help_text="Each member's rating, keyed by user_id."
        )
    )
    def get_ratings(self, entry: WatchEntry) -> dict:
        return {r.user_id: RatingSerializer(r).data for r in self._ratings(entry)}

    def get_average_rating(self, entry: WatchEntry) -> float | None:
        ratings = self._ratings(entry)
        if not ratings:
            return None
        return round(sum(r.rating for r in ratings) / len(ratings), 2)

    def get_rating_count(self, entry: WatchEntry) -> int:
        return len(self._ratings(entry))


# Input


class RatingSetSerializer(StrictSerializer):
    rating = StrictIntegerField(min_value=RATING_MIN, max_value=RATING_MAX)
    note = StrictCharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class HistoryListQuerySerializer(StrictSerializer):
    limit = serializers.IntegerField(min_value=1, max_value=200, required=False, default=50)
    offset = serializers.IntegerField(min_value=0, max_value=10**9, required=False, default=0)
