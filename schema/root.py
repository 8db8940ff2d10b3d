"""Assembling the schema from each area's Query and Mutation types."""

from __future__ import annotations

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from infra.settings import Settings
from schema import me, partners, profiles, vacancies
from schema.errors import should_mask_error

QUERY_TYPES: tuple[type, ...] = (me.Query, partners.Query, vacancies.Query, profiles.Query)
MUTATION_TYPES: tuple[type, ...] = (vacancies.Mutation, profiles.Mutation)


def build_schema(settings: Settings) -> strawberry.Schema:
    query = merge_types("Query", QUERY_TYPES)
    mutation = merge_types("Mutation", MUTATION_TYPES)
    extensions: list[object] = [
        QueryDepthLimiter(max_depth=settings.graphql_max_depth),
        MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
        MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        MaskErrors(should_mask_error=should_mask_error),
    ]
    if not settings.is_development:
        extensions.append(AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return strawberry.Schema(
        query=query,
        mutation=mutation,
        extensions=extensions,  # type: ignore[arg-type]
        config=StrawberryConfig(auto_camel_case=True),
    )
