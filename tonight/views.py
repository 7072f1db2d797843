from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from queues.services import item_get
from rooms.auth import require_member, require_reader
from rooms.models import Member
from rooms.serializers import MemberSerializer
from rooms.services import room_get
from tonight import services
from tonight.serializers import (
    AttendanceInSerializer,
    ConstraintsInSerializer,
    SeenAnswerSerializer,
    ServicesInSerializer,
    TonightSerializer,
)
from watchqueue_site.api import parse
from watchqueue_site.schema import CLOSED, conflict, responses

ITEM_WATCHED = ("item_watched", services.ITEM_WATCHED)
TAGS = ["tonight"]


def _answer(tonight: services.Tonight, reader: object, code: int = status.HTTP_200_OK) -> Response:
    viewer = reader if isinstance(reader, Member) else None
    return Response(services.tonight_payload(tonight, viewer), status=code)


class TonightView(APIView):
    @extend_schema(
        operation_id="tonight_retrieve",
        summary="Tonight: who is in, the constraints, vetoes, who has seen what, matches",
        description=(
            "Who is in: a member who said in or out is taken at their word; the others follow "
            "who is connected, and when nobody is connected every member who has joined is in. "
            "An item seen by at least the room's `seen_share_percent` of attendees is left out "
            "of picks. A match "
            "is an item every attendee voted up and nobody vetoed tonight."
        ),
        responses=responses({200: TonightSerializer}),
        tags=TAGS,
    )
    def get(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        reader = require_reader(request, room)
        return _answer(services.tonight_load(room), reader)

    @extend_schema(
        operation_id="tonight_update",
        summary="Set tonight's constraints",
        description=(
            "Any member. Only the fields given change. A finish-by time becomes, at pick time, "
            "a maximum runtime of the minutes left; with `max_runtime_minutes` too, the smaller "
            "one counts. `streamable_only` keeps to what streams on a service one of tonight's "
            "attendees has (`PUT /api/rooms/{room_id}/members/{user_id}/services`). A 400 "
            "names the field: a finish-by time not within the next 24 hours, or a genre both "
            "included and excluded (with what is already set)."
        ),
        request=ConstraintsInSerializer,
        examples=[
            OpenApiExample(
                "Two hours, no horror, films we can stream",
                request_only=True,
                value={
                    "finish_by": "2026-12-01T23:30:00+01:00",
                    "genres_exclude": ["Horror"],
                    "media": "movie",
                    "streamable_only": True,
                },
            )
        ],
        responses=responses({200: TonightSerializer}, (409, conflict(CLOSED))),
        tags=TAGS,
    )
    def patch(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        member = require_member(request, room)
        changes = parse(ConstraintsInSerializer, request.data)
        return _answer(services.tonight_update(room=room, by=member, **changes), member)


class EveningNewView(APIView):
    @extend_schema(
        operation_id="tonight_new_evening",
        summary="Start a new evening",
        description=(
            "The host ends the room's evening and starts the next: vetoes, attendance and "
            "matches start afresh; the constraints carry over, except a finish-by time that has "
            "passed. Marking an item watched does the same."
        ),
        request=None,
        responses=responses({201: TonightSerializer}, (409, conflict(CLOSED))),
        tags=TAGS,
    )
    def post(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        member = require_member(request, room)
        tonight = services.evening_new(room=room, by=member)
        return _answer(tonight, member, status.HTTP_201_CREATED)


class AttendanceView(APIView):
    @extend_schema(
        operation_id="tonight_attendance",
        summary="Say whether a member is in tonight",
        description="The member themself or the host. `null` goes back to following who is "
        "connected.",
        request=AttendanceInSerializer,
        examples=[OpenApiExample("Out tonight", request_only=True, value={"in": False})],
        responses=responses({200: TonightSerializer}, (409, conflict(CLOSED))),
        tags=TAGS,
    )
    def put(self, request: Request, room_id: str, user_id: str) -> Response:
        room = room_get(room_id)
        member = require_member(request, room)
        data = parse(AttendanceInSerializer, request.data)
        tonight = services.attendance_set(
            room=room, by=member, user_id=user_id, attending=data["in"]
        )
        return _answer(tonight, member)


class ServicesView(APIView):
    @extend_schema(
        operation_id="members_services",
        summary="Say which streaming services you have",
        description=(
            "Once per room, as yourself: the names from TMDB's provider list for the server's "
            "region (`GET /api/tmdb/providers`). Tonight's services are those of tonight's "
            "attendees."
        ),
        request=ServicesInSerializer,
        examples=[
            OpenApiExample(
                "Netflix and Disney+",
                request_only=True,
                value={"services": ["Netflix", "Disney Plus"]},
            )
        ],
        responses=responses({200: MemberSerializer}, (409, conflict(CLOSED))),
        tags=TAGS,
    )
    def put(self, request: Request, room_id: str, user_id: str) -> Response:
        room = room_get(room_id)
        member = require_member(request, room)
        data = parse(ServicesInSerializer, request.data)
        member = services.services_set(
            room=room, by=member, user_id=user_id, services=data["services"]
        )
        return Response(MemberSerializer(member).data)


class SeenView(APIView):
    @extend_schema(
        operation_id="queue_seen_mark",
        summary="Mark that you have seen an item",
        description=(
            "As yourself. Whoever rated the same title (same TMDB id) in the room's history, or "
            "was in the evening it was watched, has seen it too."
        ),
        request=None,
        responses=responses({200: SeenAnswerSerializer}, (409, conflict(ITEM_WATCHED, CLOSED))),
        tags=TAGS,
    )
    def put(self, request: Request, item_id: str, user_id: str) -> Response:
        return self._set(request, item_id, user_id, seen=True)

    @extend_schema(
        operation_id="queue_seen_unmark",
        summary="Unmark that you have seen an item",
        request=None,
        responses=responses({200: SeenAnswerSerializer}, (409, conflict(ITEM_WATCHED, CLOSED))),
        tags=TAGS,
    )
    def delete(self, request: Request, item_id: str, user_id: str) -> Response:
        return self._set(request, item_id, user_id, seen=False)

    def _set(self, request: Request, item_id: str, user_id: str, *, seen: bool) -> Response:
        item = item_get(item_id)
        member = require_member(request, item.room)
        item, users = services.seen_set(item_id=item.pk, by=member, user_id=user_id, seen=seen)
        return Response({"item_id": item.pk, "seen_by": users})


VETO_CONFLICTS = conflict(
    ("no_vetoes_left", services.NO_VETOES_LEFT.format(count="veto")),
    ("already_vetoed", services.ALREADY_VETOED),
    ("vetoes_off", services.VETOES_OFF),
    ITEM_WATCHED,
    CLOSED,
)


class VetoView(APIView):
    @extend_schema(
        operation_id="queue_veto",
        summary="Veto an item for tonight",
        description=(
            "Spends one of your vetoes (the room's `vetoes_per_evening`, 1 unless set; 0 turns "
            "vetoes off): the item cannot be picked this evening. Exact under concurrency: with "
            "N vetoes, N+1 at once give N successes and a 409 `no_vetoes_left`."
        ),
        request=None,
        responses=responses({201: TonightSerializer}, (409, VETO_CONFLICTS)),
        tags=TAGS,
    )
    def post(self, request: Request, item_id: str) -> Response:
        item = item_get(item_id)
        member = require_member(request, item.room)
        tonight = services.veto_add(item_id=item.pk, by=member)
        return _answer(tonight, member, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="queue_veto_withdraw",
        summary="Withdraw your veto on an item",
        description="Gives the veto back. 404 when you have not vetoed it tonight.",
        request=None,
        responses=responses({200: TonightSerializer}, (409, conflict(ITEM_WATCHED, CLOSED))),
        tags=TAGS,
    )
    def delete(self, request: Request, item_id: str) -> Response:
        item = item_get(item_id)
        member = require_member(request, item.room)
        return _answer(services.veto_withdraw(item_id=item.pk, by=member), member)
