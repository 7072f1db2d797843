"""The shared queue: adding, editing, removing films and shows, and what is on now."""

from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from queues.models import ENRICHMENT_FIELDS, OPEN_STATUSES, ItemStatus, QueueItem
from queues.serializers import QueueItemSerializer
from rooms.models import Member, Room
from rooms.services import OTHER_ROOM, member_require_present, require_open
from watchqueue_site.db import atomic, retry_on_conflict, unique_row
from watchqueue_site.errors import Conflict, Forbidden, Invalid, NotFound
from watchqueue_site.events import EventType, event_record
from watchqueue_site.hooks import Hook
from watchqueue_site.text import title_key

ITEM_NOT_FOUND = _("No queue item with this id.")
DUPLICATE_TITLE = _("This title is already in the room's queue.")
DUPLICATE_TMDB_ID = _("This film or show is already in the room's queue.")
NOT_YOURS = _("Only whoever added this item, or the host, can change it.")
ADD_AS_SELF_ONLY = _("You can only add items as yourself.")
ALREADY_WATCHED = _("This item has already been watched.")
EMPTY_TITLE = _("The title must not be empty.")
QUEUE_FULL = _("The room's queue has its most items ({limit}); remove or watch some first.")

EDITABLE_FIELDS = ("title", "media_type", "tmdb_id", "year", "overview")

# An item to look up on TMDB: just added, or given another TMDB id, or, not identified yet,
# another title, year or kind. TMDB enrichment (`tmdb/apps.py`) marks it pending when a key is
# set, and fetches it once the block commits. Runs inside the atomic block that saves the item.
metadata_wanted: Hook[[QueueItem], None] = Hook("metadata_wanted")

# Marking an item watched also makes its history entry, in the same transaction: the history
# app does both (`history/apps.py`).
item_watched: Hook[[QueueItem, Member | None], object] = Hook("item_watched")


def clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise Invalid(EMPTY_TITLE, fields={"title": [EMPTY_TITLE]})
    return cleaned


def item_get(item_id: str) -> QueueItem:
    item = unique_row(QueueItem.objects.select_related("room").filter(pk=item_id))
    if item is None:
        raise NotFound(ITEM_NOT_FOUND)
    return item


def item_for_write(item_id: str, by: Member, *, watched: str) -> QueueItem:
    """The item with its room, read inside the caller's transaction, for a member's write on
    it (a vote, a seen mark, a veto): 404 for none, 403 for another room's, 409 when the room is
    closed or the item watched (`watched` says why in the caller's words)."""
    item = unique_row(QueueItem.objects.select_related("room").filter(pk=item_id))
    if item is None:
        raise NotFound(ITEM_NOT_FOUND)
    if item.room_id != by.room_id:
        raise Forbidden(OTHER_ROOM)
    require_open(item.room)
    if item.status == ItemStatus.WATCHED:
        raise Conflict(watched, code="item_watched")
    return item


def room_queue(room: Room, *, status: str | None = None, sort: str = "score") -> list[QueueItem]:
    items = room.queue_items.all() if status else room.queue_items.open()
    if status:
        items = items.filter(status=status)
    order = ["-vote_score", "added_at", "id"] if sort == "score" else ["added_at", "id"]
    return list(items.order_by(*order))


def item_payload(item: QueueItem) -> dict:
    return QueueItemSerializer(item).data


def queue_event(room: Room, action: str, item: QueueItem) -> None:
    event_record(room, EventType.QUEUE_UPDATE, {"action": action, "item": item_payload(item)})


def _duplicate_of(room: Room, fields: dict[str, Any], exclude: str | None) -> Conflict:
    """The 409 for an add or edit that the database refused as a duplicate, naming the item."""
    open_items = QueueItem.objects.filter(room=room, status__in=OPEN_STATUSES).exclude(pk=exclude)
    existing = open_items.filter(title_key=fields["title_key"]).first()
    message = DUPLICATE_TITLE
    if existing is None and fields.get("tmdb_id") is not None:
        existing = open_items.filter(
            media_type=fields["media_type"], tmdb_id=fields["tmdb_id"]
        ).first()
        message = DUPLICATE_TMDB_ID
    return Conflict(
        message,
        code="duplicate_item",
        existing_item=item_payload(existing) if existing else None,
    )


@retry_on_conflict
def queue_item_add(*, room: Room, by: Member, title: str, **fields: Any) -> QueueItem:
    """Add a film or show. Duplicates among the room's open items are refused by the database,
    so two people adding the same film at once leave exactly one item."""
    require_open(room)
    title = clean_title(title)
    values = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS and v is not None}
    item = QueueItem(room=room, title=title, title_key=title_key(title), added_by=by.user_id)
    for field, value in values.items():
        setattr(item, field, value)
    try:
        with atomic():
            member_require_present(by)
            _require_room_for_one_more(room)
            metadata_wanted(item)
            item.save(force_insert=True)
            queue_event(room, "added", item)
    except IntegrityError:
        raise _duplicate_of(
            room,
            {"title_key": item.title_key, "media_type": item.media_type, "tmdb_id": item.tmdb_id},
            None,
        ) from None
    return item


