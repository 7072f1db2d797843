"""One pick stands at a time: a second pick refused while it stands or while a round runs, and
allowed once it is watched, gone or turned down; turning a pick down, by the host or by a member
who spends a veto; and picks and turn-downs sent at once."""

import pytest

from queues.models import QueueItem
from rooms.models import Member, Room
from selection import services
from selection.models import Selection
from tests.events import recorded
from tests.factories import client_for, make_room, race, refusal, screen_token_for
from tests.tonight_api import (
    codes,
    pick,
    picked,
    picks_written,
    preview,
    reasons,
    turn_down,
    up,
)
from tonight import services as tonight
from tonight.models import Attendance, Evening, Veto
from voting.services import round_start

# One pick at a time


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", ["alice", "bob"])
def test_while_tonights_pick_stands_another_pick_is_a_409_naming_it(user_id):
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    setup.add_item("Arrival")
    first = picked(setup)
    before = picks_written()

    with recorded(setup.room) as events:
        response = pick(setup, "highest_votes", user_id=user_id)

    services_message = services.PICK_STANDING.format(title=first["item_title"])
    assert refusal(response) == (409, "pick_standing", services_message)
    assert response.json()["selection"] == first
    assert events == []
    assert picks_written() == before
    assert preview(setup)["standing"] == first


@pytest.mark.django_db
def test_once_the_pick_is_watched_the_next_evening_picks_again():
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    setup.add_item("Arrival")
    first = picked(setup)
    assert setup.client("bob").post(f"/api/queue/{first['item_id']}/watched").status_code == 201

    second = picked(setup)

    assert second["item_id"] != first["item_id"]
    assert second["evening_id"] != first["evening_id"]
    assert preview(setup)["standing"] == second


@pytest.mark.django_db
def test_once_the_picked_item_leaves_the_queue_the_room_picks_again():
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    setup.add_item("Arrival")
    first = picked(setup)
    assert setup.client("alice").delete(f"/api/queue/{first['item_id']}").status_code == 204

    second = picked(setup)

    assert second["item_id"] != first["item_id"]
    assert second["evening_id"] == first["evening_id"]


@pytest.mark.django_db
def test_a_new_evening_ends_the_standing_pick():
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    first = picked(setup)
    assert setup.client("alice").post(f"/api/rooms/{setup.room.pk}/tonight/new").status_code == 201

    second = picked(setup)

    assert second["item_id"] == first["item_id"]
    assert second["evening_id"] != first["evening_id"]


@pytest.mark.django_db
def test_while_a_voting_round_runs_a_pick_is_a_409_naming_the_round():
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    voting_round = round_start(room=setup.room, by=setup.members["bob"])
    before = picks_written()

    with recorded(setup.room) as events:
        response = pick(setup)

    assert refusal(response) == (409, "round_running", services.ROUND_RUNNING)
    assert response.json()["round"]["id"] == voting_round.pk
    assert response.json()["round"]["status"] == "open"
    assert events == []
    assert picks_written() == before


@pytest.mark.django_db
def test_the_host_ending_the_round_makes_the_rounds_pick_on_tonights_field():
    setup = make_room("alice", "bob")
    heat, arrival = setup.add_item("Heat"), setup.add_item("Arrival")
    assert setup.client("bob").post(f"/api/queue/{heat.pk}/veto").status_code == 201
    voting_round = round_start(room=setup.room, by=setup.members["bob"])

    with recorded(setup.room) as events:
        response = setup.client("alice").post(f"/api/rooms/{setup.room.pk}/round/end")

    assert response.status_code == 200, response.content
    selection = Selection.objects.get()
    assert (selection.item_id, selection.round_id) == (arrival.pk, voting_round.pk)
    assert selection.evening_id == Evening.objects.get(ended_at=None).pk
    assert reasons(selection.reason) == {"Heat": [{"code": "vetoed", "text": "vetoed by Bob"}]}
    assert [e["type"] for e in events] == ["selection", "voting_round_end"]
    assert refusal(pick(setup))[:2] == (409, "pick_standing")


# Turning a pick down


def standing_pick_of(setup, *titles: str) -> dict:
    for title in titles:
        setup.add_item(title)
    return picked(setup, "highest_votes")


@pytest.mark.django_db
def test_the_host_turns_a_pick_down_freely_and_the_room_picks_again_without_it():
    setup = make_room("alice", "bob")
    first = standing_pick_of(setup, "Heat", "Arrival")

    with recorded(setup.room) as events:
        response = turn_down(setup, first["id"], "alice")

    assert response.status_code == 201, response.content
    second = response.json()
    assert second["item_title"] == "Arrival"
    assert second["mode"] == "highest_votes"
    assert second["reason"]["after_turn_down"] == {
        "selection_id": first["id"],
        "item_id": first["item_id"],
        "title": "Heat",
        "by": "alice",
    }
    assert second["reason"]["summary"].startswith("Heat was turned down. ")
    assert reasons(second["reason"]) == {
        "Heat": [{"code": "turned_down", "text": "turned down tonight"}]
    }
    assert events == [{"type": "selection", "selection": second}]
    assert Attendance.objects.filter(user_id="alice", vetoes_used__gt=0).count() == 0
    assert Veto.objects.count() == 0

    old = setup.client("bob").get(f"/api/selections/{first['id']}").json()
    assert old["turned_down_by"] == "alice"
    assert old["turned_down_at"] is not None
    assert preview(setup)["standing"] == second


