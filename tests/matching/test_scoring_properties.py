"""Property tests: explanations add up, order is total and deterministic."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.explain import to_cents
from matching.index import MatchIndex
from matching.scoring import search
from matching.types import (
    CefrLevel,
    ConsentScope,
    ConsentScopeKind,
    LanguageRequirement,
    LanguageSkill,
    MatchProfile,
    MatchVacancy,
    Pay,
    PayPeriod,
    ProfileKind,
    Role,
    Shift,
    WorkMode,
)
from tests.support.matching import PARTNER_A, PARTNER_B, PARTNER_C, POLICY, TODAY, comp, req

CONCEPTS = ["cc.empathy", "cc.customer_focus", "cc.complaint_handling", "cc.zendesk", "cc.sap"]
FREE = ["klantvriendelijk", "klantvriendelyk", "bloemschikken", "webcare ervaring"]
PARTNERS = [PARTNER_A, PARTNER_B, PARTNER_C]
AREAS = ["6211", "6411", "6131", "6461", "5911", "1012"]

competencies = st.one_of(
    st.builds(
        comp,
        st.sampled_from(CONCEPTS),
        level=st.one_of(st.none(), st.integers(1, 5)),
        confidence=st.floats(0.5, 1.0),
    ),
    st.builds(comp, st.none(), st.sampled_from(FREE)),
)
languages = st.lists(
    st.builds(LanguageSkill, st.sampled_from(["nl", "de", "en"]), st.sampled_from(list(CefrLevel))),
    max_size=3,
    unique_by=lambda s: s.language,
)
scopes = st.builds(
    ConsentScope,
    st.sampled_from(list(ConsentScopeKind)),
    st.frozensets(st.sampled_from(PARTNERS), max_size=2),
)


@st.composite
def profiles(draw: st.DrawFn) -> MatchProfile:
    hours_min = draw(st.integers(8, 32))
    return MatchProfile(
        profile_id=uuid.UUID(int=draw(st.integers(1, 2**64))),
        partner_id=draw(st.sampled_from(PARTNERS)),
        kind=draw(st.sampled_from(list(ProfileKind))),
        competencies=tuple(draw(st.lists(competencies, max_size=6))),
        languages=tuple(draw(languages)),
        postcode_area=draw(st.sampled_from(AREAS)),
        max_travel_km=draw(st.integers(0, 60)),
        hours_min=hours_min,
        hours_max=hours_min + draw(st.integers(0, 16)),
        available_from=TODAY + dt.timedelta(days=draw(st.integers(-10, 30))),
        consent_scope=draw(scopes),
        shifts=draw(st.frozensets(st.sampled_from(list(Shift)))),
        work_modes=draw(st.frozensets(st.sampled_from(list(WorkMode)))),
        min_pay=draw(
            st.one_of(st.none(), st.builds(Pay, st.integers(1000, 2000), st.just(PayPeriod.HOUR)))
        ),
        ambitions=tuple(draw(st.lists(st.sampled_from(list(Role)), max_size=2, unique=True))),
        current_role=draw(st.one_of(st.none(), st.sampled_from([Role.AGENT, Role.SENIOR_AGENT]))),
        transferable_sectors=tuple(
            draw(st.lists(st.sampled_from(["horeca", "zorg", "bouw"]), max_size=2))
        ),
    )


@st.composite
def vacancies(draw: st.DrawFn) -> MatchVacancy:
    reqs = draw(
        st.lists(
            st.one_of(
                st.builds(
                    req,
                    st.sampled_from(CONCEPTS),
                    must=st.booleans(),
                    weight=st.floats(0.1, 5),
                    min_level=st.one_of(st.none(), st.integers(1, 5)),
                ),
                st.builds(req, st.none(), st.sampled_from(FREE), must=st.booleans()),
            ),
            max_size=5,
        )
    )
    langs = draw(
        st.lists(
            st.builds(
                LanguageRequirement,
                st.sampled_from(["nl", "de", "en"]),
                st.sampled_from(list(CefrLevel)),
                st.booleans(),
            ),
            max_size=2,
            unique_by=lambda r: r.language,
        )
    )
    return MatchVacancy(
        vacancy_id=uuid.uuid4(),
        partner_id=draw(st.sampled_from(PARTNERS)),
        requirements=tuple(reqs),
        languages=tuple(langs),
        postcode_area=draw(st.sampled_from(AREAS)),
        hours_min=16,
        hours_max=40,
        start_date=TODAY + dt.timedelta(days=draw(st.integers(-5, 20))),
        role=draw(st.sampled_from(list(Role))),
        work_mode=draw(st.sampled_from(list(WorkMode))),
        pay_max=draw(
            st.one_of(st.none(), st.builds(Pay, st.integers(1500, 3000), st.just(PayPeriod.HOUR)))
        ),
        soft_skill_weight=draw(st.floats(0.5, 3)),
    )


def build(items: list[MatchProfile]) -> MatchIndex:
    index = MatchIndex(POLICY)
    for p in items:
        index.upsert(p)
    return index


@pytest.mark.slow  # 150 random indexes
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(profiles(), max_size=25, unique_by=lambda p: p.profile_id),
    vacancies(),
    st.integers(1, 30),
    st.sampled_from(PARTNERS),
)
def test_points_sum_to_score_and_order_is_total(
    items: list[MatchProfile], vacancy: MatchVacancy, k: int, viewer: uuid.UUID
) -> None:
    index = build(items)
    results = search(index, vacancy, viewer_partner_id=viewer, k=k, today=TODAY)
    assert len(results) <= k
    by_id = {p.profile_id: p for p in items}
    for r in results:
        assert 0 <= r.score <= 100
        assert sum(to_cents(e.points) for e in r.explanation) == to_cents(r.score)
        assert all(e.points >= 0 for e in r.explanation)
        shared = by_id[r.profile_id]
        assert shared.partner_id != viewer and shared.consent_scope.admits(viewer)
    keys = [(-r.score, r.profile_id) for r in results]
    assert keys == sorted(keys)
    everything = search(index, vacancy, viewer_partner_id=viewer, k=1000, today=TODAY)
    assert results == everything[:k]
    assert results == search(
        build(items[::-1]), vacancy, viewer_partner_id=viewer, k=k, today=TODAY
    )
