"""The playground: the real app, the stand-in Web API and the page, on one loopback port.

``Playground`` owns one running copy of the app (deps, Bolt app, web app, scheduler) built
from generated settings, and rebuilds it from an empty database on Reset. What a person
does on the page (``routes`` brings it here) turns into signed Slack payloads (``poster``)
and Slack-side effects (``world``); the app answers through the stand-in (``standin``), and
``page`` draws the result.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from starlette.types import ASGIApp

from bot.app import create_app
from bot.bootstrap import build_deps, prepare_database
from bot.config import Settings
from bot.deps import Deps
from bot.playground import views
from bot.playground import world as w
from bot.playground.assistant_pane import AssistantPane
from bot.playground.clock import JUMPS, PlaygroundClock, jump_target
from bot.playground.database import check_database, mark_database
from bot.playground.page import COMMANDS, REACTIONS, SHORTCUTS, author, directory_for
from bot.playground.poster import SLACK_ACK_SECONDS, AppAnswer, Poster, action_payload, find_element, slack_encode
from bot.playground.standin import StandIn
from bot.playground.workflows import WorkflowSteps
from bot.playground.world import Message, World
from bot.scheduling.run import run_due
from bot.scheduling.tick import Ticker
from bot.services import managers as coaching
from bot.web.server import create_web_app

log = logging.getLogger(__name__)

MAX_TEXT = 4000  # Slack's composer refuses longer messages; a slash command's text is shorter still
CLOCK_SUFFIX = ".clock"  # beside the database: the playground time it had reached


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
        self.workflows = WorkflowSteps(self.standin, token=self.token)
        self.assistant = AssistantPane(
            self.world, poster=lambda: self.poster, directory=directory_for, author=author, encode=slack_encode
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
            action = _clicked(view.get("blocks") or [], block_id, action_id, body.get("value"))
            answer = self.poster.block_actions(user=persona, action=action, trigger_id=trigger, view=view)
        else:
            channel = channel_of(body.get("conv"))
            message = self._message_of(persona, channel, str(body.get("ts") or ""))
            action = _clicked(message.blocks or [], block_id, action_id, body.get("value"))
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


# -- helpers -------------------------------------------------------------------------------


def persona_of(raw: Any) -> w.Persona:
    persona = w.PERSONA_BY_ID.get(str(raw or ""))
    if persona is None:
        raise PlaygroundError(f"unknown persona {str(raw)[:20]!r}; use one of {', '.join(w.PERSONA_BY_ID)}")
    return persona


def channel_of(raw: Any) -> w.Channel:
    channel = World.channel(str(raw or ""))
    if channel is None:
        raise PlaygroundError(f"unknown conversation {str(raw)[:20]!r}")
    return channel


def _clicked(blocks: list[dict[str, Any]], block_id: str, action_id: str, raw: Any) -> dict[str, Any]:
    element = find_element(blocks, block_id, action_id)
    if element is None:
        raise PlaygroundError("That button is gone (the message changed).")
    return action_payload(element, block_id, raw)
