"""`coachbot serve`: migrate, load the store, start the scheduler, serve Slack."""

from __future__ import annotations

import gc
import logging
import signal
import threading
from types import FrameType

from bot.app import create_app
from bot.bootstrap import build_deps, prepare_database
from bot.config import Settings
from bot.scheduling.tick import start_scheduler

log = logging.getLogger(__name__)


def serve(settings: Settings, *, host: str, port: int | None, scheduler: bool = True) -> int:
    deps = build_deps(settings)
    prepare_database(deps)
    app = create_app(deps)
    # Everything built so far lives as long as the process: keep it out of the garbage
    # collector's full passes, which otherwise pause request threads (ack-latency p99).
    gc.freeze()
    sched = start_scheduler(deps) if scheduler else None
    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(app, app_token=settings.slack_app_token)
            log.info("coachbot connected over Socket Mode")
            stop = threading.Event()

            def _stop(signum: int, _frame: FrameType | None) -> None:
                stop.set()

            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
            handler.connect()  # type: ignore[no-untyped-call]
            stop.wait()
            handler.close()  # type: ignore[no-untyped-call]
        else:
            import uvicorn

            from bot.web.server import create_web_app

            web = create_web_app(app, deps)
            log.info("coachbot listening on http://%s:%d/slack/events", host, port or settings.port)
            uvicorn.run(
                web,
                host=host,
                port=port or settings.port,
                log_level=settings.log_level.lower(),
                access_log=False,
                timeout_graceful_shutdown=20,
            )
    finally:
        # A fan-out in progress finishes its in-flight posts and starts no new ones.
        deps.stopping.set()
        if sched is not None:
            sched.shutdown(wait=True)
        deps.background.shutdown(wait=True)
        deps.engine.dispose()
    return 0
