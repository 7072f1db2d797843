"""Picking what to watch: tonight's candidates, the pure algorithm, the pick recorded with every
reason, and turning a pick down.

One pick stands at a time. While a pick of tonight stands (not turned down, its item still in
the queue), picking again is refused with a 409 naming it: the room turns it down to pick
again, or watches it, which starts the next evening. So two people pressing "pick" at once get
one pick, and a random draw cannot be re-rolled until it suits someone.
"""

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from queues.models import OPEN_STATUSES, ItemStatus, QueueItem
from rooms.models import Member, Room, SelectionMode
from rooms.services import member_require_present, require_open
from selection import algorithms, eligibility
from selection.models import Selection
from selection.serializers import SelectionSerializer
from selection.wording import excluded_words, nothing_eligible_words, turned_down_then
from tonight.models import Evening, Veto
from tonight.services import (
    Tonight,
    constraints_payload,
    evening_for_write,
    evening_open,
    tonight_load,
    veto_spend,
)
from voting.models import RoundStatus, Vote, VoteValue, VotingRound
from voting.serializers import VotingRoundSerializer
from voting.services import RoundPick, rounds_close_due
from watchqueue_site.db import atomic, retry_on_conflict, unique_row
from watchqueue_site.errors import Conflict, NotFound, RateLimited
from watchqueue_site.events import EventType, event_record
from watchqueue_site.hooks import Hook
from watchqueue_site.phrases import ENGLISH, Said, english, phrase, words

EMPTY_QUEUE = _("The queue has nothing queued to pick from.")
TOO_MANY_PICKS = _("This room has picked too often in a short time. Try again in a moment.")
SELECTION_NOT_FOUND = _("No selection with this id.")
PICK_STANDING = _(
    "{title} is tonight's pick. Turn it down to pick again, or mark it watched to start the "
    "next evening."
)
ROUND_RUNNING = _(
    "A voting round is running; it ends in the room's pick (the host can end it now)."
)
NOTHING_ELSE = phrase("nothing.else", "Nothing else can be picked tonight, so %(title)s stands.")
NOTHING_ELSE_OTHERS = phrase(
    "nothing.else_others",
    "Nothing else can be picked tonight, so %(title)s stands. The others: %(counts)s.",
)
NOT_STANDING = _("Only tonight's standing pick can be turned down.")
TURNED_DOWN_WATCHED = _("This pick has been watched; it can no longer be turned down.")
# Seeds stay below 2**53 so a JavaScript client holds them exactly.
SEED_BITS = 52

TURN_DOWN_RULE = _(
    "The host turns a pick down freely; any other member spends one of their vetoes on it, "
    "unless they vetoed it already. The room then picks again, in the same mode, without it."
)

# Each member's fairness ledger: round robin takes turns by it, and weighted draws boost by it
# when the room opts in. The history app, which keeps what the room watched, answers
# (`history/apps.py`).
room_ledger: Hook[[Room], list[algorithms.LedgerEntry]] = Hook("room_ledger")


class ItemRow(NamedTuple):
    """What a pick needs of an item: read as plain rows, since a pick reads every open item of
    the room and building hundreds of model instances would cost more than the pick itself."""

    pk: str
    title: str
    added_by: str
    added_at: datetime
    vote_score: int
    upvotes: int
    downvotes: int
    media_type: str
    tmdb_id: int | None
    runtime_minutes: int | None
    genres: list
    providers: dict
    status: str


def _open_rows(room: Room) -> list[ItemRow]:
    rows = room.queue_items.filter(status__in=OPEN_STATUSES).values_list(*ItemRow._fields)
    return [ItemRow(*row) for row in rows]


@dataclass
class Field:
    """What a pick chooses among tonight, and why the rest are left out."""

    tonight: Tonight
    constraints: eligibility.Constraints
    eligible: list[algorithms.Candidate]
    excluded: list[dict[str, Any]]
    ledger: list[algorithms.LedgerEntry]

    @property
    def rules(self) -> algorithms.DrawRules:
        room = self.tonight.room
        return algorithms.DrawRules(
            strength=float(settings.PICK_DRAW_STRENGTH),
            boost=room.fair_boost,
            consensus_share=room.consensus_share_percent / 100,
        )

    @property
    def names(self) -> dict[str, str]:
        return {member.user_id: member.name for member in self.tonight.members}

    @property
    def attendees(self) -> int:
        return len(self.tonight.attendee_ids)

    def context(self) -> dict[str, Any]:
        """What every reason records besides the rule: tonight's constraints and attendees,
        and every item left out with all its reasons."""
        return {
            "constraints": {
                **constraints_payload(self.tonight.evening),
                "max_runtime_now": self.constraints.max_runtime,
                "services": list(self.constraints.services or []),
            },
            "attendees": self.tonight.attendee_ids,
            "excluded": self.excluded,
        }


