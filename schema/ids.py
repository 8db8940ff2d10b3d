from __future__ import annotations

from uuid import UUID

import strawberry

from infra.errors import UserError


def parse_id(value: strawberry.ID | str, field: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError as exc:
        raise UserError.single(field, "INVALID_ID", "not a valid id") from exc


def to_id(value: UUID) -> strawberry.ID:
    return strawberry.ID(str(value))
