"""Vetoes and matches through the REST API and the services: each member's vetoes per evening,
withdrawn and refused, private or public; the items every attendee voted up, made and ended by
votes, vetoes, who is in and who joins or leaves, each told once; and vetoes sent at once."""

import pytest

from history.services import history_mark_watched
from realtime.presence import presence_enter, presence_leave
from rooms.models import Room
from tests.events import recorded
from tests.factories import client_for, make_room, race, refusal, screen_token_for
from tests.tonight_api import (
    attendance,
    constrain,
    evening_events,
    match_event,
    member,
    read,
    say,
    tonight_rows,
    up,
    url,
    veto,
    withdraw,
)
from tonight import services
from tonight.models import Attendance, Evening, Match, Veto

# Vetoes


@pytest.mark.django_db
def test_a_member_vetoes_an_item_and_the_room_is_told():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")

    with recorded(setup.room) as events:
        response = veto(setup, item, "bob")

    assert response.status_code == 201
    body = response.json()
    assert body["vetoes"] == [{"item_id": item.pk, "by": "bob"}]
    assert attendance(body)["bob"]["vetoes_left"] == 0
    assert attendance(body)["alice"]["vetoes_left"] == 1
    assert [e["type"] for e in events] == ["evening_update"]
    assert events[0]["tonight"]["vetoes"] == [{"item_id": item.pk, "by": "bob"}]
    assert Attendance.objects.get(user_id="bob").vetoes_used == 1


@pytest.mark.django_db
@pytest.mark.parametrize("allowed", [1, 2, 3])
def test_each_member_has_the_rooms_number_of_vetoes_per_evening(allowed):
    setup = make_room("alice", "bob", vetoes_per_evening=allowed)
    items = [setup.add_item(f"Film {n}") for n in range(allowed + 1)]
    for item in items[:allowed]:
        assert veto(setup, item, "bob").status_code == 201
    before = tonight_rows()

    response = veto(setup, items[-1], "bob")
    alice = veto(setup, items[-1], "alice")

    count = "veto" if allowed == 1 else f"{allowed} vetoes"
    assert refusal(response) == (
        409,
        "no_vetoes_left",
        services.NO_VETOES_LEFT.format(count=count),
    )
    assert response.json()["vetoes_per_evening"] == allowed
    assert Veto.objects.filter(user_id="bob").count() == allowed
    assert Attendance.objects.get(user_id="bob").vetoes_used == allowed
    assert alice.status_code == 201
    assert tonight_rows()[2] == before[2] + 1


@pytest.mark.django_db
def test_with_vetoes_off_a_veto_is_a_409_that_writes_nothing():
    setup = make_room("alice", "bob", vetoes_per_evening=0)
    item = setup.add_item("Inception")
    before = tonight_rows()

    response = veto(setup, item, "bob")

    assert refusal(response) == (409, "vetoes_off", services.VETOES_OFF)
    assert tonight_rows() == before
    assert read(setup)["vetoes_per_evening"] == 0


@pytest.mark.django_db
def test_vetoing_the_same_item_twice_is_a_409_that_spends_nothing():
    setup = make_room("alice", "bob", vetoes_per_evening=2)
    item = setup.add_item("Inception")
    veto(setup, item, "bob")
    before = tonight_rows()

    response = veto(setup, item, "bob")

    assert refusal(response) == (409, "already_vetoed", services.ALREADY_VETOED)
    assert tonight_rows() == before
    assert Attendance.objects.get(user_id="bob").vetoes_used == 1


@pytest.mark.django_db
def test_withdrawing_a_veto_gives_it_back():
    setup = make_room("alice", "bob")
    inception, heat = setup.add_item("Inception"), setup.add_item("Heat")
    veto(setup, inception, "bob")

    with recorded(setup.room) as events:
        response = withdraw(setup, inception, "bob")

    assert response.status_code == 200
    assert response.json()["vetoes"] == []
    assert attendance(response.json())["bob"]["vetoes_left"] == 1
    assert [e["type"] for e in events] == ["evening_update"]
    assert events[0]["tonight"]["vetoes"] == []
    assert veto(setup, heat, "bob").status_code == 201


