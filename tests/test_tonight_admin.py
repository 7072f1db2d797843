"""Tonight on the moderation site: evenings are read-only records, and the one action (start a
room's next evening) goes through the same service as the host's button."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.events import recorded
from tests.factories import make_room
from tonight.models import Evening, Veto
from tonight.services import tonight_load, veto_add

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/tonight/evening/"


@pytest.fixture
def moderator(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("moderator", "mod@example.com", None))
    return client


@pytest.fixture
def vetoed():
    setup = make_room("alice", "bob")
    heat = setup.add_item("Heat", by="bob")
    veto_add(item_id=heat.pk, by=setup.members["alice"])
    return setup, heat


def test_the_evenings_list_and_an_evening_with_its_vetoes_load(moderator, vetoed):
    setup, heat = vetoed
    evening = Evening.objects.get(room=setup.room)
    listing = moderator.get(CHANGELIST, {"q": setup.room.code})
    assert listing.status_code == 200
    assert setup.room.name in listing.content.decode()
    page = moderator.get(f"{CHANGELIST}{evening.pk}/change/")
    assert page.status_code == 200
    assert str(heat) in page.content.decode()
    # Evidence: nobody edits or deletes an evening by hand.
    assert moderator.post(f"{CHANGELIST}{evening.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Evening.objects.filter(pk=evening.pk).exists()


def test_starting_the_next_evening_gives_the_vetoes_back_and_tells_the_room(moderator, vetoed):
    setup, heat = vetoed
    evening = Evening.objects.get(room=setup.room)
    with recorded(setup.room) as events:
        response = moderator.post(
            CHANGELIST, {"action": "start_next_evening", "_selected_action": [evening.pk]}
        )
    assert response.status_code == 302
    evening.refresh_from_db()
    assert evening.ended_at is not None
    tonight = tonight_load(setup.room)
    assert tonight.evening.pk != evening.pk
    assert tonight.vetoes == []
    assert tonight.vetoes_left("alice") == 1
    assert Veto.objects.filter(item=heat, evening=evening).exists()  # the old evening keeps it
    assert [event["type"] for event in events] == ["evening_update"]
    assert events[0]["tonight"]["evening"]["id"] == tonight.evening.pk


def test_a_share_out_of_range_on_the_room_form_is_an_error_on_the_form(moderator, vetoed):
    setup, _ = vetoed
    room = setup.room
    form = {
        "name": room.name,
        "status": "open",
        "voting_duration_seconds": "60",
        "selection_mode": "weighted_random",
        "seen_share_percent": "0",
        "vetoes_per_evening": "11",
        "consensus_share_percent": "50",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    with recorded(room) as events:
        response = moderator.post(f"/admin/rooms/room/{room.pk}/change/", form)
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert events == []
    room.refresh_from_db()
    assert (room.seen_share_percent, room.vetoes_per_evening) == (50, 1)
