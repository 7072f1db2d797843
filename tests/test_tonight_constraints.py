"""Tonight's constraints and the members' streaming services through the REST API: each field set
and cleared, every bad value a 400 that writes nothing, and the events they record. What the pick
makes of them is in test_tonight_picks.py."""

import pytest
from django.utils import timezone

from tests.events import recorded
from tests.factories import make_room, refusal
from tests.tonight_api import (
    NO_CONSTRAINTS,
    constrain,
    evening_events,
    in_hours,
    member,
    read,
    say,
    tonight_rows,
)
from tonight import services
from tonight.models import Evening

# Constraints


FINISH_BY = "finish_by"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_runtime_minutes", 120),
        ("max_runtime_minutes", 1),
        ("max_runtime_minutes", 1000),
        ("genres_include", ["Comedy", "Drama"]),
        ("genres_exclude", ["Horror"]),
        ("media", "movie"),
        ("media", "tv"),
        ("streamable_only", True),
    ],
)
def test_each_constraint_is_set_by_any_member_and_the_room_is_told(field, value):
    setup = make_room("alice", "bob")

    with recorded(setup.room) as events:
        response = constrain(setup, {field: value}, user_id="bob")

    assert response.status_code == 200, response.content
    assert response.json()["constraints"] == {**NO_CONSTRAINTS, field: value}
    assert read(setup)["constraints"] == {**NO_CONSTRAINTS, field: value}
    assert [e["type"] for e in events] == ["evening_update"]
    assert events[0]["tonight"]["constraints"] == {**NO_CONSTRAINTS, field: value}
    assert Evening.objects.get().started_by == "bob"


@pytest.mark.django_db
@pytest.mark.parametrize("offset", ["+05:30", "-08:00", "+00:00"])
def test_a_finish_by_time_is_kept_with_the_offset_it_was_given_in(offset):
    setup = make_room("alice", "bob")
    finish_by = in_hours(2, offset)

    response = constrain(setup, {FINISH_BY: finish_by})

    assert response.status_code == 200, response.content
    assert response.json()["constraints"][FINISH_BY] == finish_by
    assert read(setup, "bob")["constraints"][FINISH_BY] == finish_by
    evening = Evening.objects.get()
    assert evening.finish_by == timezone.datetime.fromisoformat(finish_by)


@pytest.mark.django_db
def test_the_same_finish_by_time_given_in_another_offset_takes_that_offset():
    setup = make_room("alice", "bob")
    in_paris = in_hours(2, "+01:00")
    in_london = timezone.datetime.fromisoformat(in_paris).astimezone(timezone.get_fixed_timezone(0))
    constrain(setup, {FINISH_BY: in_paris})

    with recorded(setup.room) as events:
        response = constrain(setup, {FINISH_BY: in_london.isoformat()})

    assert response.json()["constraints"][FINISH_BY] == in_london.isoformat()
    assert read(setup)["constraints"][FINISH_BY] == in_london.isoformat()
    assert [t["constraints"][FINISH_BY] for t in evening_events(events)] == [in_london.isoformat()]


@pytest.mark.django_db
def test_only_the_fields_given_change():
    setup = make_room("alice", "bob")
    constrain(setup, {"genres_exclude": ["Horror"], "media": "movie"})

    response = constrain(setup, {"max_runtime_minutes": 150})

    assert response.json()["constraints"] == {
        **NO_CONSTRAINTS,
        "genres_exclude": ["Horror"],
        "media": "movie",
        "max_runtime_minutes": 150,
    }


@pytest.mark.django_db
def test_constraints_are_cleared_with_null_and_empty_lists():
    setup = make_room("alice", "bob")
    constrain(
        setup,
        {
            FINISH_BY: in_hours(3),
            "max_runtime_minutes": 100,
            "genres_include": ["Comedy"],
            "genres_exclude": ["Horror"],
            "media": "tv",
            "streamable_only": True,
        },
    )

    response = constrain(
        setup,
        {
            FINISH_BY: None,
            "max_runtime_minutes": None,
            "genres_include": [],
            "genres_exclude": [],
            "media": "both",
            "streamable_only": False,
        },
    )

    assert response.status_code == 200
    assert response.json()["constraints"] == NO_CONSTRAINTS
    evening = Evening.objects.get()
    assert (evening.finish_by, evening.finish_by_offset_minutes) == (None, None)


@pytest.mark.django_db
def test_a_patch_that_changes_nothing_records_nothing():
    setup = make_room("alice", "bob")
    constrain(setup, {"media": "movie"})

    with recorded(setup.room) as events:
        response = constrain(setup, {"media": "movie"})

    assert response.status_code == 200
    assert events == []


@pytest.mark.django_db
def test_genres_repeated_in_a_list_are_kept_once():
    setup = make_room("alice", "bob")

    response = constrain(setup, {"genres_include": ["Comedy", "Comedy", "Drama"]})

    assert response.json()["constraints"]["genres_include"] == ["Comedy", "Drama"]


