"""Identity's own refusals: OAuth errors, a token signed by an unknown key, a bad link."""

from __future__ import annotations

from infra.errors import FieldError, Unauthenticated, UserError


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: ``error`` code, a description, the HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def invalid_client(description: str = "client authentication failed") -> OAuthError:
    return OAuthError("invalid_client", description, 401)


class UnknownKey(Unauthenticated):
    """The token names a key this process does not know (yet): reload, then retry once."""


class InvalidLink(UserError):
    """A sign-in link that is malformed, unknown, used or expired, or whose user is gone,
    disabled or suspended: one answer for all."""

    def __init__(self) -> None:
        super().__init__(
            [FieldError("token", "INVALID_LINK", "this sign-in link is invalid, used or expired")]
        )
