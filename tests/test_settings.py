"""Settings from the environment, including the MongoDB configuration, checked without a
MongoDB server: Django's checks and the migrations must hold for it too."""

import subprocess
import sys

import pytest

from tests.live_server import ROOT, server_env

UNREACHABLE_MONGODB = "mongodb://127.0.0.1:9/?replicaSet=rs0&serverSelectionTimeoutMS=300"


def _manage(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=server_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_mongodb_settings_pass_djangos_checks(tmp_path):
    result = _manage(tmp_path, "check", MONGODB_URL=UNREACHABLE_MONGODB, SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_mongodb_needs_an_explicit_secret_key(tmp_path):
    result = _manage(tmp_path, "check", MONGODB_URL=UNREACHABLE_MONGODB, SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set when MONGODB_URL is set" in result.stderr


def test_the_secret_key_may_come_from_a_file_every_process_shares(tmp_path):
    key_file = tmp_path / "shared_key"
    key_file.write_text("s" * 50 + "\n")
    env = {"MONGODB_URL": UNREACHABLE_MONGODB, "SECRET_KEY": "", "SECRET_KEY_FILE": str(key_file)}
    script = "from django.conf import settings; print(settings.SECRET_KEY)"
    shown = _manage(tmp_path, "shell", "-c", script, **env)
    assert shown.stdout.strip().splitlines()[-1] == "s" * 50
    key_file.write_text("")
    empty = _manage(tmp_path, "check", **env)
    assert empty.returncode != 0
    assert "is missing or empty" in empty.stderr


def test_the_migrations_match_the_models_under_the_mongodb_settings(tmp_path):
    """makemigrations --check, skipping only its look at the (absent) server's history."""
    script = (
        "import django; django.setup()\n"
        "from django.db.migrations.loader import MigrationLoader\n"
        "MigrationLoader.check_consistent_history = lambda self, connection: None\n"
        "from django.core.management import call_command\n"
        "call_command('makemigrations', '--check', '--dry-run')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=server_env(tmp_path, MONGODB_URL=UNREACHABLE_MONGODB, SECRET_KEY="k" * 50),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.sqlite_only
def test_the_migrations_match_the_models_on_sqlite(tmp_path):
    result = _manage(tmp_path, "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("WS_HEARTBEAT_INTERVAL", "soon", "WS_HEARTBEAT_INTERVAL must be an integer"),
        ("WS_HEARTBEAT_INTERVAL", "0", "WS_HEARTBEAT_INTERVAL must be at least 1"),
        ("JOIN_FAILURE_RATE", "lots", "JOIN_FAILURE_RATE must look like '20/minute'"),
        ("ROOM_CREATE_RATE", "0/hour", "ROOM_CREATE_RATE must look like '20/minute'"),
        ("ADMIN_LOGIN_FAILURE_RATE", "ten", "ADMIN_LOGIN_FAILURE_RATE must look like"),
        ("PICK_RATE", "10/fortnight", "PICK_RATE must look like '20/minute'"),
        ("ROOM_MEMBERS_MAX", "0", "ROOM_MEMBERS_MAX must be at least 1"),
        ("ROOM_ITEMS_MAX", "many", "ROOM_ITEMS_MAX must be an integer"),
        ("REQUEST_MAX_BYTES", "100", "REQUEST_MAX_BYTES must be at least 1024"),
        ("WS_MESSAGE_MAX_BYTES", "-1", "WS_MESSAGE_MAX_BYTES must be at least 1024"),
    ],
)
def test_a_bad_setting_stops_the_server_with_a_message_naming_it(tmp_path, name, value, message):
    result = _manage(tmp_path, "check", **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.sqlite_only
def test_the_embedded_run_creates_and_keeps_its_secret_key(tmp_path):
    assert _manage(tmp_path, "check", SECRET_KEY="").returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert _manage(tmp_path, "check", SECRET_KEY="").returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