@pytest.mark.django_db
def test_withdrawing_a_veto_you_did_not_make_is_a_404_that_writes_nothing():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    veto(setup, item, "alice")
    before = tonight_rows()

    response = withdraw(setup, item, "bob")
    never = withdraw(setup, setup.add_item("Heat"), "bob")

    assert refusal(response) == (404, "not_found", services.NOT_VETOED)
    assert refusal(never) == (404, "not_found", services.NOT_VETOED)
    assert tonight_rows()[:5] == before[:5]
    assert Attendance.objects.get(user_id="alice").vetoes_used == 1


@pytest.mark.django_db
def test_a_watched_item_cannot_be_vetoed():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    history_mark_watched(item=item, by=setup.host)
    before = tonight_rows()

    response = veto(setup, item, "bob")

    assert refusal(response) == (409, "item_watched", services.ITEM_WATCHED)
    assert tonight_rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["new_evening", "watched"])
def test_vetoes_start_afresh_in_the_next_evening(how):
    setup = make_room("alice", "bob")
    inception, heat = setup.add_item("Inception"), setup.add_item("Heat")
    veto(setup, inception, "bob")
    assert veto(setup, heat, "bob").status_code == 409

    if how == "new_evening":
        assert setup.client("alice").post(url(setup, "/new")).status_code == 201
    else:
        assert setup.client("alice").post(f"/api/queue/{heat.pk}/watched").status_code == 201

    body = read(setup, "bob")
    assert body["vetoes"] == []
    assert attendance(body)["bob"]["vetoes_left"] == 1
    assert veto(setup, inception, "bob").status_code == 201


@pytest.mark.django_db
def test_when_vetoes_are_private_only_the_vetoer_sees_their_own():
    setup = make_room("alice", "bob", "carol", vetoes_public=False)
    item = setup.add_item("Inception")

    with recorded(setup.room) as events:
        own = veto(setup, item, "bob")

    assert own.json()["vetoes"] == [{"item_id": item.pk, "by": "bob"}]
    assert attendance(own.json())["bob"]["vetoes_left"] == 0
    assert attendance(own.json())["carol"]["vetoes_left"] is None
    for reader in ("alice", "carol"):
        body = read(setup, reader)
        assert body["vetoes"] == [{"item_id": item.pk, "by": None}]
        assert attendance(body)["bob"]["vetoes_left"] is None
        assert attendance(body)[reader]["vetoes_left"] == 1
    screen = client_for(screen_token_for(setup.room)).get(url(setup)).json()
    assert screen["vetoes"] == [{"item_id": item.pk, "by": None}]
    assert {row["vetoes_left"] for row in screen["attendance"]} == {None}
    assert events[0]["tonight"]["vetoes"] == [{"item_id": item.pk, "by": None}]
    assert {row["vetoes_left"] for row in events[0]["tonight"]["attendance"]} == {None}
    assert "bob" not in str(events[0]["tonight"]["vetoes"])


@pytest.mark.django_db
def test_when_vetoes_are_public_everyone_sees_who_vetoed():
    setup = make_room("alice", "bob", "carol")
    item = setup.add_item("Inception")
    veto(setup, item, "bob")

    body = read(setup, "carol")
    screen = client_for(screen_token_for(setup.room)).get(url(setup)).json()

    assert body["vetoes"] == screen["vetoes"] == [{"item_id": item.pk, "by": "bob"}]
    assert attendance(screen)["bob"]["vetoes_left"] == 0


@pytest.mark.django_db
def test_the_hosts_room_settings_for_tonight_take_effect_at_once():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    veto(setup, item, "bob")
    settings = {"vetoes_per_evening": 2, "vetoes_public": False}

    response = setup.client("alice").patch(
        f"/api/rooms/{setup.room.pk}", {"settings": settings}, format="json"
    )

    assert response.status_code == 200, response.content
    assert {name: response.json()["settings"][name] for name in settings} == settings
    body = read(setup, "bob")
    assert body["vetoes_per_evening"] == 2
    assert attendance(body)["bob"]["vetoes_left"] == 1
    assert read(setup, "alice")["vetoes"] == [{"item_id": item.pk, "by": None}]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "settings",
    [
        {"seen_share_percent": 0},
        {"seen_share_percent": 101},
        {"consensus_share_percent": 0},
        {"consensus_share_percent": 101},
        {"vetoes_per_evening": -1},
        {"vetoes_per_evening": 11},
        {"vetoes_per_evening": "2"},
        {"vetoes_public": "no"},
        {"fair_boost": 1},
    ],
)
def test_a_room_setting_for_tonight_out_of_range_is_a_400_that_changes_nothing(settings):
    setup = make_room("alice", "bob")
    before = Room.objects.values().get(pk=setup.room.pk)

    response = setup.client("alice").patch(
        f"/api/rooms/{setup.room.pk}", {"settings": settings}, format="json"
    )

    assert response.status_code == 400
    (name,) = settings
    assert list(response.json()["fields"]) == [f"settings.{name}"]
    assert Room.objects.values().get(pk=setup.room.pk) == before


