"""The per-workspace pacer and the bounded worker pool, with an injected clock."""

from __future__ import annotations

import itertools
import threading

import pytest

from bot.scheduling.fanout import LIMIT_MARGIN, TeamPacer, run_bounded


class FakeTime:
    def __init__(self) -> None:
        self.t = 100.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def test_nothing_is_paced_before_the_first_429() -> None:
    clock = FakeTime()
    pacer = TeamPacer(sleep=clock.sleep, now=clock.now)
    for _ in range(100):
        pacer.acquire()
    assert clock.slept == [] and pacer.limit is None


def test_a_429_teaches_the_limit_and_its_retry_waits_retry_after() -> None:
    clock = FakeTime()
    pacer = TeamPacer(sleep=clock.sleep, now=clock.now)
    for _ in range(51):  # 50 accepted, the 51st refused
        pacer.acquire()
        clock.t += 0.002
    pacer.on_rate_limited(1.0)
    assert pacer.limit == 50 - LIMIT_MARGIN
    assert clock.slept == [1.0]
    assert pacer.rate_limited == 1


def test_after_learning_posts_are_evenly_spaced_and_never_exceed_the_limit_per_second() -> None:
    clock = FakeTime()
    pacer = TeamPacer(sleep=clock.sleep, now=clock.now)
    for _ in range(21):
        pacer.acquire()
    pacer.on_rate_limited(1.0)  # limit 18
    starts = []
    for _ in range(90):
        pacer.acquire()
        starts.append(clock.t)
    assert all(b - a >= 1 / 18 - 1e-9 for a, b in itertools.pairwise(starts))
    assert max(sum(1 for s in starts if t <= s < t + 1.0) for t in starts) <= 18


def test_the_429s_of_the_learning_burst_do_not_lower_the_limit_further() -> None:
    clock = FakeTime()
    pacer = TeamPacer(sleep=clock.sleep, now=clock.now)
    for _ in range(10):
        pacer.acquire()
    # Two more requests are in flight when the first 429 arrives; both are refused.
    started = [threading.Event(), threading.Event()]
    go = [threading.Event(), threading.Event()]
    limits: list[int | None] = [None, None]

    def refused(i: int) -> None:
        pacer.acquire()
        started[i].set()
        go[i].wait(5)
        pacer.on_rate_limited(0.0)
        limits[i] = pacer.limit

    threads = [threading.Thread(target=refused, args=(i,)) for i in range(2)]
    for i, thread in enumerate(threads):
        thread.start()
        started[i].wait(5)
    for i, thread in enumerate(threads):
        go[i].set()
        thread.join(5)
    # The other refused request still counts until its own 429 arrives; then the limit
    # settles at what Slack accepted, and is not cut again for the same burst.
    assert limits == [11 - LIMIT_MARGIN, 10 - LIMIT_MARGIN]


def test_a_429_after_learning_lowers_the_limit_once_per_window() -> None:
    clock = FakeTime()
    pacer = TeamPacer(sleep=clock.sleep, now=clock.now)
    for _ in range(21):
        pacer.acquire()
    pacer.on_rate_limited(1.0)  # learned: 18
    pacer.acquire()
    pacer.on_rate_limited(0.0)
    assert pacer.limit == 16  # 90 %
    pacer.acquire()
    pacer.on_rate_limited(0.0)
    assert pacer.limit == 16  # not again within the same second


def test_run_bounded_keeps_order_and_runs_concurrently() -> None:
    active = 0
    peak = 0
    lock = threading.Lock()
    gate = threading.Barrier(4, timeout=5)

    def work(n: int) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        if n < 4:
            gate.wait()  # the first four must be in flight together
        with lock:
            active -= 1
        return n * n

    assert run_bounded(work, range(10), workers=4) == [n * n for n in range(10)]
    assert peak == 4


def test_run_bounded_raises_a_bug_after_the_others_finished() -> None:
    done: list[int] = []

    def work(n: int) -> int:
        if n == 0:
            raise RuntimeError("bug")
        done.append(n)
        return n

    with pytest.raises(RuntimeError):
        run_bounded(work, range(5), workers=2)
    assert sorted(done) == [1, 2, 3, 4]
