"""Slash-command routing: ``/quote daily ...`` -> the ``daily`` subcommand handler.

Feature modules add subcommands to the router; the router parses the payload into a
``CommandContext`` of plain values, calls the handler and acks with its ``Message``, or, when
the handler has to wait on Slack, acks at once and sends the ``Message`` to ``response_url``.
``help`` is generated from the registered usages and examples, so it is never stale, and
lists only what the reader's role can use (each subcommand names its audience).
A mistyped subcommand gets "Did you mean ...?", by edit distance.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from rapidfuzz.distance import DamerauLevenshtein
from slack_bolt import Ack, App, BoltResponse
from slack_sdk import WebClient

from bot.blocks import Message
from bot.deps import Deps
from bot.errors import UsageError, UserError
from bot.gateway.calls import AckWatch, watched
from bot.listeners.ack_first import ack_first
from bot.listeners.coach_args import NotAMention, slack_unescape
from bot.listeners.errors import answer_command_late, post_response
from bot.services.text import escape, strip_invisible, truncate

# On an empty ack whose answer follows through response_url (see ``CommandRouter.handle``).
ANSWER_HEADER = "x-coachbot-answer"

Audience = Literal["everyone", "manager", "admin"]
_RANK: dict[str, int] = {"everyone": 0, "manager": 1, "admin": 2}


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
    api_app_id: str = ""


Handler = Callable[[CommandContext], Message | None]


@dataclass(frozen=True)
class Subcommand:
    name: str
    handler: Handler
    usage: str
    example: str
    summary: str
    aliases: tuple[str, ...] = ()
    audience: Audience | None = None  # None: the router's default_audience
    # Changes nothing and sends nothing: a replay of it needs no guard (see ``writes``).
    read_only: bool = False


def declare(
    into: list[Subcommand],
    name: str,
    *,
    usage: str,
    example: str,
    summary: str,
    audience: Audience | None = None,
    aliases: tuple[str, ...] = (),
    read_only: bool = False,
) -> Callable[[Handler], Handler]:
    """Declare a subcommand beside its handler; ``help`` is generated from these declarations.

    ``@declare(SUBCOMMANDS, "notes", usage="notes [@rep] [page]", ...)`` above the handler, then
    the feature's ``register`` hands ``SUBCOMMANDS`` to its router with ``add_all``.
    """

    def add(handler: Handler) -> Handler:
        into.append(Subcommand(name, handler, usage, example, summary, aliases, audience, read_only))
        return handler

    return add


class UnknownWord(UsageError):
    """Raised by a fallback handler: the first word is neither a subcommand nor what it takes."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


