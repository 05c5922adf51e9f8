"""The playground's small Slack: a workspace, three people, two channels, DMs, and what was said.

Kept in memory and guarded by one lock: the stand-in Web API (called from the app's
threads through HTTP) and the page's requests both read and change it. Every change
bumps ``version`` so the page's long poll knows when to redraw.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

TEAM_ID = "TPLAYGRND"
TEAM_NAME = "Acme Sales"
TEAM_DOMAIN = "acme-playground"
APP_ID = "APLAYGRND"
BOT_USER_ID = "UCOACHBOT"
BOT_ID = "BCOACHBOT"
BOT_NAME = "coachbot"
MAX_MESSAGES = 500  # per conversation


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    real_name: str
    role: str
    tz: str
    color: str
    is_admin: bool = False

    @property
    def dm(self) -> str:
        """The persona's DM with coachbot (what Slack calls the app's Messages tab)."""
        return "D" + self.id[1:]


ADA = Persona("UADA", "ada", "Ada", "admin", "Europe/London", "#9b4dca", is_admin=True)
MAX = Persona("UMAX", "max", "Max", "manager", "America/New_York", "#1d9bd1")
RILEY = Persona("URILEY", "riley", "Riley", "rep", "America/Los_Angeles", "#2bac76")
PERSONAS: tuple[Persona, ...] = (ADA, MAX, RILEY)
PERSONA_BY_ID = {p.id: p for p in PERSONAS}


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    is_im: bool = False
    user: str | None = None  # the person in a DM

    def to_api(self, *, bot_member: bool) -> dict[str, Any]:
        if self.is_im:
            return {"id": self.id, "is_im": True, "user": self.user, "is_open": True, "created": 1700000000}
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": False,
            "is_archived": False,
            "is_general": False,
            "is_member": bot_member,
            "created": 1700000000,
        }


SALES = Channel("CSALES", "sales")
LEADERSHIP = Channel("CLEADERSHIP", "leadership")
CHANNELS: tuple[Channel, ...] = (
    SALES,
    LEADERSHIP,
    *(Channel(p.dm, p.real_name, is_im=True, user=p.id) for p in PERSONAS),
)


@dataclass
class Message:
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    visible_to: str | None = None  # an ephemeral message's only reader
    metadata: dict[str, Any] | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    reactions: dict[str, list[str]] = field(default_factory=dict)
    edited: bool = False
    system: bool = False  # "coachbot joined #sales", a failed command...

    def to_api(self, *, with_metadata: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text}
        if self.user == BOT_USER_ID:
            out.update(user=BOT_USER_ID, bot_id=BOT_ID, app_id=APP_ID)
        else:
            out["user"] = self.user
        if self.blocks:
            out["blocks"] = copy.deepcopy(self.blocks)
        if with_metadata and self.metadata:
            out["metadata"] = copy.deepcopy(self.metadata)
        if self.files:
            out["files"] = [{k: v for k, v in f.items() if k != "content"} for f in self.files]
        if self.reactions:
            out["reactions"] = [{"name": n, "users": list(u), "count": len(u)} for n, u in self.reactions.items()]
        return out


@dataclass
class ResponseTarget:
    """What a ``response_url`` answers into: who asked, where, and from which message."""

    user: str
    channel: str
    source_ts: str | None
    created: float
    uses: int = 0


@dataclass
class UploadedFile:
    id: str
    filename: str
    title: str
    content: bytes | None = None


class World:
    """The workspace's state. Methods take the lock; callers never see a half-made change."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.version = 0
        self.messages: dict[str, list[Message]] = {c.id: [] for c in CHANNELS}
        self.bot_member: set[str] = set()
        self.views: dict[str, list[dict[str, Any]]] = {}  # user -> modal stack (bottom first)
        self.homes: dict[str, dict[str, Any]] = {}  # user -> published App Home view
        self.triggers: dict[str, tuple[str, float]] = {}  # trigger_id -> (user, issued at)
        self.responses: dict[str, ResponseTarget] = {}
        self.files: dict[str, UploadedFile] = {}
        self.seen: dict[tuple[str, str], str] = {}  # (user, conversation) -> newest ts shown to them
        self._last_ts = Decimal(0)

    # -- bookkeeping -------------------------------------------------------------------

    @contextmanager
    def changing(self) -> Iterator[None]:
        with self.lock:
            yield
            self.version += 1

    def new_id(self, prefix: str) -> str:
        return prefix + secrets.token_hex(5).upper()

    def next_ts(self) -> str:
        """A message ts on the playground clock, strictly increasing, as Slack's are unique."""
        with self.lock:
            ts = Decimal(f"{self.clock().timestamp():.6f}")
            if ts <= self._last_ts:
                ts = self._last_ts + Decimal("0.000001")
            self._last_ts = ts
            return f"{ts:.6f}"

    # -- people and conversations -----------------------------------------------------

    @staticmethod
    def channel(channel_id: str) -> Channel | None:
        return next((c for c in CHANNELS if c.id == channel_id), None)

    @staticmethod
    def dm_of(user_id: str) -> Channel | None:
        """Posting to a user id goes to their DM with the app, as in Slack."""
        persona = PERSONA_BY_ID.get(user_id)
        return World.channel(persona.dm) if persona else None

    def resolve(self, channel_or_user: str) -> Channel | None:
        return self.channel(channel_or_user) or self.dm_of(channel_or_user)

    # -- messages ----------------------------------------------------------------------

    def post(self, message: Message) -> Message:
        with self.changing():
            kept = self.messages[message.channel]
            kept.append(message)
            # Every poll renders the whole conversation: keep it bounded, oldest out first.
            del kept[:-MAX_MESSAGES]
        return message

    def touch(self) -> None:
        """Something every page shows changed (the clock): wake their long polls."""
        with self.changing():
            pass

    def find(self, channel_id: str, ts: str) -> Message | None:
        with self.lock:
            return next((m for m in self.messages.get(channel_id, []) if m.ts == ts), None)

    def replace(self, channel_id: str, ts: str, **changes: Any) -> Message | None:
        with self.changing():
            found = self.find(channel_id, ts)
            if found is not None:
                for key, value in changes.items():
                    setattr(found, key, value)
            return found

    def delete(self, channel_id: str, ts: str) -> bool:
        with self.changing():
            before = len(self.messages.get(channel_id, []))
            self.messages[channel_id] = [m for m in self.messages.get(channel_id, []) if m.ts != ts]
            return len(self.messages[channel_id]) < before

    def visible(self, channel_id: str, user_id: str) -> list[Message]:
        """What ``user_id`` sees in a conversation: everything public plus their ephemerals."""
        with self.lock:
            return [m for m in self.messages.get(channel_id, []) if m.visible_to in (None, user_id)]

    def mark_seen(self, channel_id: str, user_id: str) -> None:
        """What a person has on screen is read (no version bump: nothing changed for others)."""
        with self.lock:
            shown = self.visible(channel_id, user_id)
            if shown:
                self.seen[(user_id, channel_id)] = shown[-1].ts

    def unread(self, channel_id: str, user_id: str) -> int:
        """Messages for ``user_id`` in a conversation they have not had on screen yet."""
        with self.lock:
            since = Decimal(self.seen.get((user_id, channel_id), "0"))
            return sum(
                1
                for m in self.visible(channel_id, user_id)
                if not m.system and m.user != user_id and Decimal(m.ts) > since
            )

    def react(self, channel_id: str, ts: str, user_id: str, reaction: str) -> bool | None:
        """Toggle a reaction; True when added, False when removed, None when no such message."""
        with self.changing():
            found = self.find(channel_id, ts)
            if found is None or found.visible_to is not None:
                return None
            users = found.reactions.setdefault(reaction, [])
            if user_id in users:
                users.remove(user_id)
                if not users:
                    del found.reactions[reaction]
                return False
            users.append(user_id)
            return True

    # -- interactions ------------------------------------------------------------------

    def issue_trigger(self, user_id: str) -> str:
        trigger = f"{int(time.time())}.{secrets.token_hex(8)}"
        with self.lock:
            self.triggers[trigger] = (user_id, time.monotonic())
        return trigger

    def take_trigger(self, trigger_id: str, max_age: float) -> str | None:
        """The trigger's user, once: Slack's trigger ids are single-use and short-lived."""
        with self.lock:
            found = self.triggers.pop(trigger_id, None)
        if found is None or time.monotonic() - found[1] > max_age:
            return None
        return found[0]

    def issue_response_url(self, base_url: str, user_id: str, channel_id: str, source_ts: str | None) -> str:
        token = secrets.token_urlsafe(18)
        with self.lock:
            self.responses[token] = ResponseTarget(user_id, channel_id, source_ts, time.monotonic())
        return f"{base_url}/response/{token}"

    # -- views -------------------------------------------------------------------------

    def stored_view(self, view: dict[str, Any], *, user_id: str, previous: dict[str, Any] | None) -> dict[str, Any]:
        stored = copy.deepcopy(view)
        stored["id"] = previous["id"] if previous else self.new_id("V")
        stored["hash"] = f"{int(time.time())}.{secrets.token_hex(6)}"
        stored["team_id"] = TEAM_ID
        stored["app_id"] = APP_ID
        stored["bot_id"] = BOT_ID
        stored.setdefault("private_metadata", "")
        stored.setdefault("callback_id", "")
        stored.setdefault("external_id", "")
        stored["state"] = {"values": {}}
        stored["root_view_id"] = previous.get("root_view_id", stored["id"]) if previous else stored["id"]
        stored["user_id"] = user_id
        return stored

    def modal_stack(self, user_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.views.get(user_id, []))

    def find_view(self, view_id: str) -> tuple[str, int, dict[str, Any]] | None:
        """(owner, position in the stack or -1 for a Home view, view) for a view id."""
        with self.lock:
            for user_id, stack in self.views.items():
                for i, view in enumerate(stack):
                    if view["id"] == view_id:
                        return user_id, i, view
            for user_id, home in self.homes.items():
                if home["id"] == view_id:
                    return user_id, -1, home
        return None

    def find_view_by_external_id(self, external_id: str) -> tuple[str, int, dict[str, Any]] | None:
        with self.lock:
            for user_id, stack in self.views.items():
                for i, view in enumerate(stack):
                    if external_id and view.get("external_id") == external_id:
                        return user_id, i, view
        return None

    def open_view(self, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
        with self.changing():
            stored = self.stored_view(view, user_id=user_id, previous=None)
            self.views[user_id] = [stored]
            return stored

    def push_view(self, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
        with self.changing():
            stack = self.views.setdefault(user_id, [])
            stored = self.stored_view(view, user_id=user_id, previous=None)
            if stack:
                stored["root_view_id"] = stack[0]["id"]
                stored["previous_view_id"] = stack[-1]["id"]
            stack.append(stored)
            return stored

    def update_view(self, view_id: str, view: dict[str, Any]) -> dict[str, Any] | None:
        with self.changing():
            found = self.find_view(view_id)
            if found is None:
                return None
            user_id, index, old = found
            stored = self.stored_view(view, user_id=user_id, previous=old)
            if index < 0:
                self.homes[user_id] = stored
            else:
                self.views[user_id][index] = stored
            return stored

    def close_views(self, user_id: str, *, view_id: str | None = None, all_views: bool = False) -> None:
        """Close the top modal (or ``view_id`` and everything above it), or every modal."""
        with self.changing():
            stack = self.views.get(user_id, [])
            if all_views or not stack:
                self.views.pop(user_id, None)
                return
            index = len(stack) - 1
            if view_id is not None:
                index = next((i for i, v in enumerate(stack) if v["id"] == view_id), index)
            del stack[index:]
            if not stack:
                self.views.pop(user_id, None)

    def publish_home(self, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
        with self.changing():
            stored = self.stored_view(view, user_id=user_id, previous=self.homes.get(user_id))
            self.homes[user_id] = stored
            return stored

    def reset(self) -> None:
        with self.changing():
            self.messages = {c.id: [] for c in CHANNELS}
            self.bot_member.clear()
            self.views.clear()
            self.homes.clear()
            self.triggers.clear()
            self.responses.clear()
            self.files.clear()
            self.seen.clear()
            # Reset sets the clock back: message timestamps follow it, not the old ones.
            self._last_ts = Decimal(0)
