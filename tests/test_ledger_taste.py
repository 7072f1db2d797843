"""The fairness ledger and the group's taste: the arithmetic on plain rows, the services on a
history built through the real services, the two endpoints with the owner / member / outsider
trio and a screen, what they cost in queries, the schema and README, and the history page's
taste panel in Chromium."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from playwright.sync_api import expect

from history.facts import EntryFact, MemberFact, RatingFact
from history.ledger import LEDGER_RULE, ledger_rows, mean, room_ledger, room_ledger_rows
from history.services import history_mark_watched, rating_set
from history.taste import agreements, genre_tastes, member_tastes, room_taste, similarity, taste
from rooms.auth import OTHER_ROOM, TOKEN_REQUIRED
from rooms.services import ROOM_NOT_FOUND, member_remove
from selection.algorithms import LedgerEntry
from tests.browser import LAPTOP, PHONE, Watched, chromium, screenshot
from tests.factories import RoomSetup, client_for, make_room, refusal, screen_token_for
from tests.live_server import django_shell
from tonight.models import Evening

README = Path(__file__).resolve().parent.parent / "README.md"
UNKNOWN_ID = "0" * 24
T = datetime(2025, 1, 3, 20, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def members(*user_ids: str) -> list[MemberFact]:
    return [MemberFact(u, u.title(), "") for u in user_ids]


def entry(entry_id: str, added_by: str, at: datetime, *genres: str) -> EntryFact:
    return EntryFact(entry_id, entry_id.title(), added_by, at, genres)


def ratings(*rows: tuple[str, str, int]) -> list[RatingFact]:
    return [RatingFact(*row) for row in rows]


# The ledger's arithmetic


def test_watched_counts_the_entries_each_member_added_and_nobody_elses():
    rows = ledger_rows(
        members("alice", "bob"),
        [entry("heat", "alice", T), entry("alien", "alice", T + DAY), entry("up", "dave", T)],
        [],
        [],
    )
    assert {row.user_id: row.entry.watched for row in rows} == {"alice": 2, "bob": 0}


def test_evenings_since_last_counts_evenings_started_after_the_latest_watch():
    starts = [T - HOUR, T + DAY, T + 2 * DAY, T + 3 * DAY]
    rows = ledger_rows(
        members("alice", "bob", "carol"),
        [
            entry("heat", "alice", T),
            entry("alien", "alice", T + DAY + HOUR),
            entry("up", "bob", T),
            # Watched the very moment the last evening started: that evening is not after it.
            entry("brazil", "carol", T + 3 * DAY),
        ],
        [],
        starts,
    )
    waited = {row.user_id: row.entry.evenings_since_last for row in rows}
    assert waited == {"alice": 2, "bob": 3, "carol": 0}
    alice = next(row for row in rows if row.user_id == "alice")
    assert (alice.last_watched_title, alice.last_watched_at) == ("Alien", T + DAY + HOUR)


def test_a_member_with_nothing_watched_has_no_evenings_and_no_average():
    (row,) = ledger_rows(members("carol"), [], ratings(("heat", "carol", 5)), [T, T + DAY])
    assert row.entry == LedgerEntry("carol", 0, None, None)
    assert (row.ratings, row.last_watched_title, row.last_watched_at) == (0, None, None)


def test_the_average_is_of_every_rating_their_entries_got_rounded_half_up():
    rows = ledger_rows(
        members("alice"),
        [entry("heat", "alice", T), entry("alien", "alice", T)],
        # 33 / 8 = 4.125: half up is 4.13 (Python's round() would say 4.12).
        ratings(
            ("heat", "alice", 5),
            ("heat", "bob", 4),
            ("heat", "gone", 4),
            ("heat", "carol", 4),
            ("alien", "alice", 4),
            ("alien", "bob", 4),
            ("alien", "carol", 4),
            ("alien", "gone", 4),
            ("elsewhere", "alice", 1),
        ),
        [],
    )
    assert (rows[0].entry.average_rating, rows[0].ratings) == (4.13, 8)


def test_rows_come_in_turn_order_with_each_tie_break():
    starts = [T + n * DAY for n in range(6)]
    rows = ledger_rows(
        members("zoe", "yann", "xena", "will", "vera"),
        [
            entry("a", "zoe", T + HOUR),  # 1 watched, waited 5
            entry("b", "yann", T + 4 * DAY + HOUR),  # 1 watched, waited 1
            entry("c", "xena", T + HOUR),  # 1 watched, waited 5: tie with zoe
            entry("d", "will", T + HOUR),
            entry("e", "will", T + HOUR),  # 2 watched
        ],
        [],
        starts,
    )
    # vera never had one; xena and zoe waited longest (lowest user_id first); then yann; will.
    assert [row.user_id for row in rows] == ["vera", "xena", "zoe", "yann", "will"]


def test_mean_rounds_half_up_and_has_none_for_nothing():
    assert [mean(33, 8), mean(13, 3), mean(9, 2), mean(0, 0)] == [4.13, 4.33, 4.5, None]


# The taste's arithmetic


def test_genres_average_their_ratings_and_sort_by_average_then_ratings_then_name():
    entries = [
        entry("heat", "alice", T, "Crime", "Drama", "Action"),
        entry("arrival", "bob", T, "Drama", "Science Fiction"),
        entry("alien", "alice", T, "Horror", "Science Fiction"),
        entry("unrated", "bob", T, "Western", "Drama"),
    ]
    given = ratings(
        ("heat", "alice", 5),
        ("heat", "bob", 4),
        ("heat", "carol", 4),
        ("heat", "gone", 2),
        ("arrival", "alice", 4),
        ("arrival", "bob", 5),
        ("arrival", "carol", 3),
        ("alien", "alice", 3),
        ("alien", "bob", 2),
        ("alien", "carol", 5),
    )
    assert genre_tastes(entries, given) == [
        {"genre": "Drama", "average_rating": 3.86, "entries": 3, "ratings": 7},
        {"genre": "Action", "average_rating": 3.75, "entries": 1, "ratings": 4},
        {"genre": "Crime", "average_rating": 3.75, "entries": 1, "ratings": 4},
        {"genre": "Science Fiction", "average_rating": 3.67, "entries": 2, "ratings": 6},
        {"genre": "Horror", "average_rating": 3.33, "entries": 1, "ratings": 3},
    ]


def test_a_tie_on_the_average_goes_to_the_genre_with_more_ratings():
    entries = [entry("a", "x", T, "Zany"), entry("b", "x", T, "Arty")]
    given = ratings(("a", "p", 4), ("a", "q", 4), ("b", "p", 4))
    assert [g["genre"] for g in genre_tastes(entries, given)] == ["Zany", "Arty"]


def test_each_member_has_the_picks_they_added_and_the_ratings_they_gave():
    entries = [entry("heat", "alice", T), entry("alien", "alice", T), entry("up", "gone", T)]
    given = ratings(("heat", "bob", 4), ("alien", "bob", 1), ("heat", "gone", 3), ("up", "bob", 5))
    assert member_tastes(members("alice", "bob"), entries, given) == [
        {
            "user_id": "alice",
            "name": "Alice",
            "avatar": "",
            "picks": {"count": 2, "ratings": 3, "average_rating": 2.67},
            "given": {"count": 0, "average_rating": None},
        },
        {
            "user_id": "bob",
            "name": "Bob",
            "avatar": "",
            "picks": {"count": 0, "ratings": 0, "average_rating": None},
            "given": {"count": 3, "average_rating": 3.33},
        },
    ]


def test_agreement_needs_two_shared_films_and_compares_their_ratings():
    given = ratings(
        ("heat", "alice", 5),
        ("heat", "bob", 4),
        ("heat", "carol", 1),
        ("alien", "alice", 3),
        ("alien", "bob", 3),
        ("alien", "gone", 3),
        ("up", "alice", 2),
        ("up", "gone", 2),
        ("brazil", "carol", 2),
    )
    # alice and bob: gaps 1 and 0; carol shares one film with each; gone has left.
    assert agreements(members("alice", "bob", "carol"), given) == [
        {"user_ids": ["alice", "bob"], "shared": 2, "mean_difference": 0.5, "similarity": 88}
    ]


def test_similarity_is_a_whole_percentage_rounded_half_up():
    # Gaps of 1 over 2 films: 87.5 %; of 3 over 2: 62.5 %; of 4 over 3: 66.67 %.
    assert [similarity(1, 2), similarity(3, 2), similarity(4, 3), similarity(0, 5)] == [
        88,
        63,
        67,
        100,
    ]
    assert similarity(8, 2) == 0


def test_pairs_sort_by_similarity_then_shared_then_the_rooms_order():
    given = ratings(
        *[(film, user, 3) for film in ("a", "b") for user in ("carol", "bob")],
        *[(film, user, 3) for film in ("a", "b", "c") for user in ("alice", "dave")],
        ("a", "erin", 5),
        ("b", "erin", 5),
    )
    pairs = agreements(members("alice", "bob", "carol", "dave", "erin"), given)
    assert [(p["user_ids"], p["shared"], p["similarity"]) for p in pairs][:4] == [
        (["alice", "dave"], 3, 100),
        (["alice", "bob"], 2, 100),
        (["alice", "carol"], 2, 100),
        (["bob", "carol"], 2, 100),
    ]
    assert pairs[-1]["similarity"] == 50


def test_the_taste_of_a_history_without_ratings_is_empty_but_lists_the_members():
    result = taste(members("alice"), [entry("heat", "alice", T, "Crime")], [])
    assert result == {
        "genres": [],
        "members": [
            {
                "user_id": "alice",
                "name": "Alice",
                "avatar": "",
                "picks": {"count": 1, "ratings": 0, "average_rating": None},
                "given": {"count": 0, "average_rating": None},
            }
        ],
        "agreement": [],
        "ratings": 0,
        "entries": 1,
    }
    assert json.loads(json.dumps(result)) == result


# The services on a real history


def build_history() -> RoomSetup:
    """alice (host), bob, carol and dave, who leaves after adding Brazil and rating Heat.

    Heat (alice) is watched on the evening of T, Arrival (bob) a day later, Alien (alice) two
    days later, Brazil (dave) three: each watch ends its evening and starts the next, which is
    put on the same clock; the last is still open.
    """
    setup = make_room("alice", "bob", "carol", "dave")
    room, people = setup.room, setup.members
    films = [
        ("Heat", "alice", ["Action", "Crime", "Drama"], {"alice": 5, "bob": 4, "carol": 4}),
        ("Arrival", "bob", ["Drama", "Science Fiction"], {"alice": 4, "bob": 5, "carol": 3}),
        ("Alien", "alice", ["Horror", "Science Fiction"], {"alice": 3, "bob": 2, "carol": 5}),
        ("Brazil", "dave", ["Comedy"], {"alice": 1, "bob": 2}),
    ]
    for day, (title, adder, genres, given) in enumerate(films):
        item = setup.add_item(title, by=adder)
        item.genres = genres  # as TMDB's answer fills them in
        item.save(update_fields=["genres"])
        watched = history_mark_watched(
            item=item, by=people["alice"], watched_at=T + day * DAY + HOUR
        )
        Evening.objects.filter(room=room, ended_at=None).update(started_at=T + day * DAY + 2 * HOUR)
        for user_id, value in given.items():
            rating_set(entry=watched, by=people[user_id], user_id=user_id, rating=value)
        if title == "Heat":
            rating_set(entry=watched, by=people["dave"], user_id="dave", rating=2)
    member_remove(room=room, by=people["dave"], user_id="dave")
    return setup


@pytest.mark.django_db
def test_the_rooms_ledger_follows_its_history_in_turn_order():
    setup = build_history()

    assert room_ledger(setup.room) == [
        LedgerEntry("carol", watched=0, evenings_since_last=None, average_rating=None),
        LedgerEntry("bob", watched=1, evenings_since_last=2, average_rating=4.0),
        # Heat's 5, 4, 4 and dave's 2, and Alien's 3, 2, 5: 25 / 7.
        LedgerEntry("alice", watched=2, evenings_since_last=1, average_rating=3.57),
    ]
    alice = room_ledger_rows(setup.room)[-1]
    assert (alice.name, alice.avatar, alice.ratings) == ("Alice", "🦊", 7)
    assert (alice.last_watched_title, alice.last_watched_at) == ("Alien", T + 2 * DAY + HOUR)


@pytest.mark.django_db
def test_the_rooms_taste_follows_its_ratings():
    setup = build_history()

    result = room_taste(setup.room)

    assert [
        (g["genre"], g["average_rating"], g["entries"], g["ratings"]) for g in result["genres"]
    ] == [
        ("Drama", 3.86, 2, 7),
        ("Action", 3.75, 1, 4),
        ("Crime", 3.75, 1, 4),
        ("Science Fiction", 3.67, 2, 6),
        ("Horror", 3.33, 1, 3),
        ("Comedy", 1.5, 1, 2),
    ]
    assert [(m["user_id"], m["picks"], m["given"]) for m in result["members"]] == [
        ("alice", {"count": 2, "ratings": 7, "average_rating": 3.57},
         {"count": 4, "average_rating": 3.25}),
        ("bob", {"count": 1, "ratings": 3, "average_rating": 4.0},
         {"count": 4, "average_rating": 3.25}),
        ("carol", {"count": 0, "ratings": 0, "average_rating": None},
         {"count": 3, "average_rating": 4.0}),
    ]  # fmt: skip
    assert result["agreement"] == [
        {"user_ids": ["alice", "bob"], "shared": 4, "mean_difference": 1.0, "similarity": 75},
        {"user_ids": ["alice", "carol"], "shared": 3, "mean_difference": 1.33, "similarity": 67},
        {"user_ids": ["bob", "carol"], "shared": 3, "mean_difference": 1.67, "similarity": 58},
    ]
    assert (result["ratings"], result["entries"]) == (12, 4)


@pytest.mark.django_db
def test_another_rooms_history_does_not_count():
    setup = build_history()
    other = make_room("alice", "bob", name="Another room")
    watched = history_mark_watched(item=other.add_item("Heat", by="bob"), by=other.host)
    rating_set(entry=watched, by=other.host, user_id="alice", rating=1)

    assert room_ledger(setup.room)[-1].average_rating == 3.57
    assert room_taste(setup.room)["ratings"] == 12
    assert room_ledger(other.room) == [
        LedgerEntry("alice", watched=0, evenings_since_last=None, average_rating=None),
        LedgerEntry("bob", watched=1, evenings_since_last=0, average_rating=1.0),
    ]


# The endpoints


def ledger_url(setup: RoomSetup) -> str:
    return f"/api/rooms/{setup.room.pk}/ledger"


def taste_url(setup: RoomSetup) -> str:
    return f"/api/rooms/{setup.room.pk}/taste"


@pytest.mark.django_db
def test_a_member_reads_the_ledger_with_its_rule():
    setup = build_history()

    response = setup.client("bob").get(ledger_url(setup))

    assert response.status_code == 200
    body = response.json()
    assert body["rule"] == LEDGER_RULE
    assert [row["user_id"] for row in body["members"]] == ["carol", "bob", "alice"]
    assert body["members"][2] == {
        "user_id": "alice",
        "name": "Alice",
        "avatar": "🦊",
        "watched": 2,
        "evenings_since_last": 1,
        "average_rating": 3.57,
        "ratings": 7,
        "last_watched_title": "Alien",
        "last_watched_at": "2025-01-05T21:00:00Z",
    }
    assert body["members"][0] == {
        "user_id": "carol",
        "name": "Carol",
        "avatar": "",
        "watched": 0,
        "evenings_since_last": None,
        "average_rating": None,
        "ratings": 0,
        "last_watched_title": None,
        "last_watched_at": None,
    }


@pytest.mark.django_db
def test_a_member_reads_the_taste_as_the_service_computes_it():
    setup = build_history()

    response = setup.client("carol").get(taste_url(setup))

    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(room_taste(setup.room)))


@pytest.mark.django_db
@pytest.mark.parametrize("url", [ledger_url, taste_url])
def test_the_owner_a_member_and_a_screen_read_them_and_others_do_not(trio, url):
    setup, other = trio
    path = url(setup)

    assert setup.client("alice").get(path).status_code == 200
    assert setup.client("bob").get(path).status_code == 200
    assert client_for(screen_token_for(setup.room)).get(path).status_code == 200
    assert client_for(None).get(path, {"token": setup.tokens["bob"]}).status_code == 200
    assert refusal(other.client("mallory").get(path)) == (403, "forbidden", OTHER_ROOM)
    assert refusal(client_for(screen_token_for(other.room)).get(path)) == (
        403,
        "forbidden",
        OTHER_ROOM,
    )
    assert refusal(client_for(None).get(path)) == (401, "not_authenticated", TOKEN_REQUIRED)
    assert client_for("not-a-token").get(path).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["ledger", "taste"])
def test_a_room_that_does_not_exist_is_a_404_and_writing_is_a_405(trio, name):
    setup, _ = trio
    missing = setup.client("alice").get(f"/api/rooms/{UNKNOWN_ID}/{name}")
    assert refusal(missing) == (404, "not_found", ROOM_NOT_FOUND)
    assert setup.client("alice").post(f"/api/rooms/{setup.room.pk}/{name}").status_code == 405


@pytest.mark.django_db
def test_a_room_with_no_history_has_an_empty_taste_and_everyone_first_in_line(trio):
    setup, _ = trio
    ledger = setup.client("alice").get(ledger_url(setup)).json()
    assert [(m["user_id"], m["watched"]) for m in ledger["members"]] == [("alice", 0), ("bob", 0)]
    assert setup.client("bob").get(taste_url(setup)).json() == {
        "genres": [],
        "members": [
            {
                "user_id": user_id,
                "name": user_id.title(),
                "avatar": avatar,
                "picks": {"count": 0, "ratings": 0, "average_rating": None},
                "given": {"count": 0, "average_rating": None},
            }
            for user_id, avatar in [("alice", "🦊"), ("bob", "")]
        ],
        "agreement": [],
        "ratings": 0,
        "entries": 0,
    }


# What they cost


def long_history(films: int) -> RoomSetup:
    """`films` films watched, one an evening, added in turn by three members and rated by two."""
    setup = make_room("alice", "bob", "carol")
    adders = ["alice", "bob", "carol"]
    for n in range(films):
        Evening.objects.create(room=setup.room, started_at=T + n * DAY, ended_at=T + n * DAY)
        item = setup.add_item(f"Film {n}", by=adders[n % 3])
        item.genres = ["Drama", ["Comedy", "Horror", "Action"][n % 3]]
        item.save(update_fields=["genres"])
        watched = history_mark_watched(item=item, by=setup.host, watched_at=T + n * DAY + HOUR)
        for user_id in ("alice", "bob"):
            value = 1 + (n + len(user_id)) % 5
            rating_set(entry=watched, by=setup.members[user_id], user_id=user_id, rating=value)
    return setup


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_each_read_costs_the_same_few_queries_for_3_films_or_50(django_assert_max_num_queries):
    short, long = long_history(3), long_history(50)
    client_short, client_long = short.client("bob"), long.client("bob")

    assert queries(client_short, ledger_url(short)) == queries(client_long, ledger_url(long))
    assert queries(client_short, taste_url(short)) == queries(client_long, taste_url(long))
    # The token's member and the room, then members, entries, ratings (and evenings).
    with django_assert_max_num_queries(6):
        ledger = client_long.get(ledger_url(long)).json()
    with django_assert_max_num_queries(5):
        result = client_long.get(taste_url(long)).json()
    assert sum(m["watched"] for m in ledger["members"]) == 50
    assert (result["entries"], result["ratings"]) == (50, 100)


@pytest.mark.django_db
def test_the_services_alone_take_four_and_three_queries(django_assert_num_queries):
    setup = long_history(50)
    with django_assert_num_queries(4):
        room_ledger(setup.room)
    with django_assert_num_queries(3):
        room_taste(setup.room)


# The schema and the README


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("schema") / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    return json.loads(path.read_text())


@pytest.mark.parametrize(
    ("path", "operation_id", "component"),
    [
        ("/api/rooms/{room_id}/ledger", "rooms_ledger", "Ledger"),
        ("/api/rooms/{room_id}/taste", "rooms_taste", "Taste"),
    ],
)
def test_the_schema_describes_both_reads(schema, path, operation_id, component):
    operation = schema["paths"][path]["get"]
    assert (operation["operationId"], operation["tags"]) == (operation_id, ["history"])
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": f"#/components/schemas/{component}"}
    assert {"401", "403", "404"} <= set(operation["responses"])
    (room_id,) = operation["parameters"]
    assert room_id["schema"]["pattern"] == "^[0-9a-f]{24}$"


def test_the_schema_states_every_field_of_both_answers(schema):
    components = schema["components"]["schemas"]
    assert set(components["Ledger"]["properties"]) == {"members", "rule"}
    assert set(components["LedgerRow"]["required"]) == {
        "user_id",
        "name",
        "avatar",
        "watched",
        "evenings_since_last",
        "average_rating",
        "ratings",
        "last_watched_title",
        "last_watched_at",
    }
    assert set(components["Taste"]["required"]) == {
        "genres",
        "members",
        "agreement",
        "ratings",
        "entries",
    }
    assert set(components["MemberTaste"]["properties"]) == {
        "user_id",
        "name",
        "avatar",
        "picks",
        "given",
    }
    agreement = components["Agreement"]["properties"]
    assert (agreement["similarity"]["minimum"], agreement["similarity"]["maximum"]) == (0, 100)
    assert (agreement["user_ids"]["minItems"], agreement["user_ids"]["maxItems"]) == (2, 2)


def test_the_readmes_endpoint_tables_list_exactly_the_schemas_operations(schema):
    rows = re.findall(
        r"^\| (GET|POST|PUT|PATCH|DELETE) \| `(/api/[^`?]*)", README.read_text(), re.M
    )
    listed = {(method, path) for method, path in rows}
    methods = {"get", "post", "put", "patch", "delete"}
    served = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in methods
    }
    assert ("GET", "/api/rooms/{room_id}/ledger") in listed
    assert ("GET", "/api/rooms/{room_id}/taste") in listed
    assert listed == served


# The history page's panel, in Chromium


BUILD = (
    "import json; from tests.test_ledger_taste import build_history; s = build_history();"
    " print(json.dumps({'room': s.room.pk, 'token': s.tokens['bob']}))"
)


def history_page(browser, base: str, room_id: str, token: str):
    context = browser.new_context(viewport=PHONE, base_url=base)
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": f"wq_{room_id}", "value": token, "url": base}])
    page = context.new_page()
    watch = Watched(page)
    page.goto(f"/r/{room_id}/history")
    return context, page, watch


def sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_history_page_shows_the_groups_taste_on_a_phone_and_a_laptop(env, live):
    made = json.loads(django_shell(env, BUILD).strip().splitlines()[-1])
    with chromium() as browser:
        context, page, watch = history_page(browser, live, made["room"], made["token"])
        panel = page.locator("#taste")
        expect(panel).to_have_attribute("aria-busy", "false")
        expect(panel.locator("#taste-summary")).to_have_text("From 12 ratings of 4 films watched.")
        genres = panel.locator("#taste-genres li")
        expect(genres).to_have_count(5)
        expect(genres.first).to_contain_text("Drama")
        expect(genres.first).to_contain_text("3.86")
        expect(genres.first).to_contain_text("7 ratings of 2 films")
        people = panel.locator("#taste-members li")
        expect(people).to_have_count(3)
        assert [n.strip() for n in people.locator("strong").all_inner_texts()] == [
            "Carol",
            "Bob (you)",
            "Alice",
        ]
        expect(people.first).to_contain_text("First in line")
        expect(people.first).to_contain_text("No pick watched yet")
        expect(people.nth(2)).to_contain_text("2 picks watched · ★ 3.57 avg")
        expect(people.nth(2)).to_contain_text("Last: Alien, 1 evening ago")
        expect(people.nth(1)).to_contain_text("Gave 4 ratings · ★ 3.25 avg")
        expect(panel.locator("#taste-rule")).to_have_text(str(LEDGER_RULE))
        pairs = panel.locator("#taste-pairs li")
        expect(pairs).to_have_count(3)
        expect(pairs.first).to_contain_text("Alice & Bob (you)")
        expect(pairs.first).to_contain_text("75% alike")
        expect(pairs.first).to_contain_text("4 films rated by both, 1 star apart on average")
        expect(page.locator(".entry")).to_have_count(4)
        for size in (PHONE, LAPTOP):
            page.set_viewport_size(size)
            assert sideways(page) <= 0, f"the page scrolls sideways at {size['width']}px"
        for shot in screenshot(page, "history-taste", {"phone": PHONE, "laptop": LAPTOP}):
            assert shot.stat().st_size > 5_000
        assert watch.clean() == []
        context.close()


def test_a_room_with_nothing_rated_says_so_in_words(live):
    created = requests.post(
        f"{live}/api/rooms",
        json={"name": "New room", "members": [{"user_id": "alice", "name": "Alice"}]},
        timeout=5,
    ).json()
    with chromium() as browser:
        context, page, watch = history_page(browser, live, created["room"]["id"], created["token"])
        panel = page.locator("#taste")
        expect(panel.locator("#taste-genres-empty")).to_have_text(
            "Rate a few films to see your group's taste."
        )
        expect(panel.locator("#taste-genres-empty")).to_be_visible()
        expect(panel.locator("#taste-pairs-empty")).to_be_visible()
        expect(panel.locator("#taste-summary")).to_have_text("Nothing watched yet.")
        expect(panel.locator("#taste-members li")).to_have_text(
            re.compile(r"Alice \(you\).*No pick watched yet")
        )
        assert sideways(page) <= 0
        screenshot(page, "history-taste-empty", {"phone": PHONE})
        assert watch.clean() == []
        context.close()
