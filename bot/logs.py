"""Logging setup: text or one JSON object per line. Never tokens or note text."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

from bot.config import Settings

# Belt and braces: whatever a library logs, a token-shaped string is masked.
_TOKEN = re.compile(r"xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg = _TOKEN.sub("xox*-REDACTED", message)
            record.args = None
        return True


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
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # slack_sdk and Bolt log request bodies (with note text) and headers at DEBUG.
    level = max(logging.INFO, logging.getLevelName(settings.log_level))
    for noisy in ("slack_sdk", "slack_bolt", "urllib3", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(level)
    # SQL echo would log bound parameters, i.e. note text: never below WARNING.
    for quiet in ("sqlalchemy", "apscheduler.executors.default", "alembic.runtime.plugins"):
        logging.getLogger(quiet).setLevel(logging.WARNING)
