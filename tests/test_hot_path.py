"""What the request path does to be fast, checked for staying correct: SQLite connections
reused across requests, output serializers built once per class, single-row lookups."""

import asyncio
import sqlite3
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from queues.models import QueueItem
from queues.serializers import QueueItemSerializer
from rooms.models import Member
from tests.factories import make_room
from watchqueue_site.db import unique_row
from watchqueue_site.output import FrozenModelSerializer
from watchqueue_site.sqlite import base as sqlite_backend

# The connection pool


@pytest.fixture
def pool():
    return sqlite_backend._Pool()


def _open(path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    return conn


@pytest.mark.sqlite_only
def test_a_returned_connection_is_handed_out_again_for_the_same_database_only(pool, tmp_path):
    first, second = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    conn = _open(first)
    pool.give(first, conn)
    assert pool.take(second) is None
    assert pool.take(first) is conn
    assert pool.take(first) is None


@pytest.mark.sqlite_only
def test_a_transaction_left_open_is_rolled_back_before_the_connection_is_reused(pool, tmp_path):
    path = str(tmp_path / "a.db")
    conn = _open(path)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t VALUES (1)")
    pool.give(path, conn)
    reused = pool.take(path)
    assert not reused.in_transaction
    assert reused.execute("SELECT count(*) FROM t").fetchone() == (0,)


@pytest.mark.sqlite_only
def test_the_pool_keeps_at_most_its_size_and_closes_the_rest(pool, tmp_path):
    path = str(tmp_path / "a.db")
    conns = [_open(path) for _ in range(sqlite_backend.POOL_SIZE + 2)]
    for conn in conns:
        pool.give(path, conn)
    with pytest.raises(sqlite3.ProgrammingError):
        conns[-1].execute("SELECT 1")
    kept = [pool.take(path) for _ in range(sqlite_backend.POOL_SIZE + 1)]
    assert kept[-1] is None
    assert all(kept[:-1])


@pytest.mark.sqlite_only
def test_a_broken_connection_is_closed_instead_of_pooled(pool, tmp_path):
    path = str(tmp_path / "a.db")
    conn = _open(path)
    conn.close()
    pool.give(path, conn)
    assert pool.take(path) is None


@pytest.mark.sqlite_only
def test_draining_closes_every_idle_connection(pool, tmp_path):
    path = str(tmp_path / "a.db")
    conns = [_open(path) for _ in range(3)]
    for conn in conns:
        pool.give(path, conn)
    pool.drain(path)
    assert pool.take(path) is None
    for conn in conns:
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")


@pytest.mark.sqlite_only
@pytest.mark.django_db(transaction=True)
def test_django_reconnects_to_the_pooled_connection_from_another_thread():
    connection.ensure_connection()
    raw = connection.connection
    connection.close()
    seen = {}

    def other_thread():
        from django.db import connection as thread_connection

        thread_connection.ensure_connection()
        seen["raw"] = thread_connection.connection
        seen["count"] = Member.objects.count()
        thread_connection.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen == {"raw": raw, "count": 0}


# Frozen output serializers


class _PlainItemSerializer(serializers.ModelSerializer):
    room_id = serializers.CharField(read_only=True)

    class Meta(QueueItemSerializer.Meta):
        pass


def test_a_frozen_serializer_renders_exactly_what_drf_would(db):
    setup = make_room("alice")
    items = [setup.add_item("Heat", year=1995), setup.add_item("Alien", media_type="movie")]
    for item in QueueItem.objects.filter(pk__in=[i.pk for i in items]):
        assert QueueItemSerializer(item).data == _PlainItemSerializer(item).data
    many = QueueItemSerializer(QueueItem.objects.order_by("title"), many=True).data
    assert [row["title"] for row in many] == ["Alien", "Heat"]


def test_a_frozen_serializer_builds_its_fields_once(db):
    setup = make_room("alice")
    item = setup.add_item("Heat")
    first, second = QueueItemSerializer(item), QueueItemSerializer(item)
    assert first.fields is second.fields
    assert _PlainItemSerializer(item).fields is not _PlainItemSerializer(item).fields


def test_a_serializer_that_calls_itself_cannot_be_frozen():
    class Calls(FrozenModelSerializer):
        extra = serializers.SerializerMethodField()

        class Meta:
            model = Member
            fields = ["user_id", "extra"]

        def get_extra(self, member: Member) -> str:
            return self.context["x"]

    with pytest.raises(ImproperlyConfigured, match=r"Calls\.extra"):
        _ = Calls(Member(user_id="a")).data


# Single-row lookups


def test_unique_row_finds_the_row_or_none_without_ordering(db):
    setup = make_room("alice", "bob")
    bob = setup.members["bob"]
    query = Member.objects.filter(room=setup.room, user_id="bob")
    with CaptureQueriesContext(connection) as queries:
        assert unique_row(query) == bob
    assert unique_row(Member.objects.filter(user_id="nobody")) is None
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "ORDER BY" not in sql
    assert sql.endswith("LIMIT 1")


# Requests' sync code runs on one thread, in one hop


def test_the_middleware_chain_is_the_sync_one_so_a_request_hops_to_its_thread_once():
    from asgiref.sync import iscoroutinefunction

    from watchqueue_site.asgi import django_application

    assert not iscoroutinefunction(django_application._middleware_chain)


def test_the_http_handler_refuses_other_protocols():
    from watchqueue_site.asgi import django_application

    async def call():
        await django_application({"type": "lifespan"}, None, None)

    with pytest.raises(ValueError, match="HTTP only"):
        asyncio.run(call())
