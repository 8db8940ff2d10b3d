"""Placement use cases: the hiring partner records a start and later the outcome; the placed
profile is paused until the person resumes it. One transaction each, never committed here."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import uuid
from uuid import UUID

from exchange.audit.actions import (
    PLACEMENT_OUTCOME_RECORDED,
    PLACEMENT_RECORDED,
    PROFILE_PAUSED,
    PROFILE_RESUMED,
)
from exchange.audit.service import record_caller_event
from exchange.introductions import repository as introductions_repository
from exchange.introductions.exceptions import IntroductionNotFound
from exchange.introductions.models import IntroductionStatus
from exchange.placements import repository
from exchange.placements.exceptions import (
    ConsentExpired,
    PlacementAlreadyRecorded,
    PlacementNotFound,
    PlacementRequiresAcceptedIntroduction,
    ProfileNotPaused,
)
from exchange.placements.models import (
    LeftReason,
    Placement,
    PlacementOutcomeInput,
    ResumedProfile,
)
from infra.caller import Caller, CallerRole, Scope
from infra.db import Connection
from infra.errors import Collector
from infra.pagination import Keyset, Page

MAX_START_AHEAD = dt.timedelta(days=366)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


OUTCOME_MONTHS = (3, 6)


def outcomes_due(placement: Placement, today: dt.date) -> tuple[int, ...]:
    """The months (3, 6) whose outcome the hiring partner may record now but has not: the
    day has come, nothing was recorded for it, and the person is not known to have left."""
    if placement.left_on is not None:
        return ()
    recorded = {3: placement.employed_at_3_months, 6: placement.employed_at_6_months}
    return tuple(
        months
        for months in OUTCOME_MONTHS
        if recorded[months] is None and add_months(placement.start_date, months) <= today
    )


async def record_placement(
    conn: Connection,
    caller: Caller,
    *,
    introduction_id: UUID,
    start_date: dt.date,
    now: dt.datetime | None = None,
) -> Placement:
    """Record that the person of an accepted introduction of the caller's starts on a date.

    The placed profile is paused (hidden from matching) until the person resumes it; the
    sharing partner can read the placement (its reciprocity credit).
    """
    caller.require(CallerRole.PARTNER_HR, Scope.PLACEMENTS_WRITE)
    assert caller.partner_id is not None
    now = now or dt.datetime.now(dt.UTC)
    introduction = await introductions_repository.lock_partner_introduction(
        conn, introduction_id=introduction_id, partner_id=caller.partner_id
    )
    if introduction is None:
        raise IntroductionNotFound(field="introductionId")
    if introduction.status is not IntroductionStatus.ACCEPTED:
        raise PlacementRequiresAcceptedIntroduction()
    if await repository.placement_for_introduction(conn, introduction_id=introduction_id):
        raise PlacementAlreadyRecorded()
    errors = Collector()
    if start_date < introduction.requested_at.date():
        errors.add("startDate", "BEFORE_INTRODUCTION", "must not be before the introduction")
    elif start_date > now.date() + MAX_START_AHEAD:
        errors.add("startDate", "TOO_FAR_AHEAD", "must be within a year from today")
    errors.raise_if_any()

    placement = Placement(
        id=uuid.uuid4(),
        consortium_id=introduction.consortium_id,
        introduction_id=introduction.id,
        profile_id=introduction.profile_id,
        vacancy_id=introduction.vacancy_id,
        hiring_partner_id=caller.partner_id,
        sharing_partner_id=introduction.sharing_partner_id,
        shared_at=introduction.profile_shared_at or introduction.requested_at,
        start_date=start_date,
        employed_at_3_months=None,
        employed_at_6_months=None,
        left_on=None,
        left_reason=None,
        recorded_at=now,
        outcome_recorded_at=None,
    )
    await repository.insert_placement(conn, placement=placement)
    paused = await repository.pause_placed_profile(conn, placement_id=placement.id)
    await record_caller_event(
        conn,
        caller,
        action=PLACEMENT_RECORDED,
        subject_kind="placement",
        subject_id=str(placement.id),
        details={
            "introduction_id": str(introduction.id),
            "profile_id": str(placement.profile_id) if placement.profile_id else None,
            "vacancy_id": str(placement.vacancy_id),
            "sharing_partner_id": str(placement.sharing_partner_id),
        },
    )
    if paused and placement.profile_id is not None:
        await record_caller_event(
            conn,
            caller,
            action=PROFILE_PAUSED,
            subject_kind="profile",
            subject_id=str(placement.profile_id),
            details={"reason": "PLACED", "placement_id": str(placement.id)},
        )
    return placement


def _merged_outcome(
    errors: Collector, current: Placement, data: PlacementOutcomeInput, *, today: dt.date
) -> Placement:
    reason: LeftReason | None = current.left_reason
    if data.left_reason is not None:
        try:
            reason = LeftReason(data.left_reason)
        except ValueError:
            errors.add("leftReason", "INVALID_LEFT_REASON", f"use one of {', '.join(LeftReason)}")
    merged = dataclasses.replace(
        current,
        employed_at_3_months=_keep(data.employed_at_3_months, current.employed_at_3_months),
        employed_at_6_months=_keep(data.employed_at_6_months, current.employed_at_6_months),
        left_on=data.left_on or current.left_on,
        left_reason=reason,
    )
    start = current.start_date
    three, six = add_months(start, 3), add_months(start, 6)
    left_early = merged.left_on is not None and merged.left_on <= today
    if (
        data.employed_at_3_months is not None
        and today < three
        and not (data.employed_at_3_months is False and left_early)
    ):
        errors.add("employedAt3Months", "TOO_EARLY", f"can be answered from {three.isoformat()}")
    if (
        data.employed_at_6_months is not None
        and today < six
        and not (data.employed_at_6_months is False and left_early)
    ):
        errors.add("employedAt6Months", "TOO_EARLY", f"can be answered from {six.isoformat()}")
    if merged.left_on is not None:
        if data.left_on is not None and data.left_on < start:
            errors.add("leftOn", "BEFORE_START", "must not be before the start date")
        elif data.left_on is not None and data.left_on > today:
            errors.add("leftOn", "IN_FUTURE", "must not be in the future")
        if merged.left_reason is None and data.left_reason is None:
            errors.add("leftReason", "REQUIRED", "say why the person left")
        if merged.employed_at_3_months and merged.left_on < three:
            errors.add("employedAt3Months", "CONTRADICTS_LEFT_ON", "the person left before")
        if merged.employed_at_6_months and merged.left_on < six:
            errors.add("employedAt6Months", "CONTRADICTS_LEFT_ON", "the person left before")
    elif merged.left_reason is not None:
        errors.add("leftOn", "REQUIRED", "give the date the person left")
    if merged.employed_at_6_months and merged.employed_at_3_months is False:
        errors.add(
            "employedAt6Months", "CONTRADICTS_3_MONTHS", "not employed at 3 months, so not at 6"
        )
    return merged


def _keep(new: bool | None, old: bool | None) -> bool | None:
    return old if new is None else new


async def record_placement_outcome(
    conn: Connection,
    caller: Caller,
    placement_id: UUID,
    data: PlacementOutcomeInput,
    *,
    now: dt.datetime | None = None,
) -> Placement:
    """Record whether the placed person is still employed at 3 and 6 months, or left when
    and why. Fields left out keep what was recorded before."""
    caller.require(CallerRole.PARTNER_HR, Scope.PLACEMENTS_WRITE)
    assert caller.partner_id is not None
    now = now or dt.datetime.now(dt.UTC)
    errors = Collector()
    if (
        data.employed_at_3_months is None
        and data.employed_at_6_months is None
        and data.left_on is None
        and data.left_reason is None
    ):
        errors.add("input", "NOTHING_TO_RECORD", "give at least one outcome")
        errors.raise_if_any()
    current = await repository.lock_hiring_placement(
        conn, placement_id=placement_id, partner_id=caller.partner_id
    )
    if current is None:
        raise PlacementNotFound()
    merged = _merged_outcome(errors, current, data, today=now.date())
    errors.raise_if_any()
    updated = dataclasses.replace(merged, outcome_recorded_at=now)
    await repository.update_outcome(conn, placement=updated)
    await record_caller_event(
        conn,
        caller,
        action=PLACEMENT_OUTCOME_RECORDED,
        subject_kind="placement",
        subject_id=str(placement_id),
        details={
            "at_3_months": updated.employed_at_3_months,
            "at_6_months": updated.employed_at_6_months,
            "left_reason": updated.left_reason.value if updated.left_reason else None,
        },
    )
    return updated


async def list_placements(
    conn: Connection, caller: Caller, *, limit: int, after: Keyset | None
) -> Page[Placement]:
    """Placements the caller hired through, and those of profiles it shared (reciprocity)."""
    caller.require(CallerRole.PARTNER_HR, Scope.PLACEMENTS_WRITE)
    assert caller.partner_id is not None
    return await repository.list_partner_placements(
        conn, partner_id=caller.partner_id, limit=limit, after=after
    )


async def resume_my_profile(
    conn: Connection,
    caller: Caller,
    *,
    profile_id: UUID | None = None,
    now: dt.datetime | None = None,
) -> ResumedProfile:
    """The person makes their paused profile visible again (while consent lasts)."""
    caller.require(CallerRole.CANDIDATE, Scope.ME)
    assert caller.person_id is not None
    now = now or dt.datetime.now(dt.UTC)
    paused = await repository.lock_paused_profiles(
        conn, person_id=caller.person_id, profile_id=profile_id
    )
    if not paused:
        raise ProfileNotPaused()
    profile = paused[-1]  # the newest, when no id is given
    if profile.consent_expires_at is None or profile.consent_expires_at <= now:
        raise ConsentExpired()
    await repository.set_profile_active(conn, profile_id=profile.id, now=now)
    await record_caller_event(
        conn,
        caller,
        action=PROFILE_RESUMED,
        subject_kind="profile",
        subject_id=str(profile.id),
    )
    return ResumedProfile(profile_id=profile.id, status="ACTIVE")
