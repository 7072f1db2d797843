"""The TMDB client and `GET /api/search`, against a local server that speaks TMDB's JSON."""

import logging
import threading
import time

import pytest
import requests
from asgiref.sync import iscoroutinefunction
from django.test import override_settings
from django.urls import resolve

from tests.factories import client_for, make_room
from tests.fake_tmdb import Answer, FakeTMDB
from tmdb import client as tmdb_client
from tmdb import views as tmdb_views
from tmdb.client import TMDBAuthError, TMDBClient, TMDBNotFound, TMDBUnavailable
from tmdb.serializers import QUERY_REQUIRED, TYPE_INVALID

KEY = "v3-SECRET-KEY-0123456789"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.SECRET-TOKEN.sig"


@pytest.fixture
def fake():
    with FakeTMDB(key=KEY, token=TOKEN) as server:
        yield server


def _client(fake: FakeTMDB, key: str = KEY, timeout: float = 2.0) -> TMDBClient:
    return TMDBClient(
        key=key, base_url=fake.url, language="en-US", region="US", timeout=timeout, backoff=0.01
    )


# The client


def test_search_finds_movies_and_shows_with_images_and_genres_and_skips_people(fake):
    results = _client(fake).search("heat")
    assert results == [
        {
            "tmdb_id": 949,
            "media_type": "movie",
            "title": "Heat",
            "year": 1995,
            "overview": "Obsessive master thief Neil McCauley leads a top-notch crew.",
            "poster_url": "https://image.tmdb.org/t/p/w500/heat-poster.jpg",
            "backdrop_url": "https://image.tmdb.org/t/p/w1280/heat-backdrop.jpg",
            "genres": ["Action", "Crime", "Drama", "Thriller"],
        },
        {
            "tmdb_id": 1908,
            "media_type": "tv",
            "title": "In the Heat of the Night",
            "year": 1988,
            "overview": "Police chief Bill Gillespie and detective Virgil Tibbs keep the peace.",
            "poster_url": None,
            "backdrop_url": None,
            "genres": ["Drama"],
        },
    ]
    assert fake.last("/search/multi").params["query"] == "heat"
    (thrones,) = _client(fake).search("game of thrones")
    assert (thrones["title"], thrones["poster_url"], thrones["genres"]) == (
        "Game of Thrones",
        "https://image.tmdb.org/t/p/w500/got-poster.jpg",
        ["Sci-Fi & Fantasy", "Drama"],
    )


def test_a_search_of_one_type_asks_for_that_type(fake):
    (heat,) = _client(fake).search("heat", "movie")
    assert (heat["media_type"], heat["tmdb_id"]) == ("movie", 949)
    assert fake.calls("/search/movie") == 1


def test_the_image_configuration_and_genre_maps_are_fetched_once(fake):
    client = _client(fake)
    client.search("heat")
    client.search("heat again")
    client.details("movie", 949)
    assert [fake.calls(p) for p in ("/configuration", "/genre/movie/list", "/genre/tv/list")] == [
        1,
        1,
        1,
    ]
    assert fake.calls("/search/multi") == 2


def test_they_are_fetched_again_once_the_cache_expires(fake, monkeypatch):
    client = _client(fake)
    client.search("heat")
    later = time.monotonic() + tmdb_client.CACHE_SECONDS + 1
    monkeypatch.setattr(tmdb_client.time, "monotonic", lambda: later)
    client.search("heat")
    assert fake.calls("/configuration") == 2


def test_a_v3_key_goes_as_api_key_and_a_v4_token_as_a_bearer_header(fake):
    _client(fake, key=KEY).search("heat")
    assert (fake.seen[-1].params.get("api_key"), fake.seen[-1].authorization) == (KEY, None)
    _client(fake, key=TOKEN).search("heat")
    assert "api_key" not in fake.seen[-1].params
    assert fake.seen[-1].authorization == f"Bearer {TOKEN}"


