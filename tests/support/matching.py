"""Plain factories for matcher values (no database)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from matching.index import MatchIndex
from matching.policy import MatchPolicy
from matching.types import (
    CefrLevel,
    Competency,
    ConsentScope,
    ConsentScopeKind,
    LanguageRequirement,
    LanguageSkill,
    MatchProfile,
    MatchVacancy,
    ProfileKind,
    Requirement,
)

TODAY = dt.date(2025, 3, 1)
PARTNER_A = uuid.UUID(int=0xA)
PARTNER_B = uuid.UUID(int=0xB)
PARTNER_C = uuid.UUID(int=0xC)
SOFT_SKILLS = frozenset({"cc.empathy", "cc.customer_focus"})
CUSTOMER_CONTACT = frozenset({"cc.complaint_handling", "cc.phone_handling"})
POLICY = MatchPolicy(soft_skill_concepts=SOFT_SKILLS, customer_contact_concepts=CUSTOMER_CONTACT)

_counter = iter(range(1, 1 << 60))


def pid(n: int | None = None) -> uuid.UUID:
    """A deterministic profile id; ordering of ids follows ``n``."""
    return uuid.UUID(int=(1 << 100) + (next(_counter) if n is None else n))


def comp(
    concept: str | None,
    phrase: str | None = None,
    *,
    level: int | None = None,
    confidence: float = 1.0,
) -> Competency:
    text = phrase or (concept or "").split(".")[-1].replace("_", " ")
    return Competency(
        phrase=text, normalized=text.lower(), concept_id=concept, confidence=confidence, level=level
    )


def req(
    concept: str | None,
    phrase: str | None = None,
    *,
    must: bool = False,
    weight: float = 1.0,
    min_level: int | None = None,
) -> Requirement:
    text = phrase or (concept or "").split(".")[-1].replace("_", " ")
    return Requirement(
        phrase=text,
        normalized=text.lower(),
        concept_id=concept,
        confidence=1.0,
        must_have=must,
        weight=weight,
        min_level=min_level,
    )


def profile(**overrides: Any) -> MatchProfile:
    values: dict[str, Any] = {
        "profile_id": pid(),
        "partner_id": PARTNER_A,
        "kind": ProfileKind.REJECTED_CANDIDATE,
        "competencies": (comp("cc.complaint_handling"), comp("cc.zendesk")),
        "languages": (LanguageSkill("nl", CefrLevel.NATIVE),),
        "postcode_area": "6211",
        "max_travel_km": 30,
        "hours_min": 24,
        "hours_max": 40,
        "available_from": TODAY,
        "consent_scope": ConsentScope(ConsentScopeKind.ALL_PARTNERS),
    }
    values.update(overrides)
    return MatchProfile(**values)


def vacancy(**overrides: Any) -> MatchVacancy:
    values: dict[str, Any] = {
        "vacancy_id": uuid.uuid5(uuid.NAMESPACE_OID, str(next(_counter))),
        "partner_id": PARTNER_B,
        "requirements": (req("cc.complaint_handling", must=True), req("cc.zendesk")),
        "languages": (LanguageRequirement("nl", CefrLevel.B2),),
        "postcode_area": "6411",
        "hours_min": 32,
        "hours_max": 40,
        "start_date": TODAY,
    }
    values.update(overrides)
    return MatchVacancy(**values)


def index_of(*profiles: MatchProfile, policy: MatchPolicy = POLICY) -> MatchIndex:
    index = MatchIndex(policy)
    for p in profiles:
        index.add(p)
    return index
