"""``tussendeur keys``: the platform's token-signing keys.

``keys list`` shows every key and whether it signs (ACTIVE), still verifies
(PUBLISHED: retired, within the grace period) or is done (EXPIRED).
``keys rotate`` retires the active key and makes a new one; running servers pick it
up within a minute, and tokens signed by the old key stay valid until they expire.
``keys rewrap`` re-seals every stored private key under the current key-encryption key
(``TUSSENDEUR_KEY_ENCRYPTION_KEY``), opening them with the previous one
(``TUSSENDEUR_KEY_ENCRYPTION_KEY_PREVIOUS``); after it, the previous KEK can be dropped.
"""

from __future__ import annotations

import typer
from rich.table import Table

from entrypoints.cli_support import cli_runtime, console, run
from exchange.audit.actions import KEY_ROTATED
from exchange.audit.service import record_system_event_everywhere
from exchange.identity.keys import list_keys, load_key_ring, rewrap_keys, rotate_keys
from exchange.identity.models import KeyInfo
from infra.db import Database
from infra.scope import AccessScope
from infra.settings import get_settings

app = typer.Typer(help="Platform signing keys for access tokens (list, rotate, rewrap).")


async def rotate_and_audit(database: Database) -> KeyInfo:
    """Rotate, and record ``auth.key_rotated`` in every consortium's audit trail."""
    await load_key_ring(database)  # a first key exists before there is one to retire
    key = await rotate_keys(database)
    async with database.transaction(AccessScope.system()) as conn:
        await record_system_event_everywhere(
            conn, job="cli.keys", action=KEY_ROTATED, details={"kid": key.kid}
        )
    return key


def _table(keys: list[KeyInfo]) -> Table:
    table = Table("kid", "alg", "status", "created", "retired")
    for key in keys:
        table.add_row(
            key.kid,
            key.alg,
            key.status,
            key.created_at.isoformat(timespec="seconds"),
            key.retired_at.isoformat(timespec="seconds") if key.retired_at else "",
        )
    return table


@app.command("list")
def keys_list() -> None:
    """List the signing keys, newest first."""

    async def go() -> list[KeyInfo]:
        async with cli_runtime(get_settings()) as runtime:
            return await list_keys(runtime.database)

    keys = run(go())
    if not keys:
        console.print("No signing key yet: one is made when the service first issues a token.")
        return
    console.print(_table(keys))


@app.command("rotate")
def keys_rotate() -> None:
    """Retire the active signing key and make a new one."""

    async def go() -> KeyInfo:
        async with cli_runtime(get_settings()) as runtime:
            return await rotate_and_audit(runtime.database)

    key = run(go())
    console.print(f"New active signing key: [bold]{key.kid}[/] ({key.alg})")
    console.print("The previous key stays published for verification for 24 hours.")


@app.command("rewrap")
def keys_rewrap() -> None:
    """Re-seal every private key under the current key-encryption key."""

    async def go() -> list[str]:
        async with cli_runtime(get_settings()) as runtime:
            return await rewrap_keys(runtime.database)

    moved = run(go())
    if not moved:
        console.print("Every private key is sealed under the current key-encryption key already.")
        return
    console.print(f"Re-sealed {len(moved)} private key(s) under the current key-encryption key.")
    console.print("TUSSENDEUR_KEY_ENCRYPTION_KEY_PREVIOUS can now be removed.")
