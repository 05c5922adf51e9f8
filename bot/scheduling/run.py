"""run_due(deps, at): deliver everything due at ``at``. Filled in by the daily-posts work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.deps import Deps


@dataclass
class RunResult:
    at: datetime
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"run-due at {self.at.isoformat()}: {self.sent} sent, {self.skipped} skipped, {self.failed} failed"


def run_due(deps: Deps, at: datetime) -> RunResult:
    return RunResult(at=at)
