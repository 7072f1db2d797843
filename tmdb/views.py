"""The endpoints that wait on TMDB: `GET /api/search` and `POST /api/queue/{id}/enrich`.

Both are async views, so the call to TMDB waits in a worker thread, never on the thread that
serves the app's synchronous code. Search answers are kept for a few minutes: people type the
same prefixes. The key stays on the server.
"""

import threading
import time
from collections import OrderedDict
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from queues.models import ItemStatus
from queues.serializers import QueueItemSerializer
from queues.services import ALREADY_WATCHED, item_get
from rooms.auth import (
    INVALID_TOKEN,
    OTHER_ROOM,
    SCREEN_READS_ONLY,
    TOKEN_REQUIRED,
    bearer_token,
    stream_token,
)
from rooms.models import Member
from rooms.services import require_open
from rooms.tokens import Screen, reader_from_token
from tmdb import enrichment
from tmdb.client import MEDIA_TYPES, TMDBAuthError, TMDBError, tmdb
from watchqueue_site.api import error_body
from watchqueue_site.errors import Conflict, Forbidden, ServiceError

QUERY_MAX = 100
CACHE_SECONDS = 300
CACHE_SIZE = 512

TMDB_NOT_CONFIGURED = (
    "TMDB metadata is not configured: set TMDB_API_KEY (a v3 API key or a v4 read access "
    "token from themoviedb.org) in the environment or .env, and restart the server."
)
TMDB_REFUSED_KEY = "TMDB refused the server's key: check TMDB_API_KEY."
ITEM_GONE = "The item was removed while TMDB was asked."
QUERY_REQUIRED = "Give a search text of 1 to 100 characters."
TYPE_INVALID = "Must be movie or tv."

_answers: OrderedDict[tuple[str, str | None], tuple[float, list]] = OrderedDict()
_answers_lock = threading.Lock()


def _remembered(key: tuple[str, str | None]) -> list | None:
    with _answers_lock:
        entry = _answers.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        _answers.move_to_end(key)
        return entry[1]


def _remember(key: tuple[str, str | None], results: list) -> None:
    with _answers_lock:
        _answers[key] = (time.monotonic() + CACHE_SECONDS, results)
        _answers.move_to_end(key)
        while len(_answers) > CACHE_SIZE:
            _answers.popitem(last=False)


def _refusal(status: int, code: str, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse(error_body(code, detail, **extra), status=status)


def _wrong_method(request: HttpRequest, allowed: str) -> JsonResponse:
    response = _refusal(405, "method_not_allowed", f'Method "{request.method}" not allowed.')
    response["Allow"] = allowed
    return response


async def _member(token: str | None) -> Member | JsonResponse:
    """The token's member, or the 401 (or, for a screen's token, 403) to answer."""
    reader = await sync_to_async(reader_from_token)(token) if token else None
    if isinstance(reader, Member):
        return reader
    if isinstance(reader, Screen):
        return _refusal(403, "forbidden", SCREEN_READS_ONLY)
    if token is None:
        response = _refusal(401, "not_authenticated", TOKEN_REQUIRED)
    else:
        response = _refusal(401, "invalid_token", INVALID_TOKEN)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


async def search(request: HttpRequest) -> JsonResponse:
    if request.method != "GET":
        return _wrong_method(request, "GET")
    member = await _member(stream_token(request))
    if isinstance(member, JsonResponse):
        return member
    query = " ".join(request.GET.get("q", "").split())
    kind = request.GET.get("type") or None
    fields = {}
    if not 0 < len(query) <= QUERY_MAX:
        fields["q"] = [QUERY_REQUIRED]
    if kind is not None and kind not in MEDIA_TYPES:
        fields["type"] = [TYPE_INVALID]
    if fields:
        return _refusal(400, "invalid", "The search is not valid.", fields=fields)
    if not settings.TMDB_API_KEY:
        return _refusal(503, "tmdb_not_configured", TMDB_NOT_CONFIGURED)
    key = (query.casefold(), kind)
    results = _remembered(key)
    if results is None:
        try:
            results = await sync_to_async(tmdb().search, thread_sensitive=False)(query, kind)
        except TMDBAuthError:
            return _refusal(503, "tmdb_refused_key", TMDB_REFUSED_KEY)
        except TMDBError as error:
            response = _refusal(503, "tmdb_unavailable", str(error))
            response["Retry-After"] = "30"
            return response
        _remember(key, results)
    return JsonResponse({"query": query, "type": kind, "results": results})


def _enrichable(item_id: str, member: Member):
    item = item_get(item_id)
    if item.room_id != member.room_id:
        raise Forbidden(OTHER_ROOM)
    require_open(item.room)
    if item.status == ItemStatus.WATCHED:
        raise Conflict(ALREADY_WATCHED, code="already_watched")
    return item


# Authenticated by the Authorization header alone, never a cookie, so there is no forged
# cross-site request to guard against (as with DRF's views).
@csrf_exempt
async def enrich(request: HttpRequest, item_id: str) -> JsonResponse:
    """Fetch an item's metadata from TMDB now, and answer with the item as it then is.

    200 whenever TMDB answered, with the outcome in the item's `enrichment` (a match that
    made it another item's duplicate answers that other item, which it was merged into); 503
    when TMDB did not answer or refused the key, with the failure recorded on the item too.
    """
    if request.method != "POST":
        return _wrong_method(request, "POST")
    member = await _member(bearer_token(request))
    if isinstance(member, JsonResponse):
        return member
    try:
        item = await sync_to_async(_enrichable)(item_id, member)
    except ServiceError as error:
        return _refusal(error.status_code, error.code, error.message, **error.extra)
    if not enrichment.enrichment_enabled():
        return _refusal(503, "tmdb_not_configured", TMDB_NOT_CONFIGURED)
    item = await sync_to_async(enrichment.enrichment_start)(item.pk)
    if item is None:
        return _refusal(404, "not_found", ITEM_GONE)
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
        return _refusal(404, "not_found", ITEM_GONE)
    body = QueueItemSerializer(result).data
    if outcome.code in ("tmdb_unavailable", "tmdb_refused_key"):
        response = _refusal(503, outcome.code, outcome.error, item=body)
        response["Retry-After"] = "30"
        return response
    return JsonResponse(body)
