"""Tokens: signed statements "this is member M of room R, generation G", or "this is screen S
of room R".

A member token carries no expiry. It works while its member is present in the room and its
generation is the member's current `token_generation` (a token without one counts as
generation 0): a member who leaves or is removed, or who signs out their other devices (which
bumps the generation), leaves every older token dead.

A screen token is for the living-room TV: it reads everything a member reads and changes
nothing, and it appears nowhere in the room (not among the members, not in presence). Like a
join, it is had for the join code. It names a stored `RoomScreen`, which the host can list and
revoke; it works while that row exists.
"""

from dataclasses import dataclass

from django.core import signing

from rooms.models import Member, RoomScreen
from watchqueue_site.db import unique_row

_SALT = "watchqueue.member-token"
_SCREEN_SALT = "watchqueue.screen-token"


@dataclass(frozen=True)
class Screen:
    """The reader behind a screen token; stands in for a user where DRF expects one."""

    room_id: str
    screen_id: str
    user_id = None
    is_authenticated = True
    is_anonymous = False


def member_token(member: Member) -> str:
    claims = {"m": member.pk, "r": member.room_id, "g": member.token_generation}
    return signing.dumps(claims, salt=_SALT, compress=False)


def screen_token(screen: RoomScreen) -> str:
    return signing.dumps({"s": screen.room_id, "i": screen.pk}, salt=_SCREEN_SALT, compress=False)


def _claims(token: str, salt: str) -> dict | None:
    try:
        claims = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    return claims if isinstance(claims, dict) else None


def member_from_token(token: str) -> Member | None:
    claims = _claims(token, _SALT)
    if claims is None:
        return None
    generation = claims.get("g", 0)
    if type(generation) is not int:
        return None
    # The default manager lists present members only: a departed member's token names no one.
    return unique_row(
        Member.objects.filter(
            pk=claims.get("m"),
            room_id=claims.get("r"),
            claimed=True,
            token_generation=generation,
        )
    )


def reader_from_token(token: str) -> Member | Screen | None:
    """The member or screen a token names, if it still stands."""
    member = member_from_token(token)
    if member is not None:
        return member
    claims = _claims(token, _SCREEN_SALT) or {}
    room_id, screen_id = claims.get("s"), claims.get("i")
    # A screen token from before screens were stored names no screen, and no longer works.
    if not (isinstance(room_id, str) and isinstance(screen_id, str)):
        return None
    if RoomScreen.objects.filter(pk=screen_id, room_id=room_id).exists():
        return Screen(room_id=room_id, screen_id=screen_id)
    return None


def cookie_name(room_id: str) -> str:
    """The cookie a browser keeps its token for one room in (member or screen)."""
    return f"wq_{room_id}"
