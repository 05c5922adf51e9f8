"""Slash-command routing: ``/quote daily ...`` -> the ``daily`` subcommand handler.

Feature modules add subcommands to the router; the router parses the payload into a
``CommandContext`` of plain values, calls the handler and acks with its ``Reply``.
``help`` is generated from the registered usages and examples, so it is never stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import UsageError, UserError
from bot.services.text import escape, strip_invisible


@dataclass(frozen=True)
class Reply:
    text: str
    blocks: list[dict[str, Any]] | None = None
    response_type: str = "ephemeral"

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"text": self.text, "response_type": self.response_type}
        if self.blocks is not None:
            body["blocks"] = self.blocks
        return body


@dataclass
class CommandContext:
    """Everything a subcommand needs, as plain values. ``args`` is the text after the name."""

    command: str
    name: str
    args: str
    team_id: str
    enterprise_id: str | None
    user_id: str
    user_name: str
    channel_id: str
    channel_name: str
    trigger_id: str
    response_url: str
    client: WebClient
    deps: Deps
    extra: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[CommandContext], Reply | None]


@dataclass(frozen=True)
class Subcommand:
    name: str
    handler: Handler
    usage: str
    example: str
    summary: str
    aliases: tuple[str, ...] = ()


class CommandRouter:
    def __init__(self, command: str, *, default: Handler | None = None, title: str = "") -> None:
        self.command = command
        self.title = title
        self.default: Handler | None = default
        self.subcommands: dict[str, Subcommand] = {}
        self.extra_fallback: Handler | None = None
        self.add("help", self._help, usage="help", example="help", summary="Show this list.")

    def add(
        self,
        name: str,
        handler: Handler,
        *,
        usage: str,
        example: str,
        summary: str,
        aliases: tuple[str, ...] = (),
    ) -> None:
        sub = Subcommand(name, handler, usage, example, summary, aliases)
        for key in (name, *aliases):
            self.subcommands[key] = sub

    def fallback(self, handler: Handler) -> None:
        """Handler for text whose first word is no subcommand (e.g. ``/coach @rep note``)."""
        self.extra_fallback = handler

    def register(self, app: App) -> None:
        app.command(self.command)(self.handle)

    def handle(self, ack: Ack, command: dict[str, Any], client: WebClient, deps: Deps) -> None:
        text = (command.get("text") or "").strip()
        if not strip_invisible(text).strip():
            text = ""  # only zero-width or bidi characters: the same as no text at all
        # Any whitespace separates the subcommand (a no-break space or a newline too), and
        # invisible characters pasted into it do not make it unknown.
        first, rest = [*text.split(None, 1), "", ""][:2]
        sub = self.subcommands.get(strip_invisible(first).lower()) if text else None
        ctx = CommandContext(
            command=self.command,
            name=sub.name if sub else "",
            args=rest.strip() if sub else text,
            team_id=command.get("team_id", ""),
            enterprise_id=command.get("enterprise_id") or None,
            user_id=command.get("user_id", ""),
            user_name=command.get("user_name", ""),
            channel_id=command.get("channel_id", ""),
            channel_name=command.get("channel_name", ""),
            trigger_id=command.get("trigger_id", ""),
            response_url=command.get("response_url", ""),
            client=client,
            deps=deps,
        )
        try:
            if sub is not None:
                reply = sub.handler(ctx)
            elif not text and self.default is not None:
                reply = self.default(ctx)
            elif text and self.extra_fallback is not None:
                reply = self.extra_fallback(ctx)
            else:
                raise UsageError(self.unknown(first))
        except UserError as err:
            reply = Reply(text=err.message)
        if reply is None:
            ack()
        else:
            ack(**reply.payload())

    def unknown(self, word: str) -> str:
        names = ", ".join(f"`{s}`" for s in self.names())
        return f"I don't know `{self.command} {escape(word)}`. Try one of: {names}.\nFor example: `{self.command} help`"

    def names(self) -> list[str]:
        return list(dict.fromkeys(s.name for s in self.subcommands.values()))

    def _help(self, ctx: CommandContext) -> Reply:
        lines = [f"*{self.title or self.command}* — what you can do:"]
        for name in self.names():
            sub = self.subcommands[name]
            lines.append(f"• `{self.command} {sub.usage}` — {sub.summary}\n    e.g. `{self.command} {sub.example}`")
        return Reply(text="\n".join(lines))

    def usage_of(self, name: str) -> str:
        sub = self.subcommands[name]
        return f"Usage: `{self.command} {sub.usage}`, for example `{self.command} {sub.example}`"


@dataclass
class Routers:
    quote: CommandRouter
    coach: CommandRouter
