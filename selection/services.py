"""Picking what to watch: load the candidates, run the pure algorithm, record the pick."""

import math
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from queues.models import QueueItem
from rooms.models import Member, Room, SelectionMode
from rooms.services import member_require_present, require_open
from selection import algorithms
from selection.models import Selection
from selection.serializers import SelectionSerializer
from voting.models import VotingRound
from watchqueue_site.db import atomic, retry_on_conflict, unique_row
from watchqueue_site.errors import Conflict, NotFound, RateLimited
from watchqueue_site.events import EventType, event_record
from watchqueue_site.hooks import Hook

EMPTY_QUEUE = "The queue has nothing queued to pick from."
TOO_MANY_PICKS = "This room has picked too often in a short time. Try again in a moment."
SELECTION_NOT_FOUND = "No selection with this id."
# Seeds stay below 2**53 so a JavaScript client holds them exactly.
SEED_BITS = 52

# Who added each film the room watched, and when: round robin takes turns by it. The history
# app, which keeps what the room watched, answers (`history/apps.py`).
past_picks: Hook[[Room], list[algorithms.PastPick]] = Hook("past_picks")


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


def selection_record(
    *, room: Room, mode: str, by: Member | None, voting_round: VotingRound | None = None
) -> Selection | None:
    """Pick among the queued items and record it; None when nothing is queued.

    Runs inside the caller's atomic block and raises nothing for an empty queue, because on
    MongoDB an exception inside a transaction aborts all of it.
    """
    items = list(room.queue_items.queued())
    if not items:
        return None
    history = past_picks.one(room) if mode == SelectionMode.ROUND_ROBIN else []
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


def selection_for_round(voting_round: VotingRound, by: Member | None) -> dict | None:
    """The pick that ends a voting round (voting's `round_pick` hook), as clients see it; runs
    in the round's atomic block."""
    room = voting_round.room
    selection = selection_record(
        room=room, mode=room.selection_mode, by=by, voting_round=voting_round
    )
    return SelectionSerializer(selection).data if selection else None


@retry_on_conflict
def selection_make(*, room: Room, by: Member | None, mode: str | None = None) -> Selection:
    require_open(room)
    with atomic():
        member_require_present(by)
        _require_pick_budget(room)
        selection = selection_record(room=room, mode=mode or room.selection_mode, by=by)
    if selection is None:
        raise Conflict(EMPTY_QUEUE, code="empty_queue")
    return selection


def _require_pick_budget(room: Room) -> None:
    """`PICK_RATE` picks per room, in a sliding window. Picks that end voting rounds count
    towards it but are never refused (a round ends in its pick), so they do not appear here.
    Counted inside the picking transaction, which also writes the room (its event number), so
    two picks at once cannot both take the last place."""
    limit, period = settings.PICK_RATE
    now = timezone.now()
    recent = list(
        Selection.objects.filter(room=room, created_at__gt=now - timedelta(seconds=period))
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(recent) >= limit:
        free_at = recent[len(recent) - limit] + timedelta(seconds=period)
        wait = max(1, math.ceil((free_at - now).total_seconds()))
        raise RateLimited(TOO_MANY_PICKS, retry_after=wait)


def selection_get(selection_id: str) -> Selection:
    selection = unique_row(Selection.objects.select_related("item", "room").filter(pk=selection_id))
    if selection is None:
        raise NotFound(SELECTION_NOT_FOUND)
    return selection
