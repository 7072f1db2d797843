"""The site's pages.

Each page is a shell rendered here and brought to life by its script, which reads and changes
the room only through the REST API and keeps it live over the room's event stream, like any
other client. The pages themselves change nothing. A browser keeps its token for a room in a
cookie (`rooms.tokens.cookie_name`), which its script sets on creating or joining, so a reload
or a visit days later finds the member still in the room.
"""

import base64
import json
import re
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from rooms.models import CODE_ALPHABET, CODE_LENGTH, Member, Room, SelectionMode
from rooms.serializers import MemberSerializer
from rooms.services import normalize_code, room_get_by_code
from rooms.tokens import Screen, cookie_name, reader_from_token
from selection.models import Selection
from watchqueue_site.db import is_id
from watchqueue_site.errors import NotFound, RateLimited
from web import assets
from web.avatars import AVATAR_CHOICES, AVATARS, image_urls
from web.draws import draw_check
from web.invite import join_address

# Posters come from TMDB's image servers (or a mirror on the LAN), so images may come from
# anywhere; they are only ever the URLs TMDB's configuration gives, never a member's input.
# Everything else, scripts and styles above all, comes from the app itself.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src * data:",
        "connect-src 'self' ws: wss:",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

MODES = [
    {
        "value": SelectionMode.WEIGHTED_RANDOM.value,
        "label": _("Weighted random"),
        "description": _(
            "A draw where every vote up improves the odds, and every film has a chance."
        ),
    },
    {
        "value": SelectionMode.HIGHEST_VOTES.value,
        "label": _("Highest votes"),
        "description": _("The best-scored film wins; a tie goes to the one added first."),
    },
    {
        "value": SelectionMode.ROUND_ROBIN.value,
        "label": _("Round robin"),
        "description": _("Everyone takes turns: the one who waited longest gets their best film."),
    },
    {
        "value": SelectionMode.CONSENSUS.value,
        "label": _("Consensus"),
        "description": _(
            "A film everyone in tonight voted up; failing that, one most of you want."
        ),
    },
]
DURATIONS = [
    {"seconds": 30, "label": _("30 seconds")},
    {"seconds": 60, "label": _("1 minute")},
    {"seconds": 120, "label": _("2 minutes")},
    {"seconds": 300, "label": _("5 minutes")},
    {"seconds": 600, "label": _("10 minutes")},
]

CODE_PATTERN = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
NOT_A_MEMBER = _("This room's page is for its members. Ask someone in the room for its code.")
ROOM_GONE = _("This room no longer exists.")
CODE_UNKNOWN = _("No room has this code. Check it with whoever gave it to you.")


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the site: GET only, with the site's content security policy."""

    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Referrer-Policy", "same-origin")
        return response

    return wrapper


def _reader(request: HttpRequest, room_id: str) -> tuple[Member | Screen | None, str | None]:
    """The member or screen of this room's cookie, and its token; a token of another room
    (copied into this room's cookie) is no one here."""
    token = request.COOKIES.get(cookie_name(room_id))
    reader = reader_from_token(token) if token else None
    return (reader if reader is not None and reader.room_id == room_id else None), token


def _private(response: HttpResponse) -> HttpResponse:
    """A page that embeds a token: never stored by a cache or the browser's history."""
    response["Cache-Control"] = "no-store"
    return response


def masked(token: str) -> str:
    """The token XORed with random bytes of this answer's own, the bytes first (base64): the
    page is sent compressed, and so its token never shows in the same bytes twice (BREACH).
    The page's script unmasks it (web/static/web/js/api.js)."""
    raw = token.encode()
    mask = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(
        mask + bytes(a ^ b for a, b in zip(raw, mask, strict=True))
    ).decode()


def _config(room: Room, reader: Member | Screen, token: str) -> dict:
    """What the page's script needs, handed over in a JSON script element."""
    return {
        "room_id": room.pk,
        "token_masked": masked(token),
        "you": MemberSerializer(reader).data if isinstance(reader, Member) else None,
        "heartbeat_seconds": settings.WS_HEARTBEAT_INTERVAL,
        "tmdb": bool(settings.TMDB_API_KEY),
        "modes": MODES,
        "durations": DURATIONS,
        "avatars": image_urls(),
    }


def _known_rooms(request: HttpRequest) -> list[dict[str, Any]]:
    """The rooms this browser holds a working token for, to come back to from the home page."""
    known = []
    for name, token in request.COOKIES.items():
        room_id = name.removeprefix("wq_")
        if name == room_id or not is_id(room_id) or len(known) >= 12:
            continue
        reader = reader_from_token(token)
        if reader is None or reader.room_id != room_id:
            continue
        room = Room.objects.filter(pk=room_id).first()
        if room is not None:
            as_member = isinstance(reader, Member)
            known.append({"room": room, "member": reader if as_member else None})
    return sorted(known, key=lambda entry: entry["room"].updated_at, reverse=True)


def _home(request: HttpRequest, *, status: int = 200, **context: Any) -> HttpResponse:
    context = {
        "modes": MODES,
        "avatars": AVATAR_CHOICES,
        "durations": DURATIONS,
        "known_rooms": _known_rooms(request),
        **context,
    }
    return render(request, "web/home.html", context, status=status)


@page
def home(request: HttpRequest) -> HttpResponse:
    return _home(request)


