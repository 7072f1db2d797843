"""Pure selection algorithms: plain data (and a seed) in, a choice and the reason for it out.

Every algorithm first puts the candidates in canonical order, (added_at, item_id) ascending, so
the result never depends on the order the caller passed them in. The candidates are the eligible
ones (`selection.eligibility` leaves out what tonight cannot watch). Every reason is JSON-safe and
says, in a `summary` sentence, why this film won, so it can be stored with the pick and shown to
the people who have to live with it; `summary_phrase` is the same sentence as a phrase
(watchqueue_site.phrases), for each of them to read in their own language.
"""

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_noop

from watchqueue_site.phrases import Said, decimal, english, listed, phrase, plural_phrase

MODES = ("weighted_random", "highest_votes", "round_robin", "consensus")

# The rules are stored in English with each pick; their English is their catalog id, so a
# reader's language has them (selection.wording).
WEIGHTED_RULE = gettext_noop(
    "Weighted draw: each film weighs exp(k * (up - down) / n), where up and down count the votes"
    " of tonight's n attendees and k is the strength (PICK_DRAW_STRENGTH, 0 to 8, default 4);"
    " with the fairness boost on, that is multiplied by 1 + 0.1 for each evening since the adder"
    " last had a film watched (at most 5 evenings, so x1.5; never counts as 5). Weights are"
    " rounded to 4 decimals (at least 0.0001) and a film's chance is its weight over the total."
)
HIGHEST_VOTES_RULE = gettext_noop(
    "Highest score wins; a tie goes to the film added earliest, then to the lowest id."
)
ROUND_ROBIN_RULE = gettext_noop(
    "Adders take turns: among those with a film that can be picked tonight, the turn goes to"
    " whoever had the fewest of their films watched (ties: the most evenings since their last one,"
    " never first; then who queued first; then the lowest user id); their highest-scored film wins"
    " (ties: added earliest, then lowest id)."
)
CONSENSUS_RULE = gettext_noop(
    "Consensus: a film every attendee voted up is a match, and the best-scored match wins; with no"
    " match, the best-scored film voted up by at least the room's share of attendees wins; failing"
    " that, the highest-scored film wins (ties: added earliest, then lowest id)."
)

# What the summaries say.
SENTENCE = phrase("summary.sentence", "%(words)s.")
WON_DRAW = phrase("summary.won_draw", "%(title)s won the weighted draw with %(chance)s.")
CHANCE = phrase("summary.chance", "a %(percent)s%% chance")
CHANCE_TINY = phrase("summary.chance_tiny", "a less than 0.1%% chance")
ONLY_ONE = phrase("summary.only_one", "%(title)s was the only film that could be picked.")
MOST_VOTES = phrase("summary.most_votes", "%(title)s has the most votes (%(score)s)")
TIE_FIRST = phrase(
    "summary.tie_first", "%(tied)s tie on the most votes (%(score)s); %(title)s was added first"
)
TIE_BY_ID = phrase(
    "summary.tie_by_id",
    "%(tied)s tie on the most votes (%(score)s) and were added together; %(title)s comes first"
    " by id",
)
FILMS = phrase("summary.films", "%(count)s films")
TURN_FILM = phrase(
    "summary.turn_film",
    "It is %(name)s's turn (%(state)s%(tie)s); %(title)s is their best-voted film.",
)
TURN_SHOW = phrase(
    "summary.turn_show",
    "It is %(name)s's turn (%(state)s%(tie)s); %(title)s is their best-voted show.",
)
NONE_WATCHED = phrase("summary.none_watched", "none of theirs watched yet")
WATCHED = phrase("summary.watched", "%(watched)s of theirs watched")
WATCHED_TONIGHT = phrase(
    "summary.watched_tonight", "%(watched)s of theirs watched, the last this evening"
)
WATCHED_AGO = plural_phrase(
    "summary.watched_ago",
    "%(watched)s of theirs watched, %(count)s evening ago",
    "%(watched)s of theirs watched, %(count)s evenings ago",
)
_TIE_WORDS = {
    "evenings_waiting": phrase(
        "summary.tie_waiting", "; level on films watched, they have waited longest"
    ),
    "earliest_queued": phrase("summary.tie_queued", "; level with others, they queued first"),
    "lowest_user_id": phrase(
        "summary.tie_user_id",
        "; level with others who queued at the same moment, their id comes first",
    ),
}
ONE_ATTENDEE = phrase("summary.one_attendee", "the one attendee")
BOTH = phrase("summary.both", "both")
ALL = phrase("summary.all", "all %(count)s")
HALF = phrase("summary.half", "half")
PERCENT = phrase("summary.percent", "%(percent)s%%")
MATCH = phrase("summary.match", "%(title)s is a match: %(everyone)s voted it up.")
MATCH_OF = phrase(
    "summary.match_of",
    "%(title)s is a match: %(everyone)s voted it up; of %(count)s matches, %(ranking)s.",
)
SHARE = phrase(
    "summary.share",
    "No film was voted up by everyone; %(title)s was voted up by %(up)s of %(attendees)s, at"
    " least %(share)s.",
)
SHARE_OF = phrase(
    "summary.share_of",
    "No film was voted up by everyone; %(title)s was voted up by %(up)s of %(attendees)s, at"
    " least %(share)s, and of %(count)s such films, %(ranking)s.",
)
FALLBACK = phrase(
    "summary.fallback",
    "No film had enough support (up votes from at least %(share)s of the %(attendees)s in"
    " tonight), so the pick used highest votes: %(ranking)s.",
)

