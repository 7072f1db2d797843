"""Member tokens: a signed statement "this is member M of room R".

A token carries no expiry; it is revoked by removing the member, whose id it names, so a
removed member who is added again gets a new id and the old token stays dead.
"""

from django.core import signing

from rooms.models import Member
from watchqueue_site.db import unique_row

_SALT = "watchqueue.member-token"


def member_token(member: Member) -> str:
    return signing.dumps({"m": member.pk, "r": member.room_id}, salt=_SALT, compress=False)


def member_from_token(token: str) -> Member | None:
    try:
        claims = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(claims, dict):
        return None
    return unique_row(
        Member.objects.filter(pk=claims.get("m"), room_id=claims.get("r"), claimed=True)
    )
