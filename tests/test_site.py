"""The site as a whole, served by a real daphne process: health, docs, schema and the seed's
curl examples over real HTTP."""

import json
import os
import re
from urllib.parse import urljoin, urlparse

import pytest
import requests
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from tests.live_server import daphne, server_env


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_health_check_reports_a_reachable_database(live):
    response = requests.get(f"{live}/health", timeout=5)
    assert response.status_code == 200
    vendor = "mongodb" if os.environ.get("TEST_MONGODB_URL") else "sqlite"
    assert response.json() == {"status": "ok", "database": vendor, "realtime_subscribers": 0}


@pytest.mark.sqlite_only
def test_the_health_check_answers_503_with_the_reason_when_the_database_is_broken(tmp_path):
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    env = server_env(tmp_path, SQLITE_PATH=str(broken))
    with daphne(env) as base:
        response = requests.get(f"{base}/health", timeout=5)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert "not a database" in body["reason"]


@pytest.mark.parametrize("page", ["/", "/docs", "/redoc", "/admin/login/"])
def test_pages_load_everything_from_the_app_itself(live, page):
    response = requests.get(live + page, timeout=5)
    assert response.status_code == 200
    assets = [a for a in _assets(response.text) if not a.startswith("#")]
    for asset in assets:
        url = urljoin(live + page, asset)
        assert urlparse(url).netloc == urlparse(live).netloc, f"{page} loads {asset}"
    for asset in assets:
        if re.search(r"\.(js|css|png)$", asset):
            assert requests.get(urljoin(live + page, asset), timeout=5).status_code == 200, asset


def test_the_docs_pages_reference_no_other_host_at_all(live):
    for page in ("/docs", "/redoc"):
        html = requests.get(live + page, timeout=5).text
        assert not re.search(r"https?://", html), f"{page} mentions another host"


def test_the_seed_examples_work_over_http_with_the_token_header(live):
    created = requests.post(
        f"{live}/api/rooms",
        json={
            "name": "Friday Night Movies",
            "members": [
                {"user_id": "alice", "name": "Alice", "avatar": "🦊"},
                {"user_id": "bob", "name": "Bob", "avatar": "🐻"},
            ],
            "settings": {
                "voting_duration_seconds": 60,
                "selection_mode": "weighted_random",
                "allow_revotes": True,
            },
        },
        timeout=5,
    )
    assert created.status_code == 201
    room, alice = created.json()["room"], {"Authorization": f"Bearer {created.json()['token']}"}
    joined = requests.post(
        f"{live}/api/rooms/{room['code'].lower()}/join",
        json={"user_id": "bob", "name": "Bob", "avatar": "🐻"},
        timeout=5,
    )
    assert joined.status_code == 200
    bob = {"Authorization": f"Bearer {joined.json()['token']}"}

    item = requests.post(
        f"{live}/api/queue",
        json={"room_id": room["id"], "title": "Inception", "added_by": "alice"},
        headers=alice,
        timeout=5,
    )
    assert item.status_code == 201
    vote = requests.post(
        f"{live}/api/votes",
        json={"item_id": item.json()["id"], "user_id": "bob", "vote": "up"},
        headers=bob,
        timeout=5,
    )
    assert vote.status_code == 200
    assert vote.json()["item"]["vote_score"] == 1
    selected = requests.post(
        f"{live}/api/queue/room/{room['id']}/select?mode=weighted_random", headers=alice, timeout=5
    )
    assert selected.status_code == 201
    assert selected.json()["item_id"] == item.json()["id"]
    # exp(k * (up - down) / n): k = 4 (PICK_DRAW_STRENGTH), bob's up vote, n = 2 in tonight
    # (nobody is connected, so everyone is), to 4 decimals.
    assert selected.json()["reason"]["candidates"][0]["weight"] == 7.3891


def test_errors_under_api_are_json_even_for_unknown_paths(live):
    response = requests.get(f"{live}/api/no/such/thing", timeout=5)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "not_found"


# The OpenAPI description


def _api_routes() -> set[str]:
    """Every route under /api/ in the URL configuration, written as the schema writes paths."""
    routes: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                routes.add(
                    "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", prefix + str(pattern.pattern))
                )

    walk(get_resolver().url_patterns, "")
    return {r for r in routes if r.startswith("/api/") and "schema" not in r and "^" not in r}


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
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


def test_the_schema_describes_every_api_route(schema):
    assert _api_routes() == set(schema["paths"])


