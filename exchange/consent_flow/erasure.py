"""Erasing a person: at their request, or when the grace period after an end has passed.

What goes: profiles with competencies and languages, contact data, sign-in tokens,
portal sessions, mail to or about the person, the free texts of their introductions,
and (through the foreign keys) the references from consent records. What stays: consent records and
introductions without the person, and the audit trail, which holds pseudonymous ids
only. Partners that received contact data through an accepted introduction get an
erasure notice to confirm (``exchange.webhooks``): by webhook when they have an endpoint
for ``person.erased``, otherwise by mail to their HR staff.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from consent import repository as consent_repository
from exchange import mail_text
from exchange.consent_flow import repository as flow_repository
from exchange.consent_flow.exceptions import PersonNotFound
from exchange.introductions.models import IntroductionStatus
from exchange.introductions.service import withdraw_introductions_for_profile
from exchange.webhooks import repository as webhook_repository
from exchange.webhooks.events import ERASURE_NOTICES_PATH, issue_erasure_notice
from exchange.webhooks.models import ErasureReason, EventType
from infra.db import Connection
from infra.mail import enqueue_mail
from infra.scope import AccessScope
from infra.settings import Settings


async def erase_person(
    conn: Connection,
    *,
    person_id: UUID,
    consortium_id: UUID,
    settings: Settings,
    restore: AccessScope,
) -> dict[str, int]:
    """Erase one person inside the current transaction (the person's or the system scope);
    ``restore`` is that scope, given back after the narrow system steps."""
    person = await flow_repository.person_row(conn, person_id=person_id)
    if person is None:
        raise PersonNotFound()
    profiles = await flow_repository.person_profile_ids(conn, person_id=person_id)
    for profile_id in profiles:
        await withdraw_introductions_for_profile(conn, profile_id=profile_id)
    introductions = await flow_repository.person_introductions(conn, person_id=person_id)
    received: dict[UUID, list[dict[str, object]]] = defaultdict(list)
    for intro in introductions:
        if intro.status is IntroductionStatus.ACCEPTED:
            received[intro.requesting_partner_id].append(
                {
                    "id": str(intro.id),
                    "vacancy_title": intro.vacancy_title or "-",
                    "accepted_at": intro.responded_at or intro.requested_at,
                }
            )
    await flow_repository.forget_introduction_texts(conn, person_id=person_id)
    notices = 0
    async with flow_repository.system_step(conn, restore):
        # mail already queued or sent to or about the person, found by address and phone
        mails_removed = await flow_repository.scrub_outbox(
            conn, person_id=person_id, email=person.email, phone=person.phone
        )
        addresses = await flow_repository.staff_addresses(conn, partner_ids=list(received))
        names = await consent_repository.partner_names(conn, partner_ids=list(received))
        consortium = await consent_repository.consortium_name(conn, consortium_id=consortium_id)
        languages = await flow_repository.staff_languages(
            conn, emails=[a for found in addresses.values() for a in found]
        )
        # partners with an endpoint for erasures get the webhook instead of the mail
        hooked = await webhook_repository.partners_with_endpoint(
            conn, partner_ids=list(received), event_type=EventType.PERSON_ERASED
        )
    for partner_id, items in received.items():
        await issue_erasure_notice(
            conn,
            consortium_id=consortium_id,
            partner_id=partner_id,
            reason=ErasureReason.PERSON_ERASED,
            profile_id=None,
            pseudonym=None,
            introduction_ids=[UUID(str(item["id"])) for item in items],
        )
        if partner_id in hooked:
            continue
        for address in addresses.get(partner_id, []):
            mail = mail_text.render(
                "erasure_notice",
                languages.get(address, "nl"),
                partner_name=names.get(partner_id, ""),
                consortium_name=consortium or "Tussendeur",
                introductions=items,
                notices_link=settings.public_url.rstrip("/") + ERASURE_NOTICES_PATH,
            )
            await enqueue_mail(
                conn,
                address,
                mail.subject,
                mail.body,
                mail.template,
                mail.language,
                consortium_id=consortium_id,
            )
            notices += 1
    await flow_repository.delete_person(conn, person_id=person_id)
    return {
        "profiles": len(profiles),
        "introductions": len(introductions),
        "notices": notices,
        "partners_notified": sum(1 for p in received if addresses.get(p) or p in hooked),
        "partners_without_address": sum(
            1 for p in received if not addresses.get(p) and p not in hooked
        ),
        "mails_removed": mails_removed,
    }
