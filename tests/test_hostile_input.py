"""Hostile input on every way in: each subcommand of ``/quote`` and ``/coach``, the
``/coach @rep text`` fallback and the modals, as a member, a manager and an admin.

Every (way in, input) pair is sent over signed HTTP, and must:

- get a 200 and a clear private answer: never a traceback, a Python repr or the generic
  "something went wrong" message (which would mean an unhandled exception);
- never make the bot ping a channel: no raw ``<!channel>``/``<!here>``/``<!everyone>``
  (or a user group) in any ack, response_url post, ephemeral, message or update;
- never be half-stored: a refused input leaves the notes, submissions, schedules,
  managers and opt-outs exactly as they were, and an accepted one stores exactly what the
  person typed (a note verbatim; a quote and a schedule as their parsers read them).

One test sends the whole input table through every way in of a command (or every modal)
as one role; failures are collected and reported with the names of the inputs. Inputs are the text as Slack sends it: mentions and
``@channel`` arrive as markup, and a typed ``&``, ``<``, ``>`` arrives as an entity.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from slack_bolt import App
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Manager, Note, OptOut, Quote, Schedule, Submission
from bot.errors import UsageError
from bot.listeners import register_all
from bot.listeners.errors import BUG, DB_DOWN
from bot.services import schedules
from bot.services.notes import NOTE_LIMIT
from bot.services.quote_input import QUOTE_TAGS, QuoteInputError, clean_form_value, parse_add, validate
from tests.factories import make_manager
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender

MEMBER, MANAGER, ADMIN = "U3", "U1", "UADMIN"
ROLE_USERS = {"member": MEMBER, "manager": MANAGER, "admin": ADMIN}
# The fake's people (users.info real names) and its bot user.
PEOPLE = {"U1": "Ada Lovelace", "U2": "Bob Rep", "U3": "Cy Rep", "UADMIN": "Alex Admin"}
NAMES = {**PEOPLE, "UBOT": "Bot"}
SLACK_ZONES = {"U1": "Europe/Berlin", "U2": "America/New_York", "U3": "America/New_York", "UADMIN": "America/New_York"}
CHANNEL = "C1"

# (name, text as Slack sends it). Names are what a failure report shows.
INPUTS: list[tuple[str, str]] = [
    ("empty", ""),
    ("spaces", "   "),
    ("tabs and newlines", "\t \n \r\n "),
    ("no-break spaces", "\u00a0\u2007\u202f"),
    ("zero-width only", "\u200b\u200c\u200d\u2060\ufeff"),
    ("zero-width inside", "Great\u200b call\u200d with\ufeff Acme"),
    ("10,000 characters", "x" * 10_000),
    ("10,000 characters of words", "word " * 2_000),
    ("very long word", "Supercalifragilistic" * 200),
    ("10,000 digits", "9" * 10_000),
    ("NUL inside", "Good call\x00 with Acme"),
    ("NUL only", "\x00"),
    ("NUL and ping", "\x00<!channel>\u200b"),
    ("control characters", "bell\x07 escape\x1b[31m red \x7f"),
    ("right-to-left override", "\u202egnp.exe\u202c invoice"),
    ("bidi isolates", "\u2066admin\u2069 \u2067x\u2069"),
    ("RTL before a subcommand", "\u202ehelp"),
    ("emoji", "🔥💯🚀 great demo 👩‍👩‍👧‍👦 :tada:"),
    ("unicode scripts", "Ω≈ç√ straße ñ 中文 العربية עברית"),
    ("SQL drop", "'; DROP TABLE notes;--"),
    ("SQL or", '" OR 1=1 --'),
    ("percent", "%"),
    ("underscore", "_"),
    ("backslash", "\\"),
    ("like wildcards", "100% of _all_ \\ path\\to %_\\"),
    ("script tag raw", "<script>alert(1)</script>"),
    ("script tag as Slack sends it", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("html tags", "<b>bold</b> <img src=x onerror=alert(1)>"),
    ("entities", "R&amp;D &amp;amp; &lt;b&gt; P&L"),
    ("channel", "<!channel>"),
    ("here", "<!here>"),
    ("everyone", "<!everyone>"),
    ("channel with label", "<!channel|@channel> listen up"),
    ("user group", "<!subteam^S0123ABC|@sales-team> hi"),
    ("ping trick", "<!her<!here>e> <<!channel>> <!channel"),
    ("plain @channel", "@channel @here"),
    ("unknown user", "<@UNOBODY1>"),
    ("unknown user with words", "<@UNOBODY1|ghost> was great today"),
    ("absurd user id", "<@U" + "A" * 100 + ">"),
    ("bot user", "<@UBOT|bot>"),
    ("bot user with words", "<@UBOT|bot> please"),
    ("mention with a ping label", "<@U2|<!channel>>"),
    ("channel link", "<#C1|general>"),
    ("channel link with words", "<#C1|general> and <#CNOPE>"),
    ("url link", "<https://evil.example/a?b=c&amp;d|click me>"),
    ("url link with ping label", "<https://evil.example|<!here>>"),
    ("mailto link", "<mailto:a@b.co|mail me>"),
    ("impossible time", "25:99"),
    ("impossible zone", "09:00 Mars/Olympus"),
    ("zone alone", "Mars/Olympus"),
    ("midnight 24:00", "24:00 UTC"),
    ("time with extra words", "9 pm Europe/Berlin everyday and more words"),
    ("zone path traversal", "09:00 ../../etc/passwd"),
    ("valid schedule, loose spacing", "  09:00   Europe/Berlin   weekdays  "),
    ("unknown subcommand", "frobnicate"),
    ("extra arguments", "help me please now"),
    ("superscript digit", "²"),
    ("negative number", "-1"),
    ("zero", "0"),
    ("huge number", "99999999999999999999"),
    ("json", '{"p": 1e999, "q": null}'),
    ("unterminated quote", '"Praise in public — Jordan'),
    ("quote with ping author", "“Coach the player in front of you.” — <!channel>"),
    ("format string", "{0} %s %(x)s {{}}"),
    ("100 ampersands", "&" * 100),
    ("300 angle brackets", "<>" * 150),
]

# --- ways in ------------------------------------------------------------------------------------


@dataclass
class Case:
    """One request and what it did."""

    input_name: str
    text: str
    user: str
    before: dict[str, set[tuple[Any, ...]]]
    after: dict[str, set[tuple[Any, ...]]]
    reply: str


Oracle = Callable[[Case], list[str]]
# (text, input index, pending submission ids per decision modal) -> (callback_id, values, metadata)
ModalBuilder = Callable[[str, int, dict[str, list[int]]], tuple[str, dict[str, Any], str]]


@dataclass(frozen=True)
class Way:
    """A way in: a slash command with the input in ``template`` (``{}``; ``{i}`` is the input's
    index, to keep quotes unique), or a modal. ``sub`` is the router subcommand it reaches."""

    id: str
    command: str
    template: str
    sub: str
    oracle: Oracle
    roles: tuple[str, ...] = ("member",)
    modal: ModalBuilder | None = None


def _changed(case: Case) -> dict[str, tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]]:
    out = {}
    for table in case.before:
        added, removed = case.after[table] - case.before[table], case.before[table] - case.after[table]
        if added or removed:
            out[table] = (added, removed)
    return out


def read_only(case: Case) -> list[str]:
    changed = _changed(case)
    return [f"changed the database though it must not: {_short(changed)}"] if changed else []


def _short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def typed(slack_text: str) -> str:
    """What the person typed: Slack sends a typed ``&``, ``<``, ``>`` as entities (one pass)."""
    return re.sub(r"&(amp|lt|gt);", lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], slack_text)


def can_note(user: str) -> bool:
    return user in (MANAGER, ADMIN)


def expect_note(case: Case, expected: str | None, *, rep: str = "U2") -> list[str]:
    """A note with exactly ``expected`` as its text, or (None / refused) no change at all."""
    if expected is None or not can_note(case.user) or not 0 < len(expected) <= NOTE_LIMIT:
        return read_only(case)
    changed = _changed(case)
    added, removed = changed.pop("notes", (set(), set()))
    want = (case.user, rep, expected)
    if changed or removed or [row[1:4] for row in added] != [want]:
        return [f"expected one new note {_short(want)}, got {_short(_changed(case))}"]
    return []


def note_after_mention(case: Case) -> list[str]:
    # The text after the mention, as typed; NUL is dropped (PostgreSQL can't store it).
    return expect_note(case, typed(case.text).replace("\x00", "").strip())


def note_if_mention_first(case: Case) -> list[str]:
    """``/coach <input>``: a note only when the input starts with a mention of a person."""
    m = re.match(r"\s*<@([UW][A-Z0-9]+)(?:\|[^>]*)?>(.*)", case.text, re.DOTALL)
    if m is None or m.group(1) not in PEOPLE:
        return read_only(case)
    return expect_note(case, typed(m.group(2)).replace("\x00", "").strip(), rep=m.group(1))


def note_from_modal(case: Case) -> list[str]:
    # Modal values are plain text, not escaped by Slack.
    return expect_note(case, case.text.replace("\x00", "").strip())


def _args(template: str, text: str, index: int) -> str:
    """The arguments the router hands the subcommand: the text after the first word."""
    full = template.replace("{i}", str(index)).replace("{}", text).strip()
    parts = full.split(None, 1)
    return parts[1].strip() if len(parts) > 1 else ""


def expect_quote(case: Case, parsed: tuple[str, str, str | None, str | None] | None) -> list[str]:
    """One new pending submission (text, author, source, quoted member), or no change.

    A valid quote may still be refused (a duplicate, an unknown quoted member), but then
    the reply must say so and nothing may change.
    """
    if parsed is None:
        return read_only(case)
    changed = _changed(case)
    if not changed:
        if not re.search(r"already|can't find|opted out", case.reply):
            return [f"refused a valid quote {_short(parsed)} without saying why: {_short(case.reply)}"]
        return []
    added, removed = changed.pop("submissions", (set(), set()))
    rows = [row[1:6] for row in added]
    want = (case.user, *parsed)
    if changed or removed or rows != [want]:
        return [f"expected one new submission {_short(want)}, got {_short(_changed(case))}"]
    return []


def quote_add_oracle(template: str) -> Oracle:
    def oracle(case: Case) -> list[str]:
        index = [name for name, _ in INPUTS].index(case.input_name)
        try:
            q = parse_add(_args(template, case.text, index), NAMES)
        except QuoteInputError:
            return expect_quote(case, None)
        return expect_quote(case, (q.text, q.author, None, q.author_user_id))

    return oracle


def submit_modal_oracle(field_name: str) -> Oracle:
    def oracle(case: Case) -> list[str]:
        index = [name for name, _ in INPUTS].index(case.input_name)
        values = _submit_values(field_name, case.text, index)
        try:
            text, author, source = validate(
                clean_form_value(values["text"]),
                clean_form_value(values["author"]),
                clean_form_value(values["source"]),
                form=True,
            )
        except QuoteInputError:
            return expect_quote(case, None)
        return expect_quote(case, (text, author, source, None))

    return oracle


def expect_schedule(case: Case, *, kind: str, target: str, text: str | None, allowed: bool = True) -> list[str]:
    """The (kind, target) schedule set to what ``parse_schedule`` reads, or no change."""
    if text is None or not allowed:
        return read_only(case)
    try:
        spec = schedules.parse_schedule(text, example="`x`")
    except schedules.InvalidSchedule:
        return read_only(case)
    zone = spec.tz or schedules.canonical_zone(SLACK_ZONES[case.user])
    want = (kind, target, spec.hour, spec.minute, zone, spec.days, True)
    changed = _changed(case)
    added, removed = changed.pop("schedules", (set(), set()))
    replaced = {row for row in removed if row[:2] != (kind, target)}  # only this schedule may change
    if changed or replaced or added - {want} or want not in case.after["schedules"]:
        return [f"expected the schedule {_short(want)}, got {_short(_changed(case))}"]
    return []


def schedule_oracle(template: str, *, kind: str, manager_only: bool) -> Oracle:
    def oracle(case: Case) -> list[str]:
        args = _args(template, case.text, 0)
        if template.startswith("prompts channel"):
            args = args.split(None, 1)[1] if len(args.split(None, 1)) > 1 else ""
        target = case.user if kind == "prompt_dm" else CHANNEL
        empty = not args or args.lower() in ("off", "stop")
        return expect_schedule(
            case,
            kind=kind,
            target=target,
            text=None if empty else args,
            allowed=can_note(case.user) or not manager_only,
        )

    return oracle


def prompt_time_oracle(field_name: str) -> Oracle:
    def oracle(case: Case) -> list[str]:
        zone = case.text.strip() if field_name == "zone" else ""
        days = (case.text.strip() if field_name == "days" else "") or "weekdays"
        if zone and schedules.canonical_zone(zone) is None:
            return read_only(case)
        text = " ".join(p for p in ("08:30", zone, days) if p)
        return expect_schedule(case, kind="prompt_dm", target=case.user, text=text, allowed=can_note(case.user))

    return oracle


_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def _all_mentions(text: str) -> list[str] | None:
    words = re.findall(r"<[^>]*>|\S+", text)
    ids = []
    for word in words:
        m = _MENTION.fullmatch(word)
        if m is None:
            return None
        ids.append(m.group(1))
    return ids or None


def managers_oracle(verb: str) -> Oracle:
    def oracle(case: Case) -> list[str]:
        ids = _all_mentions(case.text)
        if case.user != ADMIN or ids is None or (verb == "add" and not set(ids) <= set(PEOPLE)):
            return read_only(case)
        changed = _changed(case)
        added, removed = changed.pop("managers", (set(), set()))
        ok = {(u,) for u in ids} >= (added if verb == "add" else removed)
        return [] if ok and not changed else [f"managers changed wrongly: {_short(_changed(case))}"]

    return oracle


def opt_oracle(case: Case) -> list[str]:
    """``optout``/``optin`` take no arguments; with none, only the caller's opt-out changes."""
    if case.text.strip():
        return read_only(case)
    changed = _changed(case)
    added, removed = changed.pop("opt_outs", (set(), set()))
    return [] if not changed and (added | removed) <= {(case.user,)} else [f"changed {_short(_changed(case))}"]


