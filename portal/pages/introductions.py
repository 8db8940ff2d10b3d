"""The introduction answer page behind the emailed link: what the vacancy offers, and
accept or decline with an optional message.

Thin handlers over :mod:`exchange.introductions.service` (the same use cases as the
GraphQL ``myIntroductions`` and ``respondToIntroduction``).
"""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.identity.one_time import TokenPurpose
from exchange.introductions import service
from exchange.introductions.models import IntroductionStatus, MyIntroduction
from infra.errors import Closed, FieldError, UserError
from portal.errors import http_status
from portal.labels import N_
from portal.links import landing_page, open_link
from portal.web import Page, checked_form, portal_page, redirect, render, text

router = APIRouter()

LIST_PATH = "/portal/introductions"

STATUS = {
    IntroductionStatus.REQUESTED: N_("waiting for your answer"),
    IntroductionStatus.ACCEPTED: N_("you accepted"),
    IntroductionStatus.DECLINED: N_("you declined"),
    IntroductionStatus.EXPIRED: N_("expired without an answer"),
    IntroductionStatus.WITHDRAWN: N_("withdrawn"),
}

ERRORS = {
    "TOO_LONG": N_("Your message can be at most 2,000 characters."),
    "INVALID_CHARACTERS": N_("Your message contains characters we cannot store."),
    "ANSWERED": N_("You answered this request already."),
    "ENDED": N_("This request has expired; the employer no longer waits."),
    "NOT_FOUND": N_("We could not find this request."),
}


def _error_key(introduction: MyIntroduction, code: str) -> str:
    if code != Closed.code:
        return code
    answered = (IntroductionStatus.ACCEPTED, IntroductionStatus.DECLINED)
    return "ANSWERED" if introduction.status in answered else "ENDED"


def _translated(
    page: Page, introduction: MyIntroduction, errors: list[FieldError]
) -> list[FieldError]:
    keys = [_error_key(introduction, e.code) for e in errors]
    return [
        FieldError(e.field, e.code, page.gettext(ERRORS[key]) if key in ERRORS else e.message)
        for e, key in zip(errors, keys, strict=True)
    ]


def _no_session(page: Page) -> Response:
    return render(page, "no_session.html", status_code=401)


def _show(
    page: Page,
    introduction: MyIntroduction,
    *,
    status_code: int = 200,
    errors: list[FieldError] | None = None,
    message: str = "",
    done: str | None = None,
) -> Response:
    return render(
        page,
        "introduction.html",
        status_code=status_code,
        errors=_translated(page, introduction, errors or []),
        i=introduction,
        o=introduction.offer,
        is_open=introduction.is_open(_now()),
        status_text=page.gettext(STATUS[introduction.status]),
        message=message,
        done=done,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.get("/portal/introductions/answer")
async def answer_link(page: Page = Depends(portal_page), token: str | None = None) -> Response:
    """The emailed link lands here; the token is only used when the button is pressed."""
    if token:
        return await landing_page(
            page, token, "/portal/introductions/open", TokenPurpose.INTRODUCTION
        )
    return redirect(page, LIST_PATH)


@router.post("/portal/introductions/open")
async def open_answer_link(page: Page = Depends(portal_page)) -> Response:
    return await open_link(page, TokenPurpose.INTRODUCTION, LIST_PATH)


@router.get("/portal/introductions")
async def my_introductions(page: Page = Depends(portal_page)) -> Response:
    caller = page.caller
    if caller is None:
        return _no_session(page)
    async with page.database.transaction(caller.access_scope()) as conn:
        listed = await service.list_my_introductions(
            conn, caller, status=None, limit=50, after=None
        )
    now = _now()
    open_ones = [i for i in listed.items if i.is_open(now)]
    if len(open_ones) == 1:
        return redirect(page, f"{LIST_PATH}/{open_ones[0].id}")
    return render(
        page,
        "introductions.html",
        items=[(i, page.gettext(STATUS[i.status]), i.is_open(now)) for i in listed.items],
    )


async def _load(page: Page, introduction_id: str) -> MyIntroduction | None:
    assert page.caller is not None
    try:
        wanted = uuid.UUID(introduction_id)
    except ValueError:
        return None
    async with page.database.transaction(page.caller.access_scope()) as conn:
        return await service.get_my_introduction(conn, page.caller, wanted)


@router.get("/portal/introductions/{introduction_id}")
async def introduction_page(
    introduction_id: str, page: Page = Depends(portal_page), done: str | None = None
) -> Response:
    if page.caller is None:
        return _no_session(page)
    introduction = await _load(page, introduction_id)
    if introduction is None:
        return render(page, "not_found.html", status_code=404)
    return _show(page, introduction, done=done if done in ("accepted", "declined") else None)


@router.post("/portal/introductions/{introduction_id}")
async def answer(introduction_id: str, page: Page = Depends(portal_page)) -> Response:
    form = await checked_form(page)
    caller = page.caller
    if caller is None:
        return _no_session(page)
    introduction = await _load(page, introduction_id)
    if introduction is None:
        return render(page, "not_found.html", status_code=404)
    choice = text(form, "answer")
    message = text(form, "message")
    if choice not in ("accept", "decline"):
        return _show(page, introduction, status_code=422, message=message)
    try:
        async with page.database.transaction(caller.access_scope()) as conn:
            await service.respond_to_introduction(
                conn, caller, introduction.id, accept=choice == "accept", message=message or None
            )
    except UserError as error:
        status_code = http_status(error)
        return _show(
            page, introduction, status_code=status_code, errors=error.errors, message=message
        )
    done = "accepted" if choice == "accept" else "declined"
    return redirect(page, f"{LIST_PATH}/{introduction.id}?done={done}")
