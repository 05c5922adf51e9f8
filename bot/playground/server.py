"""The playground: the real app, the stand-in Web API and the page, on one loopback port.

``Playground`` owns one running copy of the app (deps, Bolt app, web app, scheduler) built
from generated settings, and rebuilds it from an empty database on Reset. The page's JSON
API (``/pg/...``) turns clicks into signed Slack payloads (``poster``) and Slack-side
effects (``world``); the app answers through the stand-in (``standin``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.app import create_app
from bot.blocks.submissions import SHORTCUT
from bot.bootstrap import build_deps, prepare_database
from bot.config import ConfigError, Settings
from bot.deps import Deps
from bot.playground import render, views
from bot.playground import world as w
from bot.playground.assistant_pane import AssistantPane
from bot.playground.clock import JUMPS, PlaygroundClock, jump_target
from bot.playground.poster import SLACK_ACK_SECONDS, AppAnswer, Poster
from bot.playground.standin import StandIn
from bot.playground.world import Message, World
from bot.scheduling.run import run_due
from bot.scheduling.tick import Ticker
from bot.services import coaching
from bot.web.server import create_web_app

log = logging.getLogger(__name__)

COMMANDS = {
    "/quote": '[help | daily 09:00 | add "text" — Author | top | search words]',
    "/coach": "[help | @rep note | notes | overview | prompts 08:30]",
}
SHORTCUTS = [{"callback_id": SHORTCUT, "name": "Save as leadership quote"}]
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAX_TEXT = 4000  # Slack's composer refuses longer messages; a slash command's text is shorter still
REACTIONS = ("+1", "heart", "fire", "tada", "clap", "bulb")
STATIC = Path(__file__).with_name("static")
CLOCK_SUFFIX = ".clock"  # beside the database: the playground time it had reached
# SQLite's header field for "which application's file is this": 'CBPG', coachbot playground.
APPLICATION_ID = 0x43425047


class PlaygroundError(Exception):
    """Something the person did that cannot work; ``str()`` says what and how to fix it."""


class Playground:
    def __init__(self, db_path: Path, *, port: int, start: datetime | None = None, log_level: str = "WARNING") -> None:
        self.db_path = db_path
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.token = "xoxb-playground-" + secrets.token_hex(12)
        self.signing_secret = secrets.token_hex(16)
        self.clock = PlaygroundClock(start)
        self.world = World(self.clock)
        self.standin = StandIn(self.world, token=self.token, base_url=self.base_url)
        self.poster = Poster(f"{self.base_url}/slack/events", self.signing_secret)
        self.assistant = AssistantPane(
            self.world, poster=lambda: self.poster, directory=self.directory, author=self.author, encode=slack_encode
        )
        self.assistant.install(self.standin)
        self.settings = Settings.from_env(
            {
                "DATABASE_URL": f"sqlite:///{db_path}",
                "SLACK_BOT_TOKEN": self.token,
                "SLACK_SIGNING_SECRET": self.signing_secret,
                "SLACK_API_URL": f"{self.base_url}/api/",
                "COACHBOT_ADMINS": w.ADA.id,
                "LOG_LEVEL": log_level,
            }
        )
        self.deps: Deps | None = None
        self._web: ASGIApp | None = None
        self._scheduler: BackgroundScheduler | None = None
        self._lifecycle = threading.Lock()
        # Where a restart found the clock saved, when that was ahead of the start instant.
        self.resumed_at: datetime | None = None

    # -- the app's lifecycle -----------------------------------------------------------

    def start_app(self, *, scheduler: bool = True) -> None:
        """Migrate, load the curated store, name Max a manager, build the app and its tick."""
        with self._lifecycle:
            check_database(self.db_path)
            mark_database(self.db_path)
            self._resume_clock()
            deps = build_deps(self.settings)
            deps.clock = self.clock
            prepare_database(deps)
            with deps.sessions.begin() as session:
                # The personas' roles: Ada is an admin (COACHBOT_ADMINS), Max a manager she named.
                coaching.add_managers(
                    session,
                    team_id=w.TEAM_ID,
                    enterprise_id=None,
                    user_ids=[w.MAX.id],
                    added_by=w.ADA.id,
                    now=self.clock(),
                )
            app = create_app(deps)
            self._web = create_web_app(app, deps, metrics_route=True)
            self.deps = deps
            if scheduler:
                # The same tick as `serve`, reading the playground clock (deps.clock).
                sched = BackgroundScheduler(timezone="UTC")
                sched.add_job(
                    Ticker(deps),
                    IntervalTrigger(seconds=self.settings.tick_seconds),
                    max_instances=1,
                    coalesce=True,
                )
                sched.start()
                self._scheduler = sched

    def stop_app(self) -> None:
        with self._lifecycle:
            deps, self.deps, self._web = self.deps, None, None
            if self._scheduler is not None:
                self._scheduler.shutdown(wait=True)
                self._scheduler = None
            if deps is not None:
                deps.stopping.set()
                deps.background.shutdown(wait=True)
                deps.engine.dispose()
                self._save_clock()

    def reset(self) -> None:
        """An empty database with the curated store loaded, empty channels, the start time."""
        scheduler = self._scheduler is not None
        self.stop_app()
        for suffix in ("", "-wal", "-shm", "-journal", CLOCK_SUFFIX):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        self.world.reset()
        self.assistant.reset()
        self.clock.reset()
        self.start_app(scheduler=scheduler)

    # The database remembers deliveries claimed at travelled-to instants ("one post per local
    # date"), so the clock must not fall back behind them when the playground restarts.

    def _save_clock(self) -> None:
        Path(f"{self.db_path}{CLOCK_SUFFIX}").write_text(self.clock().isoformat() + "\n", encoding="utf-8")

    def _resume_clock(self) -> None:
        saved = Path(f"{self.db_path}{CLOCK_SUFFIX}")
        if not saved.exists():
            return
        try:
            at = datetime.fromisoformat(saved.read_text(encoding="utf-8").strip())
        except ValueError:
            log.warning("ignoring %s: not an ISO 8601 instant", saved)
            return
        if at.tzinfo is not None and at > self.clock():
            self.clock.travel_to(at)
            self.resumed_at = at

    def _deps(self) -> Deps:
        deps = self.deps
        if deps is None:
            raise PlaygroundError("coachbot is restarting; try again in a second")
        return deps

    # -- what people do ----------------------------------------------------------------

    def send(self, persona: w.Persona, channel: w.Channel, text: str) -> dict[str, Any]:
        text = text.strip()
        if not text:
            raise PlaygroundError("Type a message, or a command such as /quote")
        if len(text) > MAX_TEXT:
            raise PlaygroundError(f"That is {len(text):,} characters; Slack takes at most {MAX_TEXT:,}.")
        if not text.startswith("/"):
            self.world.post(Message(channel.id, self.world.next_ts(), persona.id, slack_encode(text)))
            return {}
        command, _, rest = text.partition(" ")
        command = command.lower()
        if command not in COMMANDS:
            self._system(
                persona,
                channel,
                f"`{command}` is not a valid command. Try `/quote` or `/coach` "
                "(to send a message that starts with /, add a space first).",
            )
            return {}
        trigger = self.world.issue_trigger(persona.id)
        response_url = self.world.issue_response_url(self.base_url, persona.id, channel.id, None)
        answer = self.poster.command(
            user=persona,
            channel=channel,
            command=command,
            text=slack_encode(rest.strip()),
            trigger_id=trigger,
            response_url=response_url,
        )
        self._show_ack(persona, channel, command, answer)
        return {"seconds": round(answer.seconds, 3)}

    def _show_ack(self, persona: w.Persona, channel: w.Channel, what: str, answer: AppAnswer) -> None:
        problem = answer.problem
        if problem is not None:
            self._system(persona, channel, f'{what} failed with the error "{problem}"')
            return
        if answer.seconds > SLACK_ACK_SECONDS:
            self._system(persona, channel, f"{what}: coachbot took {answer.seconds:.1f} s; Slack gives up after 3 s")
        payload = answer.json()
        if payload is not None:
            self.standin.answer(persona.id, channel.id, None, payload)
        elif answer.body.strip():
            self.standin.answer(persona.id, channel.id, None, {"text": answer.body})

    def _system(self, persona: w.Persona, channel: w.Channel, text: str) -> None:
        """Slackbot's private line (a failed command), shown only to the person."""
        self.world.post(
            Message(channel.id, self.world.next_ts(), "USLACKBOT", text.replace("<", "&lt;"), visible_to=persona.id)
        )

    def _message_of(self, persona: w.Persona, channel: w.Channel, ts: str) -> Message:
        message = self.world.find(channel.id, ts)
        if message is None or message.visible_to not in (None, persona.id):
            raise PlaygroundError("That message is gone.")
        return message

    def action(self, persona: w.Persona, body: dict[str, Any]) -> dict[str, Any]:
        """A button, menu, select or picker outside a modal's inputs: Slack's ``block_actions``."""
        block_id, action_id = str(body.get("block_id") or ""), str(body.get("action_id") or "")
        view_id = body.get("view_id")
        trigger = self.world.issue_trigger(persona.id)
        if view_id:
            found = self.world.find_view(str(view_id))
            if found is None or found[0] != persona.id:
                raise PlaygroundError("That form is closed.")
            view = dict(found[2])
            view["state"] = {"values": views.build_state(view, body.get("values") or {})}
            element = _element(view.get("blocks") or [], block_id, action_id)
            action = _action(element, block_id, body.get("value"))
            answer = self.poster.block_actions(user=persona, action=action, trigger_id=trigger, view=view)
        else:
            channel = _channel(body.get("conv"))
            message = self._message_of(persona, channel, str(body.get("ts") or ""))
            element = _element(message.blocks or [], block_id, action_id)
            action = _action(element, block_id, body.get("value"))
            payload = message.to_api(with_metadata=False)
            payload["is_ephemeral"] = message.visible_to is not None
            response_url = self.world.issue_response_url(self.base_url, persona.id, channel.id, message.ts)
            answer = self.poster.block_actions(
                user=persona,
                action=action,
                trigger_id=trigger,
                channel=channel,
                message=payload,
                response_url=response_url,
            )
        if answer.problem is not None:
            return {"error": f"coachbot did not answer that ({answer.problem})."}
        return {}

    def submit(self, persona: w.Persona, view_id: str, raw: dict[str, Any]) -> dict[str, Any]:
        stack = self.world.modal_stack(persona.id)
        view = next((v for v in stack if v["id"] == view_id), None)
        if view is None:
            raise PlaygroundError("That form is closed.")
        values = views.build_state(view, raw)
        errors = views.client_errors(view, values)
        if errors:
            return {"errors": errors}
        submitted = dict(view)
        submitted["state"] = {"values": values}
        answer = self.poster.view_submission(
            user=persona, view=submitted, trigger_id=self.world.issue_trigger(persona.id)
        )
        if answer.problem is not None:
            return {"error": f"We had some trouble connecting ({answer.problem}). Try again?"}
        reply = answer.json() or {}
        kind = reply.get("response_action")
        if kind == "errors":
            errs = reply.get("errors")
            return {"errors": {str(k): str(v) for k, v in errs.items()} if isinstance(errs, dict) else {}}
        if kind == "update" and isinstance(reply.get("view"), dict):
            self.world.update_view(view_id, reply["view"])
        elif kind == "push" and isinstance(reply.get("view"), dict):
            self.world.push_view(persona.id, reply["view"])
        elif kind == "clear":
            self.world.close_views(persona.id, all_views=True)
        else:
            self.world.close_views(persona.id, view_id=view_id)
        return {}

    def close(self, persona: w.Persona, view_id: str) -> dict[str, Any]:
        view = next((v for v in self.world.modal_stack(persona.id) if v["id"] == view_id), None)
        if view is None:
            return {}
        self.world.close_views(persona.id, view_id=view_id)
        if view.get("notify_on_close"):
            self.poster.view_closed(user=persona, view=view)
        return {}

    def react(self, persona: w.Persona, channel: w.Channel, ts: str, reaction: str) -> dict[str, Any]:
        if reaction not in REACTIONS and not re.fullmatch(r"[a-z0-9_+\-]{1,40}", reaction):
            raise PlaygroundError("Pick a reaction from the menu.")
        message = self._message_of(persona, channel, ts)
        added = self.world.react(channel.id, ts, persona.id, reaction)
        if added is None:
            raise PlaygroundError("Ephemeral messages can't have reactions.")
        answer = self.poster.event(
            {
                "type": "reaction_added" if added else "reaction_removed",
                "user": persona.id,
                "reaction": reaction,
                "item": {"type": "message", "channel": channel.id, "ts": ts},
                "item_user": message.user,
                "event_ts": self.world.next_ts(),
            }
        )
        if answer.problem is not None:
            return {"error": f"coachbot did not take the reaction ({answer.problem})."}
        return {}

    def shortcut(self, persona: w.Persona, channel: w.Channel, ts: str, callback_id: str) -> dict[str, Any]:
        if callback_id not in {s["callback_id"] for s in SHORTCUTS}:
            raise PlaygroundError("No such shortcut.")
        message = self._message_of(persona, channel, ts)
        if message.visible_to is not None or message.system:
            raise PlaygroundError("Shortcuts work on messages everyone can see.")
        answer = self.poster.message_shortcut(
            user=persona,
            callback_id=callback_id,
            channel=channel,
            message=message.to_api(with_metadata=False),
            trigger_id=self.world.issue_trigger(persona.id),
            response_url=self.world.issue_response_url(self.base_url, persona.id, channel.id, None),
        )
        if answer.problem is not None:
            return {"error": f"coachbot did not answer the shortcut ({answer.problem})."}
        return {}

    def open_home(self, persona: w.Persona) -> dict[str, Any]:
        home = self.world.homes.get(persona.id)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": persona.id,
            "channel": persona.dm,
            "tab": "home",
            "event_ts": self.world.next_ts(),
        }
        if home is not None:
            event["view"] = home
        answer = self.poster.event(event)
        if answer.problem is not None:
            return {"error": f"coachbot did not answer ({answer.problem})."}
        return {}

    def travel(self, persona: w.Persona, jump: str) -> dict[str, Any]:
        """Move the clock, then run the real delivery engine at that instant (`run-due --at`)."""
        if jump not in JUMPS:
            raise PlaygroundError(f"Unknown time jump {jump!r}; use one of {', '.join(JUMPS)}.")
        at = self.clock.travel_to(jump_target(self.clock(), jump, persona.tz))
        self._save_clock()
        result = run_due(self._deps(), at)
        self.world.touch()  # the clock moved: every page redraws
        local = at.astimezone(ZoneInfo(persona.tz))
        return {
            "at": at.isoformat(),
            "summary": f"{local:%a %d %b, %H:%M} ({persona.real_name}'s time): "
            f"{result.sent} delivered, {result.failed} failed",
        }

    # -- what the page shows -----------------------------------------------------------

    def directory(self, persona: w.Persona) -> render.Directory:
        users = {p.id: p.real_name for p in w.PERSONAS}
        users[w.BOT_USER_ID] = w.BOT_NAME
        channels = {c.id: c.name for c in w.CHANNELS if not c.is_im}
        return render.Directory(users=users, channels=channels, tz=persona.tz)

    def author(self, user_id: str) -> render.Author:
        if user_id == w.BOT_USER_ID:
            return render.Author("coachbot", "c", "#4a154b", is_app=True)
        if user_id == "USLACKBOT":
            return render.Author("Slackbot", "S", "#e01e5a", is_app=False)
        persona = w.PERSONA_BY_ID.get(user_id)
        if persona is None:
            return render.Author(user_id, "?", "#888")
        return render.Author(persona.real_name, persona.real_name[0], persona.color)

    def state(self, persona: w.Persona, channel: w.Channel) -> dict[str, Any]:
        directory = self.directory(persona)
        shown: list[str] = []
        with self.world.lock:
            version = self.world.version
            self.world.mark_seen(channel.id, persona.id)
            unread = {c.id: self.world.unread(c.id, persona.id) for c in w.CHANNELS if not c.is_im}
            unread["dm"] = self.world.unread(persona.dm, persona.id)
            day = ""
            for m in self.world.visible(channel.id, persona.id):
                if render.local_day(m.ts, directory) != day:
                    day = render.local_day(m.ts, directory)
                    shown.append(render.day_divider(m.ts, directory))
                shown.append(
                    render.message_html(
                        {**m.to_api(with_metadata=False), "edited": m.edited, "reactions": m.reactions},
                        author=self.author(m.user),
                        directory=directory,
                        ephemeral=m.visible_to is not None,
                        system=m.system,
                        me=persona.id,
                    )
                )
            stack = self.world.modal_stack(persona.id)
            home = self.world.homes.get(persona.id)
        top = stack[-1] if stack else None
        now = self.clock().astimezone(ZoneInfo(persona.tz))
        return {
            "version": version,
            "persona": persona.id,
            "conv": channel.id,
            "clock": {"iso": now.isoformat(), "label": f"{now:%a %d %b, %H:%M}", "zone": persona.tz},
            "messages": "".join(shown),
            "unread": unread,
            "home": {"id": home["id"], "html": render.blocks_html(home.get("blocks") or [], directory)}
            if home
            else None,
            "modal": None
            if top is None
            else {
                "id": top["id"],
                "hash": top["hash"],
                "depth": len(stack),
                "title": render.plain(top.get("title")),
                "submit": render.plain(top.get("submit")) if top.get("submit") else None,
                "close": render.plain(top.get("close")) or "Cancel",
                "html": render.blocks_html(top.get("blocks") or [], directory),
            },
        }

    def config(self) -> dict[str, Any]:
        return {
            "team": w.TEAM_NAME,
            "personas": [
                {"id": p.id, "name": p.real_name, "role": p.role, "tz": p.tz, "color": p.color, "dm": p.dm}
                for p in w.PERSONAS
            ],
            "channels": [{"id": c.id, "name": c.name} for c in w.CHANNELS if not c.is_im],
            "commands": [{"command": k, "hint": v} for k, v in COMMANDS.items()],
            "shortcuts": SHORTCUTS,
            "reactions": [{"name": r, "emoji": render.EMOJI.get(r, r)} for r in REACTIONS],
        }

    # -- HTTP --------------------------------------------------------------------------

    def asgi(self) -> Starlette:
        routes = [
            Route("/", self._page, methods=["GET"]),
            Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
            Route("/pg/config", self._json_get(lambda _: self.config()), methods=["GET"]),
            Route("/pg/state", self._state, methods=["GET"]),
            Route("/pg/files/{file_id}", self._file, methods=["GET"]),
            *self.assistant.routes(),
            Route("/pg/{verb}", self._post, methods=["POST"]),
            *self.standin.routes(),
            Mount("", app=self._app),
        ]
        # One Host check in front of every route, the app's /slack/events, /healthz and
        # /metrics and the stand-in's included: nothing is reachable through a rebound name.
        return Starlette(routes=routes, middleware=[Middleware(LoopbackOnly, port=self.port)])

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The real app's routes (/slack/events, /healthz, /metrics), whichever copy is live."""
        web = self._web
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
            persona = _persona(request.query_params.get("persona"))
            channel = _channel(request.query_params.get("conv"))
        except PlaygroundError as err:
            return JSONResponse({"error": str(err)}, status_code=400)
        since = request.query_params.get("since", "")
        # A long poll: answer as soon as something changed, or after 20 s with no change.
        if since.isdigit():
            for _ in range(200):
                if self.world.version != int(since):
                    break
                await asyncio.sleep(0.1)
        return JSONResponse(self.state(persona, channel))

    async def _file(self, request: Request) -> Response:
        file = self.world.files.get(request.path_params["file_id"])
        if file is None or file.content is None:
            return PlainTextResponse("no such file", status_code=404)
        return Response(
            file.content,
            media_type="text/csv" if file.filename.endswith(".csv") else "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{re.sub(r"[^A-Za-z0-9._-]", "_", file.filename)}"'},
        )

    async def _post(self, request: Request) -> Response:
        if not _same_origin(request):
            return _wrong_host(self.port)
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
        verb = request.path_params["verb"]
        try:
            result = await run_in_threadpool(self._dispatch, verb, body)
        except PlaygroundError as err:
            return JSONResponse({"error": str(err)}, status_code=400)
        return JSONResponse(result)

    def _dispatch(self, verb: str, body: dict[str, Any]) -> dict[str, Any]:
        if verb == "reset":
            self.reset()
            return {}
        persona = _persona(body.get("persona"))
        if verb == "send":
            return self.send(persona, _channel(body.get("conv")), str(body.get("text") or ""))
        if verb == "action":
            return self.action(persona, body)
        if verb == "submit":
            values = body.get("values")
            return self.submit(persona, str(body.get("view_id") or ""), values if isinstance(values, dict) else {})
        if verb == "close":
            return self.close(persona, str(body.get("view_id") or ""))
        if verb == "react":
            channel = _channel(body.get("conv"))
            return self.react(persona, channel, str(body.get("ts") or ""), str(body.get("reaction") or ""))
        if verb == "shortcut":
            channel = _channel(body.get("conv"))
            return self.shortcut(persona, channel, str(body.get("ts") or ""), str(body.get("callback_id") or ""))
        if verb == "home":
            return self.open_home(persona)
        if verb == "time":
            return self.travel(persona, str(body.get("jump") or ""))
        raise PlaygroundError(f"unknown request /pg/{verb}")


