from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from realtime.presence import presence_online
from realtime.serializers import PresenceSerializer, SnapshotSerializer
from realtime.snapshot import room_snapshot
from rooms.auth import require_reader
from rooms.services import room_get
from watchqueue_site.schema import responses


class SnapshotView(APIView):
    @extend_schema(
        operation_id="rooms_snapshot",
        summary="Everything a client shows, at one event number",
        description=(
            "The room, its queue with every vote, the round, the latest pick and who is here, "
            "with `seq`, the room's event number this state is at. Connect the WebSocket with "
            "`?since=<seq>` (or SSE with `Last-Event-ID: <seq>`) to continue from it without "
            "missing a change; refetch this after a `resync`. A screen's token may read it."
        ),
        responses=responses({200: SnapshotSerializer}),
        tags=["real time"],
    )
    def get(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        reader = require_reader(request, room)
        return Response(SnapshotSerializer(room_snapshot(room, reader)).data)


class PresenceView(APIView):
    @extend_schema(
        operation_id="rooms_presence",
        summary="Who is in the room right now",
        description=(
            "Members with at least one live WebSocket connection, in any server process. SSE "
            "clients follow changes through the `user_joined` and `user_left` events."
        ),
        responses=responses({200: PresenceSerializer}),
        tags=["real time"],
    )
    def get(self, request: Request, room_id: str) -> Response:
        room = room_get(room_id)
        require_reader(request, room)
        return Response({"users": presence_online(room.pk)})
