"""The front door (``/``): what Tussendeur is, and a way in for each group."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from portal.web import Page, portal_page, render

router = APIRouter()


@router.get("/")
async def front_door(page: Page = Depends(portal_page)) -> Response:
    return render(page, "front_door.html")
