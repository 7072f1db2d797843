"""Rooms and their members: creating, joining, settings, leaving.

Every write takes the acting member as `by`; `None` means a moderator (the admin site or a
management command), who may do what a host may.
"""

import secrets
from typing import Any

from django.conf import settings as site_settings
from django.db import IntegrityError
from django.utils import timezone
from django.utils.text import slugify

from rooms import ratelimit
from rooms.models import CODE_ALPHABET, CODE_LENGTH, USER_ID_MAX, Member, Room, RoomStatus
from rooms.serializers import MemberSerializer, RoomSerializer
from rooms.tokens import member_token, screen_token
from watchqueue_site.db import atomic, retry_on_conflict, unique_row
from watchqueue_site.errors import Conflict, Forbidden, Invalid, NotFound
from watchqueue_site.events import EventType, event_record
from watchqueue_site.hooks import Hook

ROOM_NOT_FOUND = "No room with this id."
CODE_NOT_FOUND = "No room has this join code."
ROOM_CLOSED = "This room is closed."
OTHER_ROOM = "Your token is for another room."
USER_ID_TAKEN = "Someone in this room already uses this user_id."
MEMBER_NOT_FOUND = "No member with this user_id in this room."
HOST_ONLY = "Only the room's host can do this."
HOST_CANNOT_LEAVE = "The host cannot leave the room; delete the room instead."
REMOVE_OTHERS_HOST_ONLY = "Only the host can remove other members."
ROOM_FULL = "This room has its most members ({limit}); nobody else can join or be listed."

SETTINGS_FIELDS = ("voting_duration_seconds", "selection_mode", "allow_revotes")

# What later apps do when a member leaves or a room closes (voting registers both, in
# `voting/apps.py`). Each runs inside the atomic block of the change.
member_leaving: Hook[[Member], None] = Hook("member_leaving")
room_closing: Hook[[Room], None] = Hook("room_closing")


def normalize_code(code: str) -> str:
    """Join codes are typed by people: ignore case, spaces and dashes."""
    return "".join(code.split()).replace("-", "").upper()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _user_id_from_name(name: str) -> str:
    return slugify(name)[: USER_ID_MAX - 5].strip("-_") or "guest"


def _members_payload(room: Room) -> list[dict]:
    return MemberSerializer(room.members.all(), many=True).data


def room_get(room_id: str) -> Room:
    room = unique_row(Room.objects.filter(pk=room_id))
    if room is None:
        raise NotFound(ROOM_NOT_FOUND)
    return room


def room_get_by_code(*, code: str, address: str) -> Room:
    ratelimit.join_check(address)
    room = unique_row(Room.objects.filter(code=normalize_code(code)))
    if room is None:
        ratelimit.join_failed(address)
        raise NotFound(CODE_NOT_FOUND)
    return room


@retry_on_conflict
def room_create(
    *,
    name: str,
    members: list[dict[str, Any]],
    settings: dict[str, Any] | None = None,
    address: str | None = None,
) -> tuple[Room, Member, str]:
    """Create a room; the first of `members` is its host and gets a token at once.

    The others are placeholders that their people claim by joining with the same user_id.
    A client at `address` creates at most `ROOM_CREATE_RATE` rooms (none for a moderator).
    """
    if len(members) > (limit := site_settings.ROOM_MEMBERS_MAX):
        message = ROOM_FULL.format(limit=limit)
        raise Invalid(message, fields={"members": [message]})
    if address is not None:
        ratelimit.room_create_take(address)
    settings = {k: v for k, v in (settings or {}).items() if k in SETTINGS_FIELDS}
    # Explicit user_ids first, so one made from a name never takes an id listed further on.
    taken = {person["user_id"] for person in members if person.get("user_id")}
    rows = []
    for index, person in enumerate(members):
        user_id = person.get("user_id")
        if not user_id:
            user_id = _unique_user_id(person["name"], taken)
            taken.add(user_id)
        rows.append((index, user_id, person))
    for _ in range(10):
        if Room.objects.filter(code=(code := _new_code())).exists():
            continue
        try:
            with atomic():
                room = Room.objects.create(name=name, code=code, **settings)
                now = timezone.now()
                created = [
                    Member.objects.create(
                        room=room,
                        user_id=user_id,
                        name=person["name"],
                        avatar=person.get("avatar", ""),
                        is_host=index == 0,
                        claimed=index == 0,
                        joined_at=now if index == 0 else None,
                    )
                    for index, user_id, person in rows
                ]
            host = created[0]
            return room, host, member_token(host)
        except IntegrityError:
            # The members' ids are distinct by now, so only the join code can clash: another
            # room took the same code between the look-up above and the insert.
            continue
    raise Conflict("Could not find a free join code; try again.")


