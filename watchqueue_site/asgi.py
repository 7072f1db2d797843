"""The ASGI application daphne serves: HTTP (the site, the API, SSE) and, later, WebSocket."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchqueue_site.settings")

application = get_asgi_application()
