"""The server's image as the Dockerfile builds it. No Docker engine runs here, so the
Dockerfile is read into its instructions and what the image would do is done directly: the
build context is what .dockerignore lets through, a copy of it runs the build's collectstatic,
then the image's entrypoint and command, with its environment, serve the app and pass its
health check. The compose file that runs the image is in test_deployment.py."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from tests.live_server import free_port

ROOT = Path(__file__).resolve().parent.parent
API_COMMAND = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["api"][
    "command"
]
# Where `python`, `pip` and `daphne` are, as they are on the image's PATH.
BIN = str(Path(sys.executable).parent)


# The Dockerfile, read as Docker reads it


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions in order, as (INSTRUCTION, arguments): comments dropped,
    continued lines joined."""
    instructions, logical = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            logical += stripped[:-1] + " "
            continue
        keyword, _, arguments = (logical + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        logical = ""
    return instructions


def only(keyword: str) -> str:
    [arguments] = [args for name, args in dockerfile() if name == keyword]
    return arguments


def exec_form(arguments: str) -> list[str]:
    command = json.loads(arguments)
    assert isinstance(command, list), "exec form, so that signals reach the process"
    return command


def shell_steps(arguments: str) -> list[list[str]]:
    """A RUN's shell command as the words of each step joined by &&."""
    return [shlex.split(step) for step in arguments.split("&&")]


def image_env() -> dict[str, str]:
    return dict(word.split("=", 1) for word in shlex.split(only("ENV")))


def image_command(port: int) -> list[str]:
    """ENTRYPOINT and CMD together, as Docker runs them, serving on 127.0.0.1:`port`."""
    command = [*exec_form(only("ENTRYPOINT")), *exec_form(only("CMD"))]
    command[command.index("-b") + 1] = "127.0.0.1"
    command[command.index("-p") + 1] = str(port)
    return command


def test_the_image_installs_its_requirements_before_the_code_and_runs_as_its_own_user():
    steps = dockerfile()
    assert steps[0] == ("FROM", "python:3.11-slim")
    assert only("WORKDIR") == "/app"
    # The dependencies' layer is rebuilt only when requirements.txt changes.
    copy_requirements = steps.index(("COPY", "requirements.txt ."))
    install = steps.index(("RUN", "pip install -r requirements.txt"))
    copy_code = steps.index(("COPY", ". ."))
    assert copy_requirements < install < copy_code
    # The user is made, and given the data folder, before the image switches to it.
    user = only("USER")
    assert user == "watchqueue"
    [(made, build)] = [
        (index, shell_steps(args))
        for index, (name, args) in enumerate(steps)
        if name == "RUN" and "useradd" in args
    ]
    assert ["useradd", "--system", "--create-home", user] in build
    assert ["chown", user, image_env()["DATA_DIR"]] in build
    assert made < steps.index(("USER", user))
    assert not [name for name, _ in steps[steps.index(("USER", user)) :] if name == "RUN"]


def test_the_image_serves_on_its_exposed_port_and_trusts_no_forwarded_address_alone():
    command = exec_form(only("CMD"))
    assert command[0] == "daphne"
    assert command[-1] == "watchqueue_site.asgi:application"
    assert command[command.index("-p") + 1] == only("EXPOSE") == "8000"
    assert "--proxy-headers" not in command
    # Behind the compose file's proxy, the same server takes the client's address from it.
    assert "--proxy-headers" in API_COMMAND
    assert [word for word in API_COMMAND if word != "--proxy-headers"] == command
    health_check = only("HEALTHCHECK").split(" CMD ")[1]
    assert exec_form(health_check) == ["python", "deploy/healthcheck.py"]
    assert exec_form(only("ENTRYPOINT")) == ["sh", "deploy/entrypoint.sh"]
    assert (ROOT / "deploy" / "healthcheck.py").is_file()
    assert (ROOT / "deploy" / "entrypoint.sh").is_file()


# What the image is built from and what it runs


def dockerignored(path: str) -> bool:
    """Whether `docker build .` leaves `path` out, by .dockerignore's patterns (Docker's: `*`
    within a folder, `**` across folders, a folder with all in it; none here starts with `!`)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    for pattern in (ROOT / ".dockerignore").read_text().split():
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*")
        if any(re.fullmatch(regex.replace(r"\?", "[^/]"), prefix) for prefix in prefixes):
            return True
    return False


def build_context() -> list[str]:
    """The files `docker build .` sends from this folder."""
    sent = []
    for folder, subfolders, files in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT)
        subfolders[:] = [name for name in subfolders if not dockerignored((here / name).as_posix())]
        paths = ((here / name).as_posix() for name in files)
        sent += [path for path in paths if not dockerignored(path)]
    return sorted(sent)


LOCAL_ONLY = [
    ".env",
    ".venv/bin/python",
    ".git/HEAD",
    "data/watchqueue.sqlite3",
    "data/secret_key",
    "watchqueue.sqlite3-wal",
    "staticfiles/web/app.css",
    "rooms/__pycache__/models.cpython-311.pyc",
    "test-artifacts/screenshots/room.png",
    ".ruff_cache/CACHEDIR.TAG",
    ".pytest_cache/README.md",
]


def test_the_build_context_leaves_out_secrets_and_local_state_and_keeps_every_project_file():
    assert [path for path in LOCAL_ONLY if not dockerignored(path)] == []
    sent = set(build_context())
    for local in (".env", ".venv", ".git", "data", "staticfiles", ".ruff_cache", "__pycache__"):
        assert not [path for path in sent if path == local or path.startswith(local + "/")]
        assert not [path for path in sent if f"/{local}/" in f"/{path}"]
    assert not [path for path in sent if ".sqlite3" in path]
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert set(tracked) <= sent
    assert {"requirements.txt", "manage.py", "deploy/healthcheck.py"} <= sent


def _runs() -> list[str]:
    return [args for name, args in dockerfile() if name == "RUN"]


def _base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The image's environment (its ENV, its PATH), with its data folder here."""
    return {"PATH": f"{BIN}:/usr/bin:/bin", **image_env(), "DATA_DIR": str(data_dir), **extra}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The build context copied to /app's stand-in, with the build's collectstatic run in it."""
    app = tmp_path_factory.mktemp("image") / "app"
    for path in build_context():
        (app / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, app / path)
    [collect] = [step for args in _runs() for step in shell_steps(args) if "collectstatic" in step]
    assignments = {word.split("=", 1)[0]: word.split("=", 1)[1] for word in collect if "=" in word}
    command = [word for word in collect if "=" not in word]
    # The build's throwaway data folder goes here rather than in /tmp/build.
    env = {**_base_env(app.parent / "data"), **assignments, "DATA_DIR": str(app.parent / "build")}
    subprocess.run(command, cwd=app, env=env, check=True, timeout=120)
    assert (app / "staticfiles" / "web" / "app.css").is_file()
    return app


@pytest.mark.slow
@pytest.mark.parametrize("allowed", ["*", "movies.example.com,localhost", ".example.com"])
def test_the_image_alone_makes_its_database_serves_and_passes_its_health_check(
    built, tmp_path, allowed
):
    port = free_port()
    env = _base_env(tmp_path / "data", ALLOWED_HOSTS=allowed)
    host = "localhost" if allowed == "*" else allowed.split(",")[0].lstrip(".")
    server = subprocess.Popen(
        image_command(port), cwd=built, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            try:
                health = requests.get(f"{base}/health", headers={"Host": host}, timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        created = requests.post(
            f"{base}/api/rooms",
            json={"name": "Friday", "members": [{"name": "Alice"}]},
            headers={"Host": host},
            timeout=5,
        )
        script = (built / "deploy" / "healthcheck.py").read_text().replace(":8000/", f":{port}/")
        check = subprocess.run(
            ["python", "-c", script], env=env, capture_output=True, text=True, timeout=30
        )
        as_ip = requests.get(f"{base}/health", timeout=5).status_code
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert (health.status_code, health.json()["database"]) == (200, "sqlite")
    assert created.status_code == 201
    assert (tmp_path / "data" / "watchqueue.sqlite3").is_file()
    assert check.returncode == 0, check.stderr
    # Asked as 127.0.0.1, an app that allows only its public name refuses: the check does not.
    assert as_ip == (200 if allowed == "*" else 400)


def test_on_a_replica_set_the_entrypoint_leaves_migrating_to_the_compose_file(built, tmp_path):
    entrypoint = exec_form(only("ENTRYPOINT"))
    replica_set = "mongodb://mongo1:27017,mongo2:27018,mongo3:27019/?replicaSet=rs0"
    env = _base_env(tmp_path / "data", MONGODB_URL=replica_set, SECRET_KEY="k" * 50)
    ran = subprocess.run(
        [*entrypoint, "python", "-c", "print('the command ran')"],
        cwd=built,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (ran.returncode, ran.stdout) == (0, "the command ran\n")
    assert not (tmp_path / "data").exists()
