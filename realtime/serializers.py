from rest_framework import serializers

from queues.serializers import QueueItemSerializer
from rooms.serializers import MemberSerializer, RoomSerializer
from selection.serializers import SelectionSerializer
from tonight.serializers import TonightSerializer
from voting.serializers import VoteSerializer, VotingRoundSerializer


class PresenceUserSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    name = serializers.CharField()
    avatar = serializers.CharField()


class PresenceSerializer(serializers.Serializer):
    users = PresenceUserSerializer(many=True, help_text="Everyone with a live connection now.")


class SnapshotSerializer(serializers.Serializer):
    seq = serializers.IntegerField(
        help_text="The room's event number this state is at: resume the stream after it."
    )
    server_time = serializers.DateTimeField(
        help_text="The server's clock, to count a round down correctly on a skewed device."
    )
    room = RoomSerializer()
    queue = QueueItemSerializer(many=True, help_text="Items still in play, best-scored first.")
    votes = VoteSerializer(many=True, help_text="Every vote on those items.")
    round = VotingRoundSerializer(allow_null=True, help_text="The running round, or the last.")
    selection = SelectionSerializer(allow_null=True, help_text="The latest pick.")
    presence = PresenceUserSerializer(many=True, help_text="Everyone with a live connection.")
    tonight = TonightSerializer(help_text="Tonight, as `GET /api/rooms/{room_id}/tonight`.")
    you = MemberSerializer(
        allow_null=True, help_text="The token's member; null for a screen's token."
    )
