"""Identity and revocation: a departed member's user_id is never inherited, display names are
unique among present members, a member signs out their other devices, the host lists and
revokes screens, and a write racing a removal cannot land."""

import pytest

from history.models import Rating
from history.services import history_mark_watched, rating_set
from queues.models import QueueItem
from queues.services import queue_item_add
from rooms.models import Member, RoomScreen
from rooms.services import (
    NAME_TAKEN,
    NO_LONGER_MEMBER,
    SCREEN_NOT_FOUND,
    SELF_ONLY,
    USER_ID_DEPARTED,
    member_remove,
    member_sign_out_others,
    room_join,
)
from rooms.tokens import member_from_token, reader_from_token
from selection.models import Selection
from selection.services import selection_make
from tests.events import recorded
from tests.factories import client_for, make_room, race, screen_token_for
from voting.models import VotingRound
from voting.services import round_start
from watchqueue_site.errors import Unauthenticated
from watchqueue_site.models import RoomEvent


def join(code: str, token: str | None = None, **body):
    return client_for(token).post(f"/api/rooms/{code}/join", body, format="json")


def refusal(response) -> tuple[int, str, str]:
    return response.status_code, response.json()["error"], response.json()["detail"]


# An identity is never inherited: the scenario


@pytest.mark.django_db
def test_after_bob_leaves_nobody_can_become_bob_or_touch_his_rating_note_items_or_round():
    setup = make_room("alice", "bob")
    room, code = setup.room, setup.room.code
    bob = setup.members["bob"]
    watched = setup.add_item("Heat", by="bob")
    history_mark_watched(item=watched, by=bob)
    entry = watched.history_entry
    rating_set(entry=entry, by=bob, user_id="bob", rating=5, note="Bob's note")
    item = setup.add_item("Ronin", by="bob")
    round_start(room=room, by=bob)
    assert setup.client("bob").delete(f"/api/rooms/{room.pk}/members/bob").status_code == 204

    as_bob = join(code, user_id="bob", name="Bob")
    assert refusal(as_bob) == (409, "user_id_taken", USER_ID_DEPARTED)
    newcomer = join(code, name="Bob")
    assert newcomer.status_code == 200
    assert newcomer.json()["member"]["user_id"].startswith("bob-")
    client = client_for(newcomer.json()["token"])

    rerate = client.put(f"/api/history/{entry.pk}/ratings/bob", {"rating": 1}, format="json")
    unrate = client.delete(f"/api/history/{entry.pk}/ratings/bob")
    edit = client.patch(f"/api/queue/{item.pk}", {"title": "Mine"}, format="json")
    remove = client.delete(f"/api/queue/{item.pk}")
    end = client.post(f"/api/rooms/{room.pk}/round/end")

    assert [r.status_code for r in (rerate, unrate, edit, remove, end)] == [403] * 5
    rating = Rating.objects.get(entry=entry)
    assert (rating.user_id, rating.rating, rating.note) == ("bob", 5, "Bob's note")
    assert QueueItem.objects.get(pk=item.pk).title == "Ronin"
    assert VotingRound.objects.get(room=room).status == "open"
    # History and the room still name him.
    body = setup.client("alice").get(f"/api/rooms/{room.pk}").json()
    former = [(m["user_id"], m["name"]) for m in body["former_members"]]
    assert former == [("bob", "Bob")]
    assert "bob" not in [m["user_id"] for m in body["members"]]


@pytest.mark.django_db
def test_a_departed_member_is_kept_with_left_at_and_their_token_names_no_one():
    setup = make_room("alice", "bob")
    member_remove(room=setup.room, by=setup.host, user_id="bob")
    kept = Member.everyone.get(room=setup.room, user_id="bob")
    assert kept.left_at is not None
    assert not Member.objects.filter(pk=kept.pk).exists()
    assert member_from_token(setup.tokens["bob"]) is None
    assert setup.client("bob").get(f"/api/rooms/{setup.room.pk}").status_code == 401


@pytest.mark.django_db
def test_removing_a_departed_member_again_is_a_404_that_records_nothing():
    setup = make_room("alice", "bob")
    member_remove(room=setup.room, by=setup.host, user_id="bob")
    with recorded(setup.room) as events:
        response = setup.client("alice").delete(f"/api/rooms/{setup.room.pk}/members/bob")
    assert response.status_code == 404
    assert events == []


