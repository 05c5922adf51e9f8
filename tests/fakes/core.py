"""The fake Slack Web API's core: HTTP server, workspace model, recording, fault injection.

The Web API methods live in one mixin per API family (``api_*.py``); ``slack_api.FakeSlack``
puts them together. What follows is the original overview of the whole fake.

A fake Slack Web API server on loopback, for tests and benchmarks.

``FakeSlack`` serves the Slack Web API (``/api/<method>``), file upload URLs
(``/upload/<file_id>``) and ``response_url`` endpoints (``/response/<id>``) from a
``ThreadingHTTPServer`` bound to ``127.0.0.1`` on a free port.  It keeps a small,
configurable model of workspaces, users and channels, records every request as a
:class:`Call`, and can inject latency, errors, rate limits and hangs.

Typical use::

    with FakeSlack() as fake:
        fake.add_channel("C1", name="general")
        client = WebClient(token=DEFAULT_TOKEN, base_url=fake.api_url)
        client.chat_postMessage(channel="C1", text="hi")
        (call,) = fake.wait_for("chat.postMessage", channel="C1")
        assert fake.history("C1")[0]["text"] == "hi"

Only the standard library is used.  All public methods are thread-safe.
"""

from __future__ import annotations

import copy
import json
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, cast
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

# ---------------------------------------------------------------------------
# Defaults
# ---------------------------------------------------------------------------

DEFAULT_TEAM_ID = "T1"
DEFAULT_TOKEN = "xoxb-test"
DEFAULT_BOT_USER_ID = "UBOT"
DEFAULT_BOT_ID = "B1"
DEFAULT_TEAM_NAME = "Team 1"

#: Seconds part of the first generated message ``ts`` (2026-01-01T00:00:00Z).
DEFAULT_TS_BASE = 1767225600
#: Microseconds between two generated ``ts`` values.
_TS_STEP_US = 100

#: API methods answered without a token.
_NO_AUTH_METHODS = frozenset({"api.test", "oauth.access", "oauth.v2.access", "oauth.v2.exchange"})

#: Long names for the usual ``tzname()`` abbreviations (Slack's ``tz_label``).
_TZ_LABELS = {
    "UTC": "Coordinated Universal Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "AKST": "Alaska Standard Time",
    "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time",
    "JST": "Japan Standard Time",
    "IST": "India Standard Time",
}

# ---------------------------------------------------------------------------
# Public data model
# ---------------------------------------------------------------------------


@dataclass
class Call:
    """One HTTP request received by the fake, with the answer it got.

    ``method`` is the API method (``"chat.postMessage"``), ``"upload"`` for file
    upload URLs, ``"response_url"`` for response URLs, or the raw path for
    anything else.  ``params`` merges the query string with the form-encoded,
    multipart or JSON body; values are kept as sent (form values are strings,
    JSON values keep their JSON types).  ``response`` is the JSON answer; for
    plain-text answers (uploads, response URLs) it is ``{"ok": bool, "text": str}``.
    """

    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, Any]
    body: bytes
    token: str | None
    team_id: str | None
    at: float
    status: int
    response: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when the answer was HTTP 2xx with ``"ok": true``."""
        return 200 <= self.status < 300 and bool(self.response.get("ok"))

    def get(self, name: str, default: Any = None) -> Any:
        """A parameter as sent, or ``default``."""
        return self.params.get(name, default)

    def json(self, name: str, default: Any = None) -> Any:
        """A parameter parsed from JSON (``blocks``, ``metadata``, ``view``...).

        Form requests carry these as JSON strings, JSON requests as objects;
        either way the parsed value is returned (``default`` if absent).
        """
        if name not in self.params:
            return default
        return _maybe_json(self.params[name])

    def matches(self, **filters: Any) -> bool:
        """Whether every filter matches the params (see ``FakeSlack.calls_to``)."""
        return _params_match(self.params, filters)


@dataclass
class Workspace:
    """A workspace (team) and its bot installation."""

    team_id: str
    token: str
    bot_user_id: str
    bot_id: str
    team_name: str
    enterprise_id: str | None = None
    # Granted bot scopes, sent as the x-oauth-scopes header like Slack does; None = no header.
    scopes: list[str] | None = None

    @property
    def domain(self) -> str:
        slug = "".join(c for c in self.team_name.lower() if c.isalnum())
        return slug or self.team_id.lower()

    @property
    def url(self) -> str:
        return f"https://{self.domain}.slack.com/"


@dataclass
class User:
    """A user of a workspace (bots included)."""

    id: str
    team_id: str
    name: str
    real_name: str
    display_name: str
    tz: str = "America/New_York"
    tz_label: str | None = None
    tz_offset: int | None = None
    email: str | None = None
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    deleted: bool = False
    # The Slack status, served in ``profile`` by users.info and users.profile.get.
    status_emoji: str = ""
    status_text: str = ""
    status_expiration: int = 0

    def to_api(self) -> dict[str, Any]:
        """The ``user`` object as ``users.info`` returns it."""
        label, offset = _tz_info(self.tz)
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "status_emoji": self.status_emoji,
            "status_text": self.status_text,
            "status_expiration": self.status_expiration,
        }
        if self.email is not None:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": self.real_name,
            "profile": profile,
            "tz": self.tz,
            "tz_label": self.tz_label if self.tz_label is not None else label,
            "tz_offset": self.tz_offset if self.tz_offset is not None else offset,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "deleted": self.deleted,
        }


@dataclass
class Channel:
    """A conversation: public/private channel, DM (``is_im``) or group DM."""

    id: str
    team_id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    bot_is_member: bool = True
    is_im: bool = False
    is_mpim: bool = False
    user: str | None = None
    members: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)
    created: int = DEFAULT_TS_BASE

    def to_api(self) -> dict[str, Any]:
        """The ``channel`` object as ``conversations.info`` returns it."""
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "is_channel": not (self.is_im or self.is_mpim or self.is_private),
            "is_group": self.is_private and not (self.is_im or self.is_mpim),
            "is_im": self.is_im,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private or self.is_im or self.is_mpim,
            "is_archived": self.is_archived,
            "is_member": self.bot_is_member,
            "created": self.created,
            "context_team_id": self.team_id,
        }
        if self.user is not None:
            data["user"] = self.user
        return data


# ---------------------------------------------------------------------------
# Internal helpers
# ---------------------------------------------------------------------------


class _ApiError(Exception):
    """Raised by method handlers to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class _Reply:
    status: int
    payload: dict[str, Any]
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _FailRule:
    method: str
    error: str
    status: int
    remaining: int | None
    when: dict[str, Any]
    retry_after: int | None = None