def test_every_operation_has_a_summary_and_every_request_body_an_example(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body and method != "delete":
                assert body.get("examples"), f"{method} {path} has no request example"


def test_every_reference_in_the_schema_resolves(schema):
    text = json.dumps(schema)
    references = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text))
    assert references
    assert references <= set(schema["components"]["schemas"])


STREAMS = ["room", "votes", "queue"]


def _parameters(operation: dict) -> set[tuple[str, str]]:
    return {(p["name"], p["in"]) for p in operation["parameters"]}


def _error_codes(response: dict) -> set[str]:
    """The `error` codes a documented JSON error answer gives as examples."""
    content = response["content"]["application/json"]
    assert content["schema"] == {"$ref": "#/components/schemas/Error"}
    return {example["value"]["error"] for example in content["examples"].values()}


def test_the_streams_and_tmdb_endpoints_keep_their_paths_and_operation_ids(schema):
    operations = {
        (path, method): operation["operationId"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if path.startswith(("/api/events/", "/api/search")) or path.endswith("/enrich")
    }
    assert operations == {
        **{(f"/api/events/{kind}/{{room_id}}", "get"): f"events_{kind}" for kind in STREAMS},
        ("/api/search", "get"): "search",
        ("/api/queue/{item_id}/enrich", "post"): "queue_enrich",
    }


@pytest.mark.parametrize("kind", STREAMS)
def test_a_stream_is_described_as_an_event_stream_with_its_token_and_resume_parameters(
    schema, kind
):
    operation = schema["paths"][f"/api/events/{kind}/{{room_id}}"]["get"]
    assert _parameters(operation) == {
        ("room_id", "path"),
        ("token", "query"),
        ("Last-Event-ID", "header"),
        ("last_event_id", "query"),
    }
    assert operation["security"] == [{"memberToken": []}]
    (stream,) = operation["responses"]["200"]["content"].items()
    assert stream[0] == "text/event-stream"
    (example,) = stream[1]["examples"].values()
    assert example["value"].startswith("id: 7\nevent: vote_update\ndata: {")
    assert _error_codes(operation["responses"]["401"]) == {"not_authenticated", "revoked"}
    assert _error_codes(operation["responses"]["403"]) == {"forbidden"}
    assert _error_codes(operation["responses"]["404"]) == {"not_found"}


def test_search_is_described_with_its_parameters_example_and_every_answer(schema):
    operation = schema["paths"]["/api/search"]["get"]
    q, kind = sorted(operation["parameters"], key=lambda p: p["name"])
    assert (q["name"], q["in"], q["required"]) == ("q", "query", True)
    assert q["schema"] == {"type": "string", "minLength": 1, "maxLength": 100}
    assert (kind["name"], kind["schema"]["enum"]) == ("type", ["movie", "tv"])
    ok = operation["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/SearchAnswer"}
    assert ok["examples"]["Heat"]["value"]["results"][0]["title"] == "Heat"
    answers = {code: _error_codes(r) for code, r in operation["responses"].items() if code != "200"}
    assert answers == {
        "400": {"invalid"},
        "401": {"not_authenticated", "revoked"},
        "403": {"forbidden"},
        "406": {"not_acceptable"},
        "503": {"tmdb_not_configured", "tmdb_refused_key", "tmdb_unavailable"},
    }


def test_enrich_is_described_with_the_item_it_answers_and_every_refusal(schema):
    operation = schema["paths"]["/api/queue/{item_id}/enrich"]["post"]
    assert _parameters(operation) == {("item_id", "path")}
    assert "requestBody" not in operation
    ok = operation["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/QueueItem"}
    answers = {code: _error_codes(r) for code, r in operation["responses"].items() if code != "200"}
    assert answers == {
        "401": {"not_authenticated", "revoked"},
        "403": {"forbidden"},
        "404": {"not_found"},
        "406": {"not_acceptable"},
        "409": {"room_closed", "already_watched"},
        "503": {"tmdb_not_configured", "tmdb_refused_key", "tmdb_unavailable"},
    }


def test_the_schema_is_served_at_api_schema(live):
    response = requests.get(f"{live}/api/schema/", timeout=5)
    assert response.status_code == 200
    assert response.text.startswith("openapi: 3")


def test_an_oversized_body_is_a_json_413(live):
    body = {"name": "x" * 70_000, "members": [{"name": "Alice"}]}
    response = requests.post(f"{live}/api/rooms", json=body, timeout=5)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
