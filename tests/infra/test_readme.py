"""The README says what is true: its tour runs as written, its tables are complete."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from demo.report import TOUR
from infra.settings import Settings
from tests.support.processes import cli_env, free_port, serving, wait_ready

README = Path(__file__).resolve().parents[2] / "README.md"
COMMAND_1 = "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && tussendeur serve"
COMMAND_2 = "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]' && pytest"


def readme() -> str:
    return README.read_text(encoding="utf-8")


def tour_block() -> str:
    match = re.search(r"<!-- tour:start -->\n```bash\n(.*?)```\n<!-- tour:end -->", readme(), re.S)
    assert match, "the README lost its tour markers"
    return match.group(1)


def portal_section() -> str:
    text = readme()
    start = text.index("### The same exchange in the portal")
    return text[start : text.index("\n## ", start)]


async def test_the_portal_pages_the_tour_names_exist(client: httpx.AsyncClient) -> None:
    paths = set(re.findall(r"`(?:\$TD_URL)?(/portal/[a-z/-]*)`", portal_section()))
    assert {"/portal/hr", "/portal/me", "/portal/admin", "/portal/sign-in"} <= paths
    for path in sorted(paths):
        response = await client.get(path)
        assert response.status_code in (200, 401, 403), (path, response.status_code)


def test_the_two_commands_are_in_the_readme() -> None:
    assert f"```bash\n{COMMAND_1}\n```" in readme()
    assert f"```bash\n{COMMAND_2}\n```" in readme()


def test_the_readme_tour_is_the_one_the_demo_prints() -> None:
    assert tour_block() == "tussendeur demo --env-file demo.env\n. ./demo.env\n\n" + TOUR


def test_every_setting_is_in_the_configuration_table() -> None:
    text = readme()
    for name in Settings.model_fields:
        variable = "DATABASE_URL" if name == "database_url" else f"TUSSENDEUR_{name.upper()}"
        assert f"`{variable}`" in text, f"{variable} is missing from the README"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("curl") is None, reason="the tour uses curl")
def test_demo_then_the_tour_works_exactly_as_written(fresh_database: str, tmp_path: Path) -> None:
    port = free_port()
    env = cli_env(
        tmp_path / "data",
        DATABASE_URL=fresh_database,
        TUSSENDEUR_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    workdir = tmp_path / "terminal-2"
    workdir.mkdir()
    with serving(env, port, tmp_path / "serve.log") as server:
        wait_ready(port, server)
        result = subprocess.run(  # noqa: S603 - the README's own text
            ["bash", "-c", "set -euo pipefail\n" + tour_block()],  # noqa: S607
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert '"errors"' not in out
    assert "Seeded Zuid-Limburg" in out
    assert '"title": "Klantenservicemedewerker energie (tour)"' in out
    assert '"userErrors": []' in out
    assert '"conceptId": "cc.tool_salesforce"' in out  # the typo found its concept
    assert out.count('"rank":') == 3  # three explained matches
    assert '"matchedPhrase":' in out
