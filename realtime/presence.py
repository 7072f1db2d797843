"""Who is in a room right now, in this server process.

A member is online while at least one of their connections is open, so two tabs are one
member: `join` reports the first connection and `leave` the last.
"""

from collections import defaultdict
from typing import Any


class Presence:
    def __init__(self) -> None:
        self._connections: dict[str, dict[str, int]] = defaultdict(dict)
        self._members: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)

    def join(self, room_id: str, member: dict[str, Any]) -> bool:
        """Count a connection in; True if it is the member's first."""
        user_id = member["user_id"]
        count = self._connections[room_id].get(user_id, 0)
        self._connections[room_id][user_id] = count + 1
        self._members[room_id][user_id] = member
        return count == 0

    def leave(self, room_id: str, user_id: str) -> bool:
        """Count a connection out; True if it was the member's last."""
        count = self._connections[room_id].get(user_id, 0)
        if count <= 1:
            self._connections[room_id].pop(user_id, None)
            self._members[room_id].pop(user_id, None)
            if not self._connections[room_id]:
                del self._connections[room_id]
                del self._members[room_id]
            return count == 1
        self._connections[room_id][user_id] = count - 1
        return False

    def online(self, room_id: str) -> list[dict[str, Any]]:
        members = self._members.get(room_id, {})
        return [members[user_id] for user_id in sorted(members)]


presence = Presence()