# --- modals ----------------------------------------------------------------------------------------


def note_modal(rep: str) -> ModalBuilder:
    def build(text: str, index: int, targets: dict[str, list[int]]) -> tuple[str, dict[str, Any], str]:
        values = {
            "rep": {"rep": {"type": "users_select", "selected_user": rep}},
            "note": {"note": {"type": "plain_text_input", "value": text or None}},
            "follow_up": {"follow_up": {"type": "datepicker", "selected_date": None}},
            "theme": {"theme": {"type": "static_select", "selected_option": None}},
            "share": {"share": {"type": "checkboxes", "selected_options": [{"value": "share"}]}},
        }
        return "coach_note_modal", values, ""

    return build


def _submit_values(field_name: str, text: str, index: int) -> dict[str, str]:
    # A different quote for each field and input, so none is refused as a duplicate of another.
    frame = f"Praise in public, coach in private ({field_name} rule {index})."
    values = {"text": frame, "author": "Jordan Lee", "source": ""}
    values[field_name] = text if field_name != "text" else f"{text} (rule {index})" if text.strip() else text
    return values


def submit_modal(field_name: str) -> ModalBuilder:
    def build(text: str, index: int, targets: dict[str, list[int]]) -> tuple[str, dict[str, Any], str]:
        v = _submit_values(field_name, text, index)
        values: dict[str, Any] = {
            name: {name: {"type": "plain_text_input", "value": v[name] or None}}
            for name in ("text", "author", "source")
        }
        values["tags"] = {"tags": {"type": "multi_static_select", "selected_options": [{"value": "coaching"}]}}
        return "submit_quote", values, json.dumps({"via": "home"})

    return build


