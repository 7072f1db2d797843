"""A small client for TMDB's v3 API: search, details with watch providers, the streaming services
of the region, and the genre map and image configuration those need.

Authenticates with a v3 API key (sent as `api_key`) or a v4 read access token (sent as a bearer
header); `TMDB_API_KEY` holds either. Every call has a timeout; 429 and 5xx answers are retried
with backoff, honouring `Retry-After`. The key never appears in an exception, a log line or a
page: errors name the path, never the URL.

The calls block on the network, so they must not run on the thread that serves the app's
synchronous code; callers run them in a worker thread (`asgiref.sync.sync_to_async(...,
thread_sensitive=False)`).
"""

import logging
import math
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.utils import translation
from requests.adapters import HTTPAdapter

from tmdb.facts import as_dict, as_list, is_int, page_facts, year

logger = logging.getLogger(__name__)


class _HideKey(logging.Filter):
    """urllib3 logs each request's URL at DEBUG level, and a v3 key travels in the URL."""

    _KEY = re.compile(r"(api_key=)[^&\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "api_key=" in message:
            record.msg, record.args = self._KEY.sub(r"\1[hidden]", message), ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_HideKey())

MEDIA_TYPES = ("movie", "tv")
CACHE_SECONDS = 24 * 3600
ATTEMPTS = 4
RETRY_AFTER_MAX = 10.0
POSTER_SIZE = "w500"
BACKDROP_SIZE = "w1280"
LOGO_SIZE = "w92"


class TMDBError(Exception):
    """TMDB could not answer; the message is safe to show (it never holds the key)."""


class TMDBNotConfigured(TMDBError):
    pass


class TMDBAuthError(TMDBError):
    """TMDB refused the configured key or token."""


class TMDBNotFound(TMDBError):
    pass


class TMDBUnavailable(TMDBError):
    """Timed out, kept failing, or answered something that is not TMDB's JSON."""


@dataclass
class _Cached:
    value: Any
    expires: float


