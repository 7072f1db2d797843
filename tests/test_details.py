"""What a page about a film or show shows: the TMDB client reads its score, cast, director or
creators, trailer, a show's seasons and the providers' logos from one details call (malformed
pieces left out, the rest kept); enrichment keeps them on the item; the API, the snapshot and
the queue's events carry them. Against a local server that speaks TMDB's JSON."""

import copy

import pytest

from queues.models import QueueItem
from tests.events import recorded
from tests.factories import make_room
from tests.fake_tmdb import HEAT_DETAILS, THRONES_DETAILS, Answer, FakeTMDB
from tmdb import enrichment
from tmdb.client import TMDBClient

KEY = "v3-SECRET-KEY-0123456789"
LOGO = "https://image.tmdb.org/t/p/w92"

HEAT_FACTS = {
    "score": 7.9,
    "votes": 7000,
    # The top six of eight, in billing order.
    "cast": [
        {"name": "Al Pacino", "character": "Lt. Vincent Hanna"},
        {"name": "Robert De Niro", "character": "Neil McCauley"},
        {"name": "Val Kilmer", "character": "Chris Shiherlis"},
        {"name": "Jon Voight", "character": "Nate"},
        {"name": "Tom Sizemore", "character": "Michael Cheritto"},
        {"name": "Diane Venora", "character": "Justine Hanna"},
    ],
    # Michael Mann wrote it too: only the Director job counts.
    "directors": ["Michael Mann"],
    "creators": [],
    # The official YouTube trailer, not the teaser, the fan cut or the one on Vimeo.
    "trailer_url": "https://www.youtube.com/watch?v=HeatTrailer1",
    "number_of_seasons": None,
    "seasons": [],
}
HEAT_SERVICES = [
    {"id": 8, "name": "Netflix", "logo_url": f"{LOGO}/netflix.jpg"},
    {"id": 2, "name": "Apple TV", "logo_url": f"{LOGO}/apple-tv.jpg"},
]
THRONES_SEASONS = [
    {"number": 1, "name": "Season 1", "episodes": 10, "year": 2011},
    {"number": 2, "name": "Season 2", "episodes": 10, "year": 2012},
    {"number": 3, "name": "Season 3", "episodes": 10, "year": 2013},
    {"number": 4, "name": "Season 4", "episodes": 10, "year": 2014},
    {"number": 5, "name": "Season 5", "episodes": 10, "year": 2015},
    {"number": 6, "name": "Season 6", "episodes": 10, "year": 2016},
    {"number": 7, "name": "Season 7", "episodes": 7, "year": 2017},
    {"number": 8, "name": "Season 8", "episodes": 6, "year": 2019},
]


@pytest.fixture
def fake():
    with FakeTMDB(key=KEY) as server:
        yield server


def _client(fake: FakeTMDB, language: str = "en-US") -> TMDBClient:
    return TMDBClient(
        key=KEY, base_url=fake.url, language=language, region="US", timeout=2.0, backoff=0.01
    )


def _answer(fake: FakeTMDB, path: str, body: dict) -> None:
    """TMDB answers `path` once with `body`, as it answers when everything is appended."""
    fake.queue(path, Answer(200, body))


# The client


def test_a_films_details_carry_its_score_cast_director_trailer_and_provider_logos(fake):
    heat = _client(fake).details("movie", 949)
    assert heat["details"] == HEAT_FACTS
    assert heat["providers"] == {
        "region": "US",
        "link": "https://www.themoviedb.org/movie/949-heat/watch?locale=US",
        "stream": ["Netflix"],
        "rent": ["Apple TV"],
        "buy": ["Apple TV"],
        # Apple TV rents and sells it: listed once.
        "services": HEAT_SERVICES,
    }
    asked = fake.last("/movie/949").params
    assert asked["append_to_response"] == "watch/providers,credits,videos"
    assert asked["include_video_language"] == "en,null"


def test_a_shows_details_carry_its_creators_and_seasons_but_not_the_specials(fake):
    thrones = _client(fake).details("tv", 1399)
    assert thrones["details"] == {
        "score": 8.5,
        "votes": 24000,
        "cast": [
            {"name": "Emilia Clarke", "character": "Daenerys Targaryen"},
            {"name": "Kit Harington", "character": "Jon Snow"},
            {"name": "Peter Dinklage", "character": "Tyrion Lannister"},
            {"name": "Lena Headey", "character": "Cersei Lannister"},
        ],
        # The director of its last season's episodes is no director of the show.
        "directors": [],
        "creators": ["David Benioff", "D. B. Weiss"],
        "trailer_url": "https://www.youtube.com/watch?v=ThronesS1",
        "number_of_seasons": 8,
        "seasons": THRONES_SEASONS,
    }
    assert thrones["runtime_minutes"] == 80
    assert thrones["providers"]["stream"] == ["Max"]
    assert thrones["providers"]["services"][0] == {
        "id": 1899,
        "name": "Max",
        "logo_url": f"{LOGO}/max.jpg",
    }


