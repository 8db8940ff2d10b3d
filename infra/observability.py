"""Operations: structured logs with a request id, one access-log line per request, metrics.

* :func:`configure_logging` routes structlog and the standard library (uvicorn, asyncpg,
  strawberry) through one handler: JSON lines, or a console layout when ``log_json`` is
  off. Tracebacks never carry local variables.
* :class:`ObservabilityMiddleware` gives each request an id (a sane ``X-Request-ID`` from
  the caller, or a new one), binds it to every log line of the request, echoes it in the
  response, writes the access line and records the metrics.
* :class:`GraphQLOperationObserver`, a schema extension, tells the middleware which
  GraphQL operation a request ran, so metrics are per operation name.

The access line holds method, route, status, duration and the operation name and type:
never the query string, variables, headers, tokens or anything about a person.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TextIO

import structlog
from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    gc_collector,
    generate_latest,
    platform_collector,
    process_collector,
)
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import PreExecutionError

from infra.settings import Settings

REQUEST_ID_HEADER = "x-request-id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
_HANDLER_MARK = "_tussendeur_handler"

access_log = structlog.get_logger("tussendeur.access")
log = structlog.get_logger("tussendeur.http")


# --- logging ---------------------------------------------------------------------------


def configure_logging(settings: Settings, *, stream: TextIO | None = None) -> None:
    """Configure structlog and the standard library once; calling again replaces the setup."""
    level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        # which worker wrote it, with ``tussendeur serve --workers N``
        structlog.processors.CallsiteParameterAdder(
            [structlog.processors.CallsiteParameter.PROCESS]
        ),
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer: list[Any]
    if settings.log_json:
        renderer = [
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            structlog.processors.JSONRenderer(),
        ]
    else:
        renderer = [
            structlog.dev.ConsoleRenderer(
                colors=(stream or sys.stderr).isatty(),
                exception_formatter=structlog.dev.RichTracebackFormatter(show_locals=False),
            )
        ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
    )
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else _CurrentStderrHandler()
    )
    handler.setFormatter(formatter)
    setattr(handler, _HANDLER_MARK, True)

    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's own handlers would print a second, differently formatted line; its access
    # log repeats ours (and would show query strings), so it stays off.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").handlers.clear()
    logging.getLogger("uvicorn.access").propagate = False
    # httpx logs every URL it calls at INFO, query strings (OAuth codes) included.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


# --- the request record ----------------------------------------------------------------


@dataclass
class RequestRecord:
    """What one request did, filled in by whoever knows (the GraphQL observer)."""

    request_id: str
    graphql_operation: str | None = None
    graphql_type: str | None = None
    graphql_outcome: str | None = None


_current: ContextVar[RequestRecord | None] = ContextVar("tussendeur_request", default=None)


def request_id_of(connection: HTTPConnection) -> str:
    """The id the middleware gave this request (a fresh one when it did not run)."""
    request_id = connection.scope.get("state", {}).get("request_id")
    return request_id if isinstance(request_id, str) else uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """The caller's ``X-Request-ID`` when it is sane, otherwise a new id."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


# --- metrics ---------------------------------------------------------------------------


class Metrics:
    """Prometheus metrics of one app, in their own registry."""

    def __init__(self, *, max_operation_names: int) -> None:
        self.registry = CollectorRegistry()
        process_collector.ProcessCollector(registry=self.registry)
        platform_collector.PlatformCollector(registry=self.registry)
        gc_collector.GCCollector(registry=self.registry)
        self.http_requests = Counter(
            "tussendeur_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_duration = Histogram(
            "tussendeur_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self.graphql_operations = Counter(
            "tussendeur_graphql_operations",
            "GraphQL operations by name, type and outcome (ok, error, rejected).",
            ["operation", "type", "outcome"],
            registry=self.registry,
        )
        self.graphql_duration = Histogram(
            "tussendeur_graphql_operation_duration_seconds",
            "GraphQL request latency by operation name and type.",
            ["operation", "type"],
            registry=self.registry,
        )
        self.max_operation_names = max_operation_names
        self._operation_names: set[str] = set()

    def operation_label(self, name: str | None) -> str:
        """Client-chosen names are bounded: a sane name, and at most so many of them."""
        if name is None:
            return "anonymous"
        if not _OPERATION_NAME.fullmatch(name):
            return "invalid"
        if name not in self._operation_names:
            if len(self._operation_names) >= self.max_operation_names:
                return "other"
            self._operation_names.add(name)
        return name

    def observe(
        self, *, method: str, route: str, status: int, seconds: float, record: RequestRecord
    ) -> None:
        self.http_requests.labels(method, route, str(status)).inc()
        self.http_duration.labels(method, route).observe(seconds)
        if record.graphql_outcome is not None:
            operation = self.operation_label(record.graphql_operation)
            kind = record.graphql_type or "unknown"
            self.graphql_operations.labels(operation, kind, record.graphql_outcome).inc()
            self.graphql_duration.labels(operation, kind).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


