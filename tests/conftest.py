import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The join rate limit lives in the cache; each test starts with a clean slate."""
    from django.conf import settings

    if not settings.configured:  # the pure tests may run without Django
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def trio(db):
    """The owner / member / outsider trio: alice hosts, bob is a member, and mallory is the
    host of another room, whose token must not work here."""
    from tests.factories import make_room

    return make_room("alice", "bob"), make_room("mallory", name="Another room")
