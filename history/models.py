from django.db import models
from django.db.models import Q

from queues.models import MediaType, QueueItem
from rooms.models import USER_ID_MAX, Room
from selection.models import Selection
from watchqueue_site.db import PublicIdModel

NOTE_MAX = 1000
RATING_MIN = 1
RATING_MAX = 5


class WatchEntry(PublicIdModel):
    """A film or show the room watched. Keeps its own copy of the item's facts."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="history")
    item = models.OneToOneField(
        QueueItem, on_delete=models.SET_NULL, null=True, related_name="history_entry"
    )
    title = models.CharField(max_length=200)
    media_type = models.CharField(max_length=10, choices=MediaType, default=MediaType.MOVIE)
    tmdb_id = models.PositiveIntegerField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    poster_url = models.URLField(blank=True, max_length=500)
    genres = models.JSONField(default=list, blank=True)
    added_by = models.CharField(max_length=USER_ID_MAX)
    added_at = models.DateTimeField()
    selection = models.ForeignKey(
        Selection, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_by = models.CharField(max_length=USER_ID_MAX, blank=True)
    # Who was in that evening (user_ids): they have seen it.
    watched_by = models.JSONField(default=list, blank=True)
    watched_at = models.DateTimeField()

    class Meta:
        ordering = ["-watched_at", "-id"]
        verbose_name_plural = "watch history"
        indexes = [models.Index(fields=["room", "-watched_at"], name="history_room_watched")]

    def __str__(self) -> str:
        return self.title


class Rating(PublicIdModel):
    entry = models.ForeignKey(WatchEntry, on_delete=models.CASCADE, related_name="ratings")
    user_id = models.CharField(max_length=USER_ID_MAX)
    rating = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True, max_length=NOTE_MAX)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "user_id"], name="rating_unique_member"),
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN) & Q(rating__lte=RATING_MAX),
                name="rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.rating}"
