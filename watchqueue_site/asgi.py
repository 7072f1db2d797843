"""The ASGI application daphne serves: HTTP (the site, the API, SSE) and the rooms' WebSocket."""

import gc
import os
from functools import lru_cache

import django
from asgiref.sync import iscoroutinefunction, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.test.utils import override_settings
from django.urls import Resolver404, resolve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchqueue_site.settings")

# Django must be set up before the consumers (and the models they import) are loaded.
django.setup(set_prefix=False)


class AsyncViewsHandler(ASGIHandler):
    """Django's async chain for the async views, without WhiteNoise.

    WhiteNoise is sync-only, and a sync middleware around an async view waits for the whole
    view on the sync thread. Static files never reach an async view, so it is left out here.
    """

    def load_middleware(self, is_async: bool = False) -> None:
        middleware = [m for m in settings.MIDDLEWARE if not m.startswith("whitenoise.")]
        with override_settings(MIDDLEWARE=middleware):
            super().load_middleware(is_async=True)


class OneThreadASGIHandler(ASGIHandler):
    """Django's ASGI handler, running every request's sync code on one long-lived thread, in
    one hop.

    Django's own handler gives each request a fresh thread for its sync parts (middleware,
    views, the ORM). Starting that thread blocks the event loop until the new thread gets the
    GIL, which under load delays every WebSocket delivery; and concurrent request threads
    writing to SQLite wait on each other's write lock in the busy handler's sleeps of 1 to
    100 ms. It also runs a sync middleware chain in async mode, hopping from the thread to the
    event loop and back to reach a sync view.

    Here the middleware chain is the sync one WSGI uses, entered once per request on the one
    thread that the WebSocket consumers' database calls use too. The requests' sync parts run
    one after another, so sync code must not wait on the network.

    An async view (the SSE streams, and the views that wait on TMDB) goes through Django's own
    async chain instead, on the event loop: run from the sync chain, the one thread would wait
    for the whole view, TMDB's answer included, and every other request with it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.async_views = AsyncViewsHandler()

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        if _is_async_view(request.path_info):
            return await self.async_views.get_response_async(request)
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)

    async def __call__(self, scope, receive, send):
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


django_application = OneThreadASGIHandler()

from channels.auth import CookieMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from realtime.jobs import ticker  # noqa: E402
from realtime.origin import browser_origin_validator  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

protocols = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": browser_origin_validator(CookieMiddleware(URLRouter(websocket_urlpatterns))),
    }
)


async def application(scope, receive, send):
    """The app, starting this process's time-driven jobs when it serves its first connection."""
    ticker.start()
    return await protocols(scope, receive, send)


# Tune the garbage collector for a server holding many long-lived connections. Everything
# loaded so far (Django, the apps, their modules) lives as long as the process: frozen, it is
# no longer walked by every full collection. A larger first generation makes collections
# rarer, so fewer objects that are merely in flight get promoted to the old generation, whose
# growth is what triggers the full collections that walk every open connection's objects and
# stall the event loop. Measured with bench/realtime.py: see the README.
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 10, 10)
