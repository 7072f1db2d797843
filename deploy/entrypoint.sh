#!/bin/sh
# The image's entrypoint: runs the command it is given (daphne, by default), first creating or
# updating the embedded SQLite database's tables when the image runs on its own, where nothing
# else would. On a replica set (MONGODB_URL set) the compose file's one-shot `migrate` service
# does that once, before any server process starts, so nothing is done here.
set -e
if [ -z "${MONGODB_URL:-}" ]; then
    python manage.py migrate --noinput
fi
exec "$@"
