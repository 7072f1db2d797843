"""The streaming services of the region, which members pick the ones they have from: the TMDB
client's provider lists and `GET /api/tmdb/providers`, against a local server that speaks TMDB's
JSON."""

import json
import time

import pytest
from asgiref.sync import iscoroutinefunction
from django.core.management import call_command
from django.test import override_settings
from django.urls import resolve

from tests.factories import client_for, make_room, screen_token_for
from tests.fake_tmdb import CONFIGURATION, Answer, FakeTMDB
from tmdb import client as tmdb_client
from tmdb.client import TMDBAuthError, TMDBClient, TMDBNotFound, TMDBUnavailable

KEY = "v3-SECRET-KEY-0123456789"
LOGO = "https://image.tmdb.org/t/p/w92"
URL = "/api/tmdb/providers"


@pytest.fixture
def fake():
    with FakeTMDB(key=KEY) as server:
        yield server


def _client(fake: FakeTMDB, region: str = "GB") -> TMDBClient:
    return TMDBClient(
        key=KEY, base_url=fake.url, language="en-GB", region=region, timeout=2.0, backoff=0.01
    )


def _service(provider_id: int, name: str, logo: str) -> dict:
    return {"id": provider_id, "name": name, "logo_url": f"{LOGO}/{logo}.jpg"}


NETFLIX = _service(8, "Netflix", "netflix")
PRIME = _service(9, "Amazon Prime Video", "prime-video")
DISNEY = _service(337, "Disney Plus", "disney-plus")
APPLE = _service(350, "Apple TV+", "apple-tv-plus")
CRUNCHYROLL = _service(283, "Crunchyroll", "crunchyroll")
HULU = _service(15, "Hulu", "hulu")


# The client


def test_the_movie_list_is_the_regions_services_in_display_order_then_by_name(fake):
    # Apple TV+ and Disney Plus share priority 3 in GB.
    assert _client(fake).providers("movie") == [NETFLIX, PRIME, APPLE, DISNEY]
    asked = fake.last("/watch/providers/movie").params
    assert (asked["watch_region"], asked["language"]) == ("GB", "en-GB")


def test_the_tv_list_has_its_own_services_and_order(fake):
    assert _client(fake).providers("tv") == [NETFLIX, PRIME, DISNEY, CRUNCHYROLL]
    assert fake.last("/watch/providers/tv").params["watch_region"] == "GB"


def test_the_list_to_pick_from_has_each_service_of_both_lists_once(fake):
    """Disney Plus is 3rd on GB's movie list and 1st on its tv list: the movie list's place wins,
    so it stays after Crunchyroll (tv only, priority 2)."""
    assert _client(fake).providers_all() == [NETFLIX, PRIME, CRUNCHYROLL, APPLE, DISNEY]


def test_another_region_has_its_own_list_and_one_without_data_an_empty_one(fake):
    assert _client(fake, region="US").providers_all() == [
        NETFLIX,
        PRIME,
        HULU,
        DISNEY,
        APPLE,
        CRUNCHYROLL,
    ]
    assert _client(fake, region="DE").providers_all() == []
    assert fake.last("/watch/providers/tv").params["watch_region"] == "DE"


def test_the_lists_and_the_image_configuration_are_fetched_once(fake):
    client = _client(fake)
    first = client.providers_all()
    assert client.providers_all() == first
    assert client.providers("movie") == [NETFLIX, PRIME, APPLE, DISNEY]
    assert client.providers("tv")[0] == NETFLIX
    assert [
        fake.calls(path)
        for path in ("/watch/providers/movie", "/watch/providers/tv", "/configuration")
    ] == [1, 1, 1]


def test_the_lists_are_fetched_again_once_the_cache_expires(fake, monkeypatch):
    client = _client(fake)
    client.providers_all()
    later = time.monotonic() + tmdb_client.CACHE_SECONDS + 1
    monkeypatch.setattr(tmdb_client.time, "monotonic", lambda: later)
    client.providers_all()
    assert (fake.calls("/watch/providers/movie"), fake.calls("/watch/providers/tv")) == (2, 2)


