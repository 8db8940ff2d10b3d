"""The application factory: wires settings, database, identity, GraphQL and the portal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.fastapi import GraphQLRouter

from entrypoints.audit_routes import audit_router
from entrypoints.auth_routes import auth_router
from entrypoints.jobs import running_jobs
from exchange.audit.publication import AuditPublication
from exchange.audit.service import record_caller_event
from exchange.competencies import CompetencyNormalizer
from exchange.identity.authenticator import Authenticator
from exchange.identity.keys import KeyStore
from exchange.matching.engine import MatchEngine
from exchange.matching.proposals import ProposalCache
from exchange.taxonomy.service import load_taxonomy
from exchange.webhooks.address_guard import Resolver, system_resolver
from infra.db import Database
from infra.errors import DeadlineExceeded, ServiceUnavailable, Unauthenticated
from infra.key_encryption import key_encryption_keys
from infra.mail import MailSender, mail_sender, sender_for
from infra.observability import install_observability, request_id_of
from infra.runtime import Runtime, open_runtime
from infra.scope import AccessScope
from infra.settings import Settings, get_settings
from portal.router import install_portal
from schema.context import Context
from schema.hardening import HardenedGraphQLRouter, graphql_request_guard
from schema.root import build_schema


@dataclass
class Services:
    """Long-lived collaborators shared by all requests of one process."""

    settings: Settings
    database: Database
    authenticator: Authenticator
    normalizer: CompetencyNormalizer = field(default_factory=CompetencyNormalizer)
    match_engine: MatchEngine | None = None
    proposal_cache: ProposalCache = field(default_factory=ProposalCache)
    runtime: Runtime | None = None
    key_store: KeyStore = field(init=False)
    mail_sender: MailSender = field(init=False)  # tests may swap in their own
    webhook_resolver: Resolver = system_resolver  # tests may swap in their own

    def __post_init__(self) -> None:
        self.mail_sender = sender_for(self.settings)
        self.key_store = KeyStore(keks=key_encryption_keys(self.settings))


def _default_authenticator(settings: Settings) -> Authenticator:
    from exchange.identity.bearer import BearerAuthenticator

    return BearerAuthenticator(settings)


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    authenticator: Authenticator | None = None,
) -> FastAPI:
    """Build the ASGI app. Without ``database`` the lifespan opens the configured PostgreSQL."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            runtime = None
            db = database
            if db is None:
                runtime = await stack.enter_async_context(open_runtime(settings))
                db = runtime.database
            services = Services(
                settings=settings,
                database=db,
                authenticator=authenticator or _default_authenticator(settings),
                runtime=runtime,
            )
            if runtime is not None:  # seal clear keys now; a wrong KEK stops the start here
                await services.key_store.get(db)
            async with db.transaction(AccessScope.system()) as conn:
                services.normalizer = CompetencyNormalizer(await load_taxonomy(conn))
            engine = MatchEngine(services.normalizer.taxonomy)
            await stack.enter_async_context(
                running_jobs(
                    settings=settings,
                    database=db,
                    engine=engine,
                    runtime=runtime,
                    sender_of=lambda: mail_sender(services),
                )
            )
            services.match_engine = engine
            app.state.services = services
            yield

    app = FastAPI(
        title="Tussendeur",
        lifespan=lifespan,
        docs_url="/docs" if settings.is_development else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.is_development else None,
        max_body_size=settings.http_max_body_bytes,
    )
    app.add_middleware(RequestDeadline, seconds=settings.request_timeout_seconds)
    app.add_exception_handler(ServiceUnavailable, _service_unavailable)
    install_observability(app, settings)  # outside the deadline: it logs the 503 too

    async def get_context(request: Request) -> Context:
        services: Services = request.app.state.services
        caller = None
        auth_error: Unauthenticated | None = None
        try:
            caller = await services.authenticator.authenticate(request, services.database)
        except Unauthenticated as exc:
            auth_error = exc
        context = Context(
            settings=settings,
            database=services.database,
            caller=caller,
            language=_language(request, caller.language if caller else None),
            request_id=request_id_of(request),
            services=services,
        )
        context.auth_error = auth_error
        return context

    graphql_app: GraphQLRouter[Context, None] = HardenedGraphQLRouter(
        build_schema(settings),
        context_getter=get_context,
        graphql_ide="graphiql" if settings.is_development else None,
        allow_queries_via_get=False,
        multipart_uploads_enabled=False,
        dependencies=[Depends(graphql_request_guard(settings))],
    )
    app.include_router(
        graphql_app, prefix="/graphql", max_body_size=settings.graphql_max_body_bytes
    )
    app.include_router(auth_router(audit=record_caller_event))  # /oauth/token, JWKS, sign-in
    app.include_router(audit_router(AuditPublication()))  # /audit/checkpoints, /audit/events.csv
    install_portal(app)  # /portal: pages for people, own static assets

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        from infra.migrate import migration_status

        services: Services = request.app.state.services
        try:
            async with (
                asyncio.timeout(settings.readyz_timeout_seconds),
                services.database.transaction(AccessScope.nobody()) as conn,
            ):
                status = await migration_status(conn)
        except Exception as exc:  # readiness reports, never raises
            return JSONResponse({"status": "unavailable", "reason": type(exc).__name__}, 503)
        if not status.current:
            pending = [f"{m.version:04d}_{m.name}" for m in status.pending]
            return JSONResponse({"status": "migrations pending", "pending": pending}, 503)
        engine = services.match_engine
        if engine is not None and engine.stale_since is not None:  # its listener is down
            since = engine.stale_since.isoformat()
            return JSONResponse({"status": "degraded", "index": "stale", "since": since}, 503)
        return JSONResponse({"status": "ready", "schema_version": max(status.applied)})

    return app


