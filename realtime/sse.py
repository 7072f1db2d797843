"""Server-Sent Events: a room's changes as `text/event-stream`, for `EventSource` clients.

Each event goes out as `id: <seq>`, `event: <type>`, `data: <json>`, so a browser that
reconnects sends `Last-Event-ID` and gets exactly what it missed, or a `resync` event when that
is older than the events kept. A comment line keeps an idle stream open through proxies; when
the client goes away the stream's task is cancelled and its subscription dropped at once.

The streams are async DRF views: token, permission and error answers are the API's own, and
the stream itself waits on the event loop, never on the thread that serves synchronous code.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from adrf.views import APIView
from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from realtime.feed import Ended, Lagging, Subscriber, feed, parse_seq
from realtime.revocation import ends_for
from rooms.auth import INVALID_TOKEN, require_reader
from rooms.services import room_get
from rooms.tokens import reader_from_token
from watchqueue_site.api import JSONErrorsMixin
from watchqueue_site.events import EventType
from watchqueue_site.schema import FORBIDDEN, NOT_FOUND, UNAUTHORIZED

RESYNC_BEHIND = "Events you missed are no longer kept: fetch the room's state again."
RESYNC_LAGGING = "You fell too far behind: reconnect and fetch the room's state again."
EVENT_STREAM = "text/event-stream"


class EventStreamRenderer(BaseRenderer):
    """Lets content negotiation accept `Accept: text/event-stream`, what `EventSource` sends.

    The view writes its stream itself, and `JSONErrorsMixin` renders its other answers as JSON,
    so nothing is ever rendered here.
    """

    media_type = EVENT_STREAM
    format = "sse"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        raise TypeError("An event stream is written by its view, not rendered.")


def _frame(event: str, data: str, seq: int | None = None) -> str:
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n"


def _resync(room_id: str, reason: str) -> str:
    payload = {"type": "resync", "room_id": room_id, "reason": reason}
    return _frame("resync", json.dumps(payload))


def _since(request: Request) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.query_params.get("last_event_id")
    return parse_seq(raw)


async def _stream(subscriber: Subscriber, complete: bool) -> AsyncIterator[str]:
    try:
        yield "retry: 3000\n\n"
        if not complete:
            yield _resync(subscriber.room_id, RESYNC_BEHIND)
        while True:
            try:
                message = await asyncio.wait_for(
                    subscriber.get(), timeout=settings.SSE_KEEPALIVE_SECONDS
                )
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            except Lagging:
                yield _resync(subscriber.room_id, RESYNC_LAGGING)
                return
            except Ended:
                # The member was removed, signed out, the screen revoked, or the room closed
                # or deleted: the client has had the event that says so.
                return
            yield _frame(message.type, message.text, message.seq)
    finally:
        feed.unsubscribe(subscriber)


_DESCRIPTION = (
    "A `text/event-stream` of the room's events. Each is sent as `id: <seq>`, `event: <type>` "
    "and `data: <json>`; the JSON is the event as the WebSocket sends it. A browser's "
    "`EventSource` reconnects with `Last-Event-ID` and receives exactly what it missed; if that "
    "is older than the events kept, a `resync` event tells it to fetch the room's state again. "
    "Idle streams get a comment line every `SSE_KEEPALIVE_SECONDS`. `EventSource` cannot set "
    "headers, so the member (or screen) token may come as `?token=`, or in the room's cookie "
    "`wq_<room_id>` that the site's own pages keep it in."
)
_EXAMPLE = (
    'id: 7\nevent: vote_update\ndata: {"type":"vote_update","room_id":"665f1c2e8a1b2c3d4e5f6a7b",'
    '"seq":7,"user_id":"bob","vote":"up","item_id":"665f1c2e8a1b2c3d4e5f6a7c",'
    '"upvotes":1,"downvotes":0,"vote_score":1}\n\n'
)
_STREAM_SCHEMA = {
    "parameters": [
        OpenApiParameter(
            "token",
            str,
            required=False,
            description="The member or screen token, for clients that cannot send headers.",
        ),
        # Any string: a value that is not plain ASCII digits is no event number, and the
        # stream starts from now, as `EventSource` expects of an id it does not know.
        OpenApiParameter(
            "Last-Event-ID",
            str,
            OpenApiParameter.HEADER,
            required=False,
            description=(
                "Resume after this event number; a value that is not plain digits is ignored."
            ),
        ),
        OpenApiParameter(
            "last_event_id",
            str,
            required=False,
            description="The same as `Last-Event-ID`, for a first connection from a snapshot.",
        ),
    ],
    "responses": {
        (200, EVENT_STREAM): OpenApiResponse(
            OpenApiTypes.STR,
            description="The stream.",
            examples=[OpenApiExample("A vote", value=_EXAMPLE, media_type=EVENT_STREAM)],
        ),
        # Errors are JSON, whatever the request accepts.
        (401, "application/json"): UNAUTHORIZED,
        (403, "application/json"): FORBIDDEN,
        (404, "application/json"): NOT_FOUND,
    },
    "description": _DESCRIPTION,
    "tags": ["real time"],
}


def _stream_schema(operation_id: str, which: str) -> Callable:
    return extend_schema(
        operation_id=operation_id,
        summary=f"Live stream of a room's changes (SSE). {which}",
        **_STREAM_SCHEMA,
    )


class _EventsView(JSONErrorsMixin, APIView):
    """A stream of the room's events of `types` (all of them when None).

    Each stream view defines its own async `get` for its schema: `extend_schema_view` would wrap
    an inherited one in a plain function, and the view would no longer count as async, nor run
    on the event loop.
    """

    accepts_room_cookie = True
    renderer_classes = [EventStreamRenderer]
    # Not HEAD: it would hold a subscription open for a stream nobody reads.
    http_method_names = ["get", "options"]
    types: frozenset[str] | None = None

    async def stream(self, request: Request, room_id: str) -> StreamingHttpResponse:
        room = await sync_to_async(room_get)(room_id)
        reader = require_reader(request, room)
        since = _since(request)
        subscriber, complete = await feed.subscribe(
            room.pk, since=since, types=self.types, ends=ends_for(reader)
        )
        # A removal or revocation that committed between the token check and the subscription
        # is before the events it follows: look again now that it follows them.
        if await sync_to_async(reader_from_token)(request.auth) is None:
            feed.unsubscribe(subscriber)
            raise AuthenticationFailed(INVALID_TOKEN)
        response = StreamingHttpResponse(
            _stream(subscriber, complete), content_type=f"{EVENT_STREAM}; charset=utf-8"
        )
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response


class RoomEventsView(_EventsView):
    @_stream_schema("events_room", "Every event of the room.")
    async def get(self, request: Request, room_id: str) -> StreamingHttpResponse:
        return await self.stream(request, room_id)


class VoteEventsView(_EventsView):
    types = frozenset({EventType.VOTE_UPDATE})

    @_stream_schema("events_votes", "Only `vote_update` events.")
    async def get(self, request: Request, room_id: str) -> StreamingHttpResponse:
        return await self.stream(request, room_id)


class QueueEventsView(_EventsView):
    types = frozenset({EventType.QUEUE_UPDATE})

    @_stream_schema("events_queue", "Only `queue_update` events.")
    async def get(self, request: Request, room_id: str) -> StreamingHttpResponse:
        return await self.stream(request, room_id)
