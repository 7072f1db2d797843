"""Pure selection algorithms: plain data (and a seed) in, a choice and the reason for it out.

Every algorithm first puts the candidates in canonical order, (added_at, item_id) ascending, so
the result never depends on the order the caller passed them in. Every reason is JSON-safe, so
it can be stored with the pick and shown to the people who have to live with it.
"""

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MODES = ("weighted_random", "highest_votes", "round_robin")

WEIGHTED_RULE = "Weighted draw: weight = 1 + 2 x max(0, score), so every film has a chance."
HIGHEST_VOTES_RULE = (
    "Highest score wins; a tie goes to the film added earliest, then to the lowest id."
)
ROUND_ROBIN_RULE = (
    "Adders take turns: whoever never had a pick, else whose last pick is oldest, goes next"
    " (ties: who queued first, then lowest user id); their highest-scored film wins"
    " (ties: added earliest, then lowest id)."
)

_NEVER = datetime.min.replace(tzinfo=UTC)


class NoCandidates(ValueError):
    """There is nothing to choose from."""


class UnknownMode(ValueError):
    """The mode is not one of MODES."""


@dataclass(frozen=True)
class Candidate:
    item_id: str
    title: str
    added_by: str
    added_at: datetime
    vote_score: int
    upvotes: int = 0
    downvotes: int = 0

    @property
    def weight(self) -> int:
        return 1 + max(0, self.vote_score) * 2


@dataclass(frozen=True)
class PastPick:
    added_by: str
    watched_at: datetime


@dataclass(frozen=True)
class LedgerEntry:
    """One member's fairness ledger (built by the history app)."""

    user_id: str
    watched: int  # how many items they added were watched in this room
    evenings_since_last: int | None  # evenings since one of theirs was watched; None: never
    average_rating: float | None  # mean rating the room gave their watched items


@dataclass(frozen=True)
class Choice:
    item_id: str
    mode: str
    reason: dict
    seed: int | None = None


@dataclass(frozen=True)
class _Turn:
    """One adder's place in the round-robin order."""

    user_id: str
    last_pick_at: datetime | None
    queued: tuple[Candidate, ...]

    @property
    def first_added_at(self) -> datetime:
        return self.queued[0].added_at

    def sort_key(self) -> tuple[bool, datetime, datetime, str]:
        # Never-picked adders sort first; _NEVER only fills the slot so the tuples compare.
        picked = self.last_pick_at is not None
        return (picked, self.last_pick_at or _NEVER, self.first_added_at, self.user_id)


def _canonical(candidates: Iterable[Candidate]) -> list[Candidate]:
    ordered = sorted(candidates, key=lambda c: (c.added_at, c.item_id))
    if not ordered:
        raise NoCandidates("There are no candidates to choose from.")
    return ordered


def _by_votes(candidate: Candidate) -> tuple[int, datetime, str]:
    return (-candidate.vote_score, candidate.added_at, candidate.item_id)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _draw(seed: int, weights: Sequence[int]) -> tuple[int, float, int]:
    """Return (winning index, point, total weight) for a weighted draw over `weights`.

    point = random.Random(seed).random() * total; the first index whose running weight sum
    exceeds point wins. Python guarantees Random.random() yields the same sequence for the
    same seed across versions, which is why the draw relies on nothing else.
    """
    total = sum(weights)
    point = random.Random(seed).random() * total
    running = 0
    for index, weight in enumerate(weights):
        running += weight
        if running > point:
            return index, point, total
    # random() < 1 keeps point below total, so this is reached only for an all-zero field.
    return len(weights) - 1, point, total


def weighted_random(candidates: Iterable[Candidate], seed: int) -> Choice:
    """Draw a candidate with odds proportional to its weight, reproducibly from `seed`.

    The reason lists every candidate with its weight in draw order, so replay(seed,
    reason["candidates"]) re-runs the draw without the queue.
    """
    ordered = _canonical(candidates)
    index, point, total = _draw(seed, [c.weight for c in ordered])
    chosen = ordered[index]
    reason = {
        "rule": WEIGHTED_RULE,
        "seed": seed,
        "point": point,
        "total_weight": total,
        "candidates": [
            {
                "item_id": c.item_id,
                "title": c.title,
                "added_by": c.added_by,
                "vote_score": c.vote_score,
                "weight": c.weight,
                "probability": round(c.weight / total, 4),
            }
            for c in ordered
        ],
        "chosen_weight": chosen.weight,
    }
    return Choice(item_id=chosen.item_id, mode="weighted_random", reason=reason, seed=seed)


