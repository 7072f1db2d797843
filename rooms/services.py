"""Rooms and their members: creating, joining, settings, leaving.

Every write takes the acting member as `by`; `None` means a moderator (the admin site or a
management command), who may do what a host may.
"""

import secrets
from typing import Any

from django.conf import settings as site_settings
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from rooms import ratelimit
from rooms.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    USER_ID_MAX,
    Member,
    Room,
    RoomScreen,
    RoomStatus,
    departed_name_key,
    name_key,
)
from rooms.serializers import MemberSerializer, RoomSerializer, ScreenSerializer
from rooms.tokens import member_token, screen_token
from watchqueue_site.db import atomic, retry_on_conflict, unique_row
from watchqueue_site.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from watchqueue_site.events import EventType, event_record
from watchqueue_site.hooks import Hook

ROOM_NOT_FOUND = _("No room with this id.")
CODE_NOT_FOUND = _("No room has this join code.")
ROOM_CLOSED = _("This room is closed.")
OTHER_ROOM = _("Your token is for another room.")
USER_ID_TAKEN = _("Someone in this room already uses this user_id.")
USER_ID_DEPARTED = _(
    "This user_id belonged to a member who left this room; it is kept for their ratings, notes "
    "and items and given to no one else. Choose another user_id, or omit it."
)
NAME_TAKEN = _("Someone in this room already has this name; choose another.")
NO_LONGER_MEMBER = _(
    "You are no longer a member of this room, or you signed out of this device from another."
)
SELF_ONLY = _("You can only sign out your own devices.")
SCREEN_NOT_FOUND = _("No screen with this id in this room.")
SCREENS_FULL = _(
    "This room has its most screens ({limit}); the host can revoke one it no longer uses."
)
MEMBER_NOT_FOUND = _("No member with this user_id in this room.")
HOST_ONLY = _("Only the room's host can do this.")
HOST_CANNOT_LEAVE = _(
    "The host cannot leave the room: hand it over to another member first, or delete the room."
)
HAND_OVER_TO_SELF = _("You are the host already: choose another member.")
HAND_OVER_NOT_JOINED = _("{name} has not joined yet: hand the room to someone who is in it.")
REMOVE_OTHERS_HOST_ONLY = _("Only the host can remove other members.")
ROOM_FULL = _("This room has its most members ({limit}); nobody else can join or be listed.")

SETTINGS_FIELDS = (
    "voting_duration_seconds",
    "selection_mode",
    "allow_revotes",
    "seen_share_percent",
    "vetoes_per_evening",
    "vetoes_public",
    "consensus_share_percent",
    "fair_boost",
)

# What later apps do when a member leaves or a room closes (voting registers both, in
# `voting/apps.py`), and when someone joins or is listed (tonight counts them in,
# `tonight/apps.py`). Each runs inside the atomic block of the change.
member_leaving: Hook[[Member], None] = Hook("member_leaving")
member_joined: Hook[[Member], None] = Hook("member_joined")
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


def member_require_present(by: Member | None) -> None:
    """Refuse a write by a member who has left, was removed or signed this token out.

    Call it inside the write's atomic block. Every write also records a room event, which
    takes the room's row (its event counter), as a removal or a sign-out does too: on SQLite
    the two run one after the other, and on MongoDB one meets a write conflict and is run
    again. So a write racing a removal either commits before it or sees it here.
    `by=None` (a moderator) always passes.
    """
    if by is None:
        return
    if not Member.objects.filter(pk=by.pk, token_generation=by.token_generation).exists():
        raise Unauthenticated(NO_LONGER_MEMBER, code="revoked")


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
    for _attempt in range(10):
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
                        name_key=name_key(person["name"]),
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
            # The members' ids and names are distinct by now (the serializer checked the
            # names), so only the join code can clash: another room took the same code between
            # the look-up above and the insert.
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
        member_require_present(by)
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
        member_require_present(by)
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
    existing = unique_row(Member.everyone.filter(room=room, user_id=user_id))
    if existing and existing.left_at is not None:
        ratelimit.join_failed(address)
        raise Conflict(USER_ID_DEPARTED, code="user_id_taken")
    if existing and existing.claimed and not (presented and presented.pk == existing.pk):
        ratelimit.join_failed(address)
        raise Conflict(USER_ID_TAKEN, code="user_id_taken")
    _require_free_name(room, name, existing)
    now = timezone.now()
    try:
        with atomic():
            if existing:
                # Conditional on the row still being what we read, so two people claiming one
                # listed member at once end with one winner.
                claimed = Member.objects.filter(pk=existing.pk, claimed=existing.claimed).update(
                    claimed=True,
                    name=name,
                    name_key=name_key(name),
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
                    name_key=name_key(name),
                    avatar=avatar or "",
                    claimed=True,
                    joined_at=now,
                )
                action = "joined"
            _member_event(room, action, member)
            member_joined(member)
    except IntegrityError:
        ratelimit.join_failed(address)
        raise _clash(room, name, existing) from None
    return room, member, member_token(member)


