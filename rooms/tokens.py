"""Tokens: signed statements "this is member M of room R", or "this screen shows room R".

A member token carries no expiry; it is revoked by removing the member, whose id it names, so a
removed member who is added again gets a new id and the old token stays dead.

A screen token is for the living-room TV: it reads everything a member reads and changes
nothing, and it appears nowhere in the room (not among the members, not in presence). Like a
join, it is had for the join code; it works while its room exists.
"""

from dataclasses import dataclass

from django.core import signing

from rooms.models import Member, Room
from watchqueue_site.db import unique_row

_SALT = "watchqueue.member-token"
_SCREEN_SALT = "watchqueue.screen-token"


@dataclass(frozen=True)
class Screen:
    """The reader behind a screen token; stands in for a user where DRF expects one."""

    room_id: str
    user_id = None
    is_authenticated = True
    is_anonymous = False


def member_token(member: Member) -> str:
    return signing.dumps({"m": member.pk, "r": member.room_id}, salt=_SALT, compress=False)


def screen_token(room: Room) -> str:
    return signing.dumps({"s": room.pk}, salt=_SCREEN_SALT, compress=False)


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
    return unique_row(
        Member.objects.filter(pk=claims.get("m"), room_id=claims.get("r"), claimed=True)
    )


def reader_from_token(token: str) -> Member | Screen | None:
    """The member or screen a token names, if it still stands."""
    member = member_from_token(token)
    if member is not None:
        return member
    claims = _claims(token, _SCREEN_SALT)
    room_id = claims.get("s") if claims else None
    if isinstance(room_id, str) and Room.objects.filter(pk=room_id).exists():
        return Screen(room_id=room_id)
    return None


def cookie_name(room_id: str) -> str:
    """The cookie a browser keeps its token for one room in (member or screen)."""
    return f"wq_{room_id}"
