"""Who may do what: the anonymous / garbage token / outsider / host / member walk over every
endpoint that reads or writes a room's data, then the rules about acting as someone else."""

from dataclasses import dataclass
from typing import Any

import pytest

from history.models import Rating, WatchEntry
from history.services import RATE_AS_SELF_ONLY, history_mark_watched, rating_set
from queues.models import QueueItem
from queues.services import ADD_AS_SELF_ONLY, NOT_YOURS
from rooms.auth import INVALID_TOKEN, OTHER_ROOM, SCREEN_READS_ONLY, TOKEN_REQUIRED
from rooms.models import Member, Room
from rooms.services import HOST_ONLY
from selection.models import Selection
from selection.services import selection_make
from tests.factories import RoomSetup, client_for, screen_token_for
from tonight.models import Attendance, Evening, Match, SeenMark, Veto
from tonight.services import seen_set, veto_add
from voting.models import Vote, VotingRound
from voting.services import VOTE_AS_SELF_ONLY, round_start, vote_cast
from watchqueue_site.models import RoomEvent

MODELS = [
    Room, Member, QueueItem, Vote, VotingRound, Selection, WatchEntry, Rating, RoomEvent,
    Evening, Attendance, Veto, SeenMark, Match,
]  # fmt: skip


@dataclass
class World:
    """alice's room with something of everything in it, and mallory's room next door."""

    setup: RoomSetup
    other: RoomSetup
    alices_item: QueueItem
    bobs_item: QueueItem
    entry: WatchEntry
    selection: Selection

    @property
    def room_id(self) -> str:
        return self.setup.room.pk


@pytest.fixture
def world(trio) -> World:
    setup, other = trio
    alice, bob = setup.members["alice"], setup.members["bob"]
    alices_item = setup.add_item("Inception", by="alice")
    bobs_item = setup.add_item("Heat", by="bob")
    vote_cast(item_id=alices_item.pk, by=alice, value="up")
    vote_cast(item_id=alices_item.pk, by=bob, value="up")
    entry = history_mark_watched(item=setup.add_item("Alien", by="alice"), by=alice)
    rating_set(entry=entry, by=alice, user_id="alice", rating=4)
    selection = selection_make(room=setup.room, by=alice)
    return World(setup, other, alices_item, bobs_item, entry, selection)


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def start_round(w: World) -> None:
    round_start(room=w.setup.room, by=w.setup.members["alice"])


def watch_the_pick(w: World) -> None:
    """Tonight's pick stands until it is watched (or turned down): then the room picks again."""
    history_mark_watched(item=w.selection.item, by=w.setup.members["alice"])


def both_veto_heat(w: World) -> None:
    for member in w.setup.members.values():
        veto_add(item_id=w.bobs_item.pk, by=member)


def both_have_seen_inception(w: World) -> None:
    for member in w.setup.members.values():
        seen_set(item_id=w.alices_item.pk, by=member, user_id=member.user_id, seen=True)


@dataclass
class Case:
    """One endpoint: how to call it, and what the host (alice) and a member (bob) get."""

    name: str
    method: str
    url: Any  # World -> str
    body: Any = None  # World -> dict
    host: int = 200
    member: int = 200
    prepare: Any = None  # World -> None, run before the walk

    def __str__(self) -> str:
        return self.name


def r(path: str = ""):
    return lambda w: f"/api/rooms/{w.room_id}{path}"


def item(path: str = "", which: str = "alices_item"):
    return lambda w: f"/api/queue/{getattr(w, which).pk}{path}"


def rating(user_id: str):
    return lambda w: f"/api/history/{w.entry.pk}/ratings/{user_id}"


