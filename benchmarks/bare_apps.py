"""Bare Bolt apps that ack a fixed string: the floor our ack latency is compared with.

    python -m benchmarks.bare_apps {async|threadpool|pbr} PORT

- async:      AsyncApp with Bolt's async Starlette handler
- threadpool: the sync App (default, polls for the ack every 10 ms) dispatched in a thread pool
- pbr:        the sync App with process_before_response=True, dispatched in a thread pool
"""

from __future__ import annotations

import sys
from typing import Any

import uvicorn
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SECRET = "bench-signing-secret"
TOKEN = "xoxb-test"


def async_app(api_url: str) -> Starlette:
    app = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=api_url))

    @app.command("/quote")
    async def quote(ack: Any) -> None:
        await ack("Leaders inspire, managers improve.")

    app.command("/coach")(quote)
    handler = AsyncSlackRequestHandler(app)

    async def events(req: Request) -> Response:
        return await handler.handle(req)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


def sync_app(api_url: str, *, process_before_response: bool) -> Starlette:
    app = App(
        signing_secret=SECRET,
        client=WebClient(token=TOKEN, base_url=api_url),
        token_verification_enabled=False,
        process_before_response=process_before_response,
    )

    @app.command("/quote")
    def quote(ack: Any) -> None:
        ack("Leaders inspire, managers improve.")

    app.command("/coach")(quote)

    async def events(req: Request) -> Response:
        body = (await req.body()).decode()
        bolt_req = BoltRequest(body=body, query=str(req.query_params), headers=dict(req.headers))
        return to_starlette_response(await run_in_threadpool(app.dispatch, bolt_req))

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


def main() -> None:
    kind, port, api_url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    web = async_app(api_url) if kind == "async" else sync_app(api_url, process_before_response=(kind == "pbr"))
    uvicorn.run(web, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
