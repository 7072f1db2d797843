"""Answers to reads, compressed for a client that accepts it (brotli, else gzip): the API's JSON,
the pages, and the scripts the app renders itself (the language catalog, the service worker).

A phone opening a room of 40 films reads its snapshot: 73 KiB of JSON, 8 KiB gzipped; the room's
page is 22 KiB of HTML, 6 KiB gzipped (bench/pages.py). Brotli at quality 5 makes them about a
tenth smaller again, in less time than gzip (0.45 ms against 0.58 ms for 66 KiB of JSON). Static
files come compressed already (watchqueue_site/staticfiles.py).

Only reads (GET) are compressed. A compressed answer's size can give away a secret in it to
someone who can both put text of their own into that answer and watch its size on the wire
(BREACH). The answers that hold a token as it is are all to writes (creating or joining a room,
opening a screen, signing out others); a page holds its member's token beside names other
members chose, so it holds it masked with random bytes of its own each time (web/views.py), as
Django does its CSRF token. Nor are streams compressed: a compressor holds back what it is given,
and an event must go out at once.
"""

import re
from collections.abc import Awaitable, Callable

import brotli
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

COMPRESSED_TYPES = frozenset({"application/json", "text/html", "text/javascript"})
BROTLI_QUALITY = 5
# Not worth compressing below this, as Django's gzip middleware has it.
SMALLEST = 200
# "br", "br;q=0.8", but not "br;q=0".
_BROTLI = re.compile(r"(?:^|,)\s*br\s*(?:;\s*q\s*=\s*(?!0(?:\.0*)?\s*(?:,|$))[\d.]+\s*)?(?:,|$)")


def compressible(request: HttpRequest, response: HttpResponseBase) -> bool:
    media_type = response.get("Content-Type", "").partition(";")[0].strip().lower()
    known = media_type in COMPRESSED_TYPES or media_type.endswith("+json")
    return request.method == "GET" and not response.streaming and known


def accepts_brotli(request: HttpRequest) -> bool:
    return bool(_BROTLI.search(request.headers.get("Accept-Encoding", "").lower()))


class CompressMiddleware:
    """Brotli, or Django's gzip middleware, for reads of JSON, HTML and the rendered scripts,
    in the sync and the async chain alike; in the async one it compresses on the event loop
    rather than hopping to a thread (the async chain's answers are small: TMDB's suggestions;
    the streams are left alone)."""

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
        if accepts_brotli(request):
            return self.brotli(response)
        # Adds `Vary: Accept-Encoding`, and compresses only for a client that accepts gzip.
        return self.gzip.process_response(request, response)

    def brotli(self, response: HttpResponseBase) -> HttpResponseBase:
        """What the gzip middleware does, with brotli."""
        patch_vary_headers(response, ("Accept-Encoding",))
        if len(response.content) < SMALLEST or response.has_header("Content-Encoding"):
            return response
        compressed = brotli.compress(response.content, quality=BROTLI_QUALITY)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response["Content-Length"] = str(len(compressed))
        response["Content-Encoding"] = "br"
        # The same entity, compressed otherwise: a strong validator would no longer be true.
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response["ETag"] = "W/" + etag
        return response
