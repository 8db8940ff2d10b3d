"""One phrase that lists several competencies is stored as several, each with the phrase
as written: "empathisch en geduldig" is empathy and patience."""

from __future__ import annotations

import pytest

from exchange.competencies import NormalizedPhrase, expand
from exchange.profiles import service as profiles_service
from exchange.profiles.models import CompetencyInput
from exchange.vacancies.models import RequirementInput
from infra.caller import Caller
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from tests.support import callers, factories


@pytest.fixture
async def hr(db: ConnectionDatabase) -> Caller:
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    return callers.partner_caller(partner)


async def test_a_coordinated_phrase_becomes_two_stored_competencies(
    db: ConnectionDatabase, hr: Caller
) -> None:
    profile = await factories.share_profile(
        db,
        hr,
        competencies=(
            CompetencyInput("Zendesk", 2),
            CompetencyInput("empathisch en geduldig", 4),
            CompetencyInput("plannen en organiseren"),  # one concept: stays one
        ),
    )
    async with db.transaction(AccessScope.system()) as conn:
        rows = await conn.fetch(
            """select position, phrase, normalized, concept_id, level from profile_competency
               where profile_id = $1 order by position""",
            profile.id,
        )
        cached = await conn.fetchval(
            "select count(*) from phrase_normalization where normalized = any($1::text[])",
            ["empathisch", "geduldig"],
        )
    assert [(r["phrase"], r["normalized"], r["concept_id"], r["level"]) for r in rows] == [
        ("Zendesk", "zendesk", "cc.tool_zendesk", 2),
        ("empathisch en geduldig", "empathisch", "cc.empathy", 4),
        ("empathisch en geduldig", "geduldig", "cc.patience", 4),
        ("plannen en organiseren", "plannen en organiseren", "cc.planning_organising", None),
    ]
    assert [r["position"] for r in rows] == [0, 1, 2, 3]
    assert cached == 2  # each part is normalised and cached on its own


async def test_saving_the_stored_competencies_again_keeps_each_part_once(
    db: ConnectionDatabase, hr: Caller
) -> None:
    """What the consent flow does when a person edits other fields: the stored rows go
    back in as inputs, two rows with the same split phrase."""
    profile = await factories.share_profile(
        db, hr, competencies=(CompetencyInput("empathisch en geduldig", 4),)
    )
    again = factories.profile_input(
        competencies=tuple(CompetencyInput(c.phrase, c.level) for c in profile.competencies)
    )
    async with db.transaction(hr.access_scope()) as conn:
        competencies, _ = await profiles_service.build_competencies(
            conn, factories.normalizer(), again
        )
    assert [c.concept_id for c in profile.competencies] == ["cc.empathy", "cc.patience"]
    assert [(c.phrase, c.concept_id) for c in competencies] == [
        ("empathisch en geduldig", "cc.empathy"),
        ("empathisch en geduldig", "cc.patience"),
    ]


async def test_a_listed_requirement_becomes_one_requirement_per_tool(
    db: ConnectionDatabase, hr: Caller
) -> None:
    vacancy = await factories.create_vacancy(
        db,
        hr,
        requirements=(
            RequirementInput("Zendesk, Freshdesk en TOPdesk", must_have=True, weight=2),
            RequirementInput("Zendesk of Freshdesk", weight=1),  # either: not split
        ),
    )
    got = [(r.phrase, r.concept_id, r.must_have, r.weight) for r in vacancy.requirements]
    assert got[:3] == [
        ("Zendesk, Freshdesk en TOPdesk", "cc.tool_zendesk", True, 2),
        ("Zendesk, Freshdesk en TOPdesk", "cc.tool_freshdesk", True, 2),
        ("Zendesk, Freshdesk en TOPdesk", "cc.tool_topdesk", True, 2),
    ]
    assert [(p, must) for p, _, must, _ in got[3:]] == [("Zendesk of Freshdesk", False)]
    async with db.transaction(AccessScope.system()) as conn:
        stored = await conn.fetchval(
            "select count(*) from vacancy_requirement where vacancy_id = $1", vacancy.id
        )
    assert stored == 4


def test_expand_pairs_parts_with_their_inputs_and_drops_repeated_splits() -> None:
    inputs = ["a en b", "c", "a en b", "c"]
    parts = [
        NormalizedPhrase("a en b", "a", "cc.a", 1.0, source=0),
        NormalizedPhrase("a en b", "b", "cc.b", 1.0, source=0),
        NormalizedPhrase("c", "c", "cc.c", 1.0, source=1),
        NormalizedPhrase("a en b", "a", "cc.a", 1.0, source=2),
        NormalizedPhrase("a en b", "b", "cc.b", 1.0, source=2),
        NormalizedPhrase("c", "c", "cc.c", 1.0, source=3),
    ]
    pairs = expand(inputs, parts)
    # the repeated split phrase adds nothing; a repeated plain phrase stays as given
    assert [(item, n.normalized) for item, n in pairs] == [
        ("a en b", "a"),
        ("a en b", "b"),
        ("c", "c"),
        ("c", "c"),
    ]
    assert expand([], []) == []
