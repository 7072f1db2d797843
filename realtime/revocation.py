"""Which room events end a client's channel, and with which WebSocket close code.

A token is checked when a WebSocket or SSE stream opens; what revokes it later is a room event,
which reaches every server process's change feed. So each subscription carries a test of the
events that end it: the feed delivers that event to the client (so it learns why) and then
ends the subscription, in every process at once.

Close codes are in the 4000s, which the WebSocket spec leaves to applications:
- 4401: the token no longer stands: its member left or was removed, signed this device out
  from another, or its screen was revoked (also the answer to a bad token on connect).
- 4410: the room was deleted.
- 4423: the room was closed.
"""

from collections.abc import Callable
from typing import Any

from rooms.models import Member, RoomStatus
from rooms.tokens import Screen
from watchqueue_site.events import EventType

CLOSE_REVOKED = 4401
CLOSE_ROOM_DELETED = 4410
CLOSE_ROOM_CLOSED = 4423

Ends = Callable[[str, dict[str, Any]], int | None]


def ends_for(reader: Member | Screen) -> Ends:
    """A test of `(type, event)` that answers the close code of the event ending `reader`'s
    channel, or None for an event that does not."""
    user_id = reader.user_id if isinstance(reader, Member) else None
    generation = reader.token_generation if isinstance(reader, Member) else 0
    screen_id = reader.screen_id if isinstance(reader, Screen) else None

    def ends(type: str, event: dict[str, Any]) -> int | None:
        if type == EventType.ROOM_DELETED:
            return CLOSE_ROOM_DELETED
        if type == EventType.ROOM_UPDATE and event["room"]["status"] == RoomStatus.CLOSED:
            return CLOSE_ROOM_CLOSED
        if (
            type == EventType.MEMBER_UPDATE
            and event["action"] == "removed"
            and event["member"]["user_id"] == user_id
        ):
            return CLOSE_REVOKED
        if (
            type == EventType.MEMBER_SIGNED_OUT
            and event["user_id"] == user_id
            and event["token_generation"] > generation
        ):
            return CLOSE_REVOKED
        if (
            type == EventType.SCREEN_REVOKED
            and screen_id is not None
            and event["screen_id"] == screen_id
        ):
            return CLOSE_REVOKED
        return None

    return ends
