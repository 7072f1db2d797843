#!/usr/bin/env bash
# Install what WatchQueue needs into .venv and serve it on http://localhost:8000 with daphne
# (the site, the API, WebSocket and SSE), on the embedded SQLite database unless MONGODB_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
# Where daphne listens, told to the app too: a join link is only shown where phones can reach it.
export LISTEN_ADDRESS="${HOST:-0.0.0.0}"
echo "WatchQueue on http://localhost:${PORT:-8000} (Ctrl-C stops it)"
exec .venv/bin/daphne -b "$LISTEN_ADDRESS" -p "${PORT:-8000}" watchqueue_site.asgi:application
