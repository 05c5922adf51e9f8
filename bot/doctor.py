"""`coachbot doctor`: an installer's checklist. Each line passes or fails; a failure says the fix."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from slack_sdk.errors import SlackApiError
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from bot.app import BOT_SCOPES
from bot.config import Settings, rejected_app_token
from bot.db import migrate
from bot.db.models import Schedule
from bot.deps import Deps
from bot.gateway.clients import make_client
from bot.llm import LanguageModel, ModelUnavailable
from bot.services import occurrences, schedules


@dataclass(frozen=True)
class Check:
    ok: bool
    label: str
    fix: str = ""

    def line(self) -> str:
        mark = "PASS" if self.ok else "FAIL"
        return f"[{mark}] {self.label}" + (f"\n       fix: {self.fix}" if not self.ok and self.fix else "")


def run_checks(settings: Settings, deps: Deps, now: datetime) -> list[Check]:
    checks: list[Check] = []
    for step in (_settings, _database, _slack, _app_token, _schedule, _model):
        checks.extend(step(settings, deps, now))
    return checks


def _settings(settings: Settings, deps: Deps, now: datetime) -> Iterator[Check]:
    mode = "Socket Mode" if settings.socket_mode else f"HTTP on port {settings.port}"
    if settings.oauth_enabled:
        mode += ", multi-workspace OAuth"
    yield Check(True, f"settings are valid ({mode}; database {settings.database_url.split(':', 1)[0]})")
    yield Check(
        bool(settings.slack_signing_secret) or settings.socket_mode,
        "signing secret is set" if settings.slack_signing_secret else "signing secret is not set",
        "copy the Signing Secret from your app's Basic Information page into SLACK_SIGNING_SECRET",
    )
    yield Check(
        bool(settings.admins),
        f"{len(settings.admins)} coachbot admin(s) configured" if settings.admins else "no COACHBOT_ADMINS set",
        "set COACHBOT_ADMINS=U012ABCDEF (workspace admins and owners count too, but someone should be named)",
    )


def _database(settings: Settings, deps: Deps, now: datetime) -> Iterator[Check]:
    try:
        with deps.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        yield Check(
            False,
            f"database is unreachable ({type(exc).__name__})",
            "check DATABASE_URL and that the database server is running",
        )
        return
    yield Check(True, "database is reachable")
    current, head = migrate.current_revision(deps.engine), migrate.head_revision()
    yield Check(
        current == head,
        f"database is migrated (revision {current})"
        if current == head
        else f"database is at revision {current}, code expects {head}",
        "run: coachbot db upgrade (coachbot serve also does it at start)",
    )


def _slack(settings: Settings, deps: Deps, now: datetime) -> Iterator[Check]:
    tokens: list[tuple[str, str]] = []
    if settings.slack_bot_token:
        tokens.append(("SLACK_BOT_TOKEN", settings.slack_bot_token))
    if settings.oauth_enabled and deps.clients.installation_store is not None:
        from bot.db.models import BOTS_TABLE, Base

        bots = Base.metadata.tables[BOTS_TABLE]
        try:
            with deps.engine.connect() as conn:
                rows = conn.execute(select(bots.c.team_id, bots.c.bot_token).distinct()).all()
        except SQLAlchemyError:
            rows = []
        tokens += [(f"workspace {team}", token) for team, token in rows if token]
    if not tokens:
        yield Check(
            settings.oauth_enabled,
            "no workspace installed yet" if settings.oauth_enabled else "no Slack bot token",
            "open /slack/install to install the app to a workspace"
            if settings.oauth_enabled
            else "set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-...)",
        )
        return
    for name, token in tokens:
        yield from _check_token(settings, name, token)


def _check_token(settings: Settings, name: str, token: str) -> Iterator[Check]:
    client = make_client(settings, token)
    try:
        resp = client.auth_test()
    except SlackApiError as exc:
        yield Check(
            False,
            f"{name}: Slack rejected the token ({exc.response.get('error')})",
            "reinstall the app and copy the new Bot User OAuth Token",
        )
        return
    except OSError as exc:
        yield Check(
            False,
            f"{name}: cannot reach Slack at {settings.slack_api_url} ({type(exc).__name__})",
            "check network access to slack.com, or SLACK_API_URL",
        )
        return
    yield Check(True, f"{name}: token works for team {resp.get('team_id')} as bot user {resp.get('user_id')}")
    granted_header = resp.headers.get("x-oauth-scopes") or resp.headers.get("X-OAuth-Scopes")
    if granted_header is None:
        yield Check(False, f"{name}: Slack did not report the granted scopes", "reinstall the app from manifest.yml")
        return
    granted = {s.strip() for s in granted_header.split(",") if s.strip()}
    missing = sorted(set(BOT_SCOPES) - granted)
    yield Check(
        not missing,
        f"{name}: all {len(BOT_SCOPES)} scopes from manifest.yml are granted"
        if not missing
        else f"{name}: missing scopes {', '.join(missing)}",
        "add them under OAuth & Permissions (or re-create the app from manifest.yml), then reinstall the app",
    )


def _app_token(settings: Settings, deps: Deps, now: datetime) -> Iterator[Check]:
    """Socket Mode: ask Slack for a connection URL with SLACK_APP_TOKEN, as `serve` does first.

    ``apps.connections.open`` is the one method an app-level token may call (``auth.test``
    refuses it). The URL it returns is never connected to: it expires unused, and an open
    Socket Mode connection of a running `serve` is not affected.
    """
    if not settings.slack_app_token:
        return
    client = make_client(settings, None)
    try:
        resp = client.apps_connections_open(app_token=settings.slack_app_token)
    except SlackApiError as exc:
        problem, _, fix = str(rejected_app_token(str(exc.response.get("error") or "unknown_error"))).partition("; ")
        yield Check(False, problem, fix)
        return
    except OSError as exc:
        yield Check(
            False,
            f"SLACK_APP_TOKEN: cannot reach Slack at {settings.slack_api_url} ({type(exc).__name__})",
            "check network access to slack.com, or SLACK_API_URL",
        )
        return
    ok = isinstance(resp.get("url"), str)
    yield Check(
        ok,
        "SLACK_APP_TOKEN: Slack opens Socket Mode connections for it" if ok else "SLACK_APP_TOKEN: Slack gave no URL",
        "turn Socket Mode on in your app's settings (Socket Mode page)",
    )


def _schedule(settings: Settings, deps: Deps, now: datetime) -> Iterator[Check]:
    ticks = ", ".join((now + timedelta(seconds=settings.tick_seconds * i)).strftime("%H:%M:%S") for i in range(1, 4))
    yield Check(True, f"scheduler ticks every {settings.tick_seconds}s inside `coachbot serve` (next: {ticks} UTC)")
    try:
        with deps.sessions.begin() as session:
            active = list(session.scalars(select(Schedule).where(Schedule.active.is_(True))))
            upcoming = sorted((occurrences.next_run(schedules.spec_of(s), now), s.kind, s.target_id) for s in active)[
                :3
            ]
    except SQLAlchemyError:
        return
    if not upcoming:
        yield Check(True, "no schedules yet (try /quote daily 09:00 in a channel)")
        return
    nxt = "; ".join(f"{when:%Y-%m-%d %H:%M} UTC {kind} {target}" for when, kind, target in upcoming)
    yield Check(True, f"{len(active)} active schedule(s); next deliveries: {nxt}")


def _model(settings: Settings, deps: Deps, now: datetime) -> Iterator[Check]:
    """Which answers the assistant gives, and whether the model's endpoint answers (``GET
    /models``: lists the models without spending a completion)."""
    model = LanguageModel.from_settings(settings)
    if model is None:
        yield Check(True, "assistant answers from your data (no language model: COACHBOT_LLM_BASE_URL is unset)")
        return
    where = f"model {model.model} at {_without_credentials(model.base_url)}"
    try:
        served = model.probe()
    except ModelUnavailable as exc:
        yield Check(
            False,
            f"assistant: {where} does not answer ({exc})",
            "check COACHBOT_LLM_BASE_URL, COACHBOT_LLM_API_KEY and that the server runs; "
            "until then every question is answered from the data",
        )
        return
    known = not served or model.model in served
    yield Check(
        known,
        f"assistant: free text is answered by {where}"
        if known
        else f"assistant: {where} answers, but does not serve {model.model} (it serves {', '.join(served[:5])})",
        f"set COACHBOT_LLM_MODEL to one of them (e.g. COACHBOT_LLM_MODEL={served[0] if served else 'llama3.1'})",
    )


def _without_credentials(url: str) -> str:
    """The URL as shown: no user:password@, no query (a key could hide in either)."""
    parts = urlsplit(url)
    host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def render(checks: list[Check], out: Callable[[str], None]) -> bool:
    for c in checks:
        out(c.line())
    failed = sum(not c.ok for c in checks)
    out(
        f"\n{len(checks) - failed} of {len(checks)} checks passed; fix the failures above"
        if failed
        else f"\nall {len(checks)} checks passed"
    )
    return failed == 0
