import os

import pytest

from tests.browser import chromium
from tests.fake_tmdb import FakeTMDB
from tests.live_server import MONGODB_DATABASES, collected_static, daphne, migrate, server_env

ON_MONGODB = bool(os.environ.get("TEST_MONGODB_URL"))
NEEDS_MONGODB = (
    "needs a MongoDB replica set: run with TEST_MONGODB_URL=mongodb://…/?replicaSet=rs0 "
    "(see the README's MongoDB section)"
)
SQLITE_ONLY = "relies on the embedded SQLite database; this run is on MongoDB"


def pytest_report_header(config: pytest.Config) -> str:
    where = "MongoDB at TEST_MONGODB_URL" if ON_MONGODB else "the embedded SQLite database"
    return f"database: {where}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of one backend's behaviour are skipped on the other, with the reason."""
    for item in items:
        if "mongodb_only" in item.keywords and not ON_MONGODB:
            item.add_marker(pytest.mark.skip(reason=NEEDS_MONGODB))
        if "sqlite_only" in item.keywords and ON_MONGODB:
            item.add_marker(pytest.mark.skip(reason=SQLITE_ONLY))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the databases the run's servers had on the replica set."""
    if ON_MONGODB and MONGODB_DATABASES:
        from pymongo import MongoClient

        with MongoClient(os.environ["TEST_MONGODB_URL"]) as client:
            for name in MONGODB_DATABASES:
                client.drop_database(name)


@pytest.fixture(scope="session", autouse=True)
def static_files():
    """The static files as the server serves them in production: collected, with hashed names
    and a manifest that a page naming a missing file fails on, in this process as in the
    servers the tests start."""
    from django.test import override_settings

    with override_settings(STATIC_ROOT=collected_static()):
        yield


@pytest.fixture
def trio(db):
    """The owner / member / outsider trio: alice hosts, bob is a member, and mallory is the
    host of another room, whose token must not work here."""
    from tests.factories import make_room

    return make_room("alice", "bob"), make_room("mallory", name="Another room")


@pytest.fixture(scope="module")
def env(request, tmp_path_factory):
    """A migrated database (and data folder) of its own for the test module's servers."""
    env = server_env(tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2]))
    migrate(env)
    return env


@pytest.fixture(scope="module")
def live(env):
    """A real daphne process serving the module's database; its base URL."""
    with daphne(env) as base:
        yield base


TMDB_KEY = "v3-SECRET-KEY-0123456789"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A real daphne process for the module's browser tests, with a local server that speaks
    TMDB's JSON (and draws the posters); its base URL."""
    with FakeTMDB(key=TMDB_KEY, images=True) as tmdb:
        env = server_env(
            tmp_path_factory.mktemp("ui"), TMDB_API_KEY=TMDB_KEY, TMDB_API_URL=tmdb.url
        )
        migrate(env)
        with daphne(env) as base:
            yield base


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the module's tests; skipped, saying why, where it is missing."""
    with chromium() as browser:
        yield browser
