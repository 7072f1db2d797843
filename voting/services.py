"""Votes and voting rounds.

An item's `upvotes`, `downvotes` and `vote_score` move with every vote change, in the same
transaction: the counts are read inside it and written back moved by that one vote. On SQLite
the transaction holds the write lock from its first statement (IMMEDIATE), on MongoDB
concurrent transactions on one item conflict and one is retried, so the stored counts always
equal a recount whatever the interleaving.
"""

from datetime import timedelta
from typing import Any, NamedTuple

from django.db import IntegrityError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from queues.models import QueueItem
from queues.serializers import vote_counts
from queues.services import item_for_write
from rooms.models import Member, Room
from rooms.services import member_require_present, require_open
from voting.models import RoundStatus, Vote, VoteValue, VotingRound
from voting.serializers import VotingRoundSerializer
from watchqueue_site.db import atomic, retry_on_conflict, unique_row
from watchqueue_site.errors import Conflict, Forbidden, NotFound
from watchqueue_site.events import EventType, event_record
from watchqueue_site.hooks import Hook
from watchqueue_site.phrases import ENGLISH, Said, english, phrase

VOTE_AS_SELF_ONLY = _("You can only vote as yourself.")
VOTE_NOT_FOUND = _("This member has not voted on this item.")
ITEM_NOT_VOTABLE = _("This item has been watched; votes on it are closed.")
REVOTES_DISABLED = _("This room does not allow changing a vote.")
ROUND_RUNNING = _("A voting round is already running in this room.")
NO_ROUND = _("There is no voting round running in this room.")
ROUND_END_NOT_ALLOWED = _("Only the host or whoever started the round can end it early.")
EMPTY_QUEUE_OUTCOME = phrase(
    "round.empty_queue", "The queue was empty when the round ended, so nothing was picked."
)
ROOM_CLOSED_OUTCOME = phrase(
    "round.room_closed", "The room was closed before the round ended, so nothing was picked."
)


OUTCOME_MAX = 200


class RoundPick(NamedTuple):
    """How a round's pick went: the pick as clients see it, or why nothing could be picked
    (a phrase); neither when nothing was queued."""

    selection: dict[str, Any] | None = None
    outcome: Said | None = None


# A round that ends makes the room's pick, which the selection app makes (`selection/apps.py`).
# Called inside the round's atomic block with the round and who ended it.
round_pick: Hook[[VotingRound, Member | None], RoundPick] = Hook("round_pick")

# A member's vote on an item changed (to "up", "down" or None): the item may have become a
# match, or stopped being one, which the tonight app keeps (`tonight/apps.py`). Called inside
# the vote's atomic block. A leaving member's votes do not call it: tonight recounts once for
# the departure instead.
vote_changed: Hook[[QueueItem, str | None], None] = Hook("vote_changed")


def _counts_move(item: QueueItem, old: str | None, new: str | None) -> None:
    """Move one member's vote on `item` from `old` to `new` (None: no vote) in its counts, which
    were read inside the same transaction."""
    item.upvotes += (new == VoteValue.UP) - (old == VoteValue.UP)
    item.downvotes += (new == VoteValue.DOWN) - (old == VoteValue.DOWN)
    item.vote_score = item.upvotes - item.downvotes
    QueueItem.objects.filter(pk=item.pk).update(
        upvotes=item.upvotes, downvotes=item.downvotes, vote_score=item.vote_score
    )


def _vote_event(room: Room, item: QueueItem, user_id: str, value: str | None) -> None:
    event_record(
        room,
        EventType.VOTE_UPDATE,
        {"user_id": user_id, "vote": value, **vote_counts(item)},
    )


def _votable_item(item_id: str, by: Member) -> QueueItem:
    """The item with its room, read inside the vote's transaction: a vote never lands on an
    item just marked watched or in a room just closed, and moves the counts as they are now."""
    return item_for_write(item_id, by, watched=ITEM_NOT_VOTABLE)


