from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rooms import services
from rooms.auth import (
    client_address,
    presented_member,
    require_member,
    require_reader,
)
from rooms.serializers import (
    JoinSerializer,
    MemberInSerializer,
    MemberSerializer,
    RoomCreateSerializer,
    RoomPublicSerializer,
    RoomSerializer,
    RoomUpdateSerializer,
    RoomWithTokenSerializer,
    ScreenTokenSerializer,
)
from watchqueue_site.api import parse
from watchqueue_site.schema import BAD_REQUEST, error, responses

RATE_LIMITED = error(
    "Too many failed join attempts from this address; see Retry-After.",
    "rate_limited",
    "Too many failed join attempts from your address. Try again later.",
)
USER_ID_TAKEN = error(
    "The user_id is taken.", "user_id_taken", "Someone in this room already uses this user_id."
)

CREATE_EXAMPLE = OpenApiExample(
    "Friday night",
    request_only=True,
    value={
        "name": "Friday Night Movies",
        "members": [
            {"user_id": "alice", "name": "Alice", "avatar": "🦊"},
            {"user_id": "bob", "name": "Bob", "avatar": "🐻"},
        ],
        "settings": {
            "voting_duration_seconds": 60,
            "selection_mode": "weighted_random",
            "allow_revotes": True,
        },
    },
)
JOIN_EXAMPLE = OpenApiExample(
    "Bob claims his place",
    request_only=True,
    value={"user_id": "bob", "name": "Bob", "avatar": "🐻"},
)


def _with_token(room, member, token) -> dict:
    return {
        "room": RoomSerializer(room).data,
        "member": MemberSerializer(member).data,
        "token": token,
    }


class RoomCollectionView(APIView):
    authentication_classes = []
    permission_classes = []

    @extend_schema(
        operation_id="rooms_create",
        summary="Create a room",
        description=(
            "The first entry of `members` is the host and gets the `token` in the answer. The "
            "others are places that their people claim by joining with the same `user_id`."
        ),
        request=RoomCreateSerializer,
        responses={201: RoomWithTokenSerializer, 400: BAD_REQUEST},
        examples=[CREATE_EXAMPLE],
        tags=["rooms"],
    )
    def post(self, request: Request) -> Response:
        data = parse(RoomCreateSerializer, request.data)
        room, host, token = services.room_create(
            name=data["name"], members=data["members"], settings=data.get("settings")
        )
        return Response(_with_token(room, host, token), status=status.HTTP_201_CREATED)


class RoomDetailView(APIView):
    @extend_schema(
        operation_id="rooms_retrieve",
        summary="Get a room",
        responses=responses({200: RoomSerializer}),
        tags=["rooms"],
    )
    def get(self, request: Request, room_id: str) -> Response:
        room = services.room_get(room_id)
        require_reader(request, room)
        return Response(RoomSerializer(room).data)

    @extend_schema(
        operation_id="rooms_update",
        summary="Change a room's name, settings or status (host only)",
        request=RoomUpdateSerializer,
        responses=responses({200: RoomSerializer}),
        examples=[
            OpenApiExample(
                "Switch to highest votes",
                request_only=True,
                value={"settings": {"selection_mode": "highest_votes", "allow_revotes": False}},
            ),
            OpenApiExample("Close the room", request_only=True, value={"status": "closed"}),
        ],
        tags=["rooms"],
    )
    def patch(self, request: Request, room_id: str) -> Response:
        room = services.room_get(room_id)
        member = require_member(request, room)
        data = parse(RoomUpdateSerializer, request.data)
        room = services.room_update(room=room, by=member, **data)
        return Response(RoomSerializer(room).data)

    @extend_schema(
        operation_id="rooms_destroy",
        summary="Delete a room and everything in it (host only)",
        responses=responses({204: None}),
        tags=["rooms"],
    )
    def delete(self, request: Request, room_id: str) -> Response:
        room = services.room_get(room_id)
        member = require_member(request, room)
        services.room_delete(room=room, by=member)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoomByCodeView(APIView):
    authentication_classes = []
    permission_classes = []

    @extend_schema(
        operation_id="rooms_by_code",
        summary="Look up a room by its join code (no token needed)",
        description=(
            "What a join screen needs: the room's name and who is in it, so a friend can pick "
            "their listed place. Case, spaces and dashes in the code are ignored. Unknown codes "
            "count as failed join attempts."
        ),
        responses={
            200: RoomPublicSerializer,
            404: error("No room has this code.", "not_found", services.CODE_NOT_FOUND),
            429: RATE_LIMITED,
        },
        auth=[],
        tags=["rooms"],
    )
    def get(self, request: Request, code: str) -> Response:
        room = services.room_get_by_code(code=code, address=client_address(request))
        return Response(RoomPublicSerializer(room).data)


