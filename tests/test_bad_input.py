"""Bad input at every endpoint: a 4xx with a JSON body saying what was wrong, and nothing written.

Each case names the request, the answer's status and `error` code, and for a 400 the field that
`fields` must name (a dotted path such as `settings.selection_mod`, or its first part).
"""

import json
from dataclasses import dataclass, replace

import pytest
import requests
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.test import RequestFactory
from rest_framework.test import APIClient

from history.models import Rating, WatchEntry
from history.services import history_mark_watched
from queues.models import QueueItem
from rooms.models import Member, Room
from selection.models import Selection
from tests.factories import RoomSetup
from voting.models import Vote, VotingRound
from watchqueue_site.api import csrf_failure
from watchqueue_site.models import RoomEvent

MODELS = [Room, Member, QueueItem, Vote, VotingRound, Selection, WatchEntry, Rating, RoomEvent]
UNKNOWN_ID = "0" * 24
# The longest kind of emoji an avatar holds: a family of four with skin tones, 11 code points.
FAMILY = "👨🏻\u200d👩🏻\u200d👧🏻\u200d👦🏻"
ROOM = {"name": "Movie night", "members": [{"user_id": "ann", "name": "Ann"}]}


def new_room(**changes) -> dict:
    return {**ROOM, **changes}


def with_member(**changes) -> dict:
    return new_room(members=[{**ROOM["members"][0], **changes}])


def with_settings(**settings) -> dict:
    return new_room(settings=settings)


@dataclass
class World:
    """alice's room (bob has joined) with a queued item and a watched one; mallory's empty room."""

    setup: RoomSetup
    other: RoomSetup
    item: QueueItem
    entry: WatchEntry

    def url(self, path: str) -> str:
        return path.format(
            room=self.setup.room.pk,
            code=self.setup.room.code,
            item=self.item.pk,
            entry=self.entry.pk,
            empty_room=self.other.room.pk,
            unknown=UNKNOWN_ID,
        )

    def client(self, user_id: str | None) -> APIClient:
        """A client as `user_id` (None: no token) that answers a server error with its 500
        instead of raising it, so a 500 fails the status assertion like any wrong answer."""
        tokens = {**self.setup.tokens, **self.other.tokens}
        client = APIClient(raise_request_exception=False)
        if user_id:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[user_id]}")
        return client


@pytest.fixture
def world(trio) -> World:
    setup, other = trio
    item = setup.add_item("Heat", by="bob")
    entry = history_mark_watched(item=setup.add_item("Alien"), by=setup.members["alice"])
    return World(setup, other, item, entry)


@dataclass(frozen=True)
class Bad:
    """A request and the refusal it must get. Paths and string values may hold the world's ids
    as `{room}`, `{code}`, `{item}`, `{entry}`, `{empty_room}` and `{unknown}`."""

    why: str
    method: str
    path: str
    body: object = None
    status: int = 400
    error: str = "invalid"
    field: str | None = None
    user: str | None = "alice"
    raw: str | bytes | None = None
    content_type: str = "application/json"

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.why}"


def fill(world: World, body: object) -> object:
    """The body with the world's ids in place of their `{names}`."""
    if isinstance(body, dict):
        return {key: fill(world, value) for key, value in body.items()}
    return world.url(body) if isinstance(body, str) and "{" in body else body


def send(world: World, case: Bad):
    if case.raw is not None:
        data = case.raw
    elif case.body is not None:
        data = json.dumps(fill(world, case.body))
    else:
        data = ""
    client = world.client(case.user)
    return client.generic(case.method, world.url(case.path), data, content_type=case.content_type)


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def assert_refused(response, case: Bad) -> None:
    assert response.status_code == case.status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = response.json()
    assert body["error"] == case.error
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if case.field:
        named = body["fields"]
        assert any(key == case.field or key.startswith(f"{case.field}.") for key in named), named


def check(world: World, case: Bad) -> None:
    before = snapshot()
    assert_refused(send(world, case), case)
    assert snapshot() == before


# Bodies that are not a JSON object, at every endpoint that takes one