def _require_room_for_one_more(room: Room) -> None:
    """`ROOM_ITEMS_MAX` open (queued or watching) items per room. Counted inside the adding
    transaction, which also writes the room (its event number), so two adds at once cannot both
    take the last place."""
    if QueueItem.objects.filter(room=room).open().count() >= (limit := settings.ROOM_ITEMS_MAX):
        raise Conflict(QUEUE_FULL.format(limit=limit), code="queue_full")


def _require_owner_or_host(item: QueueItem, by: Member | None) -> None:
    if by is not None and not (by.is_host or by.user_id == item.added_by):
        raise Forbidden(NOT_YOURS)


@retry_on_conflict
def queue_item_update(*, item: QueueItem, by: Member | None, **fields: Any) -> QueueItem:
    """Edit an item's details. Status changes go through `queue_item_set_status`."""
    _require_owner_or_host(item, by)
    require_open(item.room)
    if item.status == ItemStatus.WATCHED:
        raise Conflict(ALREADY_WATCHED, code="already_watched")
    changes = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    if "title" in changes:
        changes["title"] = clean_title(changes["title"])
        changes["title_key"] = title_key(changes["title"])
    if not changes:
        return item
    # A new TMDB id means other metadata; so does a new title, year or kind of an item that
    # TMDB has not identified yet (the year is how two films of one title are told apart).
    new_id = changes.get("tmdb_id") not in (None, item.tmdb_id)
    retitled = (
        item.tmdb_id is None
        and "tmdb_id" not in changes
        and any(
            changes.get(field, getattr(item, field)) != getattr(item, field)
            for field in ("title", "year", "media_type")
        )
    )
    refetch = new_id or retitled
    for field, value in changes.items():
        setattr(item, field, value)
    try:
        with atomic():
            member_require_present(by)
            if refetch:
                metadata_wanted(item)
            item.save(
                update_fields=[*changes, *(ENRICHMENT_FIELDS if refetch else []), "updated_at"]
            )
            queue_event(item.room, "updated", item)
    except IntegrityError:
        item.refresh_from_db()
        raise _duplicate_of(
            item.room,
            {
                "title_key": changes.get("title_key", item.title_key),
                "media_type": changes.get("media_type", item.media_type),
                "tmdb_id": changes.get("tmdb_id", item.tmdb_id),
            },
            item.pk,
        ) from None
    return item


@retry_on_conflict
def queue_item_remove(*, item: QueueItem, by: Member | None) -> None:
    """Take an item out of the queue. Members cannot remove what the room has watched (it is
    history); a moderator can remove anything, and the history entry keeps its own copy."""
    _require_owner_or_host(item, by)
    if by is not None:
        require_open(item.room)
        if item.status == ItemStatus.WATCHED:
            raise Conflict(ALREADY_WATCHED, code="already_watched")
    with atomic():
        member_require_present(by)
        payload = item_payload(item)
        item.delete()
        event_record(item.room, EventType.QUEUE_UPDATE, {"action": "removed", "item": payload})


@retry_on_conflict
def queue_item_set_status(*, item: QueueItem, by: Member | None, status: str) -> QueueItem:
    """Move an item between queued and watching; one item at a time is "watching".

    Watched is a one-way step with a history entry, made through the `item_watched` hook.
    """
    require_open(item.room)
    if item.status == ItemStatus.WATCHED:
        raise Conflict(ALREADY_WATCHED, code="already_watched")
    if status == ItemStatus.WATCHED:
        item_watched.one(item=item, by=by)
        return item
    if item.status == status:
        return item
    now = timezone.now()
    with atomic():
        member_require_present(by)
        if status == ItemStatus.WATCHING:
            for other in item.room.queue_items.filter(status=ItemStatus.WATCHING):
                other.status, other.status_changed_at = ItemStatus.QUEUED, now
                other.save(update_fields=["status", "status_changed_at", "updated_at"])
                queue_event(item.room, "status", other)
        # Conditional on the status we read, so a concurrent "watched" is not overwritten.
        changed = QueueItem.objects.filter(pk=item.pk, status=item.status).update(
            status=status, status_changed_at=now
        )
        if not changed:
            raise Conflict(ALREADY_WATCHED, code="already_watched")
        item.status, item.status_changed_at = status, now
        queue_event(item.room, "status", item)
    return item


def queue_item_start_watching(*, item: QueueItem, by: Member | None) -> QueueItem:
    return queue_item_set_status(item=item, by=by, status=ItemStatus.WATCHING)