def test_in_another_language_its_own_trailers_are_asked_for_and_preferred(fake):
    body = copy.deepcopy(HEAT_DETAILS)
    german = {**body["videos"]["results"][-1], "key": "HeatDeutsch", "iso_639_1": "de"}
    body["videos"]["results"].append(german)
    _answer(fake, "/movie/949", body)
    heat = _client(fake, language="de-DE").details("movie", 949)
    assert fake.last("/movie/949").params["include_video_language"] == "de,en,null"
    assert heat["details"]["trailer_url"] == "https://www.youtube.com/watch?v=HeatDeutsch"


def test_an_unofficial_trailer_is_taken_when_there_is_no_official_one(fake):
    body = copy.deepcopy(HEAT_DETAILS)
    body["videos"]["results"] = [v for v in body["videos"]["results"] if v["key"] != "HeatTrailer1"]
    _answer(fake, "/movie/949", body)
    facts = _client(fake).details("movie", 949)["details"]
    assert facts["trailer_url"] == "https://www.youtube.com/watch?v=HeatFanCut01"


def test_a_film_nobody_has_rated_has_no_score_rather_than_zero(fake):
    _answer(fake, "/movie/949", {**HEAT_DETAILS, "vote_average": 0.0, "vote_count": 0})
    facts = _client(fake).details("movie", 949)["details"]
    assert (facts["score"], facts["votes"]) == (None, None)


def test_malformed_pieces_of_a_film_are_left_out_and_the_rest_kept(fake):
    body = {
        **HEAT_DETAILS,
        "vote_average": "7.9",  # a string: no score
        "credits": {
            "cast": [
                None,
                "Al Pacino",
                {"name": ""},
                {"name": 42, "character": "Answer"},
                {"name": "  Robert De Niro ", "character": None},
                {"name": "Val Kilmer", "character": "Chris Shiherlis"},
            ],
            "crew": [
                {"job": "Director"},
                {"job": "Director", "name": "Michael Mann"},
                {"job": "Director", "name": "Michael Mann"},
                {"job": "Producer", "name": "Art Linson"},
                "Michael Mann",
            ],
        },
        "videos": {
            "results": [
                "HeatTrailer1",
                {"site": "YouTube", "type": "Trailer", "official": True, "key": "a b"},
                {"site": "YouTube", "type": "Trailer", "official": True, "key": None},
                {"site": "YouTube", "type": "Trailer", "official": "yes", "key": "HeatOk"},
            ]
        },
        # A film has no seasons, whatever TMDB sends.
        "seasons": [{"season_number": 1, "name": "Season 1"}],
        "number_of_seasons": 1,
        "watch/providers": {
            "results": {
                "US": {
                    "link": 5,
                    "flatrate": [
                        {"provider_name": "Odd", "provider_id": "8", "logo_path": 7},
                        {"provider_id": 9, "logo_path": "/nameless.jpg"},
                        None,
                    ],
                    "rent": "Apple TV",
                }
            }
        },
    }
    _answer(fake, "/movie/949", body)
    heat = _client(fake).details("movie", 949)
    assert heat["details"] == {
        "score": None,
        "votes": None,
        "cast": [
            {"name": "Robert De Niro", "character": ""},
            {"name": "Val Kilmer", "character": "Chris Shiherlis"},
        ],
        "directors": ["Michael Mann"],
        "creators": [],
        "trailer_url": "https://www.youtube.com/watch?v=HeatOk",
        "number_of_seasons": None,
        "seasons": [],
    }
    assert heat["providers"] == {
        "region": "US",
        "link": None,
        "stream": ["Odd"],
        "rent": [],
        "buy": [],
        "services": [{"id": None, "name": "Odd", "logo_url": None}],
    }
    assert (heat["title"], heat["runtime_minutes"]) == ("Heat", 170)