def test_details_carry_runtime_genres_and_where_to_watch_in_the_region(fake):
    heat = _client(fake).details("movie", 949)
    assert (heat["title"], heat["runtime_minutes"], heat["genres"]) == (
        "Heat",
        170,
        ["Action", "Crime"],
    )
    assert heat["providers"] == {
        "region": "US",
        "link": "https://www.themoviedb.org/movie/949-heat/watch?locale=US",
        "stream": ["Netflix"],
        "rent": ["Apple TV"],
        "buy": ["Apple TV"],
        "services": [
            {"id": 8, "name": "Netflix", "logo_url": "https://image.tmdb.org/t/p/w92/netflix.jpg"},
            {
                "id": 2,
                "name": "Apple TV",
                "logo_url": "https://image.tmdb.org/t/p/w92/apple-tv.jpg",
            },
        ],
    }
    appended = fake.last("/movie/949").params["append_to_response"]
    assert appended == "watch/providers,credits,videos"
    thrones = _client(fake).details("tv", 1399)
    assert (thrones["runtime_minutes"], thrones["year"]) == (80, 2011)
    assert (thrones["providers"]["stream"], thrones["providers"]["rent"]) == (["Max"], [])


def test_a_429_is_retried_after_the_time_it_asks_for(fake):
    fake.queue("/search/multi", Answer(429, {"status_code": 25}, {"Retry-After": "1"}))
    started = time.monotonic()
    assert len(_client(fake).search("heat")) == 2
    assert time.monotonic() - started >= 1.0
    assert fake.calls("/search/multi") == 2


def test_server_errors_are_retried_and_then_reported(fake):
    fake.queue("/search/multi", Answer(502, b"Bad Gateway"), Answer(503, b""))
    assert len(_client(fake).search("heat")) == 2
    fake.queue("/search/multi", *[Answer(500, b"oops")] * tmdb_client.ATTEMPTS)
    with pytest.raises(TMDBUnavailable, match="TMDB answered 500"):
        _client(fake).search("heat")


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        (Answer(delay=1.5), TMDBUnavailable, "did not answer"),
        (Answer(401, {"status_code": 7}), TMDBAuthError, "refused"),
        (Answer(404, {"status_code": 34}), TMDBNotFound, "nothing at this id"),
        (Answer(200, b"<html>maintenance</html>"), TMDBUnavailable, "not its JSON"),
        (Answer(200, b"[1, 2]"), TMDBUnavailable, "not its JSON"),
    ],
    ids=["slow", "401", "404", "html", "not-an-object"],
)
def test_failures_are_reported_without_the_key(fake, caplog, answer, error, message):
    client = _client(fake, timeout=0.3)
    client.images()  # so the queued answer goes to the details call
    client.genres("movie")
    fake.queue("/movie/949", *[answer] * tmdb_client.ATTEMPTS)
    with caplog.at_level(logging.DEBUG), pytest.raises(error, match=message) as raised:
        client.details("movie", 949)
    assert KEY not in str(raised.value)
    assert KEY not in repr(raised.value.__cause__)
    assert KEY not in caplog.text


# GET /api/search


@pytest.fixture
def fresh_caches():
    tmdb_views._answers.clear()
    tmdb_client._clients.clear()
    yield
    tmdb_views._answers.clear()
    tmdb_client._clients.clear()


@pytest.fixture
def member(db, fresh_caches):
    return client_for(make_room("alice").tokens["alice"])


@override_settings(TMDB_API_KEY="")
def test_search_needs_a_member_token_in_the_header_or_the_query(db, fresh_caches):
    setup = make_room("alice")
    screen = client_for(None).post(f"/api/rooms/{setup.room.code}/screen").json()["token"]
    refusals = {
        "none": (client_for(None).get("/api/search?q=heat"), 401, "not_authenticated"),
        "junk": (client_for("junk").get("/api/search?q=heat"), 401, "invalid_token"),
        "screen": (client_for(screen).get("/api/search?q=heat"), 403, "forbidden"),
    }
    for why, (response, status, error) in refusals.items():
        assert (response.status_code, response.json()["error"]) == (status, error), why
    token = setup.tokens["alice"]
    by_query = client_for(None).get(f"/api/search?q=heat&token={token}")
    assert by_query.json()["error"] == "tmdb_not_configured"


