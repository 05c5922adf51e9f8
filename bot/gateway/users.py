"""users.info, cached briefly: roles, time zones and statuses are needed on many requests."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.notes import person_error_text
from bot.errors import NotFound, UserError
from bot.gateway.calls import waiting_on_slack
from bot.services.schedules import canonical_zone
from bot.services.text import compact

log = logging.getLogger(__name__)

CACHE_SECONDS = 300.0
# users.list is rate-limited (Tier 2) and a big workspace takes many pages: the member
# list is kept longer, refreshed in the background, and waited for at most NAMES_WAIT
# seconds on a request path (a slash command has 3 seconds to answer).
NAMES_SECONDS = 600.0
NAMES_WAIT = 1.5
NAMES_PAGE = 200
NAMES_MAX_PAGES = 500
# Statuses (is someone away?) are read by the delivery engine when a DM is due, and kept this
# long on the engine's own clock, so ``run-due --at`` at another instant reads them afresh.
STATUS_SECONDS = 300.0


@dataclass(frozen=True)
class SlackUser:
    id: str
    team_id: str
    name: str
    real_name: str
    tz: str | None
    is_admin: bool
    is_owner: bool
    is_bot: bool
    deleted: bool
    display_name: str = ""
    # The Slack status (``profile.status_*``): an emoji like ":palm_tree:", text, and the Unix
    # time it clears at (0: never).
    status_emoji: str = ""
    status_text: str = ""
    status_expiration: int = 0

    @property
    def display(self) -> str:
        return self.real_name or self.name or self.id


@dataclass(frozen=True)
class Member:
    """A workspace member as users.list names them: every name a quote could use."""

    id: str
    name: str
    real_name: str
    display_name: str

    @property
    def label(self) -> str:
        return self.real_name or self.display_name or self.name or self.id


NameIndex = dict[str, tuple[Member, ...]]


class UserDirectory:
    """Looks users up with users.info and keeps each answer for a few minutes; finds
    members by name from users.list, kept for ten minutes and refreshed in the background."""

    def __init__(self, ttl: float = CACHE_SECONDS, names_ttl: float = NAMES_SECONDS) -> None:
        self.ttl = ttl
        self.names_ttl = names_ttl
        self._cache: dict[tuple[str, str], tuple[float, SlackUser | None]] = {}
        self._lock = threading.Lock()
        self._names: dict[str, tuple[float, NameIndex]] = {}
        self._loading: dict[str, Future[NameIndex | None]] = {}
        self._statuses: dict[tuple[str, str], tuple[datetime, SlackUser | None]] = {}

    def get(self, client: WebClient, *, team_id: str, user_id: str) -> SlackUser | None:
        """The user, or None when Slack does not know them (user_not_found)."""
        key = (team_id, user_id)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        try:
            resp = client.users_info(user=user_id)
        except SlackApiError as exc:
            if exc.response.get("error") in ("user_not_found", "users_not_found"):
                user = None
            else:
                raise
        else:
            u = resp["user"]
            profile = u.get("profile") or {}
            user = SlackUser(
                id=u["id"],
                team_id=u.get("team_id", team_id),
                name=u.get("name", ""),
                real_name=u.get("real_name") or profile.get("real_name") or "",
                tz=u.get("tz"),
                is_admin=bool(u.get("is_admin")),
                is_owner=bool(u.get("is_owner")) or bool(u.get("is_primary_owner")),
                is_bot=bool(u.get("is_bot")) or u["id"] == "USLACKBOT",
                deleted=bool(u.get("deleted")),
                display_name=str(profile.get("display_name") or ""),
                status_emoji=str(profile.get("status_emoji") or ""),
                status_text=str(profile.get("status_text") or ""),
                status_expiration=_int(profile.get("status_expiration")),
            )
        with self._lock:
            self._cache[key] = (now, user)
        return user

    def status_of(self, client: WebClient, *, team_id: str, user_id: str, now: datetime) -> SlackUser | None:
        """The user with their current status, read at most every ``STATUS_SECONDS`` of ``now``
        (the caller's clock) per user. Never on an ack path: it may call users.info."""
        key = (team_id, user_id)
        with self._lock:
            hit = self._statuses.get(key)
        if hit is not None and 0 <= (now - hit[0]).total_seconds() < STATUS_SECONDS:
            return hit[1]
        self.forget(team_id=team_id, user_id=user_id)
        user = self.get(client, team_id=team_id, user_id=user_id)
        with self._lock:
            self._statuses[key] = (now, user)
        return user

    def forget(self, *, team_id: str, user_id: str) -> None:
        with self._lock:
            self._cache.pop((team_id, user_id), None)
            self._statuses.pop((team_id, user_id), None)

    # -- by name (users.list) --------------------------------------------------------------

    def find_by_name(
        self, client: WebClient, *, team_id: str, name: str, wait: float | None = NAMES_WAIT
    ) -> tuple[Member, ...] | None:
        """Active human members whose handle, display name, real name or id is ``name``,
        compared after ``bot.services.text.normalize`` (any case, look-alike letters and
        invisible characters don't count, a leading ``@`` neither).

        None when the member list could not be had within ``wait`` seconds (``None``: as
        long as it takes) or Slack refused it; a load that ran out of time goes on in the
        background, so the next call finds it.
        """
        key = compact(name)
        if not key:
            return ()
        now = time.monotonic()
        with self._lock:
            hit = self._names.get(team_id)
        if hit is not None:
            if now - hit[0] >= self.names_ttl:
                self._start_load(client, team_id)  # stale: answer now, refresh behind
            return hit[1].get(key, ())
        future = self._start_load(client, team_id)
        if wait != 0:
            waiting_on_slack(client)  # a command's ack goes out before this wait
        try:
            index = future.result(timeout=wait)
        except FutureTimeout:
            return None
        return None if index is None else index.get(key, ())

    def _start_load(self, client: WebClient, team_id: str) -> Future[NameIndex | None]:
        with self._lock:
            running = self._loading.get(team_id)
            if running is not None:
                return running
            future: Future[NameIndex | None] = Future()
            self._loading[team_id] = future
        threading.Thread(target=self._load, args=(client, team_id, future), name="users-list", daemon=True).start()
        return future

    def _load(self, client: WebClient, team_id: str, future: Future[NameIndex | None]) -> None:
        index: NameIndex | None = None
        try:
            index = _name_index(_list_members(client))
            with self._lock:
                self._names[team_id] = (time.monotonic(), index)
        except SlackApiError as exc:
            log.warning("users.list failed: %s", exc.response.get("error"))
        except Exception as exc:  # noqa: BLE001 - a worker thread must always settle its future
            log.warning("users.list failed: %s", type(exc).__name__)
        finally:
            with self._lock:
                self._loading.pop(team_id, None)
            future.set_result(index)


def _int(value: object) -> int:
    if isinstance(value, int | float | str):
        try:
            return int(value)
        except ValueError:
            return 0
    return 0


def _list_members(client: WebClient) -> list[Member]:
    members: list[Member] = []
    cursor: str | None = None
    for _ in range(NAMES_MAX_PAGES):
        resp = client.users_list(limit=NAMES_PAGE, cursor=cursor) if cursor else client.users_list(limit=NAMES_PAGE)
        for u in resp.get("members") or []:
            if u.get("deleted") or u.get("is_bot") or u.get("id") == "USLACKBOT":
                continue
            profile = u.get("profile") or {}
            members.append(
                Member(
                    id=str(u.get("id") or ""),
                    name=str(u.get("name") or ""),
                    real_name=str(u.get("real_name") or profile.get("real_name") or ""),
                    display_name=str(profile.get("display_name") or ""),
                )
            )
        cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            break
    return members


def _name_index(members: list[Member]) -> NameIndex:
    found: dict[str, dict[str, Member]] = {}
    for m in members:
        for name in (m.id, m.name, m.real_name, m.display_name):
            key = compact(name)
            if key:
                found.setdefault(key, {})[m.id] = m
    return {key: tuple(by_id.values()) for key, by_id in found.items()}


def resolve_person(
    directory: UserDirectory,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    example: str,
    block_id: str | None = None,
) -> SlackUser:
    """A real, active person of this workspace, or a ``UserError`` saying what is wrong.

    With ``block_id`` the error is shown under a form's field, where the fix is picking
    someone else there, so it names no command."""
    user = directory.get(client, team_id=team_id, user_id=user_id)
    shown = None if block_id else example
    if user is None:
        raise NotFound(person_error_text(user_id, "missing", example=shown), block_id=block_id)
    if user.is_bot:
        raise UserError(person_error_text(user_id, "bot", example=shown), block_id=block_id)
    if user.deleted:
        raise UserError(person_error_text(user_id, "deactivated", example=shown), block_id=block_id)
    return user


def user_zone(directory: UserDirectory, client: WebClient, *, team_id: str, user_id: str) -> str | None:
    """The user's Slack time zone in canonical IANA spelling, or None when Slack doesn't say.

    The one way every feature reads a person's zone (schedule defaults, note dates). A Slack
    error propagates to the one error handler, which answers "nothing was changed" and counts
    it; only an example in a reply may do without (``schedule_args.users_zone``).
    """
    user = directory.get(client, team_id=team_id, user_id=user_id)
    return canonical_zone(user.tz) if user is not None and user.tz else None
