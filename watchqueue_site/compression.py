"""The API's JSON answers to reads, gzipped for a client that accepts it.

A phone opening a room of 40 films reads its snapshot: 73 KiB of JSON, 7 KiB gzipped
(bench/pages.py). Static files come compressed already (watchqueue_site/staticfiles.py).

Only reads (GET) are compressed. A compressed answer's size can give away a secret in it to
someone who can both put text of their own into that answer and watch its size on the wire
(BREACH): the answers that hold a token are all to writes (creating or joining a room, opening
a screen, signing out others), and the pages, which hold a member's token beside names other
members chose, are HTML and stay as they are. Nor are streams compressed: a compressor holds
back what it is given, and an event must go out at once.
"""

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware


def compressible(request: HttpRequest, response: HttpResponseBase) -> bool:
    media_type = response.get("Content-Type", "").partition(";")[0].strip().lower()
    is_json = media_type == "application/json" or media_type.endswith("+json")
    return request.method == "GET" and not response.streaming and is_json


class CompressJSONMiddleware:
    """Django's gzip middleware for JSON reads only, in the sync and the async chain alike; in
    the async one it compresses on the event loop rather than hopping to a thread (the async
    chain's answers are small: TMDB's suggestions; the streams are left alone)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        self.gzip = GZipMiddleware(get_response)
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.async_mode:
            return self._acall(request)
        return self.compressed(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        return self.compressed(request, await self.get_response(request))

    def compressed(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not compressible(request, response):
            return response
        # Adds `Vary: Accept-Encoding`, and compresses only for a client that accepts gzip.
        return self.gzip.process_response(request, response)
