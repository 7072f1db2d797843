"""The endpoints that wait on TMDB: `GET /api/search`, `GET /api/tmdb/providers` and
`POST /api/queue/{id}/enrich`.

All are async views, so the call to TMDB waits in a worker thread, never on the thread that
serves the app's synchronous code. Search answers are kept for a few minutes: people type the
same prefixes. The key stays on the server.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from adrf.views import APIView
from asgiref.sync import sync_to_async
from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from queues.models import ItemStatus, QueueItem
from queues.serializers import QueueItemSerializer
from queues.services import ALREADY_WATCHED, ITEM_NOT_FOUND, item_get
from rooms.auth import SCREEN_READS_ONLY, request_member
from rooms.models import Member
from rooms.services import OTHER_ROOM, require_open
from tmdb import enrichment
from tmdb.client import MEDIA_TYPES, TMDBAuthError, TMDBClient, TMDBError, tmdb
from tmdb.serializers import (
    QUERY_MAX,
    SearchAnswerSerializer,
    SearchQuerySerializer,
    WatchProvidersAnswerSerializer,
)
from watchqueue_site.api import parse, query_params
from watchqueue_site.errors import Conflict, Forbidden, NotFound, Unavailable
from watchqueue_site.schema import (
    CLOSED,
    FORBIDDEN,
    UNAUTHORIZED,
    ErrorSerializer,
    conflict,
    error,
)

CACHE_SECONDS = 300
CACHE_SIZE = 512
RETRY_AFTER = 30

TMDB_NOT_CONFIGURED = (
    "TMDB metadata is not configured: set TMDB_API_KEY (a v3 API key or a v4 read access "
    "token from themoviedb.org) in the environment or .env, and restart the server."
)
TMDB_REFUSED_KEY = "TMDB refused the server's key: check TMDB_API_KEY."
ITEM_GONE = "The item was removed while TMDB was asked."

_answers: OrderedDict[tuple[str, str | None, str], tuple[float, list]] = OrderedDict()
_answers_lock = threading.Lock()


def _remembered(key: tuple[str, str | None, str]) -> list | None:
    with _answers_lock:
        entry = _answers.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        _answers.move_to_end(key)
        return entry[1]


def _remember(key: tuple[str, str | None, str], results: list) -> None:
    with _answers_lock:
        _answers[key] = (time.monotonic() + CACHE_SECONDS, results)
        _answers.move_to_end(key)
        while len(_answers) > CACHE_SIZE:
            _answers.popitem(last=False)


def _not_configured() -> Unavailable:
    return Unavailable(TMDB_NOT_CONFIGURED, code="tmdb_not_configured")


def _configured() -> TMDBClient:
    """The process's TMDB client; 503 `tmdb_not_configured` without a key."""
    if not settings.TMDB_API_KEY:
        raise _not_configured()
    return tmdb()


async def _ask(call: Callable[..., Any], *args: Any) -> Any:
    """`call` (a TMDB client's method) in a worker thread; TMDB's failures as 503s."""
    try:
        return await sync_to_async(call, thread_sensitive=False)(*args)
    except TMDBAuthError:
        raise Unavailable(TMDB_REFUSED_KEY, code="tmdb_refused_key") from None
    except TMDBError as failure:
        raise Unavailable(str(failure), code="tmdb_unavailable", retry_after=RETRY_AFTER) from None


def _unavailable(description: str, *codes: str) -> OpenApiResponse:
    details = {
        "tmdb_not_configured": TMDB_NOT_CONFIGURED,
        "tmdb_refused_key": TMDB_REFUSED_KEY,
        "tmdb_unavailable": "TMDB did not answer (ReadTimeout).",
    }
    return OpenApiResponse(
        ErrorSerializer,
        description=description,
        examples=[
            OpenApiExample(code, value={"error": code, "detail": details[code]}) for code in codes
        ],
    )


