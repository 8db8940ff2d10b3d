"""The mail that tells a person about a new introduction request, in Dutch and English.

Rendered here in both languages (template ``introduction_request``); the database picks
the person's language and the address when it queues the mail, so the requesting
partner's transaction never holds the address (see migration 0006). The link's token
travels as ``?token=`` so the outbox redacts it once the mail is sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exchange import mail_text

TEMPLATE = "introduction_request"
ANSWER_PATH = "/portal/introductions/answer"


@dataclass(frozen=True, slots=True)
class Notice:
    subject_nl: str
    body_nl: str
    subject_en: str
    body_en: str


def answer_link(public_url: str, token: str, language: str) -> str:
    """The one-time link to the answer page."""
    return mail_text.link(public_url, ANSWER_PATH, token, language)


def render_request_notice(
    *,
    public_url: str,
    token: str,
    partner_name: str,
    vacancy_title: str,
    message: str | None,
    expires_at: dt.datetime,
) -> Notice:
    dutch, english = (
        mail_text.render(
            TEMPLATE,
            language,
            partner_name=partner_name,
            vacancy_title=vacancy_title,
            message=message,
            link=answer_link(public_url, token, language),
            expires_at=expires_at,
        )
        for language in ("nl", "en")
    )
    return Notice(dutch.subject, dutch.body, english.subject, english.body)
