"""Recompute every stored `title_key` with the Unicode-aware folding (NFKC, case folding, invisible
characters removed), on SQLite and MongoDB alike.

Two open items of a room that were distinct under the old folding ("Heat" and "ＨＥＡＴ") share a key
under the new one, which the unique constraint on open items refuses. The first added keeps the
plain key; each later one gets the key followed by a zero-width space and its own id, a form no
title can fold to (folding removes zero-width spaces), so both stay and a new duplicate is still
refused. Keys are moved in two passes, through such temporary values, so that no update meets a
key another item holds only until its own turn.
"""

from django.db import migrations

from watchqueue_site.text import title_key

OPEN_STATUSES = ("queued", "watching")
SEPARATOR = "\u200b"


def recompute(apps, schema_editor) -> None:
    QueueItem = apps.get_model("queues", "QueueItem")
    final: dict[str, str] = {}
    taken: set[tuple[str, str]] = set()
    items = QueueItem.objects.order_by("room_id", "added_at", "id").values_list(
        "id", "room_id", "title", "status", "title_key"
    )
    for item_id, room_id, title, status, old_key in items:
        key = title_key(title)
        if status in OPEN_STATUSES:
            if (room_id, key) in taken:
                key = f"{key}{SEPARATOR}{item_id}"
            taken.add((room_id, key))
        if key != old_key:
            final[item_id] = key
    for item_id in final:
        QueueItem.objects.filter(pk=item_id).update(title_key=f"{SEPARATOR}moving{item_id}")
    for item_id, key in final.items():
        QueueItem.objects.filter(pk=item_id).update(title_key=key)


class Migration(migrations.Migration):
    dependencies = [("queues", "0002_enrichment")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
