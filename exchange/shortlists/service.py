"""Shortlist use cases for partner HR, and the recruiter's last visit to a vacancy's matches.

A shortlist belongs to one vacancy and is private to its partner (RLS, migration 0014). A
profile on it is shown only while the caller may still see it as a match (consent in force,
scope admitting the caller), re-checked under the caller's RLS like ``matches``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from exchange.audit.actions import PROFILE_SHOWN_IN_MATCHES, SHORTLIST_ADDED, SHORTLIST_REMOVED
from exchange.audit.service import record_caller_event
from exchange.matching import repository as matching_repository
from exchange.profiles import repository as profiles_repository
from exchange.profiles.models import Profile
from exchange.shortlists import repository
from exchange.shortlists.exceptions import ShortlistProfileNotFound
from exchange.shortlists.models import VacancyVisit
from exchange.vacancies import repository as vacancies_repository
from exchange.vacancies.exceptions import VacancyNotFound
from exchange.vacancies.models import Vacancy
from infra.caller import Caller, CallerRole, Scope
from infra.db import Connection


async def _own_vacancy(conn: Connection, caller: Caller, vacancy_id: UUID) -> Vacancy:
    assert caller.partner_id is not None
    vacancy = await vacancies_repository.get_vacancy(
        conn, vacancy_id=vacancy_id, partner_id=caller.partner_id
    )
    if vacancy is None:
        raise VacancyNotFound(field="vacancyId")
    return vacancy


async def add_to_shortlist(
    conn: Connection, caller: Caller, *, vacancy_id: UUID, profile_id: UUID
) -> bool:
    """Put a profile the caller may see as a match on its vacancy's shortlist (True when it
    was not there yet)."""
    caller.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
    assert caller.partner_id is not None
    vacancy = await _own_vacancy(conn, caller, vacancy_id)
    visible = await matching_repository.visible_live_profile_ids(conn, profile_ids=[profile_id])
    profiles = await profiles_repository.get_profiles(conn, profile_ids=list(visible))
    if not any(p.partner_id != caller.partner_id for p in profiles):
        raise ShortlistProfileNotFound()  # never its own profiles, as in matches
    added = await repository.add_entry(
        conn,
        vacancy_id=vacancy.id,
        profile_id=profile_id,
        consortium_id=caller.consortium_id,
        partner_id=caller.partner_id,
        added_by=caller.user_id,
    )
    if added:
        await _audit(conn, caller, SHORTLIST_ADDED, vacancy_id, profile_id)
    return added


async def remove_from_shortlist(
    conn: Connection, caller: Caller, *, vacancy_id: UUID, profile_id: UUID
) -> bool:
    caller.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
    assert caller.partner_id is not None
    await _own_vacancy(conn, caller, vacancy_id)
    removed = await repository.remove_entry(
        conn, vacancy_id=vacancy_id, profile_id=profile_id, partner_id=caller.partner_id
    )
    if removed:
        await _audit(conn, caller, SHORTLIST_REMOVED, vacancy_id, profile_id)
    return removed


async def _audit(
    conn: Connection, caller: Caller, action: str, vacancy_id: UUID, profile_id: UUID
) -> None:
    await record_caller_event(
        conn,
        caller,
        action=action,
        subject_kind="vacancy",
        subject_id=str(vacancy_id),
        details={"profile_id": str(profile_id)},
    )


async def shortlisted_ids(conn: Connection, caller: Caller, *, vacancy_id: UUID) -> set[UUID]:
    """Which profiles are on the vacancy's shortlist (ids only: nothing is shown)."""
    caller.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
    assert caller.partner_id is not None
    entries = await repository.list_entries(
        conn, vacancy_id=vacancy_id, partner_id=caller.partner_id
    )
    return {e.profile_id for e in entries}


async def shortlist(conn: Connection, caller: Caller, *, vacancy_id: UUID) -> list[Profile]:
    """The shortlisted profiles the caller may still see, in the order they were added;
    showing them is audited as matches shown for the vacancy."""
    caller.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
    assert caller.partner_id is not None
    vacancy = await _own_vacancy(conn, caller, vacancy_id)
    entries = await repository.list_entries(
        conn, vacancy_id=vacancy.id, partner_id=caller.partner_id
    )
    wanted = [e.profile_id for e in entries]
    visible = await matching_repository.visible_live_profile_ids(conn, profile_ids=wanted)
    found = {
        p.id: p
        for p in await profiles_repository.get_profiles(
            conn, profile_ids=[i for i in wanted if i in visible]
        )
    }
    shown = [found[i] for i in wanted if i in found]
    if shown:
        await record_caller_event(
            conn,
            caller,
            action=PROFILE_SHOWN_IN_MATCHES,
            subject_kind="vacancy",
            subject_id=str(vacancy.id),
            details={"profiles": [str(p.id) for p in shown], "offset": 0},
        )
    return shown


# ---------------------------------------------------------------- the recruiter's last visit


async def record_visit(
    conn: Connection, caller: Caller, *, vacancy_id: UUID, seen_profile_ids: Iterable[UUID]
) -> None:
    """Remember that the signed-in recruiter looked at the vacancy's matches now (API
    clients have no user, hence no visits)."""
    caller.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
    assert caller.partner_id is not None
    if caller.user_id is None:
        return
    await repository.upsert_visit(
        conn,
        staff_user_id=caller.user_id,
        vacancy_id=vacancy_id,
        consortium_id=caller.consortium_id,
        partner_id=caller.partner_id,
        seen_profile_ids=sorted(set(seen_profile_ids)),
    )


async def last_visits(
    conn: Connection, caller: Caller, *, vacancy_ids: Sequence[UUID]
) -> dict[UUID, VacancyVisit]:
    caller.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
    if caller.user_id is None or not vacancy_ids:
        return {}
    return await repository.visits(conn, staff_user_id=caller.user_id, vacancy_ids=vacancy_ids)
