"""Rate limit on failed join attempts, per client address.

A join code is a room's only secret, so guessing codes (or a taken user_id) is throttled: after
`JOIN_FAILURE_RATE` failures in a window, every join attempt from that address gets 429 until
the window ends. The counter lives in Django's cache, which is per process on SQLite (one server
process) and shared through MongoDB when scaled out.
"""

import time

from django.conf import settings
from django.core.cache import cache

from watchqueue_site.errors import RateLimited

TOO_MANY_FAILURES = "Too many failed join attempts from your address. Try again later."


def _window() -> tuple[int, int, int]:
    limit, period = settings.JOIN_FAILURE_RATE
    now = int(time.time())
    start = now - now % period
    return limit, start, start + period - now


def _key(address: str, start: int) -> str:
    return f"join-failures:{address}:{start}"


def join_check(address: str) -> None:
    limit, start, remaining = _window()
    if cache.get(_key(address, start), 0) >= limit:
        raise RateLimited(TOO_MANY_FAILURES, retry_after=max(1, remaining))


def join_failed(address: str) -> None:
    _, start, remaining = _window()
    key = _key(address, start)
    if not cache.add(key, 1, timeout=remaining + 1):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=remaining + 1)
