"""The refusals of staff account use cases, in the error tree of ``infra.errors``."""

from __future__ import annotations

from infra.errors import Conflict


class EmailTaken(Conflict):
    default_field = "input.email"
    default_message = "this address has a staff account in this consortium"
