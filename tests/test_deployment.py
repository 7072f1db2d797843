"""The replica-set deployment as written: the compose file, the replica set's set-up script
and the proxy in front of the api processes. No Docker engine runs here, so the one-shot
services' shell commands are run directly, the set-up script runs under Node.js with mongosh's
functions stubbed, and the compose YAML and nginx's directives are checked as parsed. A Docker
Compose client validates the compose file when one is installed. The image itself is in
test_image.py."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
NODES = {"mongo1": 27017, "mongo2": 27018, "mongo3": 27019}
REPLICA_SET_URL = "mongodb://mongo1:27017,mongo2:27018,mongo3:27019/?replicaSet=rs0"


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
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": "",
        "SECRET_KEY_FILE": str(key_file),
        "MONGODB_URL": "",
    }

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
    api = SERVICES["api"]["command"]
    port = api[api.index("-p") + 1]
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
