"""Inputs and orderings that once got past the rules: each test here failed before its fix."""

import pytest


@pytest.mark.django_db
def test_a_history_offset_beyond_any_database_integer_is_a_400(trio):
    setup, _ = trio
    response = setup.client("alice").get(
        f"/api/history/room/{setup.room.pk}?offset=100000000000000000000"
    )
    assert response.status_code == 400
    assert "offset" in response.json()["fields"]
