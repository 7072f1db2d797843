"""WatchQueue settings: one module, configured through environment variables.

A `.env` file beside `manage.py` is read when present; real environment variables win over it.
With no `MONGODB_URL` the app runs on an embedded SQLite file that needs no set-up; with one, it
runs on a MongoDB replica set through django-mongodb-backend.
"""

import os
import re
import secrets
from contextlib import suppress
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from watchqueue_site.env import envbool, envint, envlist, envrate, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env", override=False)

DATA_DIR = Path(envstr("DATA_DIR", str(BASE_DIR / "data")))
MONGODB_URL = envstr("MONGODB_URL")
MONGODB_DATABASE = envstr("MONGODB_DATABASE", "watchqueue")
USE_MONGODB = bool(MONGODB_URL)

DEBUG = envbool("DEBUG", False)
# The code that exists only for speed (watchqueue_site/speedups/); off, Django's stock path.
SPEEDUPS = envbool("SPEEDUPS", True)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "*")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# Behind https (README, "Security"): all off by default, for the embedded run on plain http.
# A proxy that ends TLS says so in a header; name it only when the proxy always sets it, or a
# client could claim https itself.
_PROXY_SSL_HEADER = envstr("SECURE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https") if _PROXY_SSL_HEADER else None
)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", False)
# How long a browser keeps its token for a room (the `wq_<room_id>` cookie the server sets).
TOKEN_COOKIE_DAYS = envint("TOKEN_COOKIE_DAYS", 30, minimum=1, maximum=400)


def _secret_key() -> str:
    """The configured key, or one generated once and kept under the data folder.

    The embedded run must start with no set-up, yet tokens must survive a restart. A scaled-out
    deployment runs several processes that must share one key, so there it has to be configured,
    as SECRET_KEY or as a file named by SECRET_KEY_FILE.
    """
    configured = envstr("SECRET_KEY")
    if configured:
        return configured
    # A file every process reads alike: what the compose file's processes share.
    if key_path := envstr("SECRET_KEY_FILE"):
        key = Path(key_path).read_text().strip() if Path(key_path).is_file() else ""
        if not key:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE {key_path} is missing or empty")
        return key
    if USE_MONGODB:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when MONGODB_URL is set"
        )
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def private_database(path: Path) -> None:
    """Make the embedded database's folder (0700) and file (0600) private to this user.

    SQLite creates its file, and then its write-ahead log and shared-memory files with the
    file's own mode, under the process's umask, which usually lets everyone read them: every
    room, member and token-bearing event. So the file is created empty here first (an empty file
    is a valid database), and a file or folder this user owns that others can read is
    tightened. A folder made by someone else is left as it is.
    """
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid == os.getuid() and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with suppress(FileNotFoundError):
            if part.stat().st_uid == os.getuid() and part.stat().st_mode & 0o077:
                part.chmod(0o600)


INSTALLED_APPS = [
    "daphne",
    "watchqueue_site.apps.WatchQueueAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "watchqueue_site",
    "rooms",
    "queues",
    "voting",
    "tonight",
    "selection",
    "history",
    "tmdb",
    "realtime",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the others, so that it compresses what they leave of an answer.
    "watchqueue_site.compression.CompressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of the browser (Accept-Language), or the one picked in the menu (a cookie).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last rather than first: WhiteNoise's own middleware is sync-only, and placed first it makes
    # Django's own handler run every middleware below it in async mode, each hopping to a thread
    # and back; a sequential vote over HTTP took 25 ms there, 19 with it last. The speed-ups'
    # stand-in works in an async chain too (watchqueue_site/speedups/static.py).
    (
        "watchqueue_site.speedups.static.WhiteNoiseMiddleware"
        if SPEEDUPS
        else "whitenoise.middleware.WhiteNoiseMiddleware"
    ),
]

ROOT_URLCONF = "watchqueue_site.urls"
# JSON under /api/, Django's page elsewhere.
CSRF_FAILURE_VIEW = "watchqueue_site.api.csrf_failure"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

ASGI_APPLICATION = "watchqueue_site.asgi.application"
WSGI_APPLICATION = None

if USE_MONGODB:
    DATABASES = {
        "default": {
            "ENGINE": "django_mongodb_backend",
            "HOST": MONGODB_URL,
            "NAME": MONGODB_DATABASE,
            "OPTIONS": {"w": "majority", "retryWrites": True},
            "TEST": {"NAME": f"{MONGODB_DATABASE}_test"},
        }
    }
    INSTALLED_APPS.insert(0, "django_mongodb_backend")
    DEFAULT_AUTO_FIELD = "django_mongodb_backend.fields.ObjectIdAutoField"
    # Django's own apps ship migrations for SQL primary keys; MongoDB gets its own set.
    MIGRATION_MODULES = {
        "admin": "mongo_migrations.admin",
        "auth": "mongo_migrations.auth",
        "contenttypes": "mongo_migrations.contenttypes",
    }
else:
    SQLITE_PATH = Path(envstr("SQLITE_PATH", str(DATA_DIR / "watchqueue.sqlite3")))
    private_database(SQLITE_PATH)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            # A speed-up: with every request's sync code on one long-lived thread
            # (watchqueue_site/speedups/asgi.py), that thread's connection stays open between
            # requests. Opening one runs the PRAGMAs, and closing the last one checkpoints the
            # write-ahead log and deletes it. Off, Django's own handler runs each request in a
            # thread of its own, where a connection kept open would be left behind by every
            # request, so each request opens and closes its own. It replaced a pool of closed
            # connections, which did no better: bench/rest.py, 20 connections, 3 rounds of 20 s
            # on 2 busy cores, 237.5 votes/s, p50 84 ms, p99 123 ms here, 240.0 votes/s, p50
            # 83 ms, p99 115 ms with the pool; one connection at a time, p50 3.8 ms both.
            "CONN_MAX_AGE": None if SPEEDUPS else 0,
            "CONN_HEALTH_CHECKS": SPEEDUPS,
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two writers queue
                # behind the busy timeout instead of one failing with "database is locked" when
                # it upgrades a read lock half-way through.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            # Tests use a file too: WAL and the busy timeout only apply to a real file, and the
            # concurrency tests run real threads on real connections.
            "TEST": {"NAME": str(SQLITE_PATH.with_name("test_" + SQLITE_PATH.name))},
        }
    }
    DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages the site speaks; anything else falls back to English.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The menu's language switch sets this cookie (django.views.i18n.set_language); a year, as a
