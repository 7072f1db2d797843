"""A local HTTP server that answers like TMDB's v3 API, shaped after its API reference: image
configuration, genre lists, search, movie and TV details with what `append_to_response` asks for
(watch providers, credits, videos), and the streaming services of a region. Search looks through
a small catalogue as TMDB does, by the words of the title. Tests can queue answers for a path (a
status, a body, headers, a delay) to play slow, failing or odd servers."""

import json
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

NOT_FOUND = {
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
    "success": False,
}
INVALID_KEY = {
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
    "success": False,
}

CONFIGURATION = {
    "images": {
        "base_url": "http://image.tmdb.org/t/p/",
        "secure_base_url": "https://image.tmdb.org/t/p/",
        "backdrop_sizes": ["w300", "w780", "w1280", "original"],
        "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
        "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
        "profile_sizes": ["w45", "w185", "h632", "original"],
        "still_sizes": ["w92", "w185", "w300", "original"],
    },
    "change_keys": ["adult", "air_date", "images", "videos"],
}
MOVIE_GENRES = {
    "genres": [
        {"id": 28, "name": "Action"},
        {"id": 80, "name": "Crime"},
        {"id": 18, "name": "Drama"},
        {"id": 53, "name": "Thriller"},
    ]
}
TV_GENRES = {"genres": [{"id": 18, "name": "Drama"}, {"id": 10765, "name": "Sci-Fi & Fantasy"}]}
HEAT = {
    "adult": False,
    "backdrop_path": "/heat-backdrop.jpg",
    "genre_ids": [28, 80, 18, 53],
    "id": 949,
    "media_type": "movie",
    "original_language": "en",
    "original_title": "Heat",
    "overview": "Obsessive master thief Neil McCauley leads a top-notch crew.",
    "popularity": 50.1,
    "poster_path": "/heat-poster.jpg",
    "release_date": "1995-12-15",
    "title": "Heat",
    "video": False,
    "vote_average": 7.9,
    "vote_count": 7000,
}
THRONES = {
    "adult": False,
    "backdrop_path": None,
    "first_air_date": "2011-04-17",
    "genre_ids": [10765, 18],
    "id": 1399,
    "media_type": "tv",
    "name": "Game of Thrones",
    "origin_country": ["US"],
    "original_name": "Game of Thrones",
    "overview": "Seven noble families fight for control of the mythical land of Westeros.",
    "poster_path": "/got-poster.jpg",
}
NIGHT_HEAT = {
    "adult": False,
    "backdrop_path": None,
    "first_air_date": "1988-03-06",
    "genre_ids": [18],
    "id": 1908,
    "media_type": "tv",
    "name": "In the Heat of the Night",
    "origin_country": ["US"],
    "original_name": "In the Heat of the Night",
    "overview": "Police chief Bill Gillespie and detective Virgil Tibbs keep the peace.",
    "poster_path": None,
}
SOLARIS_1972 = {
    "adult": False,
    "backdrop_path": "/solaris72-backdrop.jpg",
    "genre_ids": [18],
    "id": 593,
    "media_type": "movie",
    "overview": "A psychologist is sent to a station orbiting a distant planet.",
    "poster_path": "/solaris72.jpg",
    "release_date": "1972-03-20",
    "title": "Solaris",
}
SOLARIS_2002 = {
    **SOLARIS_1972,
    "id": 2103,
    "release_date": "2002-11-27",
    "poster_path": "/solaris02.jpg",
}
INCEPTION = {
    "adult": False,
    "backdrop_path": "/inception-backdrop.jpg",
    "genre_ids": [28, 53],
    "id": 27205,
    "media_type": "movie",
    "overview": "Cobb steals secrets from deep within the subconscious during the dream state.",
    "poster_path": "/inception.jpg",
    "release_date": "2010-07-15",
    "title": "Inception",
}
HEATH = {
    "adult": False,
    "id": 1810,
    "known_for_department": "Acting",
    "media_type": "person",
    "name": "Heath Ledger",
}
PROVIDERS = {
    "results": {
        "US": {
            "link": "https://www.themoviedb.org/movie/949-heat/watch?locale=US",
            "flatrate": [
                {
                    "logo_path": "/netflix.jpg",
                    "provider_id": 8,
                    "provider_name": "Netflix",
                    "display_priority": 1,
                }
            ],
            "rent": [
                {
                    "logo_path": "/apple-tv.jpg",
                    "provider_id": 2,
                    "provider_name": "Apple TV",
                    "display_priority": 4,
                }
            ],
            "buy": [
                {
                    "logo_path": "/apple-tv.jpg",
                    "provider_id": 2,
                    "provider_name": "Apple TV",
                    "display_priority": 4,
                }
            ],
        },
        "DE": {"link": "https://www.themoviedb.org/movie/949-heat/watch?locale=DE"},
    }
}


