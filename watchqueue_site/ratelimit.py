"""A sliding-window rate limiter kept in the database, keyed by client address.

Each counted attempt is a row (`RateLimitHit`); a limit of N per period refuses once N attempts
fall within the last period, whenever they happened in it. A fixed window let 2N through
around its boundary (40 wrong join codes in 5 s across a minute's turn); this one never lets
more than N through in any period. Rows live in the database, so the limit holds across every
server process, and are deleted once no period can count them.

Addresses are keyed as a network hands them out: an IPv4 address alone, an IPv6 address by its
/64 (one subscriber's whole network, where a client picks any address it likes), and an
IPv4-mapped IPv6 address as the IPv4 address it is.
"""

import ipaddress
import math
import time

from watchqueue_site.errors import RateLimited
from watchqueue_site.models import RateLimitHit

# The longest period a rate can name (`envrate`: "…/day"); older rows count for nothing.
LONGEST_PERIOD = 86400


def address_key(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _key(scope: str, address: str) -> str:
    return f"{scope}:{address_key(address)}"


def retry_after(scope: str, address: str, rate: tuple[int, int]) -> int | None:
    """Seconds until another attempt is allowed, or None when one is allowed now."""
    limit, period = rate
    now = time.time()
    hits = list(
        RateLimitHit.objects.filter(key=_key(scope, address), at__gt=now - period)
        .order_by("at")
        .values_list("at", flat=True)
    )
    if len(hits) < limit:
        return None
    # Allowed again once enough of the window's hits have aged out to leave room for one.
    return max(1, math.ceil(hits[len(hits) - limit] + period - now))


def check(scope: str, address: str, rate: tuple[int, int], message: str) -> None:
    """Refuse (429 with Retry-After) once `rate` attempts fall within its period."""
    if (wait := retry_after(scope, address, rate)) is not None:
        raise RateLimited(message, retry_after=wait)


def hit(scope: str, address: str) -> RateLimitHit:
    """Count one attempt."""
    now = time.time()
    counted = RateLimitHit.objects.create(key=_key(scope, address), at=now)
    RateLimitHit.objects.filter(at__lt=now - LONGEST_PERIOD).delete()
    return counted


def take(scope: str, address: str, rate: tuple[int, int], message: str) -> None:
    """Count one attempt, or refuse it when the budget is spent.

    Counted first and checked after, so two attempts racing for the last place cannot both
    get it: the loser's count is taken back and it is refused.
    """
    counted = hit(scope, address)
    try:
        check(scope, address, (rate[0] + 1, rate[1]), message)
    except RateLimited:
        counted.delete()
        raise
