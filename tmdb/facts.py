"""What a page about a film or show shows, read from TMDB's details answer (with `credits` and
`videos` appended): its score, the top of its cast, its director or creators, a trailer and a
show's seasons. Pure functions: TMDB's JSON in, plain data out.

TMDB's answers are read defensively: a piece in another shape than its reference gives (a cast
entry with no name, a video with no key, a season with no number) is left out, never guessed at,
and never fails the rest.
"""

import math
import re
from collections.abc import Iterable
from typing import Any

# The top of the cast, a few directors or creators, and the seasons of even a long-running show;
# each name cut to a length a page can show.
CAST_MAX = 6
PEOPLE_MAX = 4
SEASONS_MAX = 60
NAME_MAX = 200
YOUTUBE_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def page_facts(media_type: str, raw: dict[str, Any], *, language: str) -> dict[str, Any]:
    """The facts of a movie's or show's details; `language` (ISO 639-1) is the one a trailer is
    preferred in."""
    show = media_type == "tv"
    score, votes = raw.get("vote_average"), raw.get("vote_count")
    rated = is_number(score) and 0 <= score <= 10 and is_int(votes) and votes > 0
    credits = as_dict(raw.get("credits"))
    crew = [] if show else as_list(credits.get("crew"))
    number_of_seasons = raw.get("number_of_seasons")
    return {
        # TMDB gives a film nobody rated an average of 0: that is no score, not a bad one.
        "score": round(float(score), 1) if rated else None,
        "votes": votes if rated else None,
        "cast": _cast(credits.get("cast")),
        "directors": _names(p for p in crew if as_dict(p).get("job") == "Director"),
        "creators": _names(as_list(raw.get("created_by"))) if show else [],
        "trailer_url": _trailer(raw.get("videos"), language),
        "number_of_seasons": (
            number_of_seasons
            if show and is_int(number_of_seasons) and number_of_seasons >= 0
            else None
        ),
        "seasons": _seasons(raw.get("seasons")) if show else [],
    }


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def year(date: Any) -> int | None:
    if isinstance(date, str) and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def _text(value: Any) -> str:
    return value.strip()[:NAME_MAX] if isinstance(value, str) else ""


def _names(people: Iterable[Any]) -> list[str]:
    """The names of `people` (TMDB's person objects), each once, in TMDB's order."""
    names = (_text(as_dict(person).get("name")) for person in people)
    return list(dict.fromkeys(name for name in names if name))[:PEOPLE_MAX]


def _cast(raw: Any) -> list[dict[str, str]]:
    """The top of the cast, in TMDB's billing order: each actor's name and character."""
    cast = []
    for person in as_list(raw):
        name = _text(as_dict(person).get("name"))
        if name:
            cast.append({"name": name, "character": _text(person.get("character"))})
        if len(cast) == CAST_MAX:
            break
    return cast


def _trailer(raw: Any, language: str) -> str | None:
    """A YouTube trailer's address: an official one first, then one in `language`, then
    TMDB's order."""
    trailers = [
        video
        for video in as_list(as_dict(raw).get("results"))
        if isinstance(video, dict)
        and video.get("site") == "YouTube"
        and video.get("type") == "Trailer"
        and isinstance(video.get("key"), str)
        and YOUTUBE_KEY.fullmatch(video["key"])
    ]
    if not trailers:
        return None
    best = min(
        trailers,
        key=lambda video: (video.get("official") is not True, video.get("iso_639_1") != language),
    )
    return f"https://www.youtube.com/watch?v={best['key']}"


def _seasons(raw: Any) -> list[dict[str, Any]]:
    """A show's seasons in order, each with its number, name, episodes and year; specials
    (season 0) are left out, as TMDB's `number_of_seasons` leaves them out."""
    seasons: dict[int, dict[str, Any]] = {}
    for season in as_list(raw):
        number = as_dict(season).get("season_number")
        if not is_int(number) or number < 1 or number in seasons:
            continue
        episodes = season.get("episode_count")
        seasons[number] = {
            "number": number,
            "name": _text(season.get("name")) or f"Season {number}",
            "episodes": episodes if is_int(episodes) and episodes >= 0 else None,
            "year": year(season.get("air_date")),
        }
    return [seasons[number] for number in sorted(seasons)][:SEASONS_MAX]