# The answers of the views that only read TMDB.
_SCREEN_REFUSED = error(
    "A screen's token, which only reads its room.", "forbidden", SCREEN_READS_ONLY
)
_TMDB_DOWN = _unavailable(
    "TMDB is not configured (`tmdb_not_configured`), refused the key "
    "(`tmdb_refused_key`) or did not answer (`tmdb_unavailable`, with Retry-After).",
    "tmdb_not_configured",
    "tmdb_refused_key",
    "tmdb_unavailable",
)

_SEARCH_EXAMPLE = {
    "query": "heat",
    "type": None,
    "results": [
        {
            "tmdb_id": 949,
            "media_type": "movie",
            "title": "Heat",
            "year": 1995,
            "overview": "Obsessive master thief Neil McCauley leads a top-notch crew...",
            "poster_url": "https://image.tmdb.org/t/p/w500/umSVjVdbVwtx5ryCA2QXL44Durm.jpg",
            "backdrop_url": "https://image.tmdb.org/t/p/w1280/4B9i4mdVQYxEPAmBv5JRZNwVOdD.jpg",
            "genres": ["Action", "Crime", "Drama"],
        }
    ],
}


class SearchView(APIView):
    @extend_schema(
        operation_id="search",
        summary="Search TMDB's movies and shows (for suggestions)",
        description=(
            "Movies and TV shows matching `q`, most relevant first, answered from a "
            "five-minute cache. Needs any member's token; the server's TMDB key stays on "
            "the server. Without a key configured: 503 `tmdb_not_configured` "
            f"({TMDB_NOT_CONFIGURED})"
        ),
        parameters=[
            OpenApiParameter(
                "q", {"type": "string", "minLength": 1, "maxLength": QUERY_MAX}, required=True
            ),
            OpenApiParameter("type", enum=list(MEDIA_TYPES), required=False),
        ],
        responses={
            200: OpenApiResponse(
                SearchAnswerSerializer,
                description="The matches.",
                examples=[OpenApiExample("Heat", value=_SEARCH_EXAMPLE, response_only=True)],
            ),
            400: error(
                "No search text, or an unknown type.",
                "invalid",
                "q: Give a search text of 1 to 100 characters.",
            ),
            401: UNAUTHORIZED,
            403: _SCREEN_REFUSED,
            503: _TMDB_DOWN,
        },
        tags=["metadata"],
    )
    async def get(self, request: Request) -> Response:
        request_member(request)
        query = parse(SearchQuerySerializer, query_params(request))
        text, kind = query["q"], query.get("type") or None
        client = _configured()
        key = (text.casefold(), kind, client.language)
        results = _remembered(key)
        if results is None:
            results = await _ask(client.search, text, kind)
            _remember(key, results)
        return Response({"query": text, "type": kind, "results": results})


_PROVIDERS_EXAMPLE = {
    "region": "GB",
    "providers": [
        {"id": 8, "name": "Netflix", "logo_url": "https://image.tmdb.org/t/p/w92/netflix.jpg"},
        {
            "id": 9,
            "name": "Amazon Prime Video",
            "logo_url": "https://image.tmdb.org/t/p/w92/prime-video.jpg",
        },
        {
            "id": 337,
            "name": "Disney Plus",
            "logo_url": "https://image.tmdb.org/t/p/w92/disney-plus.jpg",
        },
    ],
}


class ProvidersView(APIView):
    @extend_schema(
        operation_id="tmdb_providers",
        summary="The region's streaming services (to say which ones you have)",
        description=(
            "The watch providers TMDB lists for movies and for shows in `TMDB_REGION` "
            "(`region`): streaming services, and stores that rent or sell. One list, each "
            "service once, in TMDB's display order for the region, then by name: what members "
            "pick the services they have from. `logo_url` is a small logo (92 pixels wide), or "
            "null. Answered from a cache kept for a day. Needs any member's token; the server's "
            "TMDB key stays on the server. Without a key configured: 503 "
            f"`tmdb_not_configured` ({TMDB_NOT_CONFIGURED})"
        ),
        responses={
            200: OpenApiResponse(
                WatchProvidersAnswerSerializer,
                description="The region and its services.",
                examples=[OpenApiExample("GB", value=_PROVIDERS_EXAMPLE, response_only=True)],
            ),
            401: UNAUTHORIZED,
            403: _SCREEN_REFUSED,
            503: _TMDB_DOWN,
        },
        tags=["metadata"],
    )
    async def get(self, request: Request) -> Response:
        request_member(request)
        client = _configured()
        providers = await _ask(client.providers_all)
        return Response({"region": client.region, "providers": providers})


