"""Picking what to watch: load the candidates, run the pure algorithm, record the pick."""

import secrets

from history.models import WatchEntry
from queues.models import QueueItem
from realtime.events import EventType, event_record
from rooms.models import Member, Room, SelectionMode
from rooms.services import require_open
from selection import algorithms
from selection.models import Selection
from selection.serializers import SelectionSerializer
from watchqueue_site.db import atomic, retry_on_conflict, unique_row
from watchqueue_site.errors import Conflict, NotFound

EMPTY_QUEUE = "The queue has nothing queued to pick from."
SELECTION_NOT_FOUND = "No selection with this id."
# Seeds stay below 2**53 so a JavaScript client holds them exactly.
SEED_BITS = 52


def _candidates(items: list[QueueItem]) -> list[algorithms.Candidate]:
    return [
        algorithms.Candidate(
            item_id=item.pk,
            title=item.title,
            added_by=item.added_by,
            added_at=item.added_at,
            vote_score=item.vote_score,
            upvotes=item.upvotes,
            downvotes=item.downvotes,
        )
        for item in items
    ]


def _history(room: Room) -> list[algorithms.PastPick]:
    rows = WatchEntry.objects.filter(room=room).values_list("added_by", "watched_at")
    return [algorithms.PastPick(added_by=added_by, watched_at=at) for added_by, at in rows]


def selection_record(
    *, room: Room, mode: str, by: Member | None, voting_round: object | None = None
) -> Selection | None:
    """Pick among the queued items and record it; None when nothing is queued.

    Runs inside the caller's atomic block and raises nothing for an empty queue, because on
    MongoDB an exception inside a transaction aborts all of it.
    """
    items = list(room.queue_items.queued())
    if not items:
        return None
    history = _history(room) if mode == SelectionMode.ROUND_ROBIN else []
    seed = secrets.randbits(SEED_BITS)
    choice = algorithms.select(mode, _candidates(items), history, seed)
    item = next(item for item in items if item.pk == choice.item_id)
    selection = Selection.objects.create(
        room=room,
        item=item,
        item_title=item.title,
        mode=mode,
        reason=choice.reason,
        seed=choice.seed,
        selected_by=by.user_id if by else "",
        round=voting_round,
    )
    event_record(room, EventType.SELECTION, {"selection": SelectionSerializer(selection).data})
    return selection


@retry_on_conflict
def selection_make(*, room: Room, by: Member | None, mode: str | None = None) -> Selection:
    require_open(room)
    with atomic():
        selection = selection_record(room=room, mode=mode or room.selection_mode, by=by)
    if selection is None:
        raise Conflict(EMPTY_QUEUE, code="empty_queue")
    return selection


def selection_get(selection_id: str) -> Selection:
    selection = unique_row(Selection.objects.select_related("item", "room").filter(pk=selection_id))
    if selection is None:
        raise NotFound(SELECTION_NOT_FOUND)
    return selection
