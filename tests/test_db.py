"""The database helpers every service uses, on whichever backend the run is on."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from rooms.models import Member
from tests.factories import make_room
from watchqueue_site.db import unique_row


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
