"""The change feed: one per server process, fanning room events out to its WebSocket and SSE
clients.

Events reach the feed (DESIGN.md, "The path of a change"):
- from this process, handed over by the outbox's `event_committed` hook once the change has
  committed, at once;
- on MongoDB, from every process through one change stream per process
  (`realtime.mongo_stream`), resumed from its token after errors;
- and, on both backends, from a light poll that compares each watched room's `event_seq` with
  the last one delivered, which catches what another process wrote on SQLite.

Either way the feed delivers a room's events in `seq` order, each once: a duplicate is dropped
and a gap is filled from the database before anything after it goes out. Rooms are watched only
while this process has clients in them.

Each client has a bounded buffer. A client too slow to keep up is not silently skipped: its
subscription is marked lagging and the client is told to resynchronise (and is disconnected).
"""

import asyncio
import contextlib
import contextvars
import json
import logging
import re
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async

from realtime.mongo_stream import ChangeStreamWatcher, events_collection
from rooms.models import Room
from watchqueue_site.db import is_mongodb
from watchqueue_site.events import events_after, events_oldest_seq

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
BUFFER_SIZE = 1000


@dataclass(frozen=True)
class Message:
    """A room event as clients receive it, serialized once for all of them."""

    room_id: str
    type: str
    data: dict[str, Any]
    seq: int
    text: str

    @classmethod
    def of(cls, data: dict[str, Any]) -> "Message":
        return cls(
            room_id=data["room_id"],
            type=data["type"],
            data=data,
            seq=data["seq"],
            text=json.dumps(data, separators=(",", ":"), ensure_ascii=False),
        )


_SEQ = re.compile(r"[0-9]{1,18}")


def parse_seq(raw: str | None) -> int | None:
    """An event number a client sent (`?since=`, `Last-Event-ID`), or None for anything but
    plain ASCII digits: `str.isdigit()` and `int()` accept other scripts' digits, signs,
    spaces and underscores."""
    if raw is None or not _SEQ.fullmatch(raw):
        return None
    return int(raw)


class Lagging(Exception):
    """The client fell further behind than its buffer allows."""


