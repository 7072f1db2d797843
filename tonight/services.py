"""Tonight: who is in, what the pick must respect, what each member has seen or vetoed, and
which items are matches.

The room's current evening is created by the first write that needs it (a constraint, an
attendance, a veto, a match, a pick) and ends when the room marks something watched or the
host starts a new one. A new evening keeps the last one's constraints, except a finish-by time
that has passed; vetoes, attendance and matches start afresh.

Who is in: a member who said "in" or "out" is taken at their word; everyone else follows who
is connected, and when nobody is connected, every member is in.

A match is an item every attendee voted up and nobody vetoed tonight. Matches are kept as rows
so the moment an item becomes one (or stops being one) is recorded once, as a `match` event,
whatever changed it: a vote, a veto, someone arriving or leaving.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, NamedTuple, ParamSpec, TypeVar

from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from queues.models import OPEN_STATUSES, QueueItem
from queues.services import item_for_write
from rooms.models import Member, Room
from rooms.services import member_require_present, require_open
from tonight.models import Attendance, Evening, Match, Media, SeenMark, Veto
from tonight.serializers import EveningSerializer
from voting.models import Vote, VoteValue
from watchqueue_site.db import atomic, retry_on_conflict, unique_row
from watchqueue_site.errors import Conflict, Forbidden, Invalid, NotFound
from watchqueue_site.events import EventType, event_record
from watchqueue_site.hooks import Hook

P = ParamSpec("P")
T = TypeVar("T")

SELF_ONLY = _("You can only change this for yourself.")
SELF_OR_HOST = _("Only the member themself or the host can say whether they are in.")
HOST_ONLY_NEW_EVENING = _("Only the host can start a new evening.")
MEMBER_NOT_FOUND = _("No member with this user_id in this room.")
ITEM_WATCHED = _("This item has been watched.")
VETOES_OFF = _("This room does not use vetoes (its vetoes_per_evening is 0).")
NO_VETOES_LEFT = _("You have used your {count} tonight; withdraw one to veto something else.")
ALREADY_VETOED = _("You have already vetoed this item tonight.")
NOT_VETOED = _("You have not vetoed this item tonight.")
FINISH_BY_PASSED = _("The finish-by time has already passed.")
FINISH_BY_TOO_FAR = _("The finish-by time must be within the next 24 hours.")
GENRE_BOTH_WAYS = _("A genre cannot be both included and excluded: {genres}.")

CONSTRAINT_FIELDS = (
    "finish_by",
    "max_runtime_minutes",
    "genres_include",
    "genres_exclude",
    "media",
    "streamable_only",
)
FINISH_BY_AHEAD_MAX = timedelta(hours=24)

# Who has an open connection to the room, by user_id: the realtime app knows
# (`realtime/apps.py`).
online_members: Hook[[Room], set[str]] = Hook("online_members")

# Who has seen what, from the room's history: (media_type, tmdb_id) -> user_ids who rated it or
# were in when it was watched. The history app answers (`history/apps.py`).
seen_in_history: Hook[[Room], dict[tuple[str, int], set[str]]] = Hook("seen_in_history")


def _retry_on_duplicate(service: Callable[P, T]) -> Callable[P, T]:
    """Run a service once more when two requests started the room's evening at once: the
    database kept one (its unique open evening per room), and the second try uses it."""

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return service(*args, **kwargs)
        except IntegrityError:
            return service(*args, **kwargs)

    return run


# Reading tonight


def evening_open(room: Room) -> Evening | None:
    return Evening.objects.filter(room=room, ended_at=None).first()


def evening_for_write(room: Room, by: Member | None) -> Evening:
    """The room's open evening, started now if there is none; runs in the caller's atomic
    block."""
    evening = evening_open(room)
    if evening is not None:
        return evening
    now = timezone.now()
    evening = Evening(room=room, started_at=now, started_by=by.user_id if by else "")
    previous = Evening.objects.filter(room=room).order_by("-started_at", "-id").first()
    if previous is not None:
        for name in CONSTRAINT_FIELDS:
            setattr(evening, name, getattr(previous, name))
        evening.finish_by_offset_minutes = previous.finish_by_offset_minutes
        if previous.finish_by is not None and previous.finish_by <= now:
            evening.finish_by = evening.finish_by_offset_minutes = None
    evening.save(force_insert=True)
    return evening


@dataclass
class Tonight:
    """The room's evening as the pick and the clients see it."""

    room: Room
    evening: Evening | None
    members: list[Member]
    online: set[str]
    said: dict[str, bool | None]
    vetoes_used: dict[str, int]
    vetoes: list[Veto]
    seen: dict[str, set[str]]
    matches: list[str]
    attendee_ids: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.attendee_ids = attendee_ids(self.members, self.online, self.said)

    @property
    def attendees(self) -> list[Member]:
        wanted = set(self.attendee_ids)
        return [member for member in self.members if member.user_id in wanted]

    @property
    def services(self) -> list[str]:
        """The streaming services of tonight's attendees."""
        names = {name for member in self.attendees for name in member.services}
        return sorted(names, key=str.casefold)

    def vetoes_left(self, user_id: str) -> int:
        return max(0, self.room.vetoes_per_evening - self.vetoes_used.get(user_id, 0))

    def vetoed_by(self) -> dict[str, list[str]]:
        """item_id -> user_ids who vetoed it tonight."""
        by_item: dict[str, list[str]] = defaultdict(list)
        for veto in self.vetoes:
            by_item[veto.item_id].append(veto.user_id)
        return by_item


