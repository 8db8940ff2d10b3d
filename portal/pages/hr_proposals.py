"""Consortium-wide placement proposals for the recruiter's open vacancies, explained: one
optimal assignment of people to all the consortium's vacancies, of which this partner sees
its own part. The assignment is awaited before the page's transaction opens (a request
holding a pooled connection never waits for another; ARCHITECTURE.md "Waiting is bounded").
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.matching import proposals
from portal.recruiter import PAGE_SIZE, engine, explained, recruiter, refuse, services, show
from portal.web import Page, portal_page

router = APIRouter()

PROPOSALS_PATH = "/portal/hr/proposals"
MAX_PAGE = 49


@router.get(PROPOSALS_PATH)
async def placement_proposals(page: Page = Depends(portal_page)) -> Response:
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    number = page.request.query_params.get("page", "0")
    page_number = min(int(number), MAX_PAGE) if number.isdigit() and len(number) < 4 else 0
    found = engine(page)
    # before the transaction: holding a pooled connection, never wait for another
    assignment = await proposals.consortium_assignment(
        page.database, caller, engine=found, cache=services(page).proposal_cache
    )
    async with page.database.transaction(caller.access_scope()) as conn:
        shown = await proposals.placement_proposals(
            conn, caller, assignment=assignment, first=PAGE_SIZE, offset=page_number * PAGE_SIZE
        )
    return show(
        page,
        "hr_proposals.html",
        section="proposals",
        items=[(item, explained(page, item.proposal.explanation)) for item in shown.items],
        page_number=page_number,
        has_next=shown.has_next_page,
    )
