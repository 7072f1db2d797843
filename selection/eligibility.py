"""What tonight can watch: the queue's candidates split into eligible and excluded, with reasons.

Pure like the algorithms: the service resolves tonight's constraints (who attends, a finish-by
time turned into minutes, the streaming services the attendees have) and this module only
judges. An excluded film lists every reason that applies, not just the first, so people can see
what they would have to change to get it back; the texts are short English for people.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from selection.algorithms import Candidate, canonical_order, join_words

# In the order an excluded film lists its reasons.
REASON_CODES = (
    "being_watched",
    "turned_down",
    "vetoed",
    "seen",
    "wrong_kind",
    "too_long",
    "genre_excluded",
    "genre_not_included",
    "not_streamable",
)
# How nothing_eligible_message counts each reason: "3 seen", "2 too long".
REASON_COUNTED = {
    "being_watched": "being watched",
    "turned_down": "turned down",
    "vetoed": "vetoed",
    "seen": "seen",
    "wrong_kind": "of the wrong kind",
    "too_long": "too long",
    "genre_excluded": "in an excluded genre",
    "genre_not_included": "not in the chosen genres",
    "not_streamable": "not streamable",
}
NOTHING_QUEUED = "Nothing can be picked: nothing is queued."


@dataclass(frozen=True)
class Constraints:
    """Tonight's constraints, already resolved by the service."""

    attendees: int = 1  # how many attend tonight
    max_runtime: int | None = None  # minutes; a finish-by time is already turned into this
    finish_by_label: str | None = None  # "23:30" when the limit came from a finish-by time
    media: str = "both"  # "movie" | "tv" | "both"
    genres_include: tuple[str, ...] = ()  # at least one of these (case-insensitive)
    genres_exclude: tuple[str, ...] = ()  # none of these
    services: tuple[str, ...] | None = None  # None: no filter; else the attendees' providers
    seen_share: float = 0.5  # left out when seen by at least this share of attendees

    # Folded once per pick, not once per film: a pick judges hundreds of films.
    @cached_property
    def excluded_genres(self) -> frozenset[str]:
        return _folded(self.genres_exclude)

    @cached_property
    def included_genres(self) -> frozenset[str]:
        return _folded(self.genres_include)

    @cached_property
    def service_names(self) -> frozenset[str]:
        return _folded(self.services or ())


@dataclass(frozen=True)
class Eligibility:
    eligible: list[Candidate]
    excluded: list[dict]  # {"item_id", "title", "added_by", "reasons": [{"code", "text"}]}


def _folded(words: Iterable[str]) -> frozenset[str]:
    return frozenset(word.casefold() for word in words)


def _vetoed(candidate: Candidate) -> str | None:
    if not candidate.vetoed_by:
        return None
    names = list(dict.fromkeys(name for name in candidate.vetoed_by if name))
    hidden = sum(1 for name in candidate.vetoed_by if not name)
    if not names:
        return "vetoed"
    if hidden:
        names.append(f"{hidden} other{'s' if hidden > 1 else ''}")
    return f"vetoed by {join_words(names, 'and')}"


def _seen(candidate: Candidate, constraints: Constraints) -> str | None:
    attendees = max(constraints.attendees, 1)
    seen = len(candidate.seen_by)
    if seen and seen / attendees >= constraints.seen_share:
        return f"seen by {seen} of {attendees}"
    return None


def _wrong_kind(candidate: Candidate, constraints: Constraints) -> str | None:
    if constraints.media == "movie" and candidate.media_type == "tv":
        return "a show, and tonight is films only"
    if constraints.media == "tv" and candidate.media_type != "tv":
        return "a film, and tonight is shows only"
    return None


