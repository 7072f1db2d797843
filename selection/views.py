from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rooms.auth import require_member, require_reader
from rooms.models import SelectionMode
from rooms.services import room_get
from selection import services
from selection.serializers import PreviewSerializer, SelectionSerializer, SelectQuerySerializer
from watchqueue_site.api import parse, query_params
from watchqueue_site.schema import CLOSED, conflict, error, responses

NOTHING_ELIGIBLE = (
    "nothing_eligible",
    "Nothing can be picked: 3 seen by enough of tonight, 2 too long. (`excluded` lists every "
    "item with its reasons.)",
)
PICK_CONFLICTS = conflict(
    ("empty_queue", services.EMPTY_QUEUE),
    NOTHING_ELIGIBLE,
    ("pick_standing", services.PICK_STANDING.format(title="Inception")),
    ("round_running", services.ROUND_RUNNING),
    CLOSED,
)
RATE_LIMITED = (
    429,
    error(
        "Too many picks in this room this minute (`PICK_RATE`); see Retry-After.",
        "rate_limited",
        services.TOO_MANY_PICKS,
    ),
)


class SelectView(APIView):
    @extend_schema(
        operation_id="queue_select",
        summary="Pick what to watch next",
        description=(
            "Picks among tonight's eligible items with the room's `selection_mode`, or `mode` "
            "for this pick. Items left out: being watched, turned down or vetoed tonight, seen "
            "by at least the room's `seen_share_percent` of attendees, or outside tonight's "
            "constraints (`GET /api/rooms/{room_id}/tonight`). "
            "`weighted_random`: weight e^(k x (up - down) / attendees), votes of tonight's "
            "attendees, k = `PICK_DRAW_STRENGTH`, x(1 + 0.1 x evenings waited, at most 5) for "
            "the adder with the room's `fair_boost`. `highest_votes`: highest score, ties to the "
            "earliest added, then the lowest id. `round_robin`: the adder with the fewest items "
            "watched (then the longest wait, in evenings) gets their best-voted item. "
            "`consensus`: among matches, else items the room's `consensus_share_percent` of "
            "attendees voted up, else highest votes. The answer's `reason` gives the rule, a "
            "`summary` in words, the candidates (a draw's with their `chance` in percent) and "
            "every item left out with all its reasons; a random pick records its `seed` so "
            "anyone can replay the draw. One pick stands at a time: while tonight's pick stands "
            "the answer is a 409 `pick_standing` with it (turn it down to pick again), and "
            "while a voting round runs a 409 `round_running` naming the round. `mode` may come "
            "in the query or the body."
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
            (409, PICK_CONFLICTS),
            RATE_LIMITED,
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


class SelectPreviewView(APIView):
    @extend_schema(
        operation_id="queue_select_preview",
        summary="What a pick would choose among now, with each candidate's chance",
        description=(
            "Nothing is picked. Lists tonight's eligible candidates (with each one's `chance` "
            "in percent for `weighted_random`, and whether it is a match), every item left out "
            "with all its reasons, whose `turn` it is in `round_robin`, and the pick that "
            "`standing`s tonight, if any."
        ),
        parameters=[
            OpenApiParameter("mode", enum=[m.value for m in SelectionMode], required=False)
        ],
        responses=responses({200: PreviewSerializer}),
        tags=["queue"],
    )
    def get(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        require_reader(request, room)
        query = parse(SelectQuerySerializer, query_params(request))
        return Response(services.selection_preview(room, query.get("mode")))


class TurnDownView(APIView):
    @extend_schema(
        operation_id="selections_turn_down",
        summary="Turn tonight's pick down and pick again without it",
        description=(
            services.TURN_DOWN_RULE + " The turned-down pick stays in the selection history "
            "(`turned_down_at`, `turned_down_by`), and the new pick's reason names it "
            "(`after_turn_down`). When nothing else can be picked, nothing changes: 409 "
            "`nothing_eligible` with every item's reasons."
        ),
        request=None,
        responses=responses(
            {201: SelectionSerializer},
            (
                409,
                conflict(
                    ("not_standing", services.NOT_STANDING),
                    ("pick_watched", services.TURNED_DOWN_WATCHED),
                    NOTHING_ELIGIBLE,
                    (
                        "no_vetoes_left",
                        "You have used your veto tonight; withdraw one to veto something else.",
                    ),
                    ("vetoes_off", "This room does not use vetoes (its vetoes_per_evening is 0)."),
                    CLOSED,
                ),
            ),
            RATE_LIMITED,
        ),
        tags=["queue"],
    )
    def post(self, request: Request, selection_id: str) -> Response:
        selection = services.selection_get(selection_id)
        member = require_member(request, selection.room)
        picked = services.selection_turn_down(selection=selection, by=member)
        return Response(SelectionSerializer(picked).data, status=status.HTTP_201_CREATED)