# Matches


@pytest.mark.django_db
def test_an_item_every_attendee_voted_up_becomes_a_match_once():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")

    with recorded(setup.room) as events:
        up(setup, item, "alice", "bob")
        up(setup, item, "bob")

    assert [e["type"] for e in events] == ["vote_update", "vote_update", "match"]
    assert events[-1] == match_event(item, True, 2, [item.pk])
    assert read(setup)["matches"] == [item.pk]
    assert Match.objects.count() == 1


@pytest.mark.django_db
def test_only_the_up_votes_of_who_is_in_make_a_match_however_many_there_are():
    """A vote is counted again only once the item has as many up votes as tonight has
    attendees; up votes of someone out count towards that number but never make a match."""
    setup = make_room("alice", "bob", "carol", "dave")
    item = setup.add_item("Inception")
    say(setup, "carol", False)
    say(setup, "dave", False)
    up(setup, item, "carol", "dave")  # 2 up votes, as many as the 2 in, but neither is in

    with recorded(setup.room) as events:
        up(setup, item, "alice")
    assert [e["type"] for e in events] == ["vote_update"]
    assert read(setup)["matches"] == []

    with recorded(setup.room) as events:
        up(setup, item, "bob")
    assert [e["type"] for e in events] == ["vote_update", "match"]
    assert events[-1] == match_event(item, True, 2, [item.pk])


