"""``tussendeur demo``: seed the fictional consortium Zuid-Limburg through the use cases.

Vacancies and profiles are written by the same services the API calls, each in
its partner's row-level-security scope, so the demo data passes every check real
data passes. What the consent flow would do when people confirm (status, scope,
consent record, audit event) is written in one system transaction, in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
import uuid
from dataclasses import dataclass
from functools import cache
from uuid import UUID

from faker import Faker

from consent.models import CollectionMethod
from demo.data import CONSORTIUM_NAME, CONSORTIUM_SLUG, PARTNERS
from demo.generate import PlannedProfile, PlannedVacancy, plan_profiles, plan_vacancies
from demo.report import DemoReport, PartnerAccess, demo_summary
from demo.reset import delete_consortium
from entrypoints.cli_support import CommandError, cli_runtime
from exchange.admin.service import create_api_client, register_partner
from exchange.audit import actions
from exchange.audit.service import record_system_event
from exchange.competencies import CompetencyNormalizer
from exchange.consent_flow.repository import system_step
from exchange.consent_flow.service import ConsentChoice, grant_consent
from exchange.identity.models import Identity, SubjectKind
from exchange.identity.service import issue_sign_in_link
from exchange.partners import repository as partners_repository
from exchange.partners.models import Consortium, Partner
from exchange.partners.service import create_consortium
from exchange.profiles.service import share_profile
from exchange.vacancies.service import create_vacancy
from infra.caller import Caller, CallerRole
from infra.db import Connection, Database, apply_scope
from infra.runtime import Runtime
from infra.scope import AccessScope
from infra.settings import Settings

ADMIN_EMAIL = "beheer.zuid-limburg@example.org"
_CONSENT_LINK = re.compile(r"https?://\S+/portal/consent\?token=[A-Za-z0-9_-]+")
SYSTEM_ACTOR = "cli.demo"


@dataclass(frozen=True, slots=True)
class DemoOptions:
    seed: int = 42
    profiles: int = 2000
    vacancies: int = 40
    reset: bool = False


async def seed_demo_command(settings: Settings, options: DemoOptions) -> DemoReport:
    async with cli_runtime(settings) as runtime:
        return await seed_demo(runtime, options)


async def seed_demo(runtime: Runtime, options: DemoOptions) -> DemoReport:
    """Seed the demo consortium; refuse (or, with ``reset``, replace) an existing one."""
    db = runtime.database
    timings: dict[str, float] = {}
    started = time.perf_counter()
    async with db.transaction(AccessScope.system()) as conn:
        existing = await partners_repository.get_consortium_by_slug(conn, slug=CONSORTIUM_SLUG)
    if existing is not None:
        if not options.reset:
            raise CommandError(
                f"the demo consortium '{CONSORTIUM_SLUG}' exists already: "
                "run `tussendeur demo --reset` to seed it anew"
            )
        await delete_consortium(runtime.owner_dsn, existing.id, {p.slug for p in PARTNERS})
    rng = random.Random(options.seed)
    fake = Faker("nl_NL")
    fake.seed_instance(options.seed)
    today = dt.date.today()
    vacancy_plan = plan_vacancies(rng, options.vacancies, today)
    profile_plan = plan_profiles(rng, fake, options.profiles, today)
    timings["plan"] = time.perf_counter() - started

    mark = time.perf_counter()
    consortium, partners, access = await _organisations(db)
    timings["partners"] = time.perf_counter() - mark
    try:
        report = await _seed_exchange(
            runtime, consortium, partners, access, vacancy_plan, profile_plan, timings
        )
    except BaseException:
        # Leave nothing half-seeded: a failed demo can simply be run again.
        await delete_consortium(runtime.owner_dsn, consortium.id, {p.slug for p in PARTNERS})
        raise
    timings["total"] = time.perf_counter() - started
    return report


async def _seed_exchange(
    runtime: Runtime,
    consortium: Consortium,
    partners: dict[str, Partner],
    access: dict[str, PartnerAccess],
    vacancy_plan: list[PlannedVacancy],
    profile_plan: list[PlannedProfile],
    timings: dict[str, float],
) -> DemoReport:
    db, settings = runtime.database, runtime.settings

    mark = time.perf_counter()
    normalizer = _normalizer()
    callers = {slug: _partner_caller(partners[slug], access[slug].client_id) for slug in partners}
    for vacancy in vacancy_plan:
        caller = callers[vacancy.partner.slug]
        async with db.transaction(caller.access_scope()) as conn:
            await create_vacancy(conn, caller, normalizer, vacancy.data)
    timings["vacancies"] = time.perf_counter() - mark

    mark = time.perf_counter()
    shared: list[tuple[UUID, UUID, PlannedProfile]] = []
    consent_links: list[str] = []
    for demo_partner in PARTNERS:
        caller = callers[demo_partner.slug]
        mine = [p for p in profile_plan if p.partner.slug == demo_partner.slug]
        async with db.transaction(caller.access_scope()) as conn:
            waiting: list[UUID] = []
            for planned in mine:
                # Those who will confirm at once get no request; the others get one.
                profile = await share_profile(
                    conn,
                    caller,
                    normalizer,
                    planned.data,
                    settings=settings,
                    request_consent=planned.consent is None,
                )
                shared.append((profile.id, profile.person_id, planned))
                if planned.consent is None:
                    waiting.append(profile.person_id)
            async with system_step(conn, caller.access_scope()):
                consent_links += await _withhold_mail(conn, waiting)
    timings["profiles"] = time.perf_counter() - mark

    mark = time.perf_counter()
    await _grant_consents(db, settings, partners, shared)
    timings["consents"] = time.perf_counter() - mark

    admin_link, candidate_email, candidate_link = await _sign_in_links(
        db, settings, consortium, shared
    )
    summary = await demo_summary(db, consortium.id)
    return DemoReport(
        consortium_id=consortium.id,
        partners=[access[p.slug] for p in PARTNERS],
        admin_email=ADMIN_EMAIL,
        admin_link=admin_link,
        candidate_email=candidate_email,
        candidate_link=candidate_link,
        consent_link=consent_links[0] if consent_links else None,
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
) -> tuple[Consortium, dict[str, Partner], dict[str, PartnerAccess]]:
    """Consortium, its admin, and the partners with one API client each, registered
    through the consortium admin's own use cases (as `tussendeur partner create` does)."""
    async with db.transaction(AccessScope.system()) as conn:
        consortium = await create_consortium(conn, slug=CONSORTIUM_SLUG, name=CONSORTIUM_NAME)
        await record_system_event(
            conn, consortium_id=consortium.id, job=SYSTEM_ACTOR,
            action=actions.CONSORTIUM_CREATED, subject_kind="consortium",
            subject_id=str(consortium.id), details={"slug": consortium.slug},
        )  # fmt: skip
        await conn.execute(
            """insert into staff_user (id, consortium_id, role, email, display_name, language)
               values ($1, $2, 'consortium_admin', $3, 'Beheer Zuid-Limburg', 'nl')""",
            uuid.uuid4(),
            consortium.id,
            ADMIN_EMAIL,
        )
    admin = Caller.system(consortium.id, actor=SYSTEM_ACTOR)
    partners: dict[str, Partner] = {}
    access: dict[str, PartnerAccess] = {}
    async with db.transaction(admin.access_scope()) as conn:
        for demo in PARTNERS:
            partner = await register_partner(
                conn, admin, name=demo.name, slug=demo.slug, city=demo.city
            )
            made = await create_api_client(
                conn, admin, partner_id=partner.id, name=f"{demo.name} ATS (demo)"
            )
            partners[demo.slug] = partner
            access[demo.slug] = PartnerAccess(
                demo.slug, demo.name, demo.city, made.client.client_id, made.client_secret
            )
    return consortium, partners, access


