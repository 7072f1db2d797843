#!/usr/bin/env bash
# Install what the tests need into .venv, check lint, formatting and the layers' import contract
# (pyproject.toml), and run the whole suite, with the speed-ups on, then the real-time
# end-to-end tests once more with SPEEDUPS=0, on Django's stock path.
# Arguments go to pytest instead, for one run of just what they select, e.g.
#   scripts/test.sh tests/test_voting.py -k concurrent
# Any pytest status but 0 fails the script, 5 (no test was collected) included.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports --no-cache
if [ "$#" -gt 0 ]; then
    exec .venv/bin/python -m pytest "$@"
fi
# Each run says SPEEDUPS itself, whatever .env says; the servers the tests start inherit it
# (tests/live_server.py).
SPEEDUPS=1 .venv/bin/python -m pytest
SPEEDUPS=0 .venv/bin/python -m pytest tests/test_realtime_e2e.py
