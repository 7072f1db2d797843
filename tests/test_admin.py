"""The Django admin site as a moderator sees it: changelists, and actions that go through the
services so each change is recorded as a room event like any other."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client

from history.models import Rating, WatchEntry
from history.services import history_mark_watched, rating_set
from queues.models import QueueItem
from rooms.auth import INVALID_TOKEN
from rooms.models import Member, Room
from selection.models import Selection
from selection.services import selection_make
from tests.events import recorded
from tests.factories import RoomSetup
from voting.models import Vote, VotingRound
from voting.services import ROOM_CLOSED_OUTCOME, round_start, vote_cast
from watchqueue_site.phrases import english

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db) -> Client:
    user = User.objects.create_superuser("moderator", "moderator@example.com", None)
    client = Client()
    client.force_login(user)
    return client


@dataclass
class World:
    """alice's room (bob has joined) and mallory's room, with something of everything in both."""

    setup: RoomSetup
    other: RoomSetup
    heat: QueueItem
    alien: WatchEntry

    @property
    def room(self) -> Room:
        return self.setup.room


@pytest.fixture
def world(trio) -> World:
    setup, other = trio
    alice, bob, mallory = setup.members["alice"], setup.members["bob"], other.members["mallory"]
    heat = setup.add_item("Heat", by="bob")
    brazil = other.add_item("Brazil", by="mallory")
    vote_cast(item_id=heat.pk, by=bob, value="up")
    vote_cast(item_id=heat.pk, by=alice, value="down")
    vote_cast(item_id=brazil.pk, by=mallory, value="up")
    # The picks come first: while a round runs, a pick waits for the round's end.
    selection_make(room=setup.room, by=alice, mode="highest_votes")
    selection_make(room=other.room, by=mallory, mode="weighted_random")
    round_start(room=setup.room, by=alice)
    round_start(room=other.room, by=mallory)
    alien = history_mark_watched(item=setup.add_item("Alien", by="alice"), by=alice)
    history_mark_watched(item=other.add_item("Casablanca", by="mallory"), by=mallory)
    rating_set(entry=alien, by=bob, user_id="bob", rating=4)
    rating_set(entry=alien, by=alice, user_id="alice", rating=2)
    return World(setup, other, heat, alien)


def run_action(moderator: Client, changelist: str, action: str, *pks: str):
    response = moderator.post(changelist, {"action": action, "_selected_action": list(pks)})
    assert response.status_code == 302, response.content[:500]
    return response


# Changelists, searched and filtered

CHANGELISTS = [
    ("rooms/room", "q=Friday&status__exact=open", lambda w: w.room),
    ("rooms/member", "q=bob&claimed__exact=1", lambda w: w.setup.members["bob"]),
    ("queues/queueitem", "q=Heat&status__exact=queued", lambda w: w.heat),
    ("voting/vote", "q=Heat&value__exact=up", lambda w: Vote.objects.get(user_id="bob")),
    (
        "voting/votinground",
        "q=Friday&status__exact=open",
        lambda w: VotingRound.objects.get(room=w.room),
    ),
    (
        "selection/selection",
        "q=Heat&mode__exact=highest_votes",
        lambda w: Selection.objects.get(room=w.room),
    ),
    ("history/watchentry", "q=Alien&media_type__exact=movie", lambda w: w.alien),
    ("history/rating", "q=Alien&rating__exact=4", lambda w: Rating.objects.get(user_id="bob")),
]


@pytest.mark.parametrize(
    ("model", "query", "expected"), CHANGELISTS, ids=[c[0] for c in CHANGELISTS]
)
def test_each_changelist_loads_searched_and_filtered(moderator, world, model, query, expected):
    everything = moderator.get(f"/admin/{model}/")
    assert everything.status_code == 200
    assert everything.context["cl"].result_count > 1

    response = moderator.get(f"/admin/{model}/?{query}")

    assert response.status_code == 200
    assert [obj.pk for obj in response.context["cl"].result_list] == [expected(world).pk]


def test_the_admin_needs_a_staff_login(world):
    response = Client().get("/admin/rooms/room/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_rooms_offer_the_service_actions_instead_of_the_bulk_delete(moderator, world):
    response = moderator.get("/admin/rooms/room/")
    actions = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert "close_rooms" in actions
    assert "delete_rooms" in actions
    assert "delete_selected" not in actions


# Actions


def test_closing_a_room_goes_through_the_service(moderator, world):
    with recorded(world.room) as events:
        run_action(moderator, "/admin/rooms/room/", "close_rooms", world.room.pk)

    world.room.refresh_from_db()
    assert world.room.status == "closed"
    # The running round ends with the room, without a pick.
    assert [e["type"] for e in events] == ["room_update", "voting_round_end"]
    assert events[0]["room"]["status"] == "closed"
    assert events[1]["selection"] is None
    assert events[1]["round"]["outcome"] == english(ROOM_CLOSED_OUTCOME())
    assert Room.objects.get(pk=world.other.room.pk).status == "open"

    with recorded(world.room) as again:
        run_action(moderator, "/admin/rooms/room/", "close_rooms", world.room.pk)
    assert again == []


def test_deleting_a_room_goes_through_the_service_and_leaves_its_event(moderator, world):
    room_id = world.room.pk
    with recorded(world.room) as events:
        run_action(moderator, "/admin/rooms/room/", "delete_rooms", room_id)

    assert not Room.objects.filter(pk=room_id).exists()
    assert not Member.objects.filter(room_id=room_id).exists()
    assert not QueueItem.objects.filter(room_id=room_id).exists()
    # The message is {"type": "room_deleted", "room_id": …, "seq": …}: nothing else.
    assert events == [{"type": "room_deleted"}]
    assert Room.objects.filter(pk=world.other.room.pk).exists()


def test_removing_a_member_revokes_their_token_and_records_it(moderator, world):
    bob = world.setup.members["bob"]
    assert world.setup.client("bob").get(f"/api/rooms/{world.room.pk}").status_code == 200

    with recorded(world.room) as events:
        run_action(moderator, "/admin/rooms/member/", "remove_members", bob.pk)

    assert not Member.objects.filter(pk=bob.pk).exists()
    response = world.setup.client("bob").get(f"/api/rooms/{world.room.pk}")
    assert (response.status_code, response.json()["error"]) == (401, "invalid_token")
    assert response.json()["detail"] == INVALID_TOKEN
    # His up vote on Heat is withdrawn first, so the counts others see stay true.
    assert [e["type"] for e in events] == ["vote_update", "member_update"]
    assert (events[0]["user_id"], events[0]["vote"], events[0]["item_id"]) == (
        "bob",
        None,
        world.heat.pk,
    )
    assert (events[0]["upvotes"], events[0]["downvotes"], events[0]["vote_score"]) == (0, 1, -1)
    assert (events[1]["action"], events[1]["member"]["user_id"]) == ("removed", "bob")
    assert "bob" not in [m["user_id"] for m in events[1]["members"]]
    assert world.setup.client("alice").get(f"/api/rooms/{world.room.pk}").status_code == 200


def test_removing_an_item_goes_through_the_service(moderator, world):
    with recorded(world.room) as events:
        run_action(moderator, "/admin/queues/queueitem/", "remove_items", world.heat.pk)

    assert not QueueItem.objects.filter(pk=world.heat.pk).exists()
    assert [(e["type"], e["action"]) for e in events] == [("queue_update", "removed")]
    assert events[0]["item"]["id"] == world.heat.pk


def test_editing_a_rooms_settings_in_the_change_form_records_a_room_update(moderator, world):
    room = world.room
    members = list(room.members.order_by("created_at", "id"))
    assert moderator.get(f"/admin/rooms/room/{room.pk}/change/").status_code == 200
    form = {
        "name": "Saturday Night Movies",
        "status": "open",
        "voting_duration_seconds": "120",
        "selection_mode": "round_robin",
        # allow_revotes and vetoes_public left out: unticked checkboxes, so False
        "seen_share_percent": "60",
        "vetoes_per_evening": "2",
        "consensus_share_percent": "75",
        "fair_boost": "on",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": str(len(members)),
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for index, member in enumerate(members):
        form[f"members-{index}-id"] = member.pk
        form[f"members-{index}-room"] = room.pk

    with recorded(room) as events:
        response = moderator.post(f"/admin/rooms/room/{room.pk}/change/", form)

    assert response.status_code == 302, response.content[:2000]
    room.refresh_from_db()
    settings = {
        "voting_duration_seconds": 120,
        "selection_mode": "round_robin",
        "allow_revotes": False,
    }
    assert (room.name, room.voting_duration_seconds, room.selection_mode, room.allow_revotes) == (
        "Saturday Night Movies",
        *settings.values(),
    )
    assert [e["type"] for e in events] == ["room_update"]
    assert events[0]["room"]["name"] == "Saturday Night Movies"
    # The settings of tonight's pick are on the form too.
    assert events[0]["room"]["settings"] == {
        **settings,
        "seen_share_percent": 60,
        "vetoes_per_evening": 2,
        "vetoes_public": False,
        "consensus_share_percent": 75,
        "fair_boost": True,
    }

    with recorded(room) as unchanged:
        assert moderator.post(f"/admin/rooms/room/{room.pk}/change/", form).status_code == 302
    assert unchanged == []