def _actor(person_id: int, name: str, character: str, order: int) -> dict:
    """A cast entry as TMDB's credits give it."""
    return {
        "adult": False,
        "gender": 2,
        "id": person_id,
        "known_for_department": "Acting",
        "name": name,
        "original_name": name,
        "popularity": 20.0,
        "profile_path": None,
        "character": character,
        "credit_id": f"credit-{person_id}",
        "order": order,
    }


def _crew(person_id: int, name: str, department: str, job: str) -> dict:
    return {
        "adult": False,
        "id": person_id,
        "known_for_department": department,
        "name": name,
        "original_name": name,
        "profile_path": None,
        "credit_id": f"crew-{person_id}-{job}",
        "department": department,
        "job": job,
    }


def _video(key: str, kind: str, *, site: str = "YouTube", official: bool, lang: str = "en") -> dict:
    """A video entry as TMDB's videos give it."""
    return {
        "iso_639_1": lang,
        "iso_3166_1": "US",
        "name": f"{kind} {key}",
        "key": key,
        "site": site,
        "size": 1080,
        "type": kind,
        "official": official,
        "published_at": "2015-02-26T03:19:25.000Z",
        "id": f"video-{key}",
    }


HEAT_CREDITS = {
    "id": 949,
    "cast": [
        _actor(1158, "Al Pacino", "Lt. Vincent Hanna", 0),
        _actor(380, "Robert De Niro", "Neil McCauley", 1),
        _actor(5576, "Val Kilmer", "Chris Shiherlis", 2),
        _actor(10127, "Jon Voight", "Nate", 3),
        _actor(3197, "Tom Sizemore", "Michael Cheritto", 4),
        _actor(6200, "Diane Venora", "Justine Hanna", 5),
        _actor(15851, "Amy Brenneman", "Eady", 6),
        _actor(15852, "Ashley Judd", "Charlene Shiherlis", 7),
    ],
    "crew": [
        _crew(638, "Michael Mann", "Writing", "Screenplay"),
        _crew(5341, "Art Linson", "Production", "Producer"),
        _crew(638, "Michael Mann", "Directing", "Director"),
    ],
}
HEAT_VIDEOS = {
    "id": 949,
    "results": [
        _video("HeatTeaser01", "Teaser", official=True),
        _video("HeatFanCut01", "Trailer", official=False),
        _video("123456789", "Trailer", site="Vimeo", official=True),
        _video("HeatTrailer1", "Trailer", official=True),
    ],
}
THRONES_SEASONS = [
    {
        "air_date": "2010-12-05",
        "episode_count": 14,
        "id": 3627,
        "name": "Specials",
        "overview": "",
        "poster_path": None,
        "season_number": 0,
        "vote_average": 0,
    },
    *(
        {
            "air_date": aired,
            "episode_count": episodes,
            "id": 3624 + number,
            "name": f"Season {number}",
            "overview": "",
            "poster_path": None,
            "season_number": number,
            "vote_average": 8.3,
        }
        for number, (aired, episodes) in enumerate(
            [
                ("2011-04-17", 10),
                ("2012-04-01", 10),
                ("2013-03-31", 10),
                ("2014-04-06", 10),
                ("2015-04-12", 10),
                ("2016-04-24", 10),
                ("2017-07-16", 7),
                ("2019-04-14", 6),
            ],
            start=1,
        )
    ),
]
THRONES_CREDITS = {
    "id": 1399,
    "cast": [
        _actor(1223786, "Emilia Clarke", "Daenerys Targaryen", 0),
        _actor(239019, "Kit Harington", "Jon Snow", 1),
        _actor(22970, "Peter Dinklage", "Tyrion Lannister", 2),
        _actor(17286, "Lena Headey", "Cersei Lannister", 3),
    ],
    # A show's crew is its latest season's: the directors of its episodes, not its creators.
    "crew": [_crew(93223, "David Nutter", "Directing", "Director")],
}
THRONES_PROVIDERS = {
    "results": {
        "US": {
            "link": "https://www.themoviedb.org/tv/1399-game-of-thrones/watch?locale=US",
            "flatrate": [
                {
                    "logo_path": "/max.jpg",
                    "provider_id": 1899,
                    "provider_name": "Max",
                    "display_priority": 2,
                }
            ],
            "buy": [
                {
                    "logo_path": "/apple-tv.jpg",
                    "provider_id": 2,
                    "provider_name": "Apple TV",
                    "display_priority": 4,
                }
            ],
        }
    }
}
HEAT_DETAILS = {
    **{k: v for k, v in HEAT.items() if k not in ("genre_ids", "media_type")},
    "genres": [{"id": 28, "name": "Action"}, {"id": 80, "name": "Crime"}],
    "runtime": 170,
    "watch/providers": PROVIDERS,
    "credits": HEAT_CREDITS,
    "videos": HEAT_VIDEOS,
}
THRONES_DETAILS = {
    **{k: v for k, v in THRONES.items() if k not in ("genre_ids", "media_type")},
    "genres": [{"id": 10765, "name": "Sci-Fi & Fantasy"}],
    "created_by": [
        {"id": 9813, "credit_id": "5256c8c219c2956ff604858a", "name": "David Benioff"},
        {"id": 228068, "credit_id": "552e611e9251413fea000901", "name": "D. B. Weiss"},
    ],
    "episode_run_time": [],
    "last_episode_to_air": {"id": 1551830, "runtime": 80, "season_number": 8},
    "number_of_episodes": 73,
    "number_of_seasons": 8,
    "seasons": THRONES_SEASONS,
    "vote_average": 8.456,
    "vote_count": 24000,
    "watch/providers": THRONES_PROVIDERS,
    "credits": THRONES_CREDITS,
    "videos": {"id": 1399, "results": [_video("ThronesS1", "Trailer", official=True)]},
}
CATALOGUE = [HEAT, NIGHT_HEAT, THRONES, SOLARIS_1972, SOLARIS_2002, INCEPTION, HEATH]


