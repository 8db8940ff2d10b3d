"""The ``tussendeur`` command: serve, database, schema, demo, and the other areas' sub-apps.

The web app, the GraphQL schema and the demo are imported inside their commands, so
``--help`` and the database commands do not load them. Every failure below the root
group becomes one red line and exit 1 (:class:`entrypoints.cli_support.ErrorReportingGroup`).
"""

from __future__ import annotations

import math
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from entrypoints import cli_admin, cli_keys, cli_matching, cli_retention
from entrypoints.cli_support import (
    ErrorReportingGroup,
    cli_runtime,
    console,
    database_label,
    fail,
    owner_dsn,
    run,
)
from infra.settings import Settings, get_settings

app = typer.Typer(
    name="tussendeur",
    cls=ErrorReportingGroup,
    help="Tussendeur: a talent exchange for cooperating contact centers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
db_app = typer.Typer(help="The database: migrations and their status.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(schema_app, name="schema")


def _settings() -> Settings:
    get_settings.cache_clear()  # read the environment as it is now (tests change it)
    return get_settings()


# ---------------------------------------------------------------- serve


class _StartupFailure:
    """Wraps the ASGI app so a failing lifespan start is reported as one line.

    Starlette reports a startup failure with the whole traceback as the message;
    this keeps the exception for the CLI's error line and sends no message.
    """

    def __init__(self, asgi_app: Any) -> None:
        self.app = asgi_app
        self.error: BaseException | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def quiet_send(message: Any) -> None:
            if message["type"] in ("lifespan.startup.failed", "lifespan.shutdown.failed"):
                self.error = sys.exc_info()[1] or self.error
                message = {"type": message["type"], "message": ""}
            await send(message)

        try:
            await self.app(scope, receive, quiet_send)
        except Exception as exc:
            self.error = self.error or exc
            raise


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - display only
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _grace(settings: Settings) -> int:
    """uvicorn's drain period: whole seconds (at least one) for the running requests."""
    return max(1, math.ceil(settings.shutdown_grace_seconds))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    reload: Annotated[
        bool, typer.Option(help="Restart on code changes (development only).")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes sharing the port, each with its own match index "
            "(memory per worker: see the README).",
        ),
    ] = 1,
) -> None:
    """Run the web service: GraphQL at /graphql, OAuth at /oauth/token, /healthz, /readyz.

    Without DATABASE_URL it starts an embedded PostgreSQL under TUSSENDEUR_DATA_DIR
    (or joins the one already running there). On SIGTERM it stops taking requests, lets
    the running ones finish for TUSSENDEUR_SHUTDOWN_GRACE_SECONDS, cancels the rest and exits.
    With --workers N, N processes answer on the port; this one starts the embedded
    PostgreSQL (when used) once for all of them and stops it after the last one.
    """
    import uvicorn

    settings = _settings()
    base = f"http://{_display_host(host)}:{port}"
    console.print(f"[bold]Tussendeur[/] starting on {database_label(settings)}")
    console.print(f"GraphQL: [bold cyan]{base}/graphql[/]   health: {base}/healthz")
    if reload and workers > 1:
        fail("--reload runs one process; leave out --workers")
    if reload:
        uvicorn.run(
            "entrypoints.app:create_app",
            factory=True,
            host=host,
            port=port,
            reload=True,
            timeout_graceful_shutdown=_grace(settings),
        )
        return
    if workers > 1:
        _serve_workers(settings, host=host, port=port, workers=workers)
        return
    from entrypoints.app import create_app

    guarded = _StartupFailure(create_app(settings))
    try:
        uvicorn.run(
            guarded,
            host=host,
            port=port,
            lifespan="on",
            server_header=False,
            timeout_graceful_shutdown=_grace(settings),
        )
    except SystemExit as exit_:
        if guarded.error is not None:
            raise guarded.error from None
        if exit_.code:
            fail(f"the server stopped (exit {exit_.code}); is port {port} free?")