CASES = [
    Case("room_get", "get", r()),
    Case("room_snapshot", "get", r("/snapshot")),
    Case("room_presence", "get", r("/presence")),
    Case("room_patch", "patch", r(), lambda w: {"name": "Saturday"}, member=403),
    Case("room_delete", "delete", r(), host=204, member=403),
    Case("member_add", "post", r("/members"), lambda w: {"user_id": "carol", "name": "Carol"},
         host=201, member=201),
    Case("member_remove", "delete", r("/members/bob"), host=204, member=204),
    Case("room_hand_over", "post", r("/host"), lambda w: {"user_id": "bob"}, member=403),
    Case("round_get", "get", r("/round")),
    Case("round_start", "post", r("/round"), lambda w: {"duration_seconds": 120},
         host=201, member=201),
    Case("round_end", "post", r("/round/end"), member=403, prepare=start_round),
    Case("queue_add", "post", lambda w: "/api/queue",
         lambda w: {"room_id": w.room_id, "title": "Arrival"}, host=201, member=201),
    Case("item_get", "get", item()),
    Case("item_patch", "patch", item(), lambda w: {"year": 2010}, member=403),
    Case("item_delete", "delete", item(), host=204, member=403),
    Case("room_queue", "get", lambda w: f"/api/queue/room/{w.room_id}"),
    Case("item_watch", "post", item("/watch")),
    Case("item_watched", "post", item("/watched"), host=201, member=201),
    Case("item_enrich", "post", item("/enrich"), host=503, member=503),
    Case("select", "post", lambda w: f"/api/queue/room/{w.room_id}/select", host=201, member=201,
         prepare=watch_the_pick),
    Case("select_preview", "get", lambda w: f"/api/queue/room/{w.room_id}/select/preview"),
    Case("selection_get", "get", lambda w: f"/api/selections/{w.selection.pk}"),
    Case("selection_turn_down", "post", lambda w: f"/api/selections/{w.selection.pk}/turn-down",
         host=201, member=201),
    Case("tonight_get", "get", r("/tonight")),
    Case("tonight_patch", "patch", r("/tonight"), lambda w: {"max_runtime_minutes": 120}),
    Case("tonight_new", "post", r("/tonight/new"), host=201, member=403),
    Case("attendance_own", "put", r("/tonight/attendees/bob"), lambda w: {"in": False}),
    Case("attendance_other", "put", r("/tonight/attendees/alice"), lambda w: {"in": False},
         member=403),
    Case("services_own", "put", r("/members/bob/services"), lambda w: {"services": ["Netflix"]},
         host=403),
    Case("services_other", "put", r("/members/alice/services"),
         lambda w: {"services": ["Netflix"]}, member=403),
    Case("seen_own", "put", item("/seen/bob"), host=403),
    Case("seen_other", "put", item("/seen/alice"), member=403),
    Case("unseen_own", "delete", item("/seen/bob"), host=403, prepare=both_have_seen_inception),
    Case("unseen_other", "delete", item("/seen/alice"), member=403,
         prepare=both_have_seen_inception),
    Case("veto", "post", item("/veto", "bobs_item"), host=201, member=201),
    Case("veto_withdraw", "delete", item("/veto", "bobs_item"), prepare=both_veto_heat),
    Case("vote_cast", "post", lambda w: "/api/votes",
         lambda w: {"item_id": w.bobs_item.pk, "vote": "down"}),
    Case("vote_get", "get", lambda w: f"/api/votes/{w.alices_item.pk}/bob"),
    Case("vote_delete", "delete", lambda w: f"/api/votes/{w.alices_item.pk}/alice",
         host=204, member=403),
    Case("item_votes", "get", lambda w: f"/api/votes/item/{w.alices_item.pk}"),
    Case("item_counts", "get", lambda w: f"/api/votes/item/{w.alices_item.pk}/counts"),
    Case("history_room", "get", lambda w: f"/api/history/room/{w.room_id}"),
    Case("history_entry", "get", lambda w: f"/api/history/{w.entry.pk}"),
    Case("rating_put", "put", rating("alice"), lambda w: {"rating": 5}, member=403),
    Case("rating_delete", "delete", rating("alice"), host=204, member=403),
]  # fmt: skip
GET_CASES = [case for case in CASES if case.method == "get"]


def call(world: World, case: Case, client):
    if case.prepare:
        case.prepare(world)
    body = case.body(world) if case.body else None
    before = snapshot()
    if case.method == "get":
        response = client.get(case.url(world))
    else:
        response = getattr(client, case.method)(case.url(world), body, format="json")
    return response, before


def assert_wrote_nothing(before: dict[str, int]) -> None:
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_anonymous_requests_are_asked_for_a_token(world, case):
    response, before = call(world, case, client_for(None))

    assert response.status_code == 401
    assert response.json() == {"error": "not_authenticated", "detail": TOKEN_REQUIRED}
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_wrote_nothing(before)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_garbage_token_is_refused(world, case):
    response, before = call(world, case, client_for("not-a-token"))

    assert response.status_code == 401
    assert response.json() == {"error": "invalid_token", "detail": INVALID_TOKEN}
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_wrote_nothing(before)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_outsiders_valid_token_is_forbidden(world, case):
    response, before = call(world, case, world.other.client("mallory"))

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "detail": OTHER_ROOM}
    assert_wrote_nothing(before)


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["host", "member"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_host_and_a_member_get_what_their_role_allows(world, case, actor):
    user_id = "alice" if actor == "host" else "bob"
    expected = getattr(case, actor)

    response, before = call(world, case, world.setup.client(user_id))

    assert response.status_code == expected, response.content
    wrote = case.method != "get" and expected < 300
    if wrote:
        assert snapshot()["RoomEvent"] > before["RoomEvent"]
    else:
        assert_wrote_nothing(before)
    if expected == 403:
        assert response.json()["error"] == "forbidden"


@pytest.mark.django_db
@pytest.mark.parametrize("case", GET_CASES, ids=str)
def test_the_token_query_parameter_works_for_reads(world, case):
    url = case.url(world)

    own = client_for(None).get(url, {"token": world.setup.tokens["bob"]})
    garbage = client_for(None).get(url, {"token": "not-a-token"})
    outsider = client_for(None).get(url, {"token": world.other.tokens["mallory"]})

    assert own.status_code == 200, own.content
    assert garbage.status_code == 401
    assert garbage.json()["error"] == "invalid_token"
    assert outsider.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("case", [c for c in CASES if c.method != "get"], ids=str)
def test_the_token_query_parameter_does_not_authorize_writes(world, case):
    url = f"{case.url(world)}?token={world.setup.tokens['alice']}"
    case = Case(case.name, case.method, lambda w: url, case.body, prepare=case.prepare)

    response, before = call(world, case, client_for(None))

    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert_wrote_nothing(before)


@pytest.mark.django_db
@pytest.mark.parametrize("case", GET_CASES, ids=str)
def test_a_screens_token_reads_what_a_member_reads(world, case):
    response, _ = call(world, case, client_for(screen_token_for(world.setup.room)))

    assert response.status_code == 200, response.content


@pytest.mark.django_db
@pytest.mark.parametrize("case", [c for c in CASES if c.method != "get"], ids=str)
def test_a_screens_token_changes_nothing(world, case):
    response, before = call(world, case, client_for(screen_token_for(world.setup.room)))

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "detail": SCREEN_READS_ONLY}
    assert_wrote_nothing(before)


