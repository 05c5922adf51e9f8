"""Settings, read once from an environment mapping and validated.

Nothing here runs at import time: ``Settings.from_env(os.environ)`` is called by the CLI
after ``load_dotenv()``. A bad value raises ``ConfigError`` whose message is one line
naming the variable and how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///coachbot.db"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_TEAM_USER = re.compile(r"^[TE][A-Z0-9]+:[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_PLACEHOLDERS = {"changeme", "xoxb-your-token", "xapp-your-token", "your-signing-secret", "..."}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Whose Slack status says they are away: a scheduled DM to them waits for their next working day.
DEFAULT_AWAY_EMOJI = ("palm_tree", "airplane", "face_with_thermometer", "house_with_garden")
DEFAULT_AWAY_WORDS = ("vacation", "holiday", "OOO", "out of office", "sick", "parental leave")
_EMOJI_NAME = re.compile(r"^:?[a-z0-9_+'-]+:?$")
# Slack's app-level tokens are ASCII letters, digits and dashes (xapp-1-A0123-456-abc...); a
# space, quote or non-ASCII letter means a bad copy-paste, and would otherwise fail deep inside
# the HTTP client with a traceback.
_APP_TOKEN = re.compile(r"^xapp-[A-Za-z0-9-]+$")
_XAPP_FIX = (
    "create an app-level token with the connections:write scope (your app's Basic Information -> "
    "App-Level Tokens) and put it in SLACK_APP_TOKEN, or unset SLACK_APP_TOKEN to serve HTTP"
)


class ConfigError(Exception):
    """A setting is missing or invalid. ``str(err)`` is one line meant for a person."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_state_secret: str | None = None
    port: int = 3000
    admins: frozenset[str] = field(default_factory=frozenset)
    review_channel: str | None = None
    # Abuse limits for quote submissions (per member): open at once, and sent in 24 hours.
    max_pending_submissions: int = 5
    max_submissions_per_day: int = 20
    # Action-item DMs one rep gets in any 24 hours, from all managers together.
    max_item_dms_per_day: int = 10
    log_level: str = "INFO"
    log_format: str = "text"
    grace_minutes: int = 120
    tick_seconds: int = 30
    quotes_path: Path | None = None
    fanout_workers: int = 32
    # The web edge (bot/web/edge.py): limits applied before Bolt sees a request.
    max_body_bytes: int = 1024 * 1024
    request_timeout_seconds: int = 10
    keepalive_seconds: int = 5
    max_connections: int = 2000
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"
    # Calendars: the holiday calendar new schedules get when they name none (e.g. "DE-BY"), and
    # what counts as away (bot.services.calendars).
    holidays: str | None = None
    away_emoji: tuple[str, ...] = DEFAULT_AWAY_EMOJI
    away_words: tuple[str, ...] = DEFAULT_AWAY_WORDS
    # The optional language model of the AI pane (bot/llm.py): off unless a base URL is set.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)
    llm_timeout_seconds: int = 20
    # Questions one member may ask the assistant in any minute (a flood gets a plain refusal).
    assistant_per_minute: int = 10

    def admins_in(self, team_id: str) -> frozenset[str]:
        """The user ids COACHBOT_ADMINS names for one workspace (``TEAM:USER``, or a bare id
        when there is only one workspace)."""
        ids = set()
        for entry in self.admins:
            team, _, user = entry.rpartition(":")
            if team == team_id or not team:
                ids.add(user)
        return frozenset(ids)

    # Who may set, change or stop a channel's daily quote: "anyone" in the channel, or "admins".
    schedule_changes: str = "anyone"

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret and self.slack_state_secret)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        database_url = _database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL)
        api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        parsed = urlparse(api_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(
                f"SLACK_API_URL={api_url!r} is not an http(s) URL; leave it unset for Slack's "
                f"own ({DEFAULT_SLACK_API_URL}) or set e.g. SLACK_API_URL=http://127.0.0.1:8888/api/"
            )
        if not api_url.endswith("/"):
            api_url += "/"

        for name, prefix in (("SLACK_BOT_TOKEN", "xoxb-"), ("SLACK_APP_TOKEN", "xapp-")):
            token = get(name)
            if token is not None and (not token.startswith(prefix) or token in _PLACEHOLDERS):
                raise ConfigError(
                    f"{name} must be a real token starting with {prefix!r}; copy it from your "
                    "Slack app's settings page (see README, 'Create the Slack app')"
                )
        app_token = get("SLACK_APP_TOKEN")
        if app_token is not None and not _APP_TOKEN.match(app_token):
            raise ConfigError(
                "SLACK_APP_TOKEN has characters a Slack token never has (only letters, digits and dashes); "
                "copy it again without quotes or spaces, e.g. SLACK_APP_TOKEN=xapp-1-A012ABCDEF-1234567890-abc123"
            )
        secret = get("SLACK_SIGNING_SECRET")
        if secret is not None and secret in _PLACEHOLDERS:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is still a placeholder; copy the Signing Secret from "
                "your app's Basic Information page"
            )

        admins = frozenset(a.strip() for a in (get("COACHBOT_ADMINS") or "").split(",") if a.strip())
        bad = sorted(a for a in admins if not (_USER_ID.match(a) or _TEAM_USER.match(a)))
        if bad:
            raise ConfigError(
                f"COACHBOT_ADMINS has {bad[0]!r}, which is not a Slack user ID; use comma-separated "
                "IDs like COACHBOT_ADMINS=U012ABCDEF,U034GHIJKL"
            )
        bare = sorted(a for a in admins if _USER_ID.match(a))
        if bare and get("SLACK_CLIENT_ID"):
            # With several workspaces a bare user id would be an admin in every one of them.
            raise ConfigError(
                f"COACHBOT_ADMINS has {bare[0]!r} without its workspace; with OAuth write each admin as "
                f"TEAM:USER, e.g. COACHBOT_ADMINS=T012ABCDEF:{bare[0]}"
            )
        review = get("COACHBOT_REVIEW_CHANNEL")
        if review is not None and not _CHANNEL_ID.match(review):
            raise ConfigError(
                f"COACHBOT_REVIEW_CHANNEL={review!r} is not a channel ID; use the ID from the "
                "channel's details, e.g. COACHBOT_REVIEW_CHANNEL=C012ABCDEF"
            )
        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL={log_level!r} is not one of {', '.join(LOG_LEVELS)}")
        log_format = (get("LOG_FORMAT") or "text").lower()
        if log_format not in ("text", "json"):
            raise ConfigError(f"LOG_FORMAT={log_format!r} must be 'text' or 'json'")
        quotes_path = get("COACHBOT_QUOTES_PATH")
        schedule_changes = (get("COACHBOT_SCHEDULE_CHANGES") or "anyone").lower()
        if schedule_changes not in ("anyone", "admins"):
            raise ConfigError(
                f"COACHBOT_SCHEDULE_CHANGES={schedule_changes!r} must be 'anyone' or 'admins', "
                "e.g. COACHBOT_SCHEDULE_CHANGES=admins"
            )

        oauth = [get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET"), get("SLACK_STATE_SECRET")]
        if any(oauth) and not all(oauth):
            missing = [
                n
                for n, v in zip(("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"), oauth, strict=True)
                if not v
            ]
            raise ConfigError(
                f"{missing[0]} is missing: multi-workspace OAuth needs SLACK_CLIENT_ID, "
                "SLACK_CLIENT_SECRET and SLACK_STATE_SECRET together (or none of them)"
            )

        llm = _llm(get)
        return cls(
            database_url=database_url,
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=secret,
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=api_url,
            slack_client_id=oauth[0],
            slack_client_secret=oauth[1],
            slack_state_secret=oauth[2],
            port=_int(env, "PORT", 3000, 1, 65535),
            admins=admins,
            review_channel=review,
            max_pending_submissions=_int(env, "COACHBOT_MAX_PENDING_SUBMISSIONS", 5, 1, 1000),
            max_submissions_per_day=_int(env, "COACHBOT_MAX_SUBMISSIONS_PER_DAY", 20, 1, 10_000),
            max_item_dms_per_day=_int(env, "COACHBOT_MAX_ITEM_DMS_PER_DAY", 10, 1, 1000),
            log_level=log_level,
            log_format=log_format,
            grace_minutes=_int(env, "COACHBOT_GRACE_MINUTES", 120, 1, 24 * 60),
            tick_seconds=_int(env, "COACHBOT_TICK_SECONDS", 30, 1, 3600),
            quotes_path=Path(quotes_path) if quotes_path else None,
            schedule_changes=schedule_changes,
            fanout_workers=_int(env, "COACHBOT_FANOUT_WORKERS", 32, 1, 256),
            max_body_bytes=_int(env, "COACHBOT_MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024),
            request_timeout_seconds=_int(env, "COACHBOT_REQUEST_TIMEOUT_SECONDS", 10, 1, 300),
            keepalive_seconds=_int(env, "COACHBOT_KEEPALIVE_SECONDS", 5, 1, 300),
            max_connections=_int(env, "COACHBOT_MAX_CONNECTIONS", 2000, 10, 100_000),
            metrics_port=_metrics_port(env),
            metrics_host=get("METRICS_HOST") or "127.0.0.1",
            holidays=_holidays(get("COACHBOT_HOLIDAYS")),
            away_emoji=_away_list(env, "COACHBOT_AWAY_EMOJI", DEFAULT_AWAY_EMOJI),
            away_words=_away_list(env, "COACHBOT_AWAY_WORDS", DEFAULT_AWAY_WORDS),
            llm_base_url=llm[0],
            llm_model=llm[1],
            llm_api_key=llm[2],
            llm_timeout_seconds=_int(env, "COACHBOT_LLM_TIMEOUT_SECONDS", 20, 1, 300),
            assistant_per_minute=_int(env, "COACHBOT_ASSISTANT_PER_MINUTE", 10, 1, 1000),
        )

    def require_slack(self) -> None:
        """Raise unless the settings needed to talk to Slack are present."""
        if not self.slack_signing_secret and not self.socket_mode:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set; copy it from your Slack app's Basic Information "
                "page into .env (see .env.example), or set SLACK_APP_TOKEN for Socket Mode"
            )
        if not self.slack_bot_token and not self.oauth_enabled:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set; install the app to your workspace and copy the "
                "Bot User OAuth Token (xoxb-...) into .env, or set SLACK_CLIENT_ID, "
                "SLACK_CLIENT_SECRET and SLACK_STATE_SECRET for multi-workspace OAuth"
            )
        if self.socket_mode and not self.slack_bot_token:
            raise ConfigError("SLACK_APP_TOKEN (Socket Mode) also needs SLACK_BOT_TOKEN; set both in .env")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number; use e.g. {name}={default}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} is out of range; use a number from {low} to {high}")
    return value


