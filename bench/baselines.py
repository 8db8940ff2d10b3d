"""The baselines a team would otherwise write, on the plain data the matcher gets.

All rankers score a profile the same way, so that only *how a requirement is
met* differs between them::

    score = 100 * sum(weight_i * sim_i) / sum(weight_i)      (sim_i in 0..1)

where ``sim_i`` is the best similarity of any of the profile's phrases to
requirement ``i`` (0 below the ranker's cut-off). A profile that meets nothing
is out, and so (unless ``gate=False``) is one that misses a must-have. Ties rank
by profile id, like the matcher.

* **pg_trgm** (:func:`pg_trgm_setup`, :func:`pg_trgm_connect`, :func:`pg_trgm_top_k`):
  the unique profile phrases in a GIN ``gin_trgm_ops``-indexed table; per
  requirement a ``%`` lookup (``set_limit``, default 0.3) in that table, then
  aggregation per profile in SQL — one round trip per vacancy.
  :func:`pg_trgm_normalize` maps phrases to the concept with the most
  trigram-similar label or variant (:func:`pg_trgm_load_taxonomy` first).
* **exact string match** (:class:`ExactLookup`, :class:`ExactMatch`): equality
  after lower-casing and whitespace folding; for normalisation an exact
  label/variant lookup, for ranking phrase equality (optionally also equality
  of the concepts both phrases look up to).
* **per-profile loop** (:func:`per_profile_loop`): rapidfuzz ``token_set_ratio``
  of every requirement against every phrase of every profile.

Tables live in their own schema (``schema=``) of whatever database the DSN
names; point it at a scratch database, never the app's.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg
from rapidfuzz import fuzz

from matching.taxonomy import Taxonomy
from matching.types import MatchProfile, MatchVacancy

__all__ = [
    "DEFAULT_LOOP_CUTOFF",
    "DEFAULT_TRGM_LIMIT",
    "ExactLookup",
    "ExactMatch",
    "PgTrgmLoad",
    "Ranking",
    "fold",
    "per_profile_loop",
    "per_profile_sims",
    "pg_trgm_connect",
    "pg_trgm_load_taxonomy",
    "pg_trgm_normalize",
    "pg_trgm_setup",
    "pg_trgm_top_k",
    "rank_scores",
    "score",
]

DEFAULT_TRGM_LIMIT = 0.3  # pg_trgm's own default for ``%``
DEFAULT_LOOP_CUTOFF = 80.0  # same cut-off the matcher uses for free phrases
DEFAULT_SCHEMA = "trgm_baseline"
Ranking = list[tuple[UUID, float]]


def fold(text: str) -> str:
    """Lower case with runs of white space folded to one space: all "exact" ignores."""
    return " ".join(text.casefold().split())


def score(sims: Sequence[float], vacancy: MatchVacancy, gate: bool = True) -> float | None:
    """The shared formula; None when nothing is met, or (``gate``) a must-have is not."""
    total = sum(r.weight for r in vacancy.requirements)
    if total <= 0:
        return None
    points = 0.0
    for req, sim in zip(vacancy.requirements, sims, strict=True):
        if gate and req.must_have and sim <= 0.0:
            return None
        points += req.weight * sim
    return round(100.0 * points / total, 2) if points > 0 else None


def rank_scores(scored: Iterable[tuple[UUID, float | None]], k: int) -> Ranking:
    """The ``k`` best (profile id, score) pairs, score descending then id ascending."""
    kept = [(pid, s) for pid, s in scored if s is not None]
    kept.sort(key=lambda item: (-item[1], item[0].int))
    return kept[:k]


# -- (b) exact string match ------------------------------------------------------------


class ExactLookup:
    """Normalisation by exact lookup of the folded phrase among labels and variants."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.by_text: dict[str, str] = {}
        for concept in taxonomy.concepts:
            for phrase in concept.all_phrases:
                self.by_text.setdefault(fold(phrase), concept.id)

    def concept_of(self, phrase: str) -> str | None:
        return self.by_text.get(fold(phrase))

    def normalize(self, phrases: Iterable[str]) -> list[str | None]:
        return [self.concept_of(p) for p in phrases]


