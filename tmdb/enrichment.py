"""Filling queue items in from TMDB: poster, year, runtime, genres, where it streams, and what a
page about it shows (score, cast, director or creators, trailer, a show's seasons).

An item added with a TMDB id, or with a title that names one film or show unambiguously, is
enriched in the background: the add answers at once and the room sees a `queue_update` when
TMDB has answered. `POST /api/queue/{id}/enrich` does the same on demand and waits for it.

The work comes in two halves so that nothing waits on the network while it holds the database:
`enrichment_fetch` only talks to TMDB (in a worker thread, never on the thread that serves the
app's synchronous code), and `enrichment_apply` / `enrichment_fail` only write, each in one
atomic block with its event.

An item whose TMDB id turns out to be another open item's is not left as a silent second copy:
a queued one is merged into the other (its votes move over where the voter has none there) and
removed; one being watched is marked as a duplicate, naming the other.

It sits in the TMDB adapter, above the domain apps, because what TMDB says reaches several of
them: a merge moves votes (voting) and re-points picks (selection), and a watched film fills
in its history entry (history). The queue asks for it through its `metadata_wanted` hook.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection
from django.utils import timezone, translation

from history.services import history_fill_in
from queues.models import (
    ENRICHMENT_ERROR_MAX,
    ENRICHMENT_FIELDS,
    OPEN_STATUSES,
    OVERVIEW_MAX,
    URL_MAX,
    Enrichment,
    ItemStatus,
    QueueItem,
)
from queues.services import item_payload, queue_event, title_key
from selection.models import Selection
from tmdb.client import TMDBAuthError, TMDBClient, TMDBError, TMDBNotFound, tmdb
from voting.services import votes_merge
from watchqueue_site.db import atomic, on_commit, retry_on_conflict, unique_row
from watchqueue_site.events import EventType, event_record

logger = logging.getLogger(__name__)

NO_MATCH = "TMDB has no film or show with this title."
AMBIGUOUS = "TMDB has {count} films or shows with this title: give the year to tell them apart."
NOT_AT_ID = "TMDB has nothing at this id."
REFUSED_KEY = "TMDB refused the server's key."
DUPLICATE_OF = "TMDB says this is {title}, which is already in the queue."
MERGED_INTO = "This was {title}, already in the queue: merged into it, with its votes."

# Two workers: enrichment is a few small calls per item, and TMDB limits a key's rate.
_workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tmdb-enrich")


@dataclass(frozen=True)
class Outcome:
    """What TMDB said about an item: its details, or why there are none."""

    details: dict[str, Any] | None = None
    status: str = Enrichment.ENRICHED
    error: str = ""
    # For a failure: whether TMDB itself failed ("tmdb_unavailable", "tmdb_refused_key"), in
    # which case asking again later may work, or answered that there is nothing to fill in.
    code: str = ""


def enrichment_enabled() -> bool:
    return bool(settings.TMDB_API_KEY)


def _stamp() -> datetime:
    """When an enrichment was asked for; it names the request. Milliseconds, as MongoDB keeps
    them, so the stamp read back is the stamp written."""
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def enrichment_schedule(item: QueueItem) -> None:
    """Mark `item` pending and enrich it once the caller's atomic block commits, if a TMDB key
    is set (the queue's `metadata_wanted` hook).

    Runs inside the block that wrote the item, so the pending state goes out with its event.
    """
    if not enrichment_enabled():
        return
    item.enrichment, item.enrichment_error, item.enrichment_at = Enrichment.PENDING, "", _stamp()
    item_id, requested_at = item.pk, item.enrichment_at
    # The details come in the language of whoever added the item (unless TMDB_LANGUAGE is set):
    # the worker thread has no request, so the language goes with the work.
    language = translation.get_language()
    on_commit(lambda: _workers.submit(_enrich_in_background, item_id, requested_at, language))


def _enrich_in_background(item_id: str, requested_at: datetime, language: str | None) -> None:
    try:
        item = unique_row(QueueItem.objects.filter(pk=item_id))
        if item is None or item.enrichment_at != requested_at:
            return  # removed, or asked for again since: that request does it
        outcome = enrichment_fetch(item, tmdb(language))
        if outcome.details is not None:
            enrichment_apply(item_id, outcome.details, requested_at=requested_at)
        else:
            enrichment_fail(item_id, outcome.status, outcome.error, requested_at=requested_at)
    except Exception:
        logger.exception("Enriching queue item %s failed", item_id)
    finally:
        connection.close()


def enrichment_fetch(item: QueueItem, client: TMDBClient) -> Outcome:
    """Ask TMDB about `item`: by its id if it has one, else by an unambiguous title.

    Talks to TMDB only; raises nothing TMDB can cause, returning why instead.
    """
    try:
        if item.tmdb_id is not None:
            return Outcome(details=client.details(item.media_type, item.tmdb_id))
        match, count = _title_match(item, client.search(item.title))
        if match is None:
            return Outcome(
                status=Enrichment.UNMATCHED,
                error=AMBIGUOUS.format(count=count) if count else NO_MATCH,
                code="no_match",
            )
        return Outcome(details=client.details(match["media_type"], match["tmdb_id"]))
    except TMDBNotFound:
        return Outcome(status=Enrichment.FAILED, error=NOT_AT_ID, code="tmdb_not_found")
    except TMDBAuthError:
        return Outcome(status=Enrichment.FAILED, error=REFUSED_KEY, code="tmdb_refused_key")
    except TMDBError as error:
        return Outcome(status=Enrichment.FAILED, error=str(error), code="tmdb_unavailable")


def _title_match(item: QueueItem, results: list[dict]) -> tuple[dict | None, int]:
    """The one result that is this item, and how many had its title.

    A result is this item when its title is the item's (ignoring case and spacing), and its
    year too if the item has one. Among several such, the item's media type decides, if that
    leaves one; a film and its remake stay ambiguous.
    """
    wanted = title_key(item.title)
    same = [r for r in results if title_key(r["title"]) == wanted]
    if item.year is not None:
        same = [r for r in same if r["year"] == item.year]
    if len(same) > 1:
        of_type = [r for r in same if r["media_type"] == item.media_type]
        if len(of_type) == 1:
            return of_type[0], len(same)
    return (same[0] if len(same) == 1 else None), len(same)


# What enrichment writes; never the counts, which votes move in their own transactions.
_ENRICHED_FIELDS = [
    "tmdb_id",
    "media_type",
    "year",
    "overview",
    "poster_url",
    "backdrop_url",
    "runtime_minutes",
    "genres",
    "providers",
    "details",
    *ENRICHMENT_FIELDS,
    "updated_at",
]


def _metadata(details: dict[str, Any]) -> dict[str, Any]:
    return {
        "tmdb_id": details["tmdb_id"],
        "media_type": details["media_type"],
        "overview": details["overview"][:OVERVIEW_MAX],
        "poster_url": (details["poster_url"] or "")[:URL_MAX],
        "backdrop_url": (details["backdrop_url"] or "")[:URL_MAX],
        "runtime_minutes": details["runtime_minutes"],
        "genres": details["genres"],
        "providers": details["providers"],
        "details": details["details"],
    }


def _current(item_id: str, requested_at: datetime) -> tuple[QueueItem | None, bool]:
    """The item, read in the caller's transaction, and whether this request is still the
    latest for it: an item renamed, or asked about again, while TMDB was answering has a newer
    request, and the older answer must not overwrite what the newer one will bring."""
    item = unique_row(QueueItem.objects.select_related("room").filter(pk=item_id))
    return item, item is not None and item.enrichment_at == requested_at


@retry_on_conflict
def enrichment_apply(
    item_id: str, details: dict[str, Any], *, requested_at: datetime
) -> QueueItem | None:
    """Fill the item in from TMDB's details; returns the item the room now has for it.

    That is the item itself, or, when TMDB's id makes it a duplicate, the item it was merged
    into; unchanged if a newer request superseded this one; None if it was removed meanwhile.
    """
    for _ in range(2):
        try:
            return _apply(item_id, details, requested_at)
        except IntegrityError:
            found = _duplicate_found(item_id, details, requested_at)
            if found is not _GONE:
                return found
        # The item it clashed with left the queue meanwhile: this save may go through now.
    return unique_row(QueueItem.objects.filter(pk=item_id))


def _apply(item_id: str, details: dict[str, Any], requested_at: datetime) -> QueueItem | None:
    with atomic():
        item, latest = _current(item_id, requested_at)
        if item is None or not latest:
            return item
        for field, value in _metadata(details).items():
            setattr(item, field, value)
        if item.year is None:
            item.year = details["year"]
        item.enrichment, item.enrichment_error = Enrichment.ENRICHED, ""
        item.enrichment_at = timezone.now()
        # The unique (room, media_type, tmdb_id) among open items refuses this save when
        # another open item already is this film.
        item.save(update_fields=_ENRICHED_FIELDS)
        queue_event(item.room, "enriched", item)
        if item.status == ItemStatus.WATCHED:
            history_fill_in(item)
        return item


_GONE = object()


def _duplicate_found(item_id: str, details: dict[str, Any], requested_at: datetime):
    """Merge or mark an item TMDB says is another open item; `_GONE` if that one has left."""
    with atomic():
        item, latest = _current(item_id, requested_at)
        if item is None or not latest:
            return item
        existing = unique_row(
            QueueItem.objects.select_related("room")
            .filter(
                room_id=item.room_id,
                status__in=OPEN_STATUSES,
                media_type=details["media_type"],
                tmdb_id=details["tmdb_id"],
            )
            .exclude(pk=item.pk)
        )
        if existing is None:
            return _GONE
        if item.status == ItemStatus.QUEUED:
            return _merge(item, existing, details)
        _record_failure(item, Enrichment.DUPLICATE, DUPLICATE_OF.format(title=existing.title))
        return item


def _merge(item: QueueItem, into: QueueItem, details: dict[str, Any]) -> QueueItem:
    """Fold a queued duplicate into the item it duplicates; runs in the caller's block."""
    if into.enrichment != Enrichment.ENRICHED:
        for field, value in _metadata(details).items():
            setattr(into, field, value)
        into.enrichment, into.enrichment_error = Enrichment.ENRICHED, ""
        into.enrichment_at = timezone.now()
        into.save(update_fields=_ENRICHED_FIELDS)
        queue_event(into.room, "enriched", into)
    votes_merge(source=item, target=into)
    # A pick of the duplicate is a pick of the film: it stays with the item that remains.
    Selection.objects.filter(item=item).update(item=into)
    payload = item_payload(item)
    item.delete()
    event_record(
        item.room,
        EventType.QUEUE_UPDATE,
        {
            "action": "removed",
            "item": payload,
            "merged_into": into.pk,
            "reason": MERGED_INTO.format(title=into.title),
        },
    )
    return into


@retry_on_conflict
def enrichment_fail(
    item_id: str, status: str, error: str, *, requested_at: datetime
) -> QueueItem | None:
    """Record why TMDB could not fill the item in; the item stays usable, and may be retried.
    A newer request's item is left to it; None if the item was removed."""
    with atomic():
        item, latest = _current(item_id, requested_at)
        if item is not None and latest:
            _record_failure(item, status, error)
        return item


def _record_failure(item: QueueItem, status: str, error: str) -> None:
    item.enrichment, item.enrichment_error = status, error[:ENRICHMENT_ERROR_MAX]
    item.save(update_fields=[*ENRICHMENT_FIELDS, "updated_at"])
    queue_event(item.room, "enrichment", item)


@retry_on_conflict
def enrichment_start(item_id: str) -> QueueItem | None:
    """Mark an item pending for an on-demand enrichment, so the room sees it is on its way;
    None if it was removed meanwhile. Its `enrichment_at` names this request."""
    with atomic():
        item = unique_row(QueueItem.objects.select_related("room").filter(pk=item_id))
        if item is None:
            return None
        item.enrichment, item.enrichment_error, item.enrichment_at = (
            Enrichment.PENDING,
            "",
            _stamp(),
        )
        item.save(update_fields=[*ENRICHMENT_FIELDS, "updated_at"])
        queue_event(item.room, "enrichment", item)
    return item
