"""Deterministic generation of the demo's inputs: same seed, same vacancies and people.

Only plain inputs are produced here (the use cases' own input types); writing
them goes through the services in :mod:`demo.seed`.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass

from faker import Faker

from demo.data import (
    ARCHETYPES,
    EMAIL_DOMAINS,
    NOT_FIT_REASONS,
    PARTNERS,
    PHRASES,
    VACANCIES,
    DemoPartner,
)
from exchange.profiles.models import (
    CompetencyInput,
    ContactInput,
    LanguageInput,
    ProfileInput,
    ShareProfileInput,
)
from exchange.profiles.service import PHONE_PATTERN
from exchange.vacancies.models import (
    LanguageRequirementInput,
    PayRange,
    RequirementInput,
    VacancyInput,
)
from matching.types import (
    ConsentScopeKind,
    Pay,
    PayPeriod,
    ProfileKind,
    Role,
    Shift,
    WorkMode,
)


@dataclass(frozen=True, slots=True)
class PlannedVacancy:
    partner: DemoPartner
    data: VacancyInput


@dataclass(frozen=True, slots=True)
class PlannedConsent:
    scope_kind: ConsentScopeKind
    scope_partner_slugs: tuple[str, ...]
    months: int  # 6 is the default term, 12 the most a person may choose


@dataclass(frozen=True, slots=True)
class PlannedProfile:
    partner: DemoPartner
    data: ShareProfileInput
    consent: PlannedConsent | None  # None: the person has not answered yet


def plan_vacancies(rng: random.Random, count: int, today: dt.date) -> list[PlannedVacancy]:
    planned = []
    for index in range(count):
        partner = PARTNERS[index % len(PARTNERS)]
        template = VACANCIES[(index * 7 + index // len(VACANCIES)) % len(VACANCIES)]
        pay: PayRange
        if template.pay_hour is not None:
            low, high = template.pay_hour
            bump = rng.choice((0.0, 0.25, 0.5))
            pay = PayRange(_cents(low + bump), _cents(high + bump), PayPeriod.HOUR)
        else:
            low_m, high_m = template.pay_month
            bump_m = rng.choice((0, 100, 200))
            pay = PayRange((low_m + bump_m) * 100, (high_m + bump_m) * 100, PayPeriod.MONTH)
        client = rng.choice(partner.clients)
        hours_min, hours_max = template.hours
        data = VacancyInput(
            title=template.title,
            postcode_area=partner.postcode_areas[0],
            hours_min=hours_min,
            hours_max=hours_max,
            start_date=today + dt.timedelta(days=rng.randrange(7, 75)),
            description=(
                f"{partner.name} in {partner.city} zoekt een collega voor de klantenlijn "
                f"{client}. Je werkt in een vast team met een eigen coach; het rooster "
                "ken je vier weken vooruit."
            ),
            role=template.role,
            role_level=template.role_level,
            pay=pay,
            shifts=template.shifts,
            work_mode=template.work_mode,
            training_offered=template.training,
            soft_skill_weight=rng.choice((1.0, 1.0, 1.25, 1.5)),
            requirements=tuple(
                RequirementInput(phrase, must_have, weight, min_level)
                for phrase, must_have, weight, min_level in template.requirements
            ),
            languages=tuple(
                LanguageRequirementInput(language, level, must_have)
                for language, level, must_have in template.languages
            ),
        )
        planned.append(PlannedVacancy(partner, data))
    return planned


def plan_profiles(
    rng: random.Random, fake: Faker, count: int, today: dt.date
) -> list[PlannedProfile]:
    weights = [a.weight for a in ARCHETYPES]
    used_emails: set[str] = set()
    planned = []
    for index in range(count):
        partner = PARTNERS[index % len(PARTNERS)]
        archetype = rng.choices(ARCHETYPES, weights)[0]
        ready = archetype.present_role is not None and rng.random() < 0.55
        kind = ProfileKind.READY_TO_MOVE if ready else ProfileKind.REJECTED_CANDIDATE
        groups = list(archetype.core) + rng.sample(
            archetype.optional, k=rng.randint(1, min(3, len(archetype.optional)))
        )
        competencies = tuple(
            CompetencyInput(rng.choice(PHRASES[group]), _level(rng, ready)) for group in groups
        )
        home = partner if rng.random() < 0.8 else rng.choice(PARTNERS)
        hours_min = rng.choice((12, 16, 20, 24, 24, 32, 32))
        profile = ProfileInput(
            kind=kind,
            postcode_area=rng.choice(home.postcode_areas),
            max_travel_km=rng.choice((10, 15, 20, 25, 30, 40)),
            hours_min=hours_min,
            hours_max=min(40, hours_min + rng.choice((0, 4, 8, 8, 12, 16))),
            available_from=today + dt.timedelta(days=rng.randrange(-14, 60)),
            competencies=competencies,
            languages=_languages(rng, archetype.name == "duitstalig"),
            headline=_headline(rng, archetype.name, ready),
            not_fit_reason=None if ready else rng.choice(NOT_FIT_REASONS),
            present_role=archetype.present_role if ready else None,
            ambitions=tuple(
                rng.sample(archetype.ambitions, k=rng.randint(1, len(archetype.ambitions)))
            ),
            shifts=_shifts(rng),
            work_modes=tuple(
                rng.choice(
                    (
                        (WorkMode.HYBRID,),
                        (WorkMode.HYBRID, WorkMode.ON_SITE),
                        (WorkMode.REMOTE, WorkMode.HYBRID),
                        (WorkMode.ON_SITE,),
                        (),
                    )
                )
            ),
            min_pay=_min_pay(rng, archetype.present_role),
            transferable_sectors=_sectors(rng, archetype.sectors),
        )
        contact = _contact(rng, fake, used_emails)
        language = "en" if rng.random() < 0.05 else "nl"
        consent = _consent(rng, partner)
        data = ShareProfileInput(profile, contact, language)
        planned.append(PlannedProfile(partner, data, consent))
    return planned


def _cents(euros: float) -> int:
    return round(euros * 100)


def _level(rng: random.Random, ready: bool) -> int | None:
    if rng.random() < 0.3:
        return None
    return rng.choice((2, 3, 3, 4, 4, 5)) if ready else rng.choice((1, 2, 2, 3, 3, 4))


def _languages(rng: random.Random, german: bool) -> tuple[LanguageInput, ...]:
    dutch = "NATIVE" if rng.random() < 0.88 else rng.choice(("B2", "C1", "C2"))
    languages = [LanguageInput("nl", dutch)]
    if german or rng.random() < 0.35:  # the German border is close
        levels = ("C1", "C2", "NATIVE") if german else ("A2", "B1", "B2", "C1")
        level = rng.choice(levels)
        languages.append(LanguageInput("de", level))
    if rng.random() < 0.6:
        languages.append(LanguageInput("en", rng.choice(("A2", "B1", "B2", "B2", "C1"))))
    if rng.random() < 0.1:  # Belgium is closer still
        languages.append(LanguageInput("fr", rng.choice(("A2", "B1", "B2", "C1"))))
    return tuple(languages)


def _headline(rng: random.Random, archetype: str, ready: bool) -> str:
    years = rng.randint(1, 9)
    if ready:
        return f"{years} jaar ervaring in klantcontact ({archetype}), klaar voor een volgende stap"
    return f"Sollicitant met achtergrond {archetype}; past bij een andere opdrachtgever"


def _shifts(rng: random.Random) -> tuple[Shift, ...]:
    options = (
        (Shift.DAY,),
        (Shift.DAY, Shift.EVENING),
        (Shift.DAY, Shift.EVENING, Shift.WEEKEND),
        (Shift.EVENING, Shift.WEEKEND),
        (Shift.DAY, Shift.WEEKEND),
    )
    return rng.choice(options)


def _min_pay(rng: random.Random, present: Role | None) -> Pay | None:
    if rng.random() < 0.25:
        return None
    if present in (Role.SPECIALIST,) and rng.random() < 0.5:
        return Pay(rng.randrange(2800, 3600, 100) * 100, PayPeriod.MONTH)
    base = 14.75 if present is None else 16.0
    return Pay(_cents(base + rng.choice((0, 0.25, 0.5, 1.0, 1.5, 2.0))), PayPeriod.HOUR)


def _sectors(rng: random.Random, own: tuple[str, ...]) -> tuple[str, ...]:
    sectors = list(own)
    for sector in ("horeca", "retail", "zorg", "logistiek", "onderwijs"):
        if sector not in sectors and rng.random() < 0.12:
            sectors.append(sector)
    return tuple(sectors)


def _contact(rng: random.Random, fake: Faker, used: set[str]) -> ContactInput:
    first, last = fake.first_name(), fake.last_name()
    local = _ascii(f"{first}.{last}").replace(" ", "")
    email = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
    suffix = 1
    while email in used:
        suffix += 1
        email = f"{local}{suffix}@{email.split('@')[1]}"
    used.add(email)
    phone = fake.phone_number()
    if not PHONE_PATTERN.match(phone):
        phone = "06 " + "".join(str(rng.randrange(10)) for _ in range(8))
    return ContactInput(full_name=f"{first} {last}", email=email, phone=phone)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9.]", "", folded.lower())


def _consent(rng: random.Random, own: DemoPartner) -> PlannedConsent | None:
    if rng.random() < 0.15:
        return None
    others = [p.slug for p in PARTNERS if p.slug != own.slug]
    months = rng.choice((3, 6, 6, 6, 9, 12))
    draw = rng.random()
    if draw < 0.75:
        return PlannedConsent(ConsentScopeKind.ALL_PARTNERS, (), months)
    if draw < 0.9:
        chosen = tuple(sorted(rng.sample(others, k=rng.randint(1, 3))))
        return PlannedConsent(ConsentScopeKind.ONLY, chosen, months)
    excluded = tuple(sorted(rng.sample(others, k=rng.randint(1, 2))))
    return PlannedConsent(ConsentScopeKind.ALL_EXCEPT, excluded, months)
