"""The specific refusals of introduction and placement use cases: a ``UserError`` each."""

from __future__ import annotations

from infra.errors import FieldError, UserError


class Refusal(UserError):
    """A refusal with a stable code and field; nothing was written."""

    code_value = "REFUSED"
    field_name = "id"
    default_message = "refused"

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(
            [FieldError(field or self.field_name, self.code_value, message or self.default_message)]
        )


class ProfileNotVisible(Refusal):
    code_value = "PROFILE_NOT_VISIBLE"
    field_name = "profileId"
    default_message = "this profile is not available to you for an introduction"


class VacancyNotFound(Refusal):
    code_value = "VACANCY_NOT_FOUND"
    field_name = "vacancyId"
    default_message = "you have no vacancy with this id"


class VacancyClosed(Refusal):
    code_value = "VACANCY_CLOSED"
    field_name = "vacancyId"
    default_message = "the vacancy is closed"


class IntroductionAlreadyOpen(Refusal):
    code_value = "INTRODUCTION_ALREADY_OPEN"
    field_name = "profileId"
    default_message = "an introduction for this profile and vacancy is awaiting an answer"


class DailyLimitReached(Refusal):
    code_value = "DAILY_LIMIT_REACHED"
    field_name = "profileId"
    default_message = "you reached the limit of introduction requests for this profile today"


class IntroductionNotFound(Refusal):
    code_value = "INTRODUCTION_NOT_FOUND"
    field_name = "id"
    default_message = "no introduction with this id"


class IntroductionNotOpen(Refusal):
    code_value = "INTRODUCTION_NOT_OPEN"
    field_name = "id"
    default_message = "the introduction is no longer awaiting an answer"


class IntroductionExpired(Refusal):
    code_value = "INTRODUCTION_EXPIRED"
    field_name = "id"
    default_message = "the introduction request has expired"
