"""The ASGI application daphne serves: HTTP (the site, the API, SSE) and the rooms' WebSocket."""

import os

import django
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchqueue_site.settings")

# Django must be set up before the consumers (and the models they import) are loaded.
django.setup(set_prefix=False)


class OneThreadASGIHandler(ASGIHandler):
    """Django's ASGI handler, running every request's sync code on one long-lived thread.

    Django's own handler gives each request a fresh thread for its sync parts (middleware,
    views, the ORM). Starting that thread blocks the event loop until the new thread gets the
    GIL, which under load delays every WebSocket delivery; and concurrent request threads
    writing to SQLite wait on each other's write lock in the busy handler's sleeps of 1 to
    100 ms. On one thread, the requests' sync parts run one after another, as WebSocket
    consumers' database calls already do, and share that thread with them. The price is that
    sync code must not wait on the network: calls to outside services run elsewhere.
    """

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP only, not {scope['type']}.")
        await self.handle(scope, receive, send)


django_application = OneThreadASGIHandler()

from channels.auth import CookieMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from realtime.origin import browser_origin_validator  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": browser_origin_validator(CookieMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
