"""How `collectstatic` stores the site's static files, for WhiteNoise to serve.

Each file is stored twice: under its own name and under one with its content's hash in it
(`app.3f2a9c0e1b7d.css`), with gzip and brotli copies beside both. Pages name the hashed file
(`{% static %}`), so a browser may keep it for a year (WhiteNoise says so for hashed names)
and a changed file is a new URL; WhiteNoise sends the compressed copy the browser accepts.

The app's scripts are JavaScript modules that import each other by relative path
(`import { api } from "./api.js";`). Collected, those imports name the hashed files too, so
a module never loads an older or uncached copy of another. A module's hash covers the hashed
names it imports, so each pass over the files settles one more level of a chain of imports;
two modules that import each other could never settle, and `collectstatic` fails on them.
"""

import brotli
from whitenoise.compress import Compressor as WhiteNoiseCompressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Brotli's best quality (11) takes 7 s on the API docs' 1.5 MB bundle, quality 9 0.2 s for a
# copy 9% larger; the app's own files are far below this size.
BEST_QUALITY_UP_TO = 256 * 1024


class Compressor(WhiteNoiseCompressor):
    # Source maps too are left alone: only a developer's tools fetch them.
    SKIP_COMPRESS_EXTENSIONS = (*WhiteNoiseCompressor.SKIP_COMPRESS_EXTENSIONS, "map")

    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        return brotli.compress(data, quality=11 if len(data) <= BEST_QUALITY_UP_TO else 9)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    # Django's rewriting of `import … from "./x.js";` and `export … from "./x.js";`.
    support_js_module_import_aggregation = True
    # Django's 5 passes would fail a chain of imports deeper than that.
    max_post_process_passes = 20

    def create_compressor(self, **kwargs) -> Compressor:
        return Compressor(**kwargs)
