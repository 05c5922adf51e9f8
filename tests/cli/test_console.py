"""A quiet console: `coachbot serve` prints one start-up line per component and no library
chatter or warnings; `doctor`, `db upgrade` and `run-due` print their own output only."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.harness import free_port
from tests.serve_process import ServeProcess, serve_env

pytestmark = pytest.mark.slow
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) (?P<logger>[\w.]+): (?P<message>.*)$")


@pytest.fixture
def console_fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_user("U1", name="ada", real_name="Ada Lovelace", tz="Europe/Berlin")
    yield fake
    fake.stop()


def parsed(stderr: str) -> list[re.Match[str]]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    matches = [LINE.match(line) for line in lines]
    assert all(matches), [line for line, m in zip(lines, matches, strict=True) if not m]
    return [m for m in matches if m is not None]


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_serve_prints_one_line_per_component(tmp_path: Path, console_fake: FakeSlack) -> None:
    metrics_port = free_port()
    env = serve_env(f"sqlite:///{tmp_path / 'console.db'}", console_fake, METRICS_PORT=str(metrics_port))
    first = ServeProcess(tmp_path, env).start()
    assert first.stop() == 0
    lines = parsed(first.stderr())
    assert [m["logger"] for m in lines] == [
        "bot.serve",
        "bot.bootstrap",
        "bot.serve",
        "bot.serve",
        "bot.serve",
        "bot.serve",
    ]
    assert all(m["level"] == "INFO" for m in lines)
    messages = [m["message"] for m in lines]
    assert re.fullmatch(r"database: sqlite:///.*console\.db migrated from empty to \w+", messages[0])
    assert messages[1].startswith("curated store loaded: ")
    assert messages[2] == "scheduler: deliveries checked every 3600 s"
    assert messages[3] == f"metrics: http://127.0.0.1:{metrics_port}/metrics"
    assert messages[4].startswith(f"HTTP: coachbot listening on http://0.0.0.0:{first.port}/slack/events (")
    assert messages[5] == "coachbot stopped"
    assert first.stdout() == ""

    again = ServeProcess(tmp_path, {**env, "METRICS_PORT": ""}).start("--no-scheduler")
    assert again.stop() == 0
    messages = [m["message"] for m in parsed(again.stderr())]
    assert re.fullmatch(r"database: sqlite:///.*console\.db at revision \w+ \(up to date\)", messages[0])
    assert messages[1:4] == [
        "curated store: unchanged since the last load",
        "scheduler: off (--no-scheduler); run `coachbot run-due` to deliver",
        "metrics: off (set METRICS_PORT=9100 to serve /metrics on 127.0.0.1)",
    ]
    assert messages[4].startswith("HTTP: coachbot listening on") and messages[5:] == ["coachbot stopped"]


def test_serve_with_oauth_settings_prints_no_library_warning(tmp_path: Path, console_fake: FakeSlack) -> None:
    env = serve_env(
        f"sqlite:///{tmp_path / 'oauth.db'}",
        console_fake,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_STATE_SECRET="state-secret",
        COACHBOT_ADMINS="T1:UADMIN",
    )
    serve = ServeProcess(tmp_path, env).start()
    assert serve.stop() == 0
    lines = parsed(serve.stderr())
    assert [m["level"] for m in lines] == ["INFO"] * len(lines)
    assert {m["logger"] for m in lines} <= {"bot.serve", "bot.bootstrap"}


def test_warnings_from_libraries_do_not_reach_the_console_even_when_python_shows_them(
    tmp_path: Path, console_fake: FakeSlack
) -> None:
    env = serve_env(f"sqlite:///{tmp_path / 'warn.db'}", console_fake, PYTHONWARNINGS="default")
    serve = ServeProcess(tmp_path, env).start()
    assert serve.stop() == 0
    assert {m["level"] for m in parsed(serve.stderr())} == {"INFO"}


def test_doctor_db_upgrade_and_run_due_print_only_their_own_output(tmp_path: Path, console_fake: FakeSlack) -> None:
    env = serve_env(f"sqlite:///{tmp_path / 'cli.db'}", console_fake)
    upgrade = run(["db", "upgrade"], env, tmp_path)
    assert upgrade.returncode == 0 and upgrade.stderr == ""
    assert re.fullmatch(r"database at revision \w+ \(head \w+\)\n", upgrade.stdout)

    doctor = run(["doctor"], env, tmp_path)
    assert doctor.stderr == ""
    out = doctor.stdout.splitlines()
    assert out and all(re.match(r"(\[PASS\]|\[FAIL\]|\s+fix: |$|\d+ of \d+ checks)", line) for line in out), out

    first = run(["run-due", "--at", "2026-11-30T08:00:00Z"], env, tmp_path)
    assert first.returncode == 0
    # The first run loads the curated store: coachbot's one line about it, nothing else.
    assert [m["message"].split(":")[0] for m in parsed(first.stderr)] == ["curated store loaded"]
    again = run(["run-due", "--at", "2026-11-30T08:00:00Z"], env, tmp_path)
    assert again.returncode == 0 and again.stderr == ""
    assert again.stdout.startswith("run-due at 2026-11-30T08:00:00+00:00: 0 sent") and again.stdout.count("\n") == 1


def test_debug_level_still_shows_library_start_up_lines(tmp_path: Path, console_fake: FakeSlack) -> None:
    env = serve_env(f"sqlite:///{tmp_path / 'debug.db'}", console_fake, LOG_LEVEL="DEBUG")
    result = run(["db", "upgrade"], {**env, "PATH": os.environ.get("PATH", "")}, tmp_path)
    assert result.returncode == 0
    assert "alembic.runtime.migration: Running upgrade" in result.stderr
