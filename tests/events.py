"""The events a write records, as the room's clients receive them.

    with recorded(setup.room) as events:
        vote_cast(item_id=item.pk, by=bob, value="up")
    assert events == [{"type": "vote_update", "user_id": "bob", "vote": "up", ...}]

Each event is checked on the way out: numbered straight after the one before it, of this room,
and unchanged by a round trip through JSON, so what a client parses is what was recorded. Its
`seq` and `room_id` are checked here and left out, so a test states only what happened.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rooms.models import Room
from watchqueue_site.models import RoomEvent

Event = dict[str, Any]


def room_events(room: Room, after: int = 0) -> list[Event]:
    """The room's events numbered after `after`, in order, as clients receive them."""
    rows = RoomEvent.objects.filter(room_id=room.pk, seq__gt=after).order_by("seq")
    messages = [row.as_message() for row in rows]
    assert [m["seq"] for m in messages] == list(range(after + 1, after + 1 + len(messages)))
    events = []
    for message in messages:
        received = json.loads(json.dumps(message))
        assert received == message
        assert received.pop("room_id") == room.pk
        del received["seq"]
        events.append(received)
    return events


def _counter(room: Room) -> int | None:
    return Room.objects.filter(pk=room.pk).values_list("event_seq", flat=True).first()


@contextmanager
def recorded(room: Room) -> Iterator[list[Event]]:
    """The events recorded in `room` while the block runs; the list is filled when it ends."""
    after = _counter(room)
    assert after is not None, "recorded() needs a room that exists when the block starts"
    events: list[Event] = []
    yield events
    events.extend(room_events(room, after))
    # The room's counter moved once per event kept (unless the block deleted the room).
    assert _counter(room) in (None, after + len(events))
