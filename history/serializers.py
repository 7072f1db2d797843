from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from history.models import NOTE_MAX, RATING_MAX, RATING_MIN, Rating, WatchEntry
from history.taste import AGREEMENT_MIN_SHARED
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


# The fairness ledger and the group's taste (output only; see history/ledger.py, history/taste.py)


class LedgerRowSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    name = serializers.CharField()
    avatar = serializers.CharField(help_text="One emoji, or empty.")
    watched = serializers.IntegerField(
        source="entry.watched", min_value=0, help_text="How many films they added were watched."
    )
    evenings_since_last = serializers.IntegerField(
        source="entry.evenings_since_last",
        min_value=0,
        allow_null=True,
        help_text="Evenings ended since one of theirs was last watched; null: never.",
    )
    average_rating = serializers.FloatField(
        source="entry.average_rating",
        min_value=RATING_MIN,
        max_value=RATING_MAX,
        allow_null=True,
        help_text="Mean of every rating their films got, 2 decimals; null: none rated.",
    )
    ratings = serializers.IntegerField(min_value=0, help_text="How many ratings their films got.")
    last_watched_title = serializers.CharField(allow_null=True)
    last_watched_at = serializers.DateTimeField(allow_null=True)


class LedgerSerializer(serializers.Serializer):
    members = LedgerRowSerializer(
        many=True, help_text="Every member still in the room, in turn order."
    )
    rule = serializers.CharField(help_text="The turn order, in a sentence.")


class GenreTasteSerializer(serializers.Serializer):
    genre = serializers.CharField()
    average_rating = serializers.FloatField(
        min_value=RATING_MIN,
        max_value=RATING_MAX,
        help_text="Mean of the ratings of the room's films of this genre, 2 decimals.",
    )
    entries = serializers.IntegerField(
        min_value=1, help_text="How many of the room's films have the genre, rated or not."
    )
    ratings = serializers.IntegerField(min_value=1, help_text="How many ratings the mean is of.")


class PicksTasteSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        min_value=0, help_text="How many films they added were watched."
    )
    ratings = serializers.IntegerField(min_value=0, help_text="How many ratings those films got.")
    average_rating = serializers.FloatField(
        min_value=RATING_MIN, max_value=RATING_MAX, allow_null=True
    )


class GivenTasteSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0, help_text="How many films they have rated.")
    average_rating = serializers.FloatField(
        min_value=RATING_MIN, max_value=RATING_MAX, allow_null=True
    )


class MemberTasteSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    name = serializers.CharField()
    avatar = serializers.CharField(help_text="One emoji, or empty.")
    picks = PicksTasteSerializer(help_text="The films they added, and what the room gave them.")
    given = GivenTasteSerializer(help_text="The ratings they gave.")


class AgreementSerializer(serializers.Serializer):
    user_ids = serializers.ListField(
        child=serializers.CharField(), min_length=2, max_length=2, help_text="The two members."
    )
    shared = serializers.IntegerField(
        min_value=AGREEMENT_MIN_SHARED, help_text="How many films both have rated."
    )
    mean_difference = serializers.FloatField(
        min_value=0,
        max_value=RATING_MAX - RATING_MIN,
        help_text="Mean of the gaps between their two ratings of each, 2 decimals.",
    )
    similarity = serializers.IntegerField(
        min_value=0, max_value=100, help_text="100 x (1 - mean difference / 4), in percent."
    )


class TasteSerializer(serializers.Serializer):
    genres = GenreTasteSerializer(
        many=True, help_text="Genres with at least one rating, highest mean first."
    )
    members = MemberTasteSerializer(many=True, help_text="Every member still in the room.")
    agreement = AgreementSerializer(
        many=True, help_text="Pairs who rated at least 2 of the same films, most alike first."
    )
    ratings = serializers.IntegerField(min_value=0, help_text="Ratings in the room's history.")
    entries = serializers.IntegerField(min_value=0, help_text="Films in the room's history.")