@retry_on_conflict
def vote_cast(
    *, item_id: str, by: Member, value: str, user_id: str | None = None
) -> tuple[Vote, QueueItem, bool]:
    """Cast or change `by`'s vote on an item.

    Returns the vote, the item with its new counts, and whether anything changed. Everything
    the vote depends on (the item, its room's settings, the member's earlier vote) is read
    inside the transaction that writes it.
    """
    if user_id is not None and user_id != by.user_id:
        raise Forbidden(VOTE_AS_SELF_ONLY)
    # Two first votes from one member racing each other: the unique constraint refuses the
    # second insert, and the retry finds the first and treats this one as a change.
    for attempt in range(3):
        try:
            with atomic():
                return _vote_cast(item_id, by, value)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _vote_cast(item_id: str, by: Member, value: str) -> tuple[Vote, QueueItem, bool]:
    item = _votable_item(item_id, by)
    room = item.room
    vote = unique_row(Vote.objects.filter(item_id=item.pk, member_id=by.pk))
    old = vote.value if vote is not None else None
    # The member was read from the token before this transaction: if they have been removed
    # (or signed this token out) since, their vote must not land.
    member_require_present(by)
    if vote is None:
        vote = Vote.objects.create(room=room, item=item, member=by, user_id=by.user_id, value=value)
    elif old == value:
        return vote, item, False
    elif not room.allow_revotes:
        raise Conflict(REVOTES_DISABLED, code="revotes_disabled")
    else:
        vote.value = value
        vote.save(update_fields=["value", "updated_at"])
    _counts_move(item, old, value)
    _vote_event(room, item, by.user_id, value)
    vote_changed(item, value)
    return vote, item, True


def vote_get(item: QueueItem, user_id: str) -> Vote:
    vote = unique_row(Vote.objects.filter(item_id=item.pk, user_id=user_id))
    if vote is None:
        raise NotFound(VOTE_NOT_FOUND)
    return vote


@retry_on_conflict
def vote_remove(*, item_id: str, by: Member, user_id: str) -> QueueItem:
    """Withdraw `by`'s vote on an item; returns the item with its new counts."""
    if user_id != by.user_id:
        raise Forbidden(VOTE_AS_SELF_ONLY)
    with atomic():
        member_require_present(by)
        item = _votable_item(item_id, by)
        vote = unique_row(Vote.objects.filter(item_id=item.pk, member_id=by.pk))
        if vote is None:
            raise NotFound(VOTE_NOT_FOUND)
        Vote.objects.filter(pk=vote.pk).delete()
        _counts_move(item, vote.value, None)
        _vote_event(item.room, item, by.user_id, None)
        vote_changed(item, None)
    return item


def votes_withdraw_all(member: Member) -> None:
    """Withdraw all of a leaving member's votes; runs inside the caller's atomic block."""
    votes = dict(Vote.objects.filter(member=member).values_list("item_id", "value"))
    if not votes:
        return
    Vote.objects.filter(member=member).delete()
    for item in QueueItem.objects.filter(pk__in=votes):
        _counts_move(item, votes[item.pk], None)
        _vote_event(member.room, item, member.user_id, None)


def votes_merge(*, source: QueueItem, target: QueueItem) -> None:
    """Move the votes on `source` to `target`, its duplicate; runs in the caller's atomic block.

    A member who voted on both keeps their vote on `target`; the other votes move over, each
    moving `target`'s counts and recorded as that member's vote on it.
    """
    already = set(Vote.objects.filter(item=target).values_list("member_id", flat=True))
    for vote in Vote.objects.filter(item=source).order_by("created_at", "id"):
        if vote.member_id in already:
            continue
        Vote.objects.filter(pk=vote.pk).update(item=target)
        _counts_move(target, None, vote.value)
        _vote_event(target.room, target, vote.user_id, vote.value)
        vote_changed(target, vote.value)
    Vote.objects.filter(item=source).delete()


# Voting rounds


