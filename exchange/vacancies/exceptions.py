"""The refusals of vacancy use cases (also raised where another use case takes a vacancy id)."""

from __future__ import annotations

from infra.errors import Closed, NotFound


class VacancyNotFound(NotFound):
    default_field = "id"
    default_message = "you have no vacancy with this id"


class VacancyClosed(Closed):
    default_field = "id"
    default_message = "the vacancy is closed"
