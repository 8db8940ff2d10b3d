"""The small world of ``bench/fault_load.py``: three partners and four people, written
through the use cases, and what each of them may see (a fixed table written from the
consent scopes, not read back from the database).

A shares one profile with all partners, one only with B and one still pending; B one
with all but C and one pending; C one with all partners. Each partner has two vacancies
and an API client; each person may read only their own profile.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from consent.models import CollectionMethod
from exchange.admin.service import create_api_client, register_partner
from exchange.competencies import CompetencyNormalizer
from exchange.consent_flow import service as consent_flow
from exchange.identity.keys import KeyStore
from exchange.identity.tokens import issue_access_token
from exchange.partners.models import Consortium
from exchange.partners.service import create_consortium
from exchange.profiles import service as profiles
from exchange.profiles.models import (
    CompetencyInput,
    ContactInput,
    LanguageInput,
    Profile,
    ProfileInput,
    ShareProfileInput,
)
from exchange.vacancies import service as vacancies
from exchange.vacancies.models import LanguageRequirementInput, RequirementInput, VacancyInput
from infra.caller import Caller
from infra.db import Database
from infra.key_encryption import key_encryption_keys
from infra.scope import AccessScope
from infra.settings import Settings
from matching.types import ProfileKind

PARTNER_QUERY = (
    "{ vacancies(first: 50) { edges { node { id } } }"
    " sharedProfiles(first: 50) { edges { node { id } } } }"
)
PERSON_QUERY = "{ myProfile { id } }"


@dataclass(frozen=True)
class Actor:
    """One caller of the load: how it gets a token, and exactly what it may see."""

    name: str
    vacancies: frozenset[str]
    profiles: frozenset[str]
    client: tuple[str, str] | None = None  # a partner's client id and secret
    person: Caller | None = None  # a person: the token is signed with the server's keys

    @property
    def query(self) -> str:
        return PARTNER_QUERY if self.client else PERSON_QUERY

    def check(self, data: dict[str, object]) -> tuple[int, int]:
        """(ids in ``data``, how many of them this actor may not see: 0 when correct)."""
        if self.person is not None:
            mine = data.get("myProfile")
            shown = {str(mine.get("id"))} if isinstance(mine, dict) else set()
            return len(shown), len(shown - self.profiles)
        vacancies, profiles = _ids(data, "vacancies"), _ids(data, "sharedProfiles")
        foreign = len(vacancies - self.vacancies) + len(profiles - self.profiles)
        return len(vacancies) + len(profiles), foreign


def _ids(data: dict[str, object], field: str) -> set[str]:
    connection = data.get(field)
    if not isinstance(connection, dict):
        return set()
    return {edge["node"]["id"] for edge in connection.get("edges", [])}


def _profile_input() -> ShareProfileInput:
    return ShareProfileInput(
        profile=ProfileInput(
            kind=ProfileKind.REJECTED_CANDIDATE,
            postcode_area="6221",
            max_travel_km=30,
            hours_min=24,
            hours_max=32,
            available_from=dt.date.today(),
            competencies=(CompetencyInput("klachtafhandeling", 4), CompetencyInput("Zendesk", 3)),
            languages=(LanguageInput("nl", "NATIVE"),),
            not_fit_reason="Duits C1 vereist",
        ),
        contact=ContactInput(
            full_name="Sam Jansen",
            email=f"sam-{uuid.uuid4().hex[:10]}@example.nl",
            phone="+31612345678",
        ),
        language="nl",
    )


def _vacancy_input(n: int) -> VacancyInput:
    return VacancyInput(
        title=f"Klantenservice {n}",
        postcode_area="6411",
        hours_min=24,
        hours_max=36,
        start_date=dt.date.today() + dt.timedelta(days=30),
        requirements=(RequirementInput("klachten afhandelen", must_have=True, weight=2),),
        languages=(LanguageRequirementInput("nl", "C1"),),
    )


async def seed_world(database: Database, settings: Settings) -> list[Actor]:
    """The partners and people, written as the app role through the use cases."""
    normalizer = CompetencyNormalizer()
    async with database.transaction(AccessScope.system()) as conn:
        consortium: Consortium = await create_consortium(
            conn, slug=f"faults-{uuid.uuid4().hex[:6]}", name="Fault load"
        )
    admin = Caller.system(consortium.id, actor="bench-fault-load")
    clients: dict[str, tuple[str, str]] = {}
    hr: dict[str, Caller] = {}
    async with database.transaction(admin.access_scope()) as conn:
        for name in "ABC":
            partner = await register_partner(conn, admin, name=f"Fault partner {name}")
            made = await create_api_client(conn, admin, partner_id=partner.id, name="load")
            clients[name] = (made.client.client_id, made.client_secret)
            hr[name] = Caller.api_client(
                consortium.id, made.client.client_id, partner_id=partner.id
            )

    async def share(owner: str, kind: str | None, named: tuple[str, ...] = ()) -> Profile:
        async with database.transaction(hr[owner].access_scope()) as conn:
            profile = await profiles.share_profile(conn, hr[owner], normalizer, _profile_input())
        if kind:
            person = Caller.person(consortium.id, profile.person_id)
            named_ids = tuple(p for n in named if (p := hr[n].partner_id) is not None)
            choice = consent_flow.ConsentChoice(kind, named_ids)
            async with database.transaction(person.access_scope()) as conn:
                await consent_flow.grant_consent(
                    conn, person, choice, method=CollectionMethod.API, settings=settings
                )
        return profile

    a_all, a_only_b, a_pending = (
        await share("A", "ALL_PARTNERS"),
        await share("A", "ONLY", ("B",)),
        await share("A", None),
    )
    b_except_c, b_pending = await share("B", "ALL_EXCEPT", ("C",)), await share("B", None)
    c_all = await share("C", "ALL_PARTNERS")
    own: dict[str, frozenset[str]] = {}
    for name in "ABC":
        posted: list[str] = []
        for n in range(2):
            async with database.transaction(hr[name].access_scope()) as conn:
                vacancy = await vacancies.create_vacancy(
                    conn, hr[name], normalizer, _vacancy_input(n)
                )
            posted.append(str(vacancy.id))
        own[name] = frozenset(posted)

    def ids(*shown: Profile) -> frozenset[str]:
        return frozenset(str(p.id) for p in shown)

    partners = [
        Actor("A", own["A"], ids(a_all, a_only_b, a_pending, b_except_c, c_all), clients["A"]),
        Actor("B", own["B"], ids(b_except_c, b_pending, a_all, a_only_b, c_all), clients["B"]),
        Actor("C", own["C"], ids(c_all, a_all), clients["C"]),
    ]
    people = [
        Actor(f"person {n}", frozenset(), ids(p), person=Caller.person(consortium.id, p.person_id))
        for n, p in enumerate((a_all, a_pending, b_except_c, c_all))
    ]
    return partners + people


async def person_token(database: Database, settings: Settings, person: Caller) -> str:
    """A person's access token, signed with the key ring the server uses (the portal's
    sign-in would give the same)."""
    ring = await KeyStore(keks=key_encryption_keys(settings)).get(database)
    return issue_access_token(ring, settings, person).access_token
