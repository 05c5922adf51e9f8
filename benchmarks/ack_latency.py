"""Ack latency of /quote and of a /coach note, against bare Bolt apps as the floor; and
with ``--slow-slack``, ack and answer times when every Slack call takes 150 ms.

    python -m benchmarks.ack_latency [--requests N]
    python -m benchmarks.ack_latency --slow-slack [--latency 0.15] [--repeat 10]

Everything runs on this machine in one go: the fake Slack Web API (in this process), a
fresh PostgreSQL database, `coachbot serve` as a subprocess, and three bare Bolt apps
under the same uvicorn. Senders are threads with keep-alive connections sending signed
requests back to back; each figure is over the same number of requests.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
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


def slow_slack(latency: float, repeat: int) -> None:
    """Each request is a first contact (a new rep, a new channel, a cold member list), so it
    needs the Web API; the app runs in this process on SQLite, Slack is the fake at
    ``latency`` seconds a call. "ack" is the signed request's HTTP answer; "answer" is when
    the reply was there (in the ack, or on response_url / as the form's view)."""
    import json
    import tempfile
    import uuid
    from pathlib import Path
    from urllib.parse import urlencode

    import requests

    from bot.bootstrap import build_deps, prepare_database
    from bot.config import Settings
    from bot.db.engine import make_engine
    from bot.gateway.users import UserDirectory
    from tests.harness import AppServer, sign

    fake = FakeSlack().start()
    fake.add_user("U1", name="ada", real_name="Ada", tz="Europe/Berlin")
    for i in range(repeat * 3):
        fake.add_user(f"U{100 + i}", name=f"rep{i}", real_name=f"Rep {i}")
        fake.add_channel(f"C{100 + i}", name=f"team-{i}")
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    settings = Settings.from_env(
        {
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "COACHBOT_ADMINS": "UADMIN",
            "LOG_LEVEL": "WARNING",
        }
    )
    engine = make_engine(url)
    prepare_database(build_deps(settings, engine))
    with engine.begin() as conn:
        conn.execute(
            insert(Manager).values(team_id="T1", user_id="U1", added_by="UADMIN", created_at=datetime.now(UTC))
        )
    server = AppServer(settings).start(build_deps(settings, engine))

    def post(body: str) -> requests.Response:
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(SECRET, ts, body),
        }
        return requests.post(f"{server.url}/slack/events", data=body.encode(), headers=headers, timeout=30)

    def command(text: str, channel: str = "C1") -> tuple[float, float]:
        reply_url = fake.response_url()
        form = {
            "team_id": "T1",
            "channel_id": channel,
            "user_id": "U1",
            "command": text.split(" ", 1)[0],
            "text": text.split(" ", 1)[1] if " " in text else "",
            "response_url": reply_url,
            "trigger_id": f"trig.{uuid.uuid4().hex[:12]}",
        }
        start = time.perf_counter()
        resp = post(urlencode(form))
        acked = time.perf_counter() - start
        if resp.content:
            return acked, acked
        while not fake.responses(reply_url):
            time.sleep(0.002)
        return acked, time.perf_counter() - start

    def form(rep: str) -> tuple[float, float]:
        values = {
            "rep": {"rep": {"type": "users_select", "selected_user": rep}},
            "note": {"note": {"type": "plain_text_input", "value": "Great discovery call"}},
        }
        view = {"id": "V1", "type": "modal", "callback_id": "coach_note_modal", "state": {"values": values}}
        body = {"type": "view_submission", "user": {"id": "U1", "team_id": "T1"}, "team": {"id": "T1"}, "view": view}
        before = len(fake.calls_to("views.update"))
        start = time.perf_counter()
        resp = post(urlencode({"payload": json.dumps({**body, "trigger_id": uuid.uuid4().hex})}))
        acked = time.perf_counter() - start
        if '"One moment"' not in resp.text:
            return acked, acked
        while len(fake.calls_to("views.update")) <= before:
            time.sleep(0.002)
        return acked, time.perf_counter() - start

    try:
        command("/quote help")  # Bolt's one auth.test, before the clock starts
        fake.latency = latency
        cases: dict[str, Callable[[int], tuple[float, float]]] = {
            "/quote (nothing from Slack)": lambda i: command("/quote"),
            "/coach @rep note, first contact (2 users.info)": lambda i: command(
                f"/coach <@U{100 + i}|rep{i}> Great discovery call"
            ),
            "/quote daily 09:00 Europe/Berlin, new channel (conversations.info)": lambda i: command(
                "/quote daily 09:00 Europe/Berlin", channel=f"C{100 + i}"
            ),
            "note form, first contact rep": lambda i: form(f"U{100 + repeat + i}"),
        }
        rows = []
        for name, run in cases.items():
            assert server.deps is not None
            server.deps.users = UserDirectory()  # cold users.info cache each case
            times = [run(i) for i in range(repeat)]
            acks = sorted(a for a, _ in times)
            answers = sorted(b for _, b in times)
            rows.append(
                [
                    name,
                    f"{acks[len(acks) // 2] * 1000:.0f}",
                    f"{acks[-1] * 1000:.0f}",
                    f"{answers[len(answers) // 2] * 1000:.0f}",
                ]
            )
        report = (
            f"Fake Slack at {latency * 1000:.0f} ms a call, {repeat} requests per row, SQLite, in-process. "
            "Each request is a first contact (new rep, new channel, cold users.info cache).\n\n"
            + table(["request", "ack p50 ms", "ack max ms", "answer p50 ms"], rows)
        )
        print(report)
        write_section("Ack under a slow Slack", report)
    finally:
        server.stop()
        fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=600, help="measured requests per cell (default 600)")
    parser.add_argument("--slow-slack", action="store_true", help="ack and answer times with Slack at --latency")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per Slack call for --slow-slack")
    parser.add_argument("--repeat", type=int, default=10, help="requests per row for --slow-slack")
    args = parser.parse_args()
    if args.slow_slack:
        slow_slack(args.latency, args.repeat)
        return

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
