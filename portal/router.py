"""Putting the portal on the app: its pages and its own static assets (no CDN)."""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"

# Each module has an APIRouter named ``router``; a new page is one line here.
PAGE_MODULES: tuple[str, ...] = (
    "portal.pages.admin_audit",
    "portal.pages.admin_clients",
    "portal.pages.admin_erasure",
    "portal.pages.admin_home",
    "portal.pages.admin_partners",
    "portal.pages.admin_staff",
    "portal.pages.admin_statistics",
    "portal.pages.consent",
    "portal.pages.erasure_notices",
    "portal.pages.front_door",
    "portal.pages.hr_dashboard",
    "portal.pages.hr_introductions",
    "portal.pages.hr_matches",
    "portal.pages.hr_profiles",
    "portal.pages.hr_proposals",
    "portal.pages.hr_vacancies",
    "portal.pages.introductions",
    "portal.pages.me",
    "portal.pages.my_profile",
    "portal.pages.sign_in",
    "portal.pages.staff",
    "portal.pages.staff_sso",
)


def portal_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for name in PAGE_MODULES:
        router.include_router(importlib.import_module(name).router)
    return router


def install_portal(app: FastAPI) -> None:
    app.include_router(portal_router())
    app.mount("/portal/static", StaticFiles(directory=STATIC), name="portal-static")
