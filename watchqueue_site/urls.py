"""The site's routes: each app routes its own views, mounted here."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from realtime.health import health
from watchqueue_site.api import api_not_found
from watchqueue_site.schema import SchemaView

api_patterns = [
    path("", include("rooms.urls")),
    path("", include("queues.urls")),
    path("", include("voting.urls")),
    path("", include("tonight.urls")),
    path("", include("selection.urls")),
    path("", include("history.urls")),
    path("", include("tmdb.urls")),
    path("", include("realtime.urls")),
    path("schema/", SchemaView.as_view(), name="schema"),
]

urlpatterns = [
    path("", include("web.urls")),
    path("health", health, name="health"),
    path("api/", include(api_patterns)),
    # Anything else under /api/ is a JSON 404, never an HTML page.
    # [\s\S], not ".": a path with an encoded new line in it is still under /api/.
    re_path(r"^api(/[\s\S]*)?$", api_not_found),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
]

handler400 = "watchqueue_site.api.bad_request"
handler500 = "watchqueue_site.api.server_error"
