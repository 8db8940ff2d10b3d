"""The statistics as charts and tables show them: small counts suppressed in the domain.

A count from 1 to 4 could point at a person when a partner reads it ("the one agent we
lost to B"), so every count here is a :class:`Count` that renders as ``<5``; a zero stays
a zero (nobody to point at). Figures derived from suppressed counts (a balance, a rate, a
median) are left out too, rather than computed from hidden numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from exchange.statistics import repository
from exchange.statistics.models import ExchangeStatistics, Period, Retention
from exchange.statistics.service import exchange_statistics
from infra.caller import Caller
from infra.db import Connection

SMALLEST_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Count:
    """A count as published: ``str()`` is ``<5`` for 1-4, the number otherwise."""

    value: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.value < SMALLEST_SHOWN

    @property
    def shown(self) -> int | None:
        """The number, or ``None`` where it must not be shown (charts draw no bar)."""
        return None if self.suppressed else self.value

    def __str__(self) -> str:
        return f"<{SMALLEST_SHOWN}" if self.suppressed else str(self.value)


@dataclass(frozen=True, slots=True)
class FunnelStep:
    key: str  # shared, consented, matched, introduced, accepted, placed
    count: Count


@dataclass(frozen=True, slots=True)
class PartnerBalance:
    """Reciprocity: profiles it shared, people it hired (received), its people placed
    elsewhere (placed); the balance placed − received when both may be shown."""

    partner_id: UUID
    name: str
    shared: Count
    received: Count
    placed: Count

    @property
    def balance(self) -> int | None:
        if self.received.suppressed or self.placed.suppressed:
            return None
        return self.placed.value - self.received.value


@dataclass(frozen=True, slots=True)
class FlowCell:
    shared: Count
    introduced: Count
    placed: Count


@dataclass(frozen=True, slots=True)
class FlowMatrix:
    """Rows: the partner whose people moved; columns: the partner they moved to."""

    partners: list[tuple[UUID, str]]
    cells: dict[tuple[UUID, UUID], FlowCell]

    def cell(self, from_id: UUID, to_id: UUID) -> FlowCell:
        empty = FlowCell(Count(0), Count(0), Count(0))
        return self.cells.get((from_id, to_id), empty)


@dataclass(frozen=True, slots=True)
class RetentionFigure:
    months: int
    due: Count
    known: Count
    retained: Count

    @property
    def rate(self) -> float | None:
        """Retained among those whose outcome is known, from five known on."""
        if self.known.value < SMALLEST_SHOWN:
            return None
        return self.retained.value / self.known.value


@dataclass(frozen=True, slots=True)
class DaysBucket:
    low: int
    high: int | None
    count: Count


@dataclass(frozen=True, slots=True)
class TimeToPlacement:
    placements: Count
    median_days: float | None  # None below five placements
    p90_days: float | None
    buckets: list[DaysBucket]


@dataclass(frozen=True, slots=True)
class PublishedStatistics:
    period: Period
    funnel: list[FunnelStep]
    balances: list[PartnerBalance]
    flows: FlowMatrix
    retention: list[RetentionFigure]
    time_to_placement: TimeToPlacement


def _retention(months: int, r: Retention) -> RetentionFigure:
    return RetentionFigure(months, Count(r.due), Count(r.known), Count(r.retained))


def publish(
    stats: ExchangeStatistics, funnel: dict[str, int], buckets: list[int]
) -> PublishedStatistics:
    """The figures with every count suppressed below five (a pure function)."""
    names = {p.partner_id: p.name for p in stats.partners}
    cells = {
        (f.from_partner_id, f.to_partner_id): FlowCell(
            Count(f.shared), Count(f.introduced), Count(f.placed)
        )
        for f in stats.flows
    }
    placements = Count(stats.placements.placements)
    enough = not placements.suppressed
    return PublishedStatistics(
        period=stats.period,
        funnel=[FunnelStep(key, Count(funnel[key])) for key in repository.FUNNEL_KEYS],
        balances=[
            PartnerBalance(
                p.partner_id,
                p.name,
                Count(p.profiles_shared),
                Count(p.placements_received),
                Count(p.placements_given),
            )
            for p in stats.partners
        ],
        flows=FlowMatrix(sorted(names.items(), key=lambda item: item[1]), cells),
        retention=[
            _retention(3, stats.placements.retention_3_months),
            _retention(6, stats.placements.retention_6_months),
        ],
        time_to_placement=TimeToPlacement(
            placements=placements,
            median_days=stats.placements.median_days_to_placement if enough else None,
            p90_days=stats.placements.p90_days_to_placement if enough else None,
            buckets=[
                DaysBucket(low, high, Count(n))
                for (low, high), n in zip(repository.DAYS_BUCKETS, buckets, strict=True)
            ],
        ),
    )


async def published_statistics(
    conn: Connection,
    caller: Caller,
    *,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    today: dt.date | None = None,
) -> PublishedStatistics:
    """The consortium's figures for charts and tables (consortium admin, ``audit:read``)."""
    stats = await exchange_statistics(
        conn, caller, first_day=first_day, last_day=last_day, today=today
    )
    cid = caller.consortium_id
    funnel = await repository.exchange_funnel(conn, consortium_id=cid, period=stats.period)
    buckets = await repository.days_to_placement(conn, consortium_id=cid, period=stats.period)
    return publish(stats, funnel, buckets)