def _details(summary: dict, **extra: object) -> dict:
    """A movie's or show's details as TMDB answers them with `append_to_response`."""
    details = {k: v for k, v in summary.items() if k not in ("genre_ids", "media_type")}
    details["genres"] = [g for g in MOVIE_GENRES["genres"] if g["id"] in summary["genre_ids"]]
    details.setdefault("runtime", 120)
    details["watch/providers"] = {"results": {}}
    details["credits"] = {"id": summary["id"], "cast": [], "crew": []}
    details["videos"] = {"id": summary["id"], "results": []}
    details.update(extra)
    return details


ROUTES = {
    "/configuration": CONFIGURATION,
    "/genre/movie/list": MOVIE_GENRES,
    "/genre/tv/list": TV_GENRES,
    "/movie/949": HEAT_DETAILS,
    "/tv/1399": THRONES_DETAILS,
    "/tv/1908": _details(NIGHT_HEAT, episode_run_time=[48]),
    "/movie/593": _details(SOLARIS_1972, runtime=167),
    "/movie/2103": _details(SOLARIS_2002, runtime=99),
    "/movie/27205": _details(INCEPTION, runtime=148),
}


APPENDABLE = ("watch/providers", "credits", "videos")


def appended(body: dict, asked: str) -> dict:
    """Details carry what `append_to_response` names, and only that, as TMDB's do."""
    wanted = set(asked.split(","))
    return {k: v for k, v in body.items() if k not in APPENDABLE or k in wanted}


def search(kind: str, query: str) -> dict:
    """What TMDB's /search/{multi,movie,tv} finds: entries with every word of the query in
    their title or name, as word prefixes; single-type searches leave `media_type` out."""
    words = query.casefold().split()
    found = []
    for entry in CATALOGUE:
        if kind != "multi" and entry["media_type"] != kind:
            continue
        title = str(entry.get("title") or entry.get("name")).casefold().split()
        if words and all(any(part.startswith(word) for part in title) for word in words):
            found.append(
                entry if kind == "multi" else {k: v for k, v in entry.items() if k != "media_type"}
            )
    return {"page": 1, "results": found, "total_pages": 1, "total_results": len(found)}


