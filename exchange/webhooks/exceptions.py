"""The refusals of the webhook use cases."""

from __future__ import annotations

from infra.errors import Closed, Conflict, FieldError, LimitReached, NotFound, Refusal


class EndpointAddressRefused(Refusal):
    """A URL the platform will not send to (shape, scheme or address)."""

    code = "NOT_ALLOWED"
    default_field = "input.url"
    default_message = "this URL is not allowed"

    def __init__(
        self, message: str | None = None, *, field: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, field=field)
        if code is not None:
            self.errors = [FieldError(e.field, code, e.message) for e in self.errors]


class EndpointNotFound(NotFound):
    default_field = "id"
    default_message = "webhook endpoint not found"


class EndpointDisabled(Closed):
    default_field = "id"
    default_message = "the webhook endpoint is disabled"


class MessageNotFound(NotFound):
    default_field = "messageId"
    default_message = "webhook message not found"


class NoticeNotFound(NotFound):
    default_field = "noticeId"
    default_message = "erasure notice not found"


class NoticeConfirmed(Conflict):
    default_field = "noticeId"
    default_message = "the erasure was confirmed already"


class TooManyEndpoints(LimitReached):
    default_field = "input.url"
    default_message = "a partner has at most 10 active webhook endpoints"
