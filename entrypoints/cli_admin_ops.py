"""What the admin commands do, as functions of a :class:`Database` (testable without a shell).

The CLI is the consortium's operator: it acts as a consortium admin of the consortium a
command names (audit actor ``cli``), or as the system for work across consortia.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO
from uuid import UUID

from exchange.admin import service as admin_service
from exchange.admin.models import ApiClientInfo, NewApiClient, SuspensionEffect, SuspensionReason
from exchange.audit import actions, oversight
from exchange.audit.checkpoints import (
    InvalidCheckpoint,
    PublishedCheckpoint,
    claims_from_published,
    create_checkpoint,
    parse_published,
)
from exchange.audit.models import AuditFilter, Checkpoint, CheckpointClaim, VerificationReport
from exchange.audit.service import record_system_event
from exchange.audit.signing import CheckpointKeys, kept_key_verifier, load_checkpoint_keys
from exchange.identity.clients import find_api_client
from exchange.partners import repository as partners_repository
from exchange.partners.models import Consortium, Partner
from exchange.partners.service import create_consortium
from exchange.staff import service as staff_service
from exchange.staff.models import StaffUser
from exchange.statistics.models import ExchangeStatistics
from exchange.statistics.service import exchange_statistics
from infra.caller import Caller, CallerRole
from infra.db import Database
from infra.errors import TussendeurError
from infra.scope import AccessScope

OPERATOR = "cli"


class OperationError(TussendeurError):
    """A command cannot do what was asked; shown as one line."""


def operator(consortium_id: UUID) -> Caller:
    """The CLI acting as an admin of one consortium."""
    return Caller.system(consortium_id, actor=OPERATOR)


async def consortium_by_slug(database: Database, slug: str | None) -> Consortium:
    """The named consortium, or the only one when there is exactly one."""
    async with database.transaction(AccessScope.system()) as conn:
        if slug is not None:
            found = await partners_repository.get_consortium_by_slug(conn, slug=slug)
            if found is None:
                raise OperationError(f"no consortium '{slug}'")
            return found
        consortia = await partners_repository.list_consortia(conn, limit=2)
    if len(consortia) != 1:
        hint = "none exists yet" if not consortia else "there are several"
        raise OperationError(f"name the consortium with --consortium ({hint})")
    return consortia[0]


async def create_partner(
    database: Database,
    *,
    consortium_slug: str,
    name: str,
    slug: str | None = None,
    city: str | None = None,
    create_missing_consortium: bool = False,
    consortium_name: str | None = None,
) -> tuple[Consortium, Partner, bool]:
    """Register a partner (and its consortium first, when asked); True when one was created."""
    created = False
    async with database.transaction(AccessScope.system()) as conn:
        consortium = await partners_repository.get_consortium_by_slug(conn, slug=consortium_slug)
        if consortium is None:
            if not create_missing_consortium:
                raise OperationError(
                    f"no consortium '{consortium_slug}' (add --create-consortium to set it up)"
                )
            consortium = await create_consortium(
                conn, slug=consortium_slug, name=consortium_name or consortium_slug
            )
            await record_system_event(
                conn, consortium_id=consortium.id, job=OPERATOR, action=actions.CONSORTIUM_CREATED,
                subject_kind="consortium", subject_id=str(consortium.id),
                details={"slug": consortium.slug},
            )  # fmt: skip
            created = True
    admin = operator(consortium.id)
    async with database.transaction(admin.access_scope()) as conn:
        partner = await admin_service.register_partner(conn, admin, name=name, slug=slug, city=city)
    return consortium, partner, created


async def _partner(database: Database, consortium: Consortium, slug: str) -> Partner:
    async with database.transaction(AccessScope.system()) as conn:
        partner = await partners_repository.get_partner_by_slug(
            conn, consortium_id=consortium.id, slug=slug
        )
    if partner is None:
        raise OperationError(f"no partner '{slug}' in consortium '{consortium.slug}'")
    return partner


async def list_partners(database: Database, *, consortium_slug: str | None) -> list[Partner]:
    consortium = await consortium_by_slug(database, consortium_slug)
    async with database.transaction(AccessScope.system()) as conn:
        return await partners_repository.list_partners(conn, consortium_id=consortium.id)


async def set_suspended(
    database: Database,
    *,
    consortium_slug: str | None,
    partner_slug: str,
    suspended: bool,
    reason: SuspensionReason = SuspensionReason.OTHER,
) -> tuple[Partner, SuspensionEffect | None]:
    consortium = await consortium_by_slug(database, consortium_slug)
    partner = await _partner(database, consortium, partner_slug)
    admin = operator(consortium.id)
    async with database.transaction(admin.access_scope()) as conn:
        if suspended:
            return await admin_service.suspend_partner(
                conn, admin, partner_id=partner.id, reason=reason
            )
        return await admin_service.reinstate_partner(conn, admin, partner_id=partner.id), None


async def create_client(
    database: Database,
    *,
    consortium_slug: str | None,
    partner_slug: str | None,
    scopes: Sequence[str] | None = None,
    name: str | None = None,
) -> NewApiClient:
    """A partner's API client (``partner_slug``), or the consortium's own (admin scopes)."""
    consortium = await consortium_by_slug(database, consortium_slug)
    partner = await _partner(database, consortium, partner_slug) if partner_slug else None
    admin = operator(consortium.id)
    async with database.transaction(admin.access_scope()) as conn:
        return await admin_service.create_api_client(
            conn, admin, partner_id=partner.id if partner else None, name=name, scopes=scopes
        )


async def revoke_client(database: Database, *, client_id: str) -> ApiClientInfo:
    found = await find_api_client(database, client_id)
    if found is None:
        raise OperationError(f"no API client '{client_id}'")
    admin = operator(found.consortium_id)
    async with database.transaction(admin.access_scope()) as conn:
        return await admin_service.revoke_api_client(conn, admin, client_id=client_id)


# ---------------------------------------------------------------- the audit trail


async def checkpoint(database: Database, *, consortium_slug: str | None) -> list[
    tuple[Consortium, Checkpoint | None]
]:  # fmt: skip
    """Verify and sign the head of each consortium's chain (or the named one's)."""
    keys = await load_checkpoint_keys(database)
    consortia = await _consortia(database, consortium_slug)
    results = []
    for consortium in consortia:
        async with database.transaction(AccessScope.system()) as conn:
            results.append(
                (consortium, await create_checkpoint(conn, keys, consortium_id=consortium.id))
            )
    return results


async def _consortia(database: Database, slug: str | None) -> list[Consortium]:
    if slug is not None:
        return [await consortium_by_slug(database, slug)]
    async with database.transaction(AccessScope.system()) as conn:
        return await partners_repository.list_consortia(conn)


def kept_claims(path: Path, keys: CheckpointKeys) -> list[CheckpointClaim]:
    """The checkpoints of a kept file, each verified with the key kept beside it (else the
    platform's keys)."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise OperationError(f"cannot read {path}: {exc.strerror or exc}") from exc

    def signer_for(entry: PublishedCheckpoint) -> CheckpointKeys:
        if entry.jwk is None:
            return keys
        try:
            return kept_key_verifier(entry.jwk)
        except Exception as exc:
            raise InvalidCheckpoint(f"the key kept with a checkpoint is not usable: {exc}") from exc

    try:
        return claims_from_published(parse_published(text), signer_for, source=str(path))
    except InvalidCheckpoint as exc:
        raise OperationError(f"{path}: {exc}") from exc


async def verify(
    database: Database, *, consortium_slug: str | None, checkpoint_file: Path | None = None
) -> list[tuple[Consortium, VerificationReport]]:
    keys = await load_checkpoint_keys(database, signing=False)
    kept = kept_claims(checkpoint_file, keys) if checkpoint_file else []
    consortia = await _consortia(database, consortium_slug)
    known = {c.id for c in consortia}
    if (
        checkpoint_file
        and consortium_slug is None
        and not any(c.consortium_id in known for c in kept)
    ):
        raise OperationError(f"{checkpoint_file}: no checkpoint of a consortium in this database")
    reports = []
    for consortium in consortia:
        async with database.transaction(AccessScope.system()) as conn:
            reports.append(
                (
                    consortium,
                    await oversight.verify_consortium(conn, consortium.id, keys, kept=kept),
                )
            )
    return reports


async def export_csv(
    database: Database, out: TextIO, *, consortium_slug: str | None, audit_filter: AuditFilter
) -> int:
    consortium = await consortium_by_slug(database, consortium_slug)
    admin = operator(consortium.id)
    written = 0
    out.write(oversight.csv_text([], header=True))
    async with database.transaction(admin.access_scope()) as conn:
        async for batch in oversight.export_events(conn, admin, audit_filter):
            out.write(oversight.csv_text(batch))
            written += len(batch)
    return written


async def statistics(
    database: Database,
    *,
    consortium_slug: str | None,
    first_day: dt.date | None,
    last_day: dt.date | None,
) -> tuple[Consortium, ExchangeStatistics]:
    consortium = await consortium_by_slug(database, consortium_slug)
    admin = operator(consortium.id)
    async with database.transaction(admin.access_scope()) as conn:
        return consortium, await exchange_statistics(
            conn, admin, first_day=first_day, last_day=last_day
        )


async def add_staff_user(
    database: Database,
    *,
    consortium_slug: str | None,
    email: str,
    display_name: str,
    role: CallerRole,
    partner_slug: str | None = None,
    language: str = "nl",
) -> tuple[Consortium, StaffUser]:
    """Give someone a staff account in a consortium (its first admin, or a partner's HR user)."""
    consortium = await consortium_by_slug(database, consortium_slug)
    caller = operator(consortium.id)
    async with database.transaction(caller.access_scope()) as conn:
        partner_id = None
        if partner_slug is not None:
            partner = await partners_repository.get_partner_by_slug(
                conn, consortium_id=consortium.id, slug=partner_slug
            )
            if partner is None:
                raise OperationError(f"no partner '{partner_slug}' in '{consortium.slug}'")
            partner_id = partner.id
        staff = await staff_service.add_staff_user(
            conn,
            caller,
            email=email,
            display_name=display_name,
            role=role,
            partner_id=partner_id,
            language=language,
        )
    return consortium, staff