# Evenings a never-watched adder counts as for the boost, and the most any adder counts.
BOOST_EVENINGS = 5
BOOST_PER_EVENING = 0.1
WEIGHT_DECIMALS = 4
MIN_WEIGHT = 0.0001
# Weights are summed in whole ten-thousandths, so totals and replays are exact.
_WEIGHT_UNITS = 10**WEIGHT_DECIMALS


class NoCandidates(ValueError):
    """There is nothing to choose from."""


class UnknownMode(ValueError):
    """The mode is not one of MODES."""


@dataclass(frozen=True)
class Candidate:
    item_id: str
    title: str
    added_by: str  # user_id
    added_at: datetime
    vote_score: int  # room-wide upvotes - downvotes
    upvotes: int = 0
    downvotes: int = 0
    up: int = 0  # up votes among tonight's attendees
    down: int = 0  # down votes among tonight's attendees
    media_type: str = "movie"  # "movie" | "tv"
    runtime_minutes: int | None = None  # a show: one episode
    genres: tuple[str, ...] = ()
    streams_on: tuple[str, ...] = ()  # providers it streams on (flatrate) in the region
    providers_known: bool = False  # False: nobody told us where it streams
    status: str = "queued"  # "queued" | "watching"
    seen_by: tuple[str, ...] = ()  # display names of tonight's attendees who have seen it
    vetoed_by: tuple[str, ...] = ()  # who vetoed it tonight; "" where the room hides who
    turned_down: bool = False  # a pick of it was turned down tonight


@dataclass(frozen=True)
class LedgerEntry:
    """One member's fairness ledger in a room, built by the history app."""

    user_id: str
    watched: int  # how many films they added were watched in this room
    evenings_since_last: int | None  # None: none of theirs was ever watched
    average_rating: float | None  # the room's mean rating of their watched films


@dataclass(frozen=True)
class DrawRules:
    strength: float = 4.0  # k in the weight formula, 0..8
    boost: bool = False  # the room's opt-in fairness boost
    consensus_share: float = 0.5  # consensus mode's second tier


DEFAULT_RULES = DrawRules()


@dataclass(frozen=True)
class Choice:
    item_id: str
    mode: str
    reason: dict
    seed: int | None = None


