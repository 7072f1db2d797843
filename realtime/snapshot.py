"""A room's whole state at one event number, for a client to continue from with the event
stream (`?since=` on the WebSocket, `Last-Event-ID` on SSE).

The number is read before the state. Whatever changes while the state is being read is then in
the state and also arrives as an event after the number; every event carries the whole state it
is about (the item, the counts, the presence list), so applying it a second time changes
nothing. No transaction is needed, and none is held open on either backend.
"""

from typing import Any

from django.utils import timezone

from queues.services import room_queue
from realtime.presence import presence_online
from rooms.models import Member, Room
from rooms.services import room_get
from rooms.tokens import Screen
from selection.models import Selection
from tonight.services import tonight_load, tonight_payload
from voting.models import Vote, VotingRound
from voting.services import rounds_close_due


def room_snapshot(room: Room, reader: Member | Screen) -> dict[str, Any]:
    rounds_close_due(room)
    seq = Room.objects.values_list("event_seq", flat=True).get(pk=room.pk)
    room = room_get(room.pk)
    queue = room_queue(room)
    votes = Vote.objects.filter(item_id__in=[item.pk for item in queue]).order_by("created_at")
    you = reader if isinstance(reader, Member) else None
    return {
        "seq": seq,
        "server_time": timezone.now(),
        "room": room,
        "queue": queue,
        "votes": list(votes),
        "round": VotingRound.objects.filter(room=room).order_by("-started_at").first(),
        "selection": Selection.objects.filter(room=room)
        .select_related("item")
        .order_by("-created_at")
        .first(),
        "presence": presence_online(room.pk),
        "tonight": tonight_payload(tonight_load(room, items=queue), you),
        "you": you,
    }
