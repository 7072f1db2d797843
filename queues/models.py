from django.db import models
from django.db.models import Q
from django.utils import timezone

from rooms.models import USER_ID_MAX, Room
from watchqueue_site.db import PublicIdModel

TITLE_MAX = 200
OVERVIEW_MAX = 2000
URL_MAX = 500


class MediaType(models.TextChoices):
    MOVIE = "movie", "Movie"
    TV = "tv", "TV show"


class ItemStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    WATCHING = "watching", "Watching"
    WATCHED = "watched", "Watched"


class Enrichment(models.TextChoices):
    """Where an item's TMDB metadata stands. Blank: never asked for (no TMDB key configured)."""

    PENDING = "pending", "Fetching from TMDB"
    ENRICHED = "enriched", "Filled in from TMDB"
    FAILED = "failed", "TMDB could not answer"
    UNMATCHED = "unmatched", "No single TMDB match for the title"
    DUPLICATE = "duplicate", "TMDB says it is another item in the queue"


ENRICHMENT_ERROR_MAX = 300
# The fields that say where an item's enrichment stands.
ENRICHMENT_FIELDS = ["enrichment", "enrichment_error", "enrichment_at"]

# Items still in play: duplicates are refused among these, and a watched film may come back.
OPEN_STATUSES = [ItemStatus.QUEUED, ItemStatus.WATCHING]


class QueueItemQuerySet(models.QuerySet):
    def open(self) -> "QueueItemQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def queued(self) -> "QueueItemQuerySet":
        return self.filter(status=ItemStatus.QUEUED)


class QueueItem(PublicIdModel):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="queue_items")
    title = models.CharField(max_length=TITLE_MAX)
    # The title folded for comparison (`watchqueue_site.text.title_key`: NFKC, case, invisible
    # characters and runs of whitespace ignored); the unique constraint below is on this, so the
    # database refuses "inception" beside "Inception " and full-width "HEAT" beside "Heat".
    title_key = models.CharField(max_length=TITLE_MAX, editable=False)
    media_type = models.CharField(max_length=10, choices=MediaType, default=MediaType.MOVIE)
    tmdb_id = models.PositiveIntegerField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    overview = models.TextField(blank=True, max_length=OVERVIEW_MAX)
    poster_url = models.URLField(blank=True, max_length=URL_MAX)
    backdrop_url = models.URLField(blank=True, max_length=URL_MAX)
    runtime_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    genres = models.JSONField(default=list, blank=True)
    providers = models.JSONField(default=dict, blank=True)
    # What a page about the film shows besides the fields above, from TMDB: its score, cast,
    # director or creators, trailer and a show's seasons (`tmdb.facts.page_facts`).
    details = models.JSONField(default=dict, blank=True)
    # A user_id rather than a foreign key: the item keeps its author if the member leaves.
    added_by = models.CharField(max_length=USER_ID_MAX)
    added_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=ItemStatus, default=ItemStatus.QUEUED)
    status_changed_at = models.DateTimeField(default=timezone.now)
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    vote_score = models.IntegerField(default=0)
    enrichment = models.CharField(max_length=10, choices=Enrichment, blank=True)
    # Why the last enrichment did not fill the item in, in words for people.
    enrichment_error = models.CharField(max_length=ENRICHMENT_ERROR_MAX, blank=True)
    enrichment_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QueueItemQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "title_key"],
                condition=Q(status__in=OPEN_STATUSES),
                name="queue_unique_open_title",
            ),
            models.UniqueConstraint(
                fields=["room", "media_type", "tmdb_id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="queue_unique_open_tmdb_id",
            ),
        ]
        indexes = [models.Index(fields=["room", "status"], name="queue_room_status")]

    def __str__(self) -> str:
        return self.title