def canonical_order(candidates: Iterable[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (c.added_at, c.item_id))


def _canonical(candidates: Iterable[Candidate]) -> list[Candidate]:
    ordered = canonical_order(candidates)
    if not ordered:
        raise NoCandidates("There are no candidates to choose from.")
    return ordered


def _by_votes(candidate: Candidate) -> tuple[int, datetime, str]:
    return (-candidate.vote_score, candidate.added_at, candidate.item_id)


def _signed(score: int) -> str:
    return f"{score:+d}" if score else "0"


def _entry(candidate: Candidate, **extras: Any) -> dict[str, Any]:
    return {
        "item_id": candidate.item_id,
        "title": candidate.title,
        "added_by": candidate.added_by,
        "vote_score": candidate.vote_score,
        "up": candidate.up,
        "down": candidate.down,
        **extras,
    }


def _summary(said: Said) -> dict[str, Any]:
    """A reason's summary: the sentence in English, and the phrase for other languages."""
    return {"summary": english(said), "summary_phrase": said}


# Weighted draw


def _boost(user_id: str, ledger: Mapping[str, LedgerEntry]) -> float:
    entry = ledger.get(user_id)
    evenings = entry.evenings_since_last if entry is not None else None
    counted = BOOST_EVENINGS if evenings is None else min(max(evenings, 0), BOOST_EVENINGS)
    return round(1 + BOOST_PER_EVENING * counted, 2)


def _weights(
    ordered: Sequence[Candidate], rules: DrawRules, attendees: int, ledger: Iterable[LedgerEntry]
) -> list[tuple[float, float | None]]:
    """(weight, boost) for each candidate; boost is None when the room has it off.

    The net share is capped at +-1: up and down count only tonight's attendees, so the cap only
    keeps an inconsistent input from overflowing exp().
    """
    n = max(attendees, 1)
    by_user = {entry.user_id: entry for entry in ledger}
    weighed = []
    for candidate in ordered:
        net = min(max((candidate.up - candidate.down) / n, -1.0), 1.0)
        boost = _boost(candidate.added_by, by_user) if rules.boost else None
        weight = math.exp(rules.strength * net) * (boost or 1)
        weighed.append((max(round(weight, WEIGHT_DECIMALS), MIN_WEIGHT), boost))
    return weighed


def _units(weights: Sequence[float]) -> list[int]:
    return [round(weight * _WEIGHT_UNITS) for weight in weights]


def _total(weights: Sequence[float]) -> float:
    return sum(_units(weights)) / _WEIGHT_UNITS


def _chance(weight: float, total: float) -> float:
    return round(100 * weight / total, 1)


def _draw(seed: int, weights: Sequence[float]) -> tuple[int, float, float]:
    """Return (winning index, point, total weight) for a weighted draw over `weights`.

    point = random.Random(seed).random() * total; the first index whose running weight sum
    exceeds point wins. Python guarantees Random.random() yields the same sequence for the
    same seed across versions, which is why the draw relies on nothing else. Sums are kept in
    whole ten-thousandths, so whole-number weights (as stored before weights had decimals) draw
    exactly as they always did.
    """
    units = _units(weights)
    total = _total(weights)
    point = random.Random(seed).random() * total
    running = 0
    for index, unit in enumerate(units):
        running += unit
        if running / _WEIGHT_UNITS > point:
            return index, point, total
    # random() < 1 keeps point below total, so this is reached only for an all-zero field.
    return len(units) - 1, point, total


def chances(
    candidates: Iterable[Candidate],
    rules: DrawRules,
    attendees: int,
    ledger: Iterable[LedgerEntry] = (),
) -> dict[str, float]:
    """Each candidate's chance in the weighted draw, in percent (1 decimal), as the draw has it."""
    ordered = canonical_order(candidates)
    weights = [weight for weight, _ in _weights(ordered, rules, attendees, ledger)]
    total = _total(weights)
    return {c.item_id: _chance(w, total) for c, w in zip(ordered, weights, strict=True)}


def _chance_words(chance: float) -> Said:
    return CHANCE_TINY() if chance < 0.1 else CHANCE(percent=decimal(chance))


def weighted_random(
    candidates: Iterable[Candidate],
    seed: int,
    rules: DrawRules,
    attendees: int,
    ledger: Iterable[LedgerEntry] = (),
) -> Choice:
    """Draw a candidate with odds proportional to its weight, reproducibly from `seed`.

    The reason lists every candidate with its weight in draw order, so replay(seed,
    reason["candidates"]) re-runs the draw without the queue.
    """
    ordered = _canonical(candidates)
    weighed = _weights(ordered, rules, attendees, ledger)
    weights = [weight for weight, _ in weighed]
    index, point, total = _draw(seed, weights)
    chosen = ordered[index]
    entries = []
    for candidate, (weight, boost) in zip(ordered, weighed, strict=True):
        extras: dict[str, Any] = {
            "weight": weight,
            "probability": round(weight / total, 4),
            "chance": _chance(weight, total),
        }
        if boost is not None:
            extras["boost"] = boost
        entries.append(_entry(candidate, **extras))
    chance = entries[index]["chance"]
    reason = {
        "rule": WEIGHTED_RULE,
        **_summary(
            WON_DRAW(title=chosen.title, chance=_chance_words(chance))
            if len(ordered) > 1
            else ONLY_ONE(title=chosen.title)
        ),
        "seed": seed,
        "point": point,
        "total_weight": total,
        "chosen_weight": weights[index],
        "strength": rules.strength,
        "attendees": max(attendees, 1),
        "boost": rules.boost,
        "candidates": entries,
    }
    return Choice(item_id=chosen.item_id, mode="weighted_random", reason=reason, seed=seed)


def replay(seed: int, reason_candidates: Sequence[Mapping[str, Any]]) -> str:
    """Re-run a recorded weighted draw and return the winning item_id.

    Uses the recorded order and weights as they are, so a past pick can be checked even after
    the queue or the weighting rule has changed; old reasons hold whole-number weights.
    """
    if not reason_candidates:
        raise NoCandidates("There are no candidates to choose from.")
    index, _, _ = _draw(seed, [float(entry["weight"]) for entry in reason_candidates])
    return str(reason_candidates[index]["item_id"])


# Highest votes


@dataclass(frozen=True)
class _Ranking:
    """The highest-votes rule applied to some candidates."""

    ranked: list[Candidate]
    tied: list[Candidate]
    tie_break: str | None

    @property
    def chosen(self) -> Candidate:
        return self.ranked[0]

    def facts(self) -> dict[str, Any]:
        return {
            "top_score": self.chosen.vote_score,
            "tied": [c.item_id for c in self.tied],
            "tie_break": self.tie_break,
        }

    def words(self) -> Said:
        """Why the chosen one wins, as the end of a sentence."""
        chosen, score = self.chosen, _signed(self.chosen.vote_score)
        if self.tie_break is None:
            return MOST_VOTES(title=chosen.title, score=score)
        if len(self.tied) <= 3:
            tied: Any = listed([c.title for c in self.tied])
        else:
            tied = FILMS(count=len(self.tied))
        tie = TIE_FIRST if self.tie_break == "earliest_added" else TIE_BY_ID
        return tie(tied=tied, score=score, title=chosen.title)


def _rank(ordered: Sequence[Candidate]) -> _Ranking:
    ranked = sorted(ordered, key=_by_votes)
    chosen = ranked[0]
    tied = [c for c in ordered if c.vote_score == chosen.vote_score]
    if len(tied) == 1:
        tie_break = None
    elif ranked[1].added_at == chosen.added_at:
        tie_break = "lowest_id"
    else:
        tie_break = "earliest_added"
    return _Ranking(ranked=ranked, tied=tied, tie_break=tie_break)


def highest_votes(candidates: Iterable[Candidate]) -> Choice:
    """Pick the top-scored candidate; ties go to the earliest added, then the lowest id.

    `tied` always lists every candidate with the top score, so it holds just the winner when
    there was no tie.
    """
    ranking = _rank(_canonical(candidates))
    reason = {
        "rule": HIGHEST_VOTES_RULE,
        **_summary(SENTENCE(words=ranking.words())),
        **ranking.facts(),
        "candidates": [_entry(c) for c in ranking.ranked],
    }
    return Choice(item_id=ranking.chosen.item_id, mode="highest_votes", reason=reason)


# Round robin


@dataclass(frozen=True)
class _Turn:
    """One adder's place in the round-robin order."""

    user_id: str
    watched: int
    evenings_since_last: int | None
    average_rating: float | None
    queued: tuple[Candidate, ...]

    @property
    def first_added_at(self) -> datetime:
        return self.queued[0].added_at

    def waiting_key(self) -> tuple[int, int]:
        # Never watched sorts before any number of evenings; more evenings sort earlier.
        if self.evenings_since_last is None:
            return (0, 0)
        return (1, -self.evenings_since_last)

    def sort_key(self) -> tuple[int, tuple[int, int], datetime, str]:
        return (self.watched, self.waiting_key(), self.first_added_at, self.user_id)

    def facts(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "watched": self.watched,
            "evenings_since_last": self.evenings_since_last,
            "average_rating": self.average_rating,
            "queued": len(self.queued),
        }

    def state_words(self) -> Said:
        if self.watched == 0:
            return NONE_WATCHED()
        evenings = self.evenings_since_last
        if evenings is None:
            return WATCHED(watched=self.watched)
        if evenings == 0:
            return WATCHED_TONIGHT(watched=self.watched)
        return WATCHED_AGO(watched=self.watched, count=evenings)


def _turns(ordered: list[Candidate], ledger: Iterable[LedgerEntry]) -> list[_Turn]:
    queued: dict[str, list[Candidate]] = {}
    for candidate in ordered:
        queued.setdefault(candidate.added_by, []).append(candidate)
    by_user = {entry.user_id: entry for entry in ledger}
    turns = []
    for user_id, items in queued.items():
        entry = by_user.get(user_id) or LedgerEntry(user_id, 0, None, None)
        turns.append(
            _Turn(
                user_id=user_id,
                watched=entry.watched,
                evenings_since_last=entry.evenings_since_last,
                average_rating=entry.average_rating,
                queued=tuple(items),
            )
        )
    return sorted(turns, key=_Turn.sort_key)


def _turn_tie_break(turns: list[_Turn]) -> str | None:
    if len(turns) < 2 or turns[0].watched != turns[1].watched:
        return None
    if turns[0].waiting_key() != turns[1].waiting_key():
        return "evenings_waiting"
    if turns[0].first_added_at != turns[1].first_added_at:
        return "earliest_queued"
    return "lowest_user_id"


def round_robin(
    candidates: Iterable[Candidate],
    ledger: Iterable[LedgerEntry],
    *,
    names: Mapping[str, str] | None = None,
) -> Choice:
    """Give the turn to the adder the ledger owes most, and pick their best-scored candidate.

    Ledger entries of adders with nothing eligible are ignored: they cannot take a turn; adders
    with no entry count as never watched. `names` maps user ids to the names the summary uses.
    """
    ordered = _canonical(candidates)
    turns = _turns(ordered, ledger)
    turn = turns[0]
    tie_break = _turn_tie_break(turns)
    chosen = _rank(turn.queued).chosen
    who = (names or {}).get(turn.user_id, turn.user_id)
    sentence = TURN_SHOW if chosen.media_type == "tv" else TURN_FILM
    tie = _TIE_WORDS[tie_break]() if tie_break else ""
    summary = sentence(name=who, state=turn.state_words(), tie=tie, title=chosen.title)
    reason = {
        "rule": ROUND_ROBIN_RULE,
        **_summary(summary),
        "turn": turn.user_id,
        "order": [t.facts() for t in turns],
        "tie_break": tie_break,
        "candidates": [_entry(c) for c in ordered],
    }
    return Choice(item_id=chosen.item_id, mode="round_robin", reason=reason)


# Consensus


def _everyone(n: int) -> Said:
    return ONE_ATTENDEE() if n == 1 else BOTH() if n == 2 else ALL(count=n)


def _share_words(share: float) -> Said:
    return HALF() if share == 0.5 else PERCENT(percent=round(share * 100))


def consensus(candidates: Iterable[Candidate], attendees: int, rules: DrawRules) -> Choice:
    """A film everyone in tonight wants; else one enough of them want; else the best-voted.

    Each tier picks by the highest-votes rule; `matches` lists the films of the tier used.
    """
    ordered = _canonical(candidates)
    n = max(attendees, 1)
    share = rules.consensus_share
    full = [c for c in ordered if c.up >= n]
    enough = [c for c in ordered if c.up / n >= share]
    if full:
        tier, pool = "match", full
    elif enough:
        tier, pool = "share", enough
    else:
        tier, pool = "fallback", ordered
    ranking = _rank(pool)
    chosen = ranking.chosen
    if tier == "match":
        summary = (
            MATCH_OF(
                title=chosen.title, everyone=_everyone(n), count=len(full), ranking=ranking.words()
            )
            if len(full) > 1
            else MATCH(title=chosen.title, everyone=_everyone(n))
        )
    elif tier == "share":
        facts = {
            "title": chosen.title,
            "up": chosen.up,
            "attendees": n,
            "share": _share_words(share),
        }
        summary = (
            SHARE_OF(**facts, count=len(enough), ranking=ranking.words())
            if len(enough) > 1
            else SHARE(**facts)
        )
    else:
        summary = FALLBACK(share=_share_words(share), attendees=n, ranking=ranking.words())
    reason = {
        "rule": CONSENSUS_RULE,
        **_summary(summary),
        "tier": tier,
        "attendees": n,
        "consensus_share": share,
        "matches": [c.item_id for c in pool] if tier != "fallback" else [],
        **ranking.facts(),
        "candidates": [_entry(c, support=round(c.up / n, 4)) for c in ordered],
    }
    return Choice(item_id=chosen.item_id, mode="consensus", reason=reason)


def select(
    mode: str,
    candidates: Iterable[Candidate],
    *,
    seed: int,
    rules: DrawRules = DEFAULT_RULES,
    attendees: int = 1,
    ledger: Iterable[LedgerEntry] = (),
    names: Mapping[str, str] | None = None,
) -> Choice:
    """Run the algorithm for `mode`; `seed` matters only to weighted_random."""
    match mode:
        case "weighted_random":
            return weighted_random(candidates, seed, rules, attendees, ledger)
        case "highest_votes":
            return highest_votes(candidates)
        case "round_robin":
            return round_robin(candidates, ledger, names=names)
        case "consensus":
            return consensus(candidates, attendees, rules)
    raise UnknownMode(f"Unknown selection mode {mode!r}; expected one of {', '.join(MODES)}.")
