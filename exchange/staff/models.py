from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from infra.caller import CallerRole

STAFF_ROLES = (CallerRole.PARTNER_HR, CallerRole.CONSORTIUM_ADMIN)


@dataclass(frozen=True, slots=True)
class StaffUser:
    """Someone who signs in by emailed link to work for a partner or the consortium."""

    id: UUID
    consortium_id: UUID
    partner_id: UUID | None
    role: CallerRole
    email: str
    display_name: str
    language: str
    created_at: dt.datetime
