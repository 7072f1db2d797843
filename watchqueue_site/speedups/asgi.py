"""Django's ASGI handler, running every request's sync code on one long-lived thread, in one hop.

Django's own handler gives each request a fresh thread for its sync parts (middleware, views,
the ORM). Starting that thread blocks the event loop until the new thread gets the GIL, which
under load delays every WebSocket delivery; and concurrent request threads writing to SQLite
wait on each other's write lock in the busy handler's sleeps of 1 to 100 ms. It also runs a
sync middleware chain in async mode, hopping from the thread to the event loop and back to
reach a sync view.

Bought, with the SQLite connection it lets stay open and the other speed-ups (of which the
serializers are about 0.4 ms a vote), against `SPEEDUPS=false`, on a 2-core machine that also
runs the load: bench/rest.py, one vote at a time, p50 7.9 ms -> 3.8 ms and p99 35 -> 8.6 ms;
20 connections, 114 -> 225 votes/s and p99 3.0 s -> 122 ms. bench/realtime.py, 1,000 clients
at 100 votes/s: p99 to the room's last client 156-193 ms -> 15 ms. When it came in: at 60
votes/s a p50 of 456 ms -> 17 ms; at 100 votes/s, with the collector tuned and a leaner vote,
from falling behind (p50 5.2 s, p99 22 s) to a p99 of 24-38 ms.

Can go when Django's handler runs a request's sync code without a thread of its own per
request, or when the views and the ORM calls they make are async: compare with bench/rest.py
and bench/realtime.py, speed-ups on and off, before removing it.
"""

from functools import lru_cache

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, resolve


class OneThreadASGIHandler(ASGIHandler):
    """Here the middleware chain is the sync one WSGI uses, entered once per request on the one
    thread that the WebSocket consumers' database calls use too. The requests' sync parts run
    one after another, so sync code must not wait on the network.

    An async view (the SSE streams, and the views that wait on TMDB) goes through Django's own
    async chain instead, on the event loop: run from the sync chain, the one thread would wait
    for the whole view, TMDB's answer included, and every other request with it. That chain
    holds no sync middleware (`speedups.static` is WhiteNoise's async-capable stand-in), so
    nothing in it waits on the one thread for the view.
    """

    def __init__(self) -> None:
        super().__init__()
        self.async_views = ASGIHandler()

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        if _is_async_view(request.path_info):
            return await self.async_views.get_response_async(request)
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)

    async def __call__(self, scope: dict, receive, send) -> None:
        # Unlike Django's handler, no per-request thread context: `thread_sensitive` calls all
        # go to the one thread.
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP only, not {scope['type']}.")
        await self.handle(scope, receive, send)


@lru_cache(maxsize=4096)
def _is_async_view(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return iscoroutinefunction(match.func)