# Display names


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Alice", " ALICE ", "alice", "Ａｌｉｃｅ"])
def test_a_join_with_a_present_members_name_is_refused_and_writes_nothing(name):
    setup = make_room("alice", "bob")
    before = (Member.everyone.count(), RoomEvent.objects.count())
    response = join(setup.room.code, name=name)
    assert refusal(response) == (409, "name_taken", NAME_TAKEN)
    assert (Member.everyone.count(), RoomEvent.objects.count()) == before


@pytest.mark.django_db
def test_listing_a_member_with_a_present_members_name_is_refused():
    setup = make_room("alice", "bob")
    response = setup.client("alice").post(
        f"/api/rooms/{setup.room.pk}/members", {"name": "BOB"}, format="json"
    )
    assert refusal(response) == (409, "name_taken", NAME_TAKEN)


@pytest.mark.django_db
def test_a_departed_members_name_is_free_again_and_rejoining_keeps_ones_own_name():
    setup = make_room("alice", "bob")
    again = join(setup.room.code, token=setup.tokens["bob"], user_id="bob", name="Bob")
    assert again.status_code == 200
    member_remove(room=setup.room, by=setup.host, user_id="bob")
    assert join(setup.room.code, name="bob").status_code == 200


@pytest.mark.django_db
def test_creating_a_room_with_two_members_of_one_name_is_a_400():
    response = client_for(None).post(
        "/api/rooms",
        {"name": "R", "members": [{"name": "Alice"}, {"name": "alice "}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["members"] == ["Each member needs a different name."]


# Signing out other devices


def sign_out(client, room_id: str, user_id: str):
    return client.post(f"/api/rooms/{room_id}/members/{user_id}/token")


@pytest.mark.django_db
def test_a_member_signs_out_their_other_devices_and_gets_a_fresh_token(trio):
    setup, _ = trio
    old = setup.tokens["bob"]
    with recorded(setup.room) as events:
        response = sign_out(setup.client("bob"), setup.room.pk, "bob")
    assert response.status_code == 200
    fresh = response.json()["token"]
    assert events == [{"type": "member_signed_out", "user_id": "bob", "token_generation": 1}]
    url = f"/api/rooms/{setup.room.pk}"
    assert client_for(old).get(url).status_code == 401
    assert client_for(fresh).get(url).status_code == 200


@pytest.mark.django_db
def test_only_the_member_themself_signs_out_their_devices(trio):
    setup, other = trio
    url_room = setup.room.pk
    with recorded(setup.room) as events:
        by_host = sign_out(setup.client("alice"), url_room, "bob")
        by_outsider = sign_out(other.client("mallory"), url_room, "bob")
        anonymous = sign_out(client_for(None), url_room, "bob")
        by_screen = sign_out(client_for(screen_token_for(setup.room)), url_room, "bob")
    assert refusal(by_host)[:2] == (403, "forbidden")
    assert by_host.json()["detail"] == SELF_ONLY
    assert by_outsider.status_code == 403
    assert anonymous.status_code == 401
    assert by_screen.status_code == 403
    assert events == []
    assert member_from_token(setup.tokens["bob"]) is not None


@pytest.mark.django_db
def test_a_token_without_a_generation_counts_as_generation_zero():
    from django.core import signing

    setup = make_room("alice", "bob")
    bob = setup.members["bob"]
    legacy = signing.dumps({"m": bob.pk, "r": bob.room_id}, salt="watchqueue.member-token")
    assert member_from_token(legacy) == bob
    member_sign_out_others(room=setup.room, by=bob, user_id="bob")
    assert member_from_token(legacy) is None


# Screens


def screens_url(setup, screen_id: str | None = None) -> str:
    url = f"/api/rooms/{setup.room.pk}/screens"
    return f"{url}/{screen_id}" if screen_id else url


@pytest.mark.django_db
def test_the_host_lists_the_rooms_screens_with_their_labels(trio):
    setup, _ = trio
    opened = client_for(None).post(
        f"/api/rooms/{setup.room.code}/screen", {"label": "TV"}, format="json"
    )
    screen = opened.json()["screen"]
    response = setup.client("alice").get(screens_url(setup))
    assert response.status_code == 200
    assert [(s["id"], s["label"]) for s in response.json()] == [(screen["id"], "TV")]


@pytest.mark.django_db
def test_only_the_host_lists_or_revokes_screens(trio):
    setup, other = trio
    token = screen_token_for(setup.room)
    screen_id = reader_from_token(token).screen_id
    for client, status in [
        (setup.client("bob"), 403),
        (other.client("mallory"), 403),
        (client_for(None), 401),
        (client_for(token), 403),
    ]:
        assert client.get(screens_url(setup)).status_code == status
        with recorded(setup.room) as events:
            assert client.delete(screens_url(setup, screen_id)).status_code == status
        assert events == []
    assert reader_from_token(token) is not None


@pytest.mark.django_db
def test_revoking_a_screen_kills_its_token_and_records_the_event(trio):
    setup, _ = trio
    token = screen_token_for(setup.room)
    kept = screen_token_for(setup.room, label="Kitchen")
    screen_id = reader_from_token(token).screen_id
    with recorded(setup.room) as events:
        response = setup.client("alice").delete(screens_url(setup, screen_id))
    assert response.status_code == 204
    assert events == [{"type": "screen_revoked", "screen_id": screen_id}]
    assert client_for(token).get(f"/api/rooms/{setup.room.pk}").status_code == 401
    assert client_for(kept).get(f"/api/rooms/{setup.room.pk}").status_code == 200


@pytest.mark.django_db
def test_revoking_an_unknown_screen_is_a_404_that_records_nothing(trio):
    setup, other = trio
    elsewhere = reader_from_token(screen_token_for(other.room)).screen_id
    for screen_id in ("0" * 24, elsewhere):
        with recorded(setup.room) as events:
            response = setup.client("alice").delete(screens_url(setup, screen_id))
        assert refusal(response) == (404, "not_found", SCREEN_NOT_FOUND)
        assert events == []
    assert RoomScreen.objects.filter(pk=elsewhere).exists()


@pytest.mark.django_db
def test_a_screen_token_from_before_screens_were_stored_no_longer_works():
    from django.core import signing

    setup = make_room("alice")
    old = signing.dumps({"s": setup.room.pk}, salt="watchqueue.screen-token")
    assert reader_from_token(old) is None


# Writes racing a removal


@pytest.mark.django_db
@pytest.mark.parametrize("write", ["queue_add", "round_start", "pick"])
def test_a_write_by_a_member_removed_since_their_token_was_read_is_refused(write):
    """What a WebSocket message does: the consumer holds the member read at connect."""
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    bob = setup.members["bob"]
    member_remove(room=setup.room, by=setup.host, user_id="bob")
    act = {
        "queue_add": lambda: queue_item_add(room=setup.room, by=bob, title="Ronin"),
        "round_start": lambda: round_start(room=setup.room, by=bob),
        "pick": lambda: selection_make(room=setup.room, by=bob),
    }[write]
    with (
        recorded(setup.room) as events,
        pytest.raises(Unauthenticated, match=str(NO_LONGER_MEMBER)),
    ):
        act()
    assert events == []
    assert QueueItem.objects.count() == 1
    assert not VotingRound.objects.exists()
    assert not Selection.objects.exists()


@pytest.mark.django_db
def test_a_write_with_a_signed_out_generation_is_refused():
    setup = make_room("alice", "bob")
    bob = setup.members["bob"]
    member_sign_out_others(room=setup.room, by=Member.objects.get(pk=bob.pk), user_id="bob")
    with pytest.raises(Unauthenticated, match=str(NO_LONGER_MEMBER)):
        queue_item_add(room=setup.room, by=bob, title="Ronin")
    assert not QueueItem.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_add_racing_the_removal_of_its_member_lands_before_it_or_not_at_all():
    for attempt in range(5):
        setup = make_room("alice", "bob", name=f"Race {attempt}")
        bob = setup.members["bob"]

        def work(i: int, setup=setup, bob=bob):
            if i == 0:
                return member_remove(room=setup.room, by=setup.host, user_id="bob")
            return queue_item_add(room=setup.room, by=bob, title="Ronin")

        results = race(2, work)
        assert results[0][0] == "ok", results
        seqs = {
            event.type + ":" + event.payload.get("action", ""): event.seq
            for event in RoomEvent.objects.filter(room_id=setup.room.pk)
        }
        if results[1][0] == "ok":
            assert seqs["queue_update:added"] < seqs["member_update:removed"]
        else:
            assert isinstance(results[1][1], Unauthenticated)
            assert "queue_update:added" not in seqs


@pytest.mark.django_db
def test_joining_as_a_departed_member_with_their_own_old_token_is_refused():
    setup = make_room("alice", "bob")
    bob = setup.members["bob"]
    member_remove(room=setup.room, by=bob, user_id="bob")
    with pytest.raises(Exception, match="belonged to a member who left"):
        room_join(
            code=setup.room.code,
            name="Bob",
            user_id="bob",
            address="127.0.0.1",
            presented=bob,
        )
