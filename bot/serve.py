"""`coachbot serve`: migrate, load the store, start the scheduler, serve Slack.

At the default INFO level the console shows one line per component as it comes up
(database, store, scheduler, HTTP or Socket Mode, metrics); the libraries' own start-up
chatter is kept at WARNING by ``bot.logs``.
"""

from __future__ import annotations

import gc
import logging
import signal
import threading
from types import FrameType
from typing import Any

import uvicorn

from bot.app import create_app
from bot.bootstrap import build_deps, prepare_database
from bot.config import ConfigError, Settings
from bot.db import migrate
from bot.deps import Deps
from bot.scheduling.tick import start_scheduler

log = logging.getLogger(__name__)


def serve(settings: Settings, *, host: str, port: int | None, scheduler: bool = True) -> int:
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
    try:
        if settings.metrics_port is not None:
            metrics_server = _serve_metrics(deps)
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(app, app_token=settings.slack_app_token)
            stop = threading.Event()

            def _stop(signum: int, _frame: FrameType | None) -> None:
                stop.set()

            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
            handler.connect()  # type: ignore[no-untyped-call]
            log.info("Socket Mode: connected; Slack requests arrive over the app-level token's socket")
            stop.wait()
            handler.close()  # type: ignore[no-untyped-call]
        else:
            from bot.web.server import web_server_config

            config = web_server_config(app, deps, host=host, port=port or settings.port)
            # uvicorn re-raises the SIGTERM it caught once it has stopped, with the handler
            # that was there before it; the default one would kill the process before the
            # scheduler and in-flight posts below are wound down.
            signal.signal(signal.SIGTERM, lambda _signum, _frame: deps.stopping.set())
            _Server(config, settings).run()
    finally:
        # A fan-out in progress finishes its in-flight posts and starts no new ones.
        deps.stopping.set()
        if sched is not None:
            sched.shutdown(wait=True)
        if metrics_server is not None:
            metrics_server.shutdown()
        deps.background.shutdown(wait=True)
        deps.engine.dispose()
        log.info("coachbot stopped")
    return 0


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
    """/metrics on its own port (prometheus_client's threaded server), away from the
    public Slack port."""
    from prometheus_client import start_http_server

    host, port = deps.settings.metrics_host, deps.settings.metrics_port
    assert port is not None
    try:
        server, _thread = start_http_server(port, addr=host, registry=deps.metrics.registry)
    except OSError as err:
        raise ConfigError(
            f"METRICS_PORT={port} on {host} cannot be opened ({err.strerror}); pick a free port, "
            "e.g. METRICS_PORT=9100, or unset it to serve /metrics on PORT"
        ) from None
    log.info("metrics: http://%s:%d/metrics", host, port)
    return server


class _Server(uvicorn.Server):
    """Says it is listening once the socket is bound (uvicorn's own lines are kept quiet)."""

    def __init__(self, config: uvicorn.Config, settings: Settings) -> None:
        super().__init__(config)
        self.settings = settings

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        if self.should_exit:
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
