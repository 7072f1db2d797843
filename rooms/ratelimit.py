"""Rate limit on failed join attempts, per client address.

A join code is a room's only secret, so guessing codes (or a taken user_id) is throttled: after
`JOIN_FAILURE_RATE` failures in a fixed window, every join attempt from that address gets 429
until the window ends. Counters live in the database, so the limit holds across processes.
"""

import time

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F

from rooms.models import JoinFailureCount
from watchqueue_site.errors import RateLimited

TOO_MANY_FAILURES = "Too many failed join attempts from your address. Try again later."


def _window() -> tuple[int, int, int]:
    """(limit, the current window's start, seconds until it ends)."""
    limit, period = settings.JOIN_FAILURE_RATE
    now = int(time.time())
    start = now - now % period
    return limit, start, start + period - now


def join_check(address: str) -> None:
    limit, start, remaining = _window()
    failures = JoinFailureCount.objects.filter(address=address, window_start=start)
    count = failures.values_list("count", flat=True).first() or 0
    if count >= limit:
        raise RateLimited(TOO_MANY_FAILURES, retry_after=max(1, remaining))


def join_failed(address: str) -> None:
    _, start, _ = _window()
    updated = JoinFailureCount.objects.filter(address=address, window_start=start).update(
        count=F("count") + 1
    )
    if updated:
        return
    try:
        JoinFailureCount.objects.create(address=address[:64], window_start=start)
    except IntegrityError:  # another request created this window's counter first
        JoinFailureCount.objects.filter(address=address, window_start=start).update(
            count=F("count") + 1
        )
    # Old windows are of no use; forget them while we are here.
    JoinFailureCount.objects.filter(window_start__lt=start).delete()
