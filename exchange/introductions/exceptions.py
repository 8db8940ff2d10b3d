"""The refusals of introduction use cases, in the error tree of ``infra.errors``."""

from __future__ import annotations

from infra.errors import Closed, Conflict, LimitReached, NotFound


class ProfileNotVisible(NotFound):
    default_field = "profileId"
    default_message = "this profile is not available to you for an introduction"


class IntroductionAlreadyOpen(Conflict):
    default_field = "profileId"
    default_message = "an introduction for this profile and vacancy is awaiting an answer"


class DailyLimitReached(LimitReached):
    default_field = "profileId"
    default_message = "you reached the limit of introduction requests for this profile today"


class IntroductionNotFound(NotFound):
    default_field = "id"
    default_message = "no introduction with this id"


class IntroductionNotOpen(Closed):
    default_field = "id"
    default_message = "the introduction is no longer awaiting an answer"


class IntroductionExpired(Closed):
    default_field = "id"
    default_message = "the introduction request has expired"
