"""Ack latency of /quote and of a /coach note, against bare Bolt apps as the floor.

    python -m benchmarks.ack_latency [--requests N]

Everything runs on this machine in one go: the fake Slack Web API (in this process), a
fresh PostgreSQL database, `coachbot serve` as a subprocess, and three bare Bolt apps
under the same uvicorn. Senders are threads with keep-alive connections sending signed
requests back to back; each figure is over the same number of requests.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, insert

from benchmarks.common import (
    Latency,
    command_body,
    free_port,
    fresh_database,
    load,
    machine,
    start,
    stop,
    table,
    wait_for_port,
    write_section,
)
from bot.db.models import Manager
from tests.fakes.slack_api import FakeSlack

SECRET = "bench-signing-secret"
CONCURRENCY = (1, 20, 50)
GOALS = "Goals: /quote p50 <= 5 ms and /coach note p50 <= 10 ms with one sender; p99 at 20 senders <= 2x the best bare floor."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=600, help="measured requests per cell (default 600)")
    args = parser.parse_args()

    fake = FakeSlack().start()
    fake.add_user("U1", name="ada", real_name="Ada", tz="Europe/Berlin")
    fake.add_user("U2", name="bob", real_name="Bob", tz="America/New_York")
    fake.add_channel("C1", name="general")
    db = fresh_database("coachbot_bench_ack")
    env = {
        "DATABASE_URL": db,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "COACHBOT_ADMINS": "UADMIN",
        "LOG_LEVEL": "WARNING",
        "COACHBOT_TICK_SECONDS": "3600",
    }
    procs = {}
    ports = {}
    try:
        ports["coachbot"] = free_port()
        procs["coachbot"] = start(["-m", "bot.cli", "serve", "--port", str(ports["coachbot"])], env)
        for kind in ("async", "threadpool", "pbr"):
            ports[kind] = free_port()
            procs[kind] = start(["-m", "benchmarks.bare_apps", kind, str(ports[kind]), fake.api_url], {})
        for name, port in ports.items():
            wait_for_port(port, procs[name], timeout=120)
        engine = create_engine(db)
        with engine.begin() as conn:
            conn.execute(
                insert(Manager).values(team_id="T1", user_id="U1", added_by="UADMIN", created_at=datetime.now(UTC))
            )
        engine.dispose()

        labels = {
            "coachbot": "coachbot (uvicorn, sync App in thread pool, process_before_response)",
            "async": "bare AsyncApp + async Starlette handler",
            "threadpool": "bare sync App in thread pool (default ack polling)",
            "pbr": "bare sync App in thread pool + process_before_response",
        }
        bodies = {
            "/quote": lambda: command_body("/quote", ""),
            "/coach note": lambda: command_body(
                "/coach", "<@U2|bob> Great discovery call; ask for the budget earlier."
            ),
        }
        results: dict[tuple[str, str, int], Latency] = {}
        for what, make in bodies.items():
            for c in CONCURRENCY:
                per_sender = max(5, args.requests // c)
                for name, port in ports.items():
                    time.sleep(0.2)
                    results[(what, name, c)] = load(port, SECRET, make, senders=c, per_sender=per_sender)
        rows = []
        for what in bodies:
            for name in ports:
                cells: list[object] = [what, labels[name]]
                for c in CONCURRENCY:
                    r = results[(what, name, c)]
                    cells.append(f"{r.p50_ms:.1f} / {r.p99_ms:.1f}" + (f" ({r.errors} err)" if r.errors else ""))
                rows.append(cells)
        out = table(["request", "server", *[f"{c} sender(s) p50 / p99 ms" for c in CONCURRENCY]], rows)
        floor20 = min(results[("/quote", k, 20)].p99_ms for k in ("async", "threadpool", "pbr"))
        verdict = [
            f"- /quote p50 at 1 sender: {results[('/quote', 'coachbot', 1)].p50_ms:.1f} ms (goal <= 5 ms)",
            f"- /coach note p50 at 1 sender: {results[('/coach note', 'coachbot', 1)].p50_ms:.1f} ms (goal <= 10 ms)",
            f"- /quote p99 at 20 senders: {results[('/quote', 'coachbot', 20)].p99_ms:.1f} ms; "
            f"best bare floor {floor20:.1f} ms; goal <= {2 * floor20:.1f} ms",
            f"- /coach note p99 at 20 senders: {results[('/coach note', 'coachbot', 20)].p99_ms:.1f} ms; "
            f"goal <= {2 * min(results[('/coach note', k, 20)].p99_ms for k in ('async', 'threadpool', 'pbr')):.1f} ms",
        ]
        report = (
            f"Machine: {machine()}. Database: PostgreSQL (local). Fake Slack on loopback.\n"
            f"{args.requests} measured requests per cell after a warm-up. {GOALS}\n\n{out}\n\n" + "\n".join(verdict)
        )
        print(report)
        write_section("Ack latency", report)
    finally:
        for proc in procs.values():
            stop(proc)
        fake.stop()


if __name__ == "__main__":
    main()
