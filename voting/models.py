from django.db import models
from django.db.models import Q

from queues.models import QueueItem
from rooms.models import USER_ID_MAX, Member, Room
from watchqueue_site.db import PublicIdModel


class VoteValue(models.TextChoices):
    UP = "up", "Up"
    DOWN = "down", "Down"


class Vote(PublicIdModel):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="votes")
    item = models.ForeignKey(QueueItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="votes")
    user_id = models.CharField(max_length=USER_ID_MAX)
    value = models.CharField(max_length=4, choices=VoteValue)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="vote_unique_member_item"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value} {self.item_id}"


class RoundStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class VotingRound(PublicIdModel):
    """A timed round of voting that ends with the room's mode picking a film."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="voting_rounds")
    started_by = models.CharField(max_length=USER_ID_MAX, blank=True)
    started_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RoundStatus, default=RoundStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Why it closed without a pick, if it did (an empty queue at the deadline): in English, and
    # as a phrase (watchqueue_site.phrases) for each reader's language.
    outcome = models.CharField(max_length=200, blank=True)
    outcome_phrase = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["room"], condition=Q(status="open"), name="round_one_open_per_room"
            ),
        ]
        # Every server process looks for due rounds twice a second (`realtime.jobs`): only
        # the running ones, by deadline.
        indexes = [
            models.Index(fields=["ends_at"], condition=Q(status="open"), name="round_open_due"),
        ]

    def __str__(self) -> str:
        return f"Round {self.id} ({self.status})"
