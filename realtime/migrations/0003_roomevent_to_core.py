# The event outbox moved into the core (watchqueue_site 0001 takes the model over); its table
# and rows stay, so this only removes the model from this app's state.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("realtime", "0002_liveconnection"),
        ("watchqueue_site", "0001_roomevent"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RoomEvent")],
            database_operations=[],
        ),
    ]
