"""The refusals of placement use cases, in the error tree of ``infra.errors``."""

from __future__ import annotations

from infra.errors import Closed, Conflict, NotFound


class PlacementRequiresAcceptedIntroduction(Conflict):
    default_field = "introductionId"
    default_message = "a placement needs an introduction of yours that the person accepted"


class PlacementAlreadyRecorded(Conflict):
    default_field = "introductionId"
    default_message = "a placement was recorded for this introduction already"


class PlacementNotFound(NotFound):
    default_field = "placementId"
    default_message = "you recorded no placement with this id"


class ProfileNotPaused(Conflict):
    default_field = "profileId"
    default_message = "there is no paused profile to resume"


class ConsentExpired(Closed):
    default_field = "profileId"
    default_message = "your consent has ended; renew it to make your profile visible again"
