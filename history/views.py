from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from history import services
from history.ledger import LEDGER_RULE, room_ledger_rows
from history.serializers import (
    HistoryListQuerySerializer,
    LedgerSerializer,
    RatingSetSerializer,
    TasteSerializer,
    WatchEntrySerializer,
)
from history.taste import room_taste
from queues.services import ALREADY_WATCHED, item_get
from rooms.auth import require_member, require_reader
from rooms.services import room_get
from watchqueue_site.api import parse, query_params
from watchqueue_site.schema import CLOSED, conflict, responses


class MarkWatchedView(APIView):
    @extend_schema(
        operation_id="history_mark_watched",
        summary="Mark an item watched: it leaves the queue and enters the room's history",
        request=None,
        responses=responses(
            {201: WatchEntrySerializer},
            (409, conflict(("already_watched", ALREADY_WATCHED), CLOSED)),
        ),
        tags=["history"],
    )
    def post(self, request: Request, item_id: str) -> Response:
        item = item_get(item_id)
        member = require_member(request, item.room)
        entry = services.history_mark_watched(item=item, by=member)
        return Response(WatchEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class RoomHistoryView(APIView):
    @extend_schema(
        operation_id="history_room_list",
        summary="What a room has watched, newest first, with everyone's ratings",
        parameters=[
            OpenApiParameter(
                "limit", {"type": "integer", "minimum": 1, "maximum": 200}, default=50
            ),
            OpenApiParameter(
                "offset", {"type": "integer", "minimum": 0, "maximum": 10**9}, default=0
            ),
        ],
        responses=responses({200: WatchEntrySerializer(many=True)}),
        tags=["history"],
    )
    def get(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        require_reader(request, room)
        page = parse(HistoryListQuerySerializer, query_params(request))
        entries, ratings = services.entries_for_room(room, **page)
        return Response(WatchEntrySerializer(entries, many=True, context={"ratings": ratings}).data)


class EntryView(APIView):
    @extend_schema(
        operation_id="history_retrieve",
        summary="One history entry",
        responses=responses({200: WatchEntrySerializer}),
        tags=["history"],
    )
    def get(self, request: Request, entry_id: str) -> Response:
        entry = services.entry_get(entry_id)
        require_reader(request, entry.room)
        return Response(WatchEntrySerializer(entry).data)


class RatingView(APIView):
    @extend_schema(
        operation_id="history_rate",
        summary="Rate an entry 1-5 with an optional note (your own rating only)",
        request=RatingSetSerializer,
        responses=responses({200: WatchEntrySerializer}),
        examples=[
            OpenApiExample(
                "Loved it", request_only=True, value={"rating": 5, "note": "The hallway fight!"}
            )
        ],
        tags=["history"],
    )
    def put(self, request: Request, entry_id: str, user_id: str) -> Response:
        entry = services.entry_get(entry_id)
        member = require_member(request, entry.room)
        data = parse(RatingSetSerializer, request.data)
        services.rating_set(entry=entry, by=member, user_id=user_id, **data)
        return Response(WatchEntrySerializer(services.entry_get(entry_id)).data)

    @extend_schema(
        operation_id="history_unrate",
        summary="Withdraw your rating of an entry",
        responses=responses({204: None}),
        tags=["history"],
    )
    def delete(self, request: Request, entry_id: str, user_id: str) -> Response:
        entry = services.entry_get(entry_id)
        member = require_member(request, entry.room)
        services.rating_remove(entry=entry, by=member, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoomLedgerView(APIView):
    @extend_schema(
        operation_id="rooms_ledger",
        summary="The fairness ledger: each member's watched films, evenings waited and ratings,"
        " in turn order",
        responses=responses({200: LedgerSerializer}),
        tags=["history"],
    )
    def get(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        require_reader(request, room)
        rows = room_ledger_rows(room)
        return Response(LedgerSerializer({"members": rows, "rule": LEDGER_RULE}).data)


class RoomTasteView(APIView):
    @extend_schema(
        operation_id="rooms_taste",
        summary="The group's taste: genres by rating, each member's picks and ratings, and who"
        " agrees with whom",
        responses=responses({200: TasteSerializer}),
        tags=["history"],
    )
    def get(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        require_reader(request, room)
        return Response(TasteSerializer(room_taste(room)).data)