def _name_holder(room: Room, name: str, existing: Member | None) -> Member | None:
    """The present member other than `existing` whose name is the same as `name`."""
    holders = Member.objects.filter(room=room, name_key=name_key(name))
    if existing is not None:
        holders = holders.exclude(pk=existing.pk)
    return holders.first()


def _require_free_name(room: Room, name: str, existing: Member | None = None) -> None:
    if _name_holder(room, name, existing) is not None:
        raise Conflict(NAME_TAKEN, code="name_taken")


def _clash(room: Room, name: str, existing: Member | None) -> Conflict:
    """The 409 for an insert or claim the database refused: the name, or else the user_id."""
    if _name_holder(room, name, existing) is not None:
        return Conflict(NAME_TAKEN, code="name_taken")
    return Conflict(USER_ID_TAKEN, code="user_id_taken")


def screen_open(*, code: str, address: str, label: str = "") -> tuple[Room, RoomScreen, str]:
    """A read-only screen's token for the room with this code (the living-room TV).

    Anyone who can join can watch, so the code is all it takes, with the same limit on wrong
    codes as joining. A screen is not a member: it records no event and is in no list but the
    host's list of screens (`screens_list`), from which the host can revoke it.
    """
    room = room_get_by_code(code=code, address=address)
    return room, *_screen_create(room, label)


@retry_on_conflict
def _screen_create(room: Room, label: str) -> tuple[RoomScreen, str]:
    """A new screen, within `ROOM_SCREENS_MAX`: anyone with the code can open one, so screens
    are capped like members. The room's row is written first, so two screens opened at once
    are counted one after the other (SQLite) or one is aborted and retried (MongoDB)."""
    with atomic():
        Room.objects.filter(pk=room.pk).update(updated_at=F("updated_at"))
        limit = site_settings.ROOM_SCREENS_MAX
        if RoomScreen.objects.filter(room=room).count() >= limit:
            raise Conflict(SCREENS_FULL.format(limit=limit), code="screens_full")
        screen = RoomScreen.objects.create(room=room, label=label)
    return screen, screen_token(screen)


def screens_list(*, room: Room, by: Member | None) -> list[RoomScreen]:
    _require_host(room, by)
    return list(RoomScreen.objects.filter(room=room))


@retry_on_conflict
def screen_revoke(*, room: Room, by: Member | None, screen_id: str) -> None:
    """Revoke a screen: its token stops working and its open streams are closed."""
    _require_host(room, by)
    with atomic():
        member_require_present(by)
        deleted, _ = RoomScreen.objects.filter(pk=screen_id, room=room).delete()
        if not deleted:
            raise NotFound(SCREEN_NOT_FOUND)
        event_record(room, EventType.SCREEN_REVOKED, {"screen_id": screen_id})


@retry_on_conflict
def member_sign_out_others(*, room: Room, by: Member, user_id: str) -> tuple[Member, str]:
    """Bump the member's token generation: every token made before stops working and the
    channels opened with them are closed. Returns the member and a fresh token for the caller.
    """
    if by.room_id != room.pk or by.user_id != user_id:
        raise Forbidden(SELF_ONLY)
    with atomic():
        member_require_present(by)
        Member.objects.filter(pk=by.pk).update(token_generation=F("token_generation") + 1)
        member = Member.objects.get(pk=by.pk)
        event_record(
            room,
            EventType.MEMBER_SIGNED_OUT,
            {"user_id": member.user_id, "token_generation": member.token_generation},
        )
    return member, member_token(member)


