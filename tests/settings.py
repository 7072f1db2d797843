"""The test suite's settings: the app's own, on SQLite, or on the MongoDB replica set that
`TEST_MONGODB_URL` names (`TEST_MONGODB_URL=mongodb://…/?replicaSet=rs0 pytest`).

A `MONGODB_URL` in the environment or `.env` never decides where tests run: only
`TEST_MONGODB_URL` does, so a run never touches a database it was not pointed at.
"""

import os

MONGODB = os.environ.get("TEST_MONGODB_URL", "")
os.environ["MONGODB_URL"] = MONGODB
if MONGODB:
    # Every process of a deployment must sign tokens alike; so must the test's and its servers'.
    os.environ.setdefault("SECRET_KEY", "test-suite-only-" + "k" * 40)

from watchqueue_site.settings import *  # noqa: E402, F403