def rejected_app_token(error: str) -> ConfigError:
    """Slack refused ``apps.connections.open`` with SLACK_APP_TOKEN: one line saying what to do."""
    if error == "missing_scope":
        return ConfigError(
            "SLACK_APP_TOKEN lacks the connections:write scope (Slack said missing_scope); add the scope to "
            "the token under your app's Basic Information -> App-Level Tokens, or create a new token with it"
        )
    if error == "not_allowed_token_type":
        return ConfigError(f"SLACK_APP_TOKEN is not an app-level token (Slack said {error}); {_XAPP_FIX}")
    return ConfigError(f"SLACK_APP_TOKEN was refused by Slack ({error}); {_XAPP_FIX}")


def _llm(get: Callable[[str], str | None]) -> tuple[str | None, str | None, str | None]:
    """COACHBOT_LLM_*: all off, or a base URL and a model (the key is optional: local servers
    such as Ollama need none)."""
    url, model, key = get("COACHBOT_LLM_BASE_URL"), get("COACHBOT_LLM_MODEL"), get("COACHBOT_LLM_API_KEY")
    if url is None:
        if model or key:
            raise ConfigError(
                "COACHBOT_LLM_MODEL and COACHBOT_LLM_API_KEY need COACHBOT_LLM_BASE_URL too, "
                "e.g. COACHBOT_LLM_BASE_URL=http://127.0.0.1:11434/v1 (or unset them: answers then come from your data)"
            )
        return None, None, None
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(
            f"COACHBOT_LLM_BASE_URL={url!r} is not an http(s) URL; use the OpenAI-compatible endpoint, "
            "e.g. COACHBOT_LLM_BASE_URL=https://api.openai.com/v1 or http://127.0.0.1:11434/v1"
        )
    if model is None:
        raise ConfigError(
            "COACHBOT_LLM_BASE_URL is set but COACHBOT_LLM_MODEL is not; name the model, "
            "e.g. COACHBOT_LLM_MODEL=llama3.1"
        )
    if key is not None and key in _PLACEHOLDERS:
        raise ConfigError(
            "COACHBOT_LLM_API_KEY is still a placeholder; paste the endpoint's key, or unset it for a local server"
        )
    return url.rstrip("/"), model, key


