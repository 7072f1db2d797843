"""Tonight's pick through the REST API: what tonight's rules leave out and every reason why, each
mode on tonight's field, the preview and its chances, and a pick when nothing is eligible. One
standing pick at a time and turning a pick down are in test_tonight_turn_down.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from history.services import history_mark_watched
from selection.models import Selection
from tests.events import recorded
from tests.factories import make_room
from tests.tonight_api import (
    MODES,
    constrain,
    eligible,
    facts,
    in_minutes,
    local_hhmm,
    mark_seen,
    ok,
    pick,
    picked,
    picks_written,
    plain,
    preview,
    reasons,
    say,
    streams,
    up,
)
from tonight.models import Evening

# What tonight's rules leave out


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [330, -480, 0], ids=["+05:30", "-08:00", "UTC"])
def test_a_finish_by_time_becomes_the_minutes_left_and_says_so_in_the_rooms_clock(offset):
    setup = make_room("alice", "bob")
    facts(setup.add_item("Heat"), runtime_minutes=170)
    facts(setup.add_item("Short Term 12"), runtime_minutes=96)
    setup.add_item("Unknown length")
    finish_by = in_minutes(150, offset)
    ok(constrain(setup, {"finish_by": finish_by}))

    seen_now = preview(setup)
    chosen = picked(setup)

    label = local_hhmm(finish_by)
    too_long = [{"code": "too_long", "text": f"too long to finish by {label} (170 min)"}]
    for body in (seen_now, chosen["reason"]):
        assert reasons(body) == {"Heat": too_long}
        assert body["constraints"]["finish_by"] == finish_by
        assert body["constraints"]["max_runtime_now"] in (148, 149, 150)
    assert sorted(eligible(seen_now)) == ["Short Term 12", "Unknown length"]
    assert chosen["item_title"] in ("Short Term 12", "Unknown length")


@pytest.mark.django_db
def test_the_smaller_of_a_maximum_runtime_and_the_time_left_counts():
    setup = make_room("alice", "bob")
    facts(setup.add_item("Heat"), runtime_minutes=170)
    facts(setup.add_item("Arrival"), runtime_minutes=116)
    facts(setup.add_item("Paddington"), runtime_minutes=95)
    ok(constrain(setup, {"finish_by": in_minutes(300, 60), "max_runtime_minutes": 100}))

    body = preview(setup)

    assert reasons(body) == {
        "Heat": [{"code": "too_long", "text": "longer than 100 min (170 min)"}],
        "Arrival": [{"code": "too_long", "text": "longer than 100 min (116 min)"}],
    }
    assert body["constraints"]["max_runtime_now"] == 100


@pytest.mark.django_db
def test_a_finish_by_time_that_has_passed_leaves_nothing_with_no_time_left():
    setup = make_room("alice", "bob")
    setup.add_item("Unknown length")
    finish_by = in_minutes(30, 60)
    ok(constrain(setup, {"finish_by": finish_by}))
    Evening.objects.update(finish_by=timezone.now() - timedelta(minutes=1))
    late = Evening.objects.get().finish_by.astimezone(timezone.get_fixed_timezone(60))

    response = pick(setup)

    assert response.status_code == 409
    assert reasons(response.json()) == {
        "Unknown length": [{"code": "too_long", "text": f"no time left before {late:%H:%M}"}]
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("media", "left_out", "text"),
    [
        ("movie", "Severance", "a show, and tonight is films only"),
        ("tv", "Heat", "a film, and tonight is shows only"),
    ],
)
def test_the_media_filter_leaves_out_the_other_kind(media, left_out, text):
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    setup.add_item("Severance", media_type="tv")
    ok(constrain(setup, {"media": media}))

    body = preview(setup)
    chosen = picked(setup)

    assert reasons(body) == {left_out: [{"code": "wrong_kind", "text": text}]}
    assert reasons(chosen["reason"]) == reasons(body)
    assert chosen["item_title"] != left_out


@pytest.mark.django_db
def test_genres_included_and_excluded_are_compared_without_case():
    setup = make_room("alice", "bob")
    facts(setup.add_item("Alien"), genres=["Horror", "Science Fiction"])
    facts(setup.add_item("Paddington"), genres=["Comedy", "Family"])
    facts(setup.add_item("Heat"), genres=["Crime", "Drama"])
    facts(setup.add_item("The Thing"), genres=["Horror"])
    setup.add_item("No genres known")
    ok(constrain(setup, {"genres_include": ["comedy", "Drama"], "genres_exclude": ["HORROR"]}))

    body = preview(setup)

    assert sorted(eligible(body)) == ["Heat", "Paddington"]
    assert reasons(body) == {
        "Alien": [
            {"code": "genre_excluded", "text": "genre Horror excluded"},
            {"code": "genre_not_included", "text": "not comedy or Drama"},
        ],
        "The Thing": [
            {"code": "genre_excluded", "text": "genre Horror excluded"},
            {"code": "genre_not_included", "text": "not comedy or Drama"},
        ],
        "No genres known": [{"code": "genre_not_included", "text": "not comedy or Drama"}],
    }


@pytest.mark.django_db
def test_streamable_only_counts_the_services_of_who_is_in_and_leaves_out_the_unknown():
    setup = make_room("alice", "bob", "carol")
    for user_id, names in (("alice", ["Netflix"]), ("bob", ["Disney Plus"]), ("carol", ["Mubi"])):
        response = setup.client(user_id).put(
            f"/api/rooms/{setup.room.pk}/members/{user_id}/services",
            {"services": names},
            format="json",
        )
        assert response.status_code == 200
    ok(say(setup, "carol", False))
    facts(setup.add_item("Heat"), providers=streams("Netflix", "Apple TV"))
    facts(setup.add_item("Encanto"), providers=streams("disney plus"))
    facts(setup.add_item("Aftersun"), providers=streams("Mubi"))
    facts(setup.add_item("Rent only"), providers={**streams(), "rent": ["Apple TV"]})
    setup.add_item("Not looked up")
    ok(constrain(setup, {"streamable_only": True}))

    body = preview(setup)
    chosen = picked(setup)

    not_ours = "not on Disney Plus or Netflix (the services you have)"
    assert sorted(eligible(body)) == ["Encanto", "Heat"]
    assert reasons(body) == {
        "Aftersun": [{"code": "not_streamable", "text": not_ours}],
        "Rent only": [{"code": "not_streamable", "text": not_ours}],
        "Not looked up": [{"code": "not_streamable", "text": "where it streams is not known"}],
    }
    assert body["constraints"]["services"] == ["Disney Plus", "Netflix"]
    assert chosen["reason"]["constraints"]["services"] == ["Disney Plus", "Netflix"]
    assert chosen["item_title"] in ("Encanto", "Heat")


@pytest.mark.django_db
def test_streamable_only_with_nobody_in_naming_a_service_leaves_everything_out():
    setup = make_room("alice", "bob")
    facts(setup.add_item("Heat"), providers=streams("Netflix"))
    ok(constrain(setup, {"streamable_only": True}))

    response = pick(setup)

    assert response.status_code == 409
    assert reasons(response.json()) == {
        "Heat": [
            {"code": "not_streamable", "text": "nobody in tonight has named a streaming service"}
        ]
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("share", "marks", "left_out"),
    [
        (50, ["bob"], {}),  # 1 of 3
        (50, ["bob", "carol"], {"Heat": "seen by 2 of 3"}),
        (30, ["bob"], {"Heat": "seen by 1 of 3"}),
        (100, ["alice", "bob"], {}),  # 2 of 3
        (100, ["alice", "bob", "carol"], {"Heat": "seen by 3 of 3"}),
        # Dan is out: what he has seen does not count.
        (50, ["dan", "carol"], {}),
    ],
)
def test_an_item_seen_by_the_rooms_share_of_attendees_is_left_out(share, marks, left_out):
    setup = make_room("alice", "bob", "carol", "dan", seen_share_percent=share)
    heat = setup.add_item("Heat")
    setup.add_item("Arrival")
    ok(say(setup, "dan", False))
    mark_seen(setup, heat, *marks)

    body = preview(setup)

    assert {title: [r["text"] for r in rows] for title, rows in reasons(body).items()} == {
        title: [text] for title, text in left_out.items()
    }


@pytest.mark.django_db
def test_a_title_the_room_watched_before_is_left_out_as_seen_by_who_was_in():
    setup = make_room("alice", "bob", "carol")
    first = setup.add_item("Inception", tmdb_id=27205)
    ok(say(setup, "carol", False))
    history_mark_watched(item=first, by=setup.host)
    setup.add_item("Inception", tmdb_id=27205)
    setup.add_item("Heat", tmdb_id=949)

    body = preview(setup)

    assert reasons(body) == {"Inception": [{"code": "seen", "text": "seen by 2 of 3"}]}


@pytest.mark.django_db
@pytest.mark.parametrize(("public", "text"), [(True, "vetoed by Bob"), (False, "vetoed")])
def test_a_vetoed_item_is_left_out_naming_the_vetoer_only_when_the_room_shows_it(public, text):
    setup = make_room("alice", "bob", vetoes_public=public)
    heat = setup.add_item("Heat")
    setup.add_item("Arrival")
    assert setup.client("bob").post(f"/api/queue/{heat.pk}/veto").status_code == 201

    body = preview(setup)
    chosen = picked(setup)

    assert reasons(body) == {"Heat": [{"code": "vetoed", "text": text}]}
    assert reasons(chosen["reason"]) == reasons(body)
    assert chosen["item_title"] == "Arrival"


@pytest.mark.django_db
@pytest.mark.parametrize("mode", MODES)
def test_every_pick_lists_each_item_left_out_with_all_its_reasons(mode):
    setup = make_room("alice", "bob", "carol", vetoes_public=True)
    alien = facts(setup.add_item("Alien", by="bob"), runtime_minutes=117, genres=["Horror"])
    severance = setup.add_item("Severance", media_type="tv")
    watching = setup.add_item("Heat")
    setup.add_item("Arrival")
    constraints = {"max_runtime_minutes": 110, "genres_exclude": ["Horror"], "media": "movie"}
    ok(constrain(setup, constraints))
    assert setup.client("carol").post(f"/api/queue/{alien.pk}/veto").status_code == 201
    mark_seen(setup, alien, "alice", "bob")
    mark_seen(setup, severance, "alice", "bob", "carol")
    assert setup.client("alice").post(f"/api/queue/{watching.pk}/watch").status_code == 200

    chosen = picked(setup, mode)

    assert chosen["item_title"] == "Arrival"
    assert plain(chosen["reason"]["excluded"]) == [
        {
            "item_id": alien.pk,
            "title": "Alien",
            "added_by": "bob",
            "reasons": [
                {"code": "vetoed", "text": "vetoed by Carol"},
                {"code": "seen", "text": "seen by 2 of 3"},
                {"code": "too_long", "text": "longer than 110 min (117 min)"},
                {"code": "genre_excluded", "text": "genre Horror excluded"},
            ],
        },
        {
            "item_id": severance.pk,
            "title": "Severance",
            "added_by": "alice",
            "reasons": [
                {"code": "seen", "text": "seen by 3 of 3"},
                {"code": "wrong_kind", "text": "a show, and tonight is films only"},
            ],
        },
        {
            "item_id": watching.pk,
            "title": "Heat",
            "added_by": "alice",
            "reasons": [{"code": "being_watched", "text": "being watched"}],
        },
    ]
    assert chosen["reason"]["attendees"] == ["alice", "bob", "carol"]
    assert chosen["reason"]["constraints"]["max_runtime_now"] == 110


# Nothing to pick


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", ["alice", "bob"])
def test_when_nothing_is_eligible_the_pick_is_a_409_with_every_reason_and_records_nothing(
    user_id,
):
    setup = make_room("alice", "bob")
    heat = facts(setup.add_item("Heat"), runtime_minutes=170)
    arrival = setup.add_item("Arrival", media_type="tv")
    ok(constrain(setup, {"max_runtime_minutes": 120, "media": "movie"}))
    before = picks_written()

    with recorded(setup.room) as events:
        response = pick(setup, user_id=user_id)

    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "nothing_eligible"
    assert body["detail"] == "Nothing can be picked: 1 of the wrong kind, 1 too long."
    assert plain(body["excluded"]) == [
        {
            "item_id": heat.pk,
            "title": "Heat",
            "added_by": "alice",
            "reasons": [{"code": "too_long", "text": "longer than 120 min (170 min)"}],
        },
        {
            "item_id": arrival.pk,
            "title": "Arrival",
            "added_by": "alice",
            "reasons": [{"code": "wrong_kind", "text": "a show, and tonight is films only"}],
        },
    ]
    assert events == []
    assert picks_written() == before
    assert preview(setup)["summary"] == body["detail"]
    assert preview(setup)["candidates"] == []


@pytest.mark.django_db
def test_nothing_eligible_before_anything_about_tonight_was_set_starts_no_evening():
    setup = make_room("alice", "bob")
    heat = setup.add_item("Heat")
    setup.client("bob").put(f"/api/queue/{heat.pk}/seen/bob")
    setup.client("alice").put(f"/api/queue/{heat.pk}/seen/alice")

    response = pick(setup)

    assert response.json()["error"] == "nothing_eligible"
    assert Evening.objects.count() == 0
    assert not Selection.objects.exists()


# The modes on tonight's field


@pytest.mark.django_db
@pytest.mark.parametrize("boost", [False, True])
def test_the_previews_chances_are_the_ones_the_weighted_pick_records(boost):
    setup = make_room("alice", "bob", "carol", fair_boost=boost)
    adders = (("Heat", "alice"), ("Arrival", "bob"), ("Alien", "carol"), ("Up", "bob"))
    films = [setup.add_item(title, by=by) for title, by in adders]
    up(setup, films[0], "alice", "bob", "carol")
    up(setup, films[1], "alice")
    up(setup, films[2], "bob", value="down")
    mark_seen(setup, films[3], "alice", "bob")

    before = preview(setup, "weighted_random")
    chosen = picked(setup, "weighted_random")

    chances = {row["item_id"]: row["chance"] for row in before["candidates"]}
    recorded_chances = {row["item_id"]: row["chance"] for row in chosen["reason"]["candidates"]}
    assert chances == recorded_chances
    assert set(chances) == {films[0].pk, films[1].pk, films[2].pk}
    assert chances[films[0].pk] > chances[films[1].pk] > chances[films[2].pk]
    assert abs(sum(chances.values()) - 100) < 0.2
    assert chosen["seed"] == chosen["reason"]["seed"]
    assert (
        reasons(chosen["reason"])
        == reasons(before)
        == {"Up": [{"code": "seen", "text": "seen by 2 of 3"}]}
    )


@pytest.mark.django_db
def test_only_the_votes_of_who_is_in_weigh_in_the_draw():
    setup = make_room("alice", "bob", "carol")
    heat, arrival = setup.add_item("Heat"), setup.add_item("Arrival")
    up(setup, heat, "carol")
    ok(say(setup, "carol", False))

    body = preview(setup, "weighted_random")

    assert {row["title"]: (row["up"], row["chance"]) for row in body["candidates"]} == {
        "Heat": (0, 50.0),
        "Arrival": (0, 50.0),
    }
    assert body["attendees"] == ["alice", "bob"]
    assert arrival.pk in {row["item_id"] for row in body["candidates"]}


@pytest.mark.django_db
def test_highest_votes_picks_the_best_voted_eligible_item():
    setup = make_room("alice", "bob")
    heat, arrival, alien = (setup.add_item(t) for t in ("Heat", "Arrival", "Alien"))
    up(setup, heat, "alice", "bob")
    up(setup, arrival, "alice")
    assert setup.client("bob").post(f"/api/queue/{heat.pk}/veto").status_code == 201

    body = preview(setup, "highest_votes")
    chosen = picked(setup, "highest_votes")

    assert [row["chance"] for row in body["candidates"]] == [None, None]
    assert chosen["item_id"] == arrival.pk
    assert chosen["reason"]["summary"] == "Arrival has the most votes (+1)."
    assert [row["item_id"] for row in chosen["reason"]["candidates"]] == [arrival.pk, alien.pk]


@pytest.mark.django_db
def test_round_robin_gives_the_turn_among_adders_with_something_eligible():
    setup = make_room("alice", "bob", "carol")
    first = facts(setup.add_item("Heat", by="carol"), runtime_minutes=170)
    setup.add_item("Arrival", by="bob")
    best = setup.add_item("Alien", by="bob")
    up(setup, best, "alice")
    ok(constrain(setup, {"max_runtime_minutes": 150}))

    body = preview(setup, "round_robin")
    chosen = picked(setup, "round_robin")

    # Carol queued first, but nothing of hers fits tonight.
    assert first.pk in {row["item_id"] for row in body["excluded"]}
    assert body["turn"] == chosen["reason"]["turn"] == "bob"
    assert chosen["item_id"] == best.pk
    assert chosen["reason"]["summary"].startswith("It is Bob's turn")


@pytest.mark.django_db
def test_consensus_picks_a_match_of_tonights_attendees():
    setup = make_room("alice", "bob", "carol")
    heat, arrival = setup.add_item("Heat"), setup.add_item("Arrival")
    up(setup, heat, "alice", "bob", "carol")
    up(setup, arrival, "alice", "bob")
    up(setup, arrival, "carol", value="down")

    body = preview(setup, "consensus")
    chosen = picked(setup, "consensus")

    assert {row["title"]: row["match"] for row in body["candidates"]} == {
        "Heat": True,
        "Arrival": False,
    }
    assert chosen["item_id"] == heat.pk
    assert chosen["reason"]["tier"] == "match"
    assert chosen["reason"]["matches"] == [heat.pk]
    assert chosen["reason"]["summary"] == "Heat is a match: all 3 voted it up."


@pytest.mark.django_db
def test_consensus_counts_a_match_among_who_is_in_tonight():
    setup = make_room("alice", "bob", "carol")
    heat, arrival = setup.add_item("Heat"), setup.add_item("Arrival")
    up(setup, arrival, "alice", "bob", "carol")
    up(setup, heat, "alice", "bob")
    up(setup, heat, "carol", value="down")
    up(setup, arrival, "alice", "bob", value="down")
    ok(say(setup, "carol", False))

    chosen = picked(setup, "consensus")

    assert chosen["item_id"] == heat.pk
    assert chosen["reason"]["tier"] == "match"
    assert chosen["reason"]["summary"] == "Heat is a match: both voted it up."


@pytest.mark.django_db
def test_consensus_without_a_match_takes_an_item_the_rooms_share_voted_up():
    setup = make_room("alice", "bob", "carol", consensus_share_percent=60)
    heat, arrival = setup.add_item("Heat"), setup.add_item("Arrival")
    up(setup, heat, "alice", "bob")
    up(setup, arrival, "alice")

    chosen = picked(setup, "consensus")

    assert chosen["item_id"] == heat.pk
    assert chosen["reason"]["tier"] == "share"
    assert chosen["reason"]["consensus_share"] == 0.6
    assert chosen["reason"]["summary"] == (
        "No film was voted up by everyone; Heat was voted up by 2 of 3, at least 60%."
    )


@pytest.mark.django_db
def test_consensus_falls_back_to_highest_votes_and_says_why():
    setup = make_room("alice", "bob", "carol", consensus_share_percent=70)
    heat, arrival = setup.add_item("Heat"), setup.add_item("Arrival")
    up(setup, heat, "alice", "bob")
    up(setup, arrival, "alice", "bob", "carol", value="down")

    chosen = picked(setup, "consensus")

    assert chosen["item_id"] == heat.pk
    assert chosen["reason"]["tier"] == "fallback"
    assert chosen["reason"]["matches"] == []
    assert chosen["reason"]["summary"] == (
        "No film had enough support (up votes from at least 70% of the 3 in tonight), so the"
        " pick used highest votes: Heat has the most votes (+2)."
    )


@pytest.mark.django_db
def test_a_vetoed_match_is_not_what_consensus_picks():
    setup = make_room("alice", "bob")
    heat, arrival = setup.add_item("Heat"), setup.add_item("Arrival")
    up(setup, heat, "alice", "bob")
    up(setup, arrival, "alice")
    assert setup.client("bob").post(f"/api/queue/{heat.pk}/veto").status_code == 201

    chosen = picked(setup, "consensus")

    assert chosen["item_id"] == arrival.pk
    assert chosen["reason"]["tier"] == "share"