def prompt_time_modal(field_name: str) -> ModalBuilder:
    def build(text: str, index: int, targets: dict[str, list[int]]) -> tuple[str, dict[str, Any], str]:
        values = {
            "time": {"time": {"type": "timepicker", "selected_time": "08:30"}},
            "zone": {"zone": {"type": "plain_text_input", "value": (text if field_name == "zone" else "") or None}},
            "days": {"days": {"type": "plain_text_input", "value": (text if field_name == "days" else "") or None}},
        }
        return "coach_prompt_time_modal", values, ""

    return build


def edit_text(text: str, index: int) -> str:
    return f"{text} (edit {index})" if text.strip() else text


def decision_modal(kind: str) -> ModalBuilder:
    """The admin's Edit-and-approve (``edit``: the quote is the input) or Reject (``reject``:
    the reason is the input) form, on a pending submission of its own for each input."""

    def build(text: str, index: int, targets: dict[str, list[int]]) -> tuple[str, dict[str, Any], str]:
        meta = json.dumps({"id": targets[kind][index], "channel": None, "ts": None, "response_url": None})
        if kind == "edit":
            values = {
                "text": {"text": {"type": "plain_text_input", "value": edit_text(text, index) or None}},
                "author": {"author": {"type": "plain_text_input", "value": "Jordan Lee"}},
            }
            return "submission_edit_modal", values, meta
        return (
            "submission_reject_modal",
            {"reason": {"reason": {"type": "plain_text_input", "value": text or None}}},
            meta,
        )

    return build


