"""Tokens stay secret: the room cookie the server sets, no token in any log line, a production
configuration `check --deploy` finds nothing in, and an embedded database only its user reads."""

import asyncio
import os
import stat
import subprocess
import sys

import pytest
import requests
import websockets
from django.test import override_settings

from rooms.tokens import cookie_name
from tests.factories import client_for
from tests.live_clients import SSEReader, drain, live_room, ws_url
from tests.live_server import ROOT, daphne, django_shell, migrate, server_env
from watchqueue_site.logs import REDACTED, redact
from web.session import OTHER_ROOM_TOKEN


def session(setup, token: str | None, **extra):
    return client_for(token).post(f"/r/{setup.room.pk}/session", **extra)


# The room cookie


@pytest.mark.django_db
def test_the_server_keeps_a_members_token_in_an_http_only_lax_cookie_for_thirty_days(trio):
    setup, _ = trio
    response = session(setup, setup.tokens["bob"])
    assert response.status_code == 204
    cookie = response.cookies[cookie_name(setup.room.pk)]
    assert cookie.value == setup.tokens["bob"]
    assert (cookie["httponly"], cookie["samesite"], cookie["path"]) == (True, "Lax", "/")
    assert cookie["max-age"] == 30 * 24 * 3600
    assert not cookie["secure"]


@pytest.mark.django_db
@override_settings(TOKEN_COOKIE_DAYS=2)
def test_the_cookies_lifetime_is_the_setting(trio):
    setup, _ = trio
    cookie = session(setup, setup.tokens["bob"]).cookies[cookie_name(setup.room.pk)]
    assert cookie["max-age"] == 2 * 24 * 3600


@pytest.mark.django_db
def test_the_cookie_is_secure_on_https(trio):
    setup, _ = trio
    response = session(setup, setup.tokens["bob"], secure=True)
    assert response.cookies[cookie_name(setup.room.pk)]["secure"] is True


@pytest.mark.django_db
@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_the_cookie_is_secure_behind_a_proxy_that_says_https_when_that_header_is_trusted(trio):
    setup, _ = trio
    response = session(setup, setup.tokens["bob"], HTTP_X_FORWARDED_PROTO="https")
    assert response.cookies[cookie_name(setup.room.pk)]["secure"] is True


@pytest.mark.django_db
def test_a_claimed_https_is_not_believed_without_a_trusted_proxy_header(trio):
    setup, _ = trio
    response = session(setup, setup.tokens["bob"], HTTP_X_FORWARDED_PROTO="https")
    assert not response.cookies[cookie_name(setup.room.pk)]["secure"]


@pytest.mark.django_db
def test_the_cookie_takes_only_a_valid_token_of_that_room_sent_in_the_header(trio):
    setup, other = trio
    refused = session(setup, other.tokens["mallory"])
    assert (refused.status_code, refused.json()["detail"]) == (403, OTHER_ROOM_TOKEN)
    assert session(setup, "junk").status_code == 401
    assert session(setup, None).status_code == 401
    # A token in the query string (a link someone was sent) sets nothing.
    by_query = client_for(None).post(f"/r/{setup.room.pk}/session?token={setup.tokens['bob']}")
    assert by_query.status_code == 401
    for response in (refused, by_query):
        assert cookie_name(setup.room.pk) not in response.cookies


@pytest.mark.django_db
def test_leaving_clears_the_cookie_even_with_a_revoked_token(trio):
    setup, _ = trio
    client = client_for(None)
    client.cookies[cookie_name(setup.room.pk)] = "revoked"
    response = client.delete(f"/r/{setup.room.pk}/session")
    assert response.status_code == 204
    assert response.cookies[cookie_name(setup.room.pk)]["max-age"] == 0


def test_no_script_of_the_site_writes_a_cookie():
    scripts = (ROOT / "web/static/web/js").glob("*.js")
    assert not [path.name for path in scripts if "document.cookie" in path.read_text()]


# Logs


def test_redact_blanks_token_parameters_and_bearer_credentials():
    line = 'GET /api/search?q=x&token=abc.def:ghi "Authorization: Bearer abc.def:ghi"'
    assert "abc" not in redact(line)
    assert redact(line).count(REDACTED) == 2
    assert redact("/api/rooms/1?tokens_left=3") == "/api/rooms/1?tokens_left=3"


def test_no_token_appears_in_the_servers_output_after_pages_api_sse_and_websocket(tmp_path):
    env = server_env(tmp_path / "data", LOG_LEVEL="DEBUG")
    migrate(env)
    output = tmp_path / "server.log"
    with daphne(env, args=("--access-log", "-"), output=output) as base:
        room, tokens = live_room(base)
        bob, alice = tokens["bob"], tokens["alice"]
        page = requests.get(f"{base}/r/{room['id']}", cookies={f"wq_{room['id']}": bob}, timeout=5)
        assert page.status_code == 200
        api = requests.get(f"{base}/api/rooms/{room['id']}?token={bob}", timeout=5)
        assert api.status_code == 200
        requests.get(f"{base}/api/search?q=x&token={bob}", timeout=5)
        requests.get(f"{base}/api/rooms/{room['id']}?token=not-{bob}", timeout=5)
        stream = SSEReader(f"{base}/api/events/room/{room['id']}?token={alice}")
        stream.start()

        async def socket() -> None:
            async with websockets.connect(ws_url(base, room["id"], "bob", bob)) as ws:
                await drain(ws, 0.5)

        asyncio.run(socket())
        stream.close()
        requests.get(f"{base}/api/queue/room/{room['id']}?token={alice}", timeout=5)
    text = output.read_text()
    assert f"GET /api/rooms/{room['id']}?token={REDACTED}" in text
    assert f"WSCONNECT /ws/{room['id']}/bob" in text
    for user_id, token in tokens.items():
        assert token not in text, user_id
        assert token.split(":")[-1] not in text, user_id


# Production configuration


def test_the_documented_https_configuration_passes_check_deploy(tmp_path):
    env = server_env(
        tmp_path,
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        SESSION_COOKIE_SECURE="true",
        CSRF_COOKIE_SECURE="true",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        ALLOWED_HOSTS="watchqueue.example.org",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_the_embedded_run_without_it_is_warned_about(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=server_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "security.W004" in done.stdout + done.stderr


# The embedded database's files


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.sqlite_only
def test_the_database_its_write_ahead_log_and_its_folder_are_private_to_the_user(tmp_path):
    data = tmp_path / "data"
    env = server_env(data)
    old = os.umask(0o022)
    try:
        migrate(env)
        # With a connection open and a write done, the WAL and shared-memory files exist.
        printed = django_shell(
            env,
            "import os, stat; from django.db import connection; from rooms.models import Room; "
            "Room.objects.create(name='x', code='ABCDEF'); "
            "p = str(connection.settings_dict['NAME']); "
            "print(*[oct(stat.S_IMODE(os.stat(p + s).st_mode)) for s in ('', '-wal', '-shm')])",
        )
    finally:
        os.umask(old)
    assert printed.splitlines()[-1].split() == ["0o600", "0o600", "0o600"]
    assert _mode(data) == 0o700
    assert _mode(data / "watchqueue.sqlite3") == 0o600


@pytest.mark.sqlite_only
def test_a_database_file_left_readable_by_an_earlier_version_is_tightened(tmp_path):
    data = tmp_path / "data"
    env = server_env(data)
    migrate(env)
    (data / "watchqueue.sqlite3").chmod(0o644)
    data.chmod(0o755)
    django_shell(env, "pass")
    assert (_mode(data), _mode(data / "watchqueue.sqlite3")) == (0o700, 0o600)
