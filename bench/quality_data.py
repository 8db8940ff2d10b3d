"""A labelled ranking set for ``bench/quality.py``: vacancies, profiles, true grades.

Every phrase is generated from a known concept (or from none, for off-topic free
phrases), so each profile's *true* concepts are known and its relevance grade
for a vacancy is computed from them, never from what a matcher makes of the
text (:func:`grade`):

* 3: all must-haves and at least two thirds of the nice-to-haves;
* 2: all must-haves, fewer nice-to-haves;
* 1: partial — some requirement concept, but a must-have missing;
* 0: none of the vacancy's concepts.

Per vacancy the set plants 5 strong fits, 5 must-haves-only fits, 3 partial
fits and 4 *distractors*: profiles whose phrases are labels or variants of
*other* concepts that look like the vacancy's (shared words or letters, e.g.
"klachten afhandelen" for a vacancy asking "klantvragen afhandelen"; pairs
where one phrase's words contain the other's are left out as too close in
meaning). Thousands of background profiles of random concepts are graded too,
so an accidental fit counts as one.

Surface forms are taxonomy labels and variants with noise the generator applies
at random (typos at edit distance 1-2, CV framings such as "ervaring met X" or
"X (3 jaar)", case and punctuation, joined or split compounds, word order), or
the *holdout* rows of ``bench/data/noisy_phrases.csv`` (never the rows the
normaliser was tuned on). Vacancies use clean labels (Dutch or English) or a
variant. With ``same_wording`` the planted profiles instead put the vacancy's own
words through that noise: a set where string similarity has a fair chance.
Nothing here is tuned to the matcher; everything is seeded.

Hard filters cannot confound the comparison: all profiles are from one sharing
partner, in the vacancy's postcode area, available, with compatible hours, no
shift/pay/work-mode limits, native Dutch, no growth or sector credit.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import numpy as np
from rapidfuzz import fuzz, process

from bench.baselines import fold
from matching.normalizer import Normalizer
from matching.taxonomy import Taxonomy
from matching.text import split_compound
from matching.types import (
    CefrLevel,
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
VIEWER = UUID(int=0xA11CE)  # the partner that posts every vacancy
SHARER = UUID(int=0xB0B)  # the partner that shares every profile
POSTCODE = "6211"
PLANTED = {"fit3": 5, "fit2": 5, "partial": 3, "distractor": 4}

# How often each kind of noise shapes a profile phrase ("variant": a clean label or variant).
NOISE_WEIGHTS = dict(
    variant=0.15, typo1=0.22, typo2=0.10, framing=0.15, framing_typo=0.05,
    case_punct=0.08, compound=0.10, word_order=0.05, holdout=0.10,
)  # fmt: skip
TEXT_NOISE = tuple(kind for kind in NOISE_WEIGHTS if kind != "holdout")
FRAMINGS = (  # CV framings around a competency, Dutch and English
    "ervaring met {}", "kennis van {}", "{} ervaring", "3 jaar ervaring met {}",
    "ruime ervaring in {}", "werken met {}", "goed in {}", "bekend met {}", "{} (2 jaar)",
    "experience with {}", "knowledge of {}", "{} experience", "skilled in {}", "2 years of {}",
)  # fmt: skip
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    concept_id: str | None  # the concept it was generated from; None: off-topic
    noise: str


@dataclass(frozen=True, slots=True)
class LabelledProfile:
    profile_id: UUID
    phrases: tuple[Phrase, ...]
    planted_as: str  # "fit3", "fit2", "partial", "distractor" or "background"
    planted_for: int | None  # index of the vacancy it was planted for

    @property
    def concepts(self) -> frozenset[str]:
        return frozenset(p.concept_id for p in self.phrases if p.concept_id)


@dataclass(frozen=True, slots=True)
class LabelledRequirement:
    phrase: str
    concept_id: str
    must_have: bool
    weight: float


@dataclass(frozen=True, slots=True)
class LabelledVacancy:
    vacancy_id: UUID
    requirements: tuple[LabelledRequirement, ...]

    @property
    def musts(self) -> frozenset[str]:
        return frozenset(r.concept_id for r in self.requirements if r.must_have)

    @property
    def nice(self) -> frozenset[str]:
        return frozenset(r.concept_id for r in self.requirements if not r.must_have)


def strong_share(n_nice: int) -> int:
    """Nice-to-haves a grade-3 profile holds: at least two thirds, rounded up."""
    return -(-2 * n_nice // 3)


def grade(vacancy: LabelledVacancy, concepts: frozenset[str]) -> int:
    """True relevance 0-3 of a profile with ``concepts`` for ``vacancy``."""
    if vacancy.musts <= concepts:
        return 3 if len(vacancy.nice & concepts) >= strong_share(len(vacancy.nice)) else 2
    return 1 if (vacancy.musts | vacancy.nice) & concepts else 0


@dataclass
class RankingSet:
    vacancies: list[LabelledVacancy]
    profiles: list[LabelledProfile]

    def grades(self, vacancy: LabelledVacancy) -> dict[UUID, int]:
        """Every profile's true grade for ``vacancy`` (zeros included)."""
        return {p.profile_id: grade(vacancy, p.concepts) for p in self.profiles}


