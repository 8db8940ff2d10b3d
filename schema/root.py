"""Assembling the schema from each area's Query and Mutation types."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from infra.observability import GraphQLOperationObserver
from infra.settings import Settings
from schema import (
    admin,
    audit,
    candidate,
    introductions,
    matches,
    me,
    partners,
    placements,
    profiles,
    staff,
    statistics,
    vacancies,
    webhooks,
)
from schema.fast_execution import PlainSubtreeExecutor
from schema.hardening import HardenedSchema, schema_config, schema_extensions

QUERY_TYPES: tuple[type, ...] = (
    me.Query,
    partners.Query,
    vacancies.Query,
    profiles.Query,
    matches.Query,
    candidate.Query,
    introductions.Query,
    placements.Query,
    admin.Query,
    audit.Query,
    statistics.Query,
    staff.Query,
    webhooks.Query,
)
MUTATION_TYPES: tuple[type, ...] = (
    vacancies.Mutation,
    profiles.Mutation,
    candidate.Mutation,
    introductions.Mutation,
    placements.Mutation,
    admin.Mutation,
    staff.Mutation,
    webhooks.Mutation,
)


def build_schema(settings: Settings) -> strawberry.Schema:
    query = merge_types("Query", QUERY_TYPES)
    mutation = merge_types("Mutation", MUTATION_TYPES)
    return HardenedSchema(
        query=query,
        mutation=mutation,
        extensions=[*schema_extensions(settings), GraphQLOperationObserver],
        config=schema_config(settings),
        hide_suggestions=not settings.is_development,
        execution_context_class=PlainSubtreeExecutor,
    )
