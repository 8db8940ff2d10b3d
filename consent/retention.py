"""Time rules of consent: durations, the pending window, reminders and the grace period."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from infra.errors import Collector
from infra.settings import Settings

DEFAULT_MONTHS = 6
MAX_MONTHS = 12


@dataclass(frozen=True, slots=True)
class RetentionRules:
    pending_days: int = 14  # a profile nobody confirmed is deleted after this
    reminder_days: int = 14  # the renew reminder goes out this long before expiry
    grace_days: int = 30  # after expiry or withdrawal, data is erased after this
    introduction_days: int = 14  # an unanswered introduction expires after this
    default_months: int = DEFAULT_MONTHS
    max_months: int = MAX_MONTHS

    def pending_until(self, shared_at: dt.datetime) -> dt.datetime:
        return shared_at + dt.timedelta(days=self.pending_days)

    def expires_at(self, granted_at: dt.datetime, months: int) -> dt.datetime:
        return add_months(granted_at, months)

    def reminder_from(self, expires_at: dt.datetime) -> dt.datetime:
        return expires_at - dt.timedelta(days=self.reminder_days)

    def erase_after(self, ended_at: dt.datetime) -> dt.datetime:
        return ended_at + dt.timedelta(days=self.grace_days)


class Due(StrEnum):
    """What the retention run owes one profile at a moment."""

    NOTHING = "NOTHING"
    DELETE_PENDING = "DELETE_PENDING"
    REMIND = "REMIND"
    EXPIRE = "EXPIRE"
    ERASE = "ERASE"


def due(
    rules: RetentionRules,
    *,
    status: str,
    now: dt.datetime,
    pending_until: dt.datetime | None,
    expires_at: dt.datetime | None,
    ended_at: dt.datetime | None,
    reminded_for: dt.datetime | None,
) -> Due:
    """The one action due now for a profile in ``status`` (the SQL of the run mirrors this)."""
    if status == "PENDING_CONSENT":
        return (
            Due.DELETE_PENDING
            if pending_until is not None and pending_until <= now
            else Due.NOTHING
        )
    if status in ("ACTIVE", "PAUSED") and expires_at is not None:
        if expires_at <= now:
            return Due.EXPIRE
        if rules.reminder_from(expires_at) <= now and reminded_for != expires_at:
            return Due.REMIND
        return Due.NOTHING
    if status in ("EXPIRED", "WITHDRAWN") and ended_at is not None:
        return Due.ERASE if rules.erase_after(ended_at) <= now else Due.NOTHING
    return Due.NOTHING


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` plus calendar months, the day clamped to the target month's length."""
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def check_duration(errors: Collector, field: str, months: int | None, rules: RetentionRules) -> int:
    """The consent term in months (default when ``None``), or a field error."""
    if months is None:
        return rules.default_months
    if not 1 <= months <= rules.max_months:
        errors.add(field, "OUT_OF_RANGE", f"choose between 1 and {rules.max_months} months")
    return months


def rules_from(settings: Settings) -> RetentionRules:
    """The rules with the periods configured in :class:`infra.settings.Settings`."""
    return RetentionRules(
        pending_days=settings.consent_pending_days,
        reminder_days=settings.consent_reminder_days,
        grace_days=settings.consent_grace_days,
    )
