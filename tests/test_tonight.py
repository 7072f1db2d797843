"""Tonight through the REST API and its services: who is in, what each member has seen, the next
evening, the room's settings for tonight, the events each write records, and the first writes of
an evening racing to start it. Constraints and streaming services are in
test_tonight_constraints.py, vetoes and matches in test_tonight_vetoes.py, and what the pick does
with all this in test_tonight_picks.py and test_tonight_turn_down.py."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from history.models import WatchEntry
from history.services import history_mark_watched, rating_set
from realtime.presence import presence_enter, presence_leave
from rooms.models import Room
from rooms.services import member_remove
from selection.models import Selection
from tests.events import recorded
from tests.factories import client_for, make_room, race, refusal, screen_token_for
from tests.tonight_api import (
    NO_CONSTRAINTS,
    attendance,
    constrain,
    evening_events,
    in_hours,
    member,
    read,
    say,
    seen,
    tonight_rows,
    url,
    veto,
)
from tonight import services
from tonight.models import Attendance, Evening, Veto

# Who is in


@pytest.mark.django_db
def test_with_nobody_connected_every_member_is_in_and_nothing_is_set_yet():
    setup = make_room("alice", "bob", "carol")

    body = read(setup, "bob")

    assert body["evening"] is None
    assert body["attendees"] == ["alice", "bob", "carol"]
    assert body["attendance"] == [
        {"user_id": u, "in": True, "said": None, "online": False, "vetoes_left": 1}
        for u in ("alice", "bob", "carol")
    ]
    assert body["constraints"] == NO_CONSTRAINTS
    assert (body["vetoes"], body["seen"], body["matches"], body["services"]) == ([], [], [], [])
    assert body["vetoes_per_evening"] == 1
    assert Evening.objects.count() == 0


@pytest.mark.django_db
def test_when_someone_is_connected_only_the_connected_are_in():
    setup = make_room("alice", "bob", "carol")
    presence_enter(member(setup, "bob"))

    body = read(setup)

    assert body["attendees"] == ["bob"]
    assert attendance(body)["bob"]["online"] is True
    assert attendance(body)["alice"] == {
        "user_id": "alice",
        "in": False,
        "said": None,
        "online": False,
        "vetoes_left": 1,
    }


@pytest.mark.django_db
def test_a_member_says_they_are_out_then_in_and_the_room_is_told_each_time():
    setup = make_room("alice", "bob", "carol")
    presence_enter(member(setup, "alice"))

    with recorded(setup.room) as events:
        out = say(setup, "carol", False)
        back = say(setup, "carol", True)

    assert out.status_code == back.status_code == 200
    assert out.json()["attendees"] == ["alice"]
    assert attendance(out.json())["carol"]["said"] is False
    # Carol is not connected, but she said she is in.
    assert back.json()["attendees"] == ["alice", "carol"]
    assert attendance(back.json())["carol"] == {
        "user_id": "carol",
        "in": True,
        "said": True,
        "online": False,
        "vetoes_left": 1,
    }
    assert [e["type"] for e in events] == ["evening_update", "evening_update"]
    assert [t["attendees"] for t in evening_events(events)] == [["alice"], ["alice", "carol"]]
    assert Evening.objects.get().started_by == "carol"


@pytest.mark.django_db
def test_saying_the_same_again_records_nothing_more():
    setup = make_room("alice", "bob")
    say(setup, "bob", False)

    with recorded(setup.room) as events:
        response = say(setup, "bob", False)

    assert response.status_code == 200
    assert events == []


@pytest.mark.django_db
def test_null_goes_back_to_following_who_is_connected():
    setup = make_room("alice", "bob", "carol")
    presence_enter(member(setup, "alice"))
    say(setup, "bob", True)
    assert read(setup)["attendees"] == ["alice", "bob"]

    response = say(setup, "bob", None)

    assert response.status_code == 200
    assert response.json()["attendees"] == ["alice"]
    assert attendance(response.json())["bob"]["said"] is None


@pytest.mark.django_db
def test_with_nobody_connected_a_member_who_said_out_is_the_only_one_left_out():
    setup = make_room("alice", "bob", "carol")

    response = say(setup, "bob", False)

    assert response.json()["attendees"] == ["alice", "carol"]


@pytest.mark.django_db
def test_the_host_says_whether_another_member_is_in():
    setup = make_room("alice", "bob", "carol")

    response = say(setup, "bob", False, by="alice")

    assert response.status_code == 200
    assert response.json()["attendees"] == ["alice", "carol"]
    assert Attendance.objects.get(user_id="bob").attending is False


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["alice", "carol"])
def test_a_member_cannot_say_whether_someone_else_is_in_and_nothing_is_written(target):
    setup = make_room("alice", "bob", "carol")
    before = tonight_rows()

    response = say(setup, target, False, by="bob")

    assert refusal(response) == (403, "forbidden", services.SELF_OR_HOST)
    assert tonight_rows() == before


@pytest.mark.django_db
def test_a_departed_member_is_not_in_and_cannot_be_said_to_be():
    setup = make_room("alice", "bob", "carol")
    member_remove(room=setup.room, by=setup.host, user_id="carol")
    before = tonight_rows()

    response = say(setup, "carol", True, by="alice")

    assert refusal(response) == (404, "not_found", services.MEMBER_NOT_FOUND)
    assert tonight_rows() == before
    body = read(setup)
    assert body["attendees"] == ["alice", "bob"]
    assert [row["user_id"] for row in body["attendance"]] == ["alice", "bob"]


@pytest.mark.django_db
def test_a_departed_member_who_had_said_in_is_no_longer_in():
    setup = make_room("alice", "bob", "carol")
    presence_enter(member(setup, "alice"))
    say(setup, "carol", True)

    member_remove(room=setup.room, by=setup.members["carol"], user_id="carol")

    assert read(setup)["attendees"] == ["alice"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"in": ["This field is required."]}),
        ({"in": "yes"}, {"in": ["Must be true or false."]}),
        ({"in": 1}, {"in": ["Must be true or false."]}),
        ({"in": True, "out": False}, {"out": ["Unknown field."]}),
    ],
)
def test_a_bad_attendance_body_is_a_400_that_writes_nothing(body, fields):
    setup = make_room("alice", "bob")
    before = tonight_rows()

    response = setup.client("bob").put(url(setup, "/attendees/bob"), body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == fields
    assert tonight_rows() == before


@pytest.mark.django_db
def test_connecting_and_disconnecting_tell_the_room_who_is_in_once_an_evening_is_open():
    setup = make_room("alice", "bob")
    constrain(setup, {"media": "movie"})

    with recorded(setup.room) as events:
        tab = presence_enter(member(setup, "bob"))
        presence_leave(tab)

    assert [e["type"] for e in events] == [
        "user_joined",
        "evening_update",
        "user_left",
        "evening_update",
    ]
    assert [t["attendees"] for t in evening_events(events)] == [["bob"], ["alice", "bob"]]


def queries_to_read_tonight(setup) -> int:
    with CaptureQueriesContext(connection) as queries:
        read(setup, setup.host.user_id)
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_reading_tonight_takes_as_many_queries_for_a_big_evening_as_for_a_small_one():
    small = make_room("alice", "bob")
    item = small.add_item("Heat")
    veto(small, item, "bob")
    seen(small, item, "alice")
    history_mark_watched(item=small.add_item("Watched", tmdb_id=1), by=small.host)
    big = make_room(*(f"friend{n}" for n in range(8)), name="Big night")
    for n in range(12):
        film = big.add_item(f"Film {n}", tmdb_id=1000 + n)
        seen(big, film, f"friend{n % 8}")
        if n < 8:
            veto(big, film, f"friend{n}")
    history_mark_watched(item=big.add_item("Watched", tmdb_id=1), by=big.host)
    big.add_item("Watched again", tmdb_id=1)
    for n in range(8):
        say(big, f"friend{n}", n % 2 == 0)

    assert queries_to_read_tonight(big) == queries_to_read_tonight(small)


# Seen it


@pytest.mark.django_db
def test_a_member_marks_and_unmarks_that_they_have_seen_an_item():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")

    with recorded(setup.room) as events:
        marked = seen(setup, item, "bob")
        again = seen(setup, item, "bob")
        also = seen(setup, item, "alice")
    body = read(setup)
    with recorded(setup.room) as later:
        unmarked = seen(setup, item, "bob", method="delete")

    assert marked.status_code == again.status_code == also.status_code == 200
    assert marked.json() == {"item_id": item.pk, "seen_by": ["bob"]}
    assert again.json() == {"item_id": item.pk, "seen_by": ["bob"]}
    assert also.json() == {"item_id": item.pk, "seen_by": ["alice", "bob"]}
    assert events == [
        {"type": "seen_update", "item_id": item.pk, "seen_by": ["bob"]},
        {"type": "seen_update", "item_id": item.pk, "seen_by": ["alice", "bob"]},
    ]
    assert body["seen"] == [{"item_id": item.pk, "by": ["alice", "bob"]}]
    assert unmarked.json() == {"item_id": item.pk, "seen_by": ["alice"]}
    assert later == [{"type": "seen_update", "item_id": item.pk, "seen_by": ["alice"]}]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "delete"])
@pytest.mark.parametrize(("actor", "target"), [("alice", "bob"), ("bob", "alice")])
def test_nobody_marks_seen_for_someone_else_not_even_the_host(actor, target, method):
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    seen(setup, item, target)
    before = tonight_rows()

    response = seen(setup, item, target, by=actor, method=method)

    assert refusal(response) == (403, "forbidden", services.SELF_ONLY)
    assert tonight_rows() == before


@pytest.mark.django_db
def test_a_watched_item_cannot_be_marked_seen():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    history_mark_watched(item=item, by=setup.host)
    before = tonight_rows()

    response = seen(setup, item, "bob")

    assert refusal(response) == (409, "item_watched", services.ITEM_WATCHED)
    assert tonight_rows() == before


@pytest.mark.django_db
def test_tonights_seen_lists_only_items_still_in_the_queue():
    setup = make_room("alice", "bob")
    heat, arrival = setup.add_item("Heat"), setup.add_item("Arrival")
    seen(setup, heat, "bob")
    seen(setup, arrival, "bob")

    history_mark_watched(item=heat, by=setup.host)

    assert read(setup)["seen"] == [{"item_id": arrival.pk, "by": ["bob"]}]


@pytest.mark.django_db
def test_who_rated_a_title_earlier_has_seen_it_when_it_comes_back():
    setup = make_room("alice", "bob", "carol")
    first = setup.add_item("Inception", tmdb_id=27205)
    say(setup, "carol", False)
    entry = history_mark_watched(item=first, by=setup.host)
    # Carol was out, but rated it afterwards: she has seen it too.
    rating_set(entry=entry, by=setup.members["carol"], user_id="carol", rating=4)
    again = setup.add_item("Inception", tmdb_id=27205)
    other = setup.add_item("Heat", tmdb_id=949)

    body = read(setup)
    marked = seen(setup, again, "bob", method="delete")

    assert body["seen"] == [{"item_id": again.pk, "by": ["alice", "bob", "carol"]}]
    assert other.pk not in {row["item_id"] for row in body["seen"]}
    # Seen in the room's history is not a mark to take back.
    assert marked.json() == {"item_id": again.pk, "seen_by": ["alice", "bob", "carol"]}


@pytest.mark.django_db
def test_who_was_in_when_a_title_was_watched_has_seen_it():
    setup = make_room("alice", "bob", "carol")
    first = setup.add_item("Arrival", tmdb_id=329865)
    say(setup, "bob", False)
    history_mark_watched(item=first, by=setup.host)
    show = setup.add_item("Arrival", tmdb_id=329865, media_type="tv")
    again = setup.add_item("Arrival (again)", tmdb_id=329865)

    seen_by = {row["item_id"]: row["by"] for row in read(setup)["seen"]}

    assert seen_by == {again.pk: ["alice", "carol"]}
    assert show.pk not in seen_by


# The next evening


@pytest.mark.django_db
def test_the_host_starts_a_new_evening_that_keeps_the_constraints():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    finish_by = in_hours(3, "+02:00")
    constrain(setup, {"finish_by": finish_by, "genres_exclude": ["Horror"], "media": "movie"})
    say(setup, "bob", False)
    veto(setup, item, "alice")
    first = Evening.objects.get()

    with recorded(setup.room) as events:
        response = setup.client("alice").post(url(setup, "/new"))

    assert response.status_code == 201
    body = response.json()
    assert body["evening"]["id"] != first.pk
    assert body["evening"]["started_by"] == "alice"
    assert body["constraints"] == {
        **NO_CONSTRAINTS,
        "finish_by": finish_by,
        "genres_exclude": ["Horror"],
        "media": "movie",
    }
    assert (body["attendees"], body["vetoes"]) == (["alice", "bob"], [])
    assert [e["type"] for e in events] == ["evening_update"]
    assert events[0]["tonight"]["evening"]["id"] == body["evening"]["id"]
    first.refresh_from_db()
    assert first.ended_at is not None
    assert Evening.objects.filter(ended_at=None).count() == 1


@pytest.mark.django_db
def test_a_finish_by_time_that_has_passed_is_dropped_by_the_next_evening():
    setup = make_room("alice", "bob")
    constrain(setup, {"finish_by": in_hours(1), "max_runtime_minutes": 100})
    Evening.objects.update(finish_by=timezone.now() - timedelta(minutes=5))

    response = setup.client("alice").post(url(setup, "/new"))

    assert response.json()["constraints"] == {**NO_CONSTRAINTS, "max_runtime_minutes": 100}
    evening = Evening.objects.get(ended_at=None)
    assert (evening.finish_by, evening.finish_by_offset_minutes) == (None, None)


@pytest.mark.django_db
def test_a_member_cannot_start_a_new_evening_and_nothing_is_written():
    setup = make_room("alice", "bob")
    constrain(setup, {"media": "movie"})
    before = tonight_rows()

    response = setup.client("bob").post(url(setup, "/new"))

    assert refusal(response) == (403, "forbidden", services.HOST_ONLY_NEW_EVENING)
    assert tonight_rows() == before
    assert Evening.objects.get().ended_at is None


@pytest.mark.django_db
def test_marking_an_item_watched_starts_the_next_evening_and_tells_the_room():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    constrain(setup, {"media": "movie"})
    say(setup, "bob", False)

    with recorded(setup.room) as events:
        response = setup.client("bob").post(f"/api/queue/{item.pk}/watched")

    assert response.status_code == 201
    assert [e["type"] for e in events] == ["evening_update", "queue_update", "history_update"]
    tonight = events[0]["tonight"]
    assert tonight["attendees"] == ["alice", "bob"]
    assert tonight["constraints"]["media"] == "movie"
    assert Evening.objects.filter(ended_at=None).count() == 1
    assert Evening.objects.count() == 2
    # Who was in the evening that ended has seen it.
    assert WatchEntry.objects.get().watched_by == ["alice"]


@pytest.mark.django_db
def test_an_evening_update_carries_tonight_as_a_screen_reads_it():
    setup = make_room("alice", "bob", vetoes_public=False)
    item = setup.add_item("Inception")
    seen(setup, item, "alice")

    with recorded(setup.room) as events:
        veto(setup, item, "bob")

    screen = client_for(screen_token_for(setup.room)).get(url(setup))
    assert events == [{"type": "evening_update", "tonight": screen.json()}]


# Starting the evening at once


@pytest.mark.django_db(transaction=True)
def test_first_writes_at_once_start_one_evening():
    setup = make_room("alice", "bob", "carol", "dan")
    item = setup.add_item("Inception")
    writes = [
        lambda: services.tonight_update(room=Room.objects.get(), by=member(setup, "alice"),
                                        media="movie"),
        lambda: services.attendance_set(room=Room.objects.get(), by=member(setup, "bob"),
                                        user_id="bob", attending=False),
        lambda: services.veto_add(item_id=item.pk, by=member(setup, "carol")),
        lambda: services.tonight_update(room=Room.objects.get(), by=member(setup, "dan"),
                                        max_runtime_minutes=120),
    ]  # fmt: skip

    results = race(len(writes), lambda i: writes[i]())

    assert [kind for kind, _ in results] == ["ok"] * len(writes), results
    evening = Evening.objects.get()
    assert evening.ended_at is None
    assert (evening.media, evening.max_runtime_minutes) == ("movie", 120)
    assert Attendance.objects.filter(evening=evening).count() == 2
    assert Veto.objects.get().evening == evening
    assert not Selection.objects.exists()