def _too_long(candidate: Candidate, constraints: Constraints) -> str | None:
    """An unknown runtime cannot be judged, so it stays in, unless no time at all is left."""
    limit, label = constraints.max_runtime, constraints.finish_by_label
    if limit is None:
        return None
    if limit <= 0:
        return f"no time left before {label}" if label else "no time left"
    runtime = candidate.runtime_minutes
    if runtime is None or runtime <= limit:
        return None
    if label:
        return f"too long to finish by {label} ({runtime} min)"
    return f"longer than {limit} min ({runtime} min)"


def _genre_excluded(candidate: Candidate, constraints: Constraints) -> str | None:
    excluded = constraints.excluded_genres
    if not excluded:
        return None
    matching = [genre for genre in candidate.genres if genre.casefold() in excluded]
    if not matching:
        return None
    plural = "s" if len(matching) > 1 else ""
    return f"genre{plural} {join_words(matching, 'and')} excluded"


def _genre_not_included(candidate: Candidate, constraints: Constraints) -> str | None:
    wanted = constraints.genres_include
    if not wanted or not constraints.included_genres.isdisjoint(_folded(candidate.genres)):
        return None
    return f"not {join_words(list(wanted))}"


def _not_streamable(candidate: Candidate, constraints: Constraints) -> str | None:
    services = constraints.services
    if services is None:
        return None
    if not services:
        return "nobody in tonight has named a streaming service"
    if not candidate.providers_known:
        return "where it streams is not known"
    if not constraints.service_names.isdisjoint(_folded(candidate.streams_on)):
        return None
    return f"not on {join_words(list(services))} (the services you have)"


def exclusion_reasons(candidate: Candidate, constraints: Constraints) -> list[dict[str, str]]:
    """Every reason tonight cannot pick `candidate`, in REASON_CODES order; empty if it can."""
    texts = {
        "being_watched": "being watched" if candidate.status == "watching" else None,
        "turned_down": "turned down tonight" if candidate.turned_down else None,
        "vetoed": _vetoed(candidate),
        "seen": _seen(candidate, constraints),
        "wrong_kind": _wrong_kind(candidate, constraints),
        "too_long": _too_long(candidate, constraints),
        "genre_excluded": _genre_excluded(candidate, constraints),
        "genre_not_included": _genre_not_included(candidate, constraints),
        "not_streamable": _not_streamable(candidate, constraints),
    }
    return [{"code": code, "text": texts[code]} for code in REASON_CODES if texts[code]]


def eligibility(candidates: Iterable[Candidate], constraints: Constraints) -> Eligibility:
    """Split the candidates into those tonight can pick and those it cannot, in canonical order."""
    eligible: list[Candidate] = []
    excluded: list[dict] = []
    for candidate in canonical_order(candidates):
        reasons = exclusion_reasons(candidate, constraints)
        if not reasons:
            eligible.append(candidate)
            continue
        excluded.append(
            {
                "item_id": candidate.item_id,
                "title": candidate.title,
                "added_by": candidate.added_by,
                "reasons": reasons,
            }
        )
    return Eligibility(eligible=eligible, excluded=excluded)


def reason_counts(excluded: Iterable[dict]) -> dict[str, int]:
    """How many excluded films have each reason, most frequent first (ties in REASON_CODES
    order); a film with several reasons counts once for each."""
    counts = Counter(reason["code"] for entry in excluded for reason in entry["reasons"])
    ranked = sorted(counts, key=lambda code: (-counts[code], _code_rank(code)))
    return {code: counts[code] for code in ranked}


def _code_rank(code: str) -> int:
    return REASON_CODES.index(code) if code in REASON_CODES else len(REASON_CODES)


def nothing_eligible_message(excluded: Iterable[dict]) -> str:
    """One line on why nothing can be picked: "Nothing can be picked: 3 seen, 2 too long"."""
    counts = reason_counts(excluded)
    if not counts:
        return NOTHING_QUEUED
    parts = [f"{count} {REASON_COUNTED.get(code, code)}" for code, count in counts.items()]
    return f"Nothing can be picked: {', '.join(parts)}."
