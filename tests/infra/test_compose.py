"""docker-compose.yml and the Dockerfile: the deployment the README describes.

Docker itself may not run where the tests run; these checks read the files. When a
compose binary is on PATH, ``docker compose config`` must accept the file too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
PACKAGES = ("infra", "exchange", "schema", "matching", "consent")


def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def dockerfile() -> str:
    return DOCKERFILE.read_text(encoding="utf-8")


def test_postgres_with_a_pinned_major_a_volume_and_a_health_check() -> None:
    db = compose()["services"]["db"]
    assert re.fullmatch(r"postgres:17(\.\d+)?(-[a-z0-9.]+)?", db["image"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume, target = db["volumes"][0].split(":")[:2]
    assert target == "/var/lib/postgresql/data"
    assert volume in compose()["volumes"]


def test_the_app_is_built_here_and_waits_for_a_healthy_database() -> None:
    app = compose()["services"]["app"]
    assert app["build"]["context"] == "."
    assert app["build"]["dockerfile"] == "Dockerfile"
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert any(str(p).endswith(":8000") for p in app["ports"])
    check = app["healthcheck"]["test"]
    assert check[:2] == ["CMD", "python"]
    assert "urllib.request" in check[-1] and "/healthz" in check[-1]
    assert "curl" not in " ".join(check)


def test_the_app_is_configured_by_known_environment_variables() -> None:
    environment = compose()["services"]["app"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in environment["DATABASE_URL"]
    known = {f"TUSSENDEUR_{name.upper()}" for name in Settings.model_fields}
    for name in environment:
        if name != "DATABASE_URL":
            assert name in known, f"{name} is not a setting"
    for required in (
        "TUSSENDEUR_ENV",
        "TUSSENDEUR_APP_DB_PASSWORD",
        "TUSSENDEUR_PUBLIC_URL",
        "TUSSENDEUR_SMTP_HOST",
        "TUSSENDEUR_SMTP_USERNAME",
        "TUSSENDEUR_SMTP_PASSWORD",
    ):
        assert required in environment
    # Optional mail settings pass through or stay unset: never an empty string, which
    # would read as "an SMTP user called ''".
    assert environment["TUSSENDEUR_SMTP_USERNAME"] is None


def test_the_image_is_slim_non_root_and_serves_on_all_interfaces() -> None:
    text = dockerfile()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"pip install (/src|\.)", text)
    assert re.search(r"^HEALTHCHECK .*", text, re.M)
    assert "/healthz" in text
    cmd = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert cmd
    assert yaml.safe_load(cmd.group(1)) == [
        "tussendeur",
        "serve",
        "--host",
        "0.0.0.0",  # noqa: S104 - the container serves its own interfaces
        "--port",
        "8000",
    ]


def test_the_build_context_keeps_the_packages_and_drops_the_rest() -> None:
    ignored = {
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for needed in (*PACKAGES, "pyproject.toml", "README.md"):
        assert needed not in ignored
    for secret_or_bulk in (".git", ".venv", ".env", "demo.env", "tests"):
        assert secret_or_bulk in ignored


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"],  # noqa: S607
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


@pytest.mark.skipif(_compose_command() is None, reason="no docker compose here")
def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    command = _compose_command()
    assert command is not None
    result = subprocess.run(  # noqa: S603 - docker compose, found above
        [*command, "--project-directory", str(ROOT), "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
