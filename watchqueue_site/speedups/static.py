"""WhiteNoise that an async middleware chain can hold.

WhiteNoise's own middleware is sync-only. In an async chain Django wraps it in a thread and
runs everything below it, the view included, through that thread: an async view that waits
(TMDB search and enrichment) would hold the one thread that
`speedups.asgi` runs every request's sync code on, and every other request with it. This class
is the same middleware, usable in both chains: it answers from its table of files and, for
anything else, awaits the rest of the chain on the event loop.

Bought: the async views' chain runs on the event loop with no thread hop, so a slow TMDB holds
up no other request (tests/test_external_api.py shows it). Can go with `speedups.asgi`, or when
WhiteNoise's middleware is async-capable itself.
"""

from collections.abc import Awaitable
from inspect import isawaitable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from whitenoise import middleware


class WhiteNoiseMiddleware(middleware.WhiteNoiseMiddleware):
    sync_capable = True
    async_capable = True

    def __init__(self, get_response, *args, **kwargs) -> None:
        super().__init__(get_response, *args, **kwargs)
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.async_mode:
            return self._acall(request)
        return super().__call__(request)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        # WhiteNoise's own lookup (a dict lookup; a stat only with autorefresh, in DEBUG) either
        # serves the file or calls the async rest of the chain, which is awaited here.
        response = super().__call__(request)
        return await response if isawaitable(response) else response
