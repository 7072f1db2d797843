# The event outbox moved from the real-time app into the core. Its table stays where it is:
# this migration takes the model over in Django's state only, and realtime's 0003 lets go of it.

import watchqueue_site.db
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("realtime", "0002_liveconnection"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RoomEvent",
                    fields=[
                        ("id", models.CharField(default=watchqueue_site.db.new_id, editable=False, max_length=24, primary_key=True, serialize=False)),
                        ("room_id", models.CharField(max_length=24)),
                        ("seq", models.PositiveBigIntegerField()),
                        ("type", models.CharField(max_length=40)),
                        ("payload", models.JSONField(default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "realtime_roomevent",
                        "ordering": ["room_id", "seq"],
                        "indexes": [models.Index(fields=["created_at"], name="event_created_at")],
                        "constraints": [models.UniqueConstraint(fields=("room_id", "seq"), name="event_unique_room_seq")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