class ExactMatch:
    """Ranking by phrase equality, from an inverted index folded phrase -> profiles.

    With ``lookup``, a requirement is also met by a profile phrase that looks up
    to the same concept (both phrases exactly a label or variant of it).
    """

    def __init__(self, profiles: Sequence[MatchProfile], lookup: ExactLookup | None = None) -> None:
        self.profile_ids = [p.profile_id for p in profiles]
        self.lookup = lookup
        self.by_text: dict[str, set[int]] = {}
        self.by_concept: dict[str, set[int]] = {}
        for i, profile in enumerate(profiles):
            for comp in profile.competencies:
                text = fold(comp.phrase)
                self.by_text.setdefault(text, set()).add(i)
                concept = lookup.by_text.get(text) if lookup else None
                if concept:
                    self.by_concept.setdefault(concept, set()).add(i)

    def top_k(self, vacancy: MatchVacancy, k: int, *, gate: bool = True) -> Ranking:
        met: list[set[int]] = []
        for req in vacancy.requirements:
            text = fold(req.phrase)
            hits = set(self.by_text.get(text, ()))
            concept = self.lookup.by_text.get(text) if self.lookup else None
            if concept:
                hits |= self.by_concept.get(concept, set())
            met.append(hits)
        candidates = set().union(*met) if met else set()
        return rank_scores(
            (
                (self.profile_ids[i], score([1.0 if i in m else 0.0 for m in met], vacancy, gate))
                for i in candidates
            ),
            k,
        )


# -- (c) per-profile rapidfuzz loop ------------------------------------------------------


def per_profile_sims(
    profiles: Sequence[MatchProfile], vacancy: MatchVacancy, cutoff: float = DEFAULT_LOOP_CUTOFF
) -> list[tuple[UUID, list[float]]]:
    """Per profile, per requirement: its best ``token_set_ratio`` / 100 (0 below ``cutoff``)."""
    texts = [fold(r.phrase) for r in vacancy.requirements]
    out: list[tuple[UUID, list[float]]] = []
    for profile in profiles:
        phrases = [fold(c.phrase) for c in profile.competencies]
        sims = []
        for text in texts:
            best = max((fuzz.token_set_ratio(text, p) for p in phrases), default=0.0)
            sims.append(best / 100.0 if best >= cutoff else 0.0)
        out.append((profile.profile_id, sims))
    return out


def per_profile_loop(
    profiles: Sequence[MatchProfile],
    vacancy: MatchVacancy,
    k: int,
    *,
    cutoff: float = DEFAULT_LOOP_CUTOFF,
    gate: bool = True,
) -> Ranking:
    """Every requirement against every phrase of every profile with ``token_set_ratio``."""
    sims = per_profile_sims(profiles, vacancy, cutoff)
    return rank_scores(((pid, score(s, vacancy, gate)) for pid, s in sims), k)


# -- (a) PostgreSQL pg_trgm ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PgTrgmLoad:
    schema: str
    profiles: int
    phrases: int  # unique folded phrases
    links: int  # (profile, phrase) rows
    seconds: float  # load, index, vacuum and analyze


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum() or not name[0].isalpha():
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


async def pg_trgm_setup(
    dsn: str, profiles: Sequence[MatchProfile], *, schema: str = DEFAULT_SCHEMA
) -> PgTrgmLoad:
    """(Re)create ``schema`` with ``phrase`` and ``profile_phrase`` for ``profiles``.

    Needs a role that may create the pg_trgm extension (or a database that has it).
    """
    schema = _ident(schema)
    started = time.perf_counter()
    phrase_ids: dict[str, int] = {}
    links: set[tuple[UUID, int]] = set()
    for profile in profiles:
        for comp in profile.competencies:
            text = fold(comp.phrase)
            if text:
                pid = phrase_ids.setdefault(text, len(phrase_ids) + 1)
                links.add((profile.profile_id, pid))
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("create extension if not exists pg_trgm with schema public")
        await conn.execute(
            f"""
            drop schema if exists {schema} cascade;
            create schema {schema};
            create table {schema}.phrase (id integer primary key, text text not null);
            create table {schema}.profile_phrase (
                phrase_id integer not null, profile_id uuid not null
            );
            """
        )
        await conn.copy_records_to_table(
            "phrase", schema_name=schema, records=[(i, t) for t, i in phrase_ids.items()]
        )
        ordered_links = sorted(links, key=lambda link: (link[1], link[0].int))
        await conn.copy_records_to_table(
            "profile_phrase",
            schema_name=schema,
            columns=["profile_id", "phrase_id"],
            records=ordered_links,
        )
        await conn.execute(
            f"""
            create index phrase_text_trgm on {schema}.phrase using gin (text public.gin_trgm_ops);
            alter table {schema}.profile_phrase add primary key (phrase_id, profile_id);
            """
        )
        for table in ("phrase", "profile_phrase"):  # visibility map: index-only scans
            await conn.execute(f"vacuum (analyze) {schema}.{table}")
    finally:
        await conn.close()
    return PgTrgmLoad(
        schema, len(profiles), len(phrase_ids), len(links), time.perf_counter() - started
    )


