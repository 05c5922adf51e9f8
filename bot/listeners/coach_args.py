"""The text after ``/coach <subcommand>``, parsed into plain values. Pure: no I/O, no Slack.

Slash command text arrives the way Slack sends it: a mention is ``<@U123|name>`` (or
``<@U123>``), never the bare ``@name`` the user typed, and the characters ``&``, ``<`` and
``>`` that the user typed arrive as ``&amp;``, ``&lt;`` and ``&gt;``. ``parse_*`` read that
form and undo the escaping of free text; ``format_*`` write it back, so that for anything
``parse_x`` accepts, ``parse_x(format_x(parse_x(text))) == parse_x(text)``.

Every failure is a ``CoachArgsError`` (a ``UsageError``) whose message names the problem
and shows a correct command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.errors import UsageError
from bot.services.notes import NOTE_EXAMPLE
from bot.services.text import escape

NOTES_EXAMPLE = "/coach notes @bob 2"
DELETE_EXAMPLE = "/coach delete 12"
MANAGERS_EXAMPLE = "/coach managers add @ada @bob"
MANAGERS_REMOVE_EXAMPLE = "/coach managers remove @bob"

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
# A word, or a whole <...> (a label after | may hold spaces).
_TOKEN = re.compile(r"<[^>]*>|\S+")
# ASCII digits only: str.isdigit() also accepts "²" and "①", which int() refuses.
_NOTE_ID = re.compile(r"#?([0-9]{1,12})", re.ASCII)
_PAGE = re.compile(r"[0-9]{1,9}", re.ASCII)
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_SHOWN_MAX = 60  # characters of a bad word echoed back in an error

ManagersVerb = Literal["list", "add", "remove"]
PromptsAction = Literal["show", "off", "set"]


class CoachArgsError(UsageError):
    """The ``/coach`` arguments could not be understood."""


class NotAMention(CoachArgsError):
    """A word that should be a mention of a person is not one."""

    def __init__(self, word: str, example: str) -> None:
        shown = word if len(word) <= _SHOWN_MAX else word[: _SHOWN_MAX - 1] + "…"
        super().__init__(
            f"`{escape(shown)}` is not a mention of a person. Pick them from Slack's @-autocomplete so "
            f"it turns into a mention, e.g. `{example}`."
        )
        self.word = word


# --- words and mentions ---------------------------------------------------------------------


def slack_unescape(text: str) -> str:
    """Undo Slack's escaping of typed ``&``, ``<``, ``>`` in one pass (``&amp;lt;`` -> ``&lt;``)."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def parse_mention(word: str) -> str | None:
    m = _MENTION.match(word.strip())
    return m.group(1) if m else None


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def split_first(text: str) -> tuple[str, str]:
    """The first token (a whole ``<@U1|Ada L>`` mention counts as one) and the rest, verbatim."""
    text = text.strip()
    m = _TOKEN.match(text)
    if m is None:
        return "", ""
    return m.group(0), text[m.end() :].strip()


def parse_mentions(text: str, *, example: str) -> tuple[str, ...]:
    """Every word must be a mention; returns the user ids in order, without repeats."""
    ids: list[str] = []
    for word in tokens(text):
        user_id = parse_mention(word)
        if user_id is None:
            raise NotAMention(word, example)
        ids.append(user_id)
    if not ids:
        raise CoachArgsError(f"Mention at least one person, e.g. `{example}`.")
    return tuple(dict.fromkeys(ids))


# --- /coach @rep text ---------------------------------------------------------------------


@dataclass(frozen=True)
class NoteArgs:
    """``/coach @rep text``: who the note is about, and the text as the user typed it."""

    rep_id: str
    text: str


def parse_note(text: str) -> NoteArgs:
    """``<@U2|bob> what you observed``. The text may be empty; the service refuses that."""
    first, rest = split_first(text)
    if not first:
        raise CoachArgsError(
            f"Usage: `/coach @rep your note`, e.g. `{NOTE_EXAMPLE}`. Or type `/coach` alone for the form."
        )
    rep_id = parse_mention(first)
    if rep_id is None:
        raise NotAMention(first, NOTE_EXAMPLE)
    return NoteArgs(rep_id=rep_id, text=slack_unescape(rest))


def format_note(args: NoteArgs) -> str:
    return f"<@{args.rep_id}> {escape(args.text)}".rstrip()


# --- /coach notes [@rep] [page] -----------------------------------------------------------


@dataclass(frozen=True)
class NotesArgs:
    rep_id: str | None = None
    page: int = 1