def _metrics_port(env: Mapping[str, str]) -> int | None:
    """/metrics is served only on METRICS_PORT, never on the public Slack port (PORT); unset,
    nothing serves it."""
    if not env.get("METRICS_PORT", "").strip():
        return None
    port = _int(env, "METRICS_PORT", 9100, 1, 65535)
    if port == _int(env, "PORT", 3000, 1, 65535):
        raise ConfigError(
            f"METRICS_PORT={port} is the same as PORT; /metrics needs a port of its own, away from the "
            "Slack port, e.g. METRICS_PORT=9100"
        )
    return port


def _holidays(code: str | None) -> str | None:
    if code is None:
        return None
    # Imported here: the holidays package is only loaded when a default calendar is set.
    from bot.services.holiday_calendars import InvalidCalendar, parse_calendar

    try:
        return parse_calendar(code)
    except InvalidCalendar as exc:
        nearest = ", ".join(exc.nearest)
        raise ConfigError(
            f"COACHBOT_HOLIDAYS={code!r} is not a holiday calendar I know (nearest: {nearest}); use a country "
            "code, optionally with a region, e.g. COACHBOT_HOLIDAYS=US or COACHBOT_HOLIDAYS=DE-BY"
        ) from None


def _away_list(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() == "none":
        return ()
    items = tuple(item.strip() for item in raw.split(",") if item.strip())
    if name == "COACHBOT_AWAY_EMOJI":
        bad = [item for item in items if not _EMOJI_NAME.match(item)]
        if bad:
            raise ConfigError(
                f"{name} has {bad[0]!r}, which is not an emoji name; use comma-separated names like "
                f"{name}=palm_tree,airplane (or none to turn the emoji check off)"
            )
        return tuple(item.strip(":") for item in items)
    return items


def _database_url(url: str) -> str:
    scheme = url.split(":", 1)[0]
    if scheme in ("postgres", "postgresql"):
        # Plain postgres URLs would make SQLAlchemy look for psycopg2; we ship psycopg 3.
        return "postgresql+psycopg:" + url.split(":", 1)[1]
    if scheme not in ("sqlite", "postgresql+psycopg"):
        raise ConfigError(
            f"DATABASE_URL scheme {scheme!r} is not supported; use sqlite:///coachbot.db or "
            "postgresql+psycopg://user:password@host:5432/dbname"
        )
    return url