class TMDBClient:
    def __init__(
        self,
        *,
        key: str,
        base_url: str,
        language: str,
        region: str,
        timeout: float,
        backoff: float = 0.5,
    ) -> None:
        if not key:
            raise TMDBNotConfigured("TMDB is not configured.")
        self.base_url = base_url.rstrip("/")
        self.language = language
        self.region = region
        self.timeout = timeout
        self.backoff = backoff
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(pool_maxsize=8))
        self.session.mount("https://", HTTPAdapter(pool_maxsize=8))
        self.session.headers["Accept"] = "application/json"
        # A v4 read access token is a JWT; anything else is a v3 API key.
        self._key_params = {}
        if key.startswith("eyJ"):
            self.session.headers["Authorization"] = f"Bearer {key}"
        else:
            self._key_params = {"api_key": key}
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    # HTTP

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        """GET a TMDB path, retrying 429 and 5xx; the JSON object it answers."""
        for attempt in range(ATTEMPTS):
            try:
                response = self.session.get(
                    f"{self.base_url}{path}",
                    params={**params, **self._key_params},
                    timeout=self.timeout,
                )
            except requests.RequestException as error:
                # requests puts the URL, and with it the key, in its messages: never pass it on.
                logger.warning("TMDB %s failed: %s", path, type(error).__name__)
                if attempt + 1 == ATTEMPTS:
                    raise TMDBUnavailable(
                        f"TMDB did not answer ({type(error).__name__})."
                    ) from None
                time.sleep(self.backoff * 2**attempt)
                continue
            status = response.status_code
            if status == 429 or status >= 500:
                logger.warning("TMDB %s answered %s", path, status)
                if attempt + 1 == ATTEMPTS:
                    raise TMDBUnavailable(f"TMDB answered {status}.")
                time.sleep(self._retry_delay(response, attempt))
                continue
            if status == 401:
                raise TMDBAuthError("TMDB refused the configured key or token.")
            if status == 404:
                raise TMDBNotFound("TMDB has nothing at this id.")
            if status >= 400:
                raise TMDBUnavailable(f"TMDB answered {status}.")
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                raise TMDBUnavailable("TMDB answered something that is not its JSON.")
            return body
        raise AssertionError("unreachable")

    def _retry_delay(self, response: requests.Response, attempt: int) -> float:
        try:
            asked = float(response.headers.get("Retry-After", ""))
        except ValueError:
            asked = 0.0
        return min(RETRY_AFTER_MAX, max(asked, self.backoff * 2**attempt))

    def _cached(self, name: str, fetch) -> Any:
        with self._lock:
            entry = self._cache.get(name)
            if entry and entry.expires > time.monotonic():
                return entry.value
        value = fetch()
        with self._lock:
            self._cache[name] = _Cached(value, time.monotonic() + CACHE_SECONDS)
        return value

    # What the calls need

    def images(self) -> dict[str, str]:
        """Base URLs for posters, backdrops and logos, from TMDB's image configuration."""

        def fetch() -> dict[str, str]:
            images = self.get("/configuration").get("images") or {}
            base = images.get("secure_base_url") or images.get("base_url") or ""
            if not isinstance(base, str) or not base:
                raise TMDBUnavailable("TMDB's configuration has no image base URL.")

            def size(kind: str, wanted: str) -> str:
                sizes = images.get(f"{kind}_sizes") or []
                return wanted if wanted in sizes or not sizes else str(sizes[-1])

            return {
                "poster": base + size("poster", POSTER_SIZE),
                "backdrop": base + size("backdrop", BACKDROP_SIZE),
                "logo": base + size("logo", LOGO_SIZE),
            }

        return self._cached("images", fetch)

    def genres(self, media_type: str) -> dict[int, str]:
        def fetch() -> dict[int, str]:
            listed = self.get(f"/genre/{media_type}/list", language=self.language)
            return {
                g["id"]: g["name"]
                for g in listed.get("genres") or []
                if isinstance(g, dict) and isinstance(g.get("id"), int)
            }

        return self._cached(f"genres:{media_type}", fetch)

    def _image(self, kind: str, path: Any) -> str | None:
        return f"{self.images()[kind]}{path}" if isinstance(path, str) and path else None

    # Search and details

    def search(self, query: str, media_type: str | None = None) -> list[dict[str, Any]]:
        """Movies and shows matching `query` (both, or one `media_type`), most relevant first."""
        path = f"/search/{media_type}" if media_type else "/search/multi"
        found = self.get(path, query=query, language=self.language, include_adult="false")
        results = []
        for raw in found.get("results") or []:
            kind = media_type or (raw.get("media_type") if isinstance(raw, dict) else None)
            if kind in MEDIA_TYPES and isinstance(raw.get("id"), int):
                results.append(self._summary(kind, raw))
        return results

    def _summary(self, media_type: str, raw: dict[str, Any]) -> dict[str, Any]:
        names = self.genres(media_type)
        date = raw.get("release_date") if media_type == "movie" else raw.get("first_air_date")
        genre_ids = raw.get("genre_ids") or [g.get("id") for g in raw.get("genres") or []]
        return {
            "tmdb_id": raw["id"],
            "media_type": media_type,
            "title": str(raw.get("title") or raw.get("name") or ""),
            "year": year(date),
            "overview": str(raw.get("overview") or ""),
            "poster_url": self._image("poster", raw.get("poster_path")),
            "backdrop_url": self._image("backdrop", raw.get("backdrop_path")),
            "genres": [names[g] for g in genre_ids if g in names],
        }

    def details(self, media_type: str, tmdb_id: int) -> dict[str, Any]:
        """A movie or show with its runtime, where it streams, rents or buys in the region, and
        what a page about it shows (`details`: score, cast, director or creators, trailer,
        seasons). Pieces TMDB answers in another shape are left out, not guessed at."""
        if media_type not in MEDIA_TYPES:
            raise TMDBNotFound("TMDB has movies and tv shows only.")
        raw = self.get(
            f"/{media_type}/{tmdb_id}",
            language=self.language,
            append_to_response="watch/providers,credits,videos",
            # The appended videos are those of the `language` only, unless these are named:
            # trailers are most often in English or have no language at all.
            include_video_language=",".join(
                dict.fromkeys([self.language.split("-")[0], "en", "null"])
            ),
        )
        if not isinstance(raw.get("id"), int):
            raise TMDBUnavailable("TMDB answered something that is not its JSON.")
        if media_type == "movie":
            runtime = raw.get("runtime")
        else:
            episode = raw.get("episode_run_time") or []
            last = raw.get("last_episode_to_air") or {}
            runtime = episode[0] if episode else last.get("runtime")
        return {
            **self._summary(media_type, raw),
            "runtime_minutes": runtime if is_int(runtime) and runtime > 0 else None,
            "providers": self._providers(raw.get("watch/providers")),
            "details": page_facts(media_type, raw, language=self.language.split("-")[0]),
        }

    def _providers(self, raw: Any) -> dict[str, Any]:
        region = as_dict(as_dict(as_dict(raw).get("results")).get(self.region))
        services: dict[str, dict[str, Any]] = {}

        def names(kind: str) -> list[str]:
            found = []
            for provider in as_list(region.get(kind)):
                name = as_dict(provider).get("provider_name")
                if not isinstance(name, str) or not name.strip():
                    continue
                found.append(name)
                provider_id = provider.get("provider_id")
                services.setdefault(
                    name,
                    {
                        "id": provider_id if is_int(provider_id) and provider_id > 0 else None,
                        "name": name,
                        "logo_url": self._image("logo", provider.get("logo_path")),
                    },
                )
            return found

        stream, rent, buy = names("flatrate"), names("rent"), names("buy")
        return {
            "region": self.region,
            "link": region.get("link") if isinstance(region.get("link"), str) else None,
            "stream": stream,
            "rent": rent,
            "buy": buy,
            # Each service named above once, with its id and logo, as /watch/providers lists them.
            "services": list(services.values()),
        }

    # The region's streaming services

    def providers(self, media_type: str) -> list[dict[str, Any]]:
        """The services TMDB lists for movies or for shows in the region, as `id`, `name` and
        `logo_url`: in TMDB's display order for the region, then by name. Entries without an id
        or a name are left out."""
        return [dict(provider) for _, provider in self._provider_list(media_type)]

    def providers_all(self) -> list[dict[str, Any]]:
        """The movie and the tv lists as one, each service once, in display order: what members
        pick their services from. A service on both lists keeps its movie list priority."""
        merged: dict[int, tuple[float, dict[str, Any]]] = {}
        for media_type in MEDIA_TYPES:
            for priority, provider in self._provider_list(media_type):
                merged.setdefault(provider["id"], (priority, provider))
        return [dict(provider) for _, provider in sorted(merged.values(), key=_display_order)]

    def _provider_list(self, media_type: str) -> list[tuple[float, dict[str, Any]]]:
        """(display priority, service) pairs in display order, kept as the genres are."""
        if media_type not in MEDIA_TYPES:
            raise TMDBNotFound("TMDB has movies and tv shows only.")

        def fetch() -> list[tuple[float, dict[str, Any]]]:
            listed = self.get(
                f"/watch/providers/{media_type}",
                watch_region=self.region,
                language=self.language,
            ).get("results")
            if not isinstance(listed, list):
                raise TMDBUnavailable("TMDB answered something that is not its JSON.")
            found: dict[int, tuple[float, dict[str, Any]]] = {}
            for raw in listed:
                if not isinstance(raw, dict):
                    continue
                provider_id, name = raw.get("provider_id"), raw.get("provider_name")
                if not is_int(provider_id) or provider_id <= 0 or provider_id in found:
                    continue
                if not isinstance(name, str) or not name.strip():
                    continue
                found[provider_id] = (
                    self._display_priority(raw),
                    {
                        "id": provider_id,
                        "name": name.strip(),
                        "logo_url": self._image("logo", raw.get("logo_path")),
                    },
                )
            return sorted(found.values(), key=_display_order)

        return self._cached(f"providers:{media_type}", fetch)

    def _display_priority(self, raw: dict[str, Any]) -> float:
        """The region's own priority when TMDB gives one per region, else its `display_priority`
        (which it gives for the `watch_region` asked); a service with neither goes last."""
        by_region = raw.get("display_priorities")
        priority = by_region.get(self.region) if isinstance(by_region, dict) else None
        if not is_int(priority):
            priority = raw.get("display_priority")
        return priority if is_int(priority) else math.inf


