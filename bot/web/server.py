"""The HTTP surface: Bolt's endpoints plus /healthz, served by uvicorn (in Socket Mode,
/healthz alone).

Bolt's own Starlette adapter calls the sync ``App.dispatch`` inside the event loop, so one
slow request stalls every other. We dispatch in a worker thread instead, which keeps the
loop free to accept and answer concurrent Slack requests.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.deps import Deps
from bot.metrics import request_type
from bot.web.edge import EdgeLimits, SlackEdge, connection_cap, dropped_connections, edge_protocol, raise_fd_limit
from bot.web.validate import malformed_reason

log = logging.getLogger(__name__)


def create_web_app(
    app: App,
    deps: Deps,
    *,
    metrics_route: bool = False,
    socket_connected: Callable[[], bool] | None = None,
) -> Starlette:
    """The Starlette app behind ``SlackEdge``.

    `coachbot serve` never serves /metrics here (it has METRICS_PORT, away from the public
    Slack port); ``metrics_route`` is for the loopback-only playground. With
    ``socket_connected`` (Socket Mode) there are no Slack routes at all: Slack's requests
    arrive over the socket, and this app only answers /healthz, which then also says whether
    the socket is connected.
    """
    verifier = SignatureVerifier(deps.settings.slack_signing_secret or "")
    metrics = deps.metrics
    socket_mode = not deps.settings.slack_signing_secret

    async def events(request: Request) -> Response:
        started = time.perf_counter()
        body = await request.body()
        try:
            decoded = body.decode("utf-8")
        except UnicodeDecodeError:
            # Slack only sends UTF-8; anything else was not signed by Slack.
            metrics.requests.labels(type="other", outcome="malformed").inc()
            return PlainTextResponse("request body is not UTF-8", status_code=400)
        if not socket_mode and not verifier.is_valid_request(decoded, dict(request.headers)):
            metrics.requests.labels(type="other", outcome="rejected").inc()
            return PlainTextResponse("invalid request signature", status_code=401)
        try:
            bolt_request = BoltRequest(body=decoded, query=str(request.query_params), headers=_headers(request))
        except (ValueError, TypeError, AttributeError, KeyError):  # Bolt assumes a JSON object
            bolt_request = None
        reason = malformed_reason(bolt_request.body if bolt_request is not None else None)
        if bolt_request is None or reason is not None:
            metrics.requests.labels(type="other", outcome="malformed").inc()
            return PlainTextResponse(f"malformed request: {reason or 'unparseable body'}", status_code=400)
        kind = request_type(bolt_request.body)
        try:
            bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
        except Exception as exc:  # the HTTP edge: Slack must never get a 5xx
            log.error("request could not be dispatched: %s", type(exc).__name__, exc_info=True)
            metrics.requests.labels(type=kind, outcome="error").inc()
            return PlainTextResponse("request could not be handled", status_code=400)
        outcome = "ok" if bolt_response.status < 400 else "error"
        if bolt_response.status >= 500:
            # Listener failures are answered by bot.listeners.errors; this is a last resort.
            log.error("Bolt answered %d; sending 200 so Slack does not retry", bolt_response.status)
            bolt_response = BoltResponse(status=200, body="")
        response = to_starlette_response(bolt_response)
        metrics.requests.labels(type=kind, outcome=outcome).inc()
        metrics.ack_seconds.labels(type=kind).observe(time.perf_counter() - started)
        return response

    async def oauth(request: Request) -> Response:
        flow = app.oauth_flow
        if flow is None:
            return PlainTextResponse("This coachbot runs in single-workspace mode.", status_code=404)
        bolt_request = BoltRequest(body="", query=str(request.query_params), headers=_headers(request))
        if request.url.path == flow.install_path:
            resp = await run_in_threadpool(flow.handle_installation, bolt_request)
        else:
            resp = await run_in_threadpool(flow.handle_callback, bolt_request)
        return to_starlette_response(resp)

    async def metrics_endpoint(_: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    health = HealthCheck(lambda: _check_database(deps), deps.clock)

    async def healthz(_: Request) -> Response:
        ok, detail = await health.result()
        body = {"status": "ok" if ok else "unavailable", "database": detail}
        if socket_connected is not None:
            # Not cached: a flag read, no I/O. The SDK reconnects on its own; a socket that stays
            # down (a revoked app token, no route to Slack) makes the container unhealthy.
            connected = socket_connected()
            body["socket_mode"] = "connected" if connected else "disconnected"
            if not connected:
                ok = False
                body["status"] = "unavailable"
        return JSONResponse(body, status_code=200 if ok else 503)

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if socket_connected is None:
        routes += [
            Route("/slack/events", events, methods=["POST"]),
            Route("/slack/install", oauth, methods=["GET"]),
            Route("/slack/oauth_redirect", oauth, methods=["GET"]),
        ]
    if metrics_route:
        routes.append(Route("/metrics", metrics_endpoint, methods=["GET"]))
    web = Starlette(routes=routes)
    web.add_middleware(
        SlackEdge,
        # In Socket Mode /slack/events does not exist: a 404 like any unknown path, not a 401
        # that would tell a scanner there is a Slack endpoint here.
        signing_secret=deps.settings.slack_signing_secret if socket_connected is None else None,
        max_body_bytes=deps.settings.max_body_bytes,
        metrics=metrics,
    )
    return web


def web_server_config(
    app: App, deps: Deps, *, host: str, port: int, socket_connected: Callable[[], bool] | None = None
) -> uvicorn.Config:
    """uvicorn settings for `coachbot serve`: the edge protocol, the caps and quiet logs.
    With ``socket_connected`` (Socket Mode) the same server answers /healthz only."""
    settings = deps.settings
    fd_limit = raise_fd_limit()
    cap = connection_cap(settings, fd_limit)
    if cap < settings.max_connections:
        log.warning(
            "COACHBOT_MAX_CONNECTIONS=%d lowered to %d: this process may open only %d files (ulimit -n)",
            settings.max_connections,
            cap,
            fd_limit,
        )
    limits = EdgeLimits.from_settings(settings, max_connections=cap)
    return uvicorn.Config(
        create_web_app(app, deps, socket_connected=socket_connected),
        host=host,
        port=port,
        http=edge_protocol(limits, dropped_connections(deps.metrics.registry)),
        # Slack talks plain HTTP POSTs; no websockets library is imported or offered.
        ws="none",
        lifespan="off",
        # Past the cap uvicorn answers 503 itself; the edge protocol sheds connections
        # beyond it before they hold a descriptor.
        limit_concurrency=cap,
        timeout_keep_alive=settings.keepalive_seconds,
        timeout_graceful_shutdown=20,
        # uvicorn's loggers propagate to the root handler from bot.logs (text or JSON) and
        # take their levels from there; no dictConfig of its own, no access log.
        log_config=None,
        log_level=None,
        access_log=False,
    )


class HealthCheck:
    """The database check behind /healthz, reused for about a second.

    A load balancer (or anyone) polling /healthz hundreds of times a second would otherwise
    take a pool connection and a worker thread per poll, away from note saves. Concurrent
    polls while a check is running wait for that one check. Time comes from the app's
    injected clock; a clock that moved backwards counts as expired.
    """

    def __init__(
        self,
        check: Callable[[], tuple[bool, str]],
        clock: Callable[[], datetime],
        ttl: timedelta = timedelta(seconds=1),
    ) -> None:
        self._check = check
        self._clock = clock
        self._ttl = ttl
        self._last: tuple[datetime, tuple[bool, str]] | None = None
        self._lock = asyncio.Lock()

    def _fresh(self) -> tuple[bool, str] | None:
        if self._last is None:
            return None
        checked_at, result = self._last
        age = self._clock() - checked_at
        return result if timedelta(0) <= age < self._ttl else None

    async def result(self) -> tuple[bool, str]:
        fresh = self._fresh()
        if fresh is not None:
            return fresh
        async with self._lock:
            fresh = self._fresh()  # another poll may have checked while we waited
            if fresh is not None:
                return fresh
            started = self._clock()
            result = await run_in_threadpool(self._check)
            self._last = (started, result)
            return result


def _headers(request: Request) -> dict[str, Any]:
    headers: dict[str, list[str]] = {}
    for key, value in request.headers.items():
        headers.setdefault(key, []).append(value)
    return headers


def _check_database(deps: Deps) -> tuple[bool, str]:
    try:
        with deps.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure here means "not healthy"
        return False, type(exc).__name__
    return True, "ok"