@dataclass
class _HangRule:
    method: str
    seconds: float
    remaining: int | None
    when: dict[str, Any]


@dataclass
class _HoldRule:
    method: str
    when: dict[str, Any]
    released: threading.Event = field(default_factory=threading.Event)
    waiting: int = 0


class Hold:
    """Calls held by ``FakeSlack.hold`` until ``release()`` (or the fake stops)."""

    def __init__(self, fake: Any, rule: _HoldRule) -> None:
        self._fake = fake
        self._rule = rule

    @property
    def waiting(self) -> int:
        """How many calls are being held right now."""
        with self._fake._lock:
            return self._rule.waiting

    def wait_held(self, count: int = 1, timeout: float = 10.0) -> None:
        """Block until at least ``count`` calls are being held (AssertionError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._fake._changed:
            while self._rule.waiting < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{self._rule.method}: {self._rule.waiting} held, expected {count}")
                self._fake._changed.wait(remaining)

    def release(self) -> None:
        """Let held calls (and later ones) through, and stop holding."""
        with self._fake._lock:
            if self._rule in self._fake._hold_rules:
                self._fake._hold_rules.remove(self._rule)
        self._rule.released.set()


@dataclass
class _RateLimit:
    per_second: float
    window: float = 1.0
    hits: dict[str, deque[float]] = field(default_factory=dict)


@dataclass
class _FileRecord:
    id: str
    team_id: str
    name: str
    length: int
    title: str | None = None
    data: bytes | None = None
    completed: bool = False
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title if self.title is not None else self.name,
            "size": len(self.data) if self.data is not None else self.length,
        }


_Handler = Callable[[Workspace, dict[str, Any]], dict[str, Any]]


def _maybe_json(value: Any) -> Any:
    """Parse a JSON string; leave anything else (or invalid JSON) as it is."""
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _as_int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _ApiError("invalid_arguments") from None


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


_MISSING = object()


def _param_matches(actual: Any, expected: Any) -> bool:
    if callable(expected):
        return actual is not _MISSING and bool(expected(actual))
    if actual is _MISSING:
        return expected is None
    if actual == expected:
        return True
    if isinstance(expected, dict | list) and isinstance(actual, str | bytes):
        return bool(_maybe_json(actual) == expected)
    return _scalar_text(actual) == _scalar_text(expected)


def _params_match(params: Mapping[str, Any], filters: Mapping[str, Any]) -> bool:
    """Equality filters; a callable filter is used as a predicate.

    Strings and JSON scalars compare by text (``"true" == True``, ``"5" == 5``),
    and a JSON string param equals the list/dict it encodes.
    """
    return all(_param_matches(params.get(name, _MISSING), expected) for name, expected in filters.items())


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _split_header(value: str) -> tuple[str, dict[str, str]]:
    """``'multipart/form-data; boundary="x"'`` -> ``("multipart/form-data", {...})``."""
    main, *rest = value.split(";")
    params: dict[str, str] = {}
    for item in rest:
        key, sep, val = item.strip().partition("=")
        if sep:
            params[key.strip().lower()] = val.strip().strip('"')
    return main.strip().lower(), params


@dataclass
class _Part:
    name: str
    filename: str | None
    data: bytes


def _parse_multipart(content_type: str, body: bytes) -> list[_Part]:
    _, ct_params = _split_header(content_type)
    boundary = ct_params.get("boundary")
    if not boundary:
        return []
    parts: list[_Part] = []
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        if data.endswith(b"\r\n"):
            data = data[:-2]
        disposition = ""
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, val = line.partition(":")
            if key.strip().lower() == "content-disposition":
                disposition = val
        _, d_params = _split_header(disposition or "form-data")
        parts.append(_Part(d_params.get("name", ""), d_params.get("filename"), data))
    return parts


def _parse_body(headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """Params from a JSON, multipart or form-encoded body."""
    if not body:
        return {}
    content_type = _header(headers, "Content-Type") or ""
    kind, _ = _split_header(content_type)
    if kind == "multipart/form-data":
        params: dict[str, Any] = {}
        for part in _parse_multipart(content_type, body):
            if part.filename is None:
                params[part.name] = part.data.decode("utf-8", "replace")
            else:
                params[part.name] = part.data
        return params
    text = body.decode("utf-8", "replace")
    if kind == "application/json" or (not kind and text.lstrip().startswith("{")):
        try:
            parsed = json.loads(text)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return dict(parse_qsl(text, keep_blank_values=True))


def _ts_value(ts: Any, error: str) -> Decimal:
    try:
        return Decimal(str(ts))
    except InvalidOperation:
        raise _ApiError(error) from None


def _tz_info(tz: str) -> tuple[str, int]:
    """(``tz_label``, ``tz_offset`` seconds) for an IANA zone, right now."""
    try:
        now = datetime.now(ZoneInfo(tz))
    except (KeyError, ValueError):
        return tz, 0
    abbreviation = now.tzname() or tz
    offset = now.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    return _TZ_LABELS.get(abbreviation, abbreviation), seconds


def _suffix(team_id: str) -> str:
    return team_id[1:] if team_id[:1] in {"T", "E"} and len(team_id) > 1 else team_id


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), default=repr).encode("utf-8")


# ---------------------------------------------------------------------------
# The fake
# ---------------------------------------------------------------------------


class FakeSlackCore:
    """The server, the workspace model, recording and fault injection; the API families are mixins.

    A default workspace (``T1``, token ``xoxb-test``, bot user ``UBOT``, bot id
    ``B1``) is registered unless ``default_workspace=False``.
    """

    def __init__(
        self,
        latency: float = 0.0,
        *,
        default_workspace: bool = True,
        ts_base: int = DEFAULT_TS_BASE,
        host: str = "127.0.0.1",
    ) -> None:
        self._host = host
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

        # Workspace model.
        self._workspaces: dict[str, Workspace] = {}
        self._tokens: dict[str, str] = {}
        self._revoked: set[str] = set()
        self._users: dict[str, User] = {}
        self._channels: dict[str, Channel] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[tuple[str, str], str] = {}
        self._files: dict[str, _FileRecord] = {}

        # Recording and id generation.
        self._calls: list[Call] = []
        self._ts_base = ts_base
        self._ts_counter = 0
        self._id_counter = 0

        # Fault injection.
        self._latency = float(latency)
        self._fail_rules: list[_FailRule] = []
        self._hang_rules: list[_HangRule] = []
        self._hold_rules: list[_HoldRule] = []
        self._rate_limits: dict[str, _RateLimit] = {}

        self._oauth_codes: dict[str, dict[str, Any]] = {}

        self._refresh_tokens: dict[str, str] = {}

        self._token_serial = 0

        # Each API family (a mixin in tests/fakes/api_*.py) names the methods it answers.
        self._methods: dict[str, _Handler] = {
            api: getattr(self, handler)
            for klass in reversed(type(self).__mro__)
            for api, handler in vars(klass).get("API_METHODS", {}).items()
        }

        if default_workspace:
            self.add_workspace(
                team_id=DEFAULT_TEAM_ID,
                token=DEFAULT_TOKEN,
                bot_user_id=DEFAULT_BOT_USER_ID,
                bot_id=DEFAULT_BOT_ID,
                team_name=DEFAULT_TEAM_NAME,
            )

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> Self:
        """Bind a free loopback port and serve from a daemon thread."""
        with self._lock:
            if self._server is not None:
                raise RuntimeError("FakeSlack is already started")
            self._stopping.clear()
            server = _Server((self._host, 0), _RequestHandler)
            server.fake = self
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"FakeSlack:{server.server_address[1]}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; sleeping handlers are woken."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server, self._thread = None, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        if self._server is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        server = self._server
        if server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/``."""
        return f"http://{self._host}:{self.port}/"

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:PORT/api/`` -- pass as ``WebClient(base_url=...)``."""
        return f"{self.base_url}api/"

    # -- workspace model -----------------------------------------------------

    def add_workspace(
        self,
        team_id: str = "T1",
        token: str | None = None,
        bot_user_id: str | None = None,
        bot_id: str | None = None,
        enterprise_id: str | None = None,
        team_name: str | None = None,
    ) -> Workspace:
        """Register (or redefine) a workspace with its bot token and bot user.

        Defaults derive from the team id: ``T1`` -> token ``xoxb-1``, bot user
        ``UBOT1``, bot id ``B1``, name ``Team 1``.  The bot user is added as an
        ``is_bot`` user.
        """
        n = _suffix(team_id)
        ws = Workspace(
            team_id=team_id,
            token=token if token is not None else f"xoxb-{n}",
            bot_user_id=bot_user_id if bot_user_id is not None else f"UBOT{n}",
            bot_id=bot_id if bot_id is not None else f"B{n}",
            team_name=team_name if team_name is not None else f"Team {n}",
            enterprise_id=enterprise_id,
        )
        with self._lock:
            self._workspaces[team_id] = ws
            self._tokens[ws.token] = team_id
            self._revoked.discard(ws.token)
            self.add_user(ws.bot_user_id, team_id=team_id, name="bot", real_name="Bot", is_bot=True)
        return ws

    def grant_oauth_code(
        self, code: str, team_id: str, *, installer: str = "U1", scopes: list[str] | None = None, rotating: bool = False
    ) -> None:
        """Make ``oauth.v2.access(code=code)`` install the bot into ``team_id``.

        With ``rotating`` the answer carries a refresh token and an expiry, as with token
        rotation enabled; ``oauth.v2.access(grant_type=refresh_token)`` then issues new tokens.
        """
        with self._lock:
            self._oauth_codes[code] = {
                "team_id": team_id,
                "installer": installer,
                "scopes": scopes,
                "rotating": rotating,
            }

    def add_token(self, token: str, team_id: str = DEFAULT_TEAM_ID) -> None:
        """Accept one more token (e.g. a user token) for a workspace."""
        with self._lock:
            if team_id not in self._workspaces:
                raise KeyError(f"unknown workspace {team_id}")
            self._tokens[token] = team_id
            self._revoked.discard(token)

    def revoke(self, token: str) -> None:
        """Make calls with ``token`` fail with ``token_revoked``."""
        with self._lock:
            self._revoked.add(token)

    def workspace(self, team_id: str = DEFAULT_TEAM_ID) -> Workspace:
        with self._lock:
            return self._workspaces[team_id]

    def add_user(
        self,
        id: str,
        *,
        team_id: str = DEFAULT_TEAM_ID,
        name: str | None = None,
        real_name: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
        tz: str = "America/New_York",
        tz_label: str | None = None,
        tz_offset: int | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
    ) -> User:
        """Add or replace a user.  ``tz_offset``/``tz_label`` default to the
        current values for ``tz`` (computed at request time, so DST-correct)."""
        user_name = name if name is not None else id.lower()
        user = User(
            id=id,
            team_id=team_id,
            name=user_name,
            real_name=real_name if real_name is not None else user_name,
            display_name=display_name if display_name is not None else user_name,
            tz=tz,
            tz_label=tz_label,
            tz_offset=tz_offset,
            email=email,
            is_admin=is_admin,
            is_owner=is_owner,
            is_bot=is_bot,
            deleted=deleted,
        )
        with self._lock:
            self._users[id] = user
        return user

    def user(self, user_id: str) -> User:
        """The live ``User`` object (mutate only between requests)."""
        with self._lock:
            return self._users[user_id]

    def set_status(self, user_id: str, emoji: str = "", text: str = "", expiration: int = 0) -> None:
        """Set a user's Slack status, as they would in the client (``""`` clears it)."""
        with self._lock:
            user = self._users[user_id]
            user.status_emoji, user.status_text, user.status_expiration = emoji, text, expiration

    def add_channel(
        self,
        id: str,
        *,
        team_id: str = DEFAULT_TEAM_ID,
        name: str | None = None,
        is_private: bool = False,
        is_archived: bool = False,
        bot_is_member: bool = True,
        members: tuple[str, ...] | list[str] = (),
    ) -> Channel:
        """Add a channel, or update an existing one's flags (history is kept)."""
        with self._lock:
            ws = self._workspaces.get(team_id)
            channel = self._channels.get(id)
            if channel is None:
                channel = Channel(id=id, team_id=team_id, name=name or id.lower())
                self._channels[id] = channel
            elif name is not None:
                channel.name = name
            channel.team_id = team_id
            channel.is_private = is_private
            channel.is_archived = is_archived
            channel.members.update(members)
            if ws is not None:
                self._set_bot_member(channel, ws, bot_is_member)
            else:
                channel.bot_is_member = bot_is_member
            return channel

    def channel(self, channel_id: str) -> Channel:
        """The live ``Channel`` object (mutate only between requests)."""
        with self._lock:
            return self._channels[channel_id]

    def add_message(
        self,
        channel_id: str,
        text: str = "",
        *,
        user: str | None = None,
        ts: str | None = None,
        **fields: Any,
    ) -> str:
        """Seed a message into a channel's history (e.g. one from a human user).

        ``fields`` are merged into the stored message (``thread_ts``, ``blocks``,
        ``metadata``, ``subtype``...).  Returns the message ``ts``.
        """
        with self._lock:
            channel = self._channels[channel_id]
            message: dict[str, Any] = {
                "type": "message",
                "text": text,
                "ts": ts if ts is not None else self._next_ts(),
            }
            if user is not None:
                message["user"] = user
            message.update(fields)
            self._store_message(channel, message)
            return str(message["ts"])

    def history(self, channel_id: str) -> list[dict[str, Any]]:
        """Copies of all messages stored in a channel (replies too), oldest first."""
        with self._lock:
            channel = self._channels.get(channel_id)
            return copy.deepcopy(channel.messages) if channel is not None else []

    def view(self, view_id: str) -> dict[str, Any]:
        """The latest state of a view opened/pushed/updated/published."""
        with self._lock:
            return copy.deepcopy(self._views[view_id])

    # -- recording -----------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """All recorded calls, oldest first (a copy of the list)."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str, **filters: Any) -> list[Call]:
        """Recorded calls of ``method`` whose params match ``filters``.

        Filters compare by equality, leniently across form/JSON encodings
        (``channel="C1"``, ``include_all_metadata=True`` matches ``"true"``);
        a callable filter is a predicate on the param value.
        """
        with self._lock:
            return [c for c in self._calls if c.method == method and c.matches(**filters)]

    def clear(self) -> None:
        """Forget recorded calls (state such as messages and uploads is kept)."""
        with self._lock:
            self._calls.clear()

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        **filters: Any,
    ) -> list[Call]:
        """Block until at least ``count`` matching calls were recorded.

        Returns all matching calls; raises ``AssertionError`` (listing the
        methods seen) after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                matching = [c for c in self._calls if c.method == method and c.matches(**filters)]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = Counter(c.method for c in self._calls)
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {count} call(s) to "
                        f"{method} matching {filters or {}}: {len(matching)} matched; "
                        f"methods seen: {dict(seen) or 'none'}"
                    )
                self._changed.wait(remaining)

    def posts(self, channel: str | None = None) -> list[Call]:
        """Successful ``chat.postMessage`` calls, optionally to one channel
        (matched against the requested or the resolved channel id)."""
        with self._lock:
            return [
                c
                for c in self._calls
                if c.method == "chat.postMessage"
                and c.ok
                and (channel is None or c.params.get("channel") == channel or c.response.get("channel") == channel)
            ]

    def response_url(self) -> str:
        """A fresh ``response_url`` served by this fake."""
        with self._lock:
            return f"{self.base_url}response/{self._next_id('R')}"

    def responses(self, url: str | None = None) -> list[Any]:
        """Parsed JSON bodies POSTed to response URLs (optionally to one URL)."""
        path = urlsplit(url).path if url is not None else None
        with self._lock:
            return [c.params for c in self._calls if c.method == "response_url" and (path is None or c.path == path)]

    @property
    def uploads(self) -> dict[str, bytes]:
        """Bytes uploaded so far, by file id."""
        with self._lock:
            return {f.id: f.data for f in self._files.values() if f.data is not None}

    def uploaded(self, file_id: str) -> bytes:
        """Bytes uploaded for ``file_id`` (``KeyError`` if none)."""
        with self._lock:
            record = self._files.get(file_id)
            if record is None or record.data is None:
                raise KeyError(f"no upload for {file_id}")
            return record.data

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        """File metadata by id: name, title, length, completed, channels..."""
        with self._lock:
            return {
                f.id: {
                    **f.to_api(),
                    "length": f.length,
                    "uploaded": f.data is not None,
                    "completed": f.completed,
                    "channels": list(f.channels),
                    "initial_comment": f.initial_comment,
                    "thread_ts": f.thread_ts,
                }
                for f in self._files.values()
            }

    # -- fault injection -------------------------------------------------------

    @property
    def latency(self) -> float:
        """Seconds slept before answering every request (settable at runtime)."""
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        with self._lock:
            self._latency = float(seconds)

    def fail(
        self,
        method: str,
        error: str,
        *,
        times: int | None = None,
        status: int = 200,
        when: Mapping[str, Any] | None = None,
    ) -> None:
        """Answer ``{"ok": false, "error": error}`` with HTTP ``status`` to the
        next ``times`` calls (``None``: forever) of ``method`` (``"*"``: any)
        whose params match ``when``.  Status 429 also sends ``Retry-After: 1``.
        For upload/response URLs the body is the error as plain text."""
        with self._lock:
            self._fail_rules.append(_FailRule(method, error, status, times, dict(when or {})))

    def ratelimit_next(
        self,
        method: str,
        retry_after: int = 1,
        times: int = 1,
        *,
        when: Mapping[str, Any] | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 429,
        ``Retry-After: retry_after`` and ``{"ok": false, "error": "ratelimited"}``."""
        with self._lock:
            self._fail_rules.append(_FailRule(method, "ratelimited", 429, times, dict(when or {}), retry_after))

    def rate_limit(self, method: str = "chat.postMessage", per_second: float | None = 50) -> None:
        """Allow at most ``per_second`` calls of ``method`` per workspace in any
        one-second window; calls over it get HTTP 429 / ``ratelimited`` with
        ``Retry-After: 1``.  ``per_second=None`` removes the limit."""
        with self._lock:
            if per_second is None:
                self._rate_limits.pop(method, None)
            else:
                self._rate_limits[method] = _RateLimit(per_second=per_second)

    def hang(
        self,
        method: str,
        seconds: float,
        *,
        times: int | None = None,
        when: Mapping[str, Any] | None = None,
    ) -> None:
        """Sleep ``seconds`` before answering calls of ``method`` (``"*"``: any);
        for client-timeout tests.  ``stop()`` wakes sleeping handlers."""
        with self._lock:
            self._hang_rules.append(_HangRule(method, seconds, times, dict(when or {})))

    def hold(self, method: str, *, when: Mapping[str, Any] | None = None) -> Hold:
        """Hold every call of ``method`` (``"*"``: any API method; response URLs and uploads
        are never held) whose params match ``when`` until the returned ``Hold`` is released:
        a Slack that has not answered yet, for as long as the test wants, with no timing."""
        rule = _HoldRule(method, dict(when or {}))
        with self._lock:
            self._hold_rules.append(rule)
        return Hold(self, rule)

    def _wait_if_held(self, kind: str, method: str, params: Mapping[str, Any]) -> None:
        with self._changed:
            rule = next(
                (
                    r
                    for r in self._hold_rules
                    if kind == "api" and r.method in (method, "*") and _params_match(params, r.when)
                ),
                None,
            )
            if rule is None:
                return
            rule.waiting += 1
            self._changed.notify_all()
        while not rule.released.wait(0.05) and not self._stopping.is_set():
            pass
        with self._changed:
            rule.waiting -= 1
            self._changed.notify_all()

    def clear_failures(self) -> None:
        """Remove all fail, ratelimit_next, rate_limit and hang rules
        (``latency`` is kept)."""
        with self._lock:
            self._fail_rules.clear()
            self._hang_rules.clear()
            self._rate_limits.clear()
            held, self._hold_rules = self._hold_rules, []
        for rule in held:
            rule.released.set()

    # -- request processing ------------------------------------------------------

    def _handle_http(self, raw_path: str, headers: dict[str, str], body: bytes) -> _Reply:
        """Answer one HTTP request and record it (called from handler threads)."""
        received = time.monotonic()
        parts = urlsplit(raw_path)
        path = parts.path
        params: dict[str, Any] = dict(parse_qsl(parts.query, keep_blank_values=True))
        if path.startswith("/api/"):
            kind, method = "api", path[len("/api/") :]
            params.update(_parse_body(headers, body))
        elif path.startswith("/upload/"):
            kind, method = "upload", "upload"
            params["file_id"] = path[len("/upload/") :]
        elif path.startswith("/response/"):
            kind, method = "response_url", "response_url"
            parsed = _maybe_json(body.decode("utf-8", "replace")) if body else {}
            params = parsed if isinstance(parsed, dict) else {"_body": parsed}
        else:
            kind, method = "other", path

        token = self._token_of(headers, params) if kind == "api" else None
        self._wait_if_held(kind, method, params)
        self._sleep_before_answer(method, params)

        with self._lock:
            team_id = self._tokens.get(token) if token is not None else None
            try:
                reply = self._injected_fault(kind, method, params, team_id or token)
                if reply is None:
                    reply = self._answer(kind, method, params, body, headers, token)
            except Exception as exc:  # a bug in the fake: answer, don't hang up
                reply = _json_reply(500, {"ok": False, "error": "fake_internal_error", "detail": repr(exc)})
            self._calls.append(
                Call(
                    method=method,
                    path=path,
                    headers=dict(headers),
                    params=params,
                    body=body,
                    token=token,
                    team_id=team_id,
                    at=received,
                    status=reply.status,
                    response=reply.payload,
                )
            )
            self._changed.notify_all()
        return reply

    @staticmethod
    def _token_of(headers: Mapping[str, str], params: Mapping[str, Any]) -> str | None:
        auth = _header(headers, "Authorization")
        if auth:
            scheme, _, value = auth.strip().partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                return value.strip()
        token = params.get("token")
        return token if isinstance(token, str) and token else None

    def _sleep_before_answer(self, method: str, params: Mapping[str, Any]) -> None:
        with self._lock:
            delay = self._latency
            for rule in self._hang_rules:
                if rule.method not in (method, "*") or rule.remaining == 0:
                    continue
                if not _params_match(params, rule.when):
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                delay += rule.seconds
                break
        if delay > 0:
            self._stopping.wait(delay)

    def _injected_fault(self, kind: str, method: str, params: Mapping[str, Any], bucket: str | None) -> _Reply | None:
        for rule in self._fail_rules:
            if rule.method not in (method, "*") or rule.remaining == 0:
                continue
            if not _params_match(params, rule.when):
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
            headers: dict[str, str] = {}
            if rule.status == 429 or rule.retry_after is not None:
                retry_after = rule.retry_after if rule.retry_after is not None else 1
                headers["Retry-After"] = str(retry_after)
            if kind in ("upload", "response_url", "other"):
                return _text_reply(rule.status, rule.error, headers)
            return _json_reply(rule.status, {"ok": False, "error": rule.error}, headers)
        limit = self._rate_limits.get(method)
        if limit is not None:
            now = time.monotonic()
            hits = limit.hits.setdefault(bucket or "", deque())
            while hits and hits[0] <= now - limit.window:
                hits.popleft()
            if len(hits) >= limit.per_second:
                return _json_reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
            hits.append(now)
        return None

    def _answer(
        self,
        kind: str,
        method: str,
        params: dict[str, Any],
        body: bytes,
        headers: Mapping[str, str],
        token: str | None,
    ) -> _Reply:
        if kind == "upload":
            return self._receive_upload(str(params["file_id"]), headers, body, params)
        if kind == "response_url":
            return _text_reply(200, "ok")
        if kind == "other":
            return _text_reply(404, "not_found")

        ws: Workspace | None = None
        if method not in _NO_AUTH_METHODS:
            if token is None:
                return _json_reply(200, {"ok": False, "error": "not_authed"})
            team_id = self._tokens.get(token)
            if team_id is None:
                return _json_reply(200, {"ok": False, "error": "invalid_auth"})
            if token in self._revoked:
                return _json_reply(200, {"ok": False, "error": "token_revoked"})
            ws = self._workspaces.get(team_id)
            if ws is None:
                return _json_reply(200, {"ok": False, "error": "account_inactive"})
        handler = self._methods.get(method)
        if handler is None:
            return _json_reply(200, {"ok": True})
        scope_header = {"x-oauth-scopes": ",".join(ws.scopes)} if ws is not None and ws.scopes is not None else None
        try:
            payload = handler(ws if ws is not None else self._anonymous(), params)
        except _ApiError as err:
            return _json_reply(200, {"ok": False, "error": err.error, **err.extra}, scope_header)
        return _json_reply(200, payload, scope_header)

    def _anonymous(self) -> Workspace:
        return Workspace("", "", "", "", "")

    # -- ids and state helpers (caller holds the lock) -------------------------------

    def _next_ts(self) -> str:
        self._ts_counter += 1
        micros = self._ts_base * 1_000_000 + self._ts_counter * _TS_STEP_US
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        self._id_counter += 1
        return f"{prefix}{self._id_counter:09d}"

    def _same_org(self, ws: Workspace, team_id: str) -> bool:
        if team_id == ws.team_id:
            return True
        other = self._workspaces.get(team_id)
        return ws.enterprise_id is not None and other is not None and other.enterprise_id == ws.enterprise_id

    def _set_bot_member(self, channel: Channel, ws: Workspace, member: bool) -> None:
        channel.bot_is_member = member
        if member:
            channel.members.add(ws.bot_user_id)
        else:
            channel.members.discard(ws.bot_user_id)

    def _visible_user(self, ws: Workspace, user_id: Any) -> User:
        user = self._users.get(str(user_id)) if user_id else None
        if user is None or not self._same_org(ws, user.team_id):
            raise _ApiError("user_not_found")
        return user

    def _dm_with(self, ws: Workspace, user: User) -> Channel:
        dm_id = f"D{user.id}"
        channel = self._channels.get(dm_id)
        if channel is None:
            channel = Channel(
                id=dm_id,
                team_id=ws.team_id,
                name=user.id,
                is_im=True,
                user=user.id,
                members={user.id, ws.bot_user_id},
            )
            self._channels[dm_id] = channel
        return channel

    def _conversation(self, ws: Workspace, channel_id: Any) -> Channel:
        """Look up a conversation visible to ``ws``; user ids open the DM."""
        ref = str(channel_id or "")
        if ref[:1] in {"U", "W"}:
            try:
                return self._dm_with(ws, self._visible_user(ws, ref))
            except _ApiError:
                raise _ApiError("channel_not_found") from None
        channel = self._channels.get(ref)
        if channel is None and ref.startswith("D") and ref[1:] in self._users:
            user = self._users[ref[1:]]
            if self._same_org(ws, user.team_id):
                channel = self._dm_with(ws, user)
        if channel is None or not self._same_org(ws, channel.team_id):
            raise _ApiError("channel_not_found")
        return channel

    def _postable(self, ws: Workspace, channel_id: Any) -> Channel:
        channel = self._conversation(ws, channel_id)
        if channel.is_archived:
            raise _ApiError("is_archived")
        if not channel.bot_is_member:
            raise _ApiError("not_in_channel")
        return channel

    def _readable(self, ws: Workspace, channel_id: Any) -> Channel:
        channel = self._conversation(ws, channel_id)
        if not channel.bot_is_member:
            if channel.is_private:
                raise _ApiError("channel_not_found")
            raise _ApiError("not_in_channel")
        return channel

    def _store_message(self, channel: Channel, message: dict[str, Any]) -> None:
        key = Decimal(str(message["ts"]))
        index = len(channel.messages)
        while index > 0 and Decimal(str(channel.messages[index - 1]["ts"])) > key:
            index -= 1
        channel.messages.insert(index, message)
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            parent = self._find_message(channel, thread_ts)
            if parent is not None:
                parent["thread_ts"] = parent["ts"]
                parent["reply_count"] = int(parent.get("reply_count", 0)) + 1
                parent["latest_reply"] = message["ts"]

    @staticmethod
    def _find_message(channel: Channel, ts: Any) -> dict[str, Any] | None:
        for message in channel.messages:
            if message["ts"] == ts:
                return message
        return None

    def _bot_message(self, ws: Workspace, params: Mapping[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "text": params.get("text") or "",
            "user": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "team": ws.team_id,
            "ts": self._next_ts(),
        }
        for name in ("blocks", "attachments", "metadata"):
            if params.get(name):
                message[name] = _maybe_json(params[name])
        if params.get("thread_ts"):
            message["thread_ts"] = str(params["thread_ts"])
            if _truthy(params.get("reply_broadcast")):
                message["subtype"] = "thread_broadcast"
        return message

    # -- API methods: auth ---------------------------------------------------------

    def _receive_upload(
        self,
        file_id: str,
        headers: Mapping[str, str],
        body: bytes,
        params: dict[str, Any],
    ) -> _Reply:
        record = self._files.get(file_id)
        if record is None:
            return _text_reply(404, "file_not_found")
        data = body
        content_type = _header(headers, "Content-Type") or ""
        if _split_header(content_type)[0] == "multipart/form-data":
            parts = _parse_multipart(content_type, body)
            file_parts = [p for p in parts if p.name == "file"] or [p for p in parts if p.filename is not None]
            for part in parts:
                if part.filename is None and part.name:
                    params.setdefault(part.name, part.data.decode("utf-8", "replace"))
            if not file_parts:
                return _text_reply(400, "no_file_data")
            data = file_parts[0].data
        record.data = data
        return _text_reply(200, f"OK - {len(data)}")


def _json_reply(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> _Reply:
    body = _encode(payload)
    # Round-trip so the recorded response is detached from the fake's state.
    return _Reply(status, json.loads(body), body, "application/json; charset=utf-8", headers or {})


def _text_reply(status: int, text: str, headers: dict[str, str] | None = None) -> _Reply:
    return _Reply(
        status,
        {"ok": 200 <= status < 300, "text": text},
        text.encode("utf-8"),
        "text/plain; charset=utf-8",
        headers or {},
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True
    fake: FakeSlackCore

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or hang up mid-answer are expected in tests.
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeSlack/1.0"
    #: Idle keep-alive connections are closed after this many seconds.
    timeout = 60

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _read_body(self) -> bytes:
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            return b"".join(self._read_chunks())
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunks(self) -> Iterator[bytes]:
        while True:
            size_line = self.rfile.readline(65537)
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return
            yield self.rfile.read(size)
            self.rfile.readline(65537)

    def _serve(self) -> None:
        body = self._read_body()
        fake = cast(_Server, self.server).fake
        reply = fake._handle_http(self.path, dict(self.headers.items()), body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""
