"""Inputs and orderings that once got past the rules: each test here failed before its fix."""

import pytest

from rooms.services import member_remove
from selection.models import Selection
from tests.factories import make_room
from voting.models import Vote, VotingRound
from voting.services import MEMBER_GONE, ROOM_CLOSED_OUTCOME, round_start, vote_cast
from watchqueue_site.errors import Unauthenticated
from watchqueue_site.models import RoomEvent


@pytest.mark.django_db
def test_a_history_offset_beyond_any_database_integer_is_a_400(trio):
    setup, _ = trio
    response = setup.client("alice").get(
        f"/api/history/room/{setup.room.pk}?offset=100000000000000000000"
    )
    assert response.status_code == 400
    assert "offset" in response.json()["fields"]


@pytest.mark.django_db
def test_a_vote_from_a_member_removed_since_their_token_was_read_is_refused():
    setup = make_room("alice", "zoe")
    item = setup.add_item("Heat")
    zoe = setup.members["zoe"]
    member_remove(room=setup.room, by=zoe, user_id="zoe")
    with pytest.raises(Unauthenticated, match=MEMBER_GONE):
        vote_cast(item_id=item.pk, by=zoe, value="up")
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_a_closed_room_cannot_end_its_round_with_a_pick(trio):
    setup, _ = trio
    setup.add_item("Heat")
    client = setup.client("alice")
    assert client.post(f"/api/rooms/{setup.room.pk}/round", {}, format="json").status_code == 201
    assert (
        client.patch(f"/api/rooms/{setup.room.pk}", {"status": "closed"}, format="json").status_code
        == 200
    )

    voting_round = VotingRound.objects.get()
    assert (voting_round.status, voting_round.outcome) == ("closed", ROOM_CLOSED_OUTCOME)
    events = RoomEvent.objects.filter(room_id=setup.room.pk)
    before = events.count()
    response = client.post(f"/api/rooms/{setup.room.pk}/round/end")
    assert response.status_code == 409
    assert response.json()["error"] == "room_closed"
    assert not Selection.objects.exists()
    assert events.count() == before


@pytest.mark.django_db
def test_a_room_closed_mid_round_makes_no_pick_when_the_deadline_is_noticed(trio):
    setup, _ = trio
    setup.add_item("Heat")
    round_start(room=setup.room, by=setup.members["alice"])
    setup.client("alice").patch(f"/api/rooms/{setup.room.pk}", {"status": "closed"}, format="json")
    VotingRound.objects.update(ends_at="2000-01-01T00:00:00Z")
    assert setup.client("bob").get(f"/api/rooms/{setup.room.pk}/round").status_code == 200
    assert not Selection.objects.exists()


@pytest.mark.django_db
def test_a_name_made_id_never_takes_an_explicit_id_listed_later():
    from rest_framework.test import APIClient

    response = APIClient().post(
        "/api/rooms",
        {"name": "R", "members": [{"name": "Bob"}, {"user_id": "bob", "name": "X"}]},
        format="json",
    )
    assert response.status_code == 201
    ids = [m["user_id"] for m in response.json()["room"]["members"]]
    assert ids[1] == "bob"
    assert ids[0] != "bob"
    assert ids[0].startswith("bob-")
