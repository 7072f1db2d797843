"""The ASGI application daphne serves: HTTP (the site, the API, SSE) and the rooms' WebSocket."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchqueue_site.settings")

# Django must be set up before the consumers (and the models they import) are loaded.
django_application = get_asgi_application()

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