async def _withhold_mail(conn: Connection, person_ids: list[UUID]) -> list[str]:
    """The demo's people are invented and their addresses are example.* ones: their
    consent requests are taken out of the outbox in the transaction that queued them,
    so no mail is ever sent (or printed). Returns the consent links they held."""
    rows = await conn.fetch(
        """delete from mail_outbox where person_id = any($1::uuid[]) and status = 'PENDING'
           returning body_text""",
        person_ids,
    )
    links = (_CONSENT_LINK.search(r["body_text"]) for r in rows)
    return sorted(m.group(0) for m in links if m)


async def _grant_consents(
    db: Database,
    settings: Settings,
    partners: dict[str, Partner],
    shared: list[tuple[UUID, UUID, PlannedProfile]],
) -> None:
    """Each consenting person confirms through the consent use case, as on the consent
    page behind their emailed link: consent record, profile state and audit event."""
    async with db.transaction(AccessScope.nobody()) as conn:
        for _profile_id, person_id, planned in shared:
            consent = planned.consent
            if consent is None:
                continue
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


async def _sign_in_links(
    db: Database,
    settings: Settings,
    consortium: Consortium,
    shared: list[tuple[UUID, UUID, PlannedProfile]],
) -> tuple[str, str | None, str | None]:
    async with db.transaction(AccessScope.system()) as conn:
        admin_id = await conn.fetchval(
            "select id from staff_user where consortium_id = $1 and role = 'consortium_admin'",
            consortium.id,
        )
        admin = Identity(
            SubjectKind.STAFF_USER, admin_id, consortium.id, CallerRole.CONSORTIUM_ADMIN
        )
        admin_link = await issue_sign_in_link(conn, settings, admin)
        candidate = next(((pid, p) for _, pid, p in shared if p.consent is not None), None)
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