def attendee_ids(
    members: Iterable[Member] | Iterable["Seat"], online: set[str], said: dict[str, bool | None]
) -> list[str]:
    """Who is in tonight: whoever said so, and of the rest, who is connected, or everyone who
    has joined when nobody is connected (a listed friend who never joined cannot vote)."""
    members = list(members)
    present = [member.user_id for member in members]
    default = online & set(present) or {member.user_id for member in members if member.claimed}
    return [
        user_id
        for user_id in present
        if said.get(user_id) is True or (said.get(user_id) is None and user_id in default)
    ]


def _online(room: Room) -> set[str]:
    return online_members.one(room) if online_members.handlers else set()


def tonight_load(room: Room, *, items: Iterable[QueueItem] | None = None) -> Tonight:
    """Everything about the room's evening, in a fixed number of queries whatever its size.
    `items`, the room's open items when the caller has them already, spares a query."""
    evening = evening_open(room)
    attendance = list(Attendance.objects.filter(evening=evening)) if evening else []
    vetoes = list(Veto.objects.filter(evening=evening)) if evening else []
    matches = (
        list(Match.objects.filter(evening=evening).values_list("item_id", flat=True))
        if evening
        else []
    )
    if items is None:
        items = QueueItem.objects.filter(room=room, status__in=OPEN_STATUSES).only(
            "id", "media_type", "tmdb_id"
        )
    return Tonight(
        room=room,
        evening=evening,
        members=list(room.members.all()),
        online=_online(room),
        said={row.user_id: row.attending for row in attendance},
        vetoes_used={row.user_id: row.vetoes_used for row in attendance},
        vetoes=vetoes,
        seen=_seen(room, items),
        matches=matches,
    )


def _seen(room: Room, items: Iterable[QueueItem]) -> dict[str, set[str]]:
    """item_id -> who has seen it, for `items`: their own marks, and the history of the same
    title. Marks on items no longer in the queue are left out: the history speaks for those."""
    items = list(items)
    if not items:
        return {}
    seen: dict[str, set[str]] = defaultdict(set)
    marks = SeenMark.objects.filter(room=room, item_id__in=[item.pk for item in items])
    for item_id, user_id in marks.values_list("item_id", "user_id"):
        seen[item_id].add(user_id)
    history = seen_in_history.one(room) if seen_in_history.handlers else {}
    if history:
        for item in items:
            if item.tmdb_id is not None:
                seen[item.pk] |= history.get((item.media_type, item.tmdb_id), set())
    return {item_id: users for item_id, users in seen.items() if users}