class Ended(Exception):
    """An event ended the client's subscription (see `realtime.revocation`); it has had that
    event and every one before it."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass(eq=False)
class Subscriber:
    """One client's place in a room's stream.

    `delivered` is the last seq taken into the buffer; events are taken strictly in order, so a
    newer one waits in `pending` until the ones before it have arrived.
    """

    room_id: str
    delivered: int
    types: frozenset[str] | None = None
    limit: int = BUFFER_SIZE
    buffer: list[Message] = field(default_factory=list)
    pending: dict[int, Message] = field(default_factory=dict)
    lagging: bool = False
    # Tells which event ends this subscription (a removal of its member, ...) and its close
    # code; it sees every event of the room, whatever `types` the client wants.
    ends: Callable[[str, dict[str, Any]], int | None] | None = None
    ended: int | None = None
    # Push: called when there is something to take (WebSocket consumers send at once). Pull:
    # `get()` waits on an event, made only for subscribers that pull (SSE streams).
    on_ready: Callable[[], None] | None = None
    _ready: asyncio.Event | None = None

    def offer(self, message: Message) -> None:
        if self.lagging or self.ended is not None or message.seq <= self.delivered:
            return
        self.pending[message.seq] = message
        while self.delivered + 1 in self.pending:
            self.delivered += 1
            ready = self.pending.pop(self.delivered)
            if self.types is None or ready.type in self.types:
                self._take(ready)
            if self.ends is not None and (code := self.ends(ready.type, ready.data)) is not None:
                self.ended = code
                self.pending.clear()
                self._signal()
                return
        if len(self.pending) > self.limit:
            self._lag()

    def _take(self, message: Message) -> None:
        if len(self.buffer) >= self.limit:
            self._lag()
            return
        self.buffer.append(message)
        self._signal()

    def _lag(self) -> None:
        self.lagging = True
        self.buffer.clear()
        self.pending.clear()
        self._signal()

    def _signal(self) -> None:
        if self.on_ready is not None:
            self.on_ready()
        elif self._ready is not None:
            self._ready.set()

    def take(self) -> Message | None:
        """The next message, or None for now; raises `Lagging` once the client fell behind,
        and `Ended` once it has taken the last message before an event that ended it."""
        if self.lagging:
            raise Lagging
        if self.buffer:
            return self.buffer.pop(0)
        if self.ended is not None:
            raise Ended(self.ended)
        return None

    async def get(self) -> Message:
        """Wait for the next message; raises `Lagging` once the client fell behind."""
        while (message := self.take()) is None:
            if self._ready is None:
                self._ready = asyncio.Event()
            self._ready.clear()
            await self._ready.wait()
        return message


def _room_seqs(room_ids: list[str]) -> dict[str, int]:
    return dict(Room.objects.filter(pk__in=room_ids).values_list("pk", "event_seq"))


class Feed:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.rooms: dict[str, set[Subscriber]] = {}
        self.last_seq: dict[str, int] = {}
        self._poller: asyncio.Task | None = None
        self._filling: set[str] = set()
        self._stream: Any = None  # the MongoDB change stream, when on MongoDB

    # Start and stop

    def start(self) -> None:
        """Bind to the running event loop; idempotent."""
        loop = asyncio.get_running_loop()
        if self.loop is loop and self._poller and not self._poller.done():
            return
        self.loop = loop
        self._poller = _detached(loop, self._poll_forever())
        if is_mongodb() and self._stream is None:
            self._stream = ChangeStreamWatcher(events_collection, self.publish_threadsafe)
            self._stream.start()

    async def stop(self) -> None:
        if self._stream is not None:
            await sync_to_async(self._stream.stop, thread_sensitive=False)()
            self._stream = None
        if self._poller:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        self._poller = None

    # Subscriptions

    async def subscribe(
        self,
        room_id: str,
        *,
        since: int | None = None,
        types: Iterable[str] | None = None,
        ends: Callable[[str, dict[str, Any]], int | None] | None = None,
    ) -> tuple[Subscriber, bool]:
        """Follow a room. With `since`, first replay what came after it; `ends` tells which
        event ends the subscription.

        Returns the subscriber and whether the replay was complete: False when `since` is older
        than the events kept, and the client must refetch the room's state instead.
        """
        self.start()
        current = (await sync_to_async(_room_seqs)([room_id])).get(room_id, 0)
        complete = True
        start = current
        if since is not None and since < current:
            oldest = await sync_to_async(events_oldest_seq)(room_id)
            complete = oldest is not None and oldest <= since + 1
            start = since if complete else current
        subscriber = Subscriber(
            room_id=room_id,
            delivered=start,
            types=frozenset(types) if types is not None else None,
            ends=ends,
        )
        self.rooms.setdefault(room_id, set()).add(subscriber)
        # Events this process delivered while the read above was in flight are newer than
        # `current` and went to the room's other clients only: replay them to this one too.
        upto = max(self.last_seq.get(room_id, 0), current)
        self.last_seq[room_id] = upto
        if start < upto:
            for data in await sync_to_async(events_after)(room_id, start, upto):
                subscriber.offer(Message.of(data))
        return subscriber, complete

    def unsubscribe(self, subscriber: Subscriber) -> None:
        members = self.rooms.get(subscriber.room_id)
        if members is None:
            return
        members.discard(subscriber)
        if not members:
            del self.rooms[subscriber.room_id]
            self.last_seq.pop(subscriber.room_id, None)

    def subscriber_count(self) -> int:
        return sum(len(subscribers) for subscribers in self.rooms.values())

    # Delivery

    def publish_threadsafe(self, data: dict[str, Any]) -> None:
        """Hand over a committed event from any thread (the on-commit hook)."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        if _in_loop(loop):
            self.ingest(data)
        else:
            loop.call_soon_threadsafe(self.ingest, data)

    def ingest(self, data: dict[str, Any]) -> None:
        room_id, seq = data["room_id"], data["seq"]
        if room_id not in self.rooms:
            return
        last = self.last_seq.get(room_id, 0)
        if seq <= last:
            return
        if seq > last + 1:
            self._fill_gap(room_id)
            return
        self._deliver(Message.of(data))

    def _deliver(self, message: Message) -> None:
        self.last_seq[message.room_id] = message.seq
        for subscriber in list(self.rooms.get(message.room_id, ())):
            subscriber.offer(message)

    def _fill_gap(self, room_id: str) -> None:
        """Fetch what this process missed in a room (another process wrote it) and deliver it.

        A room's seq is taken on its row inside the writing transaction, so once seq N has
        committed, every seq before it has too: the database has the whole gap.
        """
        if room_id in self._filling or self.loop is None:
            return
        self._filling.add(room_id)
        _detached(self.loop, self._fill(room_id))

    async def _fill(self, room_id: str) -> None:
        try:
            after = self.last_seq.get(room_id, 0)
            for data in await sync_to_async(events_after)(room_id, after):
                if room_id not in self.rooms:
                    break
                if data["seq"] == self.last_seq.get(room_id, 0) + 1:
                    self._deliver(Message.of(data))
        except Exception:
            logger.exception("Could not fetch missed events of room %s", room_id)
        finally:
            self._filling.discard(room_id)

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                await self.poll()
            except Exception:
                logger.exception("The change feed's poll failed; retrying")

    async def poll(self) -> None:
        """Pick up events other processes wrote, in the rooms this process watches."""
        room_ids = list(self.rooms)
        if not room_ids:
            return
        seqs = await sync_to_async(_room_seqs)(room_ids)
        for room_id in room_ids:
            # A room gone from the table was deleted: its last event says so.
            if seqs.get(room_id, self.last_seq.get(room_id, 0) + 1) > self.last_seq.get(room_id, 0):
                self._fill_gap(room_id)


def _detached(loop: asyncio.AbstractEventLoop, coro: Coroutine) -> asyncio.Task:
    """A task of the feed's own, outside the context of the request that happened to start it.

    Inside that context, `sync_to_async` would send database calls to the request's executor,
    which is gone once the request ends.
    """
    return loop.create_task(coro, context=contextvars.Context())


def _in_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


feed = Feed()