# choice made once on a phone should outlive the evening.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `manage.py collectstatic` puts the files the server serves; scripts/start.sh and the
# Dockerfile run it. Collected, each file has its content's hash in its name and compressed
# copies beside it (watchqueue_site/staticfiles.py); with DEBUG off the server needs them.
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "watchqueue_site.staticfiles.StaticFilesStorage"},
}
# WhiteNoise serves the collected files only: a file found in an app's folder would take the
# place of the collected one, and with it its compressed copies and its long cache life. In
# DEBUG it serves the apps' folders as they change, under plain names.
WHITENOISE_USE_FINDERS = DEBUG

# Request bodies are small JSON documents; anything larger is refused before it is read
# (realtime/daphne_requests.py), and by Django before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("REQUEST_MAX_BYTES", 64 * 1024, minimum=1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rooms.auth.MemberTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rooms.auth.TokenRequired"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["watchqueue_site.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "watchqueue_site.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "WatchQueue API",
    "DESCRIPTION": (
        "Decide what to watch with friends: rooms with join codes, a shared queue, live voting, "
        "fair selection and watch history. Send the member token from creating or joining a "
        "room as `Authorization: Bearer <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "TAGS": [
        {"name": "rooms", "description": "Rooms, join codes, members and their tokens."},
        {"name": "queue", "description": "The shared queue, picks and what is on now."},
        {"name": "votes", "description": "Votes on queue items and timed voting rounds."},
        {"name": "history", "description": "What the room watched, with ratings and notes."},
        {"name": "real time", "description": "Server-Sent Events streams of a room's changes."},
        {"name": "metadata", "description": "Movie and show metadata from TMDB."},
    ],
    "SCHEMA_PATH_PREFIX": "/api",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "watchqueue_site.schema.state_limits",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SelectionModeEnum": "rooms.models.SelectionMode.choices",
        "QueueItemStatusEnum": "queues.models.ItemStatus.choices",
        "VoteValueEnum": "voting.models.VoteValue.choices",
        # Rooms and voting rounds share the open/closed pair.
        "OpenClosedEnum": "rooms.models.RoomStatus.choices",
    },
}

# No CHANNEL_LAYERS: events reach each process's clients through its change feed
# (realtime.feed), so consumers need no channel, and no task waits on one per connection.

# The address daphne listens on, as scripts/start.sh passes its HOST: it tells the join link
# whether the phones on the network can reach this server (web/invite.py). Empty: found by trying.
LISTEN_ADDRESS = envstr("LISTEN_ADDRESS")
if LISTEN_ADDRESS and not re.fullmatch(r"[\w.:\[\]-]+", LISTEN_ADDRESS):
    raise ImproperlyConfigured(
        f"LISTEN_ADDRESS must be an address or a host name, not {LISTEN_ADDRESS!r}"
    )

# Product settings.
TMDB_API_KEY = envstr("TMDB_API_KEY")
TMDB_API_URL = envstr("TMDB_API_URL", "https://api.themoviedb.org/3")
# Empty: TMDB answers in the language of whoever asks (a search), or of whoever added the item
# (its details). Set (such as en-US), it wins for everyone.
TMDB_LANGUAGE = envstr("TMDB_LANGUAGE")
TMDB_REGION = envstr("TMDB_REGION", "US")
TMDB_TIMEOUT_SECONDS = envint("TMDB_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)
WS_HEARTBEAT_INTERVAL = envint("WS_HEARTBEAT_INTERVAL", 30, minimum=1)
SSE_KEEPALIVE_SECONDS = envint("SSE_KEEPALIVE_SECONDS", 15, minimum=1)
EVENT_RETENTION_SECONDS = envint("EVENT_RETENTION_SECONDS", 24 * 3600, minimum=60)

# Limits (README, "Security"). Rates are sliding windows per client address (an IPv6 /64).
JOIN_FAILURE_RATE = envrate("JOIN_FAILURE_RATE", "20/minute")
ROOM_CREATE_RATE = envrate("ROOM_CREATE_RATE", "20/hour")
ADMIN_LOGIN_FAILURE_RATE = envrate("ADMIN_LOGIN_FAILURE_RATE", "10/hour")
ROOM_MEMBERS_MAX = envint("ROOM_MEMBERS_MAX", 50, minimum=1, maximum=1000)
ROOM_ITEMS_MAX = envint("ROOM_ITEMS_MAX", 200, minimum=1, maximum=10000)
ROOM_SCREENS_MAX = envint("ROOM_SCREENS_MAX", 20, minimum=1, maximum=1000)
PICK_RATE = envrate("PICK_RATE", "10/minute")
# How strongly weighted draws follow the votes (README, "Selection modes"): k in
# weight = e^(k x (up - down) / attendees).
PICK_DRAW_STRENGTH = envint("PICK_DRAW_STRENGTH", 4, minimum=0, maximum=8)
WS_MESSAGE_MAX_BYTES = envint("WS_MESSAGE_MAX_BYTES", 16 * 1024, minimum=1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "watchqueue_site.logs.RedactTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO").upper()},
}
