"""Deterministic synthetic profiles and vacancies for ``bench/matching.py``.

Phrases are drawn from a Zipf-like concept vocabulary; about 15 % are free
phrases (outside the taxonomy) of which some carry common or one-off typos.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import numpy as np

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
    Pay,
    PayPeriod,
    ProfileKind,
    Requirement,
    Role,
    Shift,
    WorkMode,
)

TODAY = dt.date(2025, 3, 1)
SOFT = [
    "empathy",
    "customer_focus",
    "stress_resistance",
    "patience",
    "listening",
    "teamwork",
    "flexibility",
    "accuracy",
    "persuasion",
    "de_escalation",
    "ownership",
    "positivity",
]
CONTACT = [
    "complaint_handling",
    "phone_handling",
    "chat_support",
    "email_support",
    "webcare",
    "outbound_sales",
    "retention",
    "inbound_sales",
    "collections",
    "first_line_support",
    "second_line_support",
    "appointment_scheduling",
    "order_handling",
    "claims_handling",
]
TOOLS = [
    "zendesk",
    "salesforce",
    "topdesk",
    "excel",
    "sap",
    "freshdesk",
    "genesys",
    "five9",
    "servicenow",
    "hubspot",
    "dynamics",
    "teams",
    "whatsapp_business",
    "kcs",
]
FREE_BASE = [
    "ervaring met klanten aan de balie",
    "klantgericht denken",
    "werken onder tijdsdruk",
    "kennis van energiecontracten",
    "hypotheekadvies wft",
    "zorgverzekering declaraties",
    "telecom abonnementen",
    "verzekeringen schade",
    "storingsmeldingen",
    "retourverwerking",
    "vakantieparken boekingen",
    "ov chipkaart",
    "gemeentelijke belastingen",
    "parkeervergunningen",
    "webshop klantenservice",
    "bezorgklachten",
    "afspraken inplannen tandarts",
    "huurdersvragen",
    "incasso gesprekken",
    "subsidieaanvragen",
    "energietransitie",
    "laadpalen support",
    "mobiliteitsdiensten",
    "ticketing festival",
    "fietslease",
    "duurzame energie advies",
    "ziekteverzuim registratie",
    "uitkeringen aanvragen",
    "studiefinanciering",
    "thuiszorg planning",
]
N_CONCEPTS = 150
PARTNERS = tuple(uuid.UUID(int=0x5000 + i) for i in range(12))
LIMBURG_3 = [f"{n}" for n in range(600, 648)]
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def concept_ids() -> list[str]:
    named = [f"cc.{n}" for n in SOFT + CONTACT + TOOLS]
    return named + [f"cc.domain_{i:03d}" for i in range(N_CONCEPTS - len(named))]


def bench_policy() -> MatchPolicy:
    return MatchPolicy(
        soft_skill_concepts=frozenset(f"cc.{n}" for n in SOFT),
        customer_contact_concepts=frozenset(f"cc.{n}" for n in CONTACT),
    )


def typo(text: str, rng: np.random.Generator) -> str:
    """One random edit: drop, double, swap or replace a letter."""
    i = int(rng.integers(1, len(text) - 1))
    op = int(rng.integers(4))
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + text[i] + text[i:]
    if op == 2:
        return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]
    return text[:i] + _LETTERS[int(rng.integers(26))] + text[i + 1 :]


@dataclass
class Vocabulary:
    """Pre-built competency objects shared between profiles (as interned rows would be)."""

    concepts: list[str]
    concept_weights: np.ndarray
    concept_pool: list[list[Competency]]
    free_pool: list[list[Competency]]  # [canonical, common variants...] per base phrase


def make_vocabulary(rng: np.random.Generator) -> Vocabulary:
    concepts = concept_ids()
    order = rng.permutation(len(concepts))
    weights = 1.0 / (np.arange(len(concepts)) + 4.0)
    weights = weights[np.argsort(order)]
    pool = []
    for cid in concepts:
        label = cid.split(".", 1)[1].replace("_", " ")
        variants = []
        for j in range(12):
            text = label if j < 6 else f"ervaring {label}" if j < 9 else typo(label, rng)
            level = None if j % 2 else int(1 + j % 5)
            conf = 1.0 if j < 6 else round(float(rng.uniform(0.82, 0.97)), 2)
            variants.append(Competency(text, text, cid, conf, level))
        pool.append(variants)
    free = []
    for base in FREE_BASE:
        texts = [base] + [typo(base, rng) for _ in range(5)]
        free.append([Competency(t, t, None, 0.0, None) for t in texts])
    return Vocabulary(concepts, weights / weights.sum(), pool, free)


def make_profiles(n: int, seed: int = 7) -> tuple[list[MatchProfile], Vocabulary]:
    rng = np.random.default_rng(seed)
    vocab = make_vocabulary(rng)
    counts = rng.integers(5, 31, size=n)
    total = int(counts.sum())
    is_free = rng.random(total) < 0.15
    concept = rng.choice(len(vocab.concepts), size=total, p=vocab.concept_weights)
    variant = rng.integers(0, 12, size=total)
    free_base = rng.integers(0, len(FREE_BASE), size=total)
    free_kind = rng.random(total)
    offsets = np.concatenate(([0], np.cumsum(counts)))
    limburg = rng.random(n) < 0.6
    pc_l = rng.choice(LIMBURG_3, size=n)
    pc_nl = rng.integers(10, 100, size=n)
    last = rng.integers(0, 100, size=n)
    travel = rng.choice([10, 15, 20, 25, 30, 40, 50], size=n)
    hmin = rng.choice([8, 16, 24, 32], size=n)
    hspan = rng.choice([0, 8, 16], size=n)
    avail = rng.integers(-30, 120, size=n)
    scope_r = rng.random(n)
    shift_r = rng.integers(0, 16, size=n)
    mode_r = rng.integers(0, 8, size=n)
    pay_r = rng.random(n)
    kind_r = rng.random(n)
    sector_r = rng.random(n)
    lang_r = rng.random((n, 4))
    lang_l = rng.integers(1, 7, size=(n, 4))
    ids = rng.integers(0, 2**63, size=(n, 2), dtype=np.int64)
    shifts_all, modes_all, roles = list(Shift), list(WorkMode), list(Role)
    levels = list(CefrLevel)
    profiles = []
    for i in range(n):
        comps = []
        for j in range(int(offsets[i]), int(offsets[i + 1])):
            if is_free[j]:
                variants = vocab.free_pool[int(free_base[j])]
                f = free_kind[j]
                if f < 0.8:
                    comps.append(variants[0])
                elif f < 0.95:
                    comps.append(variants[1 + j % 5])
                else:
                    t = typo(variants[0].phrase, rng)
                    comps.append(Competency(t, t, None, 0.0, None))
            else:
                comps.append(vocab.concept_pool[int(concept[j])][int(variant[j])])
        langs = [LanguageSkill("nl", levels[min(6, 3 + int(lang_l[i, 0]) % 4)])]
        for code, share, col in (("en", 0.6, 1), ("de", 0.3, 2), ("fr", 0.1, 3)):
            if lang_r[i, col] < share:
                langs.append(LanguageSkill(code, levels[int(lang_l[i, col])]))
        if scope_r[i] < 0.8:
            scope = ConsentScope(ConsentScopeKind.ALL_PARTNERS)
        elif scope_r[i] < 0.9:
            scope = ConsentScope(
                ConsentScopeKind.ONLY, frozenset(PARTNERS[(i + k) % 12] for k in range(3))
            )
        else:
            scope = ConsentScope(ConsentScopeKind.ALL_EXCEPT, frozenset({PARTNERS[(i + 5) % 12]}))
        ready = kind_r[i] < 0.3
        pc = f"{pc_l[i]}{last[i] % 10}" if limburg[i] else f"{pc_nl[i]}{last[i]:02d}"
        pay = None
        if pay_r[i] < 0.3:
            pay = Pay(1300 + int(last[i]) * 6, PayPeriod.HOUR)
        elif pay_r[i] < 0.6:
            pay = Pay(220_000 + int(last[i]) * 1000, PayPeriod.MONTH)
        profiles.append(
            MatchProfile(
                profile_id=uuid.UUID(int=(int(ids[i, 0]) << 64) | int(ids[i, 1])),
                partner_id=PARTNERS[i % 12],
                kind=ProfileKind.READY_TO_MOVE if ready else ProfileKind.REJECTED_CANDIDATE,
                competencies=tuple(comps),
                languages=tuple(langs),
                postcode_area=pc,
                max_travel_km=int(travel[i]),
                hours_min=int(hmin[i]),
                hours_max=min(40, int(hmin[i] + hspan[i])),
                available_from=TODAY + dt.timedelta(days=int(avail[i])),
                consent_scope=scope,
                shifts=frozenset(s for b, s in enumerate(shifts_all) if shift_r[i] >> b & 1)
                if shift_r[i] > 6
                else frozenset(),
                work_modes=frozenset(m for b, m in enumerate(modes_all) if mode_r[i] >> b & 1)
                if mode_r[i] > 3
                else frozenset(),
                min_pay=pay,
                ambitions=(roles[1 + i % 8], roles[1 + (i * 7) % 8]) if ready else (),
                current_role=roles[i % 2] if ready else None,
                transferable_sectors=(("horeca", "retail", "zorg")[i % 3],)
                if sector_r[i] < 0.25
                else (),
            )
        )
    return profiles, vocab


def make_vacancies(n: int, vocab: Vocabulary, seed: int = 11) -> list[MatchVacancy]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        n_req = int(rng.integers(2, 9))
        n_must = int(rng.choice([0, 1, 1, 2, 3]))
        reqs = []
        for j in range(n_req):
            must = j < n_must
            if rng.random() < 0.15 and not must:
                base = vocab.free_pool[int(rng.integers(len(FREE_BASE)))][0].phrase
                reqs.append(Requirement(base, base, None, 0.0, must, 1.0))
            else:
                cid = vocab.concepts[int(rng.choice(len(vocab.concepts), p=vocab.concept_weights))]
                label = cid.split(".", 1)[1].replace("_", " ")
                min_level = int(rng.integers(2, 5)) if rng.random() < 0.3 else None
                reqs.append(
                    Requirement(
                        label, label, cid, 1.0, must, float(rng.choice([1, 1, 2])), min_level
                    )
                )
        langs = [LanguageRequirement("nl", CefrLevel.B2, True)]
        if rng.random() < 0.3:
            langs.append(LanguageRequirement("de", CefrLevel.B1, bool(rng.random() < 0.5)))
        mode = (
            WorkMode.ON_SITE
            if rng.random() < 0.7
            else WorkMode.HYBRID
            if rng.random() < 0.67
            else WorkMode.REMOTE
        )
        pc = (
            f"{rng.choice(LIMBURG_3)}{int(rng.integers(10))}"
            if rng.random() < 0.75
            else f"{int(rng.integers(10, 100))}{int(rng.integers(10, 100))}"
        )
        out.append(
            MatchVacancy(
                vacancy_id=uuid.UUID(int=(1 << 120) + i),
                partner_id=PARTNERS[i % 12],
                requirements=tuple(reqs),
                languages=tuple(langs),
                postcode_area=pc,
                hours_min=int(rng.choice([16, 24, 32])),
                hours_max=40,
                start_date=TODAY + dt.timedelta(days=int(rng.integers(0, 60))),
                role=Role.AGENT if rng.random() < 0.8 else list(Role)[int(rng.integers(1, 9))],
                shifts=frozenset({Shift.EVENING}) if rng.random() < 0.3 else frozenset(),
                work_mode=mode,
                pay_max=Pay(int(rng.integers(240_000, 340_000)), PayPeriod.MONTH)
                if rng.random() < 0.5
                else None,
                soft_skill_weight=1.5,
            )
        )
    return out


def perfect_for(
    v: MatchVacancy, n: int, *, partner_id: uuid.UUID = uuid.UUID(int=0xFFFF)
) -> MatchProfile:
    """A profile meeting every requirement of ``v``, with a smallest-first id (wins ties)."""
    comps = [
        Competency(r.phrase, r.normalized, r.concept_id, 1.0 if r.concept_id else 0.0, 5)
        for r in v.requirements
    ]
    return MatchProfile(
        profile_id=uuid.UUID(int=n + 1),
        partner_id=partner_id,
        kind=ProfileKind.REJECTED_CANDIDATE,
        competencies=tuple(comps),
        languages=(LanguageSkill("nl", CefrLevel.NATIVE), LanguageSkill("de", CefrLevel.C2)),
        postcode_area=v.postcode_area,
        max_travel_km=50,
        hours_min=v.hours_min,
        hours_max=v.hours_max,
        available_from=TODAY,
        consent_scope=ConsentScope(ConsentScopeKind.ALL_PARTNERS),
    )
