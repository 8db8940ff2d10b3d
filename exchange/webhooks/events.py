"""Writing webhook events into the outbox, in the transaction of the change that causes them.

Payloads are thin: ids, pseudonyms, codes and times, never a name, address or phone. The
delivery worker (``delivery.py``) fans each event out to the partner's subscribed endpoints.
Erasure events also leave an :class:`ErasureNotice` the partner confirms (``service.py``)
and an audit event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from exchange.audit import actions
from exchange.audit.service import record_event
from exchange.webhooks import repository
from exchange.webhooks.models import ERASURE_EVENTS, ErasureReason, EventType
from exchange.webhooks.notices import repository as notices_repository
from infra.db import Connection

ERASURE_DEADLINE = dt.timedelta(days=30)  # how long a partner has to erase its copy
ERASURE_NOTICES_PATH = "/portal/staff/erasure-notices"  # where staff confirm (the portal)
_REASON_EVENT = {
    ErasureReason.CONSENT_WITHDRAWN: EventType.CONSENT_WITHDRAWN,
    ErasureReason.CONSENT_EXPIRED: EventType.CONSENT_EXPIRED,
    ErasureReason.PERSON_ERASED: EventType.PERSON_ERASED,
}


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


async def emit(
    conn: Connection,
    *,
    consortium_id: UUID,
    partner_id: UUID,
    event_type: EventType,
    data: dict[str, Any],
    now: dt.datetime | None = None,
) -> UUID:
    """Queue one event for ``partner_id``'s endpoints; the body is ``{type, timestamp, data}``."""
    event_id = uuid.uuid4()
    moment = now or dt.datetime.now(dt.UTC)
    await repository.insert_event(
        conn,
        event_id=event_id,
        consortium_id=consortium_id,
        partner_id=partner_id,
        event_type=event_type,
        payload={"type": event_type.value, "timestamp": _stamp(moment), "data": data},
        erasure=event_type in ERASURE_EVENTS,
    )
    return event_id


async def emit_introduction(
    conn: Connection,
    *,
    event_type: EventType,
    consortium_id: UUID,
    partner_id: UUID,
    introduction_id: UUID,
    profile_id: UUID | None,
    vacancy_id: UUID,
    now: dt.datetime | None = None,
) -> None:
    await emit(
        conn,
        consortium_id=consortium_id,
        partner_id=partner_id,
        event_type=event_type,
        data={
            "introductionId": str(introduction_id),
            "profileId": str(profile_id) if profile_id else None,
            "vacancyId": str(vacancy_id),
        },
        now=now,
    )


async def issue_erasure_notice(
    conn: Connection,
    *,
    consortium_id: UUID,
    partner_id: UUID,
    reason: ErasureReason,
    profile_id: UUID | None,
    pseudonym: str | None,
    introduction_ids: Sequence[UUID],
    now: dt.datetime | None = None,
) -> UUID:
    """Tell ``partner_id`` to erase what it received of a person through the introductions
    named, by a deadline: a notice it confirms, its webhook event and an audit event."""
    moment = now or dt.datetime.now(dt.UTC)
    notice_id = uuid.uuid4()
    erase_by = moment + ERASURE_DEADLINE
    await notices_repository.insert_notice(
        conn,
        notice_id=notice_id,
        consortium_id=consortium_id,
        partner_id=partner_id,
        reason=reason,
        profile_id=profile_id,
        pseudonym=pseudonym,
        introduction_ids=introduction_ids,
        erase_by=erase_by,
        now=moment,
    )
    await emit(
        conn,
        consortium_id=consortium_id,
        partner_id=partner_id,
        event_type=_REASON_EVENT[reason],
        data={
            "noticeId": str(notice_id),
            "reason": reason.value,
            "profileId": str(profile_id) if profile_id else None,
            "pseudonym": pseudonym,
            "introductionIds": [str(i) for i in introduction_ids],
            "erase": ["contact", "introduction"],
            "eraseBy": _stamp(erase_by),
        },
        now=moment,
    )
    await record_event(
        conn,
        consortium_id=consortium_id,
        actor_kind="system",
        actor_id="erasure",
        partner_id=None,
        action=actions.ERASURE_NOTICE_ISSUED,
        subject_kind="erasure_notice",
        subject_id=str(notice_id),
        details={
            "partner_id": str(partner_id),
            "reason": reason.value,
            "erase_by": _stamp(erase_by),
        },
    )
    return notice_id


async def notify_erasure_for_profile(
    conn: Connection,
    *,
    consortium_id: UUID,
    profile_id: UUID,
    reason: ErasureReason,
    now: dt.datetime | None = None,
) -> int:
    """A notice to every partner that received the contact data of ``profile_id`` through
    an accepted introduction (run under the person's or the system scope); how many."""
    received = await notices_repository.contact_received(conn, profile_id=profile_id)
    pseudonym = await notices_repository.profile_pseudonym(conn, profile_id=profile_id)
    for partner_id, introduction_ids in received.items():
        await issue_erasure_notice(
            conn,
            consortium_id=consortium_id,
            partner_id=partner_id,
            reason=reason,
            profile_id=profile_id,
            pseudonym=pseudonym,
            introduction_ids=introduction_ids,
            now=now,
        )
    return len(received)
