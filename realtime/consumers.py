"""The room's WebSocket: `/ws/{room_id}/{user_id}?token=…`.

Client messages that change state go through the same services as the REST API, so their
results reach everyone, the sender included, through the change feed, never from here.
"""

import asyncio
import json
from collections.abc import Coroutine
from typing import Any
from urllib.parse import parse_qs, urlparse

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from queues.serializers import QueueAddSerializer
from queues.services import ADD_AS_SELF_ONLY, queue_item_add
from realtime.feed import Ended, Lagging, feed, parse_seq
from realtime.presence import presence_enter, presence_leave, presence_online
from realtime.revocation import CLOSE_REVOKED, ends_for
from rooms.models import Member
from rooms.services import room_get
from rooms.tokens import cookie_name, member_from_token
from selection.serializers import SelectQuerySerializer
from selection.services import selection_make
from voting.serializers import RoundStartSerializer, VoteCastSerializer
from voting.services import round_start, vote_cast
from watchqueue_site.api import exception_handler, parse
from watchqueue_site.errors import Forbidden

# Close codes in the 4000s, as the WebSocket spec leaves them to applications. Those an event
# ends a connection with (revoked, room deleted, room closed) are in `realtime.revocation`.
CLOSE_UNAUTHORIZED = CLOSE_REVOKED
CLOSE_FORBIDDEN = 4403
CLOSE_HEARTBEAT = 4408
CLOSE_LAGGING = 4409

UNKNOWN_TYPE = "Unknown message type."
NOT_JSON = "Messages must be JSON objects with a 'type'."
RESYNC_BEHIND = "Events you missed are no longer kept: fetch the room's state again."
RESYNC_LAGGING = "You fell too far behind: reconnect and fetch the room's state again."

# Tasks nothing else holds on to (pings, closes), kept until done so none is collected midway.
_background: set[asyncio.Task] = set()


def _cookie_token(scope: dict[str, Any], room_id: str) -> str | None:
    """The room's token from the site's cookie, for a page of this same site only.

    A browser sends cookies with a WebSocket opened by any page, so a cookie counts only when
    the page's Origin is the host the socket was opened to: another site's page cannot act as
    the member whose browser it runs in.
    """
    headers = dict(scope.get("headers", []))
    origin = urlparse(headers.get(b"origin", b"").decode("latin-1"))
    host = headers.get(b"host", b"").decode("latin-1")
    if not host or origin.netloc != host:
        return None
    return scope.get("cookies", {}).get(cookie_name(room_id))


def _query(scope: dict[str, Any]) -> dict[str, str]:
    parsed = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return {key: values[-1] for key, values in parsed.items()}