def _unique_user_id(name: str, taken: set[str]) -> str:
    base = _user_id_from_name(name)
    candidate = base
    while candidate in taken:
        candidate = f"{base}-{secrets.token_hex(2)}"
    return candidate


@retry_on_conflict
def room_update(
    *,
    room: Room,
    by: Member | None,
    name: str | None = None,
    settings: dict[str, Any] | None = None,
    status: str | None = None,
) -> Room:
    _require_host(room, by)
    changes: dict[str, Any] = {k: v for k, v in (settings or {}).items() if k in SETTINGS_FIELDS}
    if name is not None:
        changes["name"] = name
    if status is not None:
        changes["status"] = status
    # Setting what the room already has changes nothing and tells no client anything: closing
    # a closed room again, or saving an untouched admin form, records no event.
    changes = {field: value for field, value in changes.items() if getattr(room, field) != value}
    if not changes:
        return room
    with atomic():
        for field, value in changes.items():
            setattr(room, field, value)
        room.save(update_fields=[*changes, "updated_at"])
        event_record(room, EventType.ROOM_UPDATE, {"room": RoomSerializer(room).data})
        if not room.is_open:
            room_closing(room)
    return room


def room_close(*, room: Room, by: Member | None) -> Room:
    return room_update(room=room, by=by, status=RoomStatus.CLOSED)


@retry_on_conflict
def room_delete(*, room: Room, by: Member | None) -> None:
    _require_host(room, by)
    with atomic():
        event_record(room, EventType.ROOM_DELETED, {"room_id": room.pk})
        room.delete()


@retry_on_conflict
def room_join(
    *,
    code: str,
    name: str,
    address: str,
    user_id: str | None = None,
    avatar: str | None = None,
    presented: Member | None = None,
) -> tuple[Room, Member, str]:
    """Join a room with its code, as a new member or by claiming a listed one.

    A user_id someone has already claimed is refused unless `presented` (the member of the
    request's token) is that member: then it is a re-join from another device.
    """
    room = room_get_by_code(code=code, address=address)
    if not room.is_open:
        raise Conflict(ROOM_CLOSED, code="room_closed")
    if user_id is None:
        user_id = _free_user_id(room, name)
    existing = unique_row(Member.objects.filter(room=room, user_id=user_id))
    if existing and existing.claimed and not (presented and presented.pk == existing.pk):
        ratelimit.join_failed(address)
        raise Conflict(USER_ID_TAKEN, code="user_id_taken")
    now = timezone.now()
    try:
        with atomic():
            if existing:
                # Conditional on the row still being what we read, so two people claiming one
                # listed member at once end with one winner.
                claimed = Member.objects.filter(pk=existing.pk, claimed=existing.claimed).update(
                    claimed=True,
                    name=name,
                    avatar=existing.avatar if avatar is None else avatar,
                    joined_at=existing.joined_at or now,
                )
                if not claimed:
                    raise IntegrityError("member claimed concurrently")
                member = Member.objects.get(pk=existing.pk)
                action = "rejoined" if existing.claimed else "joined"
            else:
                _require_room_for_one_more(room)
                member = Member.objects.create(
                    room=room,
                    user_id=user_id,
                    name=name,
                    avatar=avatar or "",
                    claimed=True,
                    joined_at=now,
                )
                action = "joined"
            _member_event(room, action, member)
    except IntegrityError:
        ratelimit.join_failed(address)
        raise Conflict(USER_ID_TAKEN, code="user_id_taken") from None
    return room, member, member_token(member)