NAIVE = "Give the time with its UTC offset, such as 2026-12-01T23:30:00+01:00."
NOT_A_TIME = "Must be a date and time as ISO 8601 text."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({FINISH_BY: "2030-01-01T23:30:00"}, {FINISH_BY: [NAIVE]}),
        ({FINISH_BY: "tonight"}, {FINISH_BY: [NOT_A_TIME]}),
        ({FINISH_BY: 2330}, {FINISH_BY: [NOT_A_TIME]}),
        ({FINISH_BY: "past"}, {FINISH_BY: [services.FINISH_BY_PASSED]}),
        ({FINISH_BY: "far"}, {FINISH_BY: [services.FINISH_BY_TOO_FAR]}),
        ({"max_runtime_minutes": 0}, {"max_runtime_minutes": None}),
        ({"max_runtime_minutes": 1001}, {"max_runtime_minutes": None}),
        ({"max_runtime_minutes": "90"}, {"max_runtime_minutes": ["Must be an integer."]}),
        ({"max_runtime_minutes": 90.5}, {"max_runtime_minutes": ["Must be an integer."]}),
        ({"max_runtime_minutes": True}, {"max_runtime_minutes": ["Must be an integer."]}),
        ({"streamable_only": "yes"}, {"streamable_only": ["Must be true or false."]}),
        ({"streamable_only": None}, {"streamable_only": None}),
        ({"media": "films"}, {"media": ['"films" is not a valid choice.']}),
        ({"media": 1}, {"media": None}),
        ({"genres_include": "Comedy"}, {"genres_include": None}),
        ({"genres_exclude": [1]}, {"genres_exclude.0": None}),
        ({"genres_include": None}, {"genres_include": None}),
        ({"genres_include": [f"Genre {n}" for n in range(21)]}, {"genres_include": None}),
        ({"genres_include": ["x" * 61]}, {"genres_include.0": None}),
        ({"mood": "cosy"}, {"mood": ["Unknown field."]}),
    ],
)
def test_a_bad_constraint_is_a_400_naming_it_that_writes_nothing(body, fields):
    setup = make_room("alice", "bob")
    body = {
        name: (in_hours(-1) if value == "past" else in_hours(25) if value == "far" else value)
        for name, value in body.items()
    }
    before = tonight_rows()

    response = constrain(setup, body, user_id="bob")

    assert response.status_code == 400, response.content
    got = response.json()["fields"]
    assert set(got) == set(fields)
    for name, messages in fields.items():
        if messages is not None:
            assert got[name] == messages
    assert tonight_rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bodies",
    [
        [{"genres_include": ["Horror", "Comedy"], "genres_exclude": ["horror"]}],
        [{"genres_include": ["Horror"]}, {"genres_exclude": ["HORROR"]}],
        [{"genres_exclude": ["Horror"]}, {"genres_include": ["horror"]}],
    ],
)
def test_a_genre_both_included_and_excluded_is_a_400_that_writes_nothing(bodies):
    setup = make_room("alice", "bob")
    *earlier, last = bodies
    for body in earlier:
        assert constrain(setup, body).status_code == 200
    before = tonight_rows()
    constraints_before = read(setup)["constraints"]

    response = constrain(setup, last)

    message = services.GENRE_BOTH_WAYS.format(genres="horror")
    assert refusal(response) == (400, "invalid", message)
    assert response.json()["fields"] == {"genres_exclude": [message]}
    assert tonight_rows() == before
    assert read(setup)["constraints"] == constraints_before


@pytest.mark.django_db
def test_a_finish_by_time_near_the_24_hour_limit_is_accepted():
    setup = make_room("alice", "bob")

    response = constrain(setup, {FINISH_BY: in_hours(23.9)})

    assert response.status_code == 200


# Streaming services


@pytest.mark.django_db
def test_a_member_names_their_services_and_tonights_are_those_of_who_is_in():
    setup = make_room("alice", "bob", "carol")

    with recorded(setup.room) as events:
        response = setup.client("bob").put(
            f"/api/rooms/{setup.room.pk}/members/bob/services",
            {"services": ["Netflix", "Disney Plus", "Netflix"]},
            format="json",
        )
    setup.client("carol").put(
        f"/api/rooms/{setup.room.pk}/members/carol/services",
        {"services": ["Mubi"]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["user_id"] == "bob"
    assert response.json()["services"] == ["Netflix", "Disney Plus"]
    assert member(setup, "bob").services == ["Netflix", "Disney Plus"]
    assert [e["type"] for e in events] == ["evening_update"]
    assert events[0]["tonight"]["services"] == ["Disney Plus", "Netflix"]
    assert read(setup)["services"] == ["Disney Plus", "Mubi", "Netflix"]

    say(setup, "carol", False)

    assert read(setup)["services"] == ["Disney Plus", "Netflix"]


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "target"), [("alice", "bob"), ("bob", "alice")])
def test_nobody_names_someone_elses_services(actor, target):
    setup = make_room("alice", "bob")
    before = tonight_rows()

    response = setup.client(actor).put(
        f"/api/rooms/{setup.room.pk}/members/{target}/services",
        {"services": ["Netflix"]},
        format="json",
    )

    assert refusal(response) == (403, "forbidden", services.SELF_ONLY)
    assert tonight_rows() == before
    assert member(setup, target).services == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [{}, {"services": "Netflix"}, {"services": [1]}, {"services": ["x" * 81]},
     {"services": [f"S{n}" for n in range(41)]}, {"services": [], "region": "GB"}],
)  # fmt: skip
def test_a_bad_services_body_is_a_400_that_writes_nothing(body):
    setup = make_room("alice", "bob")
    before = tonight_rows()

    response = setup.client("bob").put(
        f"/api/rooms/{setup.room.pk}/members/bob/services", body, format="json"
    )

    assert response.status_code == 400
    assert tonight_rows() == before
