"""The group's taste, from the ratings in the room's history: which genres it rates highest,
what each member's picks earn and how each rates, and who agrees with whom.

- `genres`: for each genre with at least one rating, the mean of the ratings given to entries
  of that genre (one rating of a film of two genres counts in both), how many of the room's
  entries have the genre, rated or not, and how many ratings the mean is over. Highest mean
  first; ties: more ratings, then the name.
- `members`: each member still in the room, in the room's order: their `picks` (the entries
  they added: how many, how many ratings those got and the mean), and the ratings they
  `given` (how many, and their mean).
- `agreement`: each pair of members still in the room who have both rated at least
  `AGREEMENT_MIN_SHARED` of the same entries: how many (`shared`), the mean absolute
  difference of their two ratings (`mean_difference`, 0 to 4) and `similarity`, 100 x (1 -
  mean difference / 4) from the exact mean, an integer percentage. Most alike first; ties:
  more shared, then the room's order.
- `ratings` and `entries`: how many of each the room's history holds.

Ratings of members who have left count in `genres` and in what a member's picks got; only
members still in the room are listed. Means are rounded half up to 2 decimals.

Three queries whatever the history's length; `taste` does the arithmetic without a database.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import combinations

from history import facts
from history.facts import EntryFact, MemberFact, RatingFact
from history.ledger import mean
from rooms.models import Room

AGREEMENT_MIN_SHARED = 2
# The widest gap between two ratings on the 1-5 scale.
RATING_SPAN = 4


def genre_tastes(entries: Iterable[EntryFact], ratings: Iterable[RatingFact]) -> list[dict]:
    genres_of = {}
    entry_count: Counter[str] = Counter()
    for entry in entries:
        genres_of[entry.entry_id] = entry.genres
        entry_count.update(entry.genres)
    total: Counter[str] = Counter()
    count: Counter[str] = Counter()
    for rating in ratings:
        for genre in genres_of.get(rating.entry_id, ()):
            total[genre] += rating.rating
            count[genre] += 1
    ordered = sorted(
        count,
        key=lambda g: (-Fraction(total[g], count[g]), -count[g], g.casefold(), g),
    )
    return [
        {
            "genre": genre,
            "average_rating": mean(total[genre], count[genre]),
            "entries": entry_count[genre],
            "ratings": count[genre],
        }
        for genre in ordered
    ]


def member_tastes(
    members: Iterable[MemberFact], entries: Iterable[EntryFact], ratings: Iterable[RatingFact]
) -> list[dict]:
    adder = {entry.entry_id: entry.added_by for entry in entries}
    picks: Counter[str] = Counter(adder.values())
    got_total: Counter[str] = Counter()
    got_count: Counter[str] = Counter()
    given_total: Counter[str] = Counter()
    given_count: Counter[str] = Counter()
    for rating in ratings:
        if (user_id := adder.get(rating.entry_id)) is not None:
            got_total[user_id] += rating.rating
            got_count[user_id] += 1
        given_total[rating.user_id] += rating.rating
        given_count[rating.user_id] += 1
    return [
        {
            "user_id": m.user_id,
            "name": m.name,
            "avatar": m.avatar,
            "picks": {
                "count": picks[m.user_id],
                "ratings": got_count[m.user_id],
                "average_rating": mean(got_total[m.user_id], got_count[m.user_id]),
            },
            "given": {
                "count": given_count[m.user_id],
                "average_rating": mean(given_total[m.user_id], given_count[m.user_id]),
            },
        }
        for m in members
    ]


def similarity(total_difference: int, shared: int) -> int:
    """100 x (1 - mean difference / RATING_SPAN), rounded half up to a whole percentage."""
    exact = 100 - Decimal(100 * total_difference) / Decimal(RATING_SPAN * shared)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def agreements(members: Iterable[MemberFact], ratings: Iterable[RatingFact]) -> list[dict]:
    order = {m.user_id: index for index, m in enumerate(members)}
    by_entry: dict[str, dict[str, int]] = defaultdict(dict)
    for rating in ratings:
        if rating.user_id in order:
            by_entry[rating.entry_id][rating.user_id] = rating.rating
    shared: Counter[tuple[str, str]] = Counter()
    difference: Counter[tuple[str, str]] = Counter()
    for given in by_entry.values():
        raters = sorted(given, key=order.__getitem__)
        for a, b in combinations(raters, 2):
            shared[a, b] += 1
            difference[a, b] += abs(given[a] - given[b])
    pairs = [
        {
            "user_ids": [a, b],
            "shared": shared[a, b],
            "mean_difference": mean(difference[a, b], shared[a, b]),
            "similarity": similarity(difference[a, b], shared[a, b]),
        }
        for a, b in shared
        if shared[a, b] >= AGREEMENT_MIN_SHARED
    ]
    return sorted(
        pairs,
        key=lambda p: (-p["similarity"], -p["shared"], *(order[u] for u in p["user_ids"])),
    )


def taste(
    members: Iterable[MemberFact], entries: Iterable[EntryFact], ratings: Iterable[RatingFact]
) -> dict:
    members, entries, ratings = list(members), list(entries), list(ratings)
    return {
        "genres": genre_tastes(entries, ratings),
        "members": member_tastes(members, entries, ratings),
        "agreement": agreements(members, ratings),
        "ratings": len(ratings),
        "entries": len(entries),
    }


def room_taste(room: Room) -> dict:
    return taste(facts.present_members(room), facts.entries(room), facts.ratings(room))