# -- helpers -------------------------------------------------------------------------------


def slack_encode(text: str) -> str:
    """What Slack sends for typed text (``should_escape``): &, <, > escaped; @Name, #channel
    and @here/@channel/@everyone turned into Slack's markup."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    by_name = {p.real_name.lower(): p for p in w.PERSONAS} | {p.name: p for p in w.PERSONAS}
    channels = {c.name: c for c in w.CHANNELS if not c.is_im}

    def mention(m: re.Match[str]) -> str:
        word = m.group(1).lower()
        if word in ("here", "channel", "everyone"):
            return f"<!{word}>"
        persona = by_name.get(word)
        return f"<@{persona.id}|{persona.name}>" if persona else m.group(0)

    def channel(m: re.Match[str]) -> str:
        found = channels.get(m.group(1).lower())
        return f"<#{found.id}|{found.name}>" if found else m.group(0)

    text = re.sub(r"(?<![\w@])@([A-Za-z]+)\b", mention, text)
    return re.sub(r"(?<![\w#&])#([a-z][a-z0-9_-]*)\b", channel, text)


def _persona(raw: Any) -> w.Persona:
    persona = w.PERSONA_BY_ID.get(str(raw or ""))
    if persona is None:
        raise PlaygroundError(f"unknown persona {str(raw)[:20]!r}; use one of {', '.join(w.PERSONA_BY_ID)}")
    return persona


def _channel(raw: Any) -> w.Channel:
    channel = World.channel(str(raw or ""))
    if channel is None:
        raise PlaygroundError(f"unknown conversation {str(raw)[:20]!r}")
    return channel


def _element(blocks: list[dict[str, Any]], block_id: str, action_id: str) -> dict[str, Any]:
    for block in blocks:
        if block_id and str(block.get("block_id", "")) != block_id:
            continue
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if block.get(key):
                candidates.append(block[key])
        for element in candidates:
            if element.get("action_id") == action_id:
                return dict(element)
    raise PlaygroundError("That button is gone (the message changed).")


def _action(element: dict[str, Any], block_id: str, raw: Any) -> dict[str, Any]:
    """The ``actions[0]`` Slack sends for an element, with the chosen value in its place."""
    kind = str(element.get("type"))
    action: dict[str, Any] = {"type": kind, "action_id": element.get("action_id"), "block_id": block_id}
    if kind == "button":
        action["text"] = element.get("text")
        if "value" in element:
            action["value"] = element["value"]
        if element.get("style"):
            action["style"] = element["style"]
        return action
    if kind == "overflow":
        state = views.element_state({**element, "type": "static_select"}, raw)
        action["selected_option"] = state["selected_option"]
        return action
    action.update({k: v for k, v in views.element_state(element, raw).items() if k != "type"})
    return action


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


def check_database(path: Path) -> None:
    """Refuse any file that is not this playground's own database: Reset deletes it.

    A new or empty file is fine. Anything else must carry the playground's mark (SQLite's
    ``application_id``, set by ``mark_database``), or be an unmarked database written by an
    earlier playground (coachbot's tables holding the playground workspace's rows and no
    other's). Another application's file and a real coachbot database are refused.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    fix = "Choose another file, e.g. --db playground.db"
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            marked = conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            teams = _teams(conn, tables)
    except sqlite3.DatabaseError as err:
        raise ConfigError(f"{path} is not a SQLite database ({err}); {fix[0].lower()}{fix[1:]}") from None
    others = sorted(teams - {w.TEAM_ID})
    if others:
        raise ConfigError(
            f"{path} holds data of Slack workspace {others[0]}; the playground keeps its own database "
            f"and deletes it on Reset. {fix}"
        )
    if marked:
        return
    if "alembic_version" not in tables:
        if not tables:
            return  # a SQLite file with nothing in it yet
        shown = ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")
        raise ConfigError(
            f"{path} is another application's database (tables: {shown}), not the playground's; "
            f"Reset would delete it. {fix}"
        )
    if w.TEAM_ID not in teams:
        raise ConfigError(
            f"{path} is a coachbot database but not the playground's; the playground deletes its database "
            f"on Reset. {fix}"
        )


def _teams(conn: sqlite3.Connection, tables: list[str]) -> set[str]:
    """The playground's workspace id if any ``team_id`` column holds it, and the first other one."""
    teams: set[str] = set()
    for table in tables:
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        if "team_id" not in columns:
            continue
        for test in ("=", "!="):  # LIMIT 1 each: a large file is not read through
            row = conn.execute(
                f'SELECT team_id FROM "{table}" WHERE team_id IS NOT NULL AND team_id {test} ? LIMIT 1',  # noqa: S608
                (w.TEAM_ID,),
            ).fetchone()
            if row is not None:
                teams.add(str(row[0]))
    return teams


def mark_database(path: Path) -> None:
    """Stamp the file as the playground's own (creating it if new), for ``check_database``."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.commit()
