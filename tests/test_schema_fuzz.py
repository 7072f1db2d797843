"""Schemathesis over every operation of the published schema, against a real daphne.

The schema is the contract API clients are written against, so every answer the server gives
must be one the schema states, and what the schema calls valid the server must take.

How the run is set up, and why:
- The server is a real daphne on its own database, with generous rates (`ROOM_CREATE_RATE`,
  `JOIN_FAILURE_RATE`, `PICK_RATE`) so that a rate limit never answers for the thing under test.
- The schema is read from the running server's `/api/schema/?format=json`.
- Every request carries the host's token of room A as `Authorization: Bearer`, and half of the
  path parameters come from a dictionary of real ids (rooms, items, history entries, picks,
  screens, user ids, the join code), so operations reach their real work and not only their 404.
- Three operations would end the run's own room or token, so each gets a room of its own (its
  host's token, its id): `rooms_destroy` (deletes the room), `rooms_members_sign_out_others`
  (revokes the token it is sent with) and `rooms_update` (may close the room, after which every
  write is refused). After their first success their later valid requests are answered 401 (a
  deleted room's or revoked token) or 409: for these three only, those count as refusals the
  state makes.
- The event streams never end by themselves: schemathesis reads at most `max-stream-events`
  events of a stream, and a stream's request times out after 1 s (other requests after 10 s,
  for a loaded machine).
- Seeded and deterministic, with `MAX_EXAMPLES` examples per operation and phase, so it takes
  a minute or two.
- Checks: `not_a_server_error`, `status_code_conformance`, `content_type_conformance`,
  `response_schema_conformance`, `response_headers_conformance`, `positive_data_acceptance` and
  `negative_data_rejection`. A valid request may still be refused because of the state it meets,
  and the schema documents each such answer: 404 (a well-formed id of nothing), 409 (the state
  refuses it: a duplicate title, a running round, an empty queue, a taken user id or name, a
  watched item), 403 (a well-formed request acting for another member: voting, rating or signing
  out as someone else, removing a member as a non-host). TMDB is a local fake that answers.
  `positive_data_acceptance` takes those as expected. 400, 401, 413, 415 and 429 are never
  taken as a refusal of a valid request, with two exceptions, rules JSON Schema cannot state
  (the schema's descriptions say them): `rooms_create` may answer 400 to a list of members two
  of whom share a user_id or a name (compared ignoring case), and `tonight_update` to a
  finish-by time that is not within the next 24 hours or a genre both included and excluded.
"""

import re
import subprocess
import sys
import time

import pytest
import requests

from tests.fake_tmdb import FakeTMDB
from tests.live_server import daphne, migrate, server_env

pytestmark = pytest.mark.slow

TMDB_KEY = "fuzz-key"
SEED = 20240601
MAX_EXAMPLES = 20
STATE_REFUSALS = [200, 201, 204, 403, 404, 409]
# Operations that end their own room or token: each gets a room of its own (see above).
OWN_ROOM = ("rooms_destroy", "rooms_members_sign_out_others", "rooms_update")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _ok(response: requests.Response) -> dict:
    assert response.status_code < 300, response.text
    return response.json() if response.content else {}


def room_with_everything(base: str) -> dict:
    """A room with three listed members (bob joined), two queued items with votes, one watched
    item in history with a rating, a pick and a screen."""
    created = _ok(
        requests.post(
            f"{base}/api/rooms",
            json={
                "name": "Fuzz night",
                "members": [
                    {"user_id": "alice", "name": "Alice"},
                    {"user_id": "bob", "name": "Bob"},
                    {"user_id": "carol", "name": "Carol"},
                ],
            },
            timeout=10,
        )
    )
    room, token = created["room"], created["token"]
    auth = bearer(token)
    joined = _ok(
        requests.post(
            f"{base}/api/rooms/{room['code']}/join",
            json={"user_id": "bob", "name": "Bob"},
            timeout=10,
        )
    )
    items = [
        _ok(
            requests.post(
                f"{base}/api/queue",
                json={"room_id": room["id"], "title": title},
                headers=auth,
                timeout=10,
            )
        )
        for title in ("Heat", "Alien", "Ran")
    ]
    for item in items:
        _ok(
            requests.post(
                f"{base}/api/votes",
                json={"item_id": item["id"], "vote": "up"},
                headers=bearer(joined["token"]),
                timeout=10,
            )
        )
    entry = _ok(requests.post(f"{base}/api/queue/{items[2]['id']}/watched", headers=auth))
    _ok(
        requests.put(
            f"{base}/api/history/{entry['id']}/ratings/alice",
            json={"rating": 4, "note": "Still good"},
            headers=auth,
            timeout=10,
        )
    )
    selection = _ok(requests.post(f"{base}/api/queue/room/{room['id']}/select", headers=auth))
    screen = _ok(requests.post(f"{base}/api/rooms/{room['code']}/screen", json={"label": "TV"}))
    return {
        "token": token,
        "room_id": room["id"],
        "code": room["code"],
        "item_id": [item["id"] for item in items],
        "entry_id": [entry["id"]],
        "selection_id": [selection["id"]],
        "screen_id": [screen["screen"]["id"]],
        "user_id": ["alice", "bob", "carol"],
    }


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