@pytest.mark.django_db
@pytest.mark.parametrize("case", GET_CASES, ids=str)
def test_a_screen_of_another_room_reads_nothing_here(world, case):
    response, _ = call(world, case, client_for(screen_token_for(world.other.room)))

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "detail": OTHER_ROOM}


# The host-only rules and nobody acting as someone else


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_member_cannot_change_or_delete_the_room(world, method):
    before = snapshot()

    response = getattr(world.setup.client("bob"), method)(
        f"/api/rooms/{world.room_id}", {"name": "Bob's room"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "detail": HOST_ONLY}
    assert_wrote_nothing(before)
    assert Room.objects.get(pk=world.room_id).name == "Friday Night Movies"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_member_cannot_edit_or_delete_someone_elses_item(world, method):
    before = snapshot()

    response = getattr(world.setup.client("bob"), method)(
        f"/api/queue/{world.alices_item.pk}", {"title": "Bob's pick"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "detail": NOT_YOURS}
    assert_wrote_nothing(before)
    assert QueueItem.objects.get(pk=world.alices_item.pk).title == "Inception"


@pytest.mark.django_db
def test_the_host_can_edit_a_members_item(world):
    response = world.setup.client("alice").patch(
        f"/api/queue/{world.bobs_item.pk}", {"title": "Heat (1995)"}, format="json"
    )

    assert response.status_code == 200
    assert QueueItem.objects.get(pk=world.bobs_item.pk).title == "Heat (1995)"
    assert QueueItem.objects.get(pk=world.bobs_item.pk).added_by == "bob"


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "victim"), [("alice", "bob"), ("bob", "alice")])
def test_nobody_votes_as_someone_else(world, actor, victim):
    before = snapshot()
    body = {"item_id": world.bobs_item.pk, "user_id": victim, "vote": "down"}

    response = world.setup.client(actor).post("/api/votes", body, format="json")

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "detail": VOTE_AS_SELF_ONLY}
    assert_wrote_nothing(before)


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "victim"), [("alice", "bob"), ("bob", "alice")])
def test_nobody_adds_an_item_as_someone_else(world, actor, victim):
    before = snapshot()
    body = {"room_id": world.room_id, "title": "Arrival", "added_by": victim}

    response = world.setup.client(actor).post("/api/queue", body, format="json")

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "detail": ADD_AS_SELF_ONLY}
    assert_wrote_nothing(before)


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "victim"), [("alice", "bob"), ("bob", "alice")])
def test_nobody_rates_as_someone_else(world, actor, victim):
    before = snapshot()

    response = world.setup.client(actor).put(
        f"/api/history/{world.entry.pk}/ratings/{victim}", {"rating": 1}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "detail": RATE_AS_SELF_ONLY}
    assert_wrote_nothing(before)
    assert list(Rating.objects.values_list("user_id", "rating")) == [("alice", 4)]


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["alice", "bob"])
def test_nobody_deletes_someone_elses_vote(world, actor):
    victim = "bob" if actor == "alice" else "alice"
    before = snapshot()

    response = world.setup.client(actor).delete(f"/api/votes/{world.alices_item.pk}/{victim}")

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "detail": VOTE_AS_SELF_ONLY}
    assert_wrote_nothing(before)
    assert QueueItem.objects.get(pk=world.alices_item.pk).upvotes == 2


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["alice", "bob"])
def test_nobody_deletes_someone_elses_rating(world, actor):
    victim = "bob" if actor == "alice" else "alice"
    rating_set(entry=world.entry, by=world.setup.members["bob"], user_id="bob", rating=2)
    before = snapshot()

    response = world.setup.client(actor).delete(f"/api/history/{world.entry.pk}/ratings/{victim}")

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "detail": RATE_AS_SELF_ONLY}
    assert_wrote_nothing(before)