@page
def join_by_code(request: HttpRequest) -> HttpResponse:
    """The home page's code field: `/join?code=ab c123` goes to `/join/ABC123`."""
    code = normalize_code(request.GET.get("code", ""))
    if not code:
        return _home(request, status=400, join_error=_("Type the room's code."))
    if not CODE_PATTERN.match(code):
        return _home(request, status=404, join_error=CODE_UNKNOWN, code=code)
    return redirect("web:join", code=code)


@page
def join(request: HttpRequest, code: str) -> HttpResponse:
    """Where a join link or QR code lands: the join form with the code filled in."""
    normalized = normalize_code(code)
    if not CODE_PATTERN.match(normalized):
        # Not a code at all: nothing to look up, and no guess to count.
        return _home(request, status=404, join_error=CODE_UNKNOWN, code=normalized[:12])
    if normalized != code:
        return redirect("web:join", code=normalized)
    address = request.META.get("REMOTE_ADDR") or "unknown"
    try:
        room = room_get_by_code(code=code, address=address)
    except NotFound:
        return _home(request, status=404, join_error=CODE_UNKNOWN, code=code)
    except RateLimited as error:
        response = _home(request, status=429, join_error=error.message, code=code)
        response["Retry-After"] = str(error.retry_after)
        return response
    reader, _ = _reader(request, room.pk)
    members = list(room.members.all())
    context = {
        "room": room,
        "code": code,
        "members": members,
        "open_places": [m for m in members if not m.claimed],
        "already": reader if isinstance(reader, Member) else None,
        "avatars": AVATAR_CHOICES,
        # Suggest an avatar nobody in the room has yet, so faces tell people apart.
        "selected": next((a for a in AVATARS if a not in {m.avatar for m in members}), AVATARS[0]),
    }
    return render(request, "web/join.html", context)


def _refused(
    request: HttpRequest, room_id: str, room: Room | None, token: str | None
) -> HttpResponse:
    """The page for a room that is gone, or for someone who is not in it."""
    heading, message = (
        (_("This room is gone"), ROOM_GONE)
        if room is None
        else (_("Not in this room"), NOT_A_MEMBER)
    )
    response = render(
        request,
        "web/not_in_room.html",
        {"heading": heading, "message": message},
        status=404 if room is None else 403,
    )
    if token is not None:
        response.delete_cookie(cookie_name(room_id), samesite="Lax")
    return response


def _room_page(
    request: HttpRequest, room_id: str, template: str, *, members_only: bool = False
) -> HttpResponse:
    if not is_id(room_id):
        raise Http404(ROOM_GONE)
    room = Room.objects.filter(pk=room_id).first()
    reader, token = _reader(request, room_id)
    if room is None or reader is None or (members_only and not isinstance(reader, Member)):
        if room is not None and isinstance(reader, Screen):
            return redirect("web:tv", room_id=room_id)
        return _refused(request, room_id, room, token)
    context = {
        "room": room,
        "you": reader if isinstance(reader, Member) else None,
        "config": _config(room, reader, token),
        "join": join_address(request, room.code),
        "modes": MODES,
        "durations": DURATIONS,
    }
    return _private(render(request, template, context))


@page
def room(request: HttpRequest, room_id: str) -> HttpResponse:
    return _room_page(request, room_id, "web/room.html", members_only=True)


@page
def history(request: HttpRequest, room_id: str) -> HttpResponse:
    return _room_page(request, room_id, "web/history.html")


@page
def tv(request: HttpRequest, room_id: str) -> HttpResponse:
    return _room_page(request, room_id, "web/tv.html")


@page
def draw(request: HttpRequest, room_id: str, selection_id: str) -> HttpResponse:
    """ "Check this draw": a pick with its seed and weights, replayed, and how to replay it."""
    if not (is_id(room_id) and is_id(selection_id)):
        raise Http404(ROOM_GONE)
    room = Room.objects.filter(pk=room_id).first()
    reader, token = _reader(request, room_id)
    if room is None or reader is None:
        return _refused(request, room_id, room, token)
    selection = Selection.objects.filter(pk=selection_id, room=room).first()
    if selection is None:
        raise Http404(_("This room made no such pick."))
    return _private(render(request, "web/draw.html", {"room": room, **draw_check(selection)}))


@page
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows when a page cannot be reached."""
    return render(request, "web/offline.html")


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    def icon(size: int, purpose: str = "any") -> dict[str, str]:
        name = f"maskable-{size}.png" if purpose == "maskable" else f"icon-{size}.png"
        return {
            "src": assets.url(f"web/icons/{name}"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }

    response = JsonResponse(
        {
            "name": "WatchQueue",
            "short_name": "WatchQueue",
            "description": "Decide what to watch with friends.",
            "id": "/",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#0e1016",
            "theme_color": "#0e1016",
            "icons": [icon(192), icon(512), icon(512, "maskable")],
        },
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so that it may serve every page."""
    shell = [assets.url(path) for path in assets.shell()]
    # The page registers the worker with its language (boot.js): a new language is a new worker,
    # whose cache holds that language's words and offline page (fetched with the page's cookie).
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    catalog = f"{reverse('web:javascript-catalog', args=[language])}?v={assets.version()}"
    response = render(
        request,
        "web/sw.js",
        {
            "version": f"{assets.version()}-{language}",
            "shell": json.dumps(["/offline", catalog, *shell]),
        },
        content_type="text/javascript; charset=utf-8",
    )
    # Browsers check for a new worker on every visit; it must never come from a cache.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
