"""Fan-out helpers: per-workspace pacing on 429s, and a bounded worker pool.

Slack rate-limits ``chat.postMessage`` per workspace and answers 429 with ``Retry-After``.
A 429 means Slack did not process the call, so retrying it cannot duplicate a post. The
refused request waits its ``Retry-After``; and because every worker posting to that
workspace shares one ``TeamPacer``, the 429 also teaches them all the limit, so they stay
just under it instead of each collecting its own 429s and sleeps (which would stretch
the run far past the limit's floor).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

T = TypeVar("T")
R = TypeVar("R")

# A workspace that keeps answering 429 for this long is left for the next run.
MAX_RATE_LIMIT_RETRIES = 30
# Slack's posting limits are per workspace and roughly per second.
WINDOW_SECONDS = 1.0
# Stay this many posts under the limit we learned, for jitter between us and Slack.
LIMIT_MARGIN = 2


class TeamPacer:
    """Paces the posts of one workspace, shared by every worker posting there.

    Until Slack first answers 429 nothing is paced. A 429 teaches the limit: L = how many
    posts Slack accepted in the second before it (less a small margin). From then on at
    most L posts start in any one-second window, evenly spaced, for every worker; and the
    refused request itself waits its ``Retry-After`` before it is retried. So the first
    burst finds the limit and the rest of the run stays just under it, instead of every
    worker colliding with it, each collecting its own 429s and sleeps.
    """

    def __init__(self, sleep: Callable[[float], None] = time.sleep, now: Callable[[], float] = time.monotonic):
        self._sleep = sleep
        self._now = now
        self._lock = threading.Lock()
        self._limit: int | None = None
        self._learned_at = 0.0
        self._lowered_at = 0.0
        self._starts: deque[float] = deque()  # post starts in the last window
        self._local = threading.local()
        self.rate_limited = 0  # 429 answers seen (for the run summary)

    @property
    def limit(self) -> int | None:
        return self._limit

    def acquire(self) -> None:
        """Block until this workspace may start a post, and count the post as started."""
        while True:
            with self._lock:
                now = self._now()
                self._forget_before(now - WINDOW_SECONDS)
                delay = 0.0
                if self._limit is not None:
                    if len(self._starts) >= self._limit:
                        delay = self._starts[0] + WINDOW_SECONDS - now + 0.001
                    elif self._starts:
                        # Evenly spaced rather than in bursts: a burst at the start of each
                        # window collides with the end of the last one at the first jitter.
                        delay = self._starts[-1] + WINDOW_SECONDS / self._limit - now
                if delay <= 0:
                    self._starts.append(now)
                    self._local.started = now
                    return
            self._sleep(delay)

    def on_rate_limited(self, retry_after: float) -> None:
        """This thread's post was refused with 429: learn the limit, wait ``Retry-After``."""
        with self._lock:
            now = self._now()
            self.rate_limited += 1
            started = getattr(self._local, "started", None)
            if started is not None:
                self._local.started = None
                with contextlib.suppress(ValueError):
                    self._starts.remove(started)  # Slack did not count it
            self._forget_before(now - WINDOW_SECONDS)
            if self._limit is None or (started is not None and started < self._learned_at):
                # The burst that found the limit: what Slack accepted in the last window.
                accepted = max(1, len(self._starts) - LIMIT_MARGIN)
                self._limit = accepted if self._limit is None else min(self._limit, accepted)
                self._learned_at = self._learned_at or now
            elif now - self._lowered_at >= WINDOW_SECONDS:
                # Refused although we kept under the limit: Slack's view of the window
                # differs from ours (delays on the way). Back off a little, once a window.
                self._limit = max(1, int(self._limit * 0.9))
                self._lowered_at = now
        self._sleep(retry_after)

    def _forget_before(self, cutoff: float) -> None:
        while self._starts and self._starts[0] <= cutoff:
            self._starts.popleft()


class PacedRateLimitHandler(RetryHandler):
    """slack-sdk's 429 handling (wait Retry-After, then retry), shared through a TeamPacer
    for ``chat.postMessage``; other methods just wait out their own Retry-After."""

    def __init__(self, pacer: TeamPacer, max_retry_count: int = MAX_RATE_LIMIT_RETRIES) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacer = pacer

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        retry_after = 1.0
        if response is not None:
            for name, values in response.headers.items():
                if name.lower() == "retry-after" and values:
                    with contextlib.suppress(ValueError):
                        retry_after = float(values[0])
        state.next_attempt_requested = True
        if request.url.rstrip("/").endswith("/chat.postMessage"):
            self.pacer.on_rate_limited(retry_after)  # waits Retry-After
            self.pacer.acquire()  # then takes a slot under the learned limit
        else:
            time.sleep(retry_after)
        state.increment_current_attempt()


def paced(client: WebClient, pacer: TeamPacer) -> WebClient:
    """The client with its 429 handler replaced by one that paces the whole workspace.

    Its other handlers (5xx and connection retries that skip non-idempotent calls) stay.
    """
    others = [h for h in client.retry_handlers if not isinstance(h, RateLimitErrorRetryHandler)]
    client.retry_handlers = [PacedRateLimitHandler(pacer), *others]
    return client


def run_bounded(fn: Callable[[T], R], items: Iterable[T], *, workers: int) -> list[R]:
    """``fn`` over ``items`` on at most ``workers`` threads; results in input order.

    ``fn`` must handle its own expected failures; an exception here is a bug and is raised
    after every other item has finished (so one bug does not strand the rest mid-post).
    """
    items = list(items)
    if not items:
        return []
    if workers <= 1 or len(items) == 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="fanout") as pool:
        futures = [pool.submit(fn, item) for item in items]
        errors = [f.exception() for f in futures]
    for err in errors:
        if err is not None:
            raise err
    return [f.result() for f in futures]
