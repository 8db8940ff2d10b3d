"""Mail text: one mechanism (Jinja2 + the gettext catalogs), dates in Europe/Amsterdam."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from babel.messages.extract import extract_from_file

from exchange import mail_text
from exchange.introductions.notices import render_request_notice
from infra.caller import CallerRole
from infra.i18n import LANGUAGES, Formatter
from portal.catalogs import extract, load

# 23:30 UTC on Saturday 28 March 2026 is 00:30 CET on Sunday the 29th; that night the
# clocks go forward, so 22:30 UTC on the 29th is already 00:30 CEST on the 30th.
WINTER = dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC)
SUMMER = dt.datetime(2026, 3, 29, 22, 30, tzinfo=dt.UTC)
LINK = "https://tussendeur.example/portal/x?token=abc"

SAMPLES: dict[str, dict[str, Any]] = {
    "consent_request": {
        "partner_name": "Belwerk",
        "consortium_name": "Regio Noord",
        "link": LINK,
        "pending_until": WINTER,
    },
    "consent_reminder": {
        "consortium_name": "Regio Noord",
        "link": LINK,
        "expires": WINTER,
        "erase_on": SUMMER,
    },
    "erasure_notice": {
        "partner_name": "Belwerk",
        "consortium_name": "Regio Noord",
        "introductions": [
            {"id": "i-1", "vacancy_title": "Klantadviseur", "accepted_at": WINTER},
            {"id": "i-2", "vacancy_title": "Teamleider", "accepted_at": SUMMER},
        ],
        "notices_link": "https://tussendeur.example/portal/staff/erasure-notices",
    },
    "introduction_request": {
        "partner_name": "Belwerk",
        "vacancy_title": "Klantadviseur",
        "message": "Tot ziens!",
        "link": LINK,
        "expires_at": WINTER,
    },
    "portal_sign_in": {
        "links": [
            {"url": LINK, "consortium": "Regio Noord"},
            {"url": LINK, "consortium": "Zuid-Limburg"},
        ],
        "minutes": 15,
    },
    "webhook_endpoint_gone": {
        "partner_name": "Belwerk",
        "consortium_name": "Regio Noord",
        "url": "https://ats.belwerk.example/hooks",
    },
    "webhook_escalated": {
        "partner_name": "Belwerk",
        "consortium_name": "Regio Noord",
        "url": "https://ats.belwerk.example/hooks",
        "event_type": "consent.withdrawn",
    },
    "sign_in": {
        "links": [
            {
                "role": CallerRole.PARTNER_HR,
                "url": LINK,
                "consortium": "Regio Noord",
                "partner": "Belwerk",
            },
            {"role": CallerRole.CANDIDATE, "url": LINK, "consortium": "Zuid-Limburg"},
        ],
        "minutes": 15,
    },
}


def test_formatter_shows_moments_in_amsterdam_across_the_clock_change() -> None:
    nl, en = Formatter("nl"), Formatter("en")
    assert nl.datetime(WINTER) == "29 maart 2026, 00:30"
    assert en.datetime(WINTER) == "29 March 2026, 00:30"
    assert nl.datetime(SUMMER) == "30 maart 2026, 00:30"
    assert en.date(SUMMER) == "30 March 2026"
    autumn = dt.datetime(2026, 10, 25, 23, 30, tzinfo=dt.UTC)  # clocks went back that night
    assert nl.datetime(autumn) == "26 oktober 2026, 00:30"


def test_introduction_mail_gives_the_deadline_in_amsterdam_in_both_languages() -> None:
    for moment, day in ((WINTER, 29), (SUMMER, 30)):
        notice = render_request_notice(
            public_url="https://tussendeur.example",
            token="abc",
            partner_name="Belwerk",
            vacancy_title="Klantadviseur",
            message=None,
            expires_at=moment,
        )
        assert f"vóór {day} maart 2026, 00:30," in notice.body_nl
        assert f"before {day} March 2026, 00:30," in notice.body_en
        assert "Hallo," in notice.body_nl and "Hello," in notice.body_en


def test_consent_mails_name_the_day_in_amsterdam() -> None:
    dutch = mail_text.render("consent_reminder", "nl", **SAMPLES["consent_reminder"])
    english = mail_text.render("consent_reminder", "en", **SAMPLES["consent_reminder"])
    assert dutch.subject == "Je toestemming voor Regio Noord loopt af op 29 maart 2026"
    assert english.subject == "Your consent for Regio Noord ends on 29 March 2026"
    assert "wissen we je gegevens op 30 maart 2026" in dutch.body
    notice = mail_text.render("erasure_notice", "nl", **SAMPLES["erasure_notice"])
    assert "geaccepteerd op 29 maart 2026" in notice.body
    assert "geaccepteerd op 30 maart 2026" in notice.body
    assert notice.subject == "Verzoek tot wissen van contactgegevens (2 kennismakingen)"


def test_every_template_has_a_sample_here() -> None:
    assert sorted(SAMPLES) == mail_text.template_names()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_every_mail_renders_in_both_languages(template: str, language: str) -> None:
    mail = mail_text.render(template, language, **SAMPLES[template])
    assert mail.language == language and mail.template == template
    assert mail.subject and "\n" not in mail.subject and len(mail.subject) <= 200
    assert mail.body.endswith("\n") and not mail.body.startswith("\n")
    assert "\n\n\n" not in mail.body
    assert mail.body.startswith("Hallo," if language == "nl" else "Hello,")


def _template_messages(template: str) -> set[str]:
    path = mail_text.TEMPLATES / f"{template}.txt"
    found = extract_from_file("jinja2", path, options={"extensions": "jinja2.ext.i18n"})
    return {m[1] if isinstance(m[1], str) else m[1][0] for m in found}


@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_every_mail_message_is_in_both_catalogs_and_translated_to_dutch(template: str) -> None:
    messages = _template_messages(template)
    assert messages, f"{template} has no translatable text"
    dutch, english = load("nl"), load("en")
    for message_id in messages:
        assert english.get(message_id) is not None, message_id
        translated = dutch.get(message_id)
        assert translated is not None, message_id
        strings = (
            translated.string if isinstance(translated.string, tuple) else (translated.string,)
        )
        assert all(strings), f"no Dutch for {message_id!r}"


def test_the_catalog_tool_extracts_the_mail_templates() -> None:
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in extract() if m.id}
    for template in SAMPLES:
        assert _template_messages(template) <= extracted, template


def test_a_subject_is_one_bounded_line() -> None:
    long_title = "Klantadviseur\n" + "x" * 300
    mail = mail_text.render(
        "introduction_request",
        "nl",
        **(SAMPLES["introduction_request"] | {"vacancy_title": long_title}),
    )
    assert len(mail.subject) == 200 and mail.subject.endswith("…") and "\n" not in mail.subject