class CommandRouter:
    def __init__(self, command: str, *, default: Handler | None = None, title: str = "") -> None:
        self.command = command
        self.title = title
        self.default: Handler | None = default
        self.subcommands: dict[str, Subcommand] = {}
        self.extra_fallback: Handler | None = None
        # Who may use a subcommand that does not say: a feature whose commands are mostly
        # for one role sets this, so a subcommand added later is not shown to everyone.
        self.default_audience: Audience = "everyone"
        # The reader's role, for help; None: everyone reads the whole list.
        self.audience_of: Callable[[CommandContext], Audience] | None = None
        # A line under a help that left things out: what they are and how to get them.
        self.hidden_note: Callable[[CommandContext, Audience], str] | None = None
        # Free text starts with a person (``/coach @rep note``): a name typed without the
        # @-autocomplete gets "Did you mean @dana?".
        self.suggests_people = False
        # The command alone (``/quote``: a quote just for you) changes nothing.
        self.default_read_only = False
        # Handlers run here (see ``handle``), and this router's buttons and forms: enough threads
        # that 128 requests waiting on a hung Slack (the SDK gives up after 30 s) don't hold up
        # the next one's ack. Threads start only as they are needed.
        self._workers = ThreadPoolExecutor(max_workers=128, thread_name_prefix=f"command{command.replace('/', '-')}")
        self.add("help", self._help, usage="help", example="help", summary="Show this list.", audience="everyone")
        self.subcommands["help"] = replace(self.subcommands["help"], read_only=True)

    def add(
        self,
        name: str,
        handler: Handler,
        *,
        usage: str,
        example: str,
        summary: str,
        aliases: tuple[str, ...] = (),
        audience: Audience | None = None,
    ) -> None:
        sub = Subcommand(name, handler, usage, example, summary, aliases, audience)
        for key in (name, *aliases):
            self.subcommands[key] = sub

    def writes(self, text: str) -> bool:
        """Whether this command text may change something (so a replay of it must be refused).

        Reads (``/quote``, ``/coach notes``, ``help``) are answered again on a replay; recording
        their ``trigger_id`` would put a database write on the hottest ack path for nothing."""
        words = strip_invisible(text).split(None, 1)
        if not words:
            return not self.default_read_only
        sub = self.subcommands.get(words[0].lower())
        return sub is None or not sub.read_only

    def add_all(self, subcommands: list[Subcommand]) -> None:
        for sub in subcommands:
            for key in (sub.name, *sub.aliases):
                self.subcommands[key] = sub

    def set_audience(self, audience: Audience, *names: str) -> None:
        """Say who may use already registered subcommands (help lists them for that role up)."""
        for key, sub in list(self.subcommands.items()):
            if sub.name in names:
                self.subcommands[key] = replace(sub, audience=audience)

    def fallback(self, handler: Handler) -> None:
        """Handler for text whose first word is no subcommand (e.g. ``/coach @rep note``)."""
        self.extra_fallback = handler

    def register(self, app: App) -> None:
        app.command(self.command)(self.handle)

    def ack_first(self, listener: Callable[..., Any]) -> Callable[..., None]:
        """``listener`` (a button, shortcut or form) answered so its ack never waits on Slack
        (``bot.listeners.ack_first``), on this router's workers."""
        return ack_first(self._workers, listener)

    def handle(self, ack: Ack, command: dict[str, Any], client: WebClient, deps: Deps) -> BoltResponse | None:
        """Answer in the ack when the handler needs nothing from Slack; otherwise ack at once.

        The handler runs in a worker thread. If it finishes without calling the Web API
        (cached users, database only), its answer is the ack's body. As soon as it would wait
        on Slack (users.info of a first contact, conversations.info, users.list), the request
        is acked empty and the same answer follows through ``response_url``: a slow Slack never
        delays the ack (Slack gives up after 3 seconds and shows the user an error).
        """
        text = (command.get("text") or "").strip()
        if not strip_invisible(text).strip():
            text = ""  # only zero-width or bidi characters: the same as no text at all
        # Any whitespace separates the subcommand (a no-break space or a newline too), and
        # invisible characters pasted into it do not make it unknown.
        first, rest = [*text.split(None, 1), "", ""][:2]
        sub = self.subcommands.get(strip_invisible(first).lower()) if text else None
        watch = AckWatch()
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
            client=watched(client, watch),
            deps=deps,
            api_app_id=command.get("api_app_id", ""),
        )

        def run() -> Message | None:
            watch.start()
            try:
                return self.dispatch(sub, ctx, text, first)
            finally:
                watch.settled.set()

        future = self._workers.submit(run)
        watch.settled.wait()
        if future.done():
            reply = future.result()  # a fault is raised to the one error handler, as before
            if reply is None:
                ack()
            else:
                ack(**reply.payload())
            return None
        future.add_done_callback(lambda done: answer_later(done, ctx, deps))
        # Empty for Slack; the header says the answer comes through response_url (logs, tests).
        return BoltResponse(status=200, body="", headers={ANSWER_HEADER: "response_url"})

    def dispatch(self, sub: Subcommand | None, ctx: CommandContext, text: str, first: str) -> Message | None:
        """The subcommand's answer; a ``UserError`` (or a typo) becomes its message."""
        try:
            if sub is not None:
                return sub.handler(ctx)
            if not text and self.default is not None:
                return self.default(ctx)
            if text and self.extra_fallback is not None:
                return self.extra_fallback(ctx)
            raise UsageError(self.unknown(first, ctx))
        except UnknownWord as err:
            return Message(text=self.unknown(err.word, ctx))
        except NotAMention as err:
            hint = self.person_hint(ctx, err.word) if self.suggests_people else None
            return Message(text=f"{hint} {err.message}" if hint else err.message)
        except UserError as err:
            return Message(text=err.message)

    def unknown(self, word: str, ctx: CommandContext | None = None) -> str:
        """The answer to a first word that is no subcommand: the closest one, if any.

        With ``ctx``, a word that names a member of the workspace (``/coach dana ...``,
        typed without Slack's @-autocomplete) gets "Did you mean @dana?" first: that
        lookup lists the workspace's members, so it runs only here, on the error path.
        """
        shown = escape(truncate(strip_invisible(word), 40))
        head = f"I don't know `{self.command} {shown}`."
        person = self.person_hint(ctx, word) if ctx is not None and self.suggests_people else None
        if person:
            name = escape(truncate(strip_invisible(word).lstrip("@"), 40))
            return (
                f"{head} {person} Pick them from Slack's @-autocomplete so the name turns into a mention, "
                f"e.g. `{self.command} @{name} what you observed`."
            )
        close = self.closest(word)
        if close is not None:
            # With what followed the word, so the suggestion can be pasted as it is.
            rest = [*ctx.args.split(None, 1), ""][1] if ctx is not None else ""
            # Slack sends typed & < > as entities: undo that, then escape once for the echo.
            rest = escape(truncate(slack_unescape(strip_invisible(rest)).replace("`", "'").strip(), 60))
            again = f"{self.command} {close} {rest}".rstrip()
            return f"{head} Did you mean `{again}`?\nEverything it does: `{self.command} help`"
        names = ", ".join(f"`{s}`" for s in self.names(reader=self.reader(ctx) if ctx is not None else None))
        return f"{head} Try one of: {names}.\nFor example: `{self.command} help`"

    def closest(self, word: str) -> str | None:
        """The subcommand ``word`` is most likely a typo of: one slip (a wrong, missing, extra
        or swapped letter) in a short word, two in a longer one; None if nothing is that close."""
        typed = strip_invisible(word).lower()
        if not typed or len(typed) > 40:
            return None
        best: tuple[int, str] | None = None
        for key, sub in self.subcommands.items():
            distance = DamerauLevenshtein.distance(typed, key)
            if distance <= (1 if max(len(typed), len(key)) <= 5 else 2) and (best is None or distance < best[0]):
                best = (distance, sub.name)
        return best[1] if best else None

    def person_hint(self, ctx: CommandContext, word: str) -> str | None:
        """'Did you mean @dana?' when ``word`` is a member's handle or name, else None."""
        name = strip_invisible(word).lstrip("@")
        if not name or name.startswith("<") or len(name) > 80:
            return None
        found = ctx.deps.users.find_by_name(ctx.client, team_id=ctx.team_id, name=name)
        if not found:
            return None  # nobody of that name, or the member list did not come in time
        return "Did you mean " + " or ".join(f"<@{m.id}>" for m in found[:3]) + "?"

    def names(self, *, reader: Audience | None = None) -> list[str]:
        """Subcommand names in registration order; with ``reader``, only those that role may use."""
        subs: list[Subcommand] = list(self.subcommands.values())
        if reader is not None:
            subs = [s for s in subs if _RANK[self.audience(s)] <= _RANK[reader]]
        return list(dict.fromkeys(s.name for s in subs))

    def reader(self, ctx: CommandContext) -> Audience:
        return self.audience_of(ctx) if self.audience_of is not None else "admin"

    def audience(self, sub: Subcommand) -> Audience:
        return sub.audience or self.default_audience

    def _help(self, ctx: CommandContext) -> Message:
        reader = self.reader(ctx)
        lines = [f"*{self.title or self.command}* — what you can do:"]
        hidden = False
        for name in self.names():
            sub = self.subcommands[name]
            if _RANK[self.audience(sub)] > _RANK[reader]:
                hidden = True
                continue
            line = f"• `{self.command} {sub.usage}` — {sub.summary}"
            if sub.example != sub.usage:  # "e.g. `/quote mine`" under `/quote mine` says nothing new
                line += f"\n    e.g. `{self.command} {sub.example}`"
            lines.append(line)
        note = self.hidden_note(ctx, reader) if hidden and self.hidden_note is not None else ""
        if note:
            lines.append(note)
        return Message(text="\n".join(lines))

    def usage_of(self, name: str) -> str:
        sub = self.subcommands[name]
        return f"Usage: `{self.command} {sub.usage}`, for example `{self.command} {sub.example}`"


def answer_later(done: Future[Message | None], ctx: CommandContext, deps: Deps) -> None:
    """The answer of a command acked before its handler finished, through ``response_url``."""
    error = done.exception()
    if error is not None:
        answer_command_late(error, ctx.command, ctx.response_url, deps)
        return
    reply = done.result()
    if reply is not None and ctx.response_url:
        post_response(ctx.response_url, reply.payload())


@dataclass
class Routers:
    quote: CommandRouter
    coach: CommandRouter

    def for_command(self, command: object) -> CommandRouter | None:
        """The router of a slash command payload's ``command``, if it is one of ours."""
        return next((r for r in (self.quote, self.coach) if r.command == command), None)
