"""What tonight can watch: the queue's candidates split into eligible and excluded, with reasons.

Pure like the algorithms: the service resolves tonight's constraints (who attends, a finish-by
time turned into minutes, the streaming services the attendees have) and this module only
judges. An excluded film lists every reason that applies, not just the first, so people can see
what they would have to change to get it back. Each reason is a phrase (watchqueue_site.phrases)
with its short English text: `{"code", "text", "phrase", "args"}`.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from selection.algorithms import Candidate, canonical_order
from watchqueue_site.phrases import Said, english, listed, phrase, plural_phrase

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

# What an excluded film's reasons say, by code (and by case where a code has several).
BEING_WATCHED = phrase("excluded.being_watched", "being watched")
TURNED_DOWN = phrase("excluded.turned_down", "turned down tonight")
VETOED = phrase("excluded.vetoed", "vetoed")
VETOED_BY = phrase("excluded.vetoed_by", "vetoed by %(names)s")
OTHERS = plural_phrase("excluded.others", "%(count)s other", "%(count)s others")
SEEN = phrase("excluded.seen", "seen by %(seen)s of %(attendees)s")
A_SHOW = phrase("excluded.a_show", "a show, and tonight is films only")
A_FILM = phrase("excluded.a_film", "a film, and tonight is shows only")
NO_TIME = phrase("excluded.no_time", "no time left")
NO_TIME_BY = phrase("excluded.no_time_by", "no time left before %(time)s")
TOO_LONG_BY = phrase("excluded.too_long_by", "too long to finish by %(time)s (%(runtime)s min)")
TOO_LONG = phrase("excluded.too_long", "longer than %(limit)s min (%(runtime)s min)")
GENRES_EXCLUDED = plural_phrase(
    "excluded.genres", "genre %(genres)s excluded", "genres %(genres)s excluded"
)
NOT_GENRES = phrase("excluded.not_genres", "not %(genres)s")
NO_SERVICES = phrase("excluded.no_services", "nobody in tonight has named a streaming service")
STREAMS_UNKNOWN = phrase("excluded.streams_unknown", "where it streams is not known")
NOT_ON = phrase("excluded.not_on", "not on %(services)s (the services you have)")

# How `counted` counts each reason: "3 seen", "2 too long".
REASON_COUNTED = {
    "being_watched": phrase("counted.being_watched", "%(count)s being watched"),
    "turned_down": phrase("counted.turned_down", "%(count)s turned down"),
    "vetoed": phrase("counted.vetoed", "%(count)s vetoed"),
    "seen": phrase("counted.seen", "%(count)s seen"),
    "wrong_kind": phrase("counted.wrong_kind", "%(count)s of the wrong kind"),
    "too_long": phrase("counted.too_long", "%(count)s too long"),
    "genre_excluded": phrase("counted.genre_excluded", "%(count)s in an excluded genre"),
    "genre_not_included": phrase(
        "counted.genre_not_included", "%(count)s not in the chosen genres"
    ),
    "not_streamable": phrase("counted.not_streamable", "%(count)s not streamable"),
}
NOTHING_QUEUED = phrase("nothing.queued", "Nothing can be picked: nothing is queued.")
NOTHING_ELIGIBLE = phrase("nothing.eligible", "Nothing can be picked: %(counts)s.")


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
    # {"item_id", "title", "added_by", "reasons": [{"code", "text", "phrase", "args"}]}
    excluded: list[dict]


def _folded(words: Iterable[str]) -> frozenset[str]:
    return frozenset(word.casefold() for word in words)


def _vetoed(candidate: Candidate) -> Said | None:
    if not candidate.vetoed_by:
        return None
    names: list[Any] = list(dict.fromkeys(name for name in candidate.vetoed_by if name))
    hidden = sum(1 for name in candidate.vetoed_by if not name)
    if not names:
        return VETOED()
    if hidden:
        names.append(OTHERS(count=hidden))
    return VETOED_BY(names=listed(names))


def _seen(candidate: Candidate, constraints: Constraints) -> Said | None:
    attendees = max(constraints.attendees, 1)
    seen = len(candidate.seen_by)
    if seen and seen / attendees >= constraints.seen_share:
        return SEEN(seen=seen, attendees=attendees)
    return None


def _wrong_kind(candidate: Candidate, constraints: Constraints) -> Said | None:
    if constraints.media == "movie" and candidate.media_type == "tv":
        return A_SHOW()
    if constraints.media == "tv" and candidate.media_type != "tv":
        return A_FILM()
    return None


def _too_long(candidate: Candidate, constraints: Constraints) -> Said | None:
    """An unknown runtime cannot be judged, so it stays in, unless no time at all is left."""
    limit, label = constraints.max_runtime, constraints.finish_by_label
    if limit is None:
        return None
    if limit <= 0:
        return NO_TIME_BY(time=label) if label else NO_TIME()
    runtime = candidate.runtime_minutes
    if runtime is None or runtime <= limit:
        return None
    if label:
        return TOO_LONG_BY(time=label, runtime=runtime)
    return TOO_LONG(limit=limit, runtime=runtime)


def _genre_excluded(candidate: Candidate, constraints: Constraints) -> Said | None:
    excluded = constraints.excluded_genres
    if not excluded:
        return None
    matching = [genre for genre in candidate.genres if genre.casefold() in excluded]
    if not matching:
        return None
    return GENRES_EXCLUDED(count=len(matching), genres=listed(matching))


def _genre_not_included(candidate: Candidate, constraints: Constraints) -> Said | None:
    wanted = constraints.genres_include
    if not wanted or not constraints.included_genres.isdisjoint(_folded(candidate.genres)):
        return None
    return NOT_GENRES(genres=listed(wanted, "or"))


def _not_streamable(candidate: Candidate, constraints: Constraints) -> Said | None:
    services = constraints.services
    if services is None:
        return None
    if not services:
        return NO_SERVICES()
    if not candidate.providers_known:
        return STREAMS_UNKNOWN()
    if not constraints.service_names.isdisjoint(_folded(candidate.streams_on)):
        return None
    return NOT_ON(services=listed(services, "or"))


def exclusion_reasons(candidate: Candidate, constraints: Constraints) -> list[dict[str, Any]]:
    """Every reason tonight cannot pick `candidate`, in REASON_CODES order; empty if it can."""
    said = {
        "being_watched": BEING_WATCHED() if candidate.status == "watching" else None,
        "turned_down": TURNED_DOWN() if candidate.turned_down else None,
        "vetoed": _vetoed(candidate),
        "seen": _seen(candidate, constraints),
        "wrong_kind": _wrong_kind(candidate, constraints),
        "too_long": _too_long(candidate, constraints),
        "genre_excluded": _genre_excluded(candidate, constraints),
        "genre_not_included": _genre_not_included(candidate, constraints),
        "not_streamable": _not_streamable(candidate, constraints),
    }
    return [
        {"code": code, "text": english(said[code]), **said[code]}
        for code in REASON_CODES
        if said[code]
    ]


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


def counted(excluded: Iterable[dict]) -> Said | None:
    """How many excluded films have each reason, as a list: "3 seen, 2 too long"; None if none."""
    counts = reason_counts(excluded)
    if not counts:
        return None
    return listed([_counted(code, count) for code, count in counts.items()], "comma")


def _counted(code: str, count: int) -> Said | str:
    found = REASON_COUNTED.get(code)
    return found(count=count) if found else f"{count} {code}"


def nothing_eligible(excluded: Iterable[dict]) -> Said:
    """Why nothing can be picked, in a line: "Nothing can be picked: 3 seen, 2 too long."."""
    counts = counted(excluded)
    return NOTHING_ELIGIBLE(counts=counts) if counts else NOTHING_QUEUED()
