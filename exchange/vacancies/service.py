"""Vacancy use cases for partner HR. Every change writes its audit event in the same transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from exchange import validation
from exchange.audit.actions import VACANCY_CLOSED, VACANCY_CREATED, VACANCY_UPDATED
from exchange.audit.service import record_caller_event
from exchange.competencies import CompetencyNormalizer, expand
from exchange.vacancies import repository
from exchange.vacancies.exceptions import VacancyClosed, VacancyNotFound
from exchange.vacancies.models import (
    MAX_LANGUAGES,
    MAX_REQUIREMENTS,
    RequirementPreview,
    Vacancy,
    VacancyInput,
    VacancyStatus,
)
from infra.caller import Caller, CallerRole, Scope
from infra.db import Connection
from infra.errors import Collector
from infra.pagination import Keyset, Page
from matching.types import CefrLevel, LanguageRequirement, Requirement

MAX_PAY_CENTS = {"HOUR": 20_000, "MONTH": 2_000_000}


def validate_vacancy_input(data: VacancyInput, *, today: dt.date) -> None:
    errors = Collector()
    validation.check_text(errors, "input.title", data.title, max_length=200, required=True)
    validation.check_text(errors, "input.description", data.description, max_length=10_000)
    validation.check_text(errors, "input.trainingOffered", data.training_offered, max_length=2_000)
    validation.check_postcode_area(errors, "input.postcodeArea", data.postcode_area)
    validation.check_hours(errors, "input.hours", data.hours_min, data.hours_max)
    validation.check_date_window(errors, "input.startDate", data.start_date, today=today)
    if not 1 <= data.role_level <= 5:
        errors.add("input.roleLevel", "OUT_OF_RANGE", "must be between 1 and 5")
    if not 0 <= data.soft_skill_weight <= 3:
        errors.add("input.softSkillWeight", "OUT_OF_RANGE", "must be between 0 and 3")
    if data.pay is not None:
        ceiling = MAX_PAY_CENTS[data.pay.period.value]
        if not 0 < data.pay.min_cents <= ceiling:
            errors.add("input.pay.min", "OUT_OF_RANGE", "must be a positive, plausible amount")
        if not data.pay.min_cents <= data.pay.max_cents <= ceiling:
            errors.add("input.pay.max", "OUT_OF_RANGE", "must be at least the minimum")
    validation.check_phrases(
        errors,
        "input.requirements",
        [r.phrase for r in data.requirements],
        max_count=MAX_REQUIREMENTS,
    )
    if len(data.requirements) <= MAX_REQUIREMENTS:
        for i, requirement in enumerate(data.requirements):
            if not 0 < requirement.weight <= 10:
                errors.add(f"input.requirements.{i}.weight", "OUT_OF_RANGE", "must be in (0, 10]")
            if requirement.min_level is not None and not 1 <= requirement.min_level <= 5:
                errors.add(
                    f"input.requirements.{i}.minLevel", "OUT_OF_RANGE", "must be between 1 and 5"
                )
    if len(data.languages) > MAX_LANGUAGES:
        errors.add("input.languages", "TOO_MANY", f"at most {MAX_LANGUAGES} allowed")
    else:
        seen: set[str] = set()
        for i, lang in enumerate(data.languages):
            validation.check_language(errors, f"input.languages.{i}", lang.language, lang.level)
            if lang.language in seen:
                errors.add(f"input.languages.{i}.language", "DUPLICATE", "listed twice")
            seen.add(lang.language)
    errors.raise_if_any()


async def _requirements(
    conn: Connection, normalizer: CompetencyNormalizer, data: VacancyInput
) -> tuple[tuple[Requirement, ...], tuple[LanguageRequirement, ...]]:
    normalized = await normalizer.normalize(conn, [r.phrase.strip() for r in data.requirements])
    # One phrase may list several competencies ("Zendesk, Freshdesk en TOPdesk"): each
    # part becomes a requirement of its own, with the phrase as written and the same
    # must-have flag, weight and level ("X of Y" is not split: it asks for either).
    requirements = tuple(
        Requirement(
            phrase=n.phrase,
            normalized=n.normalized,
            concept_id=n.concept_id,
            confidence=n.confidence,
            must_have=r.must_have,
            weight=r.weight,
            min_level=r.min_level,
        )
        for r, n in expand(data.requirements, normalized)
    )
    languages = tuple(
        LanguageRequirement(lang.language, CefrLevel(lang.level), lang.must_have)
        for lang in data.languages
    )
    return requirements, languages


async def preview_requirements(
    conn: Connection,
    caller: Caller,
    normalizer: CompetencyNormalizer,
    phrases: list[str],
    *,
    language: str,
) -> list[RequirementPreview]:
    """The write-time normaliser's verdict on requirement phrases, as ``create_vacancy``
    would store them ("Salesforse" → Salesforce, 0.9), saving no vacancy; only the
    normaliser's phrase cache may learn the phrases."""
    caller.require(CallerRole.PARTNER_HR, Scope.VACANCIES_WRITE)
    errors = Collector()
    validation.check_phrases(errors, "input.requirements", phrases, max_count=MAX_REQUIREMENTS)
    errors.raise_if_any()
    normalized = await normalizer.normalize(conn, [p.strip() for p in phrases])
    previews = []
    for n in normalized:
        concept = normalizer.taxonomy.get(n.concept_id) if n.concept_id else None
        previews.append(
            RequirementPreview(
                source=n.source,
                phrase=n.phrase,
                part=n.normalized,
                concept_id=n.concept_id,
                concept_label=concept.label(language) if concept else None,
                confidence=n.confidence,
            )
        )
    return previews


