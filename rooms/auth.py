"""Who is calling: the member (or read-only screen) named by the request's token, and what they
may read and do."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from rooms.models import Member, Room
from rooms.services import OTHER_ROOM
from rooms.tokens import Screen, cookie_name, member_from_token, reader_from_token

INVALID_TOKEN = "This token is not valid, or its member has been removed from the room."
TOKEN_REQUIRED = "A member token is required: send Authorization: Bearer <token>."
SCREEN_READS_ONLY = "A screen token can only read the room; join as a member to do this."


def request_token(request: Request, *, cookie_room: str | None = None) -> str | None:
    """The token from `Authorization: Bearer …`, or for reads from `?token=`, for clients such
    as `EventSource` that cannot set headers, and, given `cookie_room`, from the cookie the
    site's pages keep that room's token in. Writes need the header: it stays out of logs, and
    no other site's page can make a browser send it."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise exceptions.AuthenticationFailed(
                "The Authorization header must be 'Bearer <token>'."
            )
        return token.strip()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return None
    token = request.query_params.get("token")
    if not token and cookie_room is not None:
        token = request.COOKIES.get(cookie_name(cookie_room))
    return token or None


class MemberTokenAuthentication(BaseAuthentication):
    """The member or screen whose token the request carries (see `request_token`).

    A view that sets `accepts_room_cookie` also takes it from the cookie of the room its URL
    names, as DRF's `ScopedRateThrottle` takes its scope from the view: the SSE streams do, as
    the site's pages open them with `EventSource`, which sends no headers but that cookie.
    """

    def authenticate(self, request: Request) -> tuple[Member | Screen, str] | None:
        context = request.parser_context or {}
        cookie_room = None
        if getattr(context.get("view"), "accepts_room_cookie", False):
            cookie_room = context["kwargs"].get("room_id")
        token = request_token(request, cookie_room=cookie_room)
        if token is None:
            return None
        reader = reader_from_token(token)
        if reader is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        return reader, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class TokenRequired(BasePermission):
    """Every API view's default: no token, 401, before the view looks anything up. So without a
    token a room (or item, entry, pick) that exists and one that does not answer alike, and ids
    cannot be probed. The few views anyone may call (creating, joining, looking a code up,
    opening a screen) set `permission_classes = []`."""

    def has_permission(self, request: Request, view: object) -> bool:
        # A method the view does not serve is a 405 whoever asks.
        served = request.method.lower() in getattr(view, "http_method_names", ())
        if not hasattr(view, request.method.lower()) or not served:
            return True
        if request.method == "OPTIONS" or request.user is not None:
            return True
        raise exceptions.NotAuthenticated(TOKEN_REQUIRED)


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
    """The calling member (401 without a token, 403 for a screen's token)."""
    member = request.user
    if isinstance(member, Screen):
        raise exceptions.PermissionDenied(SCREEN_READS_ONLY)
    if not isinstance(member, Member):
        raise exceptions.NotAuthenticated(TOKEN_REQUIRED)
    return member


def require_member(request: Request, room: Room) -> Member:
    """The calling member, who must belong to `room` (401 without a token, 403 for another room)."""
    member = request_member(request)
    if member.room_id != room.pk:
        raise exceptions.PermissionDenied(OTHER_ROOM)
    return member


def require_reader(request: Request, room: Room) -> Member | Screen:
    """The calling member or screen, which must belong to `room`: what every read needs."""
    reader = request.user
    if not isinstance(reader, Member | Screen):
        raise exceptions.NotAuthenticated(TOKEN_REQUIRED)
    if reader.room_id != room.pk:
        raise exceptions.PermissionDenied(OTHER_ROOM)
    return reader


def presented_member(request: Request) -> Member | None:
    """The member of the request's token, if it names one; a stale or bad token is no one."""
    try:
        token = request_token(request)
    except exceptions.AuthenticationFailed:
        return None
    return member_from_token(token) if token else None


def client_address(request: Request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"
