"""Timed voting rounds through the REST API and the services: starting, ending early, a
deadline noticed by many at once, and a room closed while a round runs. Votes themselves are in
test_voting.py."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from rooms.models import Room
from selection.models import Selection
from tests.events import recorded
from tests.factories import client_for, make_room, pick, race, refusal, votes_rounds_and_picks
from voting import services
from voting.models import VotingRound
from watchqueue_site.models import RoomEvent
from watchqueue_site.phrases import english


def round_url(room: Room, end: bool = False) -> str:
    return f"/api/rooms/{room.pk}/round" + ("/end" if end else "")


def start(client, room: Room, **body):
    return client.post(round_url(room), body, format="json")


def length(body: dict) -> timedelta:
    return parse_datetime(body["ends_at"]) - parse_datetime(body["started_at"])


@pytest.mark.django_db
def test_a_round_lasts_the_rooms_voting_duration_unless_the_starter_says_otherwise():
    setup = make_room("alice", "bob", voting_duration_seconds=90)
    with recorded(setup.room) as events:
        response = start(setup.client("bob"), setup.room)
    assert response.status_code == 201
    body = response.json()
    assert pick(body, "status", "started_by") == ("open", "bob")
    assert length(body) == timedelta(seconds=90)
    assert [e["type"] for e in events] == ["voting_round_start"]
    assert events == [{"type": "voting_round_start", "round": body}]
    setup.client("alice").post(round_url(setup.room, end=True))
    custom = start(setup.client("bob"), setup.room, duration_seconds=120)
    assert (custom.status_code, length(custom.json())) == (201, timedelta(seconds=120))


@pytest.mark.django_db
@pytest.mark.parametrize("duration", [9, 3601, 0, "60", None])
def test_a_round_duration_outside_ten_seconds_to_an_hour_is_a_400(trio, duration):
    setup, _ = trio
    before = votes_rounds_and_picks()
    response = start(setup.client("bob"), setup.room, duration_seconds=duration)
    assert response.status_code == 400
    assert "duration_seconds" in response.json()["fields"]
    assert votes_rounds_and_picks() == before


@pytest.mark.django_db
def test_a_second_round_while_one_is_open_is_refused_and_the_open_one_is_readable(trio):
    setup, _ = trio
    first = start(setup.client("alice"), setup.room, duration_seconds=60).json()
    before = votes_rounds_and_picks()
    response = start(setup.client("bob"), setup.room)
    assert refusal(response) == (409, "round_running", services.ROUND_RUNNING)
    assert response.json()["round"]["id"] == first["id"]
    assert votes_rounds_and_picks() == before
    current = setup.client("bob").get(round_url(setup.room)).json()
    assert pick(current, "id", "status") == (first["id"], "open")
    assert 0 < current["seconds_left"] <= 60


@pytest.mark.django_db
def test_the_host_ends_a_round_and_the_rooms_mode_picks_once():
    setup = make_room("alice", "bob", selection_mode="highest_votes")
    setup.add_item("Low")
    high = setup.add_item("High")
    services.vote_cast(item_id=high.pk, by=setup.members["bob"], value="up")
    started = start(setup.client("bob"), setup.room).json()
    with recorded(setup.room) as events:
        response = setup.client("alice").post(round_url(setup.room, end=True))
    assert response.status_code == 200
    selection = Selection.objects.get(round_id=started["id"])
    assert (selection.mode, selection.item_id) == ("highest_votes", high.pk)
    assert pick(response.json(), "status", "selection_id") == ("closed", selection.pk)
    assert Selection.objects.count() == 1
    assert [e["type"] for e in events] == ["selection", "voting_round_end"]
    assert events[1]["selection"]["id"] == selection.pk
    assert events[1]["round"]["status"] == "closed"
    picked = setup.client("bob").get(f"/api/selections/{selection.pk}").json()
    assert (picked["round_id"], picked["selected_by"]) == (started["id"], "alice")
    assert events == [
        {"type": "selection", "selection": picked},
        {"type": "voting_round_end", "round": response.json(), "selection": picked},
    ]


@pytest.mark.django_db
def test_a_member_cannot_end_a_round_someone_else_started(trio):
    setup, other = trio
    setup.add_item("Inception")
    start(setup.client("alice"), setup.room)
    before = votes_rounds_and_picks()
    refused = setup.client("bob").post(round_url(setup.room, end=True))
    assert refusal(refused) == (403, "forbidden", services.ROUND_END_NOT_ALLOWED)
    assert other.client("mallory").post(round_url(setup.room, end=True)).status_code == 403
    assert votes_rounds_and_picks() == before
    assert VotingRound.objects.get().status == "open"


@pytest.mark.django_db
def test_the_starter_ends_their_round_over_an_empty_queue_without_a_pick(trio):
    setup, _ = trio
    start(setup.client("bob"), setup.room)
    with recorded(setup.room) as events:
        response = setup.client("bob").post(round_url(setup.room, end=True))
    assert response.status_code == 200
    body = response.json()
    outcome = ("closed", english(services.EMPTY_QUEUE_OUTCOME()), None)
    assert pick(body, "status", "outcome", "selection_id") == outcome
    assert body["outcome_phrase"] == services.EMPTY_QUEUE_OUTCOME()
    [event] = events
    assert (event["type"], event["selection"]) == ("voting_round_end", None)
    assert events == [{"type": "voting_round_end", "round": body, "selection": None}]
    assert not Selection.objects.exists()
    before = votes_rounds_and_picks()
    again = setup.client("bob").post(round_url(setup.room, end=True))
    assert (again.status_code, again.json()["error"]) == (409, "no_round")
    assert votes_rounds_and_picks() == before


@pytest.mark.django_db
def test_a_closed_round_closed_again_changes_and_records_nothing(trio):
    setup, _ = trio
    setup.add_item("Heat")
    voting_round = services.round_start(room=setup.room, by=setup.members["alice"])
    assert services.round_close(voting_round) is True
    closed = setup.client("bob").get(round_url(setup.room)).json()
    before = votes_rounds_and_picks()
    with recorded(setup.room) as events:
        assert services.round_close(VotingRound.objects.get(pk=voting_round.pk)) is False
        assert services.rounds_close_due(setup.room) == 0
    assert events == []
    assert votes_rounds_and_picks() == before
    assert setup.client("bob").get(round_url(setup.room)).json() == closed


@pytest.mark.django_db(transaction=True)
def test_a_round_past_its_deadline_closes_exactly_once_however_many_notice_it():
    setup = make_room("alice", "bob")
    setup.add_item("Alien")
    setup.add_item("Brazil")
    voting_round = services.round_start(room=setup.room, by=setup.members["alice"])
    VotingRound.objects.filter(pk=voting_round.pk).update(
        ends_at=timezone.now() - timedelta(seconds=5)
    )

    def notice(i: int):
        if i % 2:
            response = client_for(setup.tokens["bob"]).get(round_url(setup.room))
            return response.status_code, response.json()
        return services.rounds_close_due(Room.objects.get(pk=setup.room.pk))

    with recorded(setup.room) as events:
        results = race(8, notice)
    assert all(kind == "ok" for kind, _ in results), results
    answers = [value for _, value in results]
    selection = Selection.objects.get(round_id=voting_round.pk)
    closed_by_service = [a for a in answers if isinstance(a, int)]
    assert sum(closed_by_service) <= 1
    for code, body in (a for a in answers if isinstance(a, tuple)):
        assert code == 200
        closed = (voting_round.pk, "closed", selection.pk)
        assert pick(body, "id", "status", "selection_id") == closed
    voting_round.refresh_from_db()
    assert (voting_round.status, voting_round.closed_at is not None) == ("closed", True)
    assert [e["type"] for e in events] == ["selection", "voting_round_end"]
    assert events[1]["selection"]["id"] == selection.pk
    assert events[1]["round"] == setup.client("bob").get(round_url(setup.room)).json()
    picked = client_for(setup.tokens["bob"]).get(f"/api/selections/{selection.pk}").json()
    assert events[0] == {"type": "selection", "selection": picked}
    assert events[1]["selection"] == picked


# A room closed while a round runs


@pytest.mark.django_db
def test_a_closed_room_cannot_end_its_round_with_a_pick(trio):
    setup, _ = trio
    setup.add_item("Heat")
    client = setup.client("alice")
    assert client.post(f"/api/rooms/{setup.room.pk}/round", {}, format="json").status_code == 201
    with recorded(setup.room) as closing:
        assert (
            client.patch(
                f"/api/rooms/{setup.room.pk}", {"status": "closed"}, format="json"
            ).status_code
            == 200
        )

    voting_round = VotingRound.objects.get()
    outcome = english(services.ROOM_CLOSED_OUTCOME())
    assert (voting_round.status, voting_round.outcome) == ("closed", outcome)
    # The room says it is closed, then its round ends without a pick.
    assert [e["type"] for e in closing] == ["room_update", "voting_round_end"]
    assert closing[0]["room"]["status"] == "closed"
    ended = setup.client("bob").get(round_url(setup.room)).json()
    assert closing[1] == {"type": "voting_round_end", "round": ended, "selection": None}
    events = RoomEvent.objects.filter(room_id=setup.room.pk)
    before = events.count()
    with recorded(setup.room) as ending:
        response = client.post(f"/api/rooms/{setup.room.pk}/round/end")
    assert response.status_code == 409
    assert response.json()["error"] == "room_closed"
    assert not Selection.objects.exists()
    assert events.count() == before
    assert ending == []


@pytest.mark.django_db
def test_a_room_closed_mid_round_makes_no_pick_when_the_deadline_is_noticed(trio):
    setup, _ = trio
    setup.add_item("Heat")
    services.round_start(room=setup.room, by=setup.members["alice"])
    setup.client("alice").patch(f"/api/rooms/{setup.room.pk}", {"status": "closed"}, format="json")
    VotingRound.objects.update(ends_at="2000-01-01T00:00:00Z")
    with recorded(setup.room) as events:
        assert setup.client("bob").get(f"/api/rooms/{setup.room.pk}/round").status_code == 200
    assert not Selection.objects.exists()
    assert events == []
