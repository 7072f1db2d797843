"""Tonight: the room's current evening, who is in, what the pick must respect, and what each
member has seen or vetoed."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from queues.models import QueueItem
from rooms.models import USER_ID_MAX, Room
from watchqueue_site.db import PublicIdModel

GENRES_MAX = 20
GENRE_NAME_MAX = 60
RUNTIME_MAX = 1000


class Media(models.TextChoices):
    BOTH = "both", "Films and shows"
    MOVIE = "movie", "Films only"
    TV = "tv", "Shows only"


class Evening(PublicIdModel):
    """One evening of a room: it ends when the room marks something watched or the host starts
    a new one, and its vetoes end with it. The constraints are what tonight's pick respects."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="evenings")
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.CharField(max_length=USER_ID_MAX, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The finish-by time as an instant, and the offset the client gave it with (minutes east
    # of UTC), so reasons can say "finish by 23:30" in the room's own clock.
    finish_by = models.DateTimeField(null=True, blank=True)
    finish_by_offset_minutes = models.SmallIntegerField(null=True, blank=True)
    max_runtime_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    genres_include = models.JSONField(default=list, blank=True)
    genres_exclude = models.JSONField(default=list, blank=True)
    media = models.CharField(max_length=5, choices=Media, default=Media.BOTH)
    streamable_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["room"], condition=Q(ended_at=None), name="evening_one_open_per_room"
            ),
        ]
        indexes = [models.Index(fields=["room", "started_at"], name="evening_room_started")]

    def __str__(self) -> str:
        return f"Evening of {self.started_at:%Y-%m-%d} ({self.room_id})"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class Attendance(PublicIdModel):
    """One member's evening: whether they said they are in or out (None: they follow who is
    connected), and how many vetoes they have spent, counted by a conditional update so the
    count is exact however many vetoes arrive at once."""

    evening = models.ForeignKey(Evening, on_delete=models.CASCADE, related_name="attendance")
    user_id = models.CharField(max_length=USER_ID_MAX)
    attending = models.BooleanField(null=True, blank=True)
    vetoes_used = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["user_id"]
        constraints = [
            models.UniqueConstraint(fields=["evening", "user_id"], name="attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.attending}"


class Veto(PublicIdModel):
    evening = models.ForeignKey(Evening, on_delete=models.CASCADE, related_name="vetoes")
    item = models.ForeignKey(QueueItem, on_delete=models.CASCADE, related_name="vetoes")
    user_id = models.CharField(max_length=USER_ID_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evening", "item", "user_id"], name="veto_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} vetoed {self.item_id}"


class SeenMark(PublicIdModel):
    """A member has seen this item (said so; history's ratings and watches count as well)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="seen_marks")
    item = models.ForeignKey(QueueItem, on_delete=models.CASCADE, related_name="seen_marks")
    user_id = models.CharField(max_length=USER_ID_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "user_id"], name="seen_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} has seen {self.item_id}"


class Match(PublicIdModel):
    """An item every attendee voted up and nobody vetoed, this evening. Kept as a row so the
    moment it becomes one is told once."""

    evening = models.ForeignKey(Evening, on_delete=models.CASCADE, related_name="matches")
    item = models.ForeignKey(QueueItem, on_delete=models.CASCADE, related_name="+")
    matched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["matched_at", "id"]
        constraints = [models.UniqueConstraint(fields=["evening", "item"], name="match_unique")]

    def __str__(self) -> str:
        return f"Match {self.item_id}"