def _resolved_constraints(tonight: Tonight) -> eligibility.Constraints:
    """Tonight's constraints as the filter takes them: a finish-by time becomes the minutes
    left now, and the smaller of that and the maximum runtime counts."""
    evening = tonight.evening
    room = tonight.room
    attendees = len(tonight.attendee_ids)
    if evening is None:
        return eligibility.Constraints(
            attendees=max(attendees, 1), seen_share=room.seen_share_percent / 100
        )
    limits = []
    label = None
    if evening.max_runtime_minutes is not None:
        limits.append(evening.max_runtime_minutes)
    if evening.finish_by is not None:
        left = math.floor((evening.finish_by - timezone.now()).total_seconds() / 60)
        limits.append(left)
        offset = timedelta(minutes=evening.finish_by_offset_minutes or 0)
        local = evening.finish_by.astimezone(timezone.get_fixed_timezone(offset))
        if evening.max_runtime_minutes is None or left < evening.max_runtime_minutes:
            label = local.strftime("%H:%M")
    return eligibility.Constraints(
        attendees=max(attendees, 1),
        max_runtime=min(limits) if limits else None,
        finish_by_label=label,
        media=evening.media,
        genres_include=tuple(evening.genres_include),
        genres_exclude=tuple(evening.genres_exclude),
        services=tuple(tonight.services) if evening.streamable_only else None,
        seen_share=room.seen_share_percent / 100,
    )


def _candidates(
    items: list[ItemRow], tonight: Tonight, turned_down: set[str]
) -> list[algorithms.Candidate]:
    attendees = set(tonight.attendee_ids)
    names = {member.user_id: member.name for member in tonight.members}
    if attendees == set(names):
        # Everyone present is in, and a member who leaves takes their votes back: the item's
        # own counts are the attendees' votes.
        ups = {item.pk: item.upvotes for item in items}
        downs = {item.pk: item.downvotes for item in items}
    else:
        ups, downs = _attendee_votes(tonight.room, attendees)
    vetoed_by = tonight.vetoed_by()
    public = tonight.room.vetoes_public

    def provider_names(item: ItemRow) -> tuple[str, ...]:
        stream = (item.providers or {}).get("stream") or []
        return tuple(name for name in stream if isinstance(name, str))

    return [
        algorithms.Candidate(
            item_id=item.pk,
            title=item.title,
            added_by=item.added_by,
            added_at=item.added_at,
            vote_score=item.vote_score,
            upvotes=item.upvotes,
            downvotes=item.downvotes,
            up=ups.get(item.pk, 0),
            down=downs.get(item.pk, 0),
            media_type=item.media_type,
            runtime_minutes=item.runtime_minutes,
            genres=tuple(g for g in item.genres or [] if isinstance(g, str)),
            streams_on=provider_names(item),
            providers_known=bool(item.providers),
            status=item.status,
            seen_by=tuple(
                sorted(names.get(u, u) for u in tonight.seen.get(item.pk, ()) if u in attendees)
            ),
            vetoed_by=tuple(names.get(u, u) if public else "" for u in vetoed_by.get(item.pk, ())),
            turned_down=item.pk in turned_down,
        )
        for item in items
    ]


