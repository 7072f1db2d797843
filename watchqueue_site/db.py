"""What the models and services need to run unchanged on SQLite and on MongoDB."""

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from bson import ObjectId
from django.db import IntegrityError, connection, models, transaction

T = TypeVar("T")
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
        from django_mongodb_backend import transaction as mongo_transaction

        return mongo_transaction.atomic()
    return transaction.atomic()


def on_commit(func: Callable[[], None]) -> None:
    """Run `func` once the current atomic block commits (at once outside of one)."""
    if is_mongodb():
        from django_mongodb_backend import transaction as mongo_transaction

        mongo_transaction.on_commit(func)
    else:
        transaction.on_commit(func)


def constraint_name(error: IntegrityError) -> str:
    """The text of a unique-constraint failure, to tell which rule a write broke.

    SQLite names the columns ("UNIQUE constraint failed: queues_queueitem.room_id, ...") and
    MongoDB the index ("E11000 duplicate key error ... index: queue_unique_title ..."); callers
    match on either.
    """
    return str(error)


def in_atomic_block() -> bool:
    if is_mongodb():
        return connection.in_atomic_block_mongo
    return connection.in_atomic_block
