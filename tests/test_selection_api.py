"""Picking through the API: the mode from the room, the query or the body, and bad modes."""

import pytest

from selection.models import Selection
from tests.factories import make_room


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
    url = f"/api/queue/room/{setup.room.pk}/select{query}"
    response = setup.client("alice").post(url, body, format="json")
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
    url = f"/api/queue/room/{setup.room.pk}/select{query}"
    response = setup.client("alice").post(url, body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"mode": [f'"{given}" is not a valid choice.']}
    assert not Selection.objects.exists()
