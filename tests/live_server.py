"""A real daphne process on a free loopback port, for tests that talk HTTP to the app.

The process gets its own data folder (database, secret key), is migrated before it starts, and
is terminated when the test is done, or by the kernel if the test run itself dies.
"""

import atexit
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
APP = "watchqueue_site.asgi:application"
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Databases made on TEST_MONGODB_URL's replica set for servers, dropped when the run ends.
MONGODB_DATABASES: list[str] = []


def collect_static(static_root: Path, *, root: Path = ROOT) -> None:
    """Collect the static files of the code in `root` into `static_root`, as
    `scripts/start.sh` does (hashed names, compressed copies, the manifest)."""
    build = Path(tempfile.mkdtemp(prefix="watchqueue-build-"))
    env = {k: v for k, v in os.environ.items() if k not in {"MONGODB_URL", "SQLITE_PATH"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "watchqueue_site.settings",
            "DATA_DIR": str(build),  # the command's throwaway key and database
            "MONGODB_URL": "",
            "STATIC_ROOT": str(static_root),
        }
    )
    try:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=root,
            env=env,
            check=True,
            timeout=300,
        )
    finally:
        shutil.rmtree(build, ignore_errors=True)


@cache
def collected_static() -> Path:
    """This code's static files, collected once per run into a folder removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="watchqueue-static-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    collect_static(folder)
    return folder


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A server's environment: its own data folder, the run's collected static files, and on a
    MongoDB run its own database."""
    env = {k: v for k, v in os.environ.items() if k not in {"MONGODB_URL", "SQLITE_PATH"}}
    env.update({"DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "watchqueue_site.settings"})
    if "STATIC_ROOT" not in extra:
        env["STATIC_ROOT"] = str(collected_static())
    if mongodb := os.environ.get("TEST_MONGODB_URL"):
        name = f"watchqueue_live_{uuid.uuid4().hex[:12]}"
        MONGODB_DATABASES.append(name)
        env.update({"MONGODB_URL": mongodb, "MONGODB_DATABASE": name})
        env.setdefault("SECRET_KEY", "test-suite-only-" + "k" * 40)
    else:
        env["MONGODB_URL"] = ""
    # Every test's rooms come from this one address; the limit's own tests set it themselves.
    env["ROOM_CREATE_RATE"] = "10000/hour"
    env.update(extra)
    return env


def migrate(env: dict[str, str], *, root: Path = ROOT) -> None:
    """Migrate the server's database, with the code in `root`."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=root,
        env=env,
        check=True,
        timeout=120,
    )


def django_shell(env: dict[str, str], code: str) -> str:
    """Run Django code in a separate process on the server's database; returns what it printed."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout


def spawn_daphne(
    env: dict[str, str],
    port: int,
    *,
    wait_path: str = "/health",
    args: tuple[str, ...] = (),
    output: Path | None = None,
    root: Path = ROOT,
) -> subprocess.Popen:
    """Start daphne on `port` (with daphne's own `args`), serving the code in `root`, and return
    its process once `wait_path` answers. With `output`, the server's stdout and stderr are
    appended to it."""
    sink = output.open("ab") if output else None
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), *args, APP],
        cwd=root,
        env=env,
        stdout=sink or subprocess.DEVNULL,
        stderr=sink or subprocess.PIPE,
        preexec_fn=_die_with_parent,
    )
    if sink:
        sink.close()  # the child has its own copy
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                said = output.read_text() if output else process.stderr.read().decode()
                raise RuntimeError(f"daphne exited: {said[-2000:]}")
            try:
                requests.get(base + wait_path, timeout=1)
                return process
            except (requests.ConnectionError, requests.Timeout):  # not up, or slow to answer
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    except BaseException:
        stop(process)
        raise


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def daphne(
    env: dict[str, str],
    *,
    wait_path: str = "/health",
    port: int | None = None,
    args: tuple[str, ...] = (),
    output: Path | None = None,
    root: Path = ROOT,
) -> Iterator[str]:
    """Serve the app (the code in `root`) with daphne (on `port`, or a free one, with daphne's
    own `args`); yields its base URL once `wait_path` answers. With `output`, the server's
    stdout and stderr go to that file."""
    port = port or free_port()
    process = spawn_daphne(env, port, wait_path=wait_path, args=args, output=output, root=root)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
