"""Every oversight use case refuses partner and candidate callers before touching anything."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from exchange.admin import service as admin
from exchange.audit import oversight
from exchange.audit.models import AuditFilter
from exchange.statistics.service import exchange_statistics
from infra.caller import PARTNER_SCOPES, Caller
from infra.errors import Forbidden

ANY_ID = uuid.uuid4()


class _Unused:
    """Stands in for the connection and signer: a refused call must never reach them."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a forbidden call used {name}")


NOTHING: Any = _Unused()

USE_CASES: dict[str, Callable[[Caller], Awaitable[object]]] = {
    "registerPartner": lambda c: admin.register_partner(NOTHING, c, name="X"),
    "createApiClient": lambda c: admin.create_api_client(NOTHING, c, partner_id=None),
    "apiClients": lambda c: admin.list_api_clients(NOTHING, c),
    "revokeApiClient": lambda c: admin.revoke_api_client(NOTHING, c, client_id="tdc_x"),
    "suspendPartner": lambda c: admin.suspend_partner(NOTHING, c, partner_id=ANY_ID),
    "reinstatePartner": lambda c: admin.reinstate_partner(NOTHING, c, partner_id=ANY_ID),
    "auditEvents": lambda c: oversight.search_events(NOTHING, c, AuditFilter(), limit=5),
    "verifyAuditTrail": lambda c: oversight.verify_trail(NOTHING, c, NOTHING),
    "exchangeStatistics": lambda c: exchange_statistics(NOTHING, c),
}

CALLERS = {
    "partner": Caller.api_client(
        ANY_ID, "tdc_partner", partner_id=uuid.uuid4(),
        scopes=frozenset(s.value for s in PARTNER_SCOPES) | {"admin", "audit:read"},
    ),
    "candidate": Caller.person(ANY_ID, uuid.uuid4()),
}  # fmt: skip


@pytest.mark.parametrize("use_case", sorted(USE_CASES))
@pytest.mark.parametrize("who", sorted(CALLERS))
async def test_forbidden_for_everyone_but_consortium_admins(use_case: str, who: str) -> None:
    with pytest.raises(Forbidden):
        await USE_CASES[use_case](CALLERS[who])


async def test_csv_export_is_forbidden_too() -> None:
    for caller in CALLERS.values():
        with pytest.raises(Forbidden):
            await anext(oversight.export_events(NOTHING, caller, AuditFilter()))
