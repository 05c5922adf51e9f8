"""The playground's HTTP side: the page, its JSON API (``/pg/...``), the stand-in's Web API
and the live app, on one loopback port behind one Host check.

A click arrives as JSON at ``/pg/{verb}`` and becomes a ``Playground`` call (what a person
does); ``/pg/state`` long-polls what the page shows (``page``).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.playground.page import page_config, page_state
from bot.playground.server import Playground, PlaygroundError, channel_of, persona_of

LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}
STATIC = Path(__file__).with_name("static")


def asgi(pg: Playground) -> Starlette:
    """The ASGI app that serves ``pg`` (``coachbot playground`` runs it with uvicorn)."""
    return PageRoutes(pg).app()


class PageRoutes:
    def __init__(self, pg: Playground) -> None:
        self.pg = pg

    def app(self) -> Starlette:
        """The page, its JSON API (``/pg/...``), the stand-in and the live app, behind one Host check."""
        routes = [
            Route("/", self._page, methods=["GET"]),
            Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
            Route("/pg/config", self._json_get(lambda _: page_config()), methods=["GET"]),
            Route("/pg/state", self._state, methods=["GET"]),
            Route("/pg/files/{file_id}", self._file, methods=["GET"]),
            *self.pg.assistant.routes(),
            Route("/pg/assistant/{verb}", self._assistant_post, methods=["POST"]),
            Route("/pg/{verb}", self._post, methods=["POST"]),
            *self.pg.standin.routes(),
            Mount("", app=self._app),
        ]
        # One Host check in front of every route, the app's /slack/events, /healthz and
        # /metrics and the stand-in's included: nothing is reachable through a rebound name.
        return Starlette(routes=routes, middleware=[Middleware(LoopbackOnly, port=self.pg.port)])

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The real app's routes (/slack/events, /healthz, /metrics), whichever copy is live."""
        web = self.pg._web
        if web is None:
            await PlainTextResponse("coachbot is restarting", status_code=503)(scope, receive, send)
            return
        await web(scope, receive, send)

    async def _page(self, request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    def _json_get(self, fn: Callable[[Request], dict[str, Any]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return JSONResponse(fn(request))

        return endpoint

    async def _state(self, request: Request) -> Response:
        try:
            persona = persona_of(request.query_params.get("persona"))
            channel = channel_of(request.query_params.get("conv"))
        except PlaygroundError as err:
            return JSONResponse({"error": str(err)}, status_code=400)
        since = request.query_params.get("since", "")
        # A long poll: answer as soon as something changed, or after 20 s with no change.
        if since.isdigit():
            for _ in range(200):
                if self.pg.world.version != int(since):
                    break
                await asyncio.sleep(0.1)
        return JSONResponse(page_state(self.pg.world, self.pg.clock, persona, channel))

    async def _file(self, request: Request) -> Response:
        file = self.pg.world.files.get(request.path_params["file_id"])
        if file is None or file.content is None:
            return PlainTextResponse("no such file", status_code=404)
        return Response(
            file.content,
            media_type="text/csv" if file.filename.endswith(".csv") else "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{re.sub(r"[^A-Za-z0-9._-]", "_", file.filename)}"'},
        )

    async def _checked_body(self, request: Request) -> dict[str, Any] | Response:
        """The JSON object a click posts, or the refusal: every page post goes through here."""
        if not _same_origin(request):
            return _wrong_host(self.pg.port)
        # JSON only: a web page elsewhere cannot send this content type without asking first
        # (CORS preflight, which the playground never grants), so it cannot click for you.
        if not request.headers.get("content-type", "").startswith("application/json"):
            return JSONResponse({"error": "send JSON"}, status_code=415)
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
        return body

    async def _post(self, request: Request) -> Response:
        body = await self._checked_body(request)
        if isinstance(body, Response):
            return body
        verb = request.path_params["verb"]
        try:
            result = await run_in_threadpool(self._dispatch, verb, body)
        except PlaygroundError as err:
            return JSONResponse({"error": str(err)}, status_code=400)
        return JSONResponse(result)

    async def _assistant_post(self, request: Request) -> Response:
        body = await self._checked_body(request)
        if isinstance(body, Response):
            return body
        status, result = await run_in_threadpool(self.pg.assistant.post, request.path_params["verb"], body)
        return JSONResponse(result, status_code=status)

    def _dispatch(self, verb: str, body: dict[str, Any]) -> dict[str, Any]:
        if verb == "reset":
            self.pg.reset()
            return {}
        persona = persona_of(body.get("persona"))
        if verb == "send":
            return self.pg.send(persona, channel_of(body.get("conv")), str(body.get("text") or ""))
        if verb == "action":
            return self.pg.action(persona, body)
        if verb == "submit":
            values = body.get("values")
            return self.pg.submit(persona, str(body.get("view_id") or ""), values if isinstance(values, dict) else {})
        if verb == "close":
            return self.pg.close(persona, str(body.get("view_id") or ""))
        if verb == "react":
            channel = channel_of(body.get("conv"))
            return self.pg.react(persona, channel, str(body.get("ts") or ""), str(body.get("reaction") or ""))
        if verb == "shortcut":
            channel = channel_of(body.get("conv"))
            return self.pg.shortcut(persona, channel, str(body.get("ts") or ""), str(body.get("callback_id") or ""))
        if verb == "home":
            return self.pg.open_home(persona)
        if verb == "time":
            return self.pg.travel(persona, str(body.get("jump") or ""))
        if verb == "workflow":
            inputs, step = body.get("inputs"), str(body.get("callback_id") or "")
            run = self.pg.workflows.run(
                self.pg.poster, callback_id=step, inputs=inputs if isinstance(inputs, dict) else {}
            )
            return run.to_json()
        raise PlaygroundError(f"unknown request /pg/{verb}")


def _loopback_host(host: str) -> bool:
    """Only pages opened at a loopback name may drive the playground (no DNS rebinding)."""
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]", 1)[0] + "]"
    return name.lower() in LOOPBACK_NAMES


class LoopbackOnly:
    """ASGI middleware: every HTTP request must name a loopback host, or it gets 403."""

    def __init__(self, app: ASGIApp, *, port: int) -> None:
        self.app = app
        self.port = port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
            if not _loopback_host(host):
                await _wrong_host(self.port)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.split("://", 1)[-1].lower() == request.headers.get("host", "").lower()


def _wrong_host(port: int) -> Response:
    return PlainTextResponse(
        f"The coachbot playground only answers pages opened at http://127.0.0.1:{port}/", status_code=403
    )