def seen_by(room: Room, item: QueueItem) -> list[str]:
    return sorted(_seen(room, [item]).get(item.pk, set()))


# What clients see


def constraints_payload(evening: Evening | None) -> dict[str, Any]:
    if evening is None:
        return {
            "finish_by": None,
            "max_runtime_minutes": None,
            "genres_include": [],
            "genres_exclude": [],
            "media": Media.BOTH,
            "streamable_only": False,
        }
    return {
        "finish_by": finish_by_local(evening),
        "max_runtime_minutes": evening.max_runtime_minutes,
        "genres_include": evening.genres_include,
        "genres_exclude": evening.genres_exclude,
        "media": evening.media,
        "streamable_only": evening.streamable_only,
    }


def finish_by_local(evening: Evening) -> str | None:
    """The finish-by time as the client gave it: ISO 8601 with its own offset."""
    if evening.finish_by is None:
        return None
    offset = timedelta(minutes=evening.finish_by_offset_minutes or 0)
    return evening.finish_by.astimezone(timezone.get_fixed_timezone(offset)).isoformat()


def tonight_payload(tonight: Tonight, viewer: Member | None = None) -> dict[str, Any]:
    """Tonight as clients see it. Who vetoed what is shown when the room says so; otherwise a
    member sees only their own vetoes (`viewer`), and events show nobody's."""
    room, evening = tonight.room, tonight.evening
    public = room.vetoes_public
    viewer_id = viewer.user_id if viewer is not None else None
    attendees = set(tonight.attendee_ids)
    return {
        # Serialized here, so an event's times read exactly as the REST answer's do.
        "evening": EveningSerializer(evening).data if evening else None,
        "constraints": constraints_payload(evening),
        "attendees": tonight.attendee_ids,
        "attendance": [
            {
                "user_id": member.user_id,
                "in": member.user_id in attendees,
                "said": tonight.said.get(member.user_id),
                "online": member.user_id in tonight.online,
                "vetoes_left": (
                    tonight.vetoes_left(member.user_id)
                    if public or member.user_id == viewer_id
                    else None
                ),
            }
            for member in tonight.members
        ],
        "services": tonight.services,
        "vetoes_per_evening": room.vetoes_per_evening,
        "vetoes": [
            {
                "item_id": veto.item_id,
                "by": veto.user_id if public or veto.user_id == viewer_id else None,
            }
            for veto in tonight.vetoes
        ],
        "seen": [
            {"item_id": item_id, "by": sorted(users)} for item_id, users in tonight.seen.items()
        ],
        "matches": tonight.matches,
    }


def _evening_event(room: Room) -> None:
    event_record(room, EventType.EVENING_UPDATE, {"tonight": tonight_payload(tonight_load(room))})


# Writing tonight


def _require_member_of(room: Room, user_id: str) -> Member:
    member = unique_row(Member.objects.filter(room=room, user_id=user_id))
    if member is None:
        raise NotFound(MEMBER_NOT_FOUND)
    return member


def _clean_constraints(changes: dict[str, Any], evening: Evening) -> dict[str, Any]:
    """Check what the constraints would be after `changes`; a problem is a 400 naming it."""
    now = timezone.now()
    finish_by = changes.get("finish_by")
    if isinstance(finish_by, datetime):
        if finish_by <= now:
            raise Invalid(FINISH_BY_PASSED, fields={"finish_by": [FINISH_BY_PASSED]})
        if finish_by > now + FINISH_BY_AHEAD_MAX:
            raise Invalid(FINISH_BY_TOO_FAR, fields={"finish_by": [FINISH_BY_TOO_FAR]})
    include = changes.get("genres_include", evening.genres_include)
    exclude = changes.get("genres_exclude", evening.genres_exclude)
    both = sorted({g.casefold() for g in include} & {g.casefold() for g in exclude})
    if both:
        message = GENRE_BOTH_WAYS.format(genres=", ".join(both))
        raise Invalid(message, fields={"genres_exclude": [message]})
    return changes


