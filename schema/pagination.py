"""Relay-style connections with a hard cap on ``first``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from infra.errors import UserError
from infra.pagination import Keyset, Page

NodeT = TypeVar("NodeT")
ItemT = TypeVar("ItemT")

DEFAULT_PAGE_SIZE = 20


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int | None = None

    @strawberry.field
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def page_size(first: int | None, max_page_size: int) -> int:
    if first is None:
        return min(DEFAULT_PAGE_SIZE, max_page_size)
    if first < 0 or first > max_page_size:
        raise UserError.single(
            "first", "OUT_OF_RANGE", f"first must be between 0 and {max_page_size}"
        )
    return first


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    if len(cursor) > 200:
        raise UserError.single("after", "INVALID_CURSOR", "the cursor is not valid")
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise UserError.single("after", "INVALID_CURSOR", "the cursor is not valid") from exc


def build_connection(
    items: Sequence[NodeT], cursors: Sequence[str], *, has_next_page: bool
) -> Connection[NodeT]:
    edges = [Edge(cursor=encode_cursor(c), node=n) for n, c in zip(items, cursors, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next_page, end_cursor=edges[-1].cursor if edges else None
        ),
    )


def keyset_after(after: str | None) -> Keyset | None:
    """The keyset a cursor from :func:`keyset_connection` points at."""
    return Keyset.parse(decode_cursor(after))


def keyset_connection(
    page: Page[ItemT], node: Callable[[ItemT], NodeT], key: Callable[[ItemT], Keyset]
) -> Connection[NodeT]:
    """A connection over one keyset page, each edge's cursor its item's keyset."""
    return build_connection(
        [node(item) for item in page.items],
        [key(item).encode() for item in page.items],
        has_next_page=page.has_next_page,
    )
