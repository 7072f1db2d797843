from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rooms.auth import require_member, require_reader
from rooms.models import SelectionMode
from rooms.services import room_get
from selection import services
from selection.serializers import SelectionSerializer, SelectQuerySerializer
from watchqueue_site.api import parse, query_params
from watchqueue_site.schema import CLOSED, conflict, error, responses


class SelectView(APIView):
    @extend_schema(
        operation_id="queue_select",
        summary="Pick what to watch next",
        description=(
            "Picks among the queued items with the room's `selection_mode`, or `mode` for this "
            "pick. `weighted_random`: weight 1 + 2 x max(0, vote_score). `highest_votes`: highest "
            "score, ties to the earliest added, then the lowest id. `round_robin`: the member "
            "whose pick was least recently watched (never first) gets their best-voted item. "
            "The answer's `reason` shows the candidates and the rule; a random pick records its "
            "`seed` so anyone can replay the draw. `mode` may come in the query or the body."
        ),
        parameters=[
            OpenApiParameter("mode", enum=[m.value for m in SelectionMode], required=False)
        ],
        request=SelectQuerySerializer,
        examples=[
            OpenApiExample(
                "Highest votes this time", request_only=True, value={"mode": "highest_votes"}
            )
        ],
        responses=responses(
            {201: SelectionSerializer},
            (409, conflict(("empty_queue", services.EMPTY_QUEUE), CLOSED)),
            (
                429,
                error(
                    "Too many picks in this room this minute (`PICK_RATE`); see Retry-After.",
                    "rate_limited",
                    services.TOO_MANY_PICKS,
                ),
            ),
        ),
        tags=["queue"],
    )
    def post(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        member = require_member(request, room)
        query = parse(SelectQuerySerializer, query_params(request))
        body = parse(SelectQuerySerializer, request.data)
        mode = query.get("mode") or body.get("mode")
        selection = services.selection_make(room=room, by=member, mode=mode)
        return Response(SelectionSerializer(selection).data, status=status.HTTP_201_CREATED)


class SelectionDetailView(APIView):
    @extend_schema(
        operation_id="selections_retrieve",
        summary="A past pick, with its reason and seed",
        responses=responses({200: SelectionSerializer}),
        tags=["queue"],
    )
    def get(self, request: Request, selection_id: str) -> Response:
        selection = services.selection_get(selection_id)
        require_reader(request, selection.room)
        return Response(SelectionSerializer(selection).data)
