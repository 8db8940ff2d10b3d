"""The refusals of the consortium admin's use cases (partners' own are in partners/)."""

from __future__ import annotations

from infra.errors import Closed, NotFound


class ApiClientNotFound(NotFound):
    default_field = "clientId"
    default_message = "API client not found"


class ApiClientRevoked(Closed):
    default_field = "clientId"
    default_message = "the client is revoked already"
