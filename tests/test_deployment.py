"""The deployment as written: the image, the compose file, the replica set's set-up script and
the proxy. No Docker engine runs here, so what the image and the compose file would run is run
directly where it can be (the build context, the build's collectstatic, the entrypoint and
command, the health check, the one-shot services' shell commands, the set-up script under
Node.js with mongosh's functions stubbed), and the rest is checked on the parsed files:
Dockerfile instructions, compose YAML, nginx directives. A Docker Compose client validates
the compose file when one is installed."""

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
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
NODES = {"mongo1": 27017, "mongo2": 27018, "mongo3": 27019}
REPLICA_SET_URL = "mongodb://mongo1:27017,mongo2:27018,mongo3:27019/?replicaSet=rs0"
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
    api = SERVICES["api"]["command"]
    assert "--proxy-headers" in api
    assert [word for word in api if word != "--proxy-headers"] == command
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
    env = _base_env(tmp_path / "data", MONGODB_URL=REPLICA_SET_URL, SECRET_KEY="k" * 50)
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


# The compose file


def compose_command(service: str) -> list[str]:
    """A service's command with Compose's `$$` escapes made the `$` the container sees."""
    return [word.replace("$$", "$") for word in SERVICES[service]["command"]]


def test_three_mongod_nodes_make_the_replica_set_rs0_on_their_ports_with_their_own_volumes():
    for name, port in NODES.items():
        node = SERVICES[name]
        command = node["command"]
        assert command[command.index("--replSet") + 1] == "rs0"
        assert command[command.index("--port") + 1] == str(port)
        assert re.fullmatch(r"mongo:\d+\.\d+", node["image"])
        check = node["healthcheck"]["test"]
        assert check[:2] == ["CMD", "mongosh"]
        assert check[check.index("--port") + 1] == str(port)
        volumes = {volume.split(":")[0] for volume in node["volumes"]}
        assert volumes == {f"{name}-data", f"{name}-config"}
        assert volumes <= set(COMPOSE["volumes"])
        # Reachable from this machine for mongosh, from nowhere else.
        assert node["ports"] == [f"127.0.0.1:{port}:{port}"]


