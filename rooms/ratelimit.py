"""Rate limits on guessing join codes and on creating rooms, per client address.

A join code is a room's only secret, so guessing codes (or a taken user_id) is throttled: once
`JOIN_FAILURE_RATE` failures fall within its period (a sliding window, see
`watchqueue_site.ratelimit`), every join, code lookup and screen from that address gets 429
until the oldest of them ages out. Creating rooms costs a budget of its own,
`ROOM_CREATE_RATE`.
"""

from django.conf import settings

from watchqueue_site import ratelimit

TOO_MANY_FAILURES = "Too many failed join attempts from your address. Try again later."
TOO_MANY_ROOMS = "Too many rooms created from your address. Try again later."


def join_check(address: str) -> None:
    ratelimit.check("join", address, settings.JOIN_FAILURE_RATE, TOO_MANY_FAILURES)


def join_failed(address: str) -> None:
    ratelimit.hit("join", address)


def room_create_take(address: str) -> None:
    ratelimit.take("room_create", address, settings.ROOM_CREATE_RATE, TOO_MANY_ROOMS)
