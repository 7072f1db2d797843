"""The ASGI application daphne serves: HTTP (the site, the API, SSE) and the rooms' WebSocket.

HTTP goes through the speed-ups' one-thread handler (`watchqueue_site.speedups.asgi`), or with
`SPEEDUPS` off through Django's own `ASGIHandler`.
"""

import os

import django
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchqueue_site.settings")

# Django must be set up before the consumers (and the models they import) are loaded.
django.setup(set_prefix=False)

from channels.auth import CookieMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from realtime.jobs import ticker  # noqa: E402
from realtime.origin import browser_origin_validator  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402
from watchqueue_site.logs import redact_access_log  # noqa: E402
from watchqueue_site.speedups import gc as collector  # noqa: E402
from watchqueue_site.speedups.asgi import OneThreadASGIHandler  # noqa: E402


def server_started() -> None:
    """What a serving process does once, when it starts serving: called before its first
    request or WebSocket is handled, inside the running event loop. It tunes the collector
    (a speed-up) and starts the tick of the time-driven jobs (`realtime.jobs`).

    Not on import, because `manage.py` commands and the tests import this module too, and an
    imported module must not change the process it is imported into.
    """
    if settings.SPEEDUPS:
        collector.tune()
    ticker.start()


class _ServerStarts:
    """Calls `server_started` before the first HTTP request or WebSocket, then only passes on."""

    def __init__(self, app) -> None:
        self.app = app
        self.started = False

    async def __call__(self, scope: dict, receive, send) -> None:
        # No await between the test and the set: the event loop runs nothing else in between.
        if not self.started and scope["type"] in ("http", "websocket"):
            self.started = True
            server_started()
        await self.app(scope, receive, send)


# Before daphne writes its first access log line: a `?token=` in a path is written redacted.
redact_access_log()

django_application = OneThreadASGIHandler() if settings.SPEEDUPS else ASGIHandler()

protocols = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": browser_origin_validator(CookieMiddleware(URLRouter(websocket_urlpatterns))),
    }
)

application = _ServerStarts(protocols)
