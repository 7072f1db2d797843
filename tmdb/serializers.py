from typing import Any

from rest_framework import serializers

from queues.models import MediaType
from tmdb.client import MEDIA_TYPES

QUERY_MAX = 100
QUERY_REQUIRED = "Give a search text of 1 to 100 characters."
TYPE_INVALID = "Must be movie or tv."

# Input


class SearchText(serializers.CharField):
    """Search text with its runs of spaces made one, as people type it; the length is counted
    after that."""

    def to_internal_value(self, data: Any) -> str:
        return " ".join(super().to_internal_value(data).split())


class SearchQuerySerializer(serializers.Serializer):
    q = SearchText(
        max_length=QUERY_MAX,
        error_messages={
            "required": QUERY_REQUIRED,
            "blank": QUERY_REQUIRED,
            "max_length": QUERY_REQUIRED,
        },
    )
    # Blank is no type, as when it is left out.
    type = serializers.ChoiceField(
        choices=MEDIA_TYPES,
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": TYPE_INVALID},
    )


# Output, for the schema: the answers are the TMDB client's own dicts.


class SearchResultSerializer(serializers.Serializer):
    tmdb_id = serializers.IntegerField()
    media_type = serializers.ChoiceField(choices=MediaType.choices)
    title = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    overview = serializers.CharField()
    poster_url = serializers.CharField(allow_null=True)
    backdrop_url = serializers.CharField(allow_null=True)
    genres = serializers.ListField(child=serializers.CharField())


class SearchAnswerSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="The search text as it was searched for.")
    type = serializers.CharField(allow_null=True)
    results = SearchResultSerializer(many=True)


class WatchProviderSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="TMDB's provider id.")
    name = serializers.CharField()
    logo_url = serializers.CharField(allow_null=True)


class WatchProvidersAnswerSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="The country of the list (`TMDB_REGION`).")
    providers = WatchProviderSerializer(many=True)