def screen_payload(screen: RoomScreen) -> dict[str, Any]:
    return ScreenSerializer(screen).data


def _free_user_id(room: Room, name: str) -> str:
    # Departed members' ids too: an id is never given to a second person.
    taken = set(Member.everyone.filter(room=room).values_list("user_id", flat=True))
    return _unique_user_id(name, taken)


@retry_on_conflict
def member_add(
    *, room: Room, by: Member | None, name: str, user_id: str | None = None, avatar: str = ""
) -> Member:
    """List someone who has not joined yet; they claim the place by joining with its user_id."""
    require_open(room)
    if user_id is None:
        user_id = _free_user_id(room, name)
    else:
        holder = unique_row(Member.everyone.filter(room=room, user_id=user_id))
        if holder is not None:
            message = USER_ID_TAKEN if holder.left_at is None else USER_ID_DEPARTED
            raise Conflict(message, code="user_id_taken")
    _require_free_name(room, name)
    try:
        with atomic():
            member_require_present(by)
            _require_room_for_one_more(room)
            member = Member.objects.create(
                room=room, user_id=user_id, name=name, name_key=name_key(name), avatar=avatar
            )
            _member_event(room, "added", member)
            member_joined(member)
    except IntegrityError:
        raise _clash(room, name, None) from None
    return member


def member_get(room: Room, user_id: str) -> Member:
    member = unique_row(Member.objects.filter(room=room, user_id=user_id))
    if member is None:
        raise NotFound(MEMBER_NOT_FOUND)
    return member


@retry_on_conflict
def member_remove(*, room: Room, by: Member | None, user_id: str) -> None:
    """Remove a member: the host removes anyone else, a member removes themself.

    Their token stops working, their open channels are closed (on the event recorded here) and
    their votes are withdrawn, so the counts others see stay true. The member is kept as
    departed: their ratings, notes, items and rounds stay theirs, their name stays readable
    (`former_members`), and their user_id is given to no one else. A moderator may remove the
    host; the longest-standing member then becomes host.
    """
    member = member_get(room, user_id)
    if by is not None and by.pk != member.pk and not by.is_host:
        raise Forbidden(REMOVE_OTHERS_HOST_ONLY)
    if member.is_host and by is not None:
        raise Conflict(HOST_CANNOT_LEAVE, code="host_cannot_leave")
    with atomic():
        member_require_present(by)
        member_leaving(member)
        member.left_at = timezone.now()
        member.name_key = departed_name_key(member.pk)
        left = Member.objects.filter(pk=member.pk).update(
            left_at=member.left_at, name_key=member.name_key, is_host=False
        )
        if not left:  # removed meanwhile by someone else
            raise NotFound(MEMBER_NOT_FOUND)
        if member.is_host:
            successor = (
                Member.objects.filter(room=room, claimed=True).order_by("joined_at", "id").first()
            )
            if successor:
                Member.objects.filter(pk=successor.pk).update(is_host=True)
        _member_event(room, "removed", member)


@retry_on_conflict
def room_hand_over(*, room: Room, by: Member | None, user_id: str) -> Member:
    """Make another present member the host; the former host becomes a member like the others
    (and may then leave). Only someone who has joined can host: a listed place nobody claimed
    could not run the room. Returns the new host."""
    _require_host(room, by)
    successor = member_get(room, user_id)
    if by is not None and successor.pk == by.pk:
        raise Conflict(HAND_OVER_TO_SELF, code="already_host")
    if not successor.claimed:
        raise Conflict(HAND_OVER_NOT_JOINED.format(name=successor.name), code="not_joined")
    with atomic():
        member_require_present(by)
        # Read again inside the transaction: two hand-overs sent at once by the same host (or a
        # removal of the successor) end with one host. The event below writes the room's row,
        # so SQLite runs such writes one after the other and MongoDB aborts and retries one.
        if by is not None and not Member.objects.filter(pk=by.pk, is_host=True).exists():
            raise Forbidden(HOST_ONLY)
        if not Member.objects.filter(pk=successor.pk).exists():
            raise NotFound(MEMBER_NOT_FOUND)
        Member.objects.filter(room=room, is_host=True).update(is_host=False)
        Member.objects.filter(pk=successor.pk).update(is_host=True)
        successor.is_host = True
        _member_event(room, "host_changed", successor)
    return successor


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