class SurfaceForms:
    """Noisy surface forms of concepts, drawn with a seeded generator."""

    def __init__(
        self, taxonomy: Taxonomy, holdout: dict[str, list[str]], rng: random.Random
    ) -> None:
        self.taxonomy = taxonomy
        self.holdout = holdout
        self.rng = rng
        self.lexicon = frozenset(
            w
            for c in taxonomy.concepts
            for p in c.all_phrases
            for w in fold(p).split()
            if len(w) >= 4
        )
        self.kinds = list(NOISE_WEIGHTS)
        self.weights = list(NOISE_WEIGHTS.values())

    def typo(self, text: str) -> str:
        """One edit (drop, double, swap, replace a letter) in a word of 4+ letters."""
        words = text.split(" ")
        long = [i for i, w in enumerate(words) if len(w) >= 4]
        if not long:
            return text
        i = self.rng.choice(long)
        w = words[i]
        at = self.rng.randrange(1, len(w) - 1)
        op = self.rng.randrange(4)
        if op == 0:
            w = w[:at] + w[at + 1 :]
        elif op == 1:
            w = w[:at] + w[at] + w[at:]
        elif op == 2:
            w = w[: at - 1] + w[at] + w[at - 1] + w[at + 1 :]
        else:
            w = w[:at] + self.rng.choice(_LETTERS) + w[at + 1 :]
        words[i] = w
        return " ".join(words)

    def compound(self, text: str) -> str | None:
        words = fold(text).split()
        if 2 <= len(words) <= 3:
            return ("-" if self.rng.random() < 0.3 else "").join(words)
        if len(words) == 1 and len(words[0]) >= 8:
            parts = split_compound(words[0], self.lexicon, split_known=True)
            return " ".join(parts) if parts else None
        return None

    def apply(self, text: str, kind: str) -> Phrase | None:
        """``text`` with noise ``kind``; None when that noise does not apply to it."""
        rng = self.rng
        out: str | None = text
        if kind in ("typo1", "typo2"):
            out = self.typo(text)
            if kind == "typo2":
                out = self.typo(out)
        elif kind in ("framing", "framing_typo"):
            inner = fold(text) if rng.random() < 0.7 else text
            out = rng.choice(FRAMINGS).format(inner)
            out = self.typo(out) if kind == "framing_typo" else out
        elif kind == "case_punct":
            out = rng.choice((str.upper, str.title, lambda s: s.replace(" ", "-") + "!"))(text)
        elif kind == "compound":
            out = self.compound(text)
        elif kind == "word_order":
            words = text.split()
            out = " ".join(reversed(words)) if len(words) >= 2 else None
        if out is None or (out == text and kind != "variant"):
            return None
        return Phrase(out, None, kind)

    def of_concept(self, concept_id: str) -> Phrase:
        """A random surface form of ``concept_id``."""
        kind = self.rng.choices(self.kinds, self.weights)[0]
        if kind == "holdout" and self.holdout.get(concept_id):
            return Phrase(self.rng.choice(self.holdout[concept_id]), concept_id, "holdout")
        variant = self.rng.choice(self.taxonomy.get(concept_id).all_phrases)  # type: ignore[union-attr]
        return self.of_text(variant, concept_id, kind if kind != "holdout" else "typo1")

    def of_text(self, text: str, concept_id: str | None, kind: str | None = None) -> Phrase:
        """``text`` with noise ``kind`` (random among text noises when None)."""
        kind = kind or self.rng.choices(TEXT_NOISE, [NOISE_WEIGHTS[k] for k in TEXT_NOISE])[0]
        made = self.apply(text, kind) or Phrase(text, None, "variant")
        return Phrase(made.text, concept_id, made.noise)


