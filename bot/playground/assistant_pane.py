"""The playground's AI pane: Slack's assistant thread beside the DM, driving the real app.

Each persona has at most one open assistant thread. Opening it sends the app a signed
``assistant_thread_started``; typing sends a ``message.im`` in the thread. The app answers
through the stand-in Web API, and this module answers the methods the pane needs
(``assistant.threads.setStatus``, ``setTitle``, ``setSuggestedPrompts``, ``chat.startStream``,
``appendStream``, ``stopStream``, and ``chat.postMessage`` into an assistant thread), keeping
what they set here: prompts, status, title and the thread's messages. The page polls
``GET /pg/assistant`` and draws it (``static/assistant.js``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.playground import render, render_text
from bot.playground import world as w
from bot.playground.poster import Poster
from bot.playground.standin import StandIn
from bot.playground.standin_api import ApiError, Handler, json_param

MAX_TURNS = 200
MAX_TEXT = 4000


@dataclass
class Turn:
    ts: str
    user: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    streaming: bool = False
    voted: str = ""  # the feedback button's value the persona pressed, drawn pressed


@dataclass
class PaneThread:
    thread_ts: str
    prompts: list[dict[str, str]] = field(default_factory=list)
    status: str = ""
    title: str = ""
    turns: list[Turn] = field(default_factory=list)


class AssistantPane:
    def __init__(
        self,
        world: w.World,
        *,
        poster: Callable[[], Poster],
        directory: Callable[[w.Persona], render_text.Directory],
        author: Callable[[str], render.Author],
        encode: Callable[[str], str],
    ) -> None:
        self.world = world
        self._encode = encode
        self._poster = poster
        self._directory = directory
        self._author = author
        self.threads: dict[str, PaneThread] = {}  # persona id -> their open thread

    def reset(self) -> None:
        with self.world.changing():
            self.threads.clear()

    # -- the stand-in's side -----------------------------------------------------------------

    def install(self, standin: StandIn) -> None:
        """Answer the pane's methods, and posts into a pane thread, from here."""
        plain_post = standin.methods["chat.postMessage"]
        standin.methods.update(
            {
                "assistant.threads.setStatus": self.set_status,
                "assistant.threads.setTitle": self.set_title,
                "assistant.threads.setSuggestedPrompts": self.set_prompts,
                "chat.startStream": self.start_stream,
                "chat.appendStream": self.append_stream,
                "chat.stopStream": self.stop_stream,
                "chat.postMessage": self._post_or(plain_post),
            }
        )

    def _thread_of(self, channel_id: Any, thread_ts: Any) -> PaneThread:
        channel = self.world.channel(str(channel_id or ""))
        if channel is None or not channel.is_im or channel.user is None:
            raise ApiError("channel_not_found")
        thread = self.threads.get(channel.user)
        if thread is None or thread.thread_ts != str(thread_ts or ""):
            raise ApiError("thread_not_found")
        return thread

    def set_status(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.world.changing():
            self._thread_of(params.get("channel_id"), params.get("thread_ts")).status = str(params.get("status") or "")
        return {}

    def set_title(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.world.changing():
            self._thread_of(params.get("channel_id"), params.get("thread_ts")).title = str(params.get("title") or "")
        return {}

    def set_prompts(self, params: dict[str, Any]) -> dict[str, Any]:
        prompts = json_param(params.get("prompts"))
        if not isinstance(prompts, list) or not 1 <= len(prompts) <= 4:
            raise ApiError("invalid_arguments")
        with self.world.changing():
            thread = self._thread_of(params.get("channel_id"), params.get("thread_ts"))
            thread.prompts = [{"title": str(p.get("title")), "message": str(p.get("message"))} for p in prompts]
        return {}

    def _post_or(self, plain: Handler) -> Handler:
        def post(params: dict[str, Any]) -> dict[str, Any]:
            channel = self.world.channel(str(params.get("channel") or ""))
            thread_ts = str(params.get("thread_ts") or "")
            user = channel.user if channel is not None and channel.is_im else None
            if user is None or thread_ts == "" or self.threads.get(user, PaneThread("")).thread_ts != thread_ts:
                return plain(params)
            blocks = json_param(params.get("blocks"))
            turn = self._add(user, str(params.get("text") or ""), blocks if isinstance(blocks, list) else None)
            return {"channel": params.get("channel"), "ts": turn.ts}

        return post

    def _add(self, user: str, text: str, blocks: list[dict[str, Any]] | None, *, streaming: bool = False) -> Turn:
        with self.world.changing():
            thread = self.threads[user]
            # The app's reply clears the thread's status, as in Slack.
            thread.status = ""
            turn = Turn(self.world.next_ts(), w.BOT_USER_ID, text, blocks, streaming)
            thread.turns.append(turn)
            del thread.turns[:-MAX_TURNS]
            return turn

    def start_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        self._thread_of(params.get("channel"), params.get("thread_ts"))
        channel = self.world.channel(str(params.get("channel")))
        assert channel is not None and channel.user is not None
        turn = self._add(channel.user, _stream_text(params), None, streaming=True)
        return {"channel": channel.id, "ts": turn.ts}

    def _streaming(self, params: dict[str, Any]) -> Turn:
        channel = self.world.channel(str(params.get("channel") or ""))
        thread = self.threads.get(channel.user or "") if channel is not None else None
        turn = next((t for t in (thread.turns if thread else []) if t.ts == str(params.get("ts"))), None)
        if turn is None:
            raise ApiError("message_not_found")
        if not turn.streaming:
            raise ApiError("message_not_in_streaming_state")
        return turn

    def append_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.world.changing():
            turn = self._streaming(params)
            turn.text += _stream_text(params)
        return {"channel": params.get("channel"), "ts": turn.ts}

    def stop_stream(self, params: dict[str, Any]) -> dict[str, Any]:
        with self.world.changing():
            turn = self._streaming(params)
            turn.text += _stream_text(params)
            blocks = json_param(params.get("blocks"))
            turn.blocks = blocks if isinstance(blocks, list) else None
            turn.streaming = False
        return {"channel": params.get("channel"), "ts": turn.ts}

    # -- the page's side ---------------------------------------------------------------------

    def routes(self) -> list[Route]:
        return [
            Route("/pg/assistant", self._state, methods=["GET"]),
        ]

    def open(self, persona: w.Persona) -> dict[str, Any]:
        """A new thread: what Slack does when the member opens the AI pane."""
        with self.world.changing():
            thread = PaneThread(self.world.next_ts())
            self.threads[persona.id] = thread
        answer = self._poster().event(
            {
                "type": "assistant_thread_started",
                "assistant_thread": {
                    "user_id": persona.id,
                    "channel_id": persona.dm,
                    "thread_ts": thread.thread_ts,
                    "context": {},
                },
                "event_ts": thread.thread_ts,
            }
        )
        return {"error": f"coachbot did not answer ({answer.problem})"} if answer.problem else {}

    def ask(self, persona: w.Persona, text: str) -> dict[str, Any]:
        text = text.strip()
        if not text:
            return {"error": "Type a question first."}
        if len(text) > MAX_TEXT:
            return {"error": f"Slack's composer takes at most {MAX_TEXT:,} characters."}
        if persona.id not in self.threads:
            self.open(persona)
        encoded = self._encode(text)  # as the DM composer sends it: @Name becomes a mention
        with self.world.changing():
            thread = self.threads[persona.id]
            turn = Turn(self.world.next_ts(), persona.id, encoded)
            thread.turns.append(turn)
        answer = self._poster().event(
            {
                "type": "message",
                "channel": persona.dm,
                "channel_type": "im",
                "user": persona.id,
                "text": encoded,
                "ts": turn.ts,
                "thread_ts": thread.thread_ts,
                "event_ts": turn.ts,
            }
        )
        return {"error": f"coachbot did not answer ({answer.problem})"} if answer.problem else {}

    def vote(self, persona: w.Persona, ts: str, value: str) -> dict[str, Any]:
        thread = self.threads.get(persona.id)
        turn = next((t for t in (thread.turns if thread else []) if t.ts == ts), None)
        if thread is None or turn is None:
            return {"error": "That answer is gone."}
        action = {"type": "feedback_buttons", "action_id": _feedback_action(turn), "block_id": "fb", "value": value}
        message = {"type": "message", "ts": ts, "text": turn.text, "user": w.BOT_USER_ID, "thread_ts": thread.thread_ts}
        answer = self._poster().block_actions(
            user=persona,
            action=action,
            trigger_id=self.world.issue_trigger(persona.id),
            channel=self.world.channel(persona.dm),
            message=message,
        )
        if answer.problem:
            return {"error": f"coachbot did not answer ({answer.problem})"}
        with self.world.changing():
            turn.voted = value
        return {"voted": value}

    def state(self, persona: w.Persona) -> dict[str, Any]:
        directory = self._directory(persona)
        with self.world.lock:
            thread = copy.deepcopy(self.threads.get(persona.id))
            version = self.world.version
        if thread is None:
            return {"version": version, "open": False}
        turns = [self._turn_html(t, directory) for t in thread.turns]
        return {
            "version": version,
            "open": True,
            "title": thread.title,
            "status": thread.status,
            "prompts": thread.prompts,
            "html": "".join(turns),
        }

    def _turn_html(self, turn: Turn, directory: render_text.Directory) -> str:
        blocks = [b for b in turn.blocks or [] if b.get("type") != "context_actions"]
        votes = [
            e
            for b in turn.blocks or []
            if b.get("type") == "context_actions"
            for e in b.get("elements") or []
            if e.get("type") == "feedback_buttons"
        ]
        body = {"ts": turn.ts, "text": turn.text, "blocks": blocks or None}
        html = render.message_html(body, author=self._author(turn.user), directory=directory, me=turn.user)
        for fb in votes:
            buttons = ((fb.get("positive_button") or {}, "👍"), (fb.get("negative_button") or {}, "👎"))
            html += f'<div class="pa-votes" data-ts="{render_text.esc(turn.ts)}">'
            html += "".join(_vote_button(b, face, turn.voted) for b, face in buttons) + "</div>"
        if turn.streaming:
            html += '<div class="pa-streaming">…</div>'
        return html

    async def _state(self, request: Request) -> Response:
        persona = w.PERSONA_BY_ID.get(request.query_params.get("persona", ""))
        if persona is None:
            return JSONResponse({"error": "unknown persona"}, status_code=400)
        return JSONResponse(self.state(persona))

    def post(self, verb: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A click in the pane (``/pg/assistant/{verb}``, already checked by the page's routes):
        the HTTP status and the JSON to answer."""
        persona = w.PERSONA_BY_ID.get(str(body.get("persona") or ""))
        if persona is None:
            return 400, {"error": "unknown persona"}
        if verb == "open":
            return 200, self.open(persona)
        if verb == "ask":
            return 200, self.ask(persona, str(body.get("text") or ""))
        if verb == "vote":
            return 200, self.vote(persona, str(body.get("ts") or ""), str(body.get("value") or ""))
        return 400, {"error": f"unknown request /pg/assistant/{verb}"}


def _vote_button(button: dict[str, Any], face: str, voted: str) -> str:
    value = str(button.get("value", ""))
    pressed = " pa-voted" if voted and value == voted else ""
    attrs = f'data-vote="{render_text.esc(value)}" title="{render_text.esc(render_text.plain(button.get("text")))}"'
    return f'<button type="button" class="pa-vote{pressed}" {attrs}>{face}</button>'


def _feedback_action(turn: Turn) -> str:
    for block in turn.blocks or []:
        for element in block.get("elements") or []:
            if element.get("type") == "feedback_buttons":
                return str(element.get("action_id") or "")
    return ""


def _stream_text(params: dict[str, Any]) -> str:
    text = str(params.get("markdown_text") or "")
    chunks = json_param(params.get("chunks"))
    for chunk in chunks if isinstance(chunks, list) else []:
        if isinstance(chunk, dict) and chunk.get("type") == "markdown_text":
            text += str(chunk.get("text") or "")
    return text