def test_the_app_starts_after_the_set_has_a_primary_and_the_migrations_ran():
    migrate, api = SERVICES["migrate"], SERVICES["api"]
    assert migrate["depends_on"] == {"mongo-init": {"condition": "service_completed_successfully"}}
    assert api["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    for service in (migrate, api):
        assert service["environment"]["MONGODB_URL"] == REPLICA_SET_URL
        assert service["environment"]["SECRET_KEY_FILE"].startswith("/var/lib/watchqueue/")
        assert service["build"] == "."
    init = SERVICES["mongo-init"]
    assert {name: rule["condition"] for name, rule in init["depends_on"].items()} == dict.fromkeys(
        NODES, "service_healthy"
    )
    assert init["restart"] == "no"
    assert init["volumes"] == ["./deploy/init-replica-set.js:/init-replica-set.js:ro"]
    assert init["command"][-1] == "/init-replica-set.js"


@pytest.mark.slow
def test_the_migrate_service_makes_the_shared_key_once_and_migrates(tmp_path):
    """Its command run as the container runs it, on SQLite instead of the replica set."""
    key_file = tmp_path / "secret_key"
    env = _base_env(tmp_path / "data", SECRET_KEY="", SECRET_KEY_FILE=str(key_file), MONGODB_URL="")

    def run(**extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            compose_command("migrate"),
            cwd=ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )

    first = run()
    assert first.returncode == 0, first.stderr
    key = key_file.read_text().strip()
    assert len(key) >= 50
    assert "Applying rooms.0001_initial" in first.stdout
    again = run()
    assert again.returncode == 0, again.stderr
    assert key_file.read_text().strip() == key
    assert "No migrations to apply" in again.stdout
    # A key given in the environment is used as it is: no file is made.
    other_file = tmp_path / "unused_key"
    given = run(SECRET_KEY="given-" + "k" * 50, SECRET_KEY_FILE=str(other_file))
    assert given.returncode == 0, given.stderr
    assert not other_file.exists()


def test_several_api_processes_serve_behind_one_address():
    assert SERVICES["api"]["deploy"]["replicas"] == "${API_REPLICAS:-2}"
    proxy = SERVICES["proxy"]
    assert proxy["ports"] == ["${PORT:-8000}:8000"]
    assert proxy["depends_on"] == {"api": {"condition": "service_healthy"}}
    assert proxy["volumes"] == ["./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro"]


def test_no_password_has_a_default_and_mongo_express_refuses_to_start_without_one():
    for name, service in SERVICES.items():
        for variable, value in (service.get("environment") or {}).items():
            if "PASSWORD" in variable:
                assert re.fullmatch(r"\$\{[A-Z_]+:-\}", value), (name, variable, value)
    admin = SERVICES["mongo-express"]
    assert admin["profiles"] == ["admin"]
    assert admin["ports"] == ["127.0.0.1:8081:8081"]
    assert admin["environment"]["ME_CONFIG_BASICAUTH_PASSWORD"] == "${MONGO_EXPRESS_PASSWORD:-}"
    entrypoint = [word.replace("$$", "$") for word in admin["entrypoint"]]

    def start(password: str) -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/bin:/bin", "ME_CONFIG_BASICAUTH_PASSWORD": password}
        return subprocess.run(entrypoint, env=env, capture_output=True, text=True, timeout=10)

    refused = start("")
    assert refused.returncode == 1
    assert "Set MONGO_EXPRESS_PASSWORD in .env to start mongo-express." in refused.stderr
    # With one, it goes on to mongo-express's own entrypoint (which only its image has).
    allowed = start("a password")
    assert allowed.returncode != 1
    assert "/docker-entrypoint.sh" in allowed.stderr
    assert "MONGO_EXPRESS_PASSWORD" not in allowed.stderr


def _compose_client() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_a_compose_client_accepts_the_file():
    client = _compose_client()
    if client is None:
        pytest.skip("No Docker Compose client here (docker compose, docker-compose) to validate it")
    result = subprocess.run(
        [*client, "config", "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


# The replica set's set-up script, run by Node.js with mongosh's functions stubbed

MONGOSH = """
const vm = require("vm");
const fs = require("fs");
const [path, given] = process.argv.slice(-2);
const script = fs.readFileSync(path, "utf8");
const scenario = JSON.parse(given);
class Quit { constructor(code) { this.code = code; } }
const calls = [];
let hellos = 0;
const failure = (codeName) => Object.assign(new Error(codeName), { codeName });
const shell = {
  rs: {
    status() {
      if (scenario.status === "ok") return { set: "rs0" };
      throw failure(scenario.status);
    },
    initiate(config) { calls.push(["initiate", config]); return { ok: 1 }; },
  },
  db: {
    hello() {
      hellos += 1;
      return hellos > scenario.primaryAfter ? { primary: "mongo1:27017" } : {};
    },
  },
  print(...words) { calls.push(["print", words.join(" ")]); },
  sleep(ms) { calls.push(["sleep", ms]); },
  quit(code) { throw new Quit(code); },
};
let code = 0, error = null;
try { vm.runInNewContext(script, shell); }
catch (e) { if (e instanceof Quit) code = e.code; else { code = 2; error = e.codeName; } }
console.log(JSON.stringify({ code, error, calls }));
"""


def set_up(status: str, primary_after: int = 0) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("No Node.js here to run the set-up script with mongosh's functions stubbed")
    scenario = json.dumps({"status": status, "primaryAfter": primary_after})
    script = ROOT / "deploy" / "init-replica-set.js"
    done = subprocess.run(
        [node, "-e", MONGOSH, str(script), scenario],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(done.stdout)


def _initiated(result: dict) -> list[dict]:
    return [config for name, config, *_ in result["calls"] if name == "initiate"]


def test_the_set_up_script_makes_the_set_the_compose_file_and_the_app_name():
    result = set_up("NotYetInitialized", primary_after=2)
    [config] = _initiated(result)
    assert result["code"] == 0
    assert config["_id"] == SERVICES["mongo1"]["command"][2] == "rs0"
    hosts = [member["host"] for member in config["members"]]
    assert hosts == [f"{name}:{port}" for name, port in NODES.items()]
    # Named as the app's MONGODB_URL names them, so clients find every node.
    assert f"mongodb://{','.join(hosts)}/?replicaSet={config['_id']}" == REPLICA_SET_URL
    assert [member["_id"] for member in config["members"]] == [0, 1, 2]
    # It waits, a second at a time, until the set has elected a primary.
    assert [call for call in result["calls"] if call[0] == "sleep"] == [["sleep", 1000]] * 2


def test_the_set_up_script_run_again_finds_the_set_made_and_only_waits_for_a_primary():
    result = set_up("ok")
    assert (result["code"], _initiated(result)) == (0, [])


def test_the_set_up_script_stops_on_any_other_error_and_after_two_minutes_without_a_primary():
    denied = set_up("Unauthorized")
    assert (denied["code"], denied["error"], _initiated(denied)) == (2, "Unauthorized", [])
    never = set_up("ok", primary_after=10_000)
    assert never["code"] == 1
    assert sum(call[0] == "sleep" for call in never["calls"]) == 120
    assert never["calls"][-1] == ["print", "No primary was elected within two minutes."]


# The proxy's configuration, read as nginx reads it


def nginx(text: str) -> list[tuple[str, list[str], list]]:
    """nginx's configuration as (directive, arguments, block) triples, comments dropped."""
    tokens = re.findall(r'"[^"]*"|[{};]|[^\s{};"]+', re.sub(r"#[^\n]*", "", text))

    def block(i: int) -> tuple[list, int]:
        directives, words = [], []
        while i < len(tokens):
            token, i = tokens[i], i + 1
            if token == ";":
                directives.append((words[0], words[1:], []))
                words = []
            elif token == "{":
                children, i = block(i)
                directives.append((words[0], words[1:], children))
                words = []
            elif token == "}":
                return directives, i
            else:
                words.append(token)
        return directives, i

    return block(0)[0]


def directive(directives: list, name: str, *arguments: str) -> tuple:
    [found] = [d for d in directives if d[0] == name and d[1][: len(arguments)] == list(arguments)]
    return found


def headers(directives: list) -> dict[str, str]:
    return {d[1][0]: d[1][1] for d in directives if d[0] == "proxy_set_header"}


def test_the_proxy_spreads_http_websockets_and_streams_over_the_api_processes():
    conf = nginx((ROOT / "deploy" / "nginx.conf").read_text())
    port = only("EXPOSE")
    upstream = directive(conf, "upstream")[2]
    assert [d[:2] for d in upstream] == [("server", [f"api:{port}"])]
    server = directive(conf, "server")[2]
    assert directive(server, "listen")[1] == [SERVICES["proxy"]["ports"][0].rsplit(":", 1)[1]]
    location = directive(server, "location", "/")[2]
    assert directive(location, "proxy_pass")[1] == [f"http://{directive(conf, 'upstream')[1][0]}"]
    assert directive(location, "proxy_http_version")[1] == ["1.1"]
    # WebSockets: the Upgrade asked for is passed on, with Connection made from it.
    upgrade = directive(conf, "map", "$http_upgrade")
    assert upgrade[1] == ["$http_upgrade", "$connection_upgrade"]
    assert [d[:2] for d in upgrade[2]] == [("default", ["upgrade"]), ('""', ["close"])]
    sent = headers(location)
    assert (sent["Upgrade"], sent["Connection"]) == ("$http_upgrade", "$connection_upgrade")
    # Set, not appended: the limit on failed joins must count the real client.
    assert sent["X-Forwarded-For"] == "$remote_addr"
    # SSE events go out as they come; streams stay open for the evening.
    assert directive(location, "proxy_buffering")[1] == ["off"]
    assert directive(location, "proxy_read_timeout")[1] == ["1h"]
