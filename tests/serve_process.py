"""`coachbot serve` as a real subprocess, for tests that measure the process itself
(memory, file descriptors, what it prints)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.fakes.slack_api import FakeSlack
from tests.harness import SIGNING_SECRET, free_port


def serve_env(database_url: str, fake: FakeSlack, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_", "LOG_", "METRICS_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "COACHBOT_ADMINS": "UADMIN",
            "COACHBOT_TICK_SECONDS": "3600",
        }
    )
    env.update(extra)
    return env


@dataclass
class ServeProcess:
    """``coachbot serve --port P`` with stdout and stderr in files under ``workdir``."""

    workdir: Path
    env: dict[str, str]
    # Start the process with this soft open-file limit (as many service managers do).
    nofile_soft: int | None = None
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, *args: str, wait: bool = True) -> ServeProcess:
        soft = self.nofile_soft

        def limit_files() -> None:
            if soft is not None:
                hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
                resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

        with (self.workdir / "stdout").open("wb") as out, (self.workdir / "stderr").open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port), *args],
                env=self.env,
                cwd=self.workdir,
                stdout=out,
                stderr=err,
                preexec_fn=limit_files,  # only setrlimit: safe before exec
            )
        if wait:
            self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            assert self.proc is not None
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"serve did not become healthy:\n{self.stderr()[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def stderr(self) -> str:
        return (self.workdir / "stderr").read_text(errors="replace")

    def stdout(self) -> str:
        return (self.workdir / "stdout").read_text(errors="replace")

    def memory_mb(self) -> dict[str, float]:
        """VmRSS (now) and VmHWM (peak since start, or since ``reset_peak``), in MB."""
        values = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
        return values

    def reset_peak(self) -> None:
        """Reset VmHWM to the current RSS (Linux: ``echo 5 > /proc/PID/clear_refs``)."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))


def raise_own_fd_limit(needed: int) -> None:
    """The test process holds many client sockets itself."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            import pytest

            pytest.skip(f"needs {needed} open files; the hard limit here is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
