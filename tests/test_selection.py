"""Picking what to watch through the API: the mode from the room, the query or the body, who
may pick, and the event the pick records. The pure algorithms are tested in
test_selection_algorithms.py."""

import pytest

from selection import services
from selection.models import Selection
from tests.events import recorded
from tests.factories import make_room

# Picking through the API: the mode from the room, the query or the body, and the event


def pick(setup, query: str = "", body: dict | None = None, user_id: str = "alice"):
    url = f"/api/queue/room/{setup.room.pk}/select{query}"
    return setup.client(user_id).post(url, body, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "body", "mode"),
    [
        ("", None, "weighted_random"),
        ("?mode=highest_votes", None, "highest_votes"),
        ("", {"mode": "round_robin"}, "round_robin"),
    ],
)
def test_the_pick_uses_the_rooms_mode_unless_the_query_or_body_names_one(query, body, mode):
    setup = make_room("alice", "bob")
    setup.add_item("Inception")
    response = pick(setup, query, body)
    assert response.status_code == 201
    assert response.json()["mode"] == mode
    assert Selection.objects.get().mode == mode


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "body", "given"),
    [("?mode=coin_flip", None, "coin_flip"), ("", {"mode": "coin"}, "coin")],
)
def test_an_unknown_mode_anywhere_is_a_400_and_picks_nothing(query, body, given):
    setup = make_room("alice", "bob")
    setup.add_item("Inception")
    with recorded(setup.room) as events:
        response = pick(setup, query, body)
    assert response.status_code == 400
    assert response.json()["fields"] == {"mode": [f'"{given}" is not a valid choice.']}
    assert not Selection.objects.exists()
    assert events == []


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", ["alice", "bob"], ids=["host", "member"])
def test_the_host_or_a_member_picks_and_the_room_is_told_the_pick_and_its_reason(trio, user_id):
    setup, _ = trio
    item = setup.add_item("Inception", by="bob")
    with recorded(setup.room) as events:
        response = pick(setup, "?mode=highest_votes", user_id=user_id)
    assert response.status_code == 201
    picked = response.json()
    assert (picked["item_id"], picked["selected_by"], picked["round_id"]) == (
        item.pk,
        user_id,
        None,
    )
    assert picked["reason"]["tied"] == [item.pk]
    assert picked["item"]["title"] == "Inception"
    assert events == [{"type": "selection", "selection": picked}]


@pytest.mark.django_db
def test_an_outsider_cannot_pick_in_a_room_and_nothing_is_recorded(trio):
    setup, other = trio
    setup.add_item("Inception")
    with recorded(setup.room) as events:
        response = other.client("mallory").post(f"/api/queue/room/{setup.room.pk}/select")
    assert (response.status_code, response.json()["error"]) == (403, "forbidden")
    assert not Selection.objects.exists()
    assert events == []


@pytest.mark.django_db
def test_a_pick_from_an_empty_queue_is_a_409_that_records_nothing(trio):
    setup, _ = trio
    with recorded(setup.room) as events:
        response = pick(setup, user_id="bob")
    assert (response.status_code, response.json()) == (
        409,
        {"error": "empty_queue", "detail": services.EMPTY_QUEUE},
    )
    assert not Selection.objects.exists()
    assert events == []
