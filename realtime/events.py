"""Room events: the record of every change, written by the service that made it.

The services call `event_record` inside the same atomic block as the change itself, so an event
exists if and only if its change committed, and a room's events are numbered in commit order.
Once the block commits, the event goes to this process's change feed (`realtime.feed`).
"""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F

from realtime.feed import feed
from realtime.models import RoomEvent
from rooms.models import Room
from watchqueue_site.db import in_atomic_block, on_commit


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


def event_record(room: Room, type: str, payload: dict[str, Any]) -> RoomEvent:
    if not in_atomic_block():
        raise RuntimeError("event_record() must run inside the atomic block of its change")
    # The increment takes the room's row for the rest of the transaction, so concurrent changes
    # to one room get consecutive numbers in the order they commit.
    Room.objects.filter(pk=room.pk).update(event_seq=F("event_seq") + 1)
    room.event_seq = Room.objects.values_list("event_seq", flat=True).get(pk=room.pk)
    # Round-trip through JSON so that what is stored is exactly what clients will parse.
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    event = RoomEvent.objects.create(room_id=room.pk, seq=room.event_seq, type=type, payload=data)
    message = event.as_message()
    on_commit(lambda: feed.publish_threadsafe(message))
    return event
