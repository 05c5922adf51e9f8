"""Logging setup: text or one JSON object per line. Never tokens or note text."""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from types import TracebackType

from bot.config import Settings

# Belt and braces: whatever a library logs, a token-shaped string is masked (xwfp-: the
# execution token of a Workflow Builder step).
_TOKEN = re.compile(r"xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|xwfp-[A-Za-z0-9-]+")


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg = _TOKEN.sub("xox*-REDACTED", message)
            record.args = None
        return True


class StartupNoiseFilter(logging.Filter):
    """Drops library warnings that describe a setting coachbot chose on purpose.

    Bolt warns that the bot token is ignored once OAuth is configured: with several
    workspaces each request's token comes from the installation store by design (the bot
    token still serves `doctor` and deliveries in single-workspace mode).
    """

    KNOWN = (("slack_bolt.App", "As `installation_store` or `authorize` has been used, `token`"),)

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(record.name == name and str(record.msg).startswith(prefix) for name, prefix in self.KNOWN)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.addFilter(StartupNoiseFilter())
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # Every library logs through the root handler, so LOG_FORMAT=json covers all of them:
    # uvicorn (run with log_config=None) and anything configured before us lose their own
    # handlers and propagate.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # slack_sdk and Bolt log request bodies (with note text) and headers at DEBUG.
    level = max(logging.INFO, logging.getLevelName(settings.log_level))
    for noisy in ("slack_sdk", "slack_bolt", "urllib3", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(level)
    # SQL echo would log bound parameters, i.e. note text: never below WARNING.
    # openai releases before 2 log each request's messages (note text) at DEBUG: quiet too.
    for quiet in (
        "sqlalchemy",
        "apscheduler.executors.default",
        "alembic.runtime.plugins",
        "openai",
        "httpx",
        "httpx2",
    ):
        logging.getLogger(quiet).setLevel(logging.WARNING)
    # A quiet console: start-up and shutdown chatter (each migration step, "Scheduler
    # started", "Uvicorn running on ...", Socket Mode session notices) stays out unless
    # LOG_LEVEL=DEBUG; coachbot prints one line per component instead. Warnings and errors
    # from these loggers still show.
    if settings.log_level != "DEBUG":
        for name in ("alembic", "apscheduler.scheduler", "uvicorn", "slack_sdk.socket_mode", "slack_bolt.App"):
            logging.getLogger(name).setLevel(logging.WARNING)
    # Uncaught exceptions and warnings become log records too: in JSON mode a traceback is
    # the "exc" field of one line, never loose text on stderr.
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    logging.getLogger("coachbot").critical("uncaught %s", kind.__name__, exc_info=(kind, value, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    thread = args.thread.name if args.thread is not None else "?"
    logging.getLogger("coachbot").error(
        "uncaught %s in thread %s",
        args.exc_type.__name__,
        thread,
        exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
    )


def console_error(message: str) -> None:
    """A command's one-line failure on stderr: a JSON object when LOG_FORMAT=json is in
    effect (so every line a log shipper reads parses), plain text otherwise, including
    when the settings themselves could not be read."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        logging.getLogger("coachbot").error(message)
    else:
        print(message, file=sys.stderr)
