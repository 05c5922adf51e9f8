"""`coachbot serve`: migrate, load the store, start the scheduler, serve Slack.

At the default INFO level the console shows one line per component as it comes up
(database, store, scheduler, HTTP or Socket Mode, metrics); the libraries' own start-up
chatter is kept at WARNING by ``bot.logs``.
"""

from __future__ import annotations

import gc
import logging
import signal
import time
from typing import Any

import uvicorn
from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.app import create_app
from bot.bootstrap import build_deps, prepare_database
from bot.config import ConfigError, Settings, rejected_app_token
from bot.db import migrate
from bot.deps import Deps
from bot.metrics import request_type
from bot.scheduling.tick import start_scheduler

log = logging.getLogger(__name__)

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - HTTP mode: Slack must reach /slack/events
LOOPBACK = "127.0.0.1"


def serve(settings: Settings, *, host: str | None, port: int | None, scheduler: bool = True) -> int:
    """Serve Slack until SIGTERM or SIGINT.

    HTTP mode: PORT (on ``host``, default 0.0.0.0) serves /slack/events, the OAuth pages and
    /healthz. Socket Mode: Slack's requests arrive over the app-level token's WebSocket, and
    the same HTTP server answers only /healthz on PORT (``host`` default 127.0.0.1, which the
    image's HEALTHCHECK reaches; ``--host 0.0.0.0`` for a probe from outside). /metrics is
    only ever on METRICS_PORT.
    """
    deps = build_deps(settings)
    _prepare(deps)
    app = create_app(deps)
    # Everything built so far lives as long as the process: keep it out of the garbage
    # collector's full passes, which otherwise pause request threads (ack-latency p99).
    gc.freeze()
    sched = start_scheduler(deps) if scheduler else None
    if sched is not None:
        log.info("scheduler: deliveries checked every %d s", settings.tick_seconds)
    else:
        log.info("scheduler: off (--no-scheduler); run `coachbot run-due` to deliver")
    metrics_server = None
    socket_mode: SocketMode | None = None
    try:
        metrics_server = _serve_metrics(deps)
        from bot.web.server import web_server_config

        if settings.socket_mode:
            socket_mode = SocketMode(app, deps)
            socket_mode.connect()
        config = web_server_config(
            app,
            deps,
            host=host or (LOOPBACK if socket_mode is not None else ALL_INTERFACES),
            port=port or settings.port,
            socket_connected=socket_mode.connected if socket_mode is not None else None,
        )
        # uvicorn re-raises the SIGTERM it caught once it has stopped, with the handler
        # that was there before it; the default one would kill the process before the
        # scheduler and in-flight posts below are wound down.
        signal.signal(signal.SIGTERM, lambda _signum, _frame: deps.stopping.set())
        _Server(config, settings, socket_mode=socket_mode is not None).run()
    finally:
        # A fan-out in progress finishes its in-flight posts and starts no new ones.
        deps.stopping.set()
        if socket_mode is not None:
            socket_mode.close()
        if sched is not None:
            sched.shutdown(wait=True)
        if metrics_server is not None:
            metrics_server.shutdown()
        deps.background.shutdown(wait=True)
        deps.engine.dispose()
        log.info("coachbot stopped")
    return 0


