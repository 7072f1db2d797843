"""What the fairness ledger and the group's taste are computed from: plain rows, read in one
query each, whatever the history's length.

Each read is a `values_list` over one collection (the ratings' filter on their entry's room is
one join), so the same code runs on SQLite and on MongoDB, where `prefetch_related` does not;
the ledger and the taste then aggregate in Python, in functions that need no database.
"""

from dataclasses import dataclass
from datetime import datetime

from history.models import Rating, WatchEntry
from rooms.models import Room
from tonight.models import Evening


@dataclass(frozen=True)
class MemberFact:
    user_id: str
    name: str
    avatar: str


@dataclass(frozen=True)
class EntryFact:
    entry_id: str
    title: str
    added_by: str
    watched_at: datetime
    genres: tuple[str, ...] = ()


@dataclass(frozen=True)
class RatingFact:
    entry_id: str
    user_id: str
    rating: int


def present_members(room: Room) -> list[MemberFact]:
    """The members still in the room, in the room's order (who joined first); those who left
    are in `Member.everyone` and are not listed."""
    rows = room.members.order_by("created_at", "id").values_list("user_id", "name", "avatar")
    return [MemberFact(user_id, name, avatar) for user_id, name, avatar in rows]


def entries(room: Room) -> list[EntryFact]:
    rows = WatchEntry.objects.filter(room=room).values_list(
        "pk", "title", "added_by", "watched_at", "genres"
    )
    return [
        EntryFact(pk, title, added_by, watched_at, _genres(genres))
        for pk, title, added_by, watched_at, genres in rows
    ]


def ratings(room: Room) -> list[RatingFact]:
    rows = Rating.objects.filter(entry__room=room).values_list("entry_id", "user_id", "rating")
    return [RatingFact(entry_id, user_id, rating) for entry_id, user_id, rating in rows]


def evening_starts(room: Room) -> list[datetime]:
    """When each of the room's evenings that have ended started, earliest first. The evening
    under way counts once it ends: it starts the moment the room watches something, so counting
    it would put a film watched a minute ago one evening back."""
    return list(
        Evening.objects.filter(room=room, ended_at__isnull=False)
        .order_by("started_at")
        .values_list("started_at", flat=True)
    )


def _genres(value: object) -> tuple[str, ...]:
    """An entry's genre names, each once, in their order; rows written before genres were kept
    have none."""
    if not isinstance(value, list):
        return ()
    names = (name.strip() for name in value if isinstance(name, str))
    return tuple(dict.fromkeys(name for name in names if name))