def screen_open(*, code: str, address: str) -> tuple[Room, str]:
    """A read-only screen's token for the room with this code (the living-room TV).

    Anyone who can join can watch, so the code is all it takes, with the same limit on wrong
    codes as joining. A screen is not a member: it records no event and is in no list.
    """
    room = room_get_by_code(code=code, address=address)
    return room, screen_token(room)


def _free_user_id(room: Room, name: str) -> str:
    taken = set(Member.objects.filter(room=room).values_list("user_id", flat=True))
    return _unique_user_id(name, taken)


@retry_on_conflict
def member_add(
    *, room: Room, by: Member | None, name: str, user_id: str | None = None, avatar: str = ""
) -> Member:
    """List someone who has not joined yet; they claim the place by joining with its user_id."""
    require_open(room)
    if user_id is None:
        user_id = _free_user_id(room, name)
    try:
        with atomic():
            _require_room_for_one_more(room)
            member = Member.objects.create(room=room, user_id=user_id, name=name, avatar=avatar)
            _member_event(room, "added", member)
    except IntegrityError:
        raise Conflict(USER_ID_TAKEN, code="user_id_taken") from None
    return member


def member_get(room: Room, user_id: str) -> Member:
    member = unique_row(Member.objects.filter(room=room, user_id=user_id))
    if member is None:
        raise NotFound(MEMBER_NOT_FOUND)
    return member


@retry_on_conflict
def member_remove(*, room: Room, by: Member | None, user_id: str) -> None:
    """Remove a member: the host removes anyone else, a member removes themself.

    Their token stops working and their votes are withdrawn, so the counts others see stay
    true. A moderator may remove the host; the longest-standing member then becomes host.
    """
    member = member_get(room, user_id)
    if by is not None and by.pk != member.pk and not by.is_host:
        raise Forbidden(REMOVE_OTHERS_HOST_ONLY)
    if member.is_host and by is not None:
        raise Conflict(HOST_CANNOT_LEAVE, code="host_cannot_leave")
    with atomic():
        member_leaving(member)
        member.delete()
        if member.is_host:
            successor = (
                Member.objects.filter(room=room, claimed=True).order_by("joined_at", "id").first()
            )
            if successor:
                Member.objects.filter(pk=successor.pk).update(is_host=True)
        _member_event(room, "removed", member)


def _member_event(room: Room, action: str, member: Member) -> None:
    event_record(
        room,
        EventType.MEMBER_UPDATE,
        {
            "action": action,
            "member": MemberSerializer(member).data,
            "members": _members_payload(room),
        },
    )


def _require_room_for_one_more(room: Room) -> None:
    """`ROOM_MEMBERS_MAX` on every path that adds a member. Counted inside the adding
    transaction, which also writes the room (its event number), so two adds at once cannot both
    take the last place: SQLite runs them one after the other, and MongoDB aborts one."""
    if Member.objects.filter(room=room).count() >= (limit := site_settings.ROOM_MEMBERS_MAX):
        raise Conflict(ROOM_FULL.format(limit=limit), code="room_full")


def _require_host(room: Room, by: Member | None) -> None:
    if by is not None and not (by.is_host and by.room_id == room.pk):
        raise Forbidden(HOST_ONLY)


def require_open(room: Room) -> None:
    if not room.is_open:
        raise Conflict(ROOM_CLOSED, code="room_closed")