def parse_notes(text: str) -> NotesArgs:
    words = tokens(text)
    rep_id: str | None = None
    if words and words[0].startswith(("<@", "@")):
        rep_id = parse_mention(words[0])
        if rep_id is None:
            raise NotAMention(words[0], NOTES_EXAMPLE)
        words = words[1:]
    page = 1
    if words:
        if len(words) > 1 or not _PAGE.fullmatch(words[0]):
            raise CoachArgsError(
                f"Usage: `/coach notes [@rep] [page]` (a page number up to 9 digits), "
                f"e.g. `{NOTES_EXAMPLE}` or `/coach notes`."
            )
        page = int(words[0])
    return NotesArgs(rep_id=rep_id, page=page)


def format_notes(args: NotesArgs) -> str:
    parts = [f"<@{args.rep_id}>"] if args.rep_id else []
    if args.page != 1:
        parts.append(str(args.page))
    return " ".join(parts)


# --- /coach search words ----------------------------------------------------------------


def parse_search(text: str) -> str:
    """The words to look for, as typed (the service checks they are there and not too many)."""
    return slack_unescape(text.strip())


def format_search(query: str) -> str:
    return escape(query)


# --- /coach delete ID | all -------------------------------------------------------------


@dataclass(frozen=True)
class DeleteArgs:
    """One note by id, or (``note_id is None``) all of the author's notes."""

    note_id: int | None


def parse_delete(text: str) -> DeleteArgs:
    text = text.strip()
    if text.lower() == "all":
        return DeleteArgs(note_id=None)
    m = _NOTE_ID.fullmatch(text)
    if not m:
        raise CoachArgsError(
            f"Give the note's number, e.g. `{DELETE_EXAMPLE}`, or `/coach delete all`. "
            "Your notes and their numbers: `/coach notes`."
        )
    return DeleteArgs(note_id=int(m.group(1)))


def format_delete(args: DeleteArgs) -> str:
    return "all" if args.note_id is None else str(args.note_id)


# --- /coach managers [list | add @a @b | remove @a] ---------------------------------------


@dataclass(frozen=True)
class ManagersArgs:
    verb: ManagersVerb
    user_ids: tuple[str, ...] = ()


def _split_verb(text: str) -> tuple[str, str]:
    parts = text.strip().split(None, 1)
    return (parts[0].lower() if parts else ""), (parts[1] if len(parts) > 1 else "")


def managers_verb(text: str) -> ManagersVerb:
    """Just the verb (checked before the admin check, so nobody learns more than usage)."""
    verb, _ = _split_verb(text)
    if verb in ("", "list"):
        return "list"
    if verb == "add":
        return "add"
    if verb == "remove":
        return "remove"
    raise CoachArgsError(
        "Usage: `/coach managers`, `/coach managers add @a @b` or `/coach managers remove @a`, "
        f"e.g. `{MANAGERS_EXAMPLE}`."
    )


def parse_managers(text: str) -> ManagersArgs:
    verb = managers_verb(text)
    if verb == "list":
        return ManagersArgs(verb="list")
    _, rest = _split_verb(text)
    example = MANAGERS_EXAMPLE if verb == "add" else MANAGERS_REMOVE_EXAMPLE
    return ManagersArgs(verb=verb, user_ids=parse_mentions(rest, example=example))


def format_managers(args: ManagersArgs) -> str:
    return " ".join([args.verb, *(f"<@{u}>" for u in args.user_ids)])


# --- /coach prompts [HH:MM [zone] [days] | off | channel ...] -------------------------------


@dataclass(frozen=True)
class PromptsArgs:
    """For the manager's DM (``channel=False``) or this channel: show, stop, or set.

    ``schedule`` is the schedule text for ``set`` (parsed by ``schedules.parse_schedule``).
    """

    channel: bool
    action: PromptsAction
    schedule: str = ""


def parse_prompts(text: str) -> PromptsArgs:
    """Never fails: whatever is not ``off`` or empty is schedule text for the schedule parser."""
    parts = text.strip().split(None, 1)
    channel = bool(parts) and parts[0].lower() == "channel"
    rest = (parts[1] if len(parts) > 1 else "") if channel else text.strip()
    if not rest:
        return PromptsArgs(channel=channel, action="show")
    if rest.lower() == "off":
        return PromptsArgs(channel=channel, action="off")
    return PromptsArgs(channel=channel, action="set", schedule=rest)


def format_prompts(args: PromptsArgs) -> str:
    parts = ["channel"] if args.channel else []
    if args.action == "off":
        parts.append("off")
    elif args.action == "set":
        parts.append(args.schedule)
    return " ".join(parts)
