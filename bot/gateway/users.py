"""users.info, cached briefly: roles and time zones are needed on many requests."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

CACHE_SECONDS = 300.0


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

    @property
    def display(self) -> str:
        return self.real_name or self.name or self.id


class UserDirectory:
    """Looks users up with users.info and keeps each answer for a few minutes."""

    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._cache: dict[tuple[str, str], tuple[float, SlackUser | None]] = {}
        self._lock = threading.Lock()

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
            )
        with self._lock:
            self._cache[key] = (now, user)
        return user

    def forget(self, *, team_id: str, user_id: str) -> None:
        with self._lock:
            self._cache.pop((team_id, user_id), None)