def confusables(taxonomy: Taxonomy, per_concept: int = 3) -> dict[str, list[tuple[str, str]]]:
    """Per concept: (other concept, its phrase) pairs that look most alike.

    Alike is the larger of ``fuzz.ratio`` and ``fuzz.token_set_ratio`` between
    folded phrases (at least 60); pairs where one phrase's words contain the
    other's ("klantenservice" / "telefonische klantenservice") are skipped.
    """
    items = [(c.id, fold(p)) for c in taxonomy.concepts for p in c.all_phrases if len(fold(p)) > 3]
    texts = [t for _, t in items]
    position = {c.id: i for i, c in enumerate(taxonomy.concepts)}
    owners = np.asarray([position[c] for c, _ in items])
    sim = np.maximum(
        process.cdist(texts, texts, scorer=fuzz.ratio, dtype=np.float32, workers=-1),
        process.cdist(texts, texts, scorer=fuzz.token_set_ratio, dtype=np.float32, workers=-1),
    )
    sim[owners[:, None] == owners[None, :]] = 0.0
    words = [frozenset(t.split()) for t in texts]
    by_concept: dict[str, list[int]] = {}
    for i, (cid, _) in enumerate(items):
        by_concept.setdefault(cid, []).append(i)
    out: dict[str, list[tuple[str, str]]] = {}
    for cid, rows in by_concept.items():
        block = sim[rows]
        picked: list[tuple[str, str]] = []
        for flat in np.argsort(-block, axis=None, kind="stable"):
            r, j = rows[flat // len(texts)], int(flat % len(texts))
            if block.flat[flat] < 60 or len(picked) >= per_concept:
                break
            if words[r] <= words[j] or words[j] <= words[r]:
                continue
            if all(items[j][0] != other for other, _ in picked):
                picked.append((items[j][0], texts[j]))
        out[cid] = picked
    return out


def build_ranking_set(
    taxonomy: Taxonomy,
    holdout: dict[str, list[str]],
    free_phrases: Sequence[str],
    *,
    vacancies: int = 40,
    background: int = 3000,
    seed: int = 1,
    same_wording: bool = False,
) -> RankingSet:
    """The labelled set: ``vacancies`` vacancies, planted profiles and ``background`` more.

    ``same_wording``: planted profiles express the vacancy's concepts in the
    vacancy's own words (with the same noise) instead of any label or variant, so
    only noise, not synonymy, separates them. The vacancies are the same; the
    profiles are drawn from the same distributions otherwise.
    """
    rng = random.Random(seed)
    forms = SurfaceForms(taxonomy, holdout, rng)
    concept_ids = [c.id for c in taxonomy.concepts]
    alike = confusables(taxonomy)

    def new_id() -> UUID:
        return UUID(int=rng.getrandbits(128))

    def extra(n: int, avoid: frozenset[str], free: int) -> list[Phrase]:
        pool = [c for c in concept_ids if c not in avoid]
        phrases = [forms.of_concept(c) for c in rng.sample(pool, n)]
        phrases += [Phrase(rng.choice(free_phrases), None, "free") for _ in range(free)]
        return phrases

    labelled_vacancies: list[LabelledVacancy] = []
    profiles: list[LabelledProfile] = []
    for v in range(vacancies):
        chosen = rng.sample(concept_ids, rng.randint(4, 6))
        n_must = 2 if rng.random() < 0.7 else 3
        reqs = []
        for j, cid in enumerate(chosen):
            concept = taxonomy.get(cid)
            assert concept is not None
            roll = rng.random()
            text = (
                concept.label("nl")
                if roll < 0.5
                else concept.label("en")
                if roll < 0.7
                else rng.choice(concept.all_phrases)
            )
            text = text[:1].upper() + text[1:]
            reqs.append(LabelledRequirement(text, cid, j < n_must, rng.choice((1.0, 1.0, 2.0))))
        vacancy = LabelledVacancy(new_id(), tuple(reqs))
        labelled_vacancies.append(vacancy)
        musts, nice = sorted(vacancy.musts), sorted(vacancy.nice)
        wording = {r.concept_id: r.phrase for r in reqs}
        avoid = vacancy.musts | vacancy.nice
        strong = strong_share(len(nice))
        for role, count in PLANTED.items():
            for _ in range(count):
                if role == "fit3":
                    held = musts + rng.sample(nice, rng.randint(strong, len(nice)))
                elif role == "fit2":
                    held = musts + rng.sample(nice, rng.randint(0, max(0, strong - 1)))
                elif role == "partial":
                    kept = rng.sample(musts, rng.randint(0, len(musts) - 1))
                    held = kept + rng.sample(nice, rng.randint(1, len(nice)))
                else:
                    held = []
                phrases = [
                    forms.of_text(wording[c], c) if same_wording else forms.of_concept(c)
                    for c in held
                ]
                if role == "distractor":
                    for cid in musts + nice:
                        if alike[cid]:
                            other, text = rng.choice(alike[cid])
                            phrases.append(forms.of_text(text, other))
                phrases += extra(rng.randint(3, 8), avoid, rng.randint(0, 1))
                rng.shuffle(phrases)
                profiles.append(LabelledProfile(new_id(), tuple(phrases), role, v))
    for _ in range(background):
        phrases = extra(rng.randint(5, 15), frozenset(), rng.randint(0, 2))
        profiles.append(LabelledProfile(new_id(), tuple(phrases), "background", None))
    rng.shuffle(profiles)
    return RankingSet(labelled_vacancies, profiles)


def match_profiles(ranking_set: RankingSet, normalizer: Normalizer) -> list[MatchProfile]:
    """The profiles as the matcher gets them: every phrase normalised at write time."""
    texts = [ph.text for p in ranking_set.profiles for ph in p.phrases]
    results = iter(normalizer.normalize_many(texts))
    out = []
    for p in ranking_set.profiles:
        out.append(
            MatchProfile(
                profile_id=p.profile_id,
                partner_id=SHARER,
                kind=ProfileKind.REJECTED_CANDIDATE,
                competencies=tuple(next(results).to_competency() for _ in p.phrases),
                languages=(LanguageSkill("nl", CefrLevel.NATIVE),),
                postcode_area=POSTCODE,
                max_travel_km=30,
                hours_min=16,
                hours_max=40,
                available_from=TODAY - dt.timedelta(days=7),
                consent_scope=ConsentScope(ConsentScopeKind.ALL_PARTNERS),
            )
        )
    return out


def match_vacancies(ranking_set: RankingSet, normalizer: Normalizer) -> list[MatchVacancy]:
    """The vacancies as the matcher gets them: requirement phrases normalised at write time."""
    out = []
    for v in ranking_set.vacancies:
        results = normalizer.normalize_many(r.phrase for r in v.requirements)
        out.append(
            MatchVacancy(
                vacancy_id=v.vacancy_id,
                partner_id=VIEWER,
                requirements=tuple(
                    Requirement(
                        phrase=r.phrase,
                        normalized=n.normalized,
                        concept_id=n.concept_id,
                        confidence=n.confidence,
                        must_have=r.must_have,
                        weight=r.weight,
                    )
                    for r, n in zip(v.requirements, results, strict=True)
                ),
                languages=(LanguageRequirement("nl", CefrLevel.B2, True),),
                postcode_area=POSTCODE,
                hours_min=24,
                hours_max=32,
                start_date=TODAY + dt.timedelta(days=14),
                soft_skill_weight=1.0,
            )
        )
    return out
