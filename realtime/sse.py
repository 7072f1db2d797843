"""Server-Sent Events: a room's changes as `text/event-stream`, for `EventSource` clients.

Each event goes out as `id: <seq>`, `event: <type>`, `data: <json>`, so a browser that
reconnects sends `Last-Event-ID` and gets exactly what it missed, or a `resync` event when that
is older than the events kept. A comment line keeps an idle stream open through proxies; when
the client goes away the stream's task is cancelled and its subscription dropped at once.
"""

import asyncio
import json
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from realtime.feed import Lagging, Subscriber, feed
from rooms.auth import INVALID_TOKEN, OTHER_ROOM, TOKEN_REQUIRED, stream_token
from rooms.models import Room
from rooms.tokens import reader_from_token
from watchqueue_site.api import error_body
from watchqueue_site.events import EventType

STREAMS = {
    "room": None,
    "votes": frozenset({EventType.VOTE_UPDATE}),
    "queue": frozenset({EventType.QUEUE_UPDATE}),
}
RESYNC_BEHIND = "Events you missed are no longer kept: fetch the room's state again."
RESYNC_LAGGING = "You fell too far behind: reconnect and fetch the room's state again."
ROOM_NOT_FOUND = "No room with this id."


def _frame(event: str, data: str, seq: int | None = None) -> str:
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n"


def _resync(room_id: str, reason: str) -> str:
    payload = {"type": "resync", "room_id": room_id, "reason": reason}
    return _frame("resync", json.dumps(payload))


def _since(request: HttpRequest) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


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
            yield _frame(message.type, message.text, message.seq)
            if message.type == EventType.ROOM_DELETED:
                return
    finally:
        feed.unsubscribe(subscriber)


@require_GET
async def room_events(request: HttpRequest, kind: str, room_id: str) -> HttpResponse:
    token = stream_token(request, room_id)
    if token is None:
        return JsonResponse(error_body("not_authenticated", TOKEN_REQUIRED), status=401)
    reader = await sync_to_async(reader_from_token)(token)
    if reader is None:
        return JsonResponse(error_body("invalid_token", INVALID_TOKEN), status=401)
    if not await Room.objects.filter(pk=room_id).aexists():
        return JsonResponse(error_body("not_found", ROOM_NOT_FOUND), status=404)
    if reader.room_id != room_id:
        return JsonResponse(error_body("forbidden", OTHER_ROOM), status=403)
    subscriber, complete = await feed.subscribe(room_id, since=_since(request), types=STREAMS[kind])
    response = StreamingHttpResponse(
        _stream(subscriber, complete), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
