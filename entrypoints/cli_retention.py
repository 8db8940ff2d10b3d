"""``tussendeur retention run``: all time-based consent work, safe for cron.

Idempotent: a second run at the same moment changes nothing. ``--now`` moves the
clock (for trying out what a later run would do, and for tests).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from entrypoints.cli_support import cli_runtime, console, run
from infra.settings import Settings, get_settings

app = typer.Typer(help="Consent retention: expiry, reminders, erasure.", no_args_is_help=True)


def _parse_now(value: str | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter("use an ISO 8601 moment, e.g. 2026-01-31T12:00:00+01:00") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@app.command("run")
def retention_run(
    now: Annotated[
        str | None, typer.Option("--now", help="Act as if it were this moment (ISO 8601).")
    ] = None,
) -> None:
    """Do all time-based consent work now (or at --now) and print the counts."""
    moment = _parse_now(now)
    get_settings.cache_clear()
    settings = get_settings()

    async def go(settings: Settings) -> str:
        from exchange.consent_flow.retention import run_retention_once

        async with cli_runtime(settings) as runtime:
            report = await run_retention_once(runtime.database, now=moment, settings=settings)
        if report is None:
            return "retention: another run is in progress; nothing done"
        return report.line()

    console.print(run(go(settings)))