def test_changing_an_answer_leaves_the_cached_list_alone(fake):
    client = _client(fake)
    client.providers("movie")[0]["name"] = "Changed"
    client.providers_all()[0]["name"] = "Changed"
    assert client.providers("movie")[0] == NETFLIX
    assert client.providers_all()[0] == NETFLIX


def test_entries_without_an_id_or_a_name_are_left_out_and_the_rest_kept(fake):
    region = {"display_priorities": {"GB": 5}}
    fake.queue(
        "/watch/providers/movie",
        Answer(
            body={
                "results": [
                    "Netflix",
                    None,
                    {"provider_name": "No id", "display_priority": 0, **region},
                    {"provider_id": "8", "provider_name": "Id as text", **region},
                    {"provider_id": True, "provider_name": "Id as a boolean", **region},
                    {"provider_id": 0, "provider_name": "Id zero", **region},
                    {"provider_id": 40, "provider_name": "  ", **region},
                    {"provider_id": 41, "provider_name": None, **region},
                    {"provider_id": 42, "provider_name": " No logo ", "logo_path": 7, **region},
                    {"provider_id": 42, "provider_name": "Same id again", **region},
                    # No priority at all: last.
                    {"provider_id": 43, "provider_name": "Anywhere", "logo_path": "/any.jpg"},
                    # The region's own priority counts before `display_priority`.
                    {
                        "provider_id": 44,
                        "provider_name": "By region",
                        "display_priority": 99,
                        "display_priorities": {"GB": 1, "US": 50},
                    },
                    # Without one for the region, `display_priority` does.
                    {
                        "provider_id": 45,
                        "provider_name": "Overall",
                        "display_priority": 2,
                        "display_priorities": {"US": 0, "GB": "first"},
                    },
                ]
            }
        ),
    )
    assert _client(fake).providers("movie") == [
        {"id": 44, "name": "By region", "logo_url": None},
        {"id": 45, "name": "Overall", "logo_url": None},
        {"id": 42, "name": "No logo", "logo_url": None},
        {"id": 43, "name": "Anywhere", "logo_url": f"{LOGO}/any.jpg"},
    ]


def test_logos_come_in_the_largest_size_tmdb_has_when_it_has_no_w92(fake):
    images = {**CONFIGURATION["images"], "logo_sizes": ["w45", "original"]}
    fake.queue("/configuration", Answer(body={**CONFIGURATION, "images": images}))
    assert _client(fake).providers("movie")[0]["logo_url"] == (
        "https://image.tmdb.org/t/p/original/netflix.jpg"
    )


@pytest.mark.parametrize(
    ("answers", "error", "message"),
    [
        ([Answer(401, {"status_code": 7})], TMDBAuthError, "refused"),
        ([Answer(503, b"")] * tmdb_client.ATTEMPTS, TMDBUnavailable, "TMDB answered 503"),
        ([Answer(200, {"results": {"GB": []}})], TMDBUnavailable, "not its JSON"),
        ([Answer(200, {"status_code": 34})], TMDBUnavailable, "not its JSON"),
    ],
    ids=["401", "down", "results-not-a-list", "no-results"],
)
def test_failures_are_reported_and_not_kept(fake, answers, error, message):
    client = _client(fake)
    fake.queue("/watch/providers/tv", *answers)
    with pytest.raises(error, match=message):
        client.providers_all()
    assert client.providers_all() == [NETFLIX, PRIME, CRUNCHYROLL, APPLE, DISNEY]


def test_there_are_lists_for_movies_and_tv_only(fake):
    with pytest.raises(TMDBNotFound):
        _client(fake).providers("person")
    assert fake.seen == []


# GET /api/tmdb/providers


@pytest.fixture
def fresh_clients():
    tmdb_client._clients.clear()
    yield
    tmdb_client._clients.clear()


@pytest.fixture
def member(db, fresh_clients):
    return client_for(make_room("alice", "bob").tokens["bob"])


@pytest.fixture
def tmdb_on(fake, fresh_clients):
    with override_settings(TMDB_API_KEY=KEY, TMDB_API_URL=fake.url, TMDB_REGION="GB"):
        yield fake


