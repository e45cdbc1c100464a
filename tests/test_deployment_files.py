"""The deployment files agree with the code: every setting documented, every role wired, image hardened.

No Docker engine runs here, so the compose file is checked structurally (and with `docker compose
config` by the GitHub workflow, which has one).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from launcher.cli import build_parser
from launcher.healthcheck import container_role, probe_url
from smarthabit.config import Settings

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("api", "bot", "worker", "scheduler")


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert {name.upper() for name in Settings.model_fields} <= documented


def test_compose_runs_every_role_after_migrations() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "migrate", *ROLES} <= set(services)
    assert services["migrate"]["command"] == ["migrate"] and services["migrate"]["restart"] == "no"
    commands = {name for name in ROLES if services[name]["command"] == [name]}
    assert commands == set(ROLES)
    for name in ROLES:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["db"]["condition"] == depends["redis"]["condition"] == "service_healthy"
        assert services[name]["restart"] == "unless-stopped" and services[name]["env_file"] == ".env"
    for name in ("db", "redis", *ROLES):
        assert services[name]["healthcheck"]["test"] and not services[name]["healthcheck"].get("disable"), name
    assert {"pgdata", "redisdata"} <= set(compose["volumes"])
    parser_roles = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert {*ROLES, "migrate", "run"} <= parser_roles


def test_image_is_multi_stage_non_root_and_healthchecked() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    assert len(stages) >= 2, "multi-stage build"
    final = stages[-1]
    assert re.search(r"^USER (?!root)\w+", final, flags=re.MULTILINE)
    assert "HEALTHCHECK" in final and "build-essential" not in final
    assert 'ENTRYPOINT ["smarthabit"]' in final
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".git" in ignored


def test_compose_scales_the_api_behind_caddy() -> None:
    """`--scale api=N` never collides on a port: only the proxy publishes one, and it finds every
    replica through Docker's DNS; it waits for a healthy API before it starts."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "ports" not in services["api"] and services["api"]["expose"] == ["8080"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy:") and proxy["ports"] == ["${API_PORT:-8080}:80"]
    assert proxy["depends_on"]["api"]["condition"] == "service_healthy"
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert re.search(r"dynamic a api 8080", caddyfile) and "lb_retries" in caddyfile


def test_every_role_is_probed_its_own_way() -> None:
    """HTTP /health for the API; the metrics listener for the roles without HTTP of their own."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in ROLES:
        assert services[name]["healthcheck"]["test"] == ["CMD", "python", "-m", "launcher.healthcheck"], name
        environment = services[name]["environment"]
        assert environment["SMARTHABIT_ENV"] == "production" and environment["HOST"] == "0.0.0.0"  # noqa: S104
        assert ("METRICS_PORT" in environment) == (name != "api"), name
        assert probe_url({k: str(v) for k, v in environment.items()}, name).endswith(
            "/health" if name == "api" else ":9100/metrics")
    # The API is probed on /health even with a metrics port of its own.
    assert probe_url({"PORT": "9000", "METRICS_PORT": "9100"}, "api") == "http://127.0.0.1:9000/health"


def test_the_probe_reads_the_role_from_the_containers_main_process(tmp_path: Path) -> None:
    cmdline = tmp_path / "cmdline"
    cmdline.write_bytes(b"/opt/venv/bin/python\0/opt/venv/bin/smarthabit\0worker\0--concurrency\0004\0")
    assert container_role(cmdline) == "worker"
    cmdline.write_bytes(b"/opt/venv/bin/python\0/opt/venv/bin/smarthabit\0api\0")
    assert container_role(cmdline) == "api"
    cmdline.write_bytes(b"postgres\0-D\0/data\0")
    assert container_role(cmdline) is None and container_role(tmp_path / "missing") is None


def _locked(path: Path) -> dict[str, str]:
    """name -> pinned version of a pip-compile lock file; every requirement line is an exact pin."""
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith((" ", "#"))]
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", "\n".join(lines), flags=re.MULTILINE))
    assert pins and len(pins) == len(lines), f"{path.name}: every line must pin one version (name==version)"
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins.items()}


def _declared(extra: str | None = None) -> set[str]:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return {re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~;\s]", r, maxsplit=1)[0]).lower() for r in requirements}


def test_lock_files_pin_every_declared_dependency() -> None:
    """After a dependency changes in pyproject.toml, regenerate the locks (README: "Dependencies")."""
    runtime, dev = _locked(ROOT / "requirements" / "runtime.txt"), _locked(ROOT / "requirements" / "dev.txt")
    assert _declared() <= set(runtime), "runtime.txt lacks a dependency: run pip-compile (README)"
    assert _declared() | _declared("dev") <= set(dev), "dev.txt lacks a dependency: run pip-compile (README)"
    assert all(dev[name] == version for name, version in runtime.items() if name in dev), "the two locks disagree"


def test_image_and_ci_install_from_the_locks() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r requirements/runtime.txt" in dockerfile and "--no-deps ." in dockerfile
    assert 'CMD ["python", "-m", "launcher.healthcheck"]' in dockerfile
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install -q -r requirements/dev.txt" in ci and "lint-imports" in ci
    assert "TEST_DATABASE=postgresql" in ci and "TEST_DATABASE=sqlite" in ci
