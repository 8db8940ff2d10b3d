"""``tussendeur demo``: seed the fictional consortium Zuid-Limburg through the use cases.

Vacancies and profiles are written by the same services the API calls, each in
its partner's row-level-security scope, so the demo data passes every check real
data passes. What the consent flow would do when people confirm (status, scope,
consent record, audit event) is written in one system transaction, in bulk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from faker import Faker

from exchange.audit import actions
from exchange.audit.service import record_event
from exchange.competencies import CompetencyNormalizer
from exchange.partners import repository as partners_repository
from exchange.partners.models import Consortium, Partner
from exchange.partners.service import create_consortium, new_partner
from exchange.profiles.service import share_profile
from exchange.vacancies.service import create_vacancy
from infra.auth.clients import insert_api_client, new_client_credentials
from infra.auth.sign_in import Identity, issue_sign_in_link
from infra.auth.tokens import SubjectKind
from infra.caller import PARTNER_SCOPES, Caller, CallerRole
from infra.cli_support import CommandError, cli_runtime
from infra.db import Connection, Database
from infra.demo_data import CONSORTIUM_NAME, CONSORTIUM_SLUG, PARTNERS, DemoPartner
from infra.demo_generate import PlannedProfile, PlannedVacancy, plan_profiles, plan_vacancies
from infra.demo_reset import delete_consortium
from infra.runtime import Runtime
from infra.scope import AccessScope
from infra.settings import Settings

ADMIN_EMAIL = "beheer.zuid-limburg@example.org"
SYSTEM_ACTOR = "demo"


@dataclass(frozen=True, slots=True)
class DemoOptions:
    seed: int = 42
    profiles: int = 2000
    vacancies: int = 40
    reset: bool = False


@dataclass(frozen=True, slots=True)
class PartnerAccess:
    slug: str
    name: str
    city: str
    client_id: str
    client_secret: str


@dataclass
class DemoReport:
    consortium_id: UUID
    partners: list[PartnerAccess]
    admin_email: str
    admin_link: str
    candidate_email: str | None
    candidate_link: str | None
    summary: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


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
    normalizer = CompetencyNormalizer()
    callers = {slug: _partner_caller(partners[slug], access[slug].client_id) for slug in partners}
    for vacancy in vacancy_plan:
        caller = callers[vacancy.partner.slug]
        async with db.transaction(caller.access_scope()) as conn:
            await create_vacancy(conn, caller, normalizer, vacancy.data)
    timings["vacancies"] = time.perf_counter() - mark

    mark = time.perf_counter()
    shared: list[tuple[UUID, UUID, PlannedProfile]] = []
    for demo_partner in PARTNERS:
        caller = callers[demo_partner.slug]
        mine = [p for p in profile_plan if p.partner.slug == demo_partner.slug]
        async with db.transaction(caller.access_scope()) as conn:
            for planned in mine:
                profile = await share_profile(conn, caller, normalizer, planned.data)
                shared.append((profile.id, profile.person_id, planned))
    timings["profiles"] = time.perf_counter() - mark

    mark = time.perf_counter()
    await _confirm_consents(db, consortium, partners, shared)
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
        summary=summary,
        timings=timings,
    )


def _partner_caller(partner: Partner, client_id: str) -> Caller:
    return Caller(
        role=CallerRole.PARTNER_HR,
        consortium_id=partner.consortium_id,
        partner_id=partner.id,
        subject=client_id,
        client_id=client_id,
        scopes=frozenset(s.value for s in PARTNER_SCOPES),
    )


async def _audit_system(
    conn: Connection, consortium_id: UUID, action: str, kind: str, subject: UUID, **details: Any
) -> None:
    await record_event(
        conn,
        consortium_id=consortium_id,
        actor_kind="system",
        actor_id=SYSTEM_ACTOR,
        partner_id=None,
        action=action,
        subject_kind=kind,
        subject_id=str(subject),
        details=details,
    )


async def _organisations(
    db: Database,
) -> tuple[Consortium, dict[str, Partner], dict[str, PartnerAccess]]:
    """Consortium, partners, one API client per partner and the consortium admin."""
    credentials = {p.slug: new_client_credentials() for p in PARTNERS}
    partners: dict[str, Partner] = {}
    access: dict[str, PartnerAccess] = {}
    async with db.transaction(AccessScope.system()) as conn:
        consortium = await create_consortium(conn, slug=CONSORTIUM_SLUG, name=CONSORTIUM_NAME)
        await _audit_system(
            conn, consortium.id, actions.CONSORTIUM_CREATED, "consortium", consortium.id,
            slug=consortium.slug,
        )
        for demo_partner in PARTNERS:
            partner = new_partner(
                consortium_id=consortium.id,
                slug=demo_partner.slug,
                name=demo_partner.name,
                city=demo_partner.city,
            )
            await partners_repository.insert_partner(conn, partner=partner)
            await _audit_system(
                conn, consortium.id, actions.PARTNER_REGISTERED, "partner", partner.id,
                slug=partner.slug,
            )
            partners[partner.slug] = partner
            access[partner.slug] = await _api_client(
                conn, consortium, partner, demo_partner, credentials[partner.slug]
            )
        await conn.execute(
            """insert into staff_user (id, consortium_id, role, email, display_name, language)
               values ($1, $2, 'consortium_admin', $3, 'Beheer Zuid-Limburg', 'nl')""",
            uuid.uuid4(),
            consortium.id,
            ADMIN_EMAIL,
        )
    return consortium, partners, access


async def _api_client(
    conn: Connection,
    consortium: Consortium,
    partner: Partner,
    demo_partner: DemoPartner,
    credentials: Any,
) -> PartnerAccess:
    row_id = await insert_api_client(
        conn,
        consortium_id=consortium.id,
        partner_id=partner.id,
        name=f"{demo_partner.name} ATS (demo)",
        scopes=[s.value for s in PARTNER_SCOPES],
        client_id=credentials.client_id,
        secret_hash=credentials.secret_hash,
    )
    scopes = sorted(s.value for s in PARTNER_SCOPES)
    await _audit_system(
        conn, consortium.id, actions.API_CLIENT_CREATED, "api_client", row_id, scopes=scopes
    )
    return PartnerAccess(
        demo_partner.slug, demo_partner.name, demo_partner.city,
        credentials.client_id, credentials.secret,
    )


async def _confirm_consents(
    db: Database,
    consortium: Consortium,
    partners: dict[str, Partner],
    shared: list[tuple[UUID, UUID, PlannedProfile]],
) -> None:
    """Leave each consenting profile as a confirmed consent does (record, state, audit)."""
    rows = []
    for profile_id, person_id, planned in shared:
        consent = planned.consent
        if consent is None:
            continue
        scope_ids = [partners[slug].id for slug in consent.scope_partner_slugs]
        rows.append(
            (profile_id, person_id, partners[planned.partner.slug].id, consent.scope_kind.value,
             scope_ids, consent.days, uuid.uuid4(), uuid.uuid4(), planned.data.language)
        )
    async with db.transaction(AccessScope.system()) as conn:
        now = await conn.fetchval("select now()")
        await conn.executemany(
            """insert into consent_record (id, consortium_id, profile_id, person_id,
                   collected_by_partner_id, event, purpose, scope_kind, scope_partner_ids,
                   granted_at, expires_at, collection_method, language, receipt_id, recorded_at)
               values ($7, $10, $1, $2, $3, 'GRANTED', 'EXCHANGE_MATCHING', $4, $5,
                       $11::timestamptz, $11::timestamptz + make_interval(days => $6),
                       'EMAIL_LINK', $9, $8, $11::timestamptz)""",
            [(*row, consortium.id, now) for row in rows],
        )
        await conn.execute(
            """update profile p set status = 'ACTIVE', consent_scope_kind = c.scope_kind,
                   consent_scope_partner_ids = c.scope_partner_ids,
                   consent_expires_at = c.expires_at, pending_until = null, updated_at = $2
               from consent_record c
               where c.profile_id = p.id and c.consortium_id = $1
                 and p.status = 'PENDING_CONSENT'""",
            consortium.id,
            now,
        )
        for profile_id, person_id, _partner, scope_kind, _ids, days, record_id, _r, _l in rows:
            await record_event(
                conn,
                consortium_id=consortium.id,
                actor_kind="person",
                actor_id=str(person_id),
                partner_id=None,
                action=actions.CONSENT_GRANTED,
                subject_kind="profile",
                subject_id=str(profile_id),
                details={
                    "consent_record_id": str(record_id),
                    "scope_kind": scope_kind,
                    "expires_at": (now + dt.timedelta(days=days)).isoformat(),
                    "text_version": None,
                },
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
            SubjectKind.PERSON, person_id, consortium.id, CallerRole.CANDIDATE,
            language=planned.data.language,
        )
        link = await issue_sign_in_link(conn, settings, person)
        return admin_link, planned.data.contact.email, link


async def demo_summary(db: Database, consortium_id: UUID) -> dict[str, Any]:
    """Counts and a content fingerprint of the seeded data, free of ids and pseudonyms."""
    async with db.transaction(AccessScope.system()) as conn:
        partners = await conn.fetch(
            "select slug, name, city from partner where consortium_id = $1 order by slug",
            consortium_id,
        )
        vacancies = await conn.fetch(
            """select p.slug, v.title, v.role, v.role_level, v.postcode_area, v.hours_min,
                      v.hours_max, v.pay_min_cents, v.pay_max_cents, v.pay_period,
                      v.start_date - current_date as starts_in,
                      array(select r.phrase || '|' || r.must_have || '|' || r.weight
                            from vacancy_requirement r where r.vacancy_id = v.id
                            order by r.position) as requirements
               from vacancy v join partner p on p.id = v.partner_id
               where v.consortium_id = $1""",
            consortium_id,
        )
        profiles = await conn.fetch(
            """select p.slug, f.kind, f.status, f.postcode_area, f.max_travel_km, f.hours_min,
                      f.hours_max, f.ambitions, f.shifts, f.min_pay_cents, f.consent_scope_kind,
                      f.consent_expires_at::date - current_date as consent_days,
                      c.full_name, c.email,
                      array(select pc.phrase || '|' || coalesce(pc.level::text, '-')
                            from profile_competency pc where pc.profile_id = f.id
                            order by pc.position) as competencies,
                      array(select pl.language || pl.level from profile_language pl
                            where pl.profile_id = f.id order by pl.language) as languages
               from profile f join partner p on p.id = f.partner_id
               join person_contact c on c.person_id = f.person_id
               where f.consortium_id = $1""",
            consortium_id,
        )
        concept_share = await conn.fetchval(
            """select round(avg((pc.concept_id is not null)::int)::numeric, 3)
               from profile_competency pc join profile f on f.id = pc.profile_id
               where f.consortium_id = $1""",
            consortium_id,
        )
    rows = sorted(json.dumps([str(v) for v in r.values()], ensure_ascii=False) for r in profiles)
    vacancy_rows = sorted(json.dumps([str(v) for v in r.values()]) for r in vacancies)
    digest = hashlib.sha256("\n".join(rows + vacancy_rows).encode()).hexdigest()
    return {
        "partners": [f"{r['name']} ({r['city']})" for r in partners],
        "vacancies": len(vacancies),
        "profiles": len(profiles),
        "profiles_by_status": dict(sorted(Counter(r["status"] for r in profiles).items())),
        "profiles_by_kind": dict(sorted(Counter(r["kind"] for r in profiles).items())),
        "consent_scopes": dict(
            sorted(Counter(r["consent_scope_kind"] or "-" for r in profiles).items())
        ),
        "phrases_on_a_concept": float(concept_share or 0),
        "fingerprint": digest,
    }
