from django.db import models

from watchqueue_site.db import PublicIdModel


class RoomEvent(PublicIdModel):
    """One change in a room, numbered per room, as clients receive it.

    `room_id` is a plain column, not a foreign key, so the event that says a room was deleted
    outlives the room.
    """

    room_id = models.CharField(max_length=24)
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["room_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room_id", "seq"], name="event_unique_room_seq"),
        ]
        indexes = [models.Index(fields=["created_at"], name="event_created_at")]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq} {self.type}"

    def as_message(self) -> dict:
        """The event as every client receives it."""
        return {"type": self.type, "room_id": self.room_id, "seq": self.seq, **self.payload}


class LiveConnection(PublicIdModel):
    """One open WebSocket connection of a member, in whichever server process holds it.

    Presence is read from these rows, so it is the same in every process. Each process
    refreshes `seen_at` on its rows while they are open; a process that dies stops doing so,
    and its rows expire (see `realtime.presence`).
    """

    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("rooms.Member", on_delete=models.CASCADE, related_name="+")
    process = models.CharField(max_length=100)
    connected_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["process"], name="liveconn_process"),
            models.Index(fields=["seen_at"], name="liveconn_seen_at"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} via {self.process}"