WRITES = [
    ("POST", "/api/rooms", None),
    ("POST", "/api/rooms/{code}/join", None),
    ("PATCH", "/api/rooms/{room}", "alice"),
    ("POST", "/api/rooms/{room}/members", "alice"),
    ("POST", "/api/rooms/{room}/round", "alice"),
    ("POST", "/api/queue", "alice"),
    ("PATCH", "/api/queue/{item}", "alice"),
    ("POST", "/api/votes", "bob"),
    ("PUT", "/api/history/{entry}/ratings/bob", "bob"),
]
SHAPES = [
    Bad("malformed JSON", "", "", raw="{bad", error="malformed_request"),
    Bad("a JSON array", "", "", raw="[1, 2]", field="non_field_errors"),
    Bad("a JSON string", "", "", raw='"hello"', field="non_field_errors"),
    Bad("text/plain", "", "", raw="hello", content_type="text/plain", status=415,
        error="unsupported_media_type"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "user"), WRITES, ids=lambda v: v or "anonymous")
@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.why)
@pytest.mark.django_db
def test_a_body_that_is_not_a_json_object_is_refused(world, method, path, user, shape):
    check(world, replace(shape, method=method, path=path, user=user))


@pytest.mark.django_db
def test_json_nested_too_deeply_is_a_malformed_request_not_a_server_error(world):
    check(world, Bad("deep", "POST", "/api/rooms", user=None, raw="[" * 50_000,
                     error="malformed_request"))  # fmt: skip


@pytest.mark.parametrize(
    "case",
    [
        Bad("big name", "POST", "/api/rooms", new_room(name="x" * 70_000), user=None),
        Bad("big overview", "POST", "/api/queue", {"room_id": "{room}", "overview": "y" * 70_000}),
        Bad("big junk", "PUT", "/api/history/{entry}/ratings/bob", raw="{" * 70_000, user="bob"),
    ],
    ids=str,
)
@pytest.mark.django_db
def test_a_body_over_64_kib_is_refused_with_a_json_413(world, case):
    check(world, replace(case, status=413, error="too_large"))


# Missing, wrongly typed, unknown and oversized fields

