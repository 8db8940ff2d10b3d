"""``tussendeur demo``: seed the fictional consortium Zuid-Limburg through the use cases.

Every row is written by a use case, the ones the API, the portal and the admin CLI
call: the consortium admin registers the partners and their API clients, each partner
posts vacancies and shares profiles in its own row-level-security scope, and each
consenting person confirms on their own behalf, so the demo data passes every check
real data passes. The people are invented and never mailed. Nothing here runs SQL.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from functools import cache
from uuid import UUID

from faker import Faker

from consent.models import CollectionMethod
from demo.data import CONSORTIUM_NAME, CONSORTIUM_SLUG, PARTNERS
from demo.exceptions import DemoError
from demo.generate import PlannedProfile, PlannedVacancy, plan_profiles, plan_vacancies
from demo.progress import StepProgress, no_progress
from demo.report import DemoReport, PartnerAccess, demo_summary
from demo.reset import delete_demo_consortium
from exchange.admin.service import create_api_client, register_partner
from exchange.audit import actions
from exchange.audit.service import record_system_event
from exchange.competencies import CompetencyNormalizer
from exchange.consent_flow.service import ConsentChoice, consent_page_link, grant_consent
from exchange.consortia.service import find_consortium
from exchange.identity.models import Identity, SubjectKind
from exchange.identity.service import issue_sign_in_link
from exchange.partners.models import Consortium, Partner
from exchange.partners.service import create_consortium
from exchange.profiles.service import share_profile
from exchange.staff.models import StaffUser
from exchange.staff.service import add_staff_user
from exchange.vacancies.service import create_vacancy
from infra.caller import Caller, CallerRole
from infra.db import Database, apply_scope
from infra.runtime import Runtime
from infra.scope import AccessScope
from infra.settings import Settings
from matching.types import ConsentScopeKind

ADMIN_EMAIL = "beheer.zuid-limburg@example.org"
SYSTEM_ACTOR = "cli.demo"


@dataclass(frozen=True, slots=True)
class DemoOptions:
    seed: int = 42
    profiles: int = 2000
    vacancies: int = 40
    reset: bool = False


async def seed_demo(
    runtime: Runtime, options: DemoOptions, progress: StepProgress = no_progress
) -> DemoReport:
    """Seed the demo consortium; refuse (or, with ``reset``, replace) an existing one."""
    db = runtime.database
    timings: dict[str, float] = {}
    started = time.perf_counter()
    async with db.transaction(AccessScope.system()) as conn:
        existing = await find_consortium(conn, slug=CONSORTIUM_SLUG)
    if existing is not None:
        if not options.reset:
            raise DemoError(
                f"the demo consortium '{CONSORTIUM_SLUG}' exists already: "
                "run `tussendeur demo --reset` to seed it anew"
            )
        progress("reset", 0, 1)
        await delete_demo_consortium(runtime.owner_dsn, existing.id)
        progress("reset", 1, 1)
    rng = random.Random(options.seed)
    fake = Faker("nl_NL")
    fake.seed_instance(options.seed)
    today = dt.date.today()
    vacancy_plan = plan_vacancies(rng, options.vacancies, today)
    profile_plan = plan_profiles(rng, fake, options.profiles, today)
    timings["plan"] = time.perf_counter() - started

    mark = time.perf_counter()
    consortium, admin, partners, access = await _organisations(db)
    timings["partners"] = time.perf_counter() - mark
    try:
        report = await _seed_exchange(
            runtime,
            consortium,
            admin,
            partners,
            access,
            vacancy_plan,
            profile_plan,
            progress,
            timings,
        )
    except BaseException:
        # Leave nothing half-seeded: a failed demo can simply be run again.
        await delete_demo_consortium(runtime.owner_dsn, consortium.id)
        raise
    timings["total"] = time.perf_counter() - started
    return report


async def _seed_exchange(
    runtime: Runtime,
    consortium: Consortium,
    admin: StaffUser,
    partners: dict[str, Partner],
    access: dict[str, PartnerAccess],
    vacancy_plan: list[PlannedVacancy],
    profile_plan: list[PlannedProfile],
    progress: StepProgress,
    timings: dict[str, float],
) -> DemoReport:
    db, settings = runtime.database, runtime.settings

    mark = time.perf_counter()
    normalizer = _normalizer()
    callers = {slug: _partner_caller(partners[slug], access[slug].client_id) for slug in partners}
    for done, vacancy in enumerate(vacancy_plan, 1):
        caller = callers[vacancy.partner.slug]
        async with db.transaction(caller.access_scope()) as conn:
            await create_vacancy(conn, caller, normalizer, vacancy.data)
        progress("vacancies", done, len(vacancy_plan))
    timings["vacancies"] = time.perf_counter() - mark

    mark = time.perf_counter()
    shared: list[tuple[UUID, PlannedProfile]] = []
    consent_link: str | None = None
    for demo_partner in PARTNERS:
        caller = callers[demo_partner.slug]
        mine = [p for p in profile_plan if p.partner.slug == demo_partner.slug]
        async with db.transaction(caller.access_scope()) as conn:
            for planned in mine:
                # Invented people are never mailed: no consent request goes out.
                profile = await share_profile(
                    conn,
                    caller,
                    normalizer,
                    planned.data,
                    settings=settings,
                    request_consent=False,
                )
                shared.append((profile.person_id, planned))
                if planned.consent is None and consent_link is None:
                    # The page the request mail would have linked, for one who has not answered.
                    consent_link = await consent_page_link(
                        conn, profile=profile, language=planned.data.language, settings=settings
                    )
                progress("profiles", len(shared), len(profile_plan))
    timings["profiles"] = time.perf_counter() - mark

    mark = time.perf_counter()
    await _grant_consents(db, settings, partners, shared, progress)
    timings["consents"] = time.perf_counter() - mark

    admin_link, candidate_email, candidate_link = await _sign_in_links(
        db, settings, consortium, admin, shared
    )
    first = access[PARTNERS[0].slug]
    hr_link = await _staff_link(db, settings, consortium, first, CallerRole.PARTNER_HR)
    summary = await demo_summary(db, consortium.id)
    return DemoReport(
        consortium_id=consortium.id,
        partners=[access[p.slug] for p in PARTNERS],
        admin_email=admin.email,
        admin_link=admin_link,
        hr_email=first.hr_email,
        hr_partner=first.name,
        hr_link=hr_link,
        candidate_email=candidate_email,
        candidate_link=candidate_link,
        consent_link=consent_link,
        summary=summary,
        timings=timings,
    )


@cache
def _normalizer() -> CompetencyNormalizer:
    """One taxonomy per process, however often the demo seeds (tests seed repeatedly)."""
    return CompetencyNormalizer()


def _partner_caller(partner: Partner, client_id: str) -> Caller:
    return Caller.api_client(partner.consortium_id, client_id, partner_id=partner.id)


async def _organisations(
    db: Database,
) -> tuple[Consortium, StaffUser, dict[str, Partner], dict[str, PartnerAccess]]:
    """Consortium, its admin, and the partners with one API client each, registered
    through the consortium admin's own use cases (as `tussendeur partner create` does)."""
    async with db.transaction(AccessScope.system()) as conn:
        consortium = await create_consortium(conn, slug=CONSORTIUM_SLUG, name=CONSORTIUM_NAME)
        await record_system_event(
            conn, consortium_id=consortium.id, job=SYSTEM_ACTOR,
            action=actions.CONSORTIUM_CREATED, subject_kind="consortium",
            subject_id=str(consortium.id), details={"slug": consortium.slug},
        )  # fmt: skip
    operator = Caller.system(consortium.id, actor=SYSTEM_ACTOR)
    partners: dict[str, Partner] = {}
    access: dict[str, PartnerAccess] = {}
    async with db.transaction(operator.access_scope()) as conn:
        admin = await add_staff_user(
            conn,
            operator,
            email=ADMIN_EMAIL,
            display_name="Beheer Zuid-Limburg",
            role=CallerRole.CONSORTIUM_ADMIN,
        )
        for demo in PARTNERS:
            partner = await register_partner(
                conn, operator, name=demo.name, slug=demo.slug, city=demo.city
            )
            made = await create_api_client(
                conn, operator, partner_id=partner.id, name=f"{demo.name} ATS (demo)"
            )
            hr = await add_staff_user(
                conn,
                operator,
                email=f"hr.{demo.slug}@example.nl",
                display_name=f"HR {demo.name}",
                role=CallerRole.PARTNER_HR,
                partner_id=partner.id,
            )
            partners[demo.slug] = partner
            access[demo.slug] = PartnerAccess(
                demo.slug, demo.name, demo.city, made.client.client_id, made.client_secret,
                hr_email=hr.email, hr_id=hr.id,
            )  # fmt: skip
    return consortium, admin, partners, access