def _round_event(room: Room, type: str, voting_round: VotingRound, **extra: object) -> None:
    # Every client is sent the same event: its words in English, its phrases for their pages.
    with translation.override(ENGLISH):
        data = VotingRoundSerializer(voting_round).data
    event_record(room, type, {"round": data, **extra})


@retry_on_conflict
def round_start(
    *, room: Room, by: Member | None, duration_seconds: int | None = None
) -> VotingRound:
    require_open(room)
    rounds_close_due(room)
    now = timezone.now()
    seconds = duration_seconds or room.voting_duration_seconds
    try:
        with atomic():
            member_require_present(by)
            voting_round = VotingRound.objects.create(
                room=room,
                started_by=by.user_id if by else "",
                started_at=now,
                ends_at=now + timedelta(seconds=seconds),
            )
            _round_event(room, EventType.VOTING_ROUND_START, voting_round)
    except IntegrityError:
        running = VotingRound.objects.filter(room=room, status=RoundStatus.OPEN).first()
        raise Conflict(
            ROUND_RUNNING,
            code="round_running",
            round=VotingRoundSerializer(running).data if running else None,
        ) from None
    return voting_round


def round_latest(room: Room) -> VotingRound | None:
    """The room's running round, or its last one; a round past its deadline is closed first."""
    rounds_close_due(room)
    return VotingRound.objects.filter(room=room).order_by("-started_at").first()


@retry_on_conflict
def round_close(voting_round: VotingRound, *, by: Member | None = None, pick: bool = True) -> bool:
    """Close the round and let the room's mode pick, exactly once.

    Any number of requests or processes may call this for one round at the same moment: the
    conditional update lets only the first one through, and the selection's unique `round`
    backs that up in the database. A round of a closed room ends without a pick.
    """
    with atomic():
        member_require_present(by)
        return _round_close(voting_round, by=by)


def _round_close(voting_round: VotingRound, *, by: Member | None) -> bool:
    """`round_close` inside the caller's atomic block."""
    room = voting_round.room
    now = timezone.now()
    closed = VotingRound.objects.filter(pk=voting_round.pk, status=RoundStatus.OPEN).update(
        status=RoundStatus.CLOSED, closed_at=now
    )
    if not closed:
        return False
    voting_round.status, voting_round.closed_at = RoundStatus.CLOSED, now
    picked = round_pick.one(voting_round, by) if room.is_open else RoundPick()
    if picked.selection is None:
        said = picked.outcome or (EMPTY_QUEUE_OUTCOME() if room.is_open else ROOM_CLOSED_OUTCOME())
        voting_round.outcome = english(said)[:OUTCOME_MAX]
        voting_round.outcome_phrase = said
        voting_round.save(update_fields=["outcome", "outcome_phrase"])
    _round_event(room, EventType.VOTING_ROUND_END, voting_round, selection=picked.selection)
    return True


def round_end_now(*, room: Room, by: Member | None) -> VotingRound:
    require_open(room)
    voting_round = VotingRound.objects.filter(room=room, status=RoundStatus.OPEN).first()
    if voting_round is None:
        raise Conflict(NO_ROUND, code="no_round")
    if by is not None and not (by.is_host or by.user_id == voting_round.started_by):
        raise Forbidden(ROUND_END_NOT_ALLOWED)
    round_close(voting_round, by=by)
    voting_round.refresh_from_db()
    return voting_round


def rounds_close_due(room: Room | None = None) -> int:
    """Close every round whose deadline has passed (in one room, or everywhere)."""
    due = VotingRound.objects.select_related("room").filter(
        status=RoundStatus.OPEN, ends_at__lte=timezone.now()
    )
    if room is not None:
        due = due.filter(room=room)
    return sum(round_close(voting_round) for voting_round in due)


def rounds_end_for_closed_room(room: Room) -> None:
    """End a closing room's running round without a pick; runs in the caller's atomic block."""
    for voting_round in VotingRound.objects.filter(room=room, status=RoundStatus.OPEN):
        voting_round.room = room
        _round_close(voting_round, by=None)