@pytest.mark.django_db
def test_a_member_turning_a_pick_down_spends_a_veto_on_it():
    setup = make_room("alice", "bob")
    first = standing_pick_of(setup, "Heat", "Arrival")

    with recorded(setup.room) as events:
        response = turn_down(setup, first["id"], "bob")

    assert response.status_code == 201, response.content
    second = response.json()
    assert second["item_title"] == "Arrival"
    assert second["reason"]["after_turn_down"]["by"] == "bob"
    assert reasons(second["reason"]) == {
        "Heat": [
            {"code": "turned_down", "text": "turned down tonight"},
            {"code": "vetoed", "text": "vetoed by Bob"},
        ]
    }
    veto = Veto.objects.get()
    assert (veto.item_id, veto.user_id) == (first["item_id"], "bob")
    assert Attendance.objects.get(user_id="bob").vetoes_used == 1
    tonight_now = setup.client("bob").get(f"/api/rooms/{setup.room.pk}/tonight").json()
    assert tonight_now["vetoes"] == [{"item_id": first["item_id"], "by": "bob"}]
    assert [e["type"] for e in events] == ["evening_update", "selection"]
    assert events[0]["tonight"]["vetoes"] == tonight_now["vetoes"]
    assert events[1]["selection"] == second


@pytest.mark.django_db
def test_a_member_who_vetoed_the_pick_already_turns_it_down_without_spending_another():
    setup = make_room("alice", "bob")
    first = standing_pick_of(setup, "Heat", "Arrival")
    assert setup.client("bob").post(f"/api/queue/{first['item_id']}/veto").status_code == 201

    with recorded(setup.room) as events:
        response = turn_down(setup, first["id"], "bob")

    assert response.status_code == 201, response.content
    assert response.json()["item_title"] == "Arrival"
    assert codes(response.json()["reason"]) == {"Heat": ["turned_down", "vetoed"]}
    assert Veto.objects.count() == 1
    assert Attendance.objects.get(user_id="bob").vetoes_used == 1
    assert [e["type"] for e in events] == ["selection"]


@pytest.mark.django_db
def test_a_member_turning_down_a_match_ends_it():
    setup = make_room("alice", "bob")
    heat = setup.add_item("Heat")
    setup.add_item("Arrival")
    up(setup, heat, "alice", "bob")
    first = picked(setup, "consensus")
    assert first["item_id"] == heat.pk

    with recorded(setup.room) as events:
        response = turn_down(setup, first["id"], "bob")

    assert response.status_code == 201
    assert [e["type"] for e in events] == ["match", "evening_update", "selection"]
    assert events[0]["matched"] is False
    assert events[1]["tonight"]["matches"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("vetoes", "code", "message"),
    [
        (1, "no_vetoes_left", tonight.NO_VETOES_LEFT.format(count="veto")),
        (0, "vetoes_off", tonight.VETOES_OFF),
    ],
)
def test_a_member_without_a_veto_left_cannot_turn_a_pick_down_and_nothing_is_written(
    vetoes, code, message
):
    setup = make_room("alice", "bob", vetoes_per_evening=vetoes)
    first = standing_pick_of(setup, "Heat", "Arrival", "Alien")
    if vetoes:
        alien = QueueItem.objects.get(title="Alien")
        assert setup.client("bob").post(f"/api/queue/{alien.pk}/veto").status_code == 201
    before = picks_written()

    with recorded(setup.room) as events:
        response = turn_down(setup, first["id"], "bob")

    assert refusal(response) == (409, code, message)
    assert events == []
    assert picks_written() == before
    assert preview(setup)["standing"] == first


@pytest.mark.django_db
def test_only_the_standing_pick_can_be_turned_down():
    setup = make_room("alice", "bob")
    first = standing_pick_of(setup, "Heat", "Arrival", "Alien")
    second = turn_down(setup, first["id"]).json()
    before = picks_written()

    with recorded(setup.room) as events:
        response = turn_down(setup, first["id"], "bob")

    assert refusal(response) == (409, "not_standing", services.NOT_STANDING)
    assert events == []
    assert picks_written() == before
    assert Attendance.objects.filter(user_id="bob", vetoes_used__gt=0).count() == 0
    assert preview(setup)["standing"] == second