FIELD_CASES = [
    # Creating a room
    Bad("empty object", "POST", "/api/rooms", {}, field="name", user=None),
    Bad("no members", "POST", "/api/rooms", {"name": "Movie night"}, field="members", user=None),
    Bad("name 123", "POST", "/api/rooms", new_room(name=123), field="name", user=None),
    Bad("name 101", "POST", "/api/rooms", new_room(name="x" * 101), field="name", user=None),
    Bad("name ctrl", "POST", "/api/rooms", new_room(name="Movie\u0007night"), field="name",
        user=None),
    Bad("members dict", "POST", "/api/rooms", new_room(members={"name": "Ann"}), field="members",
        user=None),
    Bad("members []", "POST", "/api/rooms", new_room(members=[]), field="members", user=None),
    Bad("members str", "POST", "/api/rooms", new_room(members=["ann"]), field="members",
        user=None),
    Bad("member 51", "POST", "/api/rooms", with_member(name="A" * 51), field="members.0.name",
        user=None),
    Bad("member ctrl", "POST", "/api/rooms", with_member(name="A\u001bnn"),
        field="members.0.name", user=None),
    Bad("avatar 17", "POST", "/api/rooms", with_member(avatar="x" * 17),
        field="members.0.avatar", user=None),
    Bad("avatar <b>", "POST", "/api/rooms", with_member(avatar="<b>x</b>"),
        field="members.0.avatar", user=None),
    Bad("member rlo", "POST", "/api/rooms", with_member(name="\u202eecilA"),
        field="members.0.name", user=None),
    Bad("name zwsp", "POST", "/api/rooms", new_room(name="Movie\u200bnight"), field="name",
        user=None),
    Bad("user_id 41", "POST", "/api/rooms", with_member(user_id="a" * 41),
        field="members.0.user_id", user=None),
    Bad("user_id space", "POST", "/api/rooms", with_member(user_id="ann smith"),
        field="members.0.user_id", user=None),
    Bad("user_id slash", "POST", "/api/rooms", with_member(user_id="ann/smith"),
        field="members.0.user_id", user=None),
    Bad("revotes yes", "POST", "/api/rooms", with_settings(allow_revotes="yes"),
        field="settings.allow_revotes", user=None),
    Bad("duration '60'", "POST", "/api/rooms", with_settings(voting_duration_seconds="60"),
        field="settings.voting_duration_seconds", user=None),
    Bad("duration 5", "POST", "/api/rooms", with_settings(voting_duration_seconds=5),
        field="settings.voting_duration_seconds", user=None),
    Bad("duration 99999", "POST", "/api/rooms", with_settings(voting_duration_seconds=99999),
        field="settings.voting_duration_seconds", user=None),
    Bad("mode coin_flip", "POST", "/api/rooms", with_settings(selection_mode="coin_flip"),
        field="settings.selection_mode", user=None),
    Bad("selection_mod", "POST", "/api/rooms", with_settings(selection_mod="highest_votes"),
        field="settings.selection_mod", user=None),
    Bad("top selection_mod", "POST", "/api/rooms", new_room(selection_mod="round_robin"),
        field="selection_mod", user=None),
    # Joining and listing members
    Bad("no name", "POST", "/api/rooms/{code}/join", {"user_id": "carol"}, field="name",
        user=None),
    Bad("name 51", "POST", "/api/rooms/{code}/join", {"name": "C" * 51}, field="name", user=None),
    Bad("name ctrl", "POST", "/api/rooms/{code}/join", {"name": "Ca\u0000rol"}, field="name",
        user=None),
    Bad("user_id 41", "POST", "/api/rooms/{code}/join", {"name": "Carol", "user_id": "c" * 41},
        field="user_id", user=None),
    Bad("user_id ../", "POST", "/api/rooms/{code}/join", {"name": "Carol", "user_id": "../bob"},
        field="user_id", user=None),
    Bad("avatar 17", "POST", "/api/rooms/{code}/join", {"name": "Carol", "avatar": "x" * 17},
        field="avatar", user=None),
    Bad("avatar two", "POST", "/api/rooms/{code}/join", {"name": "Carol", "avatar": "🎬🎬"},
        field="avatar", user=None),
    Bad("name lri", "POST", "/api/rooms/{code}/join", {"name": "\u2066Carol\u2069"},
        field="name", user=None),
    Bad("nickname", "POST", "/api/rooms/{code}/join", {"name": "Carol", "nickname": "C"},
        field="nickname", user=None),
    Bad("user_id space", "POST", "/api/rooms/{room}/members", {"name": "Carol", "user_id": "c c"},
        field="user_id"),
    # Changing a room
    Bad("name 101", "PATCH", "/api/rooms/{room}", {"name": "x" * 101}, field="name"),
    Bad("name rlo", "PATCH", "/api/rooms/{room}", {"name": "\u202eyrtnuoC"}, field="name"),
    Bad("status archived", "PATCH", "/api/rooms/{room}", {"status": "archived"}, field="status"),
    Bad("duration 5", "PATCH", "/api/rooms/{room}", {"settings": {"voting_duration_seconds": 5}},
        field="settings.voting_duration_seconds"),
    Bad("mode coin_flip", "PATCH", "/api/rooms/{room}", {"settings": {"selection_mode": "x"}},
        field="settings.selection_mode"),
    Bad("selection_mod", "PATCH", "/api/rooms/{room}", {"settings": {"selection_mod": "x"}},
        field="settings.selection_mod"),
    Bad("settings str", "PATCH", "/api/rooms/{room}", {"settings": "fast"}, field="settings"),
    Bad("duration '60'", "POST", "/api/rooms/{room}/round", {"duration_seconds": "60"},
        field="duration_seconds"),
    Bad("duration 5", "POST", "/api/rooms/{room}/round", {"duration_seconds": 5},
        field="duration_seconds"),
    # The queue
    Bad("no room_id", "POST", "/api/queue", {"title": "Heat 2"}, field="room_id"),
    Bad("room not-an-id", "POST", "/api/queue", {"room_id": "not-an-id", "title": "Heat 2"},
        field="room_id"),
    Bad("no title", "POST", "/api/queue", {}, field="title"),
    Bad("title 123", "POST", "/api/queue", {"title": 123}, field="title"),
    Bad("title 201", "POST", "/api/queue", {"title": "x" * 201}, field="title"),
    Bad("title blank", "POST", "/api/queue", {"title": "   "}, field="title"),
    Bad("title ctrl", "POST", "/api/queue", {"title": "Heat\u00072"}, field="title"),
    Bad("title rlo", "POST", "/api/queue", {"title": "\u202e2 taeH"}, field="title"),
    Bad("title invisible", "POST", "/api/queue", {"title": "\u200b\u2060"}, field="title"),
    Bad("year '1995'", "POST", "/api/queue", {"title": "Heat 2", "year": "1995"}, field="year"),
    Bad("media podcast", "POST", "/api/queue", {"title": "Heat 2", "media_type": "podcast"},
        field="media_type"),
    Bad("added_by 41", "POST", "/api/queue", {"title": "Heat 2", "added_by": "a" * 41},
        field="added_by"),
    Bad("rating", "POST", "/api/queue", {"title": "Heat 2", "rating": 5}, field="rating"),
    Bad("title 201", "PATCH", "/api/queue/{item}", {"title": "x" * 201}, field="title"),
    Bad("status done", "PATCH", "/api/queue/{item}", {"status": "done"}, field="status"),
    Bad("added_by", "PATCH", "/api/queue/{item}", {"added_by": "alice"}, field="added_by"),
    # Votes
    Bad("no vote", "POST", "/api/votes", {"item_id": "{item}"}, field="vote", user="bob"),
    Bad("vote sideways", "POST", "/api/votes", {"item_id": "{item}", "vote": "sideways"},
        field="vote", user="bob"),
    Bad("vote true", "POST", "/api/votes", {"item_id": "{item}", "vote": True}, field="vote",
        user="bob"),
    Bad("item not-an-id", "POST", "/api/votes", {"item_id": "not-an-id", "vote": "up"},
        field="item_id", user="bob"),
    Bad("item 12", "POST", "/api/votes", {"item_id": 12, "vote": "up"}, field="item_id",
        user="bob"),
    Bad("user_id 41", "POST", "/api/votes", {"item_id": "{item}", "vote": "up",
        "user_id": "b" * 41}, field="user_id", user="bob"),
    # Ratings
    Bad("rating 6", "PUT", "/api/history/{entry}/ratings/bob", {"rating": 6}, field="rating",
        user="bob"),
    Bad("rating '5'", "PUT", "/api/history/{entry}/ratings/bob", {"rating": "5"},
        field="rating", user="bob"),
    Bad("stars", "PUT", "/api/history/{entry}/ratings/bob", {"rating": 5, "stars": 5},
        field="stars", user="bob"),
    Bad("note 1001", "PUT", "/api/history/{entry}/ratings/bob", {"rating": 5, "note": "x" * 1001},
        field="note", user="bob"),
    # Query strings
    Bad("mode coin_flip", "POST", "/api/queue/room/{room}/select?mode=coin_flip", field="mode"),
    Bad("mode empty", "POST", "/api/queue/room/{room}/select?mode=", field="mode"),
    Bad("status finished", "GET", "/api/queue/room/{room}?status=finished", field="status"),
    Bad("sort random", "GET", "/api/queue/room/{room}?sort=random", field="sort"),
    Bad("limit 0", "GET", "/api/history/room/{room}?limit=0", field="limit"),
    Bad("limit abc", "GET", "/api/history/room/{room}?limit=abc", field="limit"),
    Bad("limit 1000", "GET", "/api/history/room/{room}?limit=1000", field="limit"),
]  # fmt: skip


