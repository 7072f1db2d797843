"""The event outbox: the record of every change, written by the service that made it.

The services call `event_record` inside the same atomic block as the change itself, so an event
exists if and only if its change committed, and a room's events are numbered in commit order.
Once the block commits, the event is handed to `event_committed`, where the real-time layer
registers its change feed (`realtime/apps.py`); the outbox knows nothing of who listens.
"""

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F
from django.utils import timezone

from watchqueue_site.db import in_atomic_block, on_commit
from watchqueue_site.hooks import Hook
from watchqueue_site.models import RoomEvent


class EventType:
    ROOM_UPDATE = "room_update"
    ROOM_DELETED = "room_deleted"
    MEMBER_UPDATE = "member_update"
    QUEUE_UPDATE = "queue_update"
    VOTE_UPDATE = "vote_update"
    SELECTION = "selection"
    VOTING_ROUND_START = "voting_round_start"
    VOTING_ROUND_END = "voting_round_end"
    HISTORY_UPDATE = "history_update"
    USER_JOINED = "user_joined"
    USER_LEFT = "user_left"
    SCREEN_REVOKED = "screen_revoked"
    MEMBER_SIGNED_OUT = "member_signed_out"
    EVENING_UPDATE = "evening_update"
    SEEN_UPDATE = "seen_update"
    MATCH = "match"


# Called once per event, with the event as clients receive it, after its transaction commits,
# from the committing thread.
event_committed: Hook[[dict[str, Any]], None] = Hook("event_committed")


def event_record(room: models.Model, type: str, payload: dict[str, Any]) -> RoomEvent:
    """Record an event of `room` (a `rooms.Room`: any row with an `event_seq` counter)."""
    if not in_atomic_block():
        raise RuntimeError("event_record() must run inside the atomic block of its change")
    rooms = room.__class__._default_manager.filter(pk=room.pk)
    # The increment takes the room's row for the rest of the transaction, so concurrent changes
    # to one room get consecutive numbers in the order they commit.
    rooms.update(event_seq=F("event_seq") + 1)
    room.event_seq = rooms.values_list("event_seq", flat=True).get()
    # Round-trip through JSON so that what is stored is exactly what clients will parse.
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    event = RoomEvent.objects.create(room_id=room.pk, seq=room.event_seq, type=type, payload=data)
    message = event.as_message()
    on_commit(lambda: event_committed(message))
    return event


def events_after(room_id: str, after: int, upto: int | None = None) -> list[dict[str, Any]]:
    """A room's events numbered after `after` (up to `upto`), as clients receive them."""
    events = RoomEvent.objects.filter(room_id=room_id, seq__gt=after).order_by("seq")
    if upto is not None:
        events = events.filter(seq__lte=upto)
    return [event.as_message() for event in events]


def events_oldest_seq(room_id: str) -> int | None:
    """The number of the oldest event still kept for a room."""
    return (
        RoomEvent.objects.filter(room_id=room_id)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )


def events_purge_old() -> int:
    """Delete events older than EVENT_RETENTION_SECONDS; a client that needs them resyncs."""
    cutoff = timezone.now() - timedelta(seconds=settings.EVENT_RETENTION_SECONDS)
    deleted, _ = RoomEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted
