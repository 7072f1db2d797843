"""Small builders for test data, all going through the real services, and the helpers the
test files share: a room's event counter, and racing real threads against the real database.
The events a write records are captured with `tests.events.recorded`."""

import threading
from dataclasses import dataclass, field

from django.db import connection
from rest_framework.test import APIClient

from queues.models import QueueItem
from queues.services import queue_item_add
from rooms.models import Member, Room, RoomScreen
from rooms.services import room_create, room_join
from rooms.tokens import screen_token
from selection.models import Selection
from voting.models import Vote, VotingRound
from watchqueue_site.models import RoomEvent


@dataclass
class RoomSetup:
    """A room with its host and members, each with a token and an API client."""

    room: Room
    members: dict[str, Member] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> Member:
        return next(m for m in self.members.values() if m.is_host)

    def client(self, user_id: str) -> APIClient:
        return client_for(self.tokens[user_id])

    def add_item(self, title: str, by: str | None = None, **fields) -> QueueItem:
        member = self.members[by] if by else self.host
        return queue_item_add(room=self.room, by=member, title=title, **fields)


def client_for(token: str | None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def make_room(*user_ids: str, name: str = "Friday Night Movies", **settings: object) -> RoomSetup:
    """A room whose host is the first user_id and whose other members have joined."""
    user_ids = user_ids or ("alice", "bob")
    room, host, token = room_create(
        name=name,
        members=[{"user_id": user_ids[0], "name": user_ids[0].title(), "avatar": "🦊"}],
        settings=settings,
    )
    setup = RoomSetup(room=room, members={host.user_id: host}, tokens={host.user_id: token})
    for user_id in user_ids[1:]:
        _, member, member_token = room_join(
            code=room.code, name=user_id.title(), user_id=user_id, address="127.0.0.1"
        )
        setup.members[user_id] = member
        setup.tokens[user_id] = member_token
    room.refresh_from_db()
    return setup


def screen_token_for(room: Room, label: str = "TV") -> str:
    """The token of a new screen of `room`, as opening one with the join code gives."""
    return screen_token(RoomScreen.objects.create(room=room, label=label))


def seq_now(room: Room) -> int:
    return Room.objects.values_list("event_seq", flat=True).get(pk=room.pk)


def race(n: int, work) -> list[tuple[str, object]]:
    """Run `work(i)` in n real threads released together; ("ok", value) or ("error", exc)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", work(i))
        except Exception as exc:
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def refusal(response) -> tuple[int, str, str]:
    """An API refusal as (status, error code, sentence)."""
    return response.status_code, response.json()["error"], response.json()["detail"]


def pick(body: dict, *keys: str) -> tuple:
    """The values of `keys` in an API answer, in order."""
    return tuple(body[key] for key in keys)


def votes_rounds_and_picks() -> tuple[int, int, int, int]:
    """How many votes, events, voting rounds and picks there are: what a refused write must
    leave as it was."""
    return (
        Vote.objects.count(),
        RoomEvent.objects.count(),
        VotingRound.objects.count(),
        Selection.objects.count(),
    )