class SocketMode:
    """Bolt's Socket Mode handler (slack_sdk's built-in client), with our start-up checks,
    request metrics and a drain on shutdown."""

    def __init__(self, app: App, deps: Deps) -> None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler
        from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
        from slack_sdk.socket_mode.builtin import SocketModeClient
        from slack_sdk.socket_mode.request import SocketModeRequest

        metrics = deps.metrics

        class Handler(SocketModeHandler):
            def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
                # What SocketModeHandler.handle does, counted like an HTTP request.
                started = time.perf_counter()
                kind = request_type(req.payload) if isinstance(req.payload, dict) else "other"
                response = run_bolt_app(self.app, req)
                send_response(client, req, response, started)
                metrics.requests.labels(type=kind, outcome="ok" if response.status < 400 else "error").inc()
                metrics.ack_seconds.labels(type=kind).observe(time.perf_counter() - started)

        assert deps.settings.slack_app_token is not None
        self.settings = deps.settings
        self.app_token = deps.settings.slack_app_token
        self.handler = Handler(app, app_token=self.app_token)

    def connect(self) -> None:
        """Open the socket, or stop start-up with one line when Slack refuses the app token.

        The URL is asked for here rather than inside the SDK's ``connect()``, which would log
        the whole error response and raise it as a traceback.
        """
        client = self.handler.client
        try:
            client.wss_uri = client.web_client.apps_connections_open(app_token=self.app_token)["url"]
        except SlackApiError as exc:
            raise rejected_app_token(str(exc.response.get("error") or "unknown_error")) from None
        except OSError as exc:
            raise ConfigError(
                f"cannot reach Slack at {self.settings.slack_api_url} to open the Socket Mode connection "
                f"({type(exc).__name__}); check network access to slack.com, or SLACK_API_URL"
            ) from None
        self.handler.connect()  # type: ignore[no-untyped-call]
        if client.is_connected():
            log.info("Socket Mode: connected; Slack requests arrive over the app-level token's socket")
        else:
            # The SDK has logged why; its monitor keeps retrying, and /healthz says 503 meanwhile.
            log.warning("Socket Mode: not connected yet; retrying in the background")

    def connected(self) -> bool:
        return bool(self.handler.client.is_connected())

    def close(self) -> None:
        """Stop taking envelopes, let the ones being handled finish and ack over the still-open
        socket, then close it. Envelopes received but not started are not acked, so Slack
        delivers them again (to another connection, or after the restart)."""
        client = self.handler.client
        client.auto_reconnect_enabled = False
        client.closed = True  # ends the SDK's message loop within a second
        client.message_processor.shutdown()  # type: ignore[no-untyped-call]
        client.message_workers.shutdown(wait=True)
        self.handler.close()  # type: ignore[no-untyped-call]


def _prepare(deps: Deps) -> None:
    before = migrate.current_revision(deps.engine)
    prepare_database(deps, load_store=False)
    after = migrate.current_revision(deps.engine)
    url = deps.engine.url.render_as_string(hide_password=True)
    if before == after:
        log.info("database: %s at revision %s (up to date)", url, after)
    else:
        log.info("database: %s migrated from %s to %s", url, before or "empty", after)
    # Migrations are done (a no-op the second time); this loads the store if it changed.
    if prepare_database(deps) is None:
        # When it did load, bootstrap has already said what changed.
        log.info("curated store: unchanged since the last load")


def _serve_metrics(deps: Deps) -> Any:
    """/metrics on METRICS_PORT (prometheus_client's threaded server), never on the public
    Slack port; without METRICS_PORT nothing serves it."""
    from prometheus_client import start_http_server

    host, port = deps.settings.metrics_host, deps.settings.metrics_port
    if port is None:
        log.info("metrics: off (set METRICS_PORT=9100 to serve /metrics on %s)", host)
        return None
    try:
        server, _thread = start_http_server(port, addr=host, registry=deps.metrics.registry)
    except OSError as err:
        raise ConfigError(
            f"METRICS_PORT={port} on {host} cannot be opened ({err.strerror}); pick a free port, "
            "e.g. METRICS_PORT=9100, or unset it to serve no /metrics"
        ) from None
    log.info("metrics: http://%s:%d/metrics", host, port)
    return server


class _Server(uvicorn.Server):
    """Says it is listening once the socket is bound (uvicorn's own lines are kept quiet)."""

    def __init__(self, config: uvicorn.Config, settings: Settings, *, socket_mode: bool = False) -> None:
        super().__init__(config)
        self.settings = settings
        self.socket_mode = socket_mode

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        if self.should_exit:
            return
        if self.socket_mode:
            log.info(
                "health: http://%s:%d/healthz (Socket Mode: this port serves /healthz only)",
                self.config.host,
                self.config.port,
            )
            return
        log.info(
            "HTTP: coachbot listening on http://%s:%d/slack/events (bodies up to %d bytes, requests "
            "within %d s, up to %d connections)",
            self.config.host,
            self.config.port,
            self.settings.max_body_bytes,
            self.settings.request_timeout_seconds,
            self.config.limit_concurrency or 0,
        )
