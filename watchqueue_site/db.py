"""What the models and services need to run unchanged on SQLite and on MongoDB."""

import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from functools import wraps
from typing import ParamSpec, TypeVar

from bson import ObjectId
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, connection, models, transaction
from django_mongodb_backend import transaction as mongo_transaction
from pymongo.errors import PyMongoError

T = TypeVar("T")
P = ParamSpec("P")
_ID = re.compile(r"^[0-9a-f]{24}$")


def new_id() -> str:
    """A new primary key: ObjectId's 24 hex digits, so ids look the same on both backends."""
    return str(ObjectId())


def is_id(value: object) -> bool:
    return isinstance(value, str) and bool(_ID.match(value))


class PublicIdModel(models.Model):
    """Base for every project model: a string id (MongoDB keeps it as `_id`), never an AutoField."""

    id = models.CharField(primary_key=True, max_length=24, default=new_id, editable=False)

    class Meta:
        abstract = True


def unique_row(queryset: models.QuerySet) -> T | None:
    """The row a lookup by a unique key finds, or None.

    Like `.first()` without the ordering `.first()` adds, which for a unique key decides
    nothing and costs a fifth of a small query's time to compile.
    """
    for row in queryset.order_by()[:1]:
        return row
    return None


def is_mongodb() -> bool:
    return connection.vendor == "mongodb"


def atomic() -> AbstractContextManager:
    """One atomic block on either backend.

    Django's own `atomic()` is a no-op on django-mongodb-backend, whose transactions need its own
    helper. MongoDB has no savepoints, so services keep this block outermost and catch an
    `IntegrityError` outside it, never inside.
    """
    if is_mongodb():
        return _mongo_atomic()
    return transaction.atomic()


@contextmanager
def _mongo_atomic() -> Iterator[None]:
    """django-mongodb-backend's atomic block, leaving no session behind when it fails.

    Its block ends the session when the body raises or a commit fails with a `DatabaseError`,
    but a failed commit raises pymongo's own error, which leaves the session open; the next
    block would then run in that dead transaction instead of a new one.
    """
    outermost = not connection.in_atomic_block_mongo
    try:
        with mongo_transaction.atomic():
            yield
    except BaseException:
        if outermost and connection.session is not None:
            with suppress(PyMongoError):
                connection.session.abort_transaction()
            connection.session.end_session()
            connection.session = None
            connection.run_on_commit = []
        raise


# MongoDB labels an error TransientTransactionError when it aborted the whole transaction and
# running it again may well succeed: a write conflict with a concurrent transaction on the same
# document (two votes on one item), or an election of a new primary mid-transaction.
TRANSIENT = "TransientTransactionError"
RETRY_ATTEMPTS = 6
RETRY_PAUSE_SECONDS = 0.01


def is_transient(error: BaseException) -> bool:
    """Whether `error` (or the pymongo error it wraps) says its transaction may be run again."""
    for _ in range(5):
        if isinstance(error, PyMongoError) and error.has_error_label(TRANSIENT):
            return True
        error = error.__cause__ or error.__context__
        if error is None:
            return False
    return False


def retry_on_conflict(service: Callable[P, T]) -> Callable[P, T]:
    """Run a service again when MongoDB aborted its transaction as transient.

    The transaction was aborted, so nothing of the first try remains in the database; the
    model instances the service was given are read again from it, so that what the first try
    changed in them (a status set, a pk cleared by a delete) is undone too, and the next try
    decides afresh. Only the outermost service retries: inside another's transaction the error
    goes up to that one. SQLite never raises it (its writers queue on the database's lock).
    """

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        given = [
            (value, value.pk)
            for value in (*args, *kwargs.values())
            if isinstance(value, models.Model) and value.pk is not None
        ]
        for attempt in range(RETRY_ATTEMPTS):
            try:
                return service(*args, **kwargs)
            except (DatabaseError, PyMongoError) as error:
                if attempt + 1 == RETRY_ATTEMPTS or in_atomic_block() or not is_transient(error):
                    raise
                try:
                    for instance, pk in given:
                        instance.pk = pk
                        instance.refresh_from_db()
                except ObjectDoesNotExist:
                    raise error from None
            time.sleep(RETRY_PAUSE_SECONDS * 2**attempt)
        raise AssertionError("unreachable")

    return run


def on_commit(func: Callable[[], None]) -> None:
    """Run `func` once the current atomic block commits (at once outside of one)."""
    if is_mongodb():
        mongo_transaction.on_commit(func)
    else:
        transaction.on_commit(func)


def in_atomic_block() -> bool:
    if is_mongodb():
        return connection.in_atomic_block_mongo
    return connection.in_atomic_block
