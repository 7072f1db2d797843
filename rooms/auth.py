"""Who is calling: the member named by the request's token, and what they may read."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from rooms.models import Member, Room
from rooms.services import OTHER_ROOM
from rooms.tokens import member_from_token

INVALID_TOKEN = "This token is not valid, or its member has been removed from the room."
TOKEN_REQUIRED = "A member token is required: send Authorization: Bearer <token>."


def request_token(request: Request) -> str | None:
    """The token from `Authorization: Bearer …`, or for reads from `?token=`, for clients such
    as `EventSource` that cannot set headers. Writes need the header, which stays out of logs."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise exceptions.AuthenticationFailed(
                "The Authorization header must be 'Bearer <token>'."
            )
        return token.strip()
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return request.query_params.get("token") or None
    return None


class MemberTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Member, str] | None:
        token = request_token(request)
        if token is None:
            return None
        member = member_from_token(token)
        if member is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        return member, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class MemberTokenScheme(OpenApiAuthenticationExtension):
    target_class = MemberTokenAuthentication
    name = "memberToken"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The token returned by creating or joining a room.",
        }


def request_member(request: Request) -> Member:
    """The calling member (401 without a token)."""
    member = request.user
    if not isinstance(member, Member):
        raise exceptions.NotAuthenticated(TOKEN_REQUIRED)
    return member


def require_member(request: Request, room: Room) -> Member:
    """The calling member, who must belong to `room` (401 without a token, 403 for another room)."""
    member = request_member(request)
    if member.room_id != room.pk:
        raise exceptions.PermissionDenied(OTHER_ROOM)
    return member


def presented_member(request: Request) -> Member | None:
    """The member of the request's token, if it names one; a stale or bad token is no one."""
    try:
        token = request_token(request)
    except exceptions.AuthenticationFailed:
        return None
    return member_from_token(token) if token else None


def client_address(request: Request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"
