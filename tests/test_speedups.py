"""The speed-ups (watchqueue_site/speedups/), checked for doing what they are for and for staying
correct, and `SPEEDUPS=false` for giving Django's stock path."""

import asyncio
import json
import subprocess
import sys
import threading

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.asgi import ASGIHandler
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path
from rest_framework import serializers

from queues.models import QueueItem
from queues.serializers import QueueItemSerializer
from rooms.models import Member
from tests.factories import make_room
from tests.live_server import ROOT, server_env
from watchqueue_site.speedups.asgi import OneThreadASGIHandler
from watchqueue_site.speedups.serializers import FrozenModelSerializer

# Requests' sync code runs on one thread, in one hop

# The threads the views of this module's URLs ran on, and the database connections they used,
# in the order they were called.
seen_threads: list[threading.Thread] = []
seen_connections: list[object] = []


def _sync_view(request: HttpRequest) -> HttpResponse:
    seen_threads.append(threading.current_thread())
    return HttpResponse()


def _database_view(request: HttpRequest) -> HttpResponse:
    connection.ensure_connection()
    seen_connections.append(connection.connection)
    return HttpResponse()


async def _async_view(request: HttpRequest) -> HttpResponse:
    seen_threads.append(threading.current_thread())
    return HttpResponse()


urlpatterns = [
    path("speedups/sync", _sync_view),
    path("speedups/async", _async_view),
    path("speedups/database", _database_view),
]


def _scope(path: str) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def _get(application, path: str) -> int:
    client = ApplicationCommunicator(application, _scope(path))
    await client.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await client.receive_output(timeout=5)
    await client.receive_output(timeout=5)
    await client.wait(timeout=5)
    return start["status"]


def _threads_of(handler_class: type[ASGIHandler], *paths: str) -> list[threading.Thread]:
    """Makes the requests one after another through a new handler of the class, and answers
    the threads their views ran on."""
    seen_threads.clear()
    with override_settings(ROOT_URLCONF=__name__):
        handler = handler_class()

        async def requests() -> None:
            for path in paths:
                assert await _get(handler, path) == 200

        asyncio.run(requests())
    return list(seen_threads)


# The tests that make requests through the one-thread handler ask for the database: the request
# signals look at that thread's connection, which another test may have left open, as the
# speed-ups do between requests.


def test_every_requests_sync_code_runs_on_one_long_lived_thread(transactional_db):
    first, second, third = _threads_of(
        OneThreadASGIHandler, "/speedups/sync", "/speedups/sync", "/speedups/sync"
    )
    assert first is second is third
    assert first is not threading.current_thread()


def test_an_async_view_runs_on_the_event_loop_not_on_the_requests_thread(transactional_db):
    (view,) = _threads_of(OneThreadASGIHandler, "/speedups/async")
    assert view is threading.current_thread()


@pytest.mark.sqlite_only
def test_requests_share_one_database_connection_kept_open_between_them(transactional_db):
    seen_connections.clear()
    _threads_of(OneThreadASGIHandler, "/speedups/database", "/speedups/database")
    first, second = seen_connections
    assert first is second


def test_djangos_own_handler_gives_each_request_a_thread_of_its_own():
    first, second = _threads_of(ASGIHandler, "/speedups/sync", "/speedups/sync")
    assert first is not second


def test_the_http_handler_refuses_other_protocols():
    async def call() -> None:
        await OneThreadASGIHandler()({"type": "lifespan"}, None, None)

    with pytest.raises(ValueError, match="HTTP only"):
        asyncio.run(call())


# The switch: SPEEDUPS=false gives Django's stock path

SITE = """
import gc
at_start = [gc.get_threshold(), gc.get_freeze_count()]
import asyncio, json
from asgiref.testing import ApplicationCommunicator
from watchqueue_site import asgi  # sets Django up
from django.conf import settings
from queues.serializers import QueueItemSerializer

async def request():
    scope = {"type": "http", "method": "GET", "path": "/health", "query_string": b"",
             "headers": [(b"host", b"testserver")], "server": ("testserver", 80)}
    client = ApplicationCommunicator(asgi.application, scope)
    await client.send_input({"type": "http.request", "body": b""})
    await client.receive_output(timeout=10)
    await client.receive_output(timeout=10)
    await client.wait(timeout=10)

handler = type(asgi.django_application)
site = {
    "handler": f"{handler.__module__}.{handler.__name__}",
    "engine": settings.DATABASES["default"]["ENGINE"],
    "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE", 0),
    "static": settings.MIDDLEWARE[-1],
    "fields_shared": QueueItemSerializer().fields is QueueItemSerializer().fields,
    "collector_at_start": at_start,
    "collector_on_import": [gc.get_threshold(), gc.get_freeze_count()],
}
asyncio.run(request())
site["collector_after_first_request"] = [gc.get_threshold(), gc.get_freeze_count()]
gc.unfreeze()
asyncio.run(request())
site["frozen_after_second_request"] = gc.get_freeze_count()
print(json.dumps(site))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """What the site is made of, in a process of its own, with speed-ups on and off."""

    def run(speedups: str) -> dict:
        env = server_env(tmp_path_factory.mktemp("site"), SPEEDUPS=speedups)
        result = subprocess.run(
            [sys.executable, "-c", SITE],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.splitlines()[-1])

    return {"on": run("true"), "off": run("false")}


def test_a_speedups_value_that_is_not_true_or_false_stops_the_server_naming_it(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=server_env(tmp_path, SPEEDUPS="fast"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SPEEDUPS must be true or false, not 'fast'" in result.stderr


def test_with_speedups_off_http_goes_through_djangos_own_handler_and_middleware(site):
    assert site["off"]["handler"] == "django.core.handlers.asgi.ASGIHandler"
    assert site["off"]["static"] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert site["on"]["handler"] == "watchqueue_site.speedups.asgi.OneThreadASGIHandler"
    assert site["on"]["static"] == "watchqueue_site.speedups.static.WhiteNoiseMiddleware"


@pytest.mark.sqlite_only
def test_with_speedups_off_each_request_opens_and_closes_its_own_database_connection(site):
    assert site["off"]["engine"] == site["on"]["engine"] == "django.db.backends.sqlite3"
    assert site["off"]["conn_max_age"] == 0
    assert site["on"]["conn_max_age"] is None


def test_with_speedups_off_output_serializers_build_their_fields_like_drfs(site):
    assert site["off"]["fields_shared"] is False
    assert site["on"]["fields_shared"] is True


def test_the_collector_is_tuned_once_when_the_server_starts_serving_not_on_import(site):
    assert site["on"]["collector_on_import"] == site["on"]["collector_at_start"]
    threshold, frozen = site["on"]["collector_after_first_request"]
    assert threshold == [10_000, 10, 10]
    assert frozen > 0
    assert site["on"]["frozen_after_second_request"] == 0


def test_with_speedups_off_the_collector_is_left_alone(site):
    untouched = site["off"]["collector_at_start"]
    assert site["off"]["collector_on_import"] == untouched
    assert site["off"]["collector_after_first_request"] == untouched


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


@override_settings(SPEEDUPS=False)
def test_with_speedups_off_a_frozen_serializer_builds_its_fields_per_instance_as_drf_does(db):
    setup = make_room("alice")
    item = setup.add_item("Heat", year=1995)
    first, second = QueueItemSerializer(item), QueueItemSerializer(item)
    assert first.fields is not second.fields
    assert first.data == _PlainItemSerializer(item).data


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
