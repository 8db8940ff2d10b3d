"""The app over HTTP in a test: its lifespan, an httpx client over ASGI, one GraphQL
operation, the ``me`` query, and a form posted with the CSRF token of its page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from tests.support.tokens import bearer_header

TEST_BASE_URL = "http://testserver"
"""The test client's base URL; the test settings use it as issuer and public URL."""

ME_QUERY = "{ me { role subject consortiumId partnerId scopes } }"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

Auth = str | Mapping[str, str] | None
"""A bearer token, the request's headers, or nothing."""


# ---------------------------------------------------------------- the app and a client


@asynccontextmanager
async def started(app: FastAPI) -> AsyncIterator[FastAPI]:
    """``app`` with its lifespan run: started on entry (jobs, the matcher), stopped on exit."""
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        yield app


def asgi_client(app: FastAPI, *, base_url: str = TEST_BASE_URL) -> httpx.AsyncClient:
    """An httpx client that talks to ``app`` in-process (use it as ``async with``); each
    client keeps its own cookies, as a browser of its own would."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


@asynccontextmanager
async def client_of(
    app: FastAPI, *, base_url: str = TEST_BASE_URL
) -> AsyncIterator[httpx.AsyncClient]:
    """``app`` running, and a client of it."""
    async with started(app), asgi_client(app, base_url=base_url) as client:
        yield client


# ---------------------------------------------------------------- GraphQL


def _headers(auth: Auth) -> dict[str, str]:
    if auth is None:
        return {}
    return bearer_header(auth) if isinstance(auth, str) else dict(auth)


async def graphql_response(
    client: httpx.AsyncClient,
    auth: Auth,
    query: str,
    variables: Mapping[str, Any] | None = None,
    **named_variables: Any,
) -> tuple[httpx.Response, dict[str, Any]]:
    """POST one operation to /graphql: (the response, its JSON body). ``auth`` is a bearer
    token or the headers to send; variables come as a mapping, as keywords, or both."""
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": {**(variables or {}), **named_variables}},
        headers=_headers(auth),
    )
    assert response.headers["content-type"].startswith("application/json"), response.text
    body: dict[str, Any] = response.json()
    return response, body


async def graphql(
    client: httpx.AsyncClient,
    auth: Auth,
    query: str,
    variables: Mapping[str, Any] | None = None,
    **named_variables: Any,
) -> dict[str, Any]:
    """The body (``data`` and ``errors``) of one operation answered with 200."""
    response, body = await graphql_response(client, auth, query, variables, **named_variables)
    assert response.status_code == 200, response.text
    return body


async def graphql_data(
    client: httpx.AsyncClient,
    auth: Auth,
    query: str,
    variables: Mapping[str, Any] | None = None,
    **named_variables: Any,
) -> dict[str, Any]:
    """The ``data`` of an operation that must succeed (no ``errors``, no ``userErrors``)."""
    response, body = await graphql_response(client, auth, query, variables, **named_variables)
    assert response.status_code == 200 and not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    for payload in data.values():
        if isinstance(payload, dict) and "userErrors" in payload:
            assert payload["userErrors"] == [], payload
    return data


async def graphql_refused(
    client: httpx.AsyncClient,
    auth: Auth,
    query: str,
    variables: Mapping[str, Any] | None = None,
    **named_variables: Any,
) -> tuple[str, str]:
    """An operation the caller may not make: (the first error's code, the whole response)."""
    response, body = await graphql_response(client, auth, query, variables, **named_variables)
    assert body.get("errors"), body
    code = str((body["errors"][0].get("extensions") or {}).get("code", ""))
    return code, response.text


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    """The ``me`` query as a raw response (a refusal may be a GraphQL error or an HTTP one)."""
    return await client.post("/graphql", json={"query": ME_QUERY}, headers=headers)


def error_code(response: httpx.Response) -> str | None:
    """The GraphQL error code, or "HTTP <status>" for a non-GraphQL refusal."""
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    errors = response.json().get("errors") or []
    return errors[0]["extensions"].get("code") if errors else None


# ---------------------------------------------------------------- pages, links and forms


def csrf_of(html: str) -> str:
    """The CSRF token of the (first) form on a page."""
    match = CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


async def post_form(
    client: httpx.AsyncClient, path: str, *, page: str | httpx.Response, **fields: str
) -> httpx.Response:
    """Submit a form as a browser does: ``fields`` and the CSRF token read from ``page``
    (the page the form is on, as HTML or as the response that brought it)."""
    html = page if isinstance(page, str) else page.text
    return await client.post(path, data={"csrf_token": csrf_of(html), **fields})


def token_of(link: str) -> str:
    """The ``token`` query parameter of an emailed link."""
    return parse_qs(urlsplit(link).query)["token"][0]


def path_of(link: str) -> str:
    """An emailed link as the path a test client requests."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"
