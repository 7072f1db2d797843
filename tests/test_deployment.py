"""The replica-set deployment as written: the compose file, the replica set's set-up script, the
proxy and the image. No Docker engine runs here; what can be checked without one is checked,
and the compose file is validated by a Docker Compose client when one is installed."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
NODES = {"mongo1": 27017, "mongo2": 27018, "mongo3": 27019}
REPLICA_SET_URL = "mongodb://mongo1:27017,mongo2:27018,mongo3:27019/?replicaSet=rs0"


def test_three_mongod_nodes_make_the_replica_set_rs0_on_their_ports_with_their_own_volumes():
    for name, port in NODES.items():
        node = SERVICES[name]
        command = node["command"]
        assert command[command.index("--replSet") + 1] == "rs0"
        assert command[command.index("--port") + 1] == str(port)
        assert re.fullmatch(r"mongo:\d+\.\d+", node["image"])
        assert f"--port', '{port}" in str(node["healthcheck"]["test"])
        volumes = {volume.split(":")[0] for volume in node["volumes"]}
        assert volumes == {f"{name}-data", f"{name}-config"}
        assert volumes <= set(COMPOSE["volumes"])
        # Reachable from this machine for mongosh, from nowhere else.
        assert node["ports"] == [f"127.0.0.1:{port}:{port}"]


def test_the_set_up_script_names_the_members_as_the_app_and_compose_do():
    script = (ROOT / "deploy" / "init-replica-set.js").read_text()
    assert re.findall(r'host: "(mongo\d):(\d+)"', script) == [
        (name, str(port)) for name, port in NODES.items()
    ]
    assert '_id: "rs0"' in script
    assert "NotYetInitialized" in script  # a second run finds the set made and goes on
    init = SERVICES["mongo-init"]
    assert {name: rule["condition"] for name, rule in init["depends_on"].items()} == dict.fromkeys(
        NODES, "service_healthy"
    )
    assert init["restart"] == "no"


def test_the_app_starts_after_the_set_has_a_primary_and_the_migrations_ran():
    migrate, api = SERVICES["migrate"], SERVICES["api"]
    assert migrate["depends_on"] == {"mongo-init": {"condition": "service_completed_successfully"}}
    assert "manage.py migrate --noinput" in " ".join(migrate["command"])
    assert api["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    for service in (migrate, api):
        assert service["environment"]["MONGODB_URL"] == REPLICA_SET_URL
        assert service["environment"]["SECRET_KEY_FILE"].startswith("/var/lib/watchqueue/")
        assert service["build"] == "."


def test_several_api_processes_serve_behind_one_address():
    assert SERVICES["api"]["deploy"]["replicas"] == "${API_REPLICAS:-2}"
    proxy = SERVICES["proxy"]
    assert proxy["ports"] == ["${PORT:-8000}:8000"]
    assert proxy["depends_on"] == {"api": {"condition": "service_healthy"}}
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server api:8000;" in nginx
    for line in (
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;",
        "proxy_buffering off;",
        "proxy_set_header X-Forwarded-For $remote_addr;",
    ):
        assert line in nginx


def test_mongo_express_is_optional_local_and_needs_credentials_from_the_environment():
    admin = SERVICES["mongo-express"]
    assert admin["profiles"] == ["admin"]
    assert admin["ports"] == ["127.0.0.1:8081:8081"]
    environment = admin["environment"]
    assert environment["ME_CONFIG_BASICAUTH_PASSWORD"] == "${MONGO_EXPRESS_PASSWORD:-}"
    assert "admin123" not in (ROOT / "docker-compose.yml").read_text()
    assert "Set MONGO_EXPRESS_PASSWORD" in " ".join(admin["entrypoint"])


def test_the_image_serves_the_app_with_daphne_and_checks_its_health():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "\nFROM python:3.11-slim\n" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert "USER watchqueue" in dockerfile
    assert "deploy/healthcheck.py" in dockerfile.split("HEALTHCHECK", 1)[1]
    cmd = dockerfile.split("\nCMD ", 1)[1]
    assert cmd.startswith('["daphne"')
    assert "watchqueue_site.asgi:application" in cmd
    # Alone, the image trusts no forwarded address; behind the compose file's proxy it does.
    assert "--proxy-headers" not in cmd
    assert "--proxy-headers" in SERVICES["api"]["command"]
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "data"} <= set(ignored)


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


@pytest.mark.parametrize("allowed", ["*", "movies.example.com,localhost", ".example.com"])
def test_the_health_check_asks_as_a_host_the_app_allows(tmp_path, allowed):
    from tests.live_server import daphne, migrate, server_env

    env = server_env(tmp_path, ALLOWED_HOSTS=allowed)
    migrate(env)
    with daphne(env) as base:
        port = base.rsplit(":", 1)[1]
        script = (ROOT / "deploy" / "healthcheck.py").read_text().replace(":8000/", f":{port}/")
        check = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30
        )
        as_ip = requests.get(f"{base}/health", timeout=5).status_code
    assert check.returncode == 0, check.stderr
    # Asked as 127.0.0.1, an app that allows only its public name refuses: the check does not.
    assert as_ip == (200 if allowed == "*" else 400)
