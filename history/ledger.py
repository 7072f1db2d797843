"""The fairness ledger: for each member still in the room, how the room's history has treated
what they queued. Round robin takes its turns by it; the history page shows it.

Definitions, over the room's whole history:

- `watched`: how many of the room's watch entries the member added (`added_by`).
- `evenings_since_last`: how many of the room's evenings that started after the `watched_at`
  of the latest of those entries have ended. Watching something ends the evening and starts
  the next, which counts once it ends too: 0 right after their film, 1 after the next evening.
  `None` if none of theirs has been watched.
- `average_rating`: the mean of every rating given to the entries they added (by anyone,
  themselves and members who have since left included), rounded half up to 2 decimals;
  `None` while nobody has rated them.

Members who left are not listed; what they added still counts in the room's history.

The rows come in turn order (`LEDGER_RULE`): fewest watched first; on a tie whoever never had
one watched, then whoever has waited the most evenings since their last, then the lowest
user_id. Which of them has something queued is the selection app's concern, not the ledger's.

Four queries whatever the history's length (members, entries, ratings, evenings), aggregated
here by `ledger_rows`, which needs no database.
"""

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from history import facts
from history.facts import EntryFact, MemberFact, RatingFact
from rooms.models import Room
from selection.algorithms import LedgerEntry

LEDGER_RULE = _(
    "Turn order: whoever has had the fewest films watched goes first; on a tie, whoever never"
    " had one watched, then whoever has waited the most evenings since their last, then the"
    " lowest user id."
)


@dataclass(frozen=True)
class LedgerRow:
    """A member's ledger entry, with what the history page shows beside it."""

    entry: LedgerEntry
    name: str
    avatar: str
    ratings: int  # how many ratings the entries they added have received
    last_watched_title: str | None
    last_watched_at: datetime | None

    @property
    def user_id(self) -> str:
        return self.entry.user_id


def mean(total: int, count: int, places: int = 2) -> float | None:
    """`total / count` rounded half up to `places` decimals (exactly: 4.125 is 4.13), or None
    for no values."""
    if not count:
        return None
    exact = Decimal(total) / Decimal(count)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def turn_key(entry: LedgerEntry) -> tuple[int, bool, int, str]:
    """Where a member stands in the turn order (`LEDGER_RULE`), smallest first."""
    waited = entry.evenings_since_last
    return (entry.watched, waited is not None, -(waited or 0), entry.user_id)


def ledger_rows(
    members: Iterable[MemberFact],
    entries: Iterable[EntryFact],
    ratings: Iterable[RatingFact],
    evening_starts: Sequence[datetime],
) -> list[LedgerRow]:
    """Each member's ledger row, in turn order. `evening_starts` must be sorted."""
    added: dict[str, list[EntryFact]] = defaultdict(list)
    for entry in entries:
        added[entry.added_by].append(entry)
    adder = {entry.entry_id: entry.added_by for picks in added.values() for entry in picks}
    received: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for rating in ratings:
        user_id = adder.get(rating.entry_id)
        if user_id is not None:
            received[user_id] += 1
            total[user_id] += rating.rating

    rows = []
    for member in members:
        picks = added.get(member.user_id, [])
        latest = max(picks, key=lambda e: (e.watched_at, e.entry_id), default=None)
        waited = None
        if latest is not None:
            waited = len(evening_starts) - bisect_right(evening_starts, latest.watched_at)
        entry = LedgerEntry(
            user_id=member.user_id,
            watched=len(picks),
            evenings_since_last=waited,
            average_rating=mean(total[member.user_id], received[member.user_id]),
        )
        rows.append(
            LedgerRow(
                entry=entry,
                name=member.name,
                avatar=member.avatar,
                ratings=received[member.user_id],
                last_watched_title=latest.title if latest else None,
                last_watched_at=latest.watched_at if latest else None,
            )
        )
    return sorted(rows, key=lambda row: turn_key(row.entry))


def room_ledger_rows(room: Room) -> list[LedgerRow]:
    """The room's ledger with names, avatars and each member's last watched film."""
    return ledger_rows(
        facts.present_members(room),
        facts.entries(room),
        facts.ratings(room),
        facts.evening_starts(room),
    )


def room_ledger(room: Room) -> list[LedgerEntry]:
    """One `LedgerEntry` per member still in the room, in turn order."""
    return [row.entry for row in room_ledger_rows(room)]