@override_settings(TMDB_API_KEY="")
def test_without_a_key_search_says_how_to_configure_it(member):
    response = member.get("/api/search?q=heat")
    assert response.status_code == 503
    assert response.json()["error"] == "tmdb_not_configured"
    assert "TMDB_API_KEY" in response.json()["detail"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("", "q", QUERY_REQUIRED),
        ("q=", "q", QUERY_REQUIRED),
        ("q=%20%20", "q", QUERY_REQUIRED),
        ("q=" + "x" * 101, "q", QUERY_REQUIRED),
        ("q=heat&type=person", "type", TYPE_INVALID),
    ],
)
def test_a_bad_search_is_a_400_naming_the_field(member, query, field, message):
    response = member.get(f"/api/search?{query}")
    assert (response.status_code, response.json()["error"]) == (400, "invalid")
    assert response.json()["fields"] == {field: [message]}


def test_search_text_is_measured_with_its_runs_of_spaces_made_one(member, fake):
    spaced = "x" * 50 + "%20" * 60 + "y" * 49
    with override_settings(TMDB_API_KEY=KEY, TMDB_API_URL=fake.url):
        response = member.get(f"/api/search?q={spaced}&type=")
    assert response.status_code == 200
    assert (response.json()["query"], response.json()["type"]) == ("x" * 50 + " " + "y" * 49, None)


def test_search_answers_from_tmdb_then_from_its_cache(member, fake):
    with override_settings(TMDB_API_KEY=KEY, TMDB_API_URL=fake.url):
        first = member.get("/api/search?q=Heat")
        again = member.get("/api/search?q=%20heat%20")
    assert first.status_code == 200
    assert [r["title"] for r in first.json()["results"]] == ["Heat", "In the Heat of the Night"]
    assert again.json()["results"] == first.json()["results"]
    assert fake.calls("/search/multi") == 1


def test_tmdb_failures_are_503s_that_never_show_the_key(member, fake):
    with override_settings(TMDB_API_KEY=KEY, TMDB_API_URL=fake.url):
        fake.queue("/search/multi", Answer(401, {"status_code": 7}))
        refused = member.get("/api/search?q=heat")
        fake.queue("/search/multi", *[Answer(503, b"")] * tmdb_client.ATTEMPTS)
        down = member.get("/api/search?q=alien")
    assert (refused.status_code, refused.json()["error"]) == (503, "tmdb_refused_key")
    assert (down.status_code, down.json()["error"], down["Retry-After"]) == (
        503,
        "tmdb_unavailable",
        "30",
    )
    assert KEY not in refused.content.decode() + down.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/search",
        f"/api/queue/{'f' * 24}/enrich",
        *[f"/api/events/{kind}/{'f' * 24}" for kind in ("room", "votes", "queue")],
    ],
)
def test_the_views_that_wait_are_async_so_the_server_runs_them_on_its_event_loop(path):
    """What the ASGI handler goes by: an async view never waits on the thread that serves
    every synchronous request."""
    assert iscoroutinefunction(resolve(path).func)


def test_a_slow_tmdb_holds_up_no_other_request(tmp_path):
    """The views that wait on TMDB run on the event loop: while one waits, the thread that
    serves every other request (a vote, a page, the health check) goes on serving."""
    from tests.live_clients import live_room
    from tests.live_server import daphne, migrate, server_env

    with FakeTMDB(key=KEY) as fake:
        env = server_env(tmp_path, TMDB_API_KEY=KEY, TMDB_API_URL=fake.url)
        migrate(env)
        with daphne(env) as base:
            room, tokens = live_room(base)
            fake.queue("/search/multi", Answer(delay=2.0, body={"page": 1, "results": []}))
            finished: dict[str, float] = {}

            def search() -> None:
                requests.get(
                    f"{base}/api/search?q=slow",
                    headers={"Authorization": f"Bearer {tokens['bob']}"},
                    timeout=10,
                )
                finished["search"] = time.monotonic()

            waiting = threading.Thread(target=search)
            waiting.start()
            time.sleep(0.5)  # the search is now waiting on TMDB
            requests.get(f"{base}/health", timeout=10)
            requests.get(
                f"{base}/api/rooms/{room['id']}",
                headers={"Authorization": f"Bearer {tokens['alice']}"},
                timeout=10,
            )
            finished["others"] = time.monotonic()
            waiting.join(10)
    assert finished["others"] < finished["search"]