# --- the middleware --------------------------------------------------------------------


def route_template(scope: Scope) -> str | None:
    """The matched route as a template (``/consent/{token}``); ``None`` when nothing matched.

    Rebuilt from the path and its path parameters, which works the same for app routes,
    included routers and mounts: a label or log line never carries a token from a path.
    """
    if scope.get("route") is None:
        return None
    path: str = scope["path"]
    params = {str(value): name for name, value in (scope.get("path_params") or {}).items()}
    for value, name in sorted(params.items(), key=lambda item: -len(item[0])):
        if "/" in value and path.endswith(value):  # a {name:path} converter
            path = path[: -len(value)] + "{" + name + "}"
    segments = path.split("/")
    return "/".join("{" + params[s] + "}" if s in params else s for s in segments)


class ObservabilityMiddleware:
    """Request id, access log and metrics for every HTTP request (pure ASGI)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        raw_id = headers.get(REQUEST_ID_HEADER.encode())
        request_id = accept_request_id(raw_id.decode("latin-1") if raw_id else None)
        scope.setdefault("state", {})["request_id"] = request_id
        record = RequestRecord(request_id)
        record_token = _current.set(record)
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        started = time.perf_counter()

        outer_raised = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, outer_raised
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            try:
                await send(message)
            except BaseException:
                # Raised outside: Starlette's body limit answers 413 itself and stops the
                # app this way. Not an error of ours.
                outer_raised = True
                raise

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if not outer_raised:
                status = 500
                log.exception("http.unhandled_error")
            raise
        finally:
            seconds = time.perf_counter() - started
            template = route_template(scope)
            method = scope["method"]
            self.metrics.observe(
                method=method,
                route=template or "unmatched",
                status=status,
                seconds=seconds,
                record=record,
            )
            level = logging.DEBUG if template in _QUIET_ROUTES and status < 500 else logging.INFO
            access_log.log(
                level,
                "http.request",
                method=method,
                path=template or scope["path"][:200],
                status=status,
                duration_ms=round(seconds * 1000, 2),
                operation=record.graphql_operation,
                operation_type=record.graphql_type,
                outcome=record.graphql_outcome,
            )
            structlog.contextvars.reset_contextvars(**bound)
            _current.reset(record_token)


class GraphQLOperationObserver(SchemaExtension):
    """Tells the request record the operation's name, type and outcome."""

    def on_operation(self) -> Iterator[None]:
        yield
        record = _current.get()
        if record is None:
            return
        context = self.execution_context
        record.graphql_operation = context.operation_name
        try:
            record.graphql_type = context.operation_type.value
        except Exception:  # no document, or an operation name that names nothing
            record.graphql_type = None
        result = context.result
        if isinstance(result, PreExecutionError):
            record.graphql_outcome = "rejected"  # did not parse or validate
        elif result is None or result.errors:
            record.graphql_outcome = "error"
        else:
            record.graphql_outcome = "ok"


def install_observability(app: FastAPI, settings: Settings) -> None:
    """Logging, the request middleware and ``/metrics``; called once by ``create_app``."""
    configure_logging(settings)
    starting = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        # Again at start-up: a server (uvicorn's default log config) may have replaced
        # the handlers between create_app and now.
        configure_logging(settings)
        async with starting(application) as state:
            yield state

    app.router.lifespan_context = lifespan
    metrics = Metrics(max_operation_names=settings.metrics_max_operation_names)
    app.state.metrics = metrics
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    if settings.metrics_enabled:

        async def metrics_endpoint(request: Request) -> Response:
            return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

        app.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
