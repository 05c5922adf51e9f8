"""The HTTP surface: Bolt's endpoints plus /healthz, served by uvicorn.

Bolt's own Starlette adapter calls the sync ``App.dispatch`` inside the event loop, so one
slow request stalls every other. We dispatch in a worker thread instead, which keeps the
loop free to accept and answer concurrent Slack requests.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_starlette_response
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.deps import Deps

log = logging.getLogger(__name__)


def create_web_app(app: App, deps: Deps) -> Starlette:
    async def events(request: Request) -> Response:
        body = await request.body()
        try:
            decoded = body.decode("utf-8")
        except UnicodeDecodeError:
            # Slack only sends UTF-8; anything else was not signed by Slack.
            return PlainTextResponse("request body is not UTF-8", status_code=400)
        bolt_request = BoltRequest(body=decoded, query=str(request.query_params), headers=_headers(request))
        bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
        return to_starlette_response(bolt_response)

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

    async def healthz(_: Request) -> Response:
        ok, detail = await run_in_threadpool(_check_database, deps)
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "database": detail}, status_code=200 if ok else 503
        )

    return Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/slack/install", oauth, methods=["GET"]),
            Route("/slack/oauth_redirect", oauth, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


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
