from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
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
    HandOverSerializer,
    JoinSerializer,
    MemberInSerializer,
    MemberSerializer,
    MemberTokenSerializer,
    RoomCreateSerializer,
    RoomPublicSerializer,
    RoomSerializer,
    RoomUpdateSerializer,
    RoomWithTokenSerializer,
    ScreenOpenSerializer,
    ScreenSerializer,
    ScreenTokenSerializer,
)
from watchqueue_site.api import parse
from watchqueue_site.schema import BAD_REQUEST, ErrorSerializer, error, responses

RATE_LIMITED = error(
    "Too many failed join attempts from this address; see Retry-After.",
    "rate_limited",
    "Too many failed join attempts from your address. Try again later.",
)
ROOM_CREATE_LIMITED = error(
    "Too many rooms created from this address (ROOM_CREATE_RATE); see Retry-After.",
    "rate_limited",
    "Too many rooms created from your address. Try again later.",
)
USER_ID_TAKEN = OpenApiResponse(
    ErrorSerializer,
    description=(
        "The user_id is taken, or belonged to a member who left (`user_id_taken`), the name is "
        "taken by a present member (`name_taken`), or the room has its most members "
        "(`ROOM_MEMBERS_MAX`, `room_full`), or the room is closed (`room_closed`)."
    ),
    examples=[
        OpenApiExample(
            "user_id_taken", value={"error": "user_id_taken", "detail": services.USER_ID_TAKEN}
        ),
        OpenApiExample("name_taken", value={"error": "name_taken", "detail": services.NAME_TAKEN}),
        OpenApiExample(
            "room_full",
            value={"error": "room_full", "detail": services.ROOM_FULL.format(limit=50)},
        ),
        OpenApiExample(
            "room_closed", value={"error": "room_closed", "detail": services.ROOM_CLOSED}
        ),
    ],
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
            "others are places that their people claim by joining with the same `user_id`. "
            "Two members may not share a `user_id` or a name (compared ignoring case and "
            "repeated spaces): 400."
        ),
        request=RoomCreateSerializer,
        responses={201: RoomWithTokenSerializer, 400: BAD_REQUEST, 429: ROOM_CREATE_LIMITED},
        examples=[CREATE_EXAMPLE],
        tags=["rooms"],
    )
    def post(self, request: Request) -> Response:
        data = parse(RoomCreateSerializer, request.data)
        room, host, token = services.room_create(
            name=data["name"],
            members=data["members"],
            settings=data.get("settings"),
            address=client_address(request),
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
            409: error(
                "The room has its most screens (`ROOM_SCREENS_MAX`).",
                "screens_full",
                services.SCREENS_FULL.format(limit=20),
            ),
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
            "with the request (joining again from another device). The `user_id` of a member "
            "who left or was removed is never given to anyone else (409), and a name a present "
            "member already has (compared ignoring case and repeated spaces) answers 409 "
            "`name_taken`. Omit `user_id` to get one made from the name. Failed attempts are "
            "rate-limited per address."
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
            "not a member: it is in no member list and not in presence; the host lists and "
            "revokes screens. Unknown codes count as failed join attempts."
        ),
        request=ScreenOpenSerializer,
        examples=[OpenApiExample("The living-room TV", request_only=True, value={"label": "TV"})],
        responses={
            200: ScreenTokenSerializer,
            400: BAD_REQUEST,
            404: error("No room has this code.", "not_found", services.CODE_NOT_FOUND),
            409: error(
                "The room has its most screens (`ROOM_SCREENS_MAX`).",
                "screens_full",
                services.SCREENS_FULL.format(limit=20),
            ),
            429: RATE_LIMITED,
        },
        auth=[],
        tags=["rooms"],
    )
    def post(self, request: Request, code: str) -> Response:
        data = parse(ScreenOpenSerializer, request.data)
        room, screen, token = services.screen_open(
            code=code, address=client_address(request), **data
        )
        return Response(
            {
                "room": RoomSerializer(room).data,
                "screen": ScreenSerializer(screen).data,
                "token": token,
            }
        )


