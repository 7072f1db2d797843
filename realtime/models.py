from django.db import models

from watchqueue_site.db import PublicIdModel


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
