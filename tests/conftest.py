import pytest


@pytest.fixture
def trio(db):
    """The owner / member / outsider trio: alice hosts, bob is a member, and mallory is the
    host of another room, whose token must not work here."""
    from tests.factories import make_room

    return make_room("alice", "bob"), make_room("mallory", name="Another room")
