"""The specific refusals of placement use cases."""

from __future__ import annotations

from exchange.introductions.exceptions import Refusal


class PlacementRequiresAcceptedIntroduction(Refusal):
    code_value = "PLACEMENT_REQUIRES_ACCEPTED_INTRODUCTION"
    field_name = "introductionId"
    default_message = "a placement needs an introduction of yours that the person accepted"


class PlacementAlreadyRecorded(Refusal):
    code_value = "PLACEMENT_ALREADY_RECORDED"
    field_name = "introductionId"
    default_message = "a placement was recorded for this introduction already"


class PlacementNotFound(Refusal):
    code_value = "PLACEMENT_NOT_FOUND"
    field_name = "placementId"
    default_message = "you recorded no placement with this id"


class ProfileNotPaused(Refusal):
    code_value = "PROFILE_NOT_PAUSED"
    field_name = "profileId"
    default_message = "there is no paused profile to resume"


class ConsentExpired(Refusal):
    code_value = "CONSENT_EXPIRED"
    field_name = "profileId"
    default_message = "your consent has ended; renew it to make your profile visible again"
