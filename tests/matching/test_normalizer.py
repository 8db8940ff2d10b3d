"""Mapping free phrases to taxonomy concepts."""

from __future__ import annotations

import pytest

from matching.normalizer import EXACT_SCORE, Normalizer
from matching.taxonomy import Concept, Taxonomy


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer(Taxonomy.load_default())


def concept_of(normalizer: Normalizer, phrase: str) -> str | None:
    return normalizer.normalize(phrase).concept_id


@pytest.mark.parametrize(
    "phrase",
    [
        "klachtenafhandeling",
        "klachten afhandelen",
        "complaint handling",
        "Klachten-afhandeling",
        "klacht afhandeling",
        "afhandelen van klachten",
        "ervaring met klachtenafhandeling",
    ],
)
def test_complaint_phrasings_meet_in_one_concept(normalizer: Normalizer, phrase: str) -> None:
    assert concept_of(normalizer, phrase) == "cc.complaint_handling"


def test_framing_does_not_change_the_concept(normalizer: Normalizer) -> None:
    framed = normalizer.normalize("ervaring met Zendesk")
    plain = normalizer.normalize("zendesk")
    assert framed.concept_id == plain.concept_id == "cc.tool_zendesk"
    assert framed.normalized == "zendesk"
    assert framed.score == plain.score == EXACT_SCORE


@pytest.mark.parametrize(
    ("phrase", "concept_id"),
    [
        ("zendsk", "cc.tool_zendesk"),  # one deletion
        ("Salesfroce", "cc.tool_salesforce"),  # one transposition
        ("klachtenafhandling", "cc.complaint_handling"),
        ("stressbestendg", "cc.stress_resistance"),
        ("empatie", "cc.empathy"),
        ("klachtnafhandlng", "cc.complaint_handling"),  # two edits
        ("stresbestendigheid", "cc.stress_resistance"),
        ("Genesis cloud", "cc.tool_genesys"),
        ("debiteurenbehher", "cc.debt_collection"),
        ("klanttevredenhied", "cc.customer_satisfaction"),
    ],
)
def test_typos_at_edit_distance_one_and_two_still_match(
    normalizer: Normalizer, phrase: str, concept_id: str
) -> None:
    result = normalizer.normalize(phrase)
    assert result.concept_id == concept_id
    assert normalizer.threshold <= result.score < EXACT_SCORE


@pytest.mark.parametrize(
    ("phrase", "concept_id"),
    [
        ("energiesector", "cc.sector_energy"),
        ("horecaervaring", "cc.sector_hospitality"),
        ("klant contact", "cc.customer_service"),
        ("help desk medewerker", "cc.helpdesk_servicedesk"),
        ("werkzaam bij een zorgverzekeraar", "cc.sector_health_insurance"),
        ("Knowledge of MS Excel", "cc.tool_excel"),
        ("first line support", "cc.first_line_support"),
        ("webcare", "cc.channel_social_media"),
    ],
)
def test_compounds_and_wordings(normalizer: Normalizer, phrase: str, concept_id: str) -> None:
    assert concept_of(normalizer, phrase) == concept_id


@pytest.mark.parametrize(
    "phrase", ["asdf qwerty", "paardrijden op zondag", "vrachtwagenchauffeur", "Duits B2", "", "!!"]
)
def test_nonsense_stays_free_with_low_confidence(normalizer: Normalizer, phrase: str) -> None:
    result = normalizer.normalize(phrase)
    assert result.concept_id is None
    assert result.label_nl is None and result.label_en is None
    assert result.score < normalizer.threshold
    assert result.confidence < 0.6


def test_a_free_phrase_still_reports_its_candidates(normalizer: Normalizer) -> None:
    result = Normalizer(normalizer.taxonomy, threshold=99.5).normalize("klachtenafhandling")
    assert result.concept_id is None
    assert result.candidates[0].concept_id == "cc.complaint_handling"
    assert result.candidates[0].matched_variant == "klachtenafhandeling"


def test_result_carries_labels_and_ranked_candidates(normalizer: Normalizer) -> None:
    result = normalizer.normalize("klachten en escalaties afhandelen")
    assert result.concept_id is not None
    assert 1 <= len(result.candidates) <= 5
    assert result.candidates[0].concept_id == result.concept_id
    assert result.label_nl == normalizer.taxonomy[result.concept_id].label_nl
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert len({c.concept_id for c in result.candidates}) == len(result.candidates)
    competency = result.to_competency(level=3)
    assert competency.concept_id == result.concept_id
    assert competency.confidence == pytest.approx(result.score / 100)


def test_batch_equals_one_by_one_and_is_deterministic(normalizer: Normalizer) -> None:
    phrases = ["zendsk", "klant contact", "asdf", "Zendesk", "zendsk", "stresbestendig", "chat"]
    batch = normalizer.normalize_many(phrases)
    single = [Normalizer(normalizer.taxonomy).normalize(p) for p in phrases]
    assert batch == single
    assert [r.phrase for r in batch] == phrases
    assert Normalizer(normalizer.taxonomy).normalize_many(reversed(phrases)) == batch[::-1]


def test_ties_break_by_concept_id() -> None:
    taxonomy = Taxonomy.from_concepts(
        [
            Concept("cc.b_second", None, "tool", False, "Beta", "Beta", ("werkplek alfa",)),
            Concept("cc.a_first", None, "tool", False, "Alfa", "Alfa", ("werkplek alfa",)),
        ]
    )
    result = Normalizer(taxonomy).normalize("werkplek alfaa")
    assert [c.concept_id for c in result.candidates] == ["cc.a_first", "cc.b_second"]
    assert result.candidates[0].score == result.candidates[1].score


def test_cache_and_taxonomy_changes() -> None:
    taxonomy = Taxonomy.load_default()
    normalizer = Normalizer(taxonomy, cache_size=2)
    assert normalizer.normalize("kwantumfluxcondensator").concept_id is None
    for phrase in ["a1", "b2", "c3"]:
        normalizer.normalize(phrase)
    assert len(normalizer._cache) == 2
    taxonomy.add(
        [Concept("cc.flux", None, "tool", False, "Flux", "Flux", ("kwantumfluxcondensator",))]
    )
    assert normalizer.normalize("kwantumfluxcondensator").concept_id == "cc.flux"


def test_threshold_is_validated() -> None:
    with pytest.raises(ValueError, match="threshold"):
        Normalizer(Taxonomy.load_default(), threshold=120)