GRAPHQL_PATH = "/graphql"
RETRY_AFTER_SECONDS = "1"


def unavailable_response(path: str, error: ServiceUnavailable) -> JSONResponse:
    """503 with the error's code: a GraphQL error on /graphql, the routes' shape elsewhere."""
    if path.rstrip("/") == GRAPHQL_PATH:
        body: dict[str, Any] = {
            "data": None,
            "errors": [{"message": error.message, "extensions": {"code": error.code}}],
        }
    else:
        body = {"error": error.code, "message": error.message}
    return JSONResponse(body, 503, headers={"Retry-After": RETRY_AFTER_SECONDS})


async def _service_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceUnavailable)
    return unavailable_response(request.url.path, exc)


class RequestDeadline:
    """Every HTTP request has ``seconds`` until its response starts (pure ASGI).

    Past the deadline its work is cancelled (its transactions roll back, their connections
    go back to the pool) and it answers 503 ``TIMEOUT``. A response that has started (a
    streamed CSV export) is not cut: each of its statements has ``statement_timeout``.
    """

    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        deadline: asyncio.Timeout | None = None

        async def send_and_disarm(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if deadline is not None:
                    deadline.reschedule(None)
            await send(message)

        try:
            async with asyncio.timeout(self.seconds) as deadline:
                await self.app(scope, receive, send_and_disarm)
        except TimeoutError:
            if started or deadline is None or not deadline.expired():
                raise  # not ours, or too late to answer
            error = DeadlineExceeded(
                f"the request took longer than {self.seconds:g} s and was stopped; try again"
            )
            await unavailable_response(scope["path"], error)(scope, receive, send)


def _language(request: Request, preferred: str | None) -> str:
    requested = request.query_params.get("lang") or request.headers.get("accept-language", "")
    for tag in requested.replace(" ", "").split(","):
        code = tag.split(";")[0].split("-")[0].lower()
        if code in ("nl", "en"):
            return code
    return preferred or "nl"
