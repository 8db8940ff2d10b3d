"""Onboarding people who work the exchange: partner HR users and consortium admins."""

from __future__ import annotations

import datetime as dt
import uuid

from exchange import validation
from exchange.audit import actions
from exchange.audit.service import record_caller_event
from exchange.partners import repository as partners_repository
from exchange.partners.exceptions import PartnerNotFound
from exchange.staff import repository
from exchange.staff.exceptions import EmailTaken
from exchange.staff.models import STAFF_ROLES, StaffUser
from infra.caller import Caller, CallerRole, Scope
from infra.db import Connection
from infra.errors import Collector


async def add_staff_user(
    conn: Connection,
    caller: Caller,
    *,
    email: str,
    display_name: str,
    role: CallerRole,
    partner_id: uuid.UUID | None = None,
    language: str = "nl",
) -> StaffUser:
    """Give someone a staff account; they sign in by emailed link (nothing is mailed here)."""
    caller.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
    errors = Collector()
    email = validation.check_email(errors, "input.email", email)
    if not display_name.strip() or len(display_name) > 120:
        errors.add("input.displayName", "INVALID", "must be 1-120 characters")
    if role not in STAFF_ROLES:
        errors.add("input.role", "INVALID_ROLE", "use PARTNER_HR or CONSORTIUM_ADMIN")
    if language not in ("nl", "en"):
        errors.add("input.language", "UNSUPPORTED_LANGUAGE", "use nl or en")
    if role is CallerRole.PARTNER_HR and partner_id is None:
        errors.add("input.partnerId", "REQUIRED", "partner HR users belong to a partner")
    if role is CallerRole.CONSORTIUM_ADMIN and partner_id is not None:
        errors.add("input.partnerId", "NOT_ALLOWED", "consortium admins belong to no partner")
    errors.raise_if_any()
    if partner_id is not None:
        partner = await partners_repository.get_partner(conn, partner_id=partner_id)
        if partner is None or partner.consortium_id != caller.consortium_id:
            raise PartnerNotFound(field="input.partnerId")
    staff = StaffUser(
        id=uuid.uuid4(),
        consortium_id=caller.consortium_id,
        partner_id=partner_id,
        role=role,
        email=email,
        display_name=display_name.strip(),
        language=language,
        created_at=dt.datetime.now(dt.UTC),
    )
    if not await repository.insert_staff_user(conn, staff=staff):
        raise EmailTaken()
    await record_caller_event(
        conn,
        caller,
        action=actions.STAFF_USER_ADDED,
        subject_kind="staff_user",
        subject_id=str(staff.id),
        details={"role": role.value},
    )
    return staff


async def list_staff_users(conn: Connection, caller: Caller) -> list[StaffUser]:
    caller.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
    return await repository.list_staff_users(conn, consortium_id=caller.consortium_id)