def _display_order(entry: tuple[float, dict[str, Any]]) -> tuple[float, str, int]:
    priority, provider = entry
    return priority, provider["name"].casefold(), provider["id"]


_clients: dict[tuple, TMDBClient] = {}
_clients_lock = threading.Lock()


def tmdb_language(asker: str | None = None) -> str:
    """The language TMDB answers in: `TMDB_LANGUAGE` when set, for everyone; else the asker's
    (a member's language, carried to the background by whoever scheduled the work), else the
    language of the request being answered."""
    return settings.TMDB_LANGUAGE or asker or translation.get_language() or settings.LANGUAGE_CODE


def tmdb(language: str | None = None) -> TMDBClient:
    """The process's client for the current settings and the language (see `tmdb_language`),
    its caches with it, so an answer in one language is never served in another; raises
    TMDBNotConfigured without a key."""
    config = (
        settings.TMDB_API_KEY,
        settings.TMDB_API_URL,
        tmdb_language(language),
        settings.TMDB_REGION,
        settings.TMDB_TIMEOUT_SECONDS,
    )
    with _clients_lock:
        if config not in _clients:
            key, base_url, language, region, timeout = config
            _clients[config] = TMDBClient(
                key=key, base_url=base_url, language=language, region=region, timeout=timeout
            )
        return _clients[config]
