"""``tussendeur partner | client | audit | stats``: the consortium operator's commands.

Registered by ``entrypoints.cli`` (``register(app)``). Each command opens the runtime (the
configured or embedded PostgreSQL, migrated), calls one function of
:mod:`entrypoints.cli_admin_ops` and prints the result; failures are one red line and exit 1
(the root group's error handling).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from entrypoints import cli_admin_ops as ops
from entrypoints.cli_support import cli_runtime, console, fail, run
from exchange.admin.models import SuspensionReason
from exchange.audit.models import AuditFilter
from infra.caller import CallerRole
from infra.db import Database
from infra.settings import get_settings

T = TypeVar("T")

partner_app = typer.Typer(help="Partners of a consortium.", no_args_is_help=True)
client_app = typer.Typer(help="API clients (OAuth client credentials).", no_args_is_help=True)
staff_app = typer.Typer(
    help="Staff accounts: consortium admins and partner HR users.", no_args_is_help=True
)
audit_app = typer.Typer(help="The audit trail: verify, checkpoint, export.", no_args_is_help=True)

Consortium = Annotated[
    str | None, typer.Option("--consortium", help="Consortium slug (optional when only one).")
]


def _with_database(action: Callable[[Database], Awaitable[T]]) -> T:
    get_settings.cache_clear()  # the environment as it is now

    async def go() -> T:
        async with cli_runtime(get_settings()) as runtime:
            return await action(runtime.database)

    return run(go())


# ---------------------------------------------------------------- partners


@partner_app.command("create")
def partner_create(
    consortium: Annotated[str, typer.Option("--consortium", help="Consortium slug.")],
    name: Annotated[str, typer.Option(help="The partner's name.")],
    slug: Annotated[str | None, typer.Option(help="Short id; derived from the name.")] = None,
    city: Annotated[str | None, typer.Option(help="City.")] = None,
    create_consortium: Annotated[
        bool, typer.Option("--create-consortium", help="Set the consortium up if it is new.")
    ] = False,
    consortium_name: Annotated[
        str | None, typer.Option(help="Name of a consortium set up now (default: its slug).")
    ] = None,
) -> None:
    """Register a partner in a consortium (audited as partner.registered)."""
    made, partner, created = _with_database(
        lambda db: ops.create_partner(
            db, consortium_slug=consortium, name=name, slug=slug, city=city,
            create_missing_consortium=create_consortium, consortium_name=consortium_name,
        )
    )  # fmt: skip
    if created:
        console.print(f"Consortium [bold]{made.slug}[/] created ({made.id}).")
    console.print(f"Partner [bold]{partner.slug}[/] registered in {made.slug}: {partner.id}")


@partner_app.command("list")
def partner_list(consortium: Consortium = None) -> None:
    """List the partners of a consortium."""
    partners = _with_database(lambda db: ops.list_partners(db, consortium_slug=consortium))
    table = Table("slug", "name", "city", "status", "id")
    for p in partners:
        table.add_row(p.slug, p.name, p.city or "", p.status.value, str(p.id))
    console.print(table)


@partner_app.command("suspend")
def partner_suspend(
    partner: Annotated[str, typer.Argument(help="The partner's slug.")],
    consortium: Consortium = None,
    reason: Annotated[SuspensionReason, typer.Option(help="Why.")] = SuspensionReason.OTHER,
) -> None:
    """Take a partner out of the exchange (tokens, profiles, vacancies, open introductions)."""
    suspended, effect = _with_database(
        lambda db: ops.set_suspended(
            db, consortium_slug=consortium, partner_slug=partner, suspended=True, reason=reason
        )
    )
    assert effect is not None
    console.print(
        f"Partner [bold]{suspended.slug}[/] suspended: {effect.active_profiles} shared profiles "
        f"and {effect.open_vacancies} open vacancies left the exchange, "
        f"{effect.introductions_withdrawn} open introductions withdrawn."
    )


@partner_app.command("reinstate")
def partner_reinstate(
    partner: Annotated[str, typer.Argument(help="The partner's slug.")],
    consortium: Consortium = None,
) -> None:
    """Bring a suspended partner back into the exchange."""
    reinstated, _ = _with_database(
        lambda db: ops.set_suspended(
            db, consortium_slug=consortium, partner_slug=partner, suspended=False
        )
    )
    console.print(f"Partner [bold]{reinstated.slug}[/] is active again.")


# ---------------------------------------------------------------- API clients


@client_app.command("create")
def client_create(
    partner: Annotated[
        str | None, typer.Argument(help="The partner's slug; omit for a consortium client.")
    ] = None,
    consortium: Consortium = None,
    scopes: Annotated[
        str | None, typer.Option(help="Comma-separated scopes (default: all of its kind).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A label for the client.")] = None,
) -> None:
    """Create an API client and print its id and secret (shown this once only)."""
    wanted = [s.strip() for s in scopes.split(",") if s.strip()] if scopes is not None else None
    created = _with_database(
        lambda db: ops.create_client(
            db, consortium_slug=consortium, partner_slug=partner, scopes=wanted, name=name
        )
    )
    console.print(f"client_id:     [bold]{created.client.client_id}[/]")
    console.print(f"client_secret: [bold]{created.client_secret}[/]")
    console.print(f"scopes:        {' '.join(created.client.scopes)}")
    console.print("[yellow]Store the secret now: it is not shown again.[/]")


@client_app.command("revoke")
def client_revoke(client_id: Annotated[str, typer.Argument(help="The client's id.")]) -> None:
    """Revoke an API client: its tokens stop working at their next request."""
    revoked = _with_database(lambda db: ops.revoke_client(db, client_id=client_id))
    console.print(f"API client [bold]{revoked.client_id}[/] revoked.")


# ---------------------------------------------------------------- audit


@audit_app.command("verify")
def audit_verify(
    consortium: Annotated[
        str | None, typer.Option("--consortium", help="Consortium slug (default: all).")
    ] = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint", help="Checkpoints kept outside (the JSON of /audit/checkpoints)."
        ),
    ] = None,
) -> None:
    """Recompute every hash chain; exit 1 naming the first broken link."""
    reports = _with_database(
        lambda db: ops.verify(db, consortium_slug=consortium, checkpoint_file=checkpoint)
    )
    table = Table("consortium", "events", "result", "first broken", "kind", "checkpoints", "time")
    for made, r in reports:
        table.add_row(
            made.slug, f"{r.events_checked:,}",
            "[green]intact[/]" if r.intact else "[red]BROKEN[/]",
            str(r.first_broken_seq or ""), r.break_kind.value if r.break_kind else "",
            str(r.checkpoints_checked), f"{r.elapsed:.2f} s",
        )  # fmt: skip
    console.print(table)
    broken = [(made, r) for made, r in reports if not r.intact]
    for made, r in reports:
        if r.intact and "ignored" in r.message:
            console.print(f"[yellow]{made.slug}: {r.message}[/]")
    if broken:
        made, r = broken[0]
        fail(f"audit trail of {made.slug} broken at event {r.first_broken_seq}: {r.message}")


@audit_app.command("checkpoint")
def audit_checkpoint(
    consortium: Annotated[
        str | None, typer.Option("--consortium", help="Consortium slug (default: all).")
    ] = None,
) -> None:
    """Verify, then sign each chain's head with the platform key (see /audit/checkpoints)."""
    results = _with_database(lambda db: ops.checkpoint(db, consortium_slug=consortium))
    for made, cp in results:
        if cp is None:
            console.print(f"{made.slug}: no events yet, nothing to sign")
        else:
            console.print(f"{made.slug}: event {cp.seq} signed, head {cp.head_hash[:16]}…")


