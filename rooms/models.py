import unicodedata

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
NAME_KEY_MAX = 200
SCREEN_LABEL_MAX = 50
VETOES_PER_EVENING_MAX = 10
SHARE_PERCENT_MIN = 1
SHARE_PERCENT_MAX = 100
# A member's streaming services: names from TMDB's provider list for the region.
SERVICES_MAX = 40
SERVICE_NAME_MAX = 80


class SelectionMode(models.TextChoices):
    WEIGHTED_RANDOM = "weighted_random", _("Weighted random")
    HIGHEST_VOTES = "highest_votes", _("Highest votes")
    ROUND_ROBIN = "round_robin", _("Round robin")
    CONSENSUS = "consensus", _("Consensus")


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
    # Tonight's pick (the `tonight` and `selection` apps): an item seen by at least this share
    # of tonight's attendees is left out; each member's vetoes per evening, and whether the
    # room sees who vetoed; consensus mode's second tier; the fairness boost in weighted draws.
    seen_share_percent = models.PositiveSmallIntegerField(default=50)
    vetoes_per_evening = models.PositiveSmallIntegerField(default=1)
    vetoes_public = models.BooleanField(default=True)
    consensus_share_percent = models.PositiveSmallIntegerField(default=50)
    fair_boost = models.BooleanField(default=False)
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
            models.CheckConstraint(
                condition=Q(seen_share_percent__gte=SHARE_PERCENT_MIN)
                & Q(seen_share_percent__lte=SHARE_PERCENT_MAX)
                & Q(consensus_share_percent__gte=SHARE_PERCENT_MIN)
                & Q(consensus_share_percent__lte=SHARE_PERCENT_MAX),
                name="room_share_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(vetoes_per_evening__lte=VETOES_PER_EVENING_MAX),
                name="room_vetoes_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_open(self) -> bool:
        return self.status == RoomStatus.OPEN


class PresentMemberManager(models.Manager):
    """The members still in their room: the default, so `room.members`, token look-ups and
    every write's check see only them. `Member.everyone` lists those who left too."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(left_at__isnull=True)


class Member(PublicIdModel):
    """A person in a room. Listed members are placeholders until someone joins as them.

    A member who leaves or is removed is kept, with `left_at` set: their ratings, notes, items
    and rounds keep naming their user_id, which the room's unique constraint (over every row,
    departed ones included) gives nobody else, so no newcomer can inherit them.
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="members")
    user_id = models.CharField(max_length=USER_ID_MAX)
    name = models.CharField(max_length=MEMBER_NAME_MAX)
    # The name as compared for uniqueness among present members (see `name_key`); a departed
    # member's is `departed:<id>`, which frees their name and clashes with no one.
    name_key = models.CharField(max_length=NAME_KEY_MAX, editable=False, default="")
    avatar = models.CharField(max_length=AVATAR_MAX, blank=True)
    is_host = models.BooleanField(default=False)
    claimed = models.BooleanField(default=False)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Tokens carry the generation they were made in; bumping it signs out every older one.
    token_generation = models.PositiveIntegerField(default=0, editable=False)
    # The streaming services this member has, said once per room (TMDB's provider names).
    services = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PresentMemberManager()
    everyone = models.Manager()

    class Meta:
        ordering = ["created_at", "id"]
        base_manager_name = "everyone"
        constraints = [
            models.UniqueConstraint(fields=["room", "user_id"], name="member_unique_user_id"),
            models.UniqueConstraint(fields=["room", "name_key"], name="member_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"

    # DRF treats request.user as a user object; these let a member stand in for one.
    is_authenticated = True
    is_anonymous = False


def name_key(name: str) -> str:
    """How two display names compare: the same after NFKC, case folding and folding runs of
    whitespace into one space ("Alice", " ALICE " and its full-width form are one name)."""
    folded = " ".join(unicodedata.normalize("NFKC", name).casefold().split())
    return folded[:NAME_KEY_MAX]


def departed_name_key(member_pk: str) -> str:
    return f"departed:{member_pk}"


class RoomScreen(PublicIdModel):
    """A read-only screen of a room (the living-room TV), named by its tokens; deleting the row
    revokes them."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="screens")
    label = models.CharField(max_length=SCREEN_LABEL_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.label or 'Screen'} ({self.room_id})"
