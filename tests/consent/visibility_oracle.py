"""The consent rule "may partner P see profile X for purpose Y now", as a pure function:
the oracle the tests check PostgreSQL against.

The service enforces the rule in PostgreSQL only (row-level security, migration 0002's
``profile_read``, re-checked on every ``matches`` request); nothing in the service calls
this module. ``test_policy`` pins the rule case by case, and the consent state machine
checks that what the database shows each partner is what this function says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from consent.models import (
    ENDING_EVENTS,
    GRANTING_EVENTS,
    ConsentEvent,
    ConsentRecord,
    ConsentState,
    Purpose,
)


class Reason(StrEnum):
    ALLOWED = "ALLOWED"
    OWN_PROFILE = "OWN_PROFILE"  # a partner never sees what it shared itself as a match
    NO_CONSENT = "NO_CONSENT"  # never granted (pending) or refused
    WITHDRAWN = "WITHDRAWN"
    EXPIRED = "EXPIRED"
    OUT_OF_SCOPE = "OUT_OF_SCOPE"
    PAUSED = "PAUSED"  # the person paused the profile (for instance after a placement)
    OTHER_PURPOSE = "OTHER_PURPOSE"


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: Reason


def fold(records: Iterable[ConsentRecord], purpose: Purpose) -> ConsentState:
    """Replay records of one purpose, in the order they were written, into the state
    they leave (the repository returns them in that order)."""
    state = ConsentState(purpose=purpose)
    for record in records:
        if record.purpose is not purpose:
            continue
        history = (*state.history, record.event)
        if record.event in GRANTING_EVENTS:
            state = ConsentState(
                purpose=purpose,
                scope=record.scope,
                granted_at=record.granted_at,
                expires_at=record.expires_at,
                ended_at=None,
                last_event=record.event,
                history=history,
            )
        elif record.event in ENDING_EVENTS:
            ended = record.withdrawn_at or record.expires_at or record.recorded_at
            if record.event is ConsentEvent.EXPIRED:
                ended = record.expires_at or record.recorded_at
            state = ConsentState(
                purpose=purpose,
                scope=state.scope,
                granted_at=state.granted_at,
                expires_at=state.expires_at,
                ended_at=ended,
                last_event=record.event,
                history=history,
            )
    return state


def may_see(
    state: ConsentState,
    *,
    partner_id: UUID,
    sharing_partner_id: UUID,
    purpose: Purpose,
    now: dt.datetime,
    paused: bool = False,
) -> Decision:
    """Whether ``partner_id`` may see the profile whose consent ``state`` is, right ``now``."""
    if purpose is not state.purpose:
        return Decision(False, Reason.OTHER_PURPOSE)
    if partner_id == sharing_partner_id:
        return Decision(False, Reason.OWN_PROFILE)
    if state.last_event is ConsentEvent.WITHDRAWN:
        return Decision(False, Reason.WITHDRAWN)
    if state.last_event not in GRANTING_EVENTS or state.scope is None:
        if state.last_event is ConsentEvent.EXPIRED:
            return Decision(False, Reason.EXPIRED)
        return Decision(False, Reason.NO_CONSENT)
    if state.expires_at is None or now >= state.expires_at:
        return Decision(False, Reason.EXPIRED)
    if paused:
        return Decision(False, Reason.PAUSED)
    if not state.scope.admits(partner_id):
        return Decision(False, Reason.OUT_OF_SCOPE)
    return Decision(True, Reason.ALLOWED)
