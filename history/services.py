"""Watch history: marking an item watched, and each member's rating and note."""

from collections import defaultdict
from datetime import datetime

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from history.models import Rating, WatchEntry
from history.serializers import WatchEntrySerializer
from queues.models import OPEN_STATUSES, ItemStatus, QueueItem
from queues.services import ALREADY_WATCHED, queue_event
from rooms.models import Member, Room
from rooms.services import member_require_present, require_open
from selection.models import Selection
from tonight.services import evening_next
from watchqueue_site.db import atomic, retry_on_conflict, unique_row
from watchqueue_site.errors import Conflict, Forbidden, NotFound
from watchqueue_site.events import EventType, event_record

ENTRY_NOT_FOUND = _("No history entry with this id.")
RATE_AS_SELF_ONLY = _("You can only rate as yourself.")
RATING_NOT_FOUND = _("This member has not rated this entry.")
OTHER_ROOM = _("This entry belongs to another room.")


def entry_get(entry_id: str) -> WatchEntry:
    entry = unique_row(WatchEntry.objects.select_related("room", "selection").filter(pk=entry_id))
    if entry is None:
        raise NotFound(ENTRY_NOT_FOUND)
    return entry


def entries_for_room(room: Room, *, limit: int = 50, offset: int = 0) -> tuple[list, dict]:
    """A page of the room's history, newest first, with the ratings of those entries.

    Ratings come in one query for the whole page, grouped here, since `prefetch_related` is
    not available on MongoDB.
    """
    entries = list(
        WatchEntry.objects.filter(room=room)
        .select_related("selection")
        .order_by("-watched_at", "-id")[offset : offset + limit]
    )
    ratings: dict[str, list[Rating]] = defaultdict(list)
    for rating in Rating.objects.filter(entry_id__in=[e.pk for e in entries]):
        ratings[rating.entry_id].append(rating)
    return entries, ratings


def history_seen(room: Room) -> dict[tuple[str, int], set[str]]:
    """Who has seen each title the room watched (tonight's `seen_in_history` hook): whoever
    rated it, and whoever was in the evening it was watched."""
    seen: dict[tuple[str, int], set[str]] = defaultdict(set)
    titles: dict[str, tuple[str, int]] = {}
    rows = WatchEntry.objects.filter(room=room, tmdb_id__isnull=False).values_list(
        "pk", "media_type", "tmdb_id", "watched_by"
    )
    for pk, media_type, tmdb_id, watched_by in rows:
        titles[pk] = (media_type, tmdb_id)
        seen[(media_type, tmdb_id)].update(watched_by or [])
    if titles:
        ratings = Rating.objects.filter(entry_id__in=list(titles)).values_list(
            "entry_id", "user_id"
        )
        for entry_id, user_id in ratings:
            seen[titles[entry_id]].add(user_id)
    return dict(seen)


def entry_payload(entry: WatchEntry) -> dict:
    return WatchEntrySerializer(entry).data


@retry_on_conflict
def history_mark_watched(
    *, item: QueueItem, by: Member | None, watched_at: datetime | None = None
) -> WatchEntry:
    """The room watched `item`: record it in history and take it out of play.

    The entry remembers who added the item, when, and the latest selection that chose it.
    """
    room = item.room
    require_open(room)
    now = timezone.now()
    with atomic():
        member_require_present(by)
        # Conditional on the item still being open, so two members marking it at once make
        # one entry; the entry's one-to-one item backs that up.
        changed = QueueItem.objects.filter(pk=item.pk, status__in=OPEN_STATUSES).update(
            status=ItemStatus.WATCHED, status_changed_at=now
        )
        if not changed:
            raise Conflict(ALREADY_WATCHED, code="already_watched")
        item.status, item.status_changed_at = ItemStatus.WATCHED, now
        entry = WatchEntry.objects.create(
            room=room,
            item=item,
            title=item.title,
            media_type=item.media_type,
            tmdb_id=item.tmdb_id,
            year=item.year,
            poster_url=item.poster_url,
            genres=item.genres,
            added_by=item.added_by,
            added_at=item.added_at,
            selection=Selection.objects.filter(item=item, turned_down_at=None)
            .order_by("-created_at")
            .first(),
            marked_by=by.user_id if by else "",
            watched_at=watched_at or now,
            # Watching it ends the evening; who was in has seen it.
            watched_by=evening_next(room, by),
        )
        queue_event(room, "status", item)
        _history_event(room, "added", entry)
    return entry


def history_fill_in(item: QueueItem) -> None:
    """An item filled in from TMDB after it was watched: its history entry gets the facts too.

    Runs inside the caller's atomic block (enrichment's), which records the event with it.
    """
    entry = unique_row(WatchEntry.objects.select_related("selection").filter(item=item))
    if entry is None:
        return
    entry.tmdb_id, entry.media_type = item.tmdb_id, item.media_type
    entry.year, entry.poster_url, entry.genres = item.year, item.poster_url, item.genres
    entry.save(update_fields=["tmdb_id", "media_type", "year", "poster_url", "genres"])
    _history_event(item.room, "updated", entry)


def _history_event(room: Room, action: str, entry: WatchEntry) -> None:
    entry._rating_list = list(entry.ratings.all())
    event_record(room, EventType.HISTORY_UPDATE, {"action": action, "entry": entry_payload(entry)})


def _check_rater(entry: WatchEntry, by: Member, user_id: str) -> None:
    if entry.room_id != by.room_id:
        raise Forbidden(OTHER_ROOM)
    if user_id != by.user_id:
        raise Forbidden(RATE_AS_SELF_ONLY)


@retry_on_conflict
def rating_set(
    *, entry: WatchEntry, by: Member, user_id: str, rating: int, note: str = ""
) -> Rating:
    """Create or change `by`'s own rating (1-5) and note on an entry."""
    _check_rater(entry, by, user_id)
    for attempt in range(3):
        try:
            with atomic():
                member_require_present(by)
                existing = unique_row(Rating.objects.filter(entry=entry, user_id=user_id))
                if existing is None:
                    result = Rating.objects.create(
                        entry=entry, user_id=user_id, rating=rating, note=note
                    )
                else:
                    existing.rating, existing.note = rating, note
                    existing.save(update_fields=["rating", "note", "updated_at"])
                    result = existing
                _history_event(entry.room, "rated", entry)
                return result
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@retry_on_conflict
def rating_remove(*, entry: WatchEntry, by: Member, user_id: str) -> None:
    _check_rater(entry, by, user_id)
    with atomic():
        member_require_present(by)
        deleted, _ = Rating.objects.filter(entry=entry, user_id=user_id).delete()
        if not deleted:
            raise NotFound(RATING_NOT_FOUND)
        _history_event(entry.room, "unrated", entry)