def _enrichable(item_id: str, member: Member) -> QueueItem:
    item = item_get(item_id)
    if item.room_id != member.room_id:
        raise Forbidden(OTHER_ROOM)
    require_open(item.room)
    if item.status == ItemStatus.WATCHED:
        raise Conflict(ALREADY_WATCHED, code="already_watched")
    return item


class EnrichView(APIView):
    @extend_schema(
        operation_id="queue_enrich",
        summary="Fetch an item's metadata from TMDB now",
        description=(
            "Asks TMDB about the item (by its `tmdb_id`, or by a title that names one film or "
            "show unambiguously) and answers the item as it then is: poster and backdrop, year, "
            "runtime, genres, overview, and `providers`, where it streams, rents or buys in "
            "`TMDB_REGION`. Items added while TMDB is configured are enriched like this in the "
            "background. The outcome is in `enrichment`: `enriched`, `unmatched` (no single "
            "match for the title, with why in `enrichment_error`) or `failed`. If TMDB's id makes "
            "the item a duplicate of another open one, a queued item is merged into that one "
            "(its votes move over where the voter has none there) and the answer is that item. "
            "The room sees every step as a `queue_update`."
        ),
        request=None,
        responses={
            200: OpenApiResponse(
                QueueItemSerializer,
                description="TMDB answered; the item, or the one it was merged into.",
            ),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: error("No item with this id.", "not_found", ITEM_NOT_FOUND),
            409: conflict(CLOSED, ("already_watched", ALREADY_WATCHED)),
            503: _unavailable(
                "TMDB is not configured (`tmdb_not_configured`), refused the key "
                "(`tmdb_refused_key`) or did not answer (`tmdb_unavailable`); the last two come "
                "with the `item` as recorded, and Retry-After.",
                "tmdb_not_configured",
                "tmdb_refused_key",
                "tmdb_unavailable",
            ),
        },
        tags=["queue"],
    )
    async def post(self, request: Request, item_id: str) -> Response:
        """Fetch an item's metadata from TMDB now, and answer with the item as it then is.

        200 whenever TMDB answered, with the outcome in the item's `enrichment` (a match that
        made it another item's duplicate answers that other item, which it was merged into); 503
        when TMDB did not answer or refused the key, with the failure recorded on the item too.
        """
        member = request_member(request)
        item = await sync_to_async(_enrichable)(item_id, member)
        if not enrichment.enrichment_enabled():
            raise _not_configured()
        item = await sync_to_async(enrichment.enrichment_start)(item.pk)
        if item is None:
            raise NotFound(ITEM_GONE)
        fetch = sync_to_async(enrichment.enrichment_fetch, thread_sensitive=False)
        outcome = await fetch(item, tmdb())
        asked = {"requested_at": item.enrichment_at}
        if outcome.details is not None:
            apply = sync_to_async(enrichment.enrichment_apply)
            result = await apply(item.pk, outcome.details, **asked)
        else:
            fail = sync_to_async(enrichment.enrichment_fail)
            result = await fail(item.pk, outcome.status, outcome.error, **asked)
        if result is None:
            raise NotFound(ITEM_GONE)
        body = QueueItemSerializer(result).data
        if outcome.code in ("tmdb_unavailable", "tmdb_refused_key"):
            raise Unavailable(outcome.error, code=outcome.code, item=body, retry_after=RETRY_AFTER)
        return Response(body)
