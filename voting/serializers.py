from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from rest_framework import serializers

from queues.serializers import QueueItemSerializer
from rooms.models import VOTING_DURATION_MAX, VOTING_DURATION_MIN
from rooms.serializers import UserIdField
from voting.models import Vote, VoteValue, VotingRound
from watchqueue_site.fields import IdField, StrictChoiceField, StrictIntegerField, StrictSerializer
from watchqueue_site.phrases import words_or
from watchqueue_site.speedups.serializers import FrozenModelSerializer

# Output


class VoteSerializer(FrozenModelSerializer):
    item_id = serializers.CharField(read_only=True)
    vote = serializers.ChoiceField(source="value", choices=VoteValue.choices)

    class Meta:
        model = Vote
        fields = ["item_id", "user_id", "vote", "created_at", "updated_at"]


class VoteResultSerializer(serializers.Serializer):
    vote = VoteSerializer(allow_null=True)
    item = QueueItemSerializer()


class VotingRoundSerializer(serializers.ModelSerializer):
    room_id = serializers.CharField(read_only=True)
    outcome = serializers.SerializerMethodField(
        help_text="Why the round ended without a pick, if it did; in the asker's language "
        "(Accept-Language), in English in events."
    )
    outcome_phrase = serializers.JSONField(
        read_only=True,
        allow_null=True,
        help_text="The outcome as a phrase of the catalog (`phrase`, `args`), for a client to "
        "word in its own language.",
    )
    seconds_left = serializers.SerializerMethodField()
    selection_id = serializers.SerializerMethodField()

    class Meta:
        model = VotingRound
        fields = [
            "id",
            "room_id",
            "status",
            "started_by",
            "started_at",
            "ends_at",
            "seconds_left",
            "closed_at",
            "outcome",
            "outcome_phrase",
            "selection_id",
        ]

    def get_outcome(self, voting_round: VotingRound) -> str:
        return words_or(voting_round.outcome_phrase, voting_round.outcome)

    def get_seconds_left(self, voting_round: VotingRound) -> int:
        if voting_round.status != "open":
            return 0
        return max(0, int((voting_round.ends_at - timezone.now()).total_seconds() + 0.999))

    def get_selection_id(self, voting_round: VotingRound) -> str | None:
        # The pick's one-to-one `round` (selection app), read from this side; the round that
        # made it has it cached.
        try:
            return voting_round.selection.pk
        except ObjectDoesNotExist:
            return None


# Input


class VoteCastSerializer(StrictSerializer):
    item_id = IdField()
    user_id = UserIdField(required=False, help_text="Must be the token's own user_id.")
    vote = StrictChoiceField(choices=VoteValue.choices)


class RoundStartSerializer(StrictSerializer):
    duration_seconds = StrictIntegerField(
        min_value=VOTING_DURATION_MIN,
        max_value=VOTING_DURATION_MAX,
        required=False,
        help_text="Defaults to the room's voting_duration_seconds.",
    )
