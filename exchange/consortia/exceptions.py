"""Refusals of the whole-consortium use cases."""

from __future__ import annotations

from infra.errors import TussendeurError


class ConsortiumNotDeletable(TussendeurError):
    """The consortium holds partners the caller did not expect: nothing was deleted."""

    code = "CONSORTIUM_NOT_DELETABLE"

    def __init__(self, unexpected_partners: list[str]) -> None:
        super().__init__(
            "the consortium holds partners that were not expected "
            f"({', '.join(unexpected_partners)}); nothing was deleted"
        )
        self.unexpected_partners = unexpected_partners