class ScreenCollectionView(APIView):
    @extend_schema(
        operation_id="rooms_screens_list",
        summary="List the room's screens (host only)",
        responses=responses({200: ScreenSerializer(many=True)}),
        tags=["rooms"],
    )
    def get(self, request: Request, room_id: str) -> Response:
        room = services.room_get(room_id)
        member = require_member(request, room)
        screens = services.screens_list(room=room, by=member)
        return Response(ScreenSerializer(screens, many=True).data)


class ScreenDetailView(APIView):
    @extend_schema(
        operation_id="rooms_screens_revoke",
        summary="Revoke a screen (host only)",
        description=(
            "The screen's token stops working and its open event streams end at once, after "
            "a `screen_revoked` event."
        ),
        responses=responses({204: None}),
        tags=["rooms"],
    )
    def delete(self, request: Request, room_id: str, screen_id: str) -> Response:
        room = services.room_get(room_id)
        member = require_member(request, room)
        services.screen_revoke(room=room, by=member, screen_id=screen_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
            (
                409,
                error(
                    "The host cannot leave before handing the room over.",
                    "host_cannot_leave",
                    services.HOST_CANNOT_LEAVE,
                ),
            ),
        ),
        tags=["rooms"],
    )
    def delete(self, request: Request, room_id: str, user_id: str) -> Response:
        room = services.room_get(room_id)
        member = require_member(request, room)
        services.member_remove(room=room, by=member, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoomHostView(APIView):
    @extend_schema(
        operation_id="rooms_hand_over",
        summary="Hand the room over to another member (host only)",
        description=(
            "The member named by `user_id`, who must have joined, becomes the host; the former "
            "host becomes a member like the others, who may then leave. Everyone gets a "
            "`member_update` event with `action` `host_changed`. The answer is the room."
        ),
        request=HandOverSerializer,
        examples=[OpenApiExample("To Bob", request_only=True, value={"user_id": "bob"})],
        responses=responses(
            {200: RoomSerializer},
            (
                409,
                OpenApiResponse(
                    ErrorSerializer,
                    description=(
                        "The member is the host already (`already_host`) or has not joined "
                        "yet (`not_joined`)."
                    ),
                    examples=[
                        OpenApiExample(
                            "already_host",
                            value={"error": "already_host", "detail": services.HAND_OVER_TO_SELF},
                        ),
                        OpenApiExample(
                            "not_joined",
                            value={
                                "error": "not_joined",
                                "detail": services.HAND_OVER_NOT_JOINED.format(name="Carol"),
                            },
                        ),
                    ],
                ),
            ),
        ),
        tags=["rooms"],
    )
    def post(self, request: Request, room_id: str) -> Response:
        room = services.room_get(room_id)
        member = require_member(request, room)
        data = parse(HandOverSerializer, request.data)
        services.room_hand_over(room=room, by=member, user_id=data["user_id"])
        return Response(RoomSerializer(services.room_get(room_id)).data)


class MemberTokenView(APIView):
    @extend_schema(
        operation_id="rooms_members_sign_out_others",
        summary="Sign out your other devices (yourself only)",
        description=(
            "Every token of yours made before this one stops working, including the one sent "
            "with this request, and the WebSockets and event streams opened with them are "
            "closed after a `member_signed_out` event. The answer holds your new token."
        ),
        request=None,
        responses=responses({200: MemberTokenSerializer}),
        tags=["rooms"],
    )
    def post(self, request: Request, room_id: str, user_id: str) -> Response:
        room = services.room_get(room_id)
        member = require_member(request, room)
        member, token = services.member_sign_out_others(room=room, by=member, user_id=user_id)
        return Response({"member": MemberSerializer(member).data, "token": token})
