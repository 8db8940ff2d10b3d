"""``exchangeStatistics``: what flowed through the exchange in a period, for consortium admins."""

from __future__ import annotations

import datetime as dt

from exchange.statistics import repository
from exchange.statistics.models import ExchangeStatistics, Period
from infra.caller import Caller, CallerRole, Scope
from infra.db import Connection
from infra.errors import Collector

DEFAULT_DAYS = 365
MAX_DAYS = 366 * 5


def period(
    first_day: dt.date | None, last_day: dt.date | None, *, today: dt.date | None = None
) -> Period:
    """The period asked for: by default the last 365 days up to and including today."""
    today = today or dt.datetime.now(dt.UTC).date()
    last = last_day or today
    first = first_day or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    errors = Collector()
    if first > last:
        errors.add("from", "OUT_OF_RANGE", "must not be after 'to'")
    elif (last - first).days >= MAX_DAYS:
        errors.add("to", "OUT_OF_RANGE", "a period spans at most five years")
    errors.raise_if_any()
    return Period(first, last)


async def exchange_statistics(
    conn: Connection,
    caller: Caller,
    *,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    today: dt.date | None = None,
) -> ExchangeStatistics:
    """All figures of the caller's consortium for the period (consortium admin, ``audit:read``)."""
    caller.require(CallerRole.CONSORTIUM_ADMIN, Scope.AUDIT_READ)
    today = today or dt.datetime.now(dt.UTC).date()
    span = period(first_day, last_day, today=today)
    cid = caller.consortium_id
    return ExchangeStatistics(
        period=span,
        partners=await repository.partner_activity(conn, consortium_id=cid, period=span),
        flows=await repository.flows(conn, consortium_id=cid, period=span),
        placements=await repository.placement_summary(
            conn, consortium_id=cid, period=span, today=today
        ),
        consent_funnel=await repository.consent_funnel(conn, consortium_id=cid, period=span),
        vacancies=await repository.vacancy_activity(conn, consortium_id=cid, period=span),
    )