class RoomJoinView(APIView):
    permission_classes = []  # a token is optional: the same person on another device

    def perform_authentication(self, request: Request) -> None:
        """Joining needs no token; one that comes along only proves a re-join (see below)."""

    @extend_schema(
        operation_id="rooms_join",
        summary="Join a room with its code",
        description=(
            "Joins as a new member, or claims a place listed when the room was created. A "
            "`user_id` someone already claimed answers 409 unless that member's own token comes "
            "with the request (joining again from another device). Omit `user_id` to get one "
            "made from the name. Failed attempts are rate-limited per address."
        ),
        request=JoinSerializer,
        # A token is optional here: the member's own, to join again from another device.
        auth=[{}, {"memberToken": []}],
        responses={
            200: RoomWithTokenSerializer,
            400: BAD_REQUEST,
            404: error("No room has this code.", "not_found", services.CODE_NOT_FOUND),
            409: USER_ID_TAKEN,
            429: RATE_LIMITED,
        },
        examples=[JOIN_EXAMPLE],
        tags=["rooms"],
    )
    def post(self, request: Request, code: str) -> Response:
        data = parse(JoinSerializer, request.data)
        room, member, token = services.room_join(
            code=code,
            address=client_address(request),
            presented=presented_member(request),
            **data,
        )
        return Response(_with_token(room, member, token))


class RoomScreenView(APIView):
    authentication_classes = []
    permission_classes = []

    @extend_schema(
        operation_id="rooms_screen",
        summary="Open a read-only screen of a room (a TV) with its join code",
        description=(
            "The answer's `token` reads everything a member's token reads (the room, its "
            "queue, votes, round, history, the event streams) and changes nothing. A screen is "
            "not a member: it is in no list and not in presence. Unknown codes count as failed "
            "join attempts."
        ),
        request=None,
        responses={
            200: ScreenTokenSerializer,
            404: error("No room has this code.", "not_found", services.CODE_NOT_FOUND),
            429: RATE_LIMITED,
        },
        auth=[],
        tags=["rooms"],
    )
    def post(self, request: Request, code: str) -> Response:
        room, token = services.screen_open(code=code, address=client_address(request))
        return Response({"room": RoomSerializer(room).data, "token": token})


class MemberCollectionView(APIView):
    @extend_schema(
        operation_id="rooms_members_add",
        summary="List a friend who has not joined yet",
        description="They claim the place by joining with the room's code and this user_id.",
        request=MemberInSerializer,
        responses=responses({201: MemberSerializer}, (409, USER_ID_TAKEN)),
        examples=[
            OpenApiExample(
                "Carol",
                request_only=True,
                value={"user_id": "carol", "name": "Carol", "avatar": "🐼"},
            )
        ],
        tags=["rooms"],
    )
    def post(self, request: Request, room_id: str) -> Response:
        room = services.room_get(room_id)
        member = require_member(request, room)
        data = parse(MemberInSerializer, request.data)
        added = services.member_add(room=room, by=member, **data)
        return Response(MemberSerializer(added).data, status=status.HTTP_201_CREATED)


class MemberDetailView(APIView):
    @extend_schema(
        operation_id="rooms_members_remove",
        summary="Remove a member (the host removes others; anyone may leave)",
        description="The member's token stops working and their votes are withdrawn.",
        responses=responses(
            {204: None},
            (409, error("The host cannot leave.", "host_cannot_leave", services.HOST_CANNOT_LEAVE)),
        ),
        tags=["rooms"],
    )
    def delete(self, request: Request, room_id: str, user_id: str) -> Response:
        room = services.room_get(room_id)
        member = require_member(request, room)
        services.member_remove(room=room, by=member, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
