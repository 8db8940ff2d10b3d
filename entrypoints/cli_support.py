"""What every ``tussendeur`` command shares: consoles, one-line errors, database access.

Errors: the root command group (:class:`ErrorReportingGroup`) turns every failure
of any sub-command, including the sub-apps other modules register, into one red
line on stderr and exit code 1 — never a traceback (``TUSSENDEUR_DEBUG=1``
re-raises for a developer who wants one).

Database: :func:`owner_dsn` and :func:`cli_runtime` use ``DATABASE_URL`` when it is
set and otherwise the embedded PostgreSQL under ``TUSSENDEUR_DATA_DIR``. When
``tussendeur serve`` already runs on that data directory the command joins its
server and leaves it running; when nothing runs it starts the server and stops
it again on the way out.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pydantic
import typer
import typer.core
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from infra.embedded import EmbeddedPostgresUnavailable, stop_embedded_postgres
from infra.errors import TussendeurError, UserError
from infra.migrate import MigrationError
from infra.runtime import Runtime, open_runtime, resolve_owner_dsn
from infra.settings import Settings

T = TypeVar("T")

console = Console(soft_wrap=True, highlight=False)
err_console = Console(stderr=True, soft_wrap=True, highlight=False)

EXIT_FAILURE = 1


class CommandError(TussendeurError):
    """A command cannot do what was asked; the message is shown as is."""


def one_line(text: str) -> str:
    return " ".join(text.split())


def describe_error(exc: BaseException) -> str:
    """The single line a person reads for ``exc``."""
    if isinstance(exc, UserError):
        return "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
    if isinstance(exc, TussendeurError):
        return exc.message
    if isinstance(exc, EmbeddedPostgresUnavailable):
        return str(exc)
    if isinstance(exc, MigrationError):
        return f"migrations: {exc}"
    if isinstance(exc, pydantic.ValidationError):
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "settings"
            variable = "DATABASE_URL" if name == "database_url" else f"TUSSENDEUR_{name.upper()}"
            problems.append(f"{variable}: {error['msg']}")
        return "invalid configuration: " + "; ".join(problems)
    if isinstance(
        exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
    ):
        return f"PostgreSQL refused the login: {exc}"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"PostgreSQL has no such database: {exc}"
    if isinstance(exc, asyncpg.PostgresError):
        return f"database error ({type(exc).__name__}): {exc}"
    if isinstance(exc, asyncpg.InterfaceError):
        return f"database connection problem: {exc}"
    if isinstance(exc, ConnectionError | TimeoutError):
        return f"cannot reach PostgreSQL: {exc or type(exc).__name__} (is DATABASE_URL right?)"
    if isinstance(exc, subprocess.CalledProcessError | subprocess.TimeoutExpired):
        return f"the embedded PostgreSQL did not start: {exc}"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    return f"unexpected {type(exc).__name__}: {exc} (TUSSENDEUR_DEBUG=1 shows the traceback)"


def report_error(message: str) -> None:
    err_console.print(f"[bold red]error:[/] [red]{escape(one_line(message))}[/]")


def fail(message: str) -> NoReturn:
    """Stop the command with one red line and a non-zero exit."""
    raise CommandError(message)


# Typer ≥ 0.24 carries its own copy of click (``typer.core._click``); older ones use click.
_click: Any = getattr(typer.core, "_click", None) or typer.core.click  # type: ignore[attr-defined]
# Exceptions that are the CLI framework's own signals (help, usage errors, exit codes).
_FRAMEWORK_SIGNALS: tuple[type[BaseException], ...] = (
    typer.Exit,
    typer.Abort,
    _click.exceptions.ClickException,
)


def _flags_show_no_value() -> None:
    """Typer 0.29's rich help prints every option's type, so a boolean flag reads as if it
    took a value (``--reset <bool>``, ``--help <bool>``); its plain help already leaves
    flags bare. Apply that rule to the rich help too, for every command at once."""
    option_class: Any = getattr(typer.core, "TyperOption", None)
    display_type_rich = getattr(option_class, "display_type_rich", None)
    if display_type_rich is None or getattr(display_type_rich, "flags_bare", False):
        return  # an older typer (click's help) or applied already

    def bare_flags(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_bool_flag", False):
            return None
        return display_type_rich(self, ctx)  # type: ignore[no-any-return]

    bare_flags.flags_bare = True  # type: ignore[attr-defined]
    option_class.display_type_rich = bare_flags


_flags_show_no_value()


class ErrorReportingGroup(TyperGroup):
    """The root group: any exception below it becomes one red line and exit 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _FRAMEWORK_SIGNALS:
            raise
        except KeyboardInterrupt:
            report_error("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:
            if os.environ.get("TUSSENDEUR_DEBUG"):
                raise
            report_error(describe_error(exc))
            raise typer.Exit(EXIT_FAILURE) from None


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one command's coroutine on a fresh event loop."""
    return asyncio.run(coro)


def redact_dsn(dsn: str) -> str:
    """A DSN fit to print: the password replaced by ``***``."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def database_label(settings: Settings) -> str:
    if settings.database_url:
        return redact_dsn(settings.database_url)
    return f"embedded PostgreSQL in {settings.data_dir}"


@asynccontextmanager
async def owner_dsn(settings: Settings) -> AsyncIterator[str]:
    """The owner DSN for the duration of a command (joining or starting the embedded server)."""
    dsn, server = await resolve_owner_dsn(settings)
    try:
        yield dsn
    finally:
        if server is not None:
            stop_embedded_postgres(server)


@asynccontextmanager
async def cli_runtime(settings: Settings, *, run_migrations: bool = True) -> AsyncIterator[Runtime]:
    """A whole runtime (migrated database, app-role pool) for a command that uses the services."""
    async with open_runtime(settings, run_migrations=run_migrations) as runtime:
        yield runtime