@pytest.mark.parametrize("case", FIELD_CASES, ids=str)
@pytest.mark.django_db
def test_a_bad_field_is_refused_naming_it(world, case):
    if case.path == "/api/queue" and case.field != "room_id":
        case = replace(case, body={"room_id": "{room}", **case.body})  # alice's room
    check(world, case)


GOOD = [
    ("POST", "/api/rooms", ROOM, None),
    ("POST", "/api/rooms", with_member(name="A" * 50, avatar=FAMILY, user_id="a" * 40), None),
    ("POST", "/api/rooms/{code}/join", {"name": "Carol", "user_id": "carol.c-1_"}, None),
    ("PATCH", "/api/rooms/{room}", {"settings": {"voting_duration_seconds": 3600}}, "alice"),
    ("POST", "/api/queue", {"room_id": "{room}", "title": "x" * 200, "year": 1995}, "alice"),
    ("POST", "/api/votes", {"item_id": "{item}", "vote": "up"}, "bob"),
    ("PUT", "/api/history/{entry}/ratings/bob", {"rating": 5, "note": "x" * 1000}, "bob"),
    ("POST", "/api/queue/room/{room}/select?mode=round_robin", None, "bob"),
    ("GET", "/api/history/room/{room}?limit=200&offset=0", None, "bob"),
]


@pytest.mark.parametrize(("method", "path", "body", "user"), GOOD, ids=lambda v: str(v)[:30])
@pytest.mark.django_db
def test_the_cases_differ_from_accepted_input_only_in_what_they_get_wrong(
    world, method, path, body, user
):
    response = send(world, Bad("good", method, path, body, user=user))
    assert response.status_code in (200, 201), response.content[:300]


# Unknown ids, paths and methods; an empty queue

OTHER_CASES = [
    Bad("item not-an-id", "GET", "/api/queue/not-an-id", status=404, error="not_found"),
    Bad("item not-an-id", "PATCH", "/api/queue/not-an-id", {"year": 1995}, 404, "not_found"),
    Bad("item not-an-id", "POST", "/api/queue/not-an-id/watched", status=404, error="not_found"),
    Bad("item not-an-id", "GET", "/api/votes/item/not-an-id", status=404, error="not_found"),
    Bad("item not-an-id", "DELETE", "/api/votes/not-an-id/alice", status=404, error="not_found"),
    Bad("room not-an-id", "GET", "/api/rooms/not-an-id", status=404, error="not_found"),
    Bad("entry not-an-id", "PUT", "/api/history/not-an-id/ratings/alice", {"rating": 4}, 404,
        "not_found"),
    Bad("unknown item", "GET", "/api/queue/{unknown}", status=404, error="not_found"),
    Bad("unknown item", "POST", "/api/queue/{unknown}/watched", status=404, error="not_found"),
    Bad("unknown item", "POST", "/api/votes", {"item_id": UNKNOWN_ID, "vote": "up"}, 404,
        "not_found"),
    Bad("unknown room", "POST", "/api/queue", {"room_id": UNKNOWN_ID, "title": "Heat 2"}, 404,
        "not_found"),
    Bad("unknown room", "PATCH", "/api/rooms/{unknown}", {"name": "Saturday"}, 404, "not_found"),
    Bad("unknown room", "POST", "/api/queue/room/{unknown}/select", status=404, error="not_found"),
    Bad("unknown entry", "GET", "/api/history/{unknown}", status=404, error="not_found"),
    Bad("unknown selection", "GET", "/api/selections/{unknown}", status=404, error="not_found"),
    Bad("unknown member", "DELETE", "/api/rooms/{room}/members/zed", status=404,
        error="not_found"),
    Bad("unknown path", "GET", "/api/nothing-here", status=404, error="not_found"),
    Bad("unknown path", "POST", "/api/rooms/{room}/nothing", {}, 404, "not_found"),
    Bad("unknown path", "GET", "/api/queue/room/", status=404, error="not_found"),
    Bad("unknown path", "GET", "/api/", status=404, error="not_found"),
    Bad("method", "PUT", "/api/rooms", ROOM, 405, "method_not_allowed", user=None),
    Bad("method", "DELETE", "/api/queue", status=405, error="method_not_allowed"),
    Bad("method", "GET", "/api/votes", status=405, error="method_not_allowed"),
    Bad("method", "POST", "/api/rooms/{room}", {}, 405, "method_not_allowed"),
    Bad("method", "PATCH", "/api/history/{entry}", {}, 405, "method_not_allowed"),
    Bad("empty queue", "POST", "/api/queue/room/{empty_room}/select", status=409,
        error="empty_queue", user="mallory"),
]  # fmt: skip


