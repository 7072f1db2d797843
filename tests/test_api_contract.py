"""The API says what it does: the schema states unknown fields, limits and formats, a `null`
body is refused, and without a token an existing room and a missing one answer alike."""

import json

import pytest
from django.core.management import call_command

from rooms.models import Room
from tests.factories import client_for
from watchqueue_site.api import NOT_AN_OBJECT
from watchqueue_site.models import RoomEvent

UNKNOWN_ID = "0" * 24


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("schema") / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    return json.loads(path.read_text())


def test_every_request_body_refuses_unknown_fields(schema):
    requests = {k: v for k, v in schema["components"]["schemas"].items() if k.endswith("Request")}
    assert requests
    assert {
        name for name, body in requests.items() if body.get("additionalProperties") is not False
    } == set()


def test_the_schema_states_the_limits_the_server_enforces(schema):
    components = schema["components"]["schemas"]
    members = components["RoomCreateRequest"]["properties"]["members"]
    assert (members["minItems"], members["maxItems"]) == (1, 50)
    assert components["QueueAddRequest"]["properties"]["room_id"]["pattern"] == "^[0-9a-f]{24}$"
    (room_id,) = schema["paths"]["/api/rooms/{room_id}"]["get"]["parameters"]
    assert room_id["schema"]["pattern"] == "^[0-9a-f]{24}$"


def test_joining_is_declared_to_work_without_a_token(schema):
    assert {} in schema["paths"]["/api/rooms/{code}/join"]["post"]["security"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/api/rooms/{room}"),
        ("post", "/api/queue/room/{room}/select"),
        ("post", "/api/rooms/{room}/round"),
        ("post", "/api/rooms"),
    ],
)
def test_a_null_body_is_a_400_that_writes_nothing(trio, method, path):
    setup, _ = trio
    setup.add_item("Heat")
    before = (RoomEvent.objects.count(), Room.objects.count())
    client = setup.client("alice")
    url = path.format(room=setup.room.pk)
    response = getattr(client, method)(url, "null", content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == NOT_AN_OBJECT
    assert (RoomEvent.objects.count(), Room.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/rooms/{id}"),
        ("patch", "/api/rooms/{id}"),
        ("delete", "/api/rooms/{id}"),
        ("get", "/api/rooms/{id}/snapshot"),
        ("get", "/api/rooms/{id}/presence"),
        ("get", "/api/rooms/{id}/round"),
        ("get", "/api/queue/room/{id}"),
        ("get", "/api/history/room/{id}"),
        ("get", "/api/events/room/{id}"),
        ("post", "/api/rooms/{id}/members"),
        ("get", "/api/queue/{item}"),
        ("get", "/api/votes/item/{item}"),
    ],
)
def test_without_a_token_an_existing_room_and_a_missing_one_answer_the_same(trio, method, path):
    setup, _ = trio
    item = setup.add_item("Heat")
    client = client_for(None)
    answers = []
    for room_id, item_id in ((setup.room.pk, item.pk), (UNKNOWN_ID, UNKNOWN_ID)):
        response = getattr(client, method)(path.format(id=room_id, item=item_id), format="json")
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 401