# The streaming services of /watch/providers/{movie,tv}: id, name, logo and display priority per
# region. Disney Plus is placed differently on the two lists in GB; Hulu is in the US only.
MOVIE_SERVICES = [
    (337, "Disney Plus", "/disney-plus.jpg", {"US": 3, "GB": 3}),
    (8, "Netflix", "/netflix.jpg", {"US": 0, "GB": 0}),
    (350, "Apple TV+", "/apple-tv-plus.jpg", {"US": 5, "GB": 3}),
    (9, "Amazon Prime Video", "/prime-video.jpg", {"US": 1, "GB": 1}),
    (15, "Hulu", "/hulu.jpg", {"US": 2}),
]
TV_SERVICES = [
    (8, "Netflix", "/netflix.jpg", {"US": 0, "GB": 0}),
    (283, "Crunchyroll", "/crunchyroll.jpg", {"US": 6, "GB": 2}),
    (9, "Amazon Prime Video", "/prime-video.jpg", {"US": 1, "GB": 1}),
    (337, "Disney Plus", "/disney-plus.jpg", {"US": 3, "GB": 1}),
    (15, "Hulu", "/hulu.jpg", {"US": 2}),
]


def watch_providers(kind: str, region: str | None) -> dict:
    """What TMDB's /watch/providers/{movie,tv} lists: with a `watch_region`, the services offered
    there (none for a region it has no data for), `display_priority` being the region's; without
    one, every service."""
    services = MOVIE_SERVICES if kind == "movie" else TV_SERVICES
    return {
        "results": [
            {
                "display_priorities": priorities,
                "display_priority": priorities[region] if region else min(priorities.values()),
                "logo_path": logo,
                "provider_name": name,
                "provider_id": provider_id,
            }
            for provider_id, name, logo, priorities in services
            if not region or region in priorities
        ]
    }


@dataclass
class Answer:
    status: int = 200
    body: bytes | dict = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    path: str
    params: dict[str, str]
    authorization: str | None


def poster_png(name: str, width: int = 60, height: int = 90) -> bytes:
    """A small poster-shaped PNG in a colour of its own, for pages to show without internet."""
    shade = zlib.crc32(name.encode())
    r, g, b = (shade >> 16) & 0xFF, (shade >> 8) & 0xFF, shade & 0xFF
    rows = b"".join(
        b"\x00" + bytes((r * y // height, g * y // height, b)) * width for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class FakeTMDB:
    """With `images`, the configuration points posters at this server, which draws them."""

    def __init__(self, key: str = "", token: str = "", *, images: bool = False) -> None:
        self.key, self.token, self.images = key, token, images
        self.seen: list[Seen] = []
        self.queued: dict[str, list[Answer]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/3"

    def __enter__(self) -> "FakeTMDB":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def queue(self, path: str, *answers: Answer) -> None:
        self.queued.setdefault(path, []).extend(answers)

    def last(self, path: str) -> Seen:
        return [seen for seen in self.seen if seen.path == path][-1]

    def calls(self, path: str) -> int:
        return sum(1 for seen in self.seen if seen.path == path)

    def _answer(self, path: str, params: dict[str, str], authorization: str | None) -> Answer:
        self.seen.append(Seen(path, params, authorization))
        if self.queued.get(path):
            return self.queued[path].pop(0)
        authorized = (self.key and params.get("api_key") == self.key) or (
            self.token and authorization == f"Bearer {self.token}"
        )
        if not authorized:
            return Answer(401, INVALID_KEY)
        if path == "/configuration" and self.images:
            origin = self.url.removesuffix("/3")
            images = {**CONFIGURATION["images"], "secure_base_url": f"{origin}/t/p/"}
            return Answer(200, {**CONFIGURATION, "images": images})
        if path.startswith("/search/") and path.split("/")[-1] in ("multi", "movie", "tv"):
            return Answer(200, search(path.split("/")[-1], params.get("query", "")))
        if path in ("/watch/providers/movie", "/watch/providers/tv"):
            return Answer(200, watch_providers(path.split("/")[-1], params.get("watch_region")))
        if path in ROUTES:
            return Answer(200, appended(ROUTES[path], params.get("append_to_response", "")))
        return Answer(404, NOT_FOUND)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path.startswith("/t/p/"):
                    self._send(200, poster_png(url.path), "image/png")
                    return
                params = {k: v[-1] for k, v in parse_qs(url.query).items()}
                path = url.path.removeprefix("/3")
                answer = fake._answer(path, params, self.headers.get("Authorization"))
                if answer.delay:
                    time.sleep(answer.delay)
                body = answer.body
                data = json.dumps(body).encode() if isinstance(body, dict) else body
                self._send(answer.status, data, "application/json;charset=utf-8", answer.headers)

            def _send(
                self, status: int, data: bytes, kind: str, headers: dict | None = None
            ) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as a timeout test means it to

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
