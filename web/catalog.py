"""The scripts' words: Django's JavaScript catalog for one language, at an address of its own.

The language is in the address, not taken from the request, so that a browser and the service
worker may keep each language's catalog for as long as the assets' version stays the same.
Only the project's own catalog is sent (locale/), not those of Django's admin: a phone loads
it on every first visit. With it go the phrases (watchqueue_site.phrases) in that language, as
`django.phrases`, so that a pick's reasons, which every screen is sent alike, read in each
screen's language; not in English, which the server stores them in.
"""

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog

# The modules whose phrases the pages word: importing them registers them.
import selection.wording  # noqa: F401
import voting.services  # noqa: F401
from watchqueue_site.phrases import is_english, phrase_forms


class ProjectCatalog(JavaScriptCatalog):
    def get_paths(self, packages: list[str]) -> list[str]:
        return [str(path) for path in settings.LOCALE_PATHS]

    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        response = super().render_to_response(context, **response_kwargs)
        if not is_english():
            forms = json.dumps(phrase_forms(), ensure_ascii=False, separators=(",", ":"))
            response.content += f"globalThis.django.phrases = {forms};\n".encode()
        return response


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
