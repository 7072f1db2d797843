"""`GET /api/search?q=…&type=`: TMDB's movies and shows for the UI's suggestions.

An async view, so the call to TMDB waits in a worker thread, never on the thread that serves
the app's synchronous code. Answers are kept for a few minutes: people type the same prefixes.
The key stays on the server.
"""

import threading
import time
from collections import OrderedDict
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, JsonResponse

from rooms.auth import INVALID_TOKEN, TOKEN_REQUIRED
from rooms.tokens import member_from_token
from tmdb.client import MEDIA_TYPES, TMDBAuthError, TMDBError, tmdb
from watchqueue_site.api import error_body

QUERY_MAX = 100
CACHE_SECONDS = 300
CACHE_SIZE = 512

TMDB_NOT_CONFIGURED = (
    "TMDB metadata is not configured: set TMDB_API_KEY (a v3 API key or a v4 read access "
    "token from themoviedb.org) in the environment or .env, and restart the server."
)
TMDB_REFUSED_KEY = "TMDB refused the server's key: check TMDB_API_KEY."
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


def _token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.GET.get("token") or None


def _refusal(status: int, code: str, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse(error_body(code, detail, **extra), status=status)


async def search(request: HttpRequest) -> JsonResponse:
    if request.method != "GET":
        response = _refusal(405, "method_not_allowed", f'Method "{request.method}" not allowed.')
        response["Allow"] = "GET"
        return response
    token = _token(request)
    if token is None:
        return _refusal(401, "not_authenticated", TOKEN_REQUIRED)
    if await sync_to_async(member_from_token)(token) is None:
        return _refusal(401, "invalid_token", INVALID_TOKEN)
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
