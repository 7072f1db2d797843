"""The site's own scripts, styles and icons: their URLs, the service worker's list of them, and
the version that names the worker's cache.

Collected (watchqueue_site/staticfiles.py), every file's URL has its content's hash in its
name, so a browser or the service worker may keep it for as long as it likes: a change to a file
makes a new URL, and a new version, so a new cache whose worker drops the old one.
"""

import hashlib
from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static

STATIC = Path(__file__).resolve().parent / "static"
ROOT = STATIC / "web"
NOT_COLLECTED = (
    "The static files are not collected (no {path} in the collected files' manifest): run "
    "`python manage.py collectstatic --noinput`, as scripts/start.sh does."
)


def url(path: str) -> str:
    """The URL of a static file, by its path relative to STATIC_URL (`web/app.css`)."""
    try:
        return static(path)
    except ValueError as error:
        # Django's manifest storage's own words are about its manifest, not what to do.
        raise ImproperlyConfigured(NOT_COLLECTED.format(path=path)) from error


# The translations: a changed word is a new version too, as the scripts' catalog is cached.
LOCALE = Path(__file__).resolve().parent.parent / "locale"


@cache
def version() -> str:
    digest = hashlib.sha256()
    for path in [*sorted(ROOT.rglob("*")), *sorted(LOCALE.rglob("*.mo"))]:
        if path.is_file():
            digest.update(str(path.relative_to(LOCALE.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def shell() -> list[str]:
    """The site's shell for the service worker, as paths relative to STATIC_URL: its styles,
    scripts and drawn icon. Not the PNG icons (144 KiB), which only a browser installing the app
    or a phone adding it to its home screen fetches, while online, nor the avatars' images, which
    a page fetches for the faces it shows (offline, a face it never showed falls back to its
    initial)."""
    return sorted(
        str(path.relative_to(STATIC))
        for path in ROOT.rglob("*")
        if path.is_file()
        and path.suffix in {".css", ".js", ".svg"}
        and "avatars" not in path.relative_to(ROOT).parts
    )