@audit_app.command("export")
def audit_export(
    consortium: Consortium = None,
    partner: Annotated[str | None, typer.Option(help="A partner's id.")] = None,
    action: Annotated[str | None, typer.Option(help="An action or prefix (intro.*).")] = None,
    subject: Annotated[str | None, typer.Option(help="A subject's id.")] = None,
    from_: Annotated[dt.datetime | None, typer.Option("--from", help="From (UTC).")] = None,
    to: Annotated[dt.datetime | None, typer.Option("--to", help="To, exclusive (UTC).")] = None,
    output: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
) -> None:
    """Export matching audit events as CSV, oldest first."""
    import uuid

    def utc(value: dt.datetime | None) -> dt.datetime | None:
        return value.replace(tzinfo=dt.UTC) if value and value.tzinfo is None else value

    try:
        partner_id = uuid.UUID(partner) if partner else None
    except ValueError:
        fail("--partner: not a valid id")
    audit_filter = AuditFilter(partner_id, action, subject, utc(from_), utc(to))
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        written = _with_database(
            lambda db: ops.export_csv(
                db, out, consortium_slug=consortium, audit_filter=audit_filter
            )
        )
    finally:
        if output:
            out.close()
    if output:
        console.print(f"{written} events written to {output}")


# ---------------------------------------------------------------- statistics


def stats(
    consortium: Consortium = None,
    from_: Annotated[dt.datetime | None, typer.Option("--from", help="First day.")] = None,
    to: Annotated[dt.datetime | None, typer.Option("--to", help="Last day (included).")] = None,
) -> None:
    """Exchange statistics as tables (default: the last 365 days)."""
    made, figures = _with_database(
        lambda db: ops.statistics(
            db, consortium_slug=consortium,
            first_day=from_.date() if from_ else None, last_day=to.date() if to else None,
        )
    )  # fmt: skip
    from entrypoints.cli_stats import print_statistics

    print_statistics(console, made.slug, figures)


@staff_app.command("add")
def staff_add(
    email: Annotated[str, typer.Option(help="Their e-mail address: where sign-in links go.")],
    name: Annotated[str, typer.Option(help="Their name as colleagues see it.")],
    role: Annotated[
        str, typer.Option(help="consortium_admin, or partner_hr (needs --partner).")
    ] = "consortium_admin",
    partner: Annotated[str | None, typer.Option(help="The partner's slug (partner_hr).")] = None,
    language: Annotated[str, typer.Option(help="nl or en.")] = "nl",
    consortium: Consortium = None,
) -> None:
    """Give someone a staff account; they sign in with a link mailed to them."""
    try:
        caller_role = CallerRole(role)
    except ValueError:
        fail("--role must be consortium_admin or partner_hr")
    found, staff = _with_database(
        lambda database: ops.add_staff_user(
            database,
            consortium_slug=consortium,
            email=email,
            display_name=name,
            role=caller_role,
            partner_slug=partner,
            language=language,
        )
    )
    console.print(
        f"[green]added[/] {staff.display_name} <{staff.email}> as {staff.role.value} "
        f"in {found.slug}; they sign in by requesting a link at /auth/sign-in"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(staff_app, name="staff")
    app.add_typer(partner_app, name="partner")
    app.add_typer(client_app, name="client")
    app.add_typer(audit_app, name="audit")
    app.command("stats")(stats)


__all__ = ["audit_app", "client_app", "partner_app", "register", "staff_app"]
