from django.db import models

from queues.models import QueueItem
from rooms.models import USER_ID_MAX, Room, SelectionMode
from watchqueue_site.db import PublicIdModel


class Selection(PublicIdModel):
    """One pick, with everything needed to check it: the mode, the reason, the seed, the field."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="selections")
    item = models.ForeignKey(
        QueueItem, on_delete=models.SET_NULL, null=True, related_name="selections"
    )
    item_title = models.CharField(max_length=200)
    mode = models.CharField(max_length=20, choices=SelectionMode)
    reason = models.JSONField(default=dict)
    seed = models.BigIntegerField(null=True, blank=True)
    selected_by = models.CharField(max_length=USER_ID_MAX, blank=True)
    # Unique: a round's deadline produces one pick however many processes notice it.
    round = models.OneToOneField(
        "voting.VotingRound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="selection",
    )
    # The evening it was made in, and whether the room turned it down (then it no longer
    # stands, and the next pick's reason names it).
    evening = models.ForeignKey(
        "tonight.Evening", on_delete=models.SET_NULL, null=True, blank=True, related_name="picks"
    )
    turned_down_at = models.DateTimeField(null=True, blank=True)
    turned_down_by = models.CharField(max_length=USER_ID_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.item_title} by {self.mode}"