def config(base: str, main: dict, own: dict[str, dict]) -> str:
    """The run's schemathesis.toml."""
    dictionaries = {
        "room_id": [main["room_id"]],
        "item_id": main["item_id"],
        "entry_id": main["entry_id"],
        "selection_id": main["selection_id"],
        "screen_id": main["screen_id"],
        "user_id": main["user_id"],
        "code": [main["code"]],
    }
    lines = [
        f'base-url = "{base}"',
        f"seed = {SEED}",
        "request-timeout = 10",
        "max-stream-events = 2",
        "[headers]",
        f'Authorization = "Bearer {main["token"]}"',
        "[generation]",
        f"max-examples = {MAX_EXAMPLES}",
        "deterministic = true",
        "[checks]",
        "enabled = false",
        "not_a_server_error.enabled = true",
        "status_code_conformance.enabled = true",
        "content_type_conformance.enabled = true",
        "response_schema_conformance.enabled = true",
        "response_headers_conformance.enabled = true",
        "negative_data_rejection.enabled = true",
        "positive_data_acceptance.enabled = true",
        f"positive_data_acceptance.expected-statuses = {STATE_REFUSALS}",
        "[parameters]",
    ]
    lines += [
        f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}' for name in dictionaries
    ]
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml_list(values)}"]
    for operation_id, room in own.items():
        lines += [
            "[[operations]]",
            f'include-operation-id = "{operation_id}"',
            f'headers = {{ Authorization = "Bearer {room["token"]}" }}',
            f'parameters = {{ "path.room_id" = "{room["room_id"]}" }}',
            f"checks.positive_data_acceptance.expected-statuses = {[*STATE_REFUSALS, 401]}",
        ]
    # A stream's request ends when its read times out: 1 s, or it would wait the whole timeout.
    lines += [
        "[[operations]]",
        'include-path-regex = "^/api/events/"',
        "request-timeout = 1",
    ]
    for operation_id in ("rooms_create", "tonight_update"):
        lines += [
            "[[operations]]",
            f'include-operation-id = "{operation_id}"',
            f"checks.positive_data_acceptance.expected-statuses = {[*STATE_REFUSALS, 400]}",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with FakeTMDB(key=TMDB_KEY) as tmdb:
        env = server_env(
            tmp_path_factory.mktemp("fuzz"),
            ROOM_CREATE_RATE="100000/hour",
            JOIN_FAILURE_RATE="100000/minute",
            PICK_RATE="100000/minute",
            TMDB_API_KEY=TMDB_KEY,
            TMDB_API_URL=tmdb.url,
        )
        migrate(env)
        yield env


@pytest.mark.timeout(600)
def test_every_operation_answers_as_its_schema_says(env, tmp_path):
    # The server's log goes to a file: a pipe nobody reads fills up after a few thousand
    # requests, and the server then waits on it forever.
    with daphne(env, output=tmp_path / "server.log") as base:
        main = room_with_everything(base)
        own = {operation_id: room_with_everything(base) for operation_id in OWN_ROOM}
        (tmp_path / "schemathesis.toml").write_text(config(base, main, own))
        started = time.monotonic()
        log = tmp_path / "schemathesis.log"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "--config-file",
                str(tmp_path / "schemathesis.toml"),
                "run",
                f"{base}/api/schema/?format=json",
            ],
            cwd=tmp_path,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            timeout=540,
            check=False,
        )
        took = time.monotonic() - started
    output = log.read_text()
    print(output[-6000:], f"\nran in {took:.0f} s")
    assert done.returncode == 0, output[-20000:]
    selected = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", output)
    assert selected, output[-3000:]
    assert len(set(selected.groups())) == 1, "every operation is selected and tested"
    cases = re.search(r"(\d+) generated, (\d+) passed", output)
    assert cases, output[-3000:]
    assert cases.group(1) == cases.group(2), "every generated case passed"
