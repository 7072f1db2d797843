#!/usr/bin/env bash
# Install what the tests need into .venv, check lint, formatting and the layers' import contract
# (pyproject.toml), and run the whole suite.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/test_voting.py -k concurrent
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
exec .venv/bin/python -m pytest "$@"
