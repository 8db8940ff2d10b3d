"""The ``tussendeur`` command: help everywhere, SDL without a database, one-line errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import typer
from typer.testing import CliRunner

from entrypoints.cli import app
from entrypoints.cli_support import describe_error, one_line, redact_dsn
from infra.errors import FieldError, UserError
from infra.migrate import load_migrations
from tests.support.processes import cli_env, run_cli

UNREACHABLE = "postgresql://nobody@127.0.0.1:9/nowhere"


def _commands(command: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield prefix, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*prefix, name))


COMMANDS = dict(_commands(typer.main.get_command(app)))
ALL_COMMANDS = list(COMMANDS)


def test_the_core_commands_exist() -> None:
    names = {" ".join(path) for path in ALL_COMMANDS}
    assert {"serve", "db", "db migrate", "db status", "schema export", "demo"} <= names


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "tussendeur")
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "tussendeur")
def test_flags_read_as_flags_in_help(path: tuple[str, ...]) -> None:
    """A boolean flag (``--reset``, ``--help``) takes no value, so its help row shows none."""
    flags = [["--help"]] + [
        [*p.opts, *p.secondary_opts]
        for p in COMMANDS[path].params
        if getattr(p, "is_flag", False) and not getattr(p, "count", False)
    ]
    output = CliRunner().invoke(app, [*path, "--help"], terminal_width=200).output
    lines = output.splitlines()
    for names in flags:
        rows = [
            line for line in lines if re.search(rf"(?<![\w-]){re.escape(names[0])}(?![\w-])", line)
        ]
        assert rows, f"{names[0]} is missing from the help of {' '.join(path)}:\n{output}"
        for row in rows:
            after = row.split(names[-1], 1)[1] if names[-1] in row else row.split(names[0], 1)[1]
            assert not after.strip(" │").startswith("<"), row
    assert "<bool>" not in output, output


@pytest.mark.slow  # a subprocess
def test_schema_export_prints_sdl_without_a_database(tmp_path: Path) -> None:
    result = run_cli(["schema", "export"], cli_env(tmp_path, DATABASE_URL=UNREACHABLE))
    assert result.returncode == 0, result.stderr
    assert "type Query {" in result.stdout
    assert "type Mutation {" in result.stdout
    assert "createVacancy(" in result.stdout
    assert result.stderr == ""
    assert not (tmp_path / "postgres").exists()  # no embedded server was started either


def _assert_one_red_line(result: Any) -> str:
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr + result.stdout
    return str(lines[0])


@pytest.mark.slow  # a subprocess
def test_an_unreachable_database_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = run_cli(["db", "status"], cli_env(tmp_path, DATABASE_URL=UNREACHABLE))
    assert "cannot reach PostgreSQL" in _assert_one_red_line(result)


@pytest.mark.slow  # a subprocess
def test_bad_configuration_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    result = run_cli(["db", "migrate"], cli_env(tmp_path, TUSSENDEUR_ENV="staging"))
    assert "TUSSENDEUR_ENV" in _assert_one_red_line(result)


@pytest.mark.slow  # a subprocess
def test_a_usage_error_is_reported_by_the_cli_framework(tmp_path: Path) -> None:
    result = run_cli(["db", "status", "--no-such-option"], cli_env(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_error_lines_describe_common_failures() -> None:
    error = UserError([FieldError("slug", "INVALID", "use lower-case"), FieldError("n", "X", "y")])
    assert describe_error(error) == "slug: use lower-case; n: y"
    assert describe_error(ConnectionRefusedError(111, "refused")).startswith("cannot reach")
    assert "no such database" in describe_error(asyncpg.InvalidCatalogNameError("x"))
    assert one_line("a\n  b\tc") == "a b c"


@pytest.mark.slow  # subprocesses
async def test_db_status_and_migrate_on_a_database_url(empty_database: str, tmp_path: Path) -> None:
    env = cli_env(tmp_path, DATABASE_URL=empty_database)
    pending = run_cli(["db", "status", "--check"], env)
    assert pending.returncode == 1
    assert "pending" in pending.stdout
    assert "migration(s) pending" in pending.stderr

    migrated = run_cli(["db", "migrate"], env)
    assert migrated.returncode == 0, migrated.stderr
    names = [f"{m.version:04d}_{m.name}" for m in load_migrations()]
    for name in names:
        assert f"applied {name}" in migrated.stdout

    again = run_cli(["db", "migrate"], env)
    assert again.returncode == 0
    assert "Database is current" in again.stdout

    status = run_cli(["db", "status", "--check"], env)
    assert status.returncode == 0, status.stderr
    assert status.stdout.count("applied") == len(names)


def test_printed_dsns_hide_the_password() -> None:
    assert redact_dsn("postgresql://td:s3cret@db:5432/td") == "postgresql://td:***@db:5432/td"
    assert redact_dsn("postgresql://td@db/td") == "postgresql://td@db/td"