def _attendee_votes(room: Room, attendees: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Up and down votes per item, of tonight's attendees only."""
    ups: dict[str, int] = {}
    downs: dict[str, int] = {}
    votes = Vote.objects.filter(room=room, user_id__in=attendees).values_list("item_id", "value")
    for item_id, value in votes:
        tally = ups if value == VoteValue.UP else downs
        tally[item_id] = tally.get(item_id, 0) + 1
    return ups, downs


def _turned_down(evening: Evening | None) -> set[str]:
    if evening is None:
        return set()
    return set(
        Selection.objects.filter(evening=evening, turned_down_at__isnull=False).values_list(
            "item_id", flat=True
        )
    )


def pick_field(room: Room, mode: str, *, evening: Evening | None = None) -> Field:
    """Load tonight's field: the open items, who is in, and what the constraints leave."""
    items = _open_rows(room)
    tonight = tonight_load(room, items=items)
    constraints = _resolved_constraints(tonight)
    candidates = _candidates(items, tonight, _turned_down(evening or tonight.evening))
    verdict = eligibility.eligibility(candidates, constraints)
    wants_ledger = mode == SelectionMode.ROUND_ROBIN or (
        mode == SelectionMode.WEIGHTED_RANDOM and room.fair_boost
    )
    return Field(
        tonight=tonight,
        constraints=constraints,
        eligible=verdict.eligible,
        excluded=verdict.excluded,
        ledger=room_ledger.one(room) if wants_ledger else [],
    )


class NothingEligible(Conflict):
    def __init__(self, field: Field) -> None:
        super().__init__(
            nothing_eligible_words(field.excluded),
            code="nothing_eligible",
            excluded=excluded_words(field.excluded),
        )


def _choose(field: Field, mode: str) -> algorithms.Choice:
    return algorithms.select(
        mode,
        field.eligible,
        seed=secrets.randbits(SEED_BITS),
        rules=field.rules,
        attendees=field.attendees,
        ledger=field.ledger,
        names=field.names,
    )


def selection_record(
    *,
    room: Room,
    mode: str,
    by: Member | None,
    voting_round: VotingRound | None = None,
    after: Selection | None = None,
) -> Selection | Said:
    """Pick among tonight's eligible items and record it, inside the caller's atomic block.

    Answers why nothing was picked (a phrase: nothing queued, or what left everything out)
    instead of raising: on MongoDB an exception inside a transaction aborts all of it, and a
    round must still close.
    """
    if not room.queue_items.filter(status__in=OPEN_STATUSES).exists():
        return eligibility.NOTHING_QUEUED()
    evening = evening_for_write(room, by)
    field = pick_field(room, mode, evening=evening)
    if not field.eligible:
        return eligibility.nothing_eligible(field.excluded)
    choice = _choose(field, mode)
    item = QueueItem.objects.get(pk=choice.item_id)
    reason = {**choice.reason, **field.context()}
    if after is not None:
        reason["after_turn_down"] = {
            "selection_id": after.pk,
            "item_id": after.item_id,
            "title": after.item_title,
            "by": after.turned_down_by,
        }
        said = turned_down_then(after.item_title, reason["summary_phrase"])
        reason.update(summary=english(said), summary_phrase=said)
    selection = Selection.objects.create(
        room=room,
        item=item,
        item_title=item.title,
        mode=mode,
        reason=reason,
        seed=choice.seed,
        selected_by=by.user_id if by else "",
        round=voting_round,
        evening=evening,
    )
    event_record(room, EventType.SELECTION, {"selection": shared(selection)})
    return selection


def shared(selection: Selection) -> dict[str, Any]:
    """The pick as every client is sent it: in English, with its phrases for their pages."""
    with translation.override(ENGLISH):
        return SelectionSerializer(selection).data


def _nothing_queued(said: Said) -> bool:
    return said.get("phrase") == eligibility.NOTHING_QUEUED.key


def selection_for_round(voting_round: VotingRound, by: Member | None) -> RoundPick:
    """The pick that ends a voting round (voting's `round_pick` hook), as clients see it, or
    why nothing was picked when nothing was eligible; neither for an empty queue. Runs in the
    round's atomic block."""
    room = voting_round.room
    picked = selection_record(room=room, mode=room.selection_mode, by=by, voting_round=voting_round)
    if isinstance(picked, Selection):
        return RoundPick(selection=shared(picked))
    return RoundPick(outcome=None if _nothing_queued(picked) else picked)


def standing_pick(room: Room, evening: Evening | None = None) -> Selection | None:
    """Tonight's pick that still stands: the evening's latest, unless it was turned down or
    its item has left the queue."""
    evening = evening or evening_open(room)
    if evening is None:
        return None
    latest = (
        Selection.objects.select_related("item")
        .filter(evening=evening)
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None or latest.turned_down_at is not None:
        return None
    if latest.item is None or latest.item.status not in OPEN_STATUSES:
        return None
    return latest


def _require_no_round(room: Room) -> None:
    running = VotingRound.objects.filter(room=room, status=RoundStatus.OPEN).first()
    if running is not None:
        raise Conflict(
            ROUND_RUNNING, code="round_running", round=VotingRoundSerializer(running).data
        )


def _require_nothing_standing(room: Room) -> None:
    standing = standing_pick(room)
    if standing is not None:
        raise Conflict(
            PICK_STANDING.format(title=standing.item_title),
            code="pick_standing",
            selection=SelectionSerializer(standing).data,
        )


@retry_on_conflict
def selection_make(*, room: Room, by: Member | None, mode: str | None = None) -> Selection:
    """A pick on request. Refused (409) while a voting round runs, while tonight's pick stands,
    and when nothing is eligible, with every item's reasons."""
    require_open(room)
    rounds_close_due(room)
    mode = mode or room.selection_mode
    with atomic():
        member_require_present(by)
        _require_no_round(room)
        _require_nothing_standing(room)
        _require_pick_budget(room)
        picked = selection_record(room=room, mode=mode, by=by)
        if not isinstance(picked, Selection):
            _refuse(room, mode, picked)
    return picked


def _refuse(room: Room, mode: str, why: Said, standing: Selection | None = None) -> None:
    """Refuse a pick that found nothing to pick, in the asker's language; for a turn-down,
    the pick it would have replaced stands, so it is not among the reasons."""
    if _nothing_queued(why):
        raise Conflict(EMPTY_QUEUE, code="empty_queue")
    field = pick_field(room, mode)
    if standing is None:
        raise NothingEligible(field)
    others = [entry for entry in field.excluded if entry["item_id"] != standing.item_id]
    counts = eligibility.counted(others)
    said = (
        NOTHING_ELSE_OTHERS(title=standing.item_title, counts=counts)
        if counts
        else NOTHING_ELSE(title=standing.item_title)
    )
    raise Conflict(words(said), code="nothing_eligible", excluded=excluded_words(others))


@retry_on_conflict
def selection_turn_down(*, selection: Selection, by: Member | None) -> Selection:
    """Turn tonight's standing pick down and pick again without it, by TURN_DOWN_RULE. Nothing
    is written when nothing else can be picked (409 with the reasons)."""
    room = selection.room
    require_open(room)
    with atomic():
        member_require_present(by)
        current = unique_row(Selection.objects.select_related("item").filter(pk=selection.pk))
        if current is None:
            raise NotFound(SELECTION_NOT_FOUND)
        if current.item is not None and current.item.status == ItemStatus.WATCHED:
            raise Conflict(TURNED_DOWN_WATCHED, code="pick_watched")
        standing = standing_pick(room)
        if standing is None or standing.pk != current.pk:
            raise Conflict(NOT_STANDING, code="not_standing")
        # A member who vetoed this item tonight already has spent their veto on it.
        if by is not None and not by.is_host and not _vetoed(standing, by):
            veto_spend(standing.evening, standing.item, by)
        now = timezone.now()
        Selection.objects.filter(pk=current.pk).update(
            turned_down_at=now, turned_down_by=by.user_id if by else ""
        )
        current.turned_down_at, current.turned_down_by = now, by.user_id if by else ""
        _require_pick_budget(room)
        picked = selection_record(room=room, mode=current.mode, by=by, after=current)
        if not isinstance(picked, Selection):
            _refuse(room, current.mode, picked, standing=current)
    return picked


def _vetoed(selection: Selection, by: Member) -> bool:
    return Veto.objects.filter(
        evening_id=selection.evening_id, item_id=selection.item_id, user_id=by.user_id
    ).exists()


def selection_preview(room: Room, mode: str | None = None) -> dict[str, Any]:
    """What a pick now would choose among, without picking: each eligible candidate (with its
    chance in a weighted draw), every item left out with its reasons, whose turn it is in
    round robin, and the pick that stands, if one does."""
    mode = mode or room.selection_mode
    field = pick_field(room, mode)
    chances = (
        algorithms.chances(field.eligible, field.rules, field.attendees, field.ledger)
        if mode == SelectionMode.WEIGHTED_RANDOM and field.eligible
        else {}
    )
    turn = None
    if mode == SelectionMode.ROUND_ROBIN and field.eligible:
        turn = algorithms.round_robin(field.eligible, field.ledger, names=field.names).reason.get(
            "turn"
        )
    standing = standing_pick(room, field.tonight.evening)
    matches = set(field.tonight.matches)
    return {
        "mode": mode,
        "candidates": [
            {
                "item_id": c.item_id,
                "title": c.title,
                "added_by": c.added_by,
                "vote_score": c.vote_score,
                "up": c.up,
                "down": c.down,
                "match": c.item_id in matches,
                "chance": chances.get(c.item_id),
            }
            for c in field.eligible
        ],
        "turn": turn,
        "standing": SelectionSerializer(standing).data if standing else None,
        "summary": None if field.eligible else nothing_eligible_words(field.excluded),
        **field.context(),
        "excluded": excluded_words(field.excluded),
    }


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
