"""Who is in a room right now, across every server process.

A member is online while at least one of their connections is open, so two tabs are one
member: the first connection records a `user_joined` event and the last one to close a
`user_left` event, both carrying the room's presence list. They are ordinary room events,
so they reach every process's clients through the change feed, and a client resuming a
stream gets them too.

Each open connection is a `LiveConnection` row. Its process refreshes it every
`REFRESH_SECONDS`; a row not refreshed for `STALE_SECONDS` belongs to a process that died and
no longer counts, and `presence_expire` (one of the time-driven jobs, `realtime.jobs`) removes
it and records the `user_left` it owes.
"""

import os
import socket
import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from realtime.models import LiveConnection
from rooms.models import Member, Room
from tonight.services import attendance_changed
from watchqueue_site.db import atomic, retry_on_conflict, unique_row
from watchqueue_site.events import EventType, event_record

REFRESH_SECONDS = 15
STALE_SECONDS = 45

# This process, as its connection rows name it.
PROCESS = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def member_payload(member: Member) -> dict[str, Any]:
    return {"user_id": member.user_id, "name": member.name, "avatar": member.avatar}


def _fresh():
    return LiveConnection.objects.filter(
        seen_at__gte=timezone.now() - timedelta(seconds=STALE_SECONDS)
    )


def presence_online(room_id: str) -> list[dict[str, Any]]:
    """The members with an open connection, by user_id."""
    rows = (
        _fresh()
        .filter(room_id=room_id, member__left_at__isnull=True)
        .select_related("member")
        .order_by("member__user_id")
    )
    online: dict[str, dict[str, Any]] = {}
    for row in rows:
        online.setdefault(row.member_id, member_payload(row.member))
    return list(online.values())


def online_user_ids(room: Room) -> set[str]:
    """Who has an open connection to `room` (tonight's `online_members` hook)."""
    return set(
        _fresh()
        .filter(room_id=room.pk, member__left_at__isnull=True)
        .values_list("member__user_id", flat=True)
    )


def _announce(room_id: str, type: str, member: Member) -> None:
    payload = {"user": member_payload(member), "users": presence_online(room_id)}
    event_record(Room(pk=room_id), type, payload)
    # Who is in tonight follows who is connected, unless they said otherwise.
    room = unique_row(Room.objects.filter(pk=room_id))
    if room is not None:
        attendance_changed(room)


@retry_on_conflict
def presence_enter(member: Member) -> str:
    """Count a connection of `member` in; returns its id for `presence_leave`."""
    now = timezone.now()
    with atomic():
        connection = LiveConnection.objects.create(
            room_id=member.room_id, member=member, process=PROCESS, seen_at=now
        )
        if not _fresh().filter(member=member).exclude(pk=connection.pk).exists():
            _announce(member.room_id, EventType.USER_JOINED, member)
    return connection.pk


@retry_on_conflict
def presence_leave(connection_id: str) -> None:
    """Count a connection out; the member's last one records `user_left`."""
    with atomic():
        connection = unique_row(
            LiveConnection.objects.select_related("member").filter(pk=connection_id)
        )
        if connection is None:  # expired, or its member was removed: already accounted for
            return
        LiveConnection.objects.filter(pk=connection.pk).delete()
        if not _fresh().filter(member_id=connection.member_id).exists():
            _announce(connection.room_id, EventType.USER_LEFT, connection.member)


def presence_refresh() -> int:
    """Mark this process's connections as still open."""
    return LiveConnection.objects.filter(process=PROCESS).update(seen_at=timezone.now())


@retry_on_conflict
def presence_expire() -> int:
    """Remove the connections of processes that stopped refreshing them, and record the
    `user_left` of members who have no other connection. Returns how many were removed."""
    cutoff = timezone.now() - timedelta(seconds=STALE_SECONDS)
    removed = 0
    stale = LiveConnection.objects.filter(seen_at__lt=cutoff)
    for member_id in set(stale.values_list("member_id", flat=True)):
        with atomic():
            deleted, _ = stale.filter(member_id=member_id).delete()
            removed += deleted
            member = unique_row(Member.everyone.filter(pk=member_id))
            if deleted and member and not _fresh().filter(member_id=member_id).exists():
                _announce(member.room_id, EventType.USER_LEFT, member)
    return removed
