"""The core's one model: the event outbox every service writes to (`watchqueue_site.events`)."""

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
        # The table the real-time app created before the outbox moved into the core.
        db_table = "realtime_roomevent"
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


class RateLimitHit(PublicIdModel):
    """One counted attempt (a failed join, a room created, a failed admin login) of the
    sliding-window limiter (`watchqueue_site.ratelimit`).

    In the database rather than a per-process cache, so a limit holds across every server
    process sharing it.
    """

    key = models.CharField(max_length=120)
    at = models.FloatField(help_text="When, in seconds since the epoch.")

    class Meta:
        indexes = [
            models.Index(fields=["key", "at"], name="ratelimit_key_at"),
            models.Index(fields=["at"], name="ratelimit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.key} at {self.at:.0f}"