@pytest.mark.django_db
def test_a_watched_pick_cannot_be_turned_down():
    setup = make_room("alice", "bob")
    first = standing_pick_of(setup, "Heat", "Arrival")
    assert setup.client("bob").post(f"/api/queue/{first['item_id']}/watched").status_code == 201
    before = picks_written()

    response = turn_down(setup, first["id"], "alice")

    assert refusal(response) == (409, "pick_watched", services.TURNED_DOWN_WATCHED)
    assert picks_written() == before


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", ["alice", "bob"])
def test_turning_down_the_only_eligible_pick_is_a_409_that_changes_nothing(user_id):
    setup = make_room("alice", "bob")
    first = standing_pick_of(setup, "Heat")
    before = picks_written()

    with recorded(setup.room) as events:
        response = turn_down(setup, first["id"], user_id)

    assert refusal(response) == (
        409,
        "nothing_eligible",
        "Nothing else can be picked tonight, so Heat stands.",
    )
    # The pick that stands is not among the reasons; nothing else was queued.
    assert codes(response.json()) == {}
    assert events == []
    assert picks_written() == before
    assert preview(setup)["standing"] == first
    assert Attendance.objects.filter(vetoes_used__gt=0).count() == 0


@pytest.mark.django_db
def test_turning_down_when_the_others_are_left_out_says_why_and_lists_only_them():
    setup = make_room("alice", "bob")
    first = standing_pick_of(setup, "Heat", "Arrival")
    other = "Arrival" if first["item_title"] == "Heat" else "Heat"
    other_id = next(i.pk for i in setup.room.queue_items.all() if i.title == other)
    assert setup.client("bob").post(f"/api/queue/{other_id}/veto").status_code == 201

    response = turn_down(setup, first["id"], "alice")

    assert refusal(response) == (
        409,
        "nothing_eligible",
        f"Nothing else can be picked tonight, so {first['item_title']} stands. "
        "The others: 1 vetoed.",
    )
    assert codes(response.json()) == {other: ["vetoed"]}


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", ["alice", "bob"])
def test_a_turn_down_past_the_pick_rate_is_a_429_that_changes_nothing(settings, user_id):
    settings.PICK_RATE = (1, 60)
    setup = make_room("alice", "bob")
    first = standing_pick_of(setup, "Heat", "Arrival")
    before = picks_written()

    with recorded(setup.room) as events:
        response = turn_down(setup, first["id"], user_id)

    assert refusal(response) == (429, "rate_limited", services.TOO_MANY_PICKS)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert events == []
    assert picks_written() == before
    assert Attendance.objects.filter(vetoes_used__gt=0).count() == 0
    assert preview(setup)["standing"] == first


@pytest.mark.django_db
def test_a_turned_down_item_is_back_in_the_next_evening():
    setup = make_room("alice", "bob")
    first = standing_pick_of(setup, "Heat", "Arrival")
    second = turn_down(setup, first["id"]).json()
    assert setup.client("alice").post(f"/api/queue/{second['item_id']}/watched").status_code == 201

    third = picked(setup, "highest_votes")

    assert third["item_id"] == first["item_id"]
    assert third["reason"]["excluded"] == []


@pytest.mark.django_db
def test_a_screen_reads_the_preview_and_a_pick_but_cannot_pick_or_turn_down():
    setup = make_room("alice", "bob")
    first = standing_pick_of(setup, "Heat", "Arrival")
    screen = client_for(screen_token_for(setup.room))
    before = picks_written()

    seen_preview = screen.get(f"/api/queue/room/{setup.room.pk}/select/preview")
    turned = screen.post(f"/api/selections/{first['id']}/turn-down")

    assert seen_preview.status_code == 200
    assert seen_preview.json()["standing"] == first
    assert turned.status_code == 403
    assert picks_written() == before


# Two picks at once


@pytest.mark.django_db(transaction=True)
def test_two_picks_at_once_make_one_and_the_other_is_told_it_stands():
    setup = make_room("alice", "bob")
    for title in ("Heat", "Arrival", "Alien"):
        setup.add_item(title)

    def select(i: int) -> Selection:
        room = Room.objects.get(pk=setup.room.pk)
        by = Member.objects.get(pk=setup.members[("alice", "bob")[i]].pk)
        return services.selection_make(room=room, by=by)

    with recorded(setup.room) as events:
        results = race(2, select)

    outcomes = sorted(getattr(value, "code", kind) for kind, value in results)
    assert outcomes == ["ok", "pick_standing"], results
    (winner,) = [value for kind, value in results if kind == "ok"]
    assert list(Selection.objects.values_list("pk", flat=True)) == [winner.pk]
    assert Evening.objects.count() == 1
    assert [e["type"] for e in events] == ["selection"]


@pytest.mark.django_db(transaction=True)
def test_two_turn_downs_at_once_make_one_new_pick():
    setup = make_room("alice", "bob")
    for title in ("Heat", "Arrival", "Alien"):
        setup.add_item(title)
    first = services.selection_make(room=setup.room, by=setup.host, mode="highest_votes")

    def decline(i: int) -> Selection:
        by = Member.objects.get(pk=setup.members[("alice", "bob")[i]].pk)
        return services.selection_turn_down(selection=Selection.objects.get(pk=first.pk), by=by)

    results = race(2, decline)

    outcomes = sorted(getattr(value, "code", kind) for kind, value in results)
    assert outcomes == ["not_standing", "ok"], results
    assert Selection.objects.count() == 2
    assert Selection.objects.exclude(turned_down_at=None).count() == 1
