"""Prometheus metrics, one registry per running app (so tests can run several apps)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Buckets around Slack's 3-second ack limit, fine-grained where our goals are (ms).
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "coachbot_requests",
            "Slack requests received, by type and outcome",
            ["type", "outcome"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "coachbot_ack_seconds",
            "Time from receiving a Slack request to sending the HTTP response",
            ["type"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.deliveries = Counter(
            "coachbot_deliveries",
            "Scheduled deliveries, by kind and outcome (sent, reconciled, skipped, failed)",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.slack_errors = Counter(
            "coachbot_slack_api_errors",
            "Slack Web API errors, by method and error code",
            ["method", "error"],
            registry=self.registry,
        )
        self.tick_lag = Gauge(
            "coachbot_scheduler_tick_lag_seconds",
            "How late the last scheduler tick started compared with its planned time",
            registry=self.registry,
        )
        self.tick_duration = Gauge(
            "coachbot_scheduler_tick_duration_seconds", "How long the last tick took", registry=self.registry
        )
        self.tick_failures = Counter(
            "coachbot_scheduler_tick_failures", "Ticks that failed (e.g. database unreachable)", registry=self.registry
        )

    def slack_error(self, method: str, error: str) -> None:
        self.slack_errors.labels(method=method, error=error or "unknown").inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)


def request_type(body: dict[str, Any]) -> str:
    """A low-cardinality label for a parsed Slack request body."""
    if isinstance(body.get("command"), str):
        return "command:" + str(body["command"])[:20]
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event") or {}
        return "event:" + str(event.get("type", "unknown"))[:40]
    if isinstance(kind, str):
        return kind[:40]
    return "other"
