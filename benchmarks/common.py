"""Shared benchmark plumbing: machine notes, databases, processes, load, tables."""

from __future__ import annotations

import http.client
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Connection, Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from bot.db.models import ActionItem, Note

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.md"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def fresh_database(name: str) -> str:
    """Create (or re-create) a PostgreSQL database for a benchmark; returns its URL."""
    base = os.environ.get("BENCH_PG_URL", DEFAULT_PG)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes] | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}:\n{err}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on port {port}")


def start(args: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p99_ms: float
    n: int
    errors: int


def command_body(command: str, text_: str, user: str = "U1", team: str = "T1", response_url: str = "") -> str:
    return urlencode(
        {
            "team_id": team,
            "channel_id": "C1",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text_,
            "response_url": response_url or "http://127.0.0.1:9/none",
            "trigger_id": f"t.{uuid.uuid4().hex[:10]}",
        }
    )


def load(
    port: int, secret: str, make_body: Callable[[], str], *, senders: int, per_sender: int, warmup: int = 20
) -> Latency:
    """``senders`` threads, each on its own keep-alive connection, send signed requests back to back."""
    verifier = SignatureVerifier(secret)
    timings: list[float] = []
    errors = 0
    lock = threading.Lock()
    barrier = threading.Barrier(senders)

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        for i in range(warmup + per_sender):
            if i == warmup:
                barrier.wait()
            body = make_body()
            ts = str(int(time.time()))
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body) or "",
            }
            started = time.perf_counter()
            conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
            resp = conn.getresponse()
            resp.read()
            elapsed = time.perf_counter() - started
            if i >= warmup:
                mine.append(elapsed)
                bad += resp.status != 200
        conn.close()
        with lock:
            timings.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    p50, p99 = p50_p99_ms(timings)
    return Latency(p50, p99, len(timings), errors)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def write_section(title: str, body: str) -> None:
    """Replace (or append) one ``## title`` section of results.md."""
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    marker = f"## {title}\n"
    section = f"{marker}\n{body.rstrip()}\n\n"
    if marker in current:
        head, _, rest = current.partition(marker)
        nxt = rest.find("\n## ")
        tail = rest[nxt + 1 :] if nxt != -1 else ""
        current = head + section + tail
    else:
        current = current.rstrip() + "\n\n" + section
    RESULTS.write_text(current)


def note_rows(
    rng: random.Random, skill_ids: Sequence[int], *, author: str, count: int, reps: int, now: datetime
) -> list[dict[str, object]]:
    """``count`` notes by ``author`` over a year before ``now``, 70 % rated, spread over ``reps``
    reps (``UREP0`` alone when ``reps`` is 1): the coaching benchmarks' seed rows."""
    out: list[dict[str, object]] = []
    for i in range(count):
        rated = rng.random() < 0.7
        out.append(
            {
                "team_id": "T1",
                "author_id": author,
                "author_tz": "Europe/Berlin",
                "rep_id": "UREP0" if reps == 1 else f"UREP{i % reps}",
                "rep_name": "Rep",
                "text": f"Observation {i}: asked good questions, next time quantify the pain.",
                "shared_with_rep": False,
                "created_at": now - timedelta(minutes=rng.randrange(365 * 24 * 60)),
                "skill_id": rng.choice(skill_ids) if rated else None,
                "rating": rng.randint(1, 5) if rated else None,
            }
        )
    return out


def p50_p99_ms(timings: Sequence[float]) -> tuple[float, float]:
    """The median and the 99th percentile of ``timings`` (seconds), in milliseconds."""
    ordered = sorted(timings)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def analyze(engine: Engine) -> None:
    """Planner statistics after a bulk load, as autovacuum/ANALYZE keeps them on a live database.
    On PostgreSQL VACUUM also sets the visibility map, without which index-only counts visit the heap."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def seed_manager_notes(
    conn: Connection,
    rng: random.Random,
    skill_ids: Sequence[int],
    *,
    notes: int,
    others: int,
    reps: int,
    one_rep: bool,
    now: datetime,
) -> None:
    """The coaching benchmarks' workspace: ``notes`` by ``UMGR`` (all on ``UREP0`` when
    ``one_rep``), ``others`` by 50 other managers, and 300 action items ``UMGR`` assigned."""
    batch = note_rows(rng, skill_ids, author="UMGR", count=notes, reps=1 if one_rep else reps, now=now)
    for n in range(50):
        batch += note_rows(rng, skill_ids, author=f"UOTHER{n}", count=others // 50, reps=reps, now=now)
    for start in range(0, len(batch), 5000):
        conn.execute(insert(Note), batch[start : start + 5000])
    conn.execute(
        insert(ActionItem),
        [
            {
                "team_id": "T1",
                "assigner_id": "UMGR",
                "rep_id": f"UREP{i % reps}",
                "rep_tz": "America/New_York",
                "text": "Send the recap",
                "due_on": (now + timedelta(days=rng.randint(-20, 20))).date(),
                "status": rng.choice(("open", "acknowledged", "done")),
                "created_at": now,
                "updated_at": now,
            }
            for i in range(300)
        ],
    )
