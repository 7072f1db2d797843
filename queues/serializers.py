from drf_spectacular.utils import extend_schema_field
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

# The shapes of the JSON an item keeps from TMDB, for the schema: the item serializer hands the
# stored JSON on as it is.


class _AnyKeyMissing(serializers.Serializer):
    """Documents a JSON object whose keys may each be missing (it is `{}` before TMDB has said,
    and items filled in earlier lack the keys added since)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


class CastMemberSerializer(serializers.Serializer):
    name = serializers.CharField()
    character = serializers.CharField(
        allow_blank=True, help_text="Empty when TMDB does not name the part."
    )


class SeasonSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1)
    name = serializers.CharField(help_text="TMDB's name for it, such as 'Season 1'.")
    episodes = serializers.IntegerField(allow_null=True)
    year = serializers.IntegerField(allow_null=True, help_text="The year it started airing.")


class ItemDetailsSerializer(_AnyKeyMissing):
    """What a page about the item shows, from TMDB."""

    score = serializers.FloatField(
        allow_null=True, help_text="TMDB's average rating out of 10, one decimal; null if unrated."
    )
    votes = serializers.IntegerField(allow_null=True, help_text="How many rated it on TMDB.")
    cast = CastMemberSerializer(many=True, help_text="The top of the cast, at most six.")
    directors = serializers.ListField(child=serializers.CharField(), help_text="A film's.")
    creators = serializers.ListField(child=serializers.CharField(), help_text="A show's.")
    trailer_url = serializers.URLField(
        allow_null=True, help_text="A YouTube trailer, an official one when TMDB has one."
    )
    number_of_seasons = serializers.IntegerField(allow_null=True, help_text="A show's.")
    seasons = SeasonSerializer(many=True, help_text="A show's, in order, specials left out.")


class ProviderSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="TMDB's provider id.")
    name = serializers.CharField()
    logo_url = serializers.URLField(allow_null=True)


class ItemProvidersSerializer(_AnyKeyMissing):
    """Where the item streams, rents or buys in the region, from TMDB."""

    region = serializers.CharField(help_text="`TMDB_REGION` when it was filled in.")
    link = serializers.URLField(allow_null=True, help_text="TMDB's page of where to watch it.")
    stream = serializers.ListField(child=serializers.CharField(), help_text="Service names.")
    rent = serializers.ListField(child=serializers.CharField(), help_text="Service names.")
    buy = serializers.ListField(child=serializers.CharField(), help_text="Service names.")
    services = ProviderSerializer(
        many=True, help_text="Each service named in the three lists once, with its logo."
    )


@extend_schema_field(ItemDetailsSerializer)
class ItemDetailsField(serializers.JSONField):
    pass


@extend_schema_field(ItemProvidersSerializer)
class ItemProvidersField(serializers.JSONField):
    pass


class QueueItemSerializer(FrozenModelSerializer):
    room_id = serializers.CharField(read_only=True)
    providers = ItemProvidersField(
        read_only=True,
        help_text="Where it streams, rents or buys in the region; `{}` until TMDB has said.",
    )
    details = ItemDetailsField(
        read_only=True,
        help_text=(
            "From TMDB, for a page about the item: its score, cast, directors or creators, "
            "trailer and a show's seasons. Empty (`{}`) until TMDB has filled the item in."
        ),
    )

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
            "details",
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