@pytest.mark.django_db
def test_a_match_through_the_api_is_told_after_the_vote_that_made_it():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    up(setup, item, "alice")

    with recorded(setup.room) as events:
        response = setup.client("bob").post(
            "/api/votes", {"item_id": item.pk, "vote": "up"}, format="json"
        )

    assert response.status_code == 200
    assert [e["type"] for e in events] == ["vote_update", "match"]
    assert events[1] == match_event(item, True, 2, [item.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["down_vote", "withdrawn_vote", "veto", "newcomer"])
def test_a_match_ends_with_a_down_vote_a_veto_or_someone_new_attending(how):
    setup = make_room("alice", "bob", "carol")
    item = setup.add_item("Inception")
    say(setup, "carol", False)
    up(setup, item, "alice", "bob")
    assert read(setup)["matches"] == [item.pk]

    with recorded(setup.room) as events:
        if how == "down_vote":
            up(setup, item, "bob", value="down")
        elif how == "withdrawn_vote":
            assert setup.client("bob").delete(f"/api/votes/{item.pk}/bob").status_code == 204
        elif how == "veto":
            assert veto(setup, item, "carol").status_code == 201
        else:
            assert say(setup, "carol", True).status_code == 200

    attendees = 3 if how == "newcomer" else 2
    assert [e for e in events if e["type"] == "match"] == [match_event(item, False, attendees, [])]
    assert read(setup)["matches"] == []
    assert Match.objects.count() == 0


@pytest.mark.django_db
def test_a_withdrawn_veto_makes_the_item_a_match_again():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    up(setup, item, "alice", "bob")
    veto(setup, item, "bob")

    with recorded(setup.room) as events:
        withdraw(setup, item, "bob")

    assert [e["type"] for e in events] == ["match", "evening_update"]
    assert events[0] == match_event(item, True, 2, [item.pk])
    assert events[1]["tonight"]["matches"] == [item.pk]


@pytest.mark.django_db
def test_a_new_member_in_tonight_ends_a_match():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    up(setup, item, "alice", "bob")

    with recorded(setup.room) as events:
        response = client_for(None).post(
            f"/api/rooms/{setup.room.code}/join", {"name": "Carol"}, format="json"
        )
        assert response.status_code == 200, response.content

    assert read(setup)["attendees"] == ["alice", "bob", "carol"]
    assert read(setup)["matches"] == []
    assert [e for e in events if e["type"] == "match"] == [match_event(item, False, 3, [])]


@pytest.mark.django_db
def test_a_friend_listed_but_not_joined_is_not_in_and_leaves_a_match_standing():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    up(setup, item, "alice", "bob")

    with recorded(setup.room) as events:
        response = setup.client("alice").post(
            f"/api/rooms/{setup.room.pk}/members",
            {"user_id": "carol", "name": "Carol"},
            format="json",
        )
        assert response.status_code == 201, response.content

    # Nobody is connected, so everyone who joined is in; carol has not joined, so cannot vote.
    assert read(setup)["attendees"] == ["alice", "bob"]
    assert read(setup)["matches"] == [item.pk]
    assert [e for e in events if e["type"] == "match"] == []


@pytest.mark.django_db
def test_a_departing_member_can_make_a_match():
    setup = make_room("alice", "bob", "carol")
    item = setup.add_item("Inception")
    up(setup, item, "alice", "bob")
    up(setup, item, "carol", value="down")
    assert read(setup)["matches"] == []

    with recorded(setup.room) as events:
        response = setup.client("carol").delete(f"/api/rooms/{setup.room.pk}/members/carol")

    assert response.status_code == 204
    assert [e for e in events if e["type"] == "match"] == [match_event(item, True, 2, [item.pk])]
    assert read(setup)["matches"] == [item.pk]


@pytest.mark.django_db
def test_someone_saying_they_are_out_can_make_a_match():
    setup = make_room("alice", "bob", "carol")
    item = setup.add_item("Inception")
    up(setup, item, "alice", "bob")

    with recorded(setup.room) as events:
        say(setup, "carol", False)

    assert [e["type"] for e in events] == ["match", "evening_update"]
    assert events[0] == match_event(item, True, 2, [item.pk])
    assert events[1]["tonight"]["matches"] == [item.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("evening_open", [True, False], ids=["evening_open", "first_thing"])
def test_connecting_and_disconnecting_make_and_end_matches(evening_open):
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    up(setup, item, "alice")
    if evening_open:
        constrain(setup, {"media": "movie"})

    with recorded(setup.room) as joined:
        tab = presence_enter(member(setup, "alice"))
    matches_while_connected = read(setup)["matches"]
    with recorded(setup.room) as left:
        presence_leave(tab)

    # Alone in tonight, alice's up vote is everyone's; once she leaves, bob is in again.
    assert [e for e in joined if e["type"] == "match"] == [match_event(item, True, 1, [item.pk])]
    assert matches_while_connected == [item.pk]
    assert [e for e in left if e["type"] == "match"] == [match_event(item, False, 2, [])]
    assert read(setup)["matches"] == []
    assert [t["attendees"] for t in evening_events(joined + left)] == [["alice"], ["alice", "bob"]]


@pytest.mark.django_db
def test_a_watched_match_is_no_match_in_the_next_evening():
    setup = make_room("alice", "bob")
    item, other = setup.add_item("Inception"), setup.add_item("Heat")
    up(setup, item, "alice", "bob")
    up(setup, other, "alice", "bob")

    history_mark_watched(item=item, by=setup.host)

    assert read(setup)["matches"] == []


# Vetoes at once


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("allowed", [1, 3])
def test_more_vetoes_at_once_than_a_member_has_leave_exactly_their_number(allowed):
    setup = make_room("alice", "bob", vetoes_per_evening=allowed)
    items = [setup.add_item(f"Film {n}") for n in range(allowed + 1)]

    def spend(i: int):
        return services.veto_add(item_id=items[i].pk, by=member(setup, "bob"))

    with recorded(setup.room) as events:
        results = race(allowed + 1, spend)

    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error"] + ["ok"] * allowed
    (error,) = [value for kind, value in results if kind == "error"]
    assert getattr(error, "code", None) == "no_vetoes_left", error
    assert Veto.objects.filter(user_id="bob").count() == allowed
    assert Attendance.objects.get(user_id="bob").vetoes_used == allowed
    assert Evening.objects.count() == 1
    assert [e["type"] for e in events] == ["evening_update"] * allowed


@pytest.mark.django_db(transaction=True)
def test_the_same_veto_sent_at_once_is_spent_once():
    setup = make_room("alice", "bob", vetoes_per_evening=3)
    item = setup.add_item("Inception")

    results = race(4, lambda i: services.veto_add(item_id=item.pk, by=member(setup, "bob")))

    codes = sorted(getattr(value, "code", "ok") for kind, value in results)
    assert codes == ["already_vetoed"] * 3 + ["ok"]
    assert Veto.objects.count() == 1
    assert Attendance.objects.get(user_id="bob").vetoes_used == 1