def expect_decision(case: Case, *, status: str, text: str | None = None, reason: str | None = None) -> list[str]:
    """Exactly one pending submission decided as expected, nothing else changed."""
    changed = _changed(case)
    added, removed = changed.pop("submissions", (set(), set()))
    if changed or len(added) != 1 or len(removed) != 1:
        return [f"expected one decided submission, got {_short(_changed(case))}"]
    (new,), (old,) = added, removed
    want = {"id": old[0], "status": status, "reason": reason}
    got = {"id": new[0], "status": new[6], "reason": new[7]}
    if text is not None:
        want["text"], got["text"] = text, new[2]
    return [] if got == want and old[6] == "pending" else [f"expected {_short(want)}, got {_short(got)}"]


def reject_oracle(case: Case) -> list[str]:
    reason = " ".join(clean_form_value(case.text).split()) or None
    if case.user != ADMIN or (reason is not None and len(reason) > 300):
        return read_only(case)
    return expect_decision(case, status="rejected", reason=reason)


def edit_oracle(case: Case) -> list[str]:
    index = [name for name, _ in INPUTS].index(case.input_name)
    try:
        text, _, _ = validate(clean_form_value(edit_text(case.text, index)), "Jordan Lee", None, form=True)
    except QuoteInputError:
        return read_only(case)
    if case.user != ADMIN:
        return read_only(case)
    if not _changed(case) and "already" in case.reply:
        return []  # the edited quote duplicates one already there, and the reply says so
    return expect_decision(case, status="approved", text=text)


# --- the table of ways in -------------------------------------------------------------------------

ADD_TEXT = 'add "Praise in public {i}: {}" — Jordan Lee'
ADD_AUTHOR = 'add "Praise in public, coach in private, rule {i}." — {}'

QUOTE_WAYS = [
    Way("/quote <input>", "/quote", "{}", "", read_only),
    Way("/quote help", "/quote", "help {}", "help", read_only),
    Way(
        "/quote daily",
        "/quote",
        "daily {}",
        "daily",
        schedule_oracle("daily {}", kind="quote_channel", manager_only=False),
    ),
    Way("/quote add", "/quote", "add {}", "add", quote_add_oracle("add {}")),
    Way("/quote add, input in the text", "/quote", ADD_TEXT, "add", quote_add_oracle(ADD_TEXT)),
    Way("/quote add, input as the author", "/quote", ADD_AUTHOR, "add", quote_add_oracle(ADD_AUTHOR)),
    Way("/quote mine", "/quote", "mine {}", "mine", read_only),
    Way("/quote review", "/quote", "review {}", "review", read_only, roles=("member", "admin")),
    Way("/quote optout", "/quote", "optout {}", "optout", opt_oracle),
    Way("/quote optin", "/quote", "optin {}", "optin", opt_oracle),
    Way("/quote top", "/quote", "top {}", "top", read_only),
    Way("/quote search", "/quote", "search {}", "search", read_only),
]

