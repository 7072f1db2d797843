"""Presence across processes: connection rows, the events they record, and their expiry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from realtime import presence
from realtime.models import LiveConnection
from rooms.models import Member
from rooms.services import member_remove
from tests.events import recorded
from tests.factories import make_room


@pytest.fixture
def room(db):
    return make_room("alice", "bob")


def person(member: Member) -> dict:
    """A member as presence events show them."""
    return {"user_id": member.user_id, "name": member.name, "avatar": member.avatar}


def told(type: str, member: Member, *online: Member) -> dict:
    return {"type": type, "user": person(member), "users": [person(m) for m in online]}


def test_a_members_first_connection_joins_and_their_last_leaves(room):
    alice, bob = room.members["alice"], room.members["bob"]
    with recorded(room.room) as events:
        presence.presence_enter(alice)
        tab1 = presence.presence_enter(bob)
        tab2 = presence.presence_enter(bob)
        presence.presence_leave(tab1)
        assert [u["user_id"] for u in presence.presence_online(room.room.pk)] == ["alice", "bob"]
        presence.presence_leave(tab2)
        presence.presence_leave(tab2)  # a second close of one connection changes nothing
    assert events == [
        told("user_joined", alice, alice),
        told("user_joined", bob, alice, bob),
        told("user_left", bob, alice),
    ]


def test_rows_a_dead_process_stopped_refreshing_expire_with_their_user_left(room):
    alice, bob = room.members["alice"], room.members["bob"]
    presence.presence_enter(alice)
    presence.presence_enter(bob)
    long_ago = timezone.now() - timedelta(seconds=presence.STALE_SECONDS + 1)
    LiveConnection.objects.filter(member=bob).update(process="dead:1:x", seen_at=long_ago)

    with recorded(room.room) as events:
        assert [u["user_id"] for u in presence.presence_online(room.room.pk)] == ["alice"]
        assert presence.presence_refresh() == 1  # only this process's own row
        assert presence.presence_expire() == 1
        assert presence.presence_expire() == 0
    assert events == [told("user_left", bob, alice)]
    assert list(LiveConnection.objects.values_list("member_id", flat=True)) == [alice.pk]


def test_a_stale_row_does_not_hide_a_live_one_of_the_same_member(room):
    bob = room.members["bob"]
    presence.presence_enter(bob)
    live = presence.presence_enter(bob)
    long_ago = timezone.now() - timedelta(seconds=presence.STALE_SECONDS + 1)
    LiveConnection.objects.exclude(pk=live).update(seen_at=long_ago)
    with recorded(room.room) as events:
        assert presence.presence_expire() == 1
    assert events == []
    assert [u["user_id"] for u in presence.presence_online(room.room.pk)] == ["bob"]


def test_a_removed_member_leaves_presence_at_once_and_their_closed_tab_records_user_left(room):
    tab = presence.presence_enter(room.members["bob"])
    member_remove(room=room.room, by=room.host, user_id="bob")
    assert presence.presence_online(room.room.pk) == []
    with recorded(room.room) as events:
        presence.presence_leave(tab)
    assert events == [
        {
            "type": "user_left",
            "user": {"user_id": "bob", "name": "Bob", "avatar": ""},
            "users": [],
        }
    ]
