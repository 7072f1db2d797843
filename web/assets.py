"""The version of the site's own scripts, styles and icons, for cache-busting and the service
worker's cache name.

Every asset URL carries `?v=<version>`, so a browser or the service worker may keep an asset for
as long as it likes: a change to any file makes a new version, new URLs and a new cache.
"""

import hashlib
from functools import cache
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
ROOT = STATIC / "web"
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
    """Every asset of the site's shell, as URL paths relative to STATIC_URL."""
    return sorted(
        str(path.relative_to(STATIC))
        for path in ROOT.rglob("*")
        if path.is_file() and path.suffix in {".css", ".js", ".svg", ".png"}
    )
