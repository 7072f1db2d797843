"""The room cookie: the server, not the page's script, keeps a browser's token for a room.

The pages find their member by the `wq_<room_id>` cookie, and a page's WebSocket and SSE streams
send it. Set by the server it can be HttpOnly (no script, injected or not, reads it), Secure on
https, and lives `TOKEN_COOKIE_DAYS`. A page's script never needs to read it: the page hands its
script the token in its JSON config.

After creating or joining a room through the API, the page's script posts the token it got to
`/r/<room_id>/session` in the `Authorization` header; leaving, or being removed, it deletes the
cookie there. No other site's page can make a browser send that header to this origin (it needs
a CORS preflight, which this server never allows), so no other site can put a token of its own
choosing in a visitor's cookie.
"""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rooms.auth import TOKEN_REQUIRED, request_token
from rooms.tokens import cookie_name

OTHER_ROOM_TOKEN = "This token is for another room."


def set_room_cookie(response: Response, request: Request, room_id: str, token: str) -> None:
    response.set_cookie(
        cookie_name(room_id),
        token,
        max_age=settings.TOKEN_COOKIE_DAYS * 24 * 3600,
        path="/",
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


@extend_schema(exclude=True)
class RoomSessionView(APIView):
    """POST: keep the `Authorization` token in this room's cookie. DELETE: forget it."""

    permission_classes = []  # both check for themselves

    def post(self, request: Request, room_id: str) -> Response:
        reader = request.user
        if reader is None or "HTTP_AUTHORIZATION" not in request.META:
            raise exceptions.NotAuthenticated(TOKEN_REQUIRED)
        if reader.room_id != room_id:
            raise exceptions.PermissionDenied(OTHER_ROOM_TOKEN)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        set_room_cookie(response, request, room_id, request_token(request))
        return response

    def delete(self, request: Request, room_id: str) -> Response:
        response = Response(status=status.HTTP_204_NO_CONTENT)
        response.delete_cookie(cookie_name(room_id), path="/", samesite="Lax")
        return response

    def perform_authentication(self, request: Request) -> None:
        # DELETE forgets whatever the cookie holds, a token since revoked included.
        if request.method != "DELETE":
            super().perform_authentication(request)
