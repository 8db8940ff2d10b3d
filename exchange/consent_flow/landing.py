"""What a person's emailed link is for, and who asks, told before the link is used.

The page behind a consent, renewal or introduction link shows only a button (mail
scanners that fetch links must not use them up); :func:`link_landing` lets that page
say what pressing it opens: which employer asks, within which consortium, for what
and until when. It reads under the link's own token scope and then the person's, and
leaves the link unused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exchange.consent_flow.overview import consent_overview
from exchange.identity.one_time import TokenPurpose, peek_one_time_token, token_scope
from exchange.identity.service import person_caller
from exchange.introductions.service import get_my_introduction
from infra.db import Database, apply_scope
from infra.errors import UserError
from infra.settings import Settings

LANDING_PURPOSES = (TokenPurpose.CONSENT, TokenPurpose.RENEW, TokenPurpose.INTRODUCTION)


@dataclass(frozen=True, slots=True)
class LinkLanding:
    purpose: TokenPurpose
    partner_name: str  # the employer that asks: the sharer (consent) or the requester
    consortium_name: str
    vacancy_title: str | None  # introductions only
    answer_by: dt.datetime | None  # when the request lapses without an answer
    link_expires_at: dt.datetime


async def link_landing(
    database: Database,
    raw_token: str,
    purpose: TokenPurpose,
    *,
    language: str,
    settings: Settings,
) -> LinkLanding | None:
    """``None`` when the link cannot be used (unknown, used, expired, another purpose) or
    what it is about is gone; the page then shows its general words."""
    if purpose not in LANDING_PURPOSES:
        return None
    async with database.transaction(token_scope(raw_token)) as conn:
        token = await peek_one_time_token(conn, raw_token, purpose)
        if token is None or token.person_id is None or token.consortium_id is None:
            return None
        caller = person_caller(token.person_id, token.consortium_id, language)
        await apply_scope(conn, caller.access_scope())
        try:
            overview = await consent_overview(conn, caller, language=language, settings=settings)
        except UserError:
            return None
        if purpose is TokenPurpose.INTRODUCTION:
            if token.introduction_id is None:
                return None
            introduction = await get_my_introduction(conn, caller, token.introduction_id)
            if introduction is None:
                return None
            return LinkLanding(
                purpose,
                introduction.offer.partner_name,
                overview.consortium,
                introduction.offer.title,
                introduction.expires_at,
                token.expires_at,
            )
    answer_by = overview.pending_until if purpose is TokenPurpose.CONSENT else overview.expires_at
    return LinkLanding(
        purpose,
        overview.sharing_partner,
        overview.consortium,
        None,
        answer_by,
        token.expires_at,
    )