async def _grant_consents(
    db: Database,
    settings: Settings,
    partners: dict[str, Partner],
    shared: list[tuple[UUID, PlannedProfile]],
    progress: StepProgress,
) -> None:
    """Each consenting person confirms through the consent use case, as on the consent
    page behind their emailed link: consent record, profile state and audit event.
    One transaction; each confirmation runs in that person's own scope."""
    consenting = [(person_id, p) for person_id, p in shared if p.consent is not None]
    async with db.transaction(AccessScope.nobody()) as conn:
        for done, (person_id, planned) in enumerate(consenting, 1):
            consent = planned.consent
            assert consent is not None
            person = Caller.person(
                partners[planned.partner.slug].consortium_id,
                person_id,
                language=planned.data.language,
            )
            choice = ConsentChoice(
                scope_kind=consent.scope_kind.value,
                partner_ids=tuple(partners[slug].id for slug in consent.scope_partner_slugs),
                months=consent.months,
            )
            await apply_scope(conn, person.access_scope())
            await grant_consent(
                conn, person, choice, method=CollectionMethod.EMAIL_LINK, settings=settings
            )
            progress("consents", done, len(consenting))


async def _staff_link(
    db: Database,
    settings: Settings,
    consortium: Consortium,
    access: PartnerAccess,
    role: CallerRole,
) -> str:
    """A sign-in link for one partner's HR staff member (opened in a browser: their page)."""
    assert access.hr_id is not None
    async with db.transaction(AccessScope.system()) as conn:
        identity = Identity(SubjectKind.STAFF_USER, access.hr_id, consortium.id, role)
        return await issue_sign_in_link(conn, settings, identity)