def test_malformed_pieces_of_a_show_are_left_out_and_the_rest_kept(fake):
    body = {
        **THRONES_DETAILS,
        "vote_count": True,  # not a count
        "credits": "nobody",
        "videos": None,
        "created_by": [{"name": "David Benioff"}, {"id": 1}, "D. B. Weiss"],
        "number_of_seasons": "8",
        "seasons": [
            None,
            {"season_number": "1", "name": "Season 1"},
            {"season_number": 2, "name": "", "episode_count": -1, "air_date": "soon"},
            {"season_number": 2, "name": "Season 2 again", "episode_count": 10},
            {"season_number": 1, "name": "Winter", "episode_count": "ten"},
        ],
    }
    _answer(fake, "/tv/1399", body)
    facts = _client(fake).details("tv", 1399)["details"]
    assert facts == {
        "score": None,
        "votes": None,
        "cast": [],
        "directors": [],
        "creators": ["David Benioff"],
        "trailer_url": None,
        "number_of_seasons": None,
        "seasons": [
            {"number": 1, "name": "Winter", "episodes": None, "year": None},
            {"number": 2, "name": "Season 2", "episodes": None, "year": None},
        ],
    }


def test_a_films_details_without_credits_or_videos_say_nothing_of_them(fake):
    inception = _client(fake).details("movie", 27205)
    assert inception["details"] == {
        "score": None,
        "votes": None,
        "cast": [],
        "directors": [],
        "creators": [],
        "trailer_url": None,
        "number_of_seasons": None,
        "seasons": [],
    }
    assert inception["providers"]["services"] == []


# Kept on the item, and handed to everyone


@pytest.fixture
def room(db):
    return make_room("alice", "bob")


def _enrich(item: QueueItem, fake: FakeTMDB) -> tuple[QueueItem, list[dict]]:
    """An on-demand enrichment in the test's own thread; the item, and the events applying it
    recorded."""
    started = enrichment.enrichment_start(item.pk)
    outcome = enrichment.enrichment_fetch(started, _client(fake))
    with recorded(item.room) as events:
        enriched = enrichment.enrichment_apply(
            item.pk, outcome.details, requested_at=started.enrichment_at
        )
    return enriched, events


def test_enrichment_keeps_the_details_and_its_event_carries_them(room, fake):
    heat, events = _enrich(room.add_item("Heat", tmdb_id=949), fake)
    stored = QueueItem.objects.get(pk=heat.pk)
    assert stored.details == HEAT_FACTS
    assert stored.providers["services"] == HEAT_SERVICES
    assert stored.providers["stream"] == ["Netflix"]
    [event] = events
    assert (event["type"], event["action"]) == ("queue_update", "enriched")
    assert event["item"]["details"] == HEAT_FACTS
    assert event["item"]["providers"]["services"] == HEAT_SERVICES


def test_a_show_found_by_its_title_keeps_its_seasons_and_creators(room, fake):
    thrones, _ = _enrich(room.add_item("game of thrones"), fake)
    assert thrones.media_type == "tv"
    assert thrones.details["seasons"] == THRONES_SEASONS
    assert (thrones.details["creators"], thrones.details["number_of_seasons"]) == (
        ["David Benioff", "D. B. Weiss"],
        8,
    )


def test_an_item_pointed_at_another_film_gets_that_films_details_only(room, fake):
    item, _ = _enrich(room.add_item("Heat", tmdb_id=949), fake)
    room.client("alice").patch(f"/api/queue/{item.pk}", {"tmdb_id": 27205}, format="json")
    moved, _ = _enrich(QueueItem.objects.get(pk=item.pk), fake)
    assert moved.tmdb_id == 27205
    assert (moved.details["cast"], moved.details["directors"]) == ([], [])
    assert moved.details["trailer_url"] is None
    assert moved.providers["services"] == []


def test_the_api_and_the_snapshot_give_the_details_and_an_item_without_tmdb_has_none(room, fake):
    heat, _ = _enrich(room.add_item("Heat", tmdb_id=949), fake)
    home_video = room.add_item("Our holiday video")
    bob = room.client("bob")
    assert bob.get(f"/api/queue/{heat.pk}").json()["details"] == HEAT_FACTS
    assert bob.get(f"/api/queue/{home_video.pk}").json()["details"] == {}
    listed = bob.get(f"/api/queue/room/{room.room.pk}").json()
    assert {item["title"]: item["details"] for item in listed} == {
        "Heat": HEAT_FACTS,
        "Our holiday video": {},
    }
    snapshot = bob.get(f"/api/rooms/{room.room.pk}/snapshot").json()
    by_title = {item["title"]: item for item in snapshot["queue"]}
    assert by_title["Heat"]["details"] == HEAT_FACTS
    assert by_title["Heat"]["providers"]["services"] == HEAT_SERVICES
    assert by_title["Our holiday video"]["details"] == {}