def _serve_workers(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """uvicorn's supervisor with ``workers`` processes, each running ``create_app``.

    Each worker is a fresh interpreter (uvicorn spawns them) that reads the same
    environment; only the embedded PostgreSQL is started here, once, and handed to the
    workers as DATABASE_URL, so that no worker stops it while the others still use it.
    """
    import os

    import uvicorn

    from infra.runtime import resolve_owner_dsn

    dsn, server = run(resolve_owner_dsn(settings))
    if server is not None:
        os.environ["DATABASE_URL"] = dsn
    try:
        uvicorn.run(
            "entrypoints.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            lifespan="on",
            server_header=False,
            timeout_graceful_shutdown=_grace(settings),
        )
    except SystemExit as exit_:
        if exit_.code:
            fail(f"the server stopped (exit {exit_.code}); is port {port} free?")
    finally:
        if server is not None:
            from infra.embedded import stop_embedded_postgres

            stop_embedded_postgres(server)


# ---------------------------------------------------------------- db


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations under an advisory lock (safe while other replicas start)."""
    from infra.migrate import migrate

    settings = _settings()
    password = settings.app_db_password.get_secret_value() if settings.app_db_password else None

    async def go() -> list[str]:
        async with owner_dsn(settings) as dsn:
            return await migrate(dsn, app_role=settings.app_db_role, app_password=password)

    applied = run(go())
    for name in applied:
        console.print(f"[green]applied[/] {name}")
    if not applied:
        console.print(f"Database is current ({database_label(settings)}).")


@db_app.command("status")
def db_status(
    check: Annotated[
        bool, typer.Option("--check", help="Exit with 1 when migrations are pending.")
    ] = False,
) -> None:
    """List migrations: applied (with time) and pending."""
    import asyncpg

    from infra.migrate import applied_migrations, migration_status

    settings = _settings()

    async def go() -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
        async with owner_dsn(settings) as dsn:
            conn = await asyncpg.connect(dsn)
            try:
                status = await migration_status(conn)
                done = await applied_migrations(conn) if status.applied else []
            finally:
                await conn.close()
        applied = [(m.version, m.name, f"{m.applied_at:%Y-%m-%d %H:%M:%S %Z}") for m in done]
        return applied, [(m.version, m.name) for m in status.pending]

    applied, pending = run(go())
    table = Table(title=f"Migrations — {database_label(settings)}")
    table.add_column("version", justify="right")
    table.add_column("name")
    table.add_column("state")
    for version, name, applied_at in applied:
        table.add_row(f"{version:04d}", name, f"[green]applied[/] {applied_at}")
    for version, name in pending:
        table.add_row(f"{version:04d}", name, "[yellow]pending[/]")
    console.print(table)
    if pending and check:
        fail(f"{len(pending)} migration(s) pending: run `tussendeur db migrate`")


# ---------------------------------------------------------------- schema


@schema_app.command("export")
def schema_export() -> None:
    """Print the GraphQL schema (SDL) on stdout. Needs no database."""
    from schema.root import build_schema

    sdl = build_schema(_settings()).as_str()
    sys.stdout.write(sdl.rstrip("\n") + "\n")


# ---------------------------------------------------------------- demo


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Seed for every random choice.")] = 42,
    profiles: Annotated[int, typer.Option(help="Shared profiles to create.", min=0)] = 2000,
    vacancies: Annotated[int, typer.Option(help="Vacancies to post.", min=0)] = 40,
    reset: Annotated[
        bool, typer.Option("--reset", help="Delete an earlier demo consortium first.")
    ] = False,
    env_file: Annotated[
        str | None,
        typer.Option(help="Also write the tour's shell variables to this file (mode 600)."),
    ] = None,
) -> None:
    """Seed the fictional consortium Zuid-Limburg and print how to act as each role."""
    from demo.progress import StepProgress, progress_bar
    from demo.report import DemoReport, print_report
    from demo.seed import DemoOptions, seed_demo

    settings = _settings()
    options = DemoOptions(seed=seed, profiles=profiles, vacancies=vacancies, reset=reset)

    async def go(progress: StepProgress) -> DemoReport:
        async with cli_runtime(settings) as runtime:
            return await seed_demo(runtime, options, progress)

    with progress_bar(console) as progress:
        report = run(go(progress))
    print_report(report, settings, console, env_file=env_file)


# ---------------------------------------------------------------- the other areas' sub-apps

app.add_typer(cli_keys.app, name="keys")
cli_admin.register(app)  # partner, client, audit, stats
app.add_typer(cli_matching.competency_app, name="competency")
app.add_typer(cli_matching.taxonomy_app, name="taxonomy")
app.add_typer(cli_retention.app, name="retention")