@pytest.mark.parametrize("case", OTHER_CASES, ids=str)
@pytest.mark.django_db
def test_unknown_ids_paths_and_methods_get_json_errors(world, case):
    check(world, case)


# Oddities that reach the server before or around the endpoints, through a real daphne: every
# answer under /api/ is JSON, whatever method, headers or body came.

STREAMS = ["/api/events/room/{room}", "/api/events/votes/{room}", "/api/events/queue/{room}"]
ENRICH = "/api/queue/{item}/enrich"
JSON_BODY = (("Content-Type", "application/json"),)
MULTIPART = (("Content-Type", "multipart/form-data; boundary=xyz"),)
FORM_FIELD_NOT_ASCII = (
    b'--xyz\r\nContent-Disposition: form-data; name="caf\xc3\xa9"\r\n\r\nau lait\r\n--xyz--\r\n'
)


@dataclass(frozen=True)
class Odd:
    """A request and its answer; `error` None for an answer that is not an error (OPTIONS)."""

    why: str
    method: str
    path: str
    status: int
    error: str | None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    token: bool = False

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.why}"


def _wrong_methods(path: str, allowed: set[str], token: bool = False) -> list[Odd]:
    methods = {"GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "PURGE"} - allowed
    return [Odd("method", m, path, 405, "method_not_allowed", token=token) for m in sorted(methods)]


ODDITIES = [
    # Methods an endpoint does not take, streams included (they once got Django's HTML CSRF
    # page), and HEAD on a stream, which would hold a subscription open for nobody.
    *[odd for path in STREAMS for odd in _wrong_methods(path, {"GET"})],
    Odd("no HEAD", "HEAD", STREAMS[0], 405, None),
    *_wrong_methods("/api/search?q=heat", {"GET"}),
    *_wrong_methods(ENRICH, {"POST"}, token=True),
    *_wrong_methods("/api/schema/", {"GET"}),
    # OPTIONS is answered, in JSON, at every endpoint; an unknown path is a 404 for any method.
    *[Odd("options", "OPTIONS", path, 200, None) for path in [*STREAMS, ENRICH, "/api/rooms"]],
    Odd("options", "OPTIONS", "/api/search", 200, None),
    Odd("options", "OPTIONS", "/api/schema/", 200, None),
    *[Odd("unknown", m, "/api/nothing", 404, "not_found") for m in ("POST", "DELETE", "OPTIONS")],
    Odd("unknown", "POST", "/api/", 404, "not_found"),
    # What EventSource asks for is what a stream gives; its errors are JSON all the same.
    Odd("EventSource", "GET", STREAMS[0], 401, "not_authenticated",
        headers=(("Accept", "text/event-stream"),)),
    Odd("EventSource", "GET", STREAMS[1], 401, "invalid_token",
        headers=(("Accept", "text/event-stream"), ("Authorization", "Bearer junk"))),
    Odd("no stream wanted", "GET", STREAMS[2], 406, "not_acceptable",
        headers=(("Accept", "text/html"),)),
    # Bodies: too large, of a type the API does not take, multipart that does not parse.
    Odd("70 KB", "POST", "/api/rooms", 413, "too_large",
        headers=JSON_BODY, body=b'{"name": "' + b"x" * 70_000 + b'"}'),
    Odd("text", "POST", "/api/rooms", 415, "unsupported_media_type",
        headers=(("Content-Type", "text/plain"),), body=b"hello"),
    Odd("form", "POST", "/api/rooms", 415, "unsupported_media_type",
        headers=(("Content-Type", "application/x-www-form-urlencoded"),), body=b"name=x"),
    Odd("garbled multipart", "POST", "/api/rooms", 415, "unsupported_media_type",
        headers=MULTIPART, body=b"garbage"),
    Odd("multipart, no boundary", "POST", "/api/rooms", 415, "unsupported_media_type",
        headers=(("Content-Type", "multipart/form-data"),), body=b"garbage"),
    Odd("multipart, field not ASCII", "POST", "/api/rooms", 415, "unsupported_media_type",
        headers=MULTIPART, body=FORM_FIELD_NOT_ASCII),
    Odd("garbled multipart", "POST", "/api/votes", 415, "unsupported_media_type",
        headers=MULTIPART, body=b"garbage", token=True),
    Odd("garbled multipart", "POST", "/api/nothing", 404, "not_found",
        headers=MULTIPART, body=b"garbage"),
    # Over the limit, a body is refused before it is read, whatever its type.
    Odd("70 KB multipart", "POST", "/api/rooms", 413, "too_large",
        headers=MULTIPART, body=b"x" * 70_000),
    Odd("JSON not UTF-8", "POST", "/api/rooms", 400, "malformed_request",
        headers=JSON_BODY, body=b'{"name": "\xff\xfe"}'),
    # Paths that are not UTF-8 once percent-decoded.
    Odd("path %FF", "GET", "/api/%FF", 404, "not_found"),
    Odd("path %C3%28", "GET", "/api/rooms/%C3%28", 404, "not_found", token=True),
    Odd("path %FF", "GET", "/api/events/room/%FF", 404, "not_found", token=True),
    Odd("path %FF", "POST", "/api/queue/%FF/enrich", 404, "not_found", token=True),
]  # fmt: skip


@pytest.fixture(scope="module")
def live_world(tmp_path_factory):
    """A real daphne with alice's room (bob and carol have joined) and one queued item."""
    from tests.live_clients import live_room
    from tests.live_server import daphne, migrate, server_env

    env = server_env(tmp_path_factory.mktemp("oddities"))
    migrate(env)
    with daphne(env) as base:
        room, tokens = live_room(base)
        item = requests.post(
            f"{base}/api/queue",
            json={"room_id": room["id"], "title": "Heat"},
            headers={"Authorization": f"Bearer {tokens['alice']}"},
            timeout=5,
        ).json()
        yield base, {"room": room["id"], "item": item["id"]}, tokens["alice"]


@pytest.mark.parametrize("odd", ODDITIES, ids=str)
def test_every_answer_under_api_is_json_whatever_the_request(live_world, odd):
    base, ids, token = live_world
    headers = dict(odd.headers)
    if odd.token:
        headers["Authorization"] = f"Bearer {token}"
    response = requests.request(
        odd.method, base + odd.path.format(**ids), headers=headers, data=odd.body, timeout=10
    )
    assert response.status_code == odd.status, response.content[:300]
    assert response.headers["Content-Type"] == "application/json", response.content[:300]
    if odd.method == "HEAD":
        return
    body = response.json()
    if odd.error is None:
        assert "error" not in body
    else:
        assert body["error"] == odd.error
        assert isinstance(body["detail"], str)
        assert body["detail"]


@pytest.mark.parametrize(
    ("path", "json_answer"), [("/api/rooms", True), ("/rooms/abc/join", False)]
)
def test_a_csrf_failure_is_json_under_api_and_djangos_page_elsewhere(path, json_answer):
    response = csrf_failure(RequestFactory().post(path), reason=REASON_NO_CSRF_COOKIE)
    assert response.status_code == 403
    if json_answer:
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content) == {
            "error": "csrf_failed",
            "detail": f"CSRF verification failed. {REASON_NO_CSRF_COOKIE}",
        }
    else:
        assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/api/x%0Ay", "/api/rooms/code/a%0Ab/x"])
def test_a_path_under_api_with_a_new_line_in_it_is_a_json_404(db, path):
    response = APIClient().get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "not_found"
