"""The recruiter's dashboard at ``/portal/hr``: open vacancies with their count of matches
and of matches new since the recruiter's last visit, introductions waiting for the
person's answer, and placements whose 3- or 6-month outcome is due."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.identity.service import staff_profile
from exchange.introductions import service as introductions
from exchange.introductions.models import IntroductionStatus
from exchange.matching import service as matching
from exchange.placements import service as placements
from exchange.shortlists import service as shortlists
from exchange.vacancies import service as vacancies
from exchange.vacancies.models import VacancyStatus
from portal.recruiter import HR_HOME, engine, recruiter, refuse, show
from portal.web import Page, portal_page

router = APIRouter()

DASHBOARD_ROWS = 50


@router.get(HR_HOME)
async def dashboard(page: Page = Depends(portal_page)) -> Response:
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    who = await staff_profile(page.database, caller)
    today = dt.date.today()
    async with page.database.transaction(caller.access_scope()) as conn:
        open_vacancies = await vacancies.list_vacancies(
            conn, caller, status=VacancyStatus.OPEN, limit=DASHBOARD_ROWS, after=None
        )
        matched = await matching.matching_profile_ids(
            conn, caller, engine(page), vacancies=open_vacancies.items, today=today
        )
        visits = await shortlists.last_visits(
            conn, caller, vacancy_ids=[v.id for v in open_vacancies.items]
        )
        waiting = await introductions.list_introductions(
            conn, caller, status=IntroductionStatus.REQUESTED, limit=DASHBOARD_ROWS, after=None
        )
        placed = await placements.list_placements(
            conn, caller, limit=DASHBOARD_ROWS * 4, after=None
        )
    rows = []
    for vacancy in open_vacancies.items:
        ids = matched.get(vacancy.id, [])
        visit = visits.get(vacancy.id)
        new = [i for i in ids if visit is None or i not in visit.seen_profile_ids]
        rows.append((vacancy, len(ids), len(new), visit))
    due = [
        (p, months)
        for p in placed.items
        if p.hiring_partner_id == caller.partner_id
        and (months := placements.outcomes_due(p, today))
    ]
    return show(
        page,
        "hr_dashboard.html",
        section="dashboard",
        who=who,
        rows=rows,
        more_vacancies=open_vacancies.has_next_page,
        waiting=waiting.items,
        due=due,
    )
