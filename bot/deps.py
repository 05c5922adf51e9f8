"""What listeners and the scheduler share: settings, sessions, Slack clients, a clock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from bot.config import Settings
from bot.db.engine import Sessions
from bot.gateway.clients import ClientFactory
from bot.gateway.users import UserDirectory
from bot.metrics import Metrics
from bot.services.quotes import QuotePool

if TYPE_CHECKING:
    from bot.llm import LanguageModel

log = logging.getLogger(__name__)


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    sessions: Sessions
    clients: ClientFactory
    users: UserDirectory = field(default_factory=UserDirectory)
    clock: Callable[[], datetime] = system_clock
    metrics: Metrics = field(default_factory=Metrics)
    quote_pool: QuotePool = field(init=False)
    # Set on SIGTERM: deliveries not yet started are left for the next run; posts in
    # flight finish and are recorded.
    stopping: threading.Event = field(default_factory=threading.Event)
    # Work that must not delay the 3-second ack (views.open, DMs, uploads) runs here.
    background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="after-ack")
    )

    # The assistant's optional language model, built on first use (``language_model``).
    _model: LanguageModel | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.quote_pool = QuotePool(self.sessions)

    def language_model(self) -> LanguageModel | None:
        """The model in force (COACHBOT_LLM_*), or None: the assistant then answers from data.
        Imported on first use, so an install without a model never loads the client."""
        if self._model is None and self.settings.llm_enabled:
            from bot.llm import LanguageModel

            self._model = LanguageModel.from_settings(self.settings)
        return self._model

    def defer(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        """Run ``fn`` after the ack. Failures are logged by type only (no payloads, no note text)."""

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                log.error("after-ack task %s failed: %s", getattr(fn, "__name__", fn), type(exc).__name__)
                raise

        return self.background.submit(run)