async def create_vacancy(
    conn: Connection, caller: Caller, normalizer: CompetencyNormalizer, data: VacancyInput
) -> Vacancy:
    caller.require(CallerRole.PARTNER_HR, Scope.VACANCIES_WRITE)
    assert caller.partner_id is not None
    now = dt.datetime.now(dt.UTC)
    validate_vacancy_input(data, today=now.date())
    requirements, languages = await _requirements(conn, normalizer, data)
    vacancy = Vacancy(
        id=uuid.uuid4(),
        consortium_id=caller.consortium_id,
        partner_id=caller.partner_id,
        title=data.title.strip(),
        description=data.description.strip(),
        role=data.role,
        role_level=data.role_level,
        status=VacancyStatus.OPEN,
        postcode_area=data.postcode_area,
        hours_min=data.hours_min,
        hours_max=data.hours_max,
        pay=data.pay,
        shifts=tuple(dict.fromkeys(data.shifts)),
        work_mode=data.work_mode,
        training_offered=data.training_offered.strip(),
        soft_skill_weight=data.soft_skill_weight,
        start_date=data.start_date,
        created_at=now,
        updated_at=now,
        closed_at=None,
        requirements=requirements,
        languages=languages,
    )
    await repository.insert_vacancy(conn, vacancy=vacancy)
    await record_caller_event(
        conn,
        caller,
        action=VACANCY_CREATED,
        subject_kind="vacancy",
        subject_id=str(vacancy.id),
        details={"requirements": len(requirements), "languages": len(languages)},
    )
    return vacancy


async def _own_vacancy(conn: Connection, caller: Caller, vacancy_id: uuid.UUID) -> Vacancy:
    vacancy = await repository.get_vacancy(
        conn, vacancy_id=vacancy_id, partner_id=caller.partner_id
    )
    if vacancy is None:
        raise VacancyNotFound()
    return vacancy


async def update_vacancy(
    conn: Connection,
    caller: Caller,
    normalizer: CompetencyNormalizer,
    vacancy_id: uuid.UUID,
    data: VacancyInput,
) -> Vacancy:
    caller.require(CallerRole.PARTNER_HR, Scope.VACANCIES_WRITE)
    assert caller.partner_id is not None
    if not await repository.lock_vacancy(conn, vacancy_id=vacancy_id, partner_id=caller.partner_id):
        raise VacancyNotFound()
    current = await _own_vacancy(conn, caller, vacancy_id)
    if current.status is VacancyStatus.CLOSED:
        raise VacancyClosed("a closed vacancy cannot be changed")
    now = dt.datetime.now(dt.UTC)
    validate_vacancy_input(data, today=now.date())
    requirements, languages = await _requirements(conn, normalizer, data)
    updated = dataclasses.replace(
        current,
        title=data.title.strip(),
        description=data.description.strip(),
        role=data.role,
        role_level=data.role_level,
        postcode_area=data.postcode_area,
        hours_min=data.hours_min,
        hours_max=data.hours_max,
        pay=data.pay,
        shifts=tuple(dict.fromkeys(data.shifts)),
        work_mode=data.work_mode,
        training_offered=data.training_offered.strip(),
        soft_skill_weight=data.soft_skill_weight,
        start_date=data.start_date,
        updated_at=now,
        requirements=requirements,
        languages=languages,
    )
    await repository.update_vacancy(conn, vacancy=updated)
    await record_caller_event(
        conn, caller, action=VACANCY_UPDATED, subject_kind="vacancy", subject_id=str(vacancy_id)
    )
    return updated


async def close_vacancy(conn: Connection, caller: Caller, vacancy_id: uuid.UUID) -> Vacancy:
    caller.require(CallerRole.PARTNER_HR, Scope.VACANCIES_WRITE)
    assert caller.partner_id is not None
    if not await repository.lock_vacancy(conn, vacancy_id=vacancy_id, partner_id=caller.partner_id):
        raise VacancyNotFound()
    current = await _own_vacancy(conn, caller, vacancy_id)
    if current.status is VacancyStatus.CLOSED:
        raise VacancyClosed("the vacancy is closed already")
    now = dt.datetime.now(dt.UTC)
    closed = dataclasses.replace(
        current, status=VacancyStatus.CLOSED, closed_at=now, updated_at=now
    )
    await repository.update_vacancy(conn, vacancy=closed)
    await record_caller_event(
        conn, caller, action=VACANCY_CLOSED, subject_kind="vacancy", subject_id=str(vacancy_id)
    )
    return closed


async def get_vacancy(conn: Connection, caller: Caller, vacancy_id: uuid.UUID) -> Vacancy | None:
    caller.require(CallerRole.PARTNER_HR, Scope.VACANCIES_READ)
    return await repository.get_vacancy(conn, vacancy_id=vacancy_id, partner_id=caller.partner_id)


async def list_vacancies(
    conn: Connection,
    caller: Caller,
    *,
    status: VacancyStatus | None,
    limit: int,
    after: Keyset | None,
) -> Page[Vacancy]:
    caller.require(CallerRole.PARTNER_HR, Scope.VACANCIES_READ)
    assert caller.partner_id is not None
    return await repository.list_vacancies(
        conn, partner_id=caller.partner_id, status=status, limit=limit, after=after
    )