EVERYONE = ("member", "manager")
COACH_WAYS = [
    Way("/coach <input>", "/coach", "{}", "", note_if_mention_first, roles=EVERYONE),
    Way("/coach @rep <input>", "/coach", "<@U2|bob> {}", "", note_after_mention, roles=("member", "manager", "admin")),
    Way("/coach help", "/coach", "help {}", "help", read_only),
    Way("/coach note <input>", "/coach", "note {}", "note", note_if_mention_first, roles=EVERYONE),
    Way("/coach note @rep <input>", "/coach", "note <@U2|bob> {}", "note", note_after_mention, roles=EVERYONE),
    Way("/coach notes", "/coach", "notes {}", "notes", read_only, roles=EVERYONE),
    Way("/coach notes @rep", "/coach", "notes <@U2|bob> {}", "notes", read_only, roles=EVERYONE),
    Way("/coach search", "/coach", "search {}", "search", read_only, roles=EVERYONE),
    Way("/coach delete", "/coach", "delete {}", "delete", read_only, roles=EVERYONE),
    Way("/coach export", "/coach", "export {}", "export", read_only, roles=EVERYONE),
    Way("/coach overview", "/coach", "overview {}", "overview", read_only, roles=EVERYONE),
    Way(
        "/coach prompts",
        "/coach",
        "prompts {}",
        "prompts",
        schedule_oracle("prompts {}", kind="prompt_dm", manager_only=True),
        roles=EVERYONE,
    ),
    Way(
        "/coach prompts channel",
        "/coach",
        "prompts channel {}",
        "prompts",
        schedule_oracle("prompts channel {}", kind="prompt_channel", manager_only=True),
        roles=EVERYONE,
    ),
    Way("/coach prompt", "/coach", "prompt {}", "prompt", read_only, roles=EVERYONE),
    Way("/coach managers", "/coach", "managers {}", "managers", read_only, roles=("member", "admin")),
    Way(
        "/coach managers add",
        "/coach",
        "managers add {}",
        "managers",
        managers_oracle("add"),
        roles=("manager", "admin"),
    ),
    Way(
        "/coach managers remove",
        "/coach",
        "managers remove {}",
        "managers",
        managers_oracle("remove"),
        roles=("admin",),
    ),
]

MODAL_WAYS = [
    Way("note modal: text", "", "", "", note_from_modal, roles=EVERYONE, modal=note_modal("U2")),
    Way("note modal: text, rep is the bot", "", "", "", read_only, roles=("manager",), modal=note_modal("UBOT")),
    Way("note modal: text, unknown rep", "", "", "", read_only, roles=("manager",), modal=note_modal("UNOBODY1")),
    Way("submit modal: quote", "", "", "", submit_modal_oracle("text"), modal=submit_modal("text")),
    Way("submit modal: author", "", "", "", submit_modal_oracle("author"), modal=submit_modal("author")),
    Way("submit modal: source", "", "", "", submit_modal_oracle("source"), modal=submit_modal("source")),
    Way(
        "edit-and-approve modal: quote",
        "",
        "",
        "",
        edit_oracle,
        roles=("member", "admin"),
        modal=decision_modal("edit"),
    ),
    Way("reject modal: reason", "", "", "", reject_oracle, roles=("member", "admin"), modal=decision_modal("reject")),
    Way(
        "prompt time modal: zone",
        "",
        "",
        "",
        prompt_time_oracle("zone"),
        roles=EVERYONE,
        modal=prompt_time_modal("zone"),
    ),
    Way(
        "prompt time modal: days",
        "",
        "",
        "",
        prompt_time_oracle("days"),
        roles=("manager",),
        modal=prompt_time_modal("days"),
    ),
]


def any_effect(case: Case) -> list[str]:
    """A subcommand the table has no oracle for yet: what it stores is unknown, so only the
    checks every reply gets apply (HTTP 200, a clear answer, no ping, Block Kit limits)."""
    return []


def _declared() -> dict[str, list[str]]:
    routers = register_all(App(signing_secret="x", token="xoxb-x", token_verification_enabled=False))
    return {"/quote": routers.quote.names(), "/coach": routers.coach.names()}


def discovered(command: str, ways: list[Way]) -> list[Way]:
    """A way in for every declared subcommand the table does not list yet, so a new
    subcommand is under hostile input from the day it is declared."""
    listed = {w.sub for w in ways}
    return [
        Way(f"{command} {sub} (discovered)", command, f"{sub} {{}}", sub, any_effect, roles=EVERYONE)
        for sub in _declared()[command]
        if sub not in listed
    ]


GROUPS = {
    "/quote": QUOTE_WAYS + discovered("/quote", QUOTE_WAYS),
    "/coach": COACH_WAYS + discovered("/coach", COACH_WAYS),
    "modals": MODAL_WAYS,
}
CASES = [
    pytest.param(group, role, id=f"{group} as {role}")
    for group, ways in GROUPS.items()
    for role in ROLE_USERS
    if any(role in way.roles for way in ways)
]

# --- what a reply may not contain -----------------------------------------------------------------

PING = re.compile(r"<!(?:channel|here|everyone|group)(?:\|[^>]*)?>|<!subteam\^[^>]*>")
UNCLEAR = re.compile(r"Traceback|Exception|\bNone\b|\{'|<bound |object at 0x|\bself\b\.")
# Keys whose values Slack never shows as message text.
NOT_SHOWN = {
    "response_type",
    "response_action",
    "value",
    "action_id",
    "block_id",
    "callback_id",
    "private_metadata",
    "url",
    "type",
    "style",
    "initial_value",
}
CHATTY_METHODS = (
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "response_url",
    "files.completeUploadExternal",
)


