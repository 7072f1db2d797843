from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from queues.serializers import VoteCountsSerializer, vote_counts
from queues.services import item_get
from rooms.auth import request_member, require_member, require_reader
from rooms.services import room_get
from voting import services
from voting.models import Vote
from voting.serializers import (
    RoundStartSerializer,
    VoteCastSerializer,
    VoteResultSerializer,
    VoteSerializer,
    VotingRoundSerializer,
)
from watchqueue_site.api import parse
from watchqueue_site.schema import CLOSED, conflict, responses

ITEM_WATCHED = ("item_watched", services.ITEM_NOT_VOTABLE)
REVOTES_DISABLED = conflict(("revotes_disabled", services.REVOTES_DISABLED), ITEM_WATCHED, CLOSED)
ROUND_RUNNING = conflict(("round_running", services.ROUND_RUNNING), CLOSED)


class VoteCollectionView(APIView):
    @extend_schema(
        operation_id="votes_cast",
        summary="Cast or change your vote on an item",
        description=(
            "One vote per member and item: voting again changes it (refused with 409 when the "
            "room's `allow_revotes` is false). The answer carries the item's new counts."
        ),
        request=VoteCastSerializer,
        responses=responses({200: VoteResultSerializer}, (409, REVOTES_DISABLED)),
        examples=[
            OpenApiExample(
                "Bob votes up",
                request_only=True,
                value={"item_id": "665f1c2e8a1b2c3d4e5f6a7c", "user_id": "bob", "vote": "up"},
            )
        ],
        tags=["votes"],
    )
    def post(self, request: Request) -> Response:
        data = parse(VoteCastSerializer, request.data)
        vote, item, _ = services.vote_cast(
            item_id=data["item_id"],
            by=request_member(request),
            value=data["vote"],
            user_id=data.get("user_id"),
        )
        return Response(VoteResultSerializer({"vote": vote, "item": item}).data)


class VoteDetailView(APIView):
    @extend_schema(
        operation_id="votes_retrieve",
        summary="A member's vote on an item",
        responses=responses({200: VoteSerializer}),
        tags=["votes"],
    )
    def get(self, request: Request, item_id: str, user_id: str) -> Response:
        item = item_get(item_id)
        require_reader(request, item.room)
        return Response(VoteSerializer(services.vote_get(item, user_id)).data)

    @extend_schema(
        operation_id="votes_destroy",
        summary="Withdraw your vote on an item",
        responses=responses({204: None}, (409, conflict(ITEM_WATCHED, CLOSED))),
        tags=["votes"],
    )
    def delete(self, request: Request, item_id: str, user_id: str) -> Response:
        item = item_get(item_id)
        member = require_member(request, item.room)
        services.vote_remove(item_id=item.pk, by=member, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ItemVotesView(APIView):
    @extend_schema(
        operation_id="votes_item_list",
        summary="Every vote on an item",
        responses=responses({200: VoteSerializer(many=True)}),
        tags=["votes"],
    )
    def get(self, request: Request, item_id: str) -> Response:
        item = item_get(item_id)
        require_reader(request, item.room)
        votes = Vote.objects.filter(item=item).order_by("created_at", "id")
        return Response(VoteSerializer(votes, many=True).data)


class ItemVoteCountsView(APIView):
    @extend_schema(
        operation_id="votes_item_counts",
        summary="An item's vote counts",
        responses=responses({200: VoteCountsSerializer}),
        tags=["votes"],
    )
    def get(self, request: Request, item_id: str) -> Response:
        item = item_get(item_id)
        require_reader(request, item.room)
        return Response(vote_counts(item))


class RoundView(APIView):
    @extend_schema(
        operation_id="rounds_current",
        summary="The room's running voting round, or its last one",
        description="A round past its deadline is closed, and its pick made, before answering.",
        responses=responses({200: VotingRoundSerializer(allow_null=True)}),
        tags=["votes"],
    )
    def get(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        require_reader(request, room)
        voting_round = services.round_latest(room)
        return Response(VotingRoundSerializer(voting_round).data if voting_round else None)

    @extend_schema(
        operation_id="rounds_start",
        summary="Start a timed voting round",
        description=(
            "When it ends the room's selection mode picks once, and everyone gets the "
            "`voting_round_end` event with the pick."
        ),
        request=RoundStartSerializer,
        responses=responses({201: VotingRoundSerializer}, (409, ROUND_RUNNING)),
        examples=[
            OpenApiExample("Two minutes", request_only=True, value={"duration_seconds": 120})
        ],
        tags=["votes"],
    )
    def post(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        member = require_member(request, room)
        data = parse(RoundStartSerializer, request.data)
        voting_round = services.round_start(
            room=room, by=member, duration_seconds=data.get("duration_seconds")
        )
        return Response(VotingRoundSerializer(voting_round).data, status=status.HTTP_201_CREATED)


class RoundEndView(APIView):
    @extend_schema(
        operation_id="rounds_end",
        summary="End the running round now and pick (host or whoever started it)",
        request=None,
        responses=responses(
            {200: VotingRoundSerializer},
            (409, conflict(("no_round", services.NO_ROUND), CLOSED)),
        ),
        tags=["votes"],
    )
    def post(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        member = require_member(request, room)
        voting_round = services.round_end_now(room=room, by=member)
        return Response(VotingRoundSerializer(voting_round).data)