@retry_on_conflict
@_retry_on_duplicate
def tonight_update(*, room: Room, by: Member | None, **changes: Any) -> Tonight:
    """Set tonight's constraints (any member, or a moderator). `finish_by` is an aware datetime
    (kept with its offset) or None; the other fields as on `Evening`."""
    require_open(room)
    changes = {name: value for name, value in changes.items() if name in CONSTRAINT_FIELDS}
    with atomic():
        member_require_present(by)
        evening = evening_for_write(room, by)
        changes = _clean_constraints(changes, evening)
        changed = [name for name, value in changes.items() if getattr(evening, name) != value]
        for name in changed:
            setattr(evening, name, changes[name])
        if "finish_by" in changes:
            finish_by = changes["finish_by"]
            offset = finish_by.utcoffset() if finish_by is not None else None
            minutes = int(offset.total_seconds() // 60) if offset is not None else None
            # The same moment given in another offset is a change too: reasons use its clock.
            if minutes != evening.finish_by_offset_minutes:
                evening.finish_by_offset_minutes = minutes
                changed.append("finish_by_offset_minutes")
        if changed:
            evening.save(update_fields=changed)
            _evening_event(room)
    return tonight_load(room)


@retry_on_conflict
@_retry_on_duplicate
def evening_new(*, room: Room, by: Member | None) -> Tonight:
    """End the room's evening and start the next (the host, or a moderator)."""
    if by is not None and not by.is_host:
        raise Forbidden(HOST_ONLY_NEW_EVENING)
    require_open(room)
    with atomic():
        member_require_present(by)
        evening_next(room, by)
    return tonight_load(room)


def evening_next(room: Room, by: Member | None) -> list[str]:
    """End the room's evening and start the next one; returns who was in the one that ended.
    Runs in the caller's atomic block: marking an item watched ends the evening
    (`history.services`)."""
    tonight = tonight_load(room, items=[])
    if tonight.evening is not None:
        Evening.objects.filter(pk=tonight.evening.pk).update(ended_at=timezone.now())
    evening_for_write(room, by)
    _evening_event(room)
    return tonight.attendee_ids


@retry_on_conflict
@_retry_on_duplicate
def attendance_set(
    *, room: Room, by: Member | None, user_id: str, attending: bool | None
) -> Tonight:
    """Say whether `user_id` is in tonight (None: follow who is connected): the member
    themself, the host, or a moderator."""
    if by is not None and by.user_id != user_id and not by.is_host:
        raise Forbidden(SELF_OR_HOST)
    require_open(room)
    with atomic():
        member_require_present(by)
        _require_member_of(room, user_id)
        evening = evening_for_write(room, by)
        row, _ = Attendance.objects.get_or_create(evening=evening, user_id=user_id)
        if row.attending != attending:
            Attendance.objects.filter(pk=row.pk).update(attending=attending)
            matches_refresh(room, evening)
            _evening_event(room)
    return tonight_load(room)


@retry_on_conflict
def services_set(*, room: Room, by: Member, user_id: str, services: list[str]) -> Member:
    """Say which streaming services `by` has in this room (names from TMDB's list)."""
    if by.user_id != user_id:
        raise Forbidden(SELF_ONLY)
    require_open(room)
    unique = list(dict.fromkeys(services))
    with atomic():
        member_require_present(by)
        Member.objects.filter(pk=by.pk).update(services=unique)
        by.services = unique
        _evening_event(room)
    return by


def attendance_changed(room: Room) -> None:
    """Someone connected or disconnected: who is in may have changed, and with it the matches,
    even before anything else started the evening (a match does). Runs in the presence
    change's atomic block (`realtime.presence`)."""
    matches_refresh(room)
    if evening_open(room) is not None:
        _evening_event(room)


# Seen it


def _item_in_room(item_id: str, by: Member) -> QueueItem:
    return item_for_write(item_id, by, watched=ITEM_WATCHED)


@retry_on_conflict
def seen_set(*, item_id: str, by: Member, user_id: str, seen: bool) -> tuple[QueueItem, list[str]]:
    """Mark or unmark that `by` has seen an item; returns the item and who has seen it."""
    if by.user_id != user_id:
        raise Forbidden(SELF_ONLY)
    with atomic():
        member_require_present(by)
        item = _item_in_room(item_id, by)
        marks = SeenMark.objects.filter(item=item, user_id=by.user_id)
        if seen and not marks.exists():
            SeenMark.objects.create(room=item.room, item=item, user_id=by.user_id)
        elif not seen and marks.exists():
            marks.delete()
        else:
            return item, seen_by(item.room, item)
        users = seen_by(item.room, item)
        event_record(item.room, EventType.SEEN_UPDATE, {"item_id": item.pk, "seen_by": users})
    return item, users


# Vetoes


@retry_on_conflict
@_retry_on_duplicate
def veto_add(*, item_id: str, by: Member) -> Tonight:
    """Spend one of `by`'s vetoes tonight on an item. The count is a conditional update of the
    member's row for the evening, so N+1 vetoes at once leave exactly N."""
    with atomic():
        member_require_present(by)
        item = _item_in_room(item_id, by)
        room = item.room
        veto_spend(evening_for_write(room, by), item, by)
    return tonight_load(room)


def veto_spend(evening: Evening, item: QueueItem, by: Member) -> None:
    """Record `by`'s veto on `item` for `evening`, or refuse it (409) when they have none left
    or vetoed it already, with the events it causes (the item may stop being a match); runs in
    the caller's atomic block (a turned-down pick spends one)."""
    limit = evening.room.vetoes_per_evening
    if limit == 0:
        raise Conflict(VETOES_OFF, code="vetoes_off")
    if Veto.objects.filter(evening=evening, item=item, user_id=by.user_id).exists():
        raise Conflict(ALREADY_VETOED, code="already_vetoed")
    row, _created = Attendance.objects.get_or_create(evening=evening, user_id=by.user_id)
    spent = Attendance.objects.filter(pk=row.pk, vetoes_used__lt=limit).update(
        vetoes_used=F("vetoes_used") + 1
    )
    if not spent:
        count = ngettext("veto", "{limit} vetoes", limit).format(limit=limit)
        raise Conflict(
            NO_VETOES_LEFT.format(count=count), code="no_vetoes_left", vetoes_per_evening=limit
        )
    Veto.objects.create(evening=evening, item=item, user_id=by.user_id)
    matches_refresh(evening.room, evening, item_ids=[item.pk])
    _evening_event(evening.room)


@retry_on_conflict
def veto_withdraw(*, item_id: str, by: Member) -> Tonight:
    with atomic():
        member_require_present(by)
        item = _item_in_room(item_id, by)
        room = item.room
        evening = evening_open(room)
        veto = (
            unique_row(Veto.objects.filter(evening=evening, item=item, user_id=by.user_id))
            if evening
            else None
        )
        if veto is None:
            raise NotFound(NOT_VETOED)
        Veto.objects.filter(pk=veto.pk).delete()
        Attendance.objects.filter(evening=evening, user_id=by.user_id, vetoes_used__gt=0).update(
            vetoes_used=F("vetoes_used") - 1
        )
        matches_refresh(room, evening, item_ids=[item.pk])
        _evening_event(room)
    return tonight_load(room)


# Matches


def matches_refresh(
    room: Room,
    evening: Evening | None = None,
    *,
    item_ids: list[str] | None = None,
    leaving: str | None = None,
    attendees: list[str] | None = None,
) -> None:
    """Bring the evening's matches up to date (all items, or just `item_ids`), recording a
    `match` event for each item that became or stopped being one. Runs in the caller's atomic
    block. `leaving`: a member on their way out, no longer counted; `attendees`: who is in,
    when the caller has just read it in the same transaction."""
    evening = evening or evening_open(room)
    if attendees is None:
        attendees = _attendees_now(room, evening, leaving)
    now_matched = _matched(room, evening, attendees, item_ids)
    stored = (
        Match.objects.filter(evening=evening, **({"item_id__in": item_ids} if item_ids else {}))
        if evening
        else Match.objects.none()
    )
    before = set(stored.values_list("item_id", flat=True))
    if before == now_matched:
        return
    if evening is None:
        evening = evening_for_write(room, None)
    titles = dict(QueueItem.objects.filter(pk__in=before ^ now_matched).values_list("id", "title"))
    for item_id in sorted(now_matched - before):
        Match.objects.create(evening=evening, item_id=item_id)
    if before - now_matched:
        Match.objects.filter(evening=evening, item_id__in=before - now_matched).delete()
    matches = list(Match.objects.filter(evening=evening).values_list("item_id", flat=True))
    for item_id in sorted(before ^ now_matched):
        event_record(
            room,
            EventType.MATCH,
            {
                "item_id": item_id,
                "title": titles.get(item_id, ""),
                "matched": item_id in now_matched,
                "attendees": len(attendees),
                "matches": matches,
            },
        )


class Seat(NamedTuple):
    """What counting who is in needs of a member, read as a plain row: a vote asks it."""

    user_id: str
    claimed: bool


def _attendees_now(
    room: Room, evening: Evening | None = None, leaving: str | None = None
) -> list[str]:
    """Who is in tonight, in three queries; without `evening`, of the room's open one."""
    rows = room.members.values_list(*Seat._fields)
    members = [Seat(*row) for row in rows if row[0] != leaving]
    attendance = (
        Attendance.objects.filter(evening=evening)
        if evening
        else Attendance.objects.filter(evening__room=room, evening__ended_at=None)
    )
    said = dict(attendance.values_list("user_id", "attending"))
    return attendee_ids(members, _online(room) - {leaving}, said)


def _matched(
    room: Room, evening: Evening | None, attendees: list[str], item_ids: list[str] | None
) -> set[str]:
    if not attendees:
        return set()
    ups = Vote.objects.filter(room=room, value=VoteValue.UP, user_id__in=attendees)
    if item_ids is not None:
        ups = ups.filter(item_id__in=item_ids)
    counts: dict[str, int] = defaultdict(int)
    for item_id in ups.values_list("item_id", flat=True):
        counts[item_id] += 1
    full = {item_id for item_id, count in counts.items() if count == len(attendees)}
    if not full:
        return set()
    open_items = set(
        QueueItem.objects.filter(pk__in=full, status__in=OPEN_STATUSES).values_list("id", flat=True)
    )
    vetoed = (
        set(Veto.objects.filter(evening=evening).values_list("item_id", flat=True))
        if evening
        else set()
    )
    return open_items - vetoed


def matches_after_vote(item: QueueItem, value: str | None) -> None:
    """A vote on `item` changed (voting's `vote_changed` hook): it may have become a match, or
    stopped being one. An up vote makes a match only once the item has at least as many up
    votes in all as tonight has attendees (the item's counts are current: they moved in this
    transaction), which is known from who is in before any vote is read; and it cannot end
    one, so an item that is a match already is left as it is. Any other vote can only end a
    match, so it asks whether the item is one: one query."""
    room = item.room
    attendees = None
    if value == VoteValue.UP:
        attendees = _attendees_now(room)
        if not attendees or item.upvotes < len(attendees):
            return
        if Match.objects.filter(item=item, evening__ended_at=None).exists():
            return
    elif not Match.objects.filter(item=item, evening__ended_at=None).exists():
        return
    matches_refresh(room, item_ids=[item.pk], attendees=attendees)


def matches_after_joining(member: Member) -> None:
    """A member joins or is listed (rooms' `member_joined` hook): while they count as in (nobody
    is connected, so everyone is), an item they have not voted up is no longer a match."""
    matches_refresh(member.room)


def matches_after_leaving(member: Member) -> None:
    """A member leaves (rooms' `member_leaving` hook): without them, items may be matches."""
    matches_refresh(member.room, leaving=member.user_id)