def test_the_endpoint_answers_the_region_and_the_services_to_pick_from(member, tmdb_on):
    response = member.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "region": "GB",
        "providers": [NETFLIX, PRIME, CRUNCHYROLL, APPLE, DISNEY],
    }


def test_the_endpoint_answers_again_from_the_clients_cache(member, tmdb_on):
    first = member.get(URL).json()
    assert member.get(URL).json() == first
    assert (tmdb_on.calls("/watch/providers/movie"), tmdb_on.calls("/watch/providers/tv")) == (
        1,
        1,
    )


def test_the_endpoint_follows_the_configured_region(member, fake, fresh_clients):
    with override_settings(TMDB_API_KEY=KEY, TMDB_API_URL=fake.url, TMDB_REGION="DE"):
        response = member.get(URL)
    assert response.json() == {"region": "DE", "providers": []}


@override_settings(TMDB_API_KEY="")
def test_the_endpoint_needs_a_member_token_in_the_header_or_the_query(db, fresh_clients):
    setup = make_room("alice")
    screen = screen_token_for(setup.room)
    refusals = {
        "none": (client_for(None).get(URL), 401, "not_authenticated"),
        "junk": (client_for("junk").get(URL), 401, "invalid_token"),
        "screen": (client_for(screen).get(URL), 403, "forbidden"),
    }
    for why, (response, status, error) in refusals.items():
        assert (response.status_code, response.json()["error"]) == (status, error), why
    by_query = client_for(None).get(f"{URL}?token={setup.tokens['alice']}")
    assert by_query.json()["error"] == "tmdb_not_configured"


@override_settings(TMDB_API_KEY="")
def test_without_a_key_the_endpoint_says_how_to_configure_it(member):
    response = member.get(URL)
    assert response.status_code == 503
    assert response.json()["error"] == "tmdb_not_configured"
    assert "TMDB_API_KEY" in response.json()["detail"]


def test_tmdb_failures_are_503s_that_never_show_the_key(member, tmdb_on):
    tmdb_on.queue("/watch/providers/movie", Answer(401, {"status_code": 7}))
    refused = member.get(URL)
    tmdb_on.queue("/watch/providers/movie", *[Answer(503, b"")] * tmdb_client.ATTEMPTS)
    down = member.get(URL)
    assert (refused.status_code, refused.json()["error"]) == (503, "tmdb_refused_key")
    assert "Retry-After" not in refused
    assert (down.status_code, down.json()["error"], down["Retry-After"]) == (
        503,
        "tmdb_unavailable",
        "30",
    )
    assert KEY not in refused.content.decode() + down.content.decode()
    assert member.get(URL).status_code == 200


def test_the_endpoint_is_async_so_the_server_runs_it_on_its_event_loop():
    assert iscoroutinefunction(resolve(URL).func)


# The OpenAPI description


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("schema") / "openapi.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(path),
    )
    return json.loads(path.read_text())


def _error_codes(response: dict) -> set[str]:
    content = response["content"]["application/json"]
    assert content["schema"] == {"$ref": "#/components/schemas/Error"}
    return {example["value"]["error"] for example in content["examples"].values()}


def test_the_endpoint_is_described_with_its_answer_example_and_every_refusal(schema):
    operation = schema["paths"][URL]["get"]
    assert (operation["operationId"], operation["tags"]) == ("tmdb_providers", ["metadata"])
    assert operation["summary"]
    assert "parameters" not in operation
    assert {} not in operation["security"]
    ok = operation["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/WatchProvidersAnswer"}
    assert ok["examples"]["GB"]["value"]["providers"][0]["name"] == "Netflix"
    answers = {code: _error_codes(r) for code, r in operation["responses"].items() if code != "200"}
    assert answers == {
        "401": {"not_authenticated", "revoked"},
        "403": {"forbidden"},
        "406": {"not_acceptable"},
        "503": {"tmdb_not_configured", "tmdb_refused_key", "tmdb_unavailable"},
    }
    components = schema["components"]["schemas"]
    assert components["WatchProvidersAnswer"]["required"] == ["providers", "region"]
    provider = components["WatchProvider"]
    assert set(provider["properties"]) == {"id", "name", "logo_url"}
    assert provider["properties"]["logo_url"]["nullable"] is True