def _seen_by_first_partner(planned: PlannedProfile) -> bool:
    """A consented profile another partner shared, whose consent lets the first partner see
    it: the printed recruiter (first partner's HR) can find this candidate in its matches."""
    consent, first = planned.consent, PARTNERS[0].slug
    if consent is None or planned.partner.slug == first:
        return False
    if consent.scope_kind is ConsentScopeKind.ONLY:
        return first in consent.scope_partner_slugs
    if consent.scope_kind is ConsentScopeKind.ALL_EXCEPT:
        return first not in consent.scope_partner_slugs
    return True


async def _sign_in_links(
    db: Database,
    settings: Settings,
    consortium: Consortium,
    admin: StaffUser,
    shared: list[tuple[UUID, PlannedProfile]],
) -> tuple[str, str | None, str | None]:
    async with db.transaction(AccessScope.system()) as conn:
        admin_identity = Identity(
            SubjectKind.STAFF_USER, admin.id, consortium.id, CallerRole.CONSORTIUM_ADMIN
        )
        admin_link = await issue_sign_in_link(conn, settings, admin_identity)
        candidate = next(
            ((pid, p) for pid, p in shared if _seen_by_first_partner(p)),
            next(((pid, p) for pid, p in shared if p.consent is not None), None),
        )
        if candidate is None:
            return admin_link, None, None
        person_id, planned = candidate
        person = Identity(
            SubjectKind.PERSON,
            person_id,
            consortium.id,
            CallerRole.CANDIDATE,
            language=planned.data.language,
        )
        link = await issue_sign_in_link(conn, settings, person)
        return admin_link, planned.data.contact.email, link