def replay(seed: int, reason_candidates: Sequence[Mapping[str, Any]]) -> str:
    """Re-run a recorded weighted draw and return the winning item_id.

    Uses the recorded order and weights as they are, so a past pick can be checked even after
    the queue or the weighting rule has changed.
    """
    if not reason_candidates:
        raise NoCandidates("There are no candidates to choose from.")
    index, _, _ = _draw(seed, [int(entry["weight"]) for entry in reason_candidates])
    return str(reason_candidates[index]["item_id"])


def highest_votes(candidates: Iterable[Candidate]) -> Choice:
    """Pick the top-scored candidate; ties go to the earliest added, then the lowest id.

    `tied` always lists every candidate with the top score, so it holds just the winner when
    there was no tie.
    """
    ordered = _canonical(candidates)
    ranked = sorted(ordered, key=_by_votes)
    chosen = ranked[0]
    tied = [c.item_id for c in ordered if c.vote_score == chosen.vote_score]
    if len(tied) == 1:
        tie_break = None
    elif ranked[1].added_at == chosen.added_at:
        tie_break = "lowest_id"
    else:
        tie_break = "earliest_added"
    reason = {
        "rule": HIGHEST_VOTES_RULE,
        "top_score": chosen.vote_score,
        "tied": tied,
        "tie_break": tie_break,
        "candidates": [
            {
                "item_id": c.item_id,
                "title": c.title,
                "added_by": c.added_by,
                "vote_score": c.vote_score,
            }
            for c in ranked
        ],
    }
    return Choice(item_id=chosen.item_id, mode="highest_votes", reason=reason)


def _turns(ordered: list[Candidate], history: Iterable[PastPick]) -> list[_Turn]:
    queued: dict[str, list[Candidate]] = {}
    for candidate in ordered:
        queued.setdefault(candidate.added_by, []).append(candidate)
    last_pick: dict[str, datetime] = {}
    for pick in history:
        previous = last_pick.get(pick.added_by)
        if previous is None or pick.watched_at > previous:
            last_pick[pick.added_by] = pick.watched_at
    turns = [
        _Turn(user_id=user_id, last_pick_at=last_pick.get(user_id), queued=tuple(items))
        for user_id, items in queued.items()
    ]
    return sorted(turns, key=_Turn.sort_key)


def _turn_tie_break(turns: list[_Turn]) -> str | None:
    if len(turns) < 2 or turns[0].last_pick_at != turns[1].last_pick_at:
        return None
    if turns[0].first_added_at != turns[1].first_added_at:
        return "earliest_queued"
    return "lowest_user_id"


def round_robin(candidates: Iterable[Candidate], history: Iterable[PastPick]) -> Choice:
    """Give the turn to the adder who waited longest, and pick their best-scored candidate.

    History entries of adders with nothing queued are ignored: they cannot take a turn.
    """
    ordered = _canonical(candidates)
    turns = _turns(ordered, history)
    turn = turns[0]
    chosen = min(turn.queued, key=_by_votes)
    reason = {
        "rule": ROUND_ROBIN_RULE,
        "turn": turn.user_id,
        "last_pick_at": _iso(turn.last_pick_at),
        "order": [
            {"user_id": t.user_id, "last_pick_at": _iso(t.last_pick_at), "queued": len(t.queued)}
            for t in turns
        ],
        "tie_break": _turn_tie_break(turns),
    }
    return Choice(item_id=chosen.item_id, mode="round_robin", reason=reason)


def select(
    mode: str, candidates: Iterable[Candidate], history: Iterable[PastPick], seed: int
) -> Choice:
    """Run the algorithm for `mode`; `seed` matters only to weighted_random."""
    match mode:
        case "weighted_random":
            return weighted_random(candidates, seed)
        case "highest_votes":
            return highest_votes(candidates)
        case "round_robin":
            return round_robin(candidates, history)
    raise UnknownMode(f"Unknown selection mode {mode!r}; expected one of {', '.join(MODES)}.")
