"""Read settings from the environment, refusing values that make no sense.

Each helper raises ``ImproperlyConfigured`` naming the variable, so a typo in `.env` stops the
server at start-up instead of surfacing later as odd behaviour.
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")
_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def envint(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and at most {maximum}"
        raise ImproperlyConfigured(f"{name} must be at least {minimum}{upper}, not {value}")
    return value


def envlist(name: str, default: str) -> list[str]:
    return [part.strip() for part in envstr(name, default).split(",") if part.strip()]


def envrate(name: str, default: str) -> tuple[int, int]:
    """Parse a rate such as ``20/minute`` into ``(count, seconds)``."""
    raw = envstr(name, default)
    match = _RATE.match(raw.lower())
    if not match or int(match.group(1)) < 1:
        raise ImproperlyConfigured(f"{name} must look like '20/minute', not {raw!r}")
    return int(match.group(1)), _PERIODS[match.group(2)]