class RoomConsumer(AsyncWebsocketConsumer):
    member: Member
    room_id: str

    async def connect(self) -> None:
        self.room_id = self.scope["url_route"]["kwargs"]["room_id"]
        user_id = self.scope["url_route"]["kwargs"]["user_id"]
        query = _query(self.scope)
        token = query.get("token") or _cookie_token(self.scope, self.room_id)
        member = await database_sync_to_async(member_from_token)(token) if token else None
        if member is None:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        if member.room_id != self.room_id or member.user_id != user_id:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.member = member
        since = parse_seq(query.get("since"))
        self.subscriber, complete = await feed.subscribe(
            self.room_id, since=since, ends=ends_for(member)
        )
        # A removal or sign-out that committed between the token check above and the
        # subscription is before the events it follows: look again now that it follows them.
        if await database_sync_to_async(member_from_token)(token) is None:
            feed.unsubscribe(self.subscriber)
            del self.subscriber
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        await self.accept()
        if not complete:
            await self._send({"type": "resync", "room_id": self.room_id, "reason": RESYNC_BEHIND})
        self.missed_pongs = 0
        self.sending: asyncio.Task | None = None
        self.heartbeat = asyncio.get_running_loop().call_later(
            settings.WS_HEARTBEAT_INTERVAL, self._beat
        )
        self.subscriber.on_ready = self._wake
        self._wake()
        # The first connection of a member records `user_joined`, which every client of the
        # room gets through the feed, this one included; this one also gets the whole list.
        self.connection_id = await database_sync_to_async(presence_enter)(member)
        await self._send(await self._presence())

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "subscriber"):
            return
        self._stop()
        if hasattr(self, "connection_id"):
            await database_sync_to_async(presence_leave)(self.connection_id)

    async def _presence(self) -> dict[str, Any]:
        users = await database_sync_to_async(presence_online)(self.room_id)
        return {"type": "presence", "users": users}

    async def _send(self, data: dict[str, Any]) -> None:
        await self.send(
            text_data=json.dumps(
                data, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
            )
        )

    # The room's events reach the client by push: the feed wakes the consumer, which sends what
    # is buffered and stops. An idle connection has no task or pending future of its own, only
    # its heartbeat timer.

    def _wake(self) -> None:
        if self.sending is None:
            self.sending = asyncio.ensure_future(self._send_buffered())

    async def _send_buffered(self) -> None:
        """Send the room's events buffered for this client, in order."""
        try:
            while True:
                try:
                    message = self.subscriber.take()
                except Lagging:
                    reason = {"type": "resync", "room_id": self.room_id, "reason": RESYNC_LAGGING}
                    await self._send(reason)
                    await self._close(CLOSE_LAGGING)
                    return
                except Ended as ended:
                    await self._close(ended.code)
                    return
                if message is None:
                    return
                await self.send(text_data=message.text)
        finally:
            self.sending = None

    def _beat(self) -> None:
        """Every WS_HEARTBEAT_INTERVAL seconds: ping, or close after two unanswered pings."""
        if self.missed_pongs >= 2:
            self._spawn(self._close(CLOSE_HEARTBEAT))
            return
        self.missed_pongs += 1
        self._spawn(self._send({"type": "ping"}))
        self.heartbeat = asyncio.get_running_loop().call_later(
            settings.WS_HEARTBEAT_INTERVAL, self._beat
        )

    def _spawn(self, coroutine: Coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        _background.add(task)
        task.add_done_callback(_background.discard)

    async def _close(self, code: int) -> None:
        self._stop()
        await self.close(code=code)

    def _stop(self) -> None:
        """Stop the heartbeat and the room's events; idempotent."""
        if heartbeat := getattr(self, "heartbeat", None):
            heartbeat.cancel()
        self.subscriber.on_ready = None
        feed.unsubscribe(self.subscriber)

    # Client messages

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = json.loads(text_data or "")
        except (ValueError, RecursionError):
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self._error(None, {"error": "malformed_message", "detail": NOT_JSON}, 400)
            return
        kind = message.pop("type")
        ref = message.pop("ref", None)
        handler = getattr(self, f"on_{kind}", None) if kind in CLIENT_TYPES else None
        if handler is None:
            await self._error(kind, {"error": "unknown_type", "detail": UNKNOWN_TYPE}, 400, ref)
            return
        try:
            await handler(message)
        except Exception as error:  # every failure is answered, and the connection stays open
            response = exception_handler(error, {})
            if response is None:
                raise
            body = dict(response.data)
            # What REST says in a header, a message says in its body: when to try again.
            if retry_after := response.headers.get("Retry-After"):
                body["retry_after"] = int(retry_after)
            await self._error(kind, body, response.status_code, ref)

    async def _error(
        self, kind: str | None, body: dict[str, Any], status: int, ref: Any = None
    ) -> None:
        await self._send(
            {"type": "error", "status": status, "in_reply_to": kind, "ref": ref, **body}
        )

    async def on_pong(self, message: dict[str, Any]) -> None:
        self.missed_pongs = 0

    async def on_get_presence(self, message: dict[str, Any]) -> None:
        await self._send(await self._presence())

    @database_sync_to_async
    def on_vote(self, message: dict[str, Any]) -> None:
        data = parse(VoteCastSerializer, message)
        vote_cast(
            item_id=data["item_id"], by=self.member, value=data["vote"], user_id=data.get("user_id")
        )

    @database_sync_to_async
    def on_queue_add(self, message: dict[str, Any]) -> None:
        data = parse(QueueAddSerializer, {**message, "room_id": self.room_id})
        data.pop("room_id")
        if data.pop("added_by", self.member.user_id) != self.member.user_id:
            raise Forbidden(ADD_AS_SELF_ONLY)
        queue_item_add(room=room_get(self.room_id), by=self.member, **data)

    @database_sync_to_async
    def on_selection(self, message: dict[str, Any]) -> None:
        data = parse(SelectQuerySerializer, message)
        selection_make(room=room_get(self.room_id), by=self.member, mode=data.get("mode"))

    @database_sync_to_async
    def on_voting_round_start(self, message: dict[str, Any]) -> None:
        data = parse(RoundStartSerializer, message)
        round_start(
            room=room_get(self.room_id),
            by=self.member,
            duration_seconds=data.get("duration_seconds"),
        )


CLIENT_TYPES = {"vote", "queue_add", "selection", "voting_round_start", "get_presence", "pong"}
