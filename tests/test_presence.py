"""Presence across processes: connection rows, the events they record, and their expiry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from realtime import presence
from realtime.models import LiveConnection
from rooms.services import member_remove
from tests.factories import events_since, make_room, seq_now


@pytest.fixture
def room(db):
    return make_room("alice", "bob")


def _kinds(setup, since: int) -> list[tuple[str, str, list[str]]]:
    return [
        (e.type, e.payload["user"]["user_id"], [u["user_id"] for u in e.payload["users"]])
        for e in events_since(setup.room, since)
    ]


def test_a_members_first_connection_joins_and_their_last_leaves(room):
    alice, bob = room.members["alice"], room.members["bob"]
    start = seq_now(room.room)
    presence.presence_enter(alice)
    tab1 = presence.presence_enter(bob)
    tab2 = presence.presence_enter(bob)
    presence.presence_leave(tab1)
    assert [u["user_id"] for u in presence.presence_online(room.room.pk)] == ["alice", "bob"]
    presence.presence_leave(tab2)
    presence.presence_leave(tab2)  # a second close of one connection changes nothing
    assert _kinds(room, start) == [
        ("user_joined", "alice", ["alice"]),
        ("user_joined", "bob", ["alice", "bob"]),
        ("user_left", "bob", ["alice"]),
    ]


def test_rows_a_dead_process_stopped_refreshing_expire_with_their_user_left(room):
    alice, bob = room.members["alice"], room.members["bob"]
    presence.presence_enter(alice)
    presence.presence_enter(bob)
    start = seq_now(room.room)
    long_ago = timezone.now() - timedelta(seconds=presence.STALE_SECONDS + 1)
    LiveConnection.objects.filter(member=bob).update(process="dead:1:x", seen_at=long_ago)

    assert [u["user_id"] for u in presence.presence_online(room.room.pk)] == ["alice"]
    assert presence.presence_refresh() == 1  # only this process's own row
    assert presence.presence_expire() == 1
    assert presence.presence_expire() == 0
    assert _kinds(room, start) == [("user_left", "bob", ["alice"])]
    assert list(LiveConnection.objects.values_list("member_id", flat=True)) == [alice.pk]


def test_a_stale_row_does_not_hide_a_live_one_of_the_same_member(room):
    bob = room.members["bob"]
    presence.presence_enter(bob)
    live = presence.presence_enter(bob)
    start = seq_now(room.room)
    long_ago = timezone.now() - timedelta(seconds=presence.STALE_SECONDS + 1)
    LiveConnection.objects.exclude(pk=live).update(seen_at=long_ago)
    assert presence.presence_expire() == 1
    assert events_since(room.room, start) == []
    assert [u["user_id"] for u in presence.presence_online(room.room.pk)] == ["bob"]


def test_a_removed_members_connections_go_with_them(room):
    tab = presence.presence_enter(room.members["bob"])
    member_remove(room=room.room, by=room.host, user_id="bob")
    start = seq_now(room.room)
    presence.presence_leave(tab)
    assert events_since(room.room, start) == []
    assert presence.presence_online(room.room.pk) == []
