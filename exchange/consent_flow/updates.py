"""Corrections a person makes to their own pseudonymous profile."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from exchange.profiles import repository as profiles_repository
from exchange.profiles.models import (
    CompetencyInput,
    LanguageInput,
    Profile,
    ProfileCompetency,
    ProfileInput,
    ProfileLanguage,
)
from infra.db import Connection
from matching.types import Pay, Role, Shift, WorkMode


@dataclass(frozen=True, slots=True)
class MyProfileUpdate:
    """Only the fields given change. The kind and the sharing partner's reason stay theirs."""

    headline: str | None = None
    postcode_area: str | None = None
    max_travel_km: int | None = None
    hours_min: int | None = None
    hours_max: int | None = None
    available_from: dt.date | None = None
    competencies: tuple[CompetencyInput, ...] | None = None
    languages: tuple[LanguageInput, ...] | None = None
    present_role: Role | None = None
    ambitions: tuple[Role, ...] | None = None
    shifts: tuple[Shift, ...] | None = None
    work_modes: tuple[WorkMode, ...] | None = None
    min_pay: Pay | None = None
    clear_min_pay: bool = False
    transferable_sectors: tuple[str, ...] | None = None
    full_name: str | None = None
    phone: str | None = None  # "" removes the phone number

    def changed_fields(self) -> set[str]:
        names = {
            f.name
            for f in dataclasses.fields(self)
            if f.name != "clear_min_pay" and getattr(self, f.name) is not None
        }
        if self.clear_min_pay:
            names.add("min_pay")
        return names


def apply_update(current: Profile, update: MyProfileUpdate, *, today: dt.date) -> ProfileInput:
    """The profile as input with the update applied (an availability date that has
    passed becomes today, so an old date never blocks an unrelated correction)."""

    u, c = update, current
    available = u.available_from or max(c.available_from, today)
    min_pay = None if u.clear_min_pay else (u.min_pay or c.min_pay)
    return ProfileInput(
        kind=c.kind,
        postcode_area=u.postcode_area if u.postcode_area is not None else c.postcode_area,
        max_travel_km=u.max_travel_km if u.max_travel_km is not None else c.max_travel_km,
        hours_min=u.hours_min if u.hours_min is not None else c.hours_min,
        hours_max=u.hours_max if u.hours_max is not None else c.hours_max,
        available_from=available,
        competencies=update.competencies
        if update.competencies is not None
        else tuple(CompetencyInput(c.phrase, c.level) for c in current.competencies),
        languages=update.languages
        if update.languages is not None
        else tuple(LanguageInput(lang.language, lang.level.value) for lang in current.languages),
        headline=update.headline if update.headline is not None else current.headline,
        not_fit_reason=current.not_fit_reason,
        present_role=update.present_role or current.present_role,
        ambitions=update.ambitions if update.ambitions is not None else current.ambitions,
        shifts=update.shifts if update.shifts is not None else current.shifts,
        work_modes=update.work_modes if update.work_modes is not None else current.work_modes,
        min_pay=min_pay,
        transferable_sectors=update.transferable_sectors
        if update.transferable_sectors is not None
        else current.transferable_sectors,
    )


async def save_profile(
    conn: Connection,
    *,
    current: Profile,
    merged: ProfileInput,
    competencies: tuple[ProfileCompetency, ...],
    languages: tuple[ProfileLanguage, ...],
    now: dt.datetime,
) -> None:
    await profiles_repository.update_profile_details(
        conn, profile_id=current.id, details=merged, now=now
    )
    updated = dataclasses.replace(current, competencies=competencies, languages=languages)
    await profiles_repository.replace_children(conn, profile=updated)
