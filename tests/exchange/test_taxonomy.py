"""ESCO concepts imported into PostgreSQL join the shipped taxonomy, idempotently."""

from __future__ import annotations

from exchange.competencies import CompetencyNormalizer
from exchange.taxonomy.service import import_concepts, load_taxonomy
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from matching.taxonomy import Taxonomy, parse_esco_csv

ESCO_EXPORT = [
    "conceptUri,preferredLabel,altLabels,skillType,reuseLevel",
    'http://data.europa.eu/esco/skill/t-1,use speech analytics,"speech analytics\nspraakanalyse",'
    "skill/competence,sector-specific",
    "http://data.europa.eu/esco/skill/t-2,handle chargebacks,,skill/competence,sector-specific",
]
EXTRACTOR_SHAPE = [
    "id,description",
    "http://data.europa.eu/esco/skill/t-2,handle chargebacks",
]


async def test_import_is_idempotent_and_feeds_the_normalizer(db: ConnectionDatabase) -> None:
    shipped = len(Taxonomy.load_default())
    async with db.transaction(AccessScope.system()) as conn:
        first = await import_concepts(conn, parse_esco_csv(ESCO_EXPORT), source="test")
        again = await import_concepts(conn, parse_esco_csv(ESCO_EXPORT), source="test")
        merged = await import_concepts(conn, parse_esco_csv(EXTRACTOR_SHAPE), source="test")
        taxonomy = await load_taxonomy(conn)
    assert (first.read, first.changed, first.total_concepts) == (2, 2, shipped + 2)
    assert again.changed == 0 and again.version == first.version
    assert merged.changed == 0 and merged.total_concepts == shipped + 2
    assert taxonomy.version == first.version

    normalizer = CompetencyNormalizer(taxonomy)
    async with db.transaction(AccessScope.system()) as conn:
        [hit] = await normalizer.normalize(conn, ["Use speech-analytics"])
        cached = await conn.fetchval(
            "select concept_id from phrase_normalization where normalized = $1 "
            "and taxonomy_version = $2",
            hit.normalized,
            normalizer.cache_version,
        )
    assert hit.concept_id in {"esco.t-1", "cc.tool_speech_analytics"}
    assert cached == hit.concept_id