async def pg_trgm_connect(
    dsn: str, *, schema: str = DEFAULT_SCHEMA, limit: float = DEFAULT_TRGM_LIMIT
) -> asyncpg.Connection:
    """A connection on ``schema`` with ``set_limit(limit)`` for the ``%`` operator."""
    conn = await asyncpg.connect(dsn, server_settings={"search_path": f"{_ident(schema)}, public"})
    await conn.fetchval("select set_limit($1::real)", limit)
    return conn


_TOP_K = """
with req as (
    select r.n, r.text, r.weight, r.must
    from unnest($1::text[], $2::float8[], $3::bool[]) with ordinality as r(text, weight, must, n)
),
hit as (  -- per requirement, the similar unique phrases (GIN index on phrase.text)
    select req.n, p.id as phrase_id, similarity(p.text, req.text) as sim
    from req join phrase p on p.text % req.text
),
best as (  -- per profile and requirement, its most similar phrase
    select pp.profile_id, hit.n, max(hit.sim) as sim
    from hit join profile_phrase pp on pp.phrase_id = hit.phrase_id
    group by pp.profile_id, hit.n
),
scored as (
    select best.profile_id,
           100.0 * sum(req.weight * best.sim) / $4::float8 as score,
           count(*) filter (where req.must) as musts
    from best join req using (n)
    group by best.profile_id
)
select profile_id, round(score::numeric, 2)::float8 as score
from scored
where musts = $5::int or not $7::bool
order by score desc, profile_id
limit $6::int
"""


async def pg_trgm_top_k(
    conn: asyncpg.Connection, vacancy: MatchVacancy, k: int, *, gate: bool = True
) -> Ranking:
    """The ``k`` best profiles for ``vacancy`` by trigram similarity, in one statement.

    ``gate=False`` lets a profile that misses a must-have rank by its points anyway.
    """
    reqs = vacancy.requirements
    total = sum(r.weight for r in reqs)
    if not reqs or total <= 0 or k <= 0:
        return []
    rows = await conn.fetch(
        _TOP_K,
        [fold(r.phrase) for r in reqs],
        [float(r.weight) for r in reqs],
        [r.must_have for r in reqs],
        float(total),
        sum(1 for r in reqs if r.must_have),
        k,
        gate,
    )
    return [(row["profile_id"], row["score"]) for row in rows]


async def pg_trgm_load_taxonomy(conn: asyncpg.Connection, taxonomy: Taxonomy) -> int:
    """(Re)create ``concept_variant(concept_id, text)`` on ``conn``'s schema; returns rows."""
    rows = sorted(
        {(c.id, fold(p)) for c in taxonomy.concepts for p in c.all_phrases if fold(p)},
    )
    await conn.execute(
        """
        drop table if exists concept_variant;
        create table concept_variant (concept_id text not null, text text not null);
        """
    )
    schema = await conn.fetchval("select current_schema()")
    await conn.copy_records_to_table("concept_variant", schema_name=schema, records=rows)
    await conn.execute(
        """
        create index concept_variant_trgm on concept_variant using gin (text public.gin_trgm_ops);
        analyze concept_variant;
        """
    )
    return len(rows)


_NORMALIZE = """
select distinct on (q.n) q.n, v.concept_id
from unnest($1::text[]) with ordinality as q(text, n)
join concept_variant v on v.text % q.text
order by q.n, similarity(v.text, q.text) desc, v.concept_id
"""


async def pg_trgm_normalize(conn: asyncpg.Connection, phrases: Sequence[str]) -> list[str | None]:
    """Per phrase the concept of its most trigram-similar label or variant (None: no hit)."""
    rows = await conn.fetch(_NORMALIZE, [fold(p) for p in phrases])
    found = {int(row["n"]): str(row["concept_id"]) for row in rows}
    return [found.get(i) for i in range(1, len(phrases) + 1)]
