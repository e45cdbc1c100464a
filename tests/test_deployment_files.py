"""The deployment files agree with the code: every setting documented, every role wired, image hardened.

No Docker engine runs here, so the compose file is checked structurally (and with `docker compose
config` by the GitHub workflow, which has one).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from launcher.cli import build_parser
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
    for name in ("db", "redis", "api"):
        assert services[name]["healthcheck"]["test"]
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
