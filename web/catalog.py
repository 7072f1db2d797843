"""The scripts' words: Django's JavaScript catalog for one language, at an address of its own.

The language is in the address, not taken from the request, so that a browser and the service
worker may keep each language's catalog for as long as the assets' version stays the same.
Only the project's own catalog is sent (locale/), not those of Django's admin: a phone loads
it on every first visit.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog


class ProjectCatalog(JavaScriptCatalog):
    def get_paths(self, packages: list[str]) -> list[str]:
        return [str(path) for path in settings.LOCALE_PATHS]


_catalog = ProjectCatalog.as_view(packages=["web"])


@require_GET
def javascript_catalog(request: HttpRequest, language: str) -> HttpResponse:
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    with translation.override(language):
        response = _catalog(request)
    # The address carries the assets' version (web.assets.version, which covers locale/ too).
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