def shown_strings(value: Any) -> Iterator[str]:
    """Every string of a Slack payload that a person can read."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_SHOWN:
                yield from shown_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from shown_strings(item)


def block_problems(blocks: list[dict[str, Any]], *, limit: int = 50) -> list[str]:
    """What Slack would refuse (invalid_blocks): the limits we can break with user text."""
    problems = []
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks (Slack allows {limit})")
    for block in blocks:
        text = (block.get("text") or {}).get("text", "")
        if len(text) > 3000:
            problems.append(f"a {block.get('type')} block with {len(text)} characters of text (max 3000)")
        for element in block.get("elements") or []:
            if len(str(element.get("value", ""))) > 2000:
                problems.append("a button value over 2000 characters")
            if isinstance(element.get("text"), str) and len(element["text"]) > 3000:
                problems.append("a context element over 3000 characters")
    return problems


# What "nothing is half-stored" compares before and after each request.
SNAPSHOT = {
    "notes": select(Note.id, Note.author_id, Note.rep_id, Note.text, Note.theme, Note.shared_with_rep),
    "submissions": select(
        Submission.id,
        Submission.submitter_id,
        Submission.text,
        Submission.author,
        Submission.source,
        Submission.author_user_id,
        Submission.status,
        Submission.reason,
    ),
    "schedules": select(
        Schedule.kind, Schedule.target_id, Schedule.hour, Schedule.minute, Schedule.tz, Schedule.days, Schedule.active
    ),
    "managers": select(Manager.user_id),
    "opt_outs": select(OptOut.user_id),
}


@dataclass
class Checker:
    """Sends each input the way in describes and collects what went wrong, by input."""

    slack: SlackSender
    fake: FakeSlack
    sessions: Sessions
    curated_with_none: list[str]
    targets: dict[str, list[int]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    last: dict[str, set[tuple[Any, ...]]] | None = None

    def snapshot(self) -> dict[str, set[tuple[Any, ...]]]:
        with self.sessions() as s:
            return {table: {tuple(row) for row in s.execute(query)} for table, query in SNAPSHOT.items()}

    def send(self, way: Way, text: str, index: int, user: str) -> requests.Response:
        if way.modal is not None:
            callback_id, values, metadata = way.modal(text, index, self.targets)
            return self.slack.view_submission(callback_id, values, user=user, private_metadata=metadata)
        body = way.template.replace("{i}", str(index)).replace("{}", text)
        return self.slack.command(way.command, body, user=user)

    def run(self, way: Way, user: str) -> None:
        """Every input through ``way``; the same problem for several inputs is listed once."""
        inputs_by_problem: dict[str, list[str]] = {}
        for index, (name, text) in enumerate(INPUTS):
            for problem in self.run_one(way, name, text, index, user):
                inputs_by_problem.setdefault(problem, []).append(name)
        for problem, names in inputs_by_problem.items():
            self.failures.append(f"{way.id} [{', '.join(names)}]: {problem}")

    def run_one(self, way: Way, name: str, text: str, index: int, user: str) -> list[str]:
        mark = len(self.fake.calls)
        # Work after the ack never changes these tables' compared columns, so the state
        # after one request is the state before the next.
        before = self.last or self.snapshot()
        resp = self.send(way, text, index, user)
        after = self.last = self.snapshot()
        if resp.status_code != 200:
            return [f"HTTP {resp.status_code}: {_short(resp.text)}"]
        body: dict[str, Any] = resp.json() if resp.content else {}
        shown = list(shown_strings(body))
        pings = sorted({m.group(0) for text in shown for m in PING.finditer(text)})
        problems = [f"the ack would ping: {pings}"] if pings else []
        problems += block_problems(body.get("blocks") or [])
        if isinstance(body.get("view"), dict):
            problems += block_problems(body["view"].get("blocks") or [], limit=100)
        reply = "\n".join(shown).strip()
        if not reply:
            modal_saved = way.modal is not None and before != after
            reply = "(the form closed: saved)" if modal_saved else self.deferred_reply(mark, user=user)
            if not reply:
                problems.append("no reply at all")
        problems += self.unclear(reply)
        if len(body.get("text") or "") > 40_000:
            problems.append("a reply text over Slack's 40,000 characters")
        problems += way.oracle(Case(name, text, user, before, after, reply))
        return problems

    def deferred_reply(self, mark: int, *, user: str) -> str:
        """An empty ack is an answer only when something follows it: the note form opening
        (``/coach``), or the DM or App Home update saying a form was saved."""
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            for call in self.fake.calls[mark:]:
                if call.method in ("views.open", "views.publish", "response_url", "chat.postEphemeral") or (
                    call.method == "chat.postMessage" and call.get("channel") == user
                ):
                    return "\n".join(shown_strings({k: _maybe_json(v) for k, v in call.params.items()})) or call.method
            time.sleep(0.01)
        return ""

    def unclear(self, reply: str) -> list[str]:
        problems = []
        if BUG in reply or DB_DOWN in reply:
            problems.append(f"the error handler answered (an unhandled exception): {_short(reply)}")
        for quote in self.curated_with_none:
            reply = reply.replace(quote, "")
        m = UNCLEAR.search(reply)
        if m:
            problems.append(f"unclear reply ({m.group(0)!r}): {_short(reply)}")
        return problems

    def sent_pings(self) -> list[str]:
        """Every message, update, ephemeral or response_url post the bot made that could ping."""
        found = []
        for call in self.fake.calls:
            if call.method not in CHATTY_METHODS:
                continue
            params = {k: _maybe_json(v) for k, v in call.params.items()}
            for text in shown_strings(params):
                m = PING.search(text)
                if m:
                    found.append(f"{call.method} would ping {m.group(0)!r}: {_short(text)}")
        return found


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# Text that grows most when escaped for Slack (``&`` -> ``&amp;``), at each field's limit.
WORST_NOTE = "&" * NOTE_LIMIT
WORST_QUOTE = ("&" * 500, "&" * 100, "&" * 300)  # text, author, source


def _seed_hostile_content(sessions: Sessions, user: str) -> None:
    """Stored hostile text for the reads to render: the user's own notes and quotes.

    The worst cases come first in every list: the newest note (notes are listed newest
    first) and the oldest pending quote that is also the newest submission (the review
    queue lists oldest first, `/quote mine` newest first), dated after the test clock.
    """
    later = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    notes = [WORST_NOTE, *(text for _, text in INPUTS[:40])]
    quotes = [WORST_QUOTE, *((f"{t} #{i}", t, t) for i, (_, t) in enumerate(INPUTS[:15]))]
    with sessions.begin() as s:
        for index, text in enumerate(notes):
            stored = text.replace("\x00", "").strip()[:NOTE_LIMIT] or "blank"
            rep = "U2" if index % 2 else "UNOBODY1"
            s.add(Note(team_id="T1", author_id=user, rep_id=rep, rep_name=stored[:200], text=stored, created_at=later))
            later -= timedelta(seconds=1)
        for index, (text, author, source) in enumerate(quotes):
            s.add(
                Submission(
                    team_id="T1",
                    submitter_id=user,
                    text=text.replace("\x00", "").strip()[:500] or "blank",
                    author=author.replace("\x00", "").strip()[:100] or "Unknown",
                    source=source.replace("\x00", "").strip()[:300] or None,
                    tags=list(QUOTE_TAGS[:5]),
                    norm_key=f"seed-{index}",
                    via="command",
                    status="pending",
                    created_at=later,
                )
            )
            later -= timedelta(seconds=1)


def _seed_decision_targets(sessions: Sessions) -> dict[str, list[int]]:
    """A pending submission (from U2) for each input of each decision modal."""
    targets: dict[str, list[int]] = {}
    with sessions.begin() as s:
        for kind in ("edit", "reject"):
            rows = [
                Submission(
                    team_id="T1",
                    submitter_id="U2",
                    text=f"Praise in public, coach in private ({kind} target {index}).",
                    author="Jordan Lee",
                    tags=[],
                    norm_key=f"{kind}-target-{index}",
                    via="command",
                    status="pending",
                )
                for index in range(len(INPUTS))
            ]
            s.add_all(rows)
            s.flush()
            targets[kind] = [row.id for row in rows]
    return targets


@pytest.mark.parametrize(("group", "role"), CASES)
def test_every_way_in_holds_under_hostile_input(
    group: str,
    role: str,
    slack: SlackSender,
    fake_slack: FakeSlack,
    sessions: Sessions,
    app_server: AppServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = ROLE_USERS[role]
    make_manager(sessions, MANAGER)
    _seed_hostile_content(sessions, user)
    targets = _seed_decision_targets(sessions) if group == "modals" else {}
    with sessions() as s:
        quotes = s.scalars(select(Quote.text).where(Quote.text.contains("None"))).all()
    checker = Checker(slack, fake_slack, sessions, curated_with_none=list(quotes), targets=targets)
    caplog.set_level(logging.ERROR)

    ways = [way for way in GROUPS[group] if role in way.roles]
    for way in ways:
        checker.run(way, user)

    assert app_server.deps is not None
    app_server.deps.background.shutdown(wait=True)  # flush the work done after the acks
    failures = checker.failures + checker.sent_pings()
    failures += [f"logged: {r.getMessage()}" for r in caplog.records if r.name in ("bot.errors", "bot.deps")]
    count = f"{len(ways)} ways in x {len(INPUTS)} inputs as {role}"
    assert not failures, f"{count}: {len(failures)} problem(s):\n" + "\n".join(failures)


def test_the_table_has_enough_inputs_and_reaches_every_subcommand() -> None:
    declared = _declared()
    assert len(INPUTS) >= 40
    assert {w.sub for w in GROUPS["/quote"] if w.sub} == set(declared["/quote"])
    assert {w.sub for w in GROUPS["/coach"] if w.sub} == set(declared["/coach"])
    # A subcommand declared later is covered by `discovered` until it gets its own oracle.
    partial = COACH_WAYS[:3]  # as if only `/coach <input>`, `/coach @rep <input>` and `help` were listed
    found = discovered("/coach", partial)
    assert {w.sub for w in found} == set(declared["/coach"]) - {w.sub for w in partial}
    assert all(w.oracle is any_effect and w.template == f"{w.sub} {{}}" for w in found)
    # The defaults and fallbacks: `/quote <input>`, `/coach <input>`, `/coach @rep <input>`.
    assert {w.template for w in QUOTE_WAYS + COACH_WAYS if not w.sub} >= {"{}", "<@U2|bob> {}"}
    targets = {"edit": [1], "reject": [1]}
    assert {w.modal("x", 0, targets)[0] for w in MODAL_WAYS if w.modal} == {
        "submission_edit_modal",
        "submission_reject_modal",
        "coach_note_modal",
        "submit_quote",
        "coach_prompt_time_modal",
    }


# --- the fixes the table led to, one behaviour each -------------------------------------------


def _answer(resp: requests.Response) -> str:
    assert resp.status_code == 200, resp.text
    return "\n".join(shown_strings(resp.json()))


def test_any_whitespace_separates_the_subcommand(slack: SlackSender, sessions: Sessions) -> None:
    """A no-break space (Option+Space on a Mac) or a newline after the subcommand."""
    make_manager(sessions, MANAGER)
    slack.command("/coach", "<@U2|bob> Asked about budget early")
    for sep in ("\u00a0", "\n", "\t"):
        answer = _answer(slack.command("/coach", f"notes{sep}<@U2|bob>"))
        assert "Your notes on <@U2>" in answer and "Asked about budget early" in answer


def test_text_of_only_invisible_characters_is_no_text(slack: SlackSender) -> None:
    answer = _answer(slack.command("/quote", "\u200b\u2060", user=MEMBER))
    assert "I don't know" not in answer and "—" in answer  # a quote and its author


def test_note_subcommand_without_a_mention_says_so(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, MANAGER)
    answer = _answer(slack.command("/coach", "note great call"))
    assert "`great` is not a mention of a person" in answer and "/coach @bob" in answer


def test_slack_escaped_text_is_stored_as_typed_and_found_by_search(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, MANAGER)
    slack.command("/coach", "<@U2|bob> R&amp;D pitch &lt;3 went well")
    with sessions() as s:
        assert s.scalars(select(Note.text)).one() == "R&D pitch <3 went well"
    answer = _answer(slack.command("/coach", "search r&amp;d"))
    assert "R&amp;D pitch &lt;3 went well" in answer  # escaped once for Slack, shown as typed


def test_opting_out_takes_no_arguments(slack: SlackSender, sessions: Sessions) -> None:
    answer = _answer(slack.command("/quote", "optout <@U2|bob>", user=MEMBER))
    assert "takes no arguments" in answer and "`/quote optout`" in answer
    with sessions() as s:
        assert s.scalars(select(OptOut.user_id)).all() == []


def test_a_button_value_of_unicode_digits_is_refused_clearly(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    assert slack.block_action("submission_approve", "²", user=ADMIN).status_code == 200
    (answer,) = fake_slack.responses()
    assert "refers to no quote" in answer["text"] and BUG not in answer["text"]


def test_a_page_button_with_an_infinite_page_changes_nothing(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    make_manager(sessions, MANAGER)
    assert slack.block_action("coach_notes_page_next", '{"p": 1e999}').status_code == 200
    assert not [r for r in fake_slack.responses() if BUG in str(r.get("text"))]


def test_escaped_text_is_cut_between_entities() -> None:
    from bot.services.text import escape, truncate_escaped

    assert truncate_escaped(escape("&" * 10), 12) == "&amp;&amp;…"
    assert truncate_escaped(escape("a<b"), 20) == "a&lt;b"
    assert len(truncate_escaped(escape("<" * 1000), 3000)) <= 3000


def test_the_longest_quote_and_note_fit_slack_once_escaped() -> None:
    from datetime import UTC, datetime

    from bot.blocks import note_lists as note_lists_ui
    from bot.blocks import submissions as submission_blocks
    from bot.services.note_history import NotePage
    from bot.services.notes import NoteView
    from bot.services.submissions import PENDING, SubmissionView

    at = datetime(2026, 11, 30, tzinfo=UTC)
    text, author, source = WORST_QUOTE
    sub = SubmissionView(
        1,
        "T1",
        None,
        "U1",
        text,
        author,
        None,
        source,
        QUOTE_TAGS[:5],
        "command",
        PENDING,
        None,
        None,
        None,
        None,
        None,
        at,
    )
    note = NoteView(1, "U1", None, "U2", None, WORST_NOTE, None, None, None, False, at)
    built = [
        submission_blocks.review_message(sub).blocks,
        submission_blocks.consent_request(sub).blocks,
        note_lists_ui.notes_page_blocks(NotePage(notes=(note,), page=1, pages=1, total=1), tz=None),
    ]
    for blocks in built:
        assert not block_problems(blocks)


def test_an_unknown_theme_is_echoed_escaped() -> None:
    from bot.services.notes import validate_theme

    with pytest.raises(UsageError) as caught:
        validate_theme("<!channel>")
    assert "&lt;!channel&gt;" in caught.value.message and "<!channel>" not in caught.value.message
