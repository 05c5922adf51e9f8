"""Idle resident memory of `coachbot serve` (HTTP mode, PostgreSQL, scheduler running).

python -m benchmarks.memory [--settle SECONDS]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import requests

from benchmarks.common import free_port, fresh_database, machine, start, stop, table, wait_for_port, write_section
from tests.fakes.slack_api import FakeSlack


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--settle", type=float, default=10.0, help="idle seconds before reading (default 10)")
    args = parser.parse_args()
    fake = FakeSlack().start()
    env = {
        "DATABASE_URL": fresh_database("coachbot_bench_memory"),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "bench-secret",
        "SLACK_API_URL": fake.api_url,
        "LOG_LEVEL": "WARNING",
        "COACHBOT_TICK_SECONDS": "2",
    }
    port = free_port()
    proc = start(["-m", "bot.cli", "serve", "--port", str(port)], env)
    try:
        wait_for_port(port, proc, timeout=120)
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
        after_start = rss_mb(proc.pid)
        time.sleep(args.settle)
        idle = rss_mb(proc.pid)
    finally:
        stop(proc)
        fake.stop()
    out = table(
        ["measure", "RSS MB"],
        [
            ["right after start (migrated, store loaded)", f"{after_start:.1f}"],
            [f"idle after {args.settle:.0f} s", f"{idle:.1f}"],
        ],
    )
    report = f"Machine: {machine()}. Goal: idle RSS <= 150 MB.\n\n{out}"
    print(report)
    write_section("Memory", report)


if __name__ == "__main__":
    main()
