from django.db import models
from django.db.models import Q

from watchqueue_site.db import PublicIdModel

# Join codes skip 0/O and 1/I/L so they survive being read aloud or across the room.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6

NAME_MAX = 100
MEMBER_NAME_MAX = 50
USER_ID_MAX = 40
AVATAR_MAX = 16
VOTING_DURATION_MIN = 10
VOTING_DURATION_MAX = 3600


class SelectionMode(models.TextChoices):
    WEIGHTED_RANDOM = "weighted_random", "Weighted random"
    HIGHEST_VOTES = "highest_votes", "Highest votes"
    ROUND_ROBIN = "round_robin", "Round robin"


class RoomStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Room(PublicIdModel):
    name = models.CharField(max_length=NAME_MAX)
    code = models.CharField(max_length=CODE_LENGTH, unique=True)
    status = models.CharField(max_length=10, choices=RoomStatus, default=RoomStatus.OPEN)
    voting_duration_seconds = models.PositiveIntegerField(default=60)
    selection_mode = models.CharField(
        max_length=20, choices=SelectionMode, default=SelectionMode.WEIGHTED_RANDOM
    )
    allow_revotes = models.BooleanField(default=True)
    # The number of the room's latest event; incremented in the same transaction as each change
    # so events are numbered without gaps, in commit order.
    event_seq = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(voting_duration_seconds__gte=VOTING_DURATION_MIN)
                & Q(voting_duration_seconds__lte=VOTING_DURATION_MAX),
                name="room_voting_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_open(self) -> bool:
        return self.status == RoomStatus.OPEN


class Member(PublicIdModel):
    """A person in a room. Listed members are placeholders until someone joins as them."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="members")
    user_id = models.CharField(max_length=USER_ID_MAX)
    name = models.CharField(max_length=MEMBER_NAME_MAX)
    avatar = models.CharField(max_length=AVATAR_MAX, blank=True)
    is_host = models.BooleanField(default=False)
    claimed = models.BooleanField(default=False)
    joined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["room", "user_id"], name="member_unique_user_id"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"

    # DRF treats request.user as a user object; these let a member stand in for one.
    is_authenticated = True
    is_anonymous = False


class JoinFailureCount(PublicIdModel):
    """Failed join attempts from one client address in one rate-limit window.

    Kept in the database rather than a per-process cache so the limit holds across every
    server process sharing it.
    """

    address = models.CharField(max_length=64)
    window_start = models.BigIntegerField()
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["address", "window_start"], name="join_failure_unique_window"
            ),
        ]
