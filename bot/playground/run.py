"""``coachbot playground``: choose the database, check the address, start, print one line."""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import uvicorn

from bot import logs
from bot.config import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
# The one exception to loopback-only: inside a container, where `docker run -p` decides
# what is reachable from outside, 0.0.0.0 is the only way to be reachable at all.
CONTAINER_HOST = "0.0.0.0"  # noqa: S104
CONTAINER_MARKERS = (Path("/.dockerenv"), Path("/run/.containerenv"))  # Docker, Podman


def data_dir(env: dict[str, str] | None = None) -> Path:
    """$XDG_DATA_HOME/coachbot, else ~/.local/share/coachbot (the XDG default)."""
    env = dict(os.environ) if env is None else env
    base = env.get("XDG_DATA_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".local" / "share") / "coachbot"


def in_container() -> bool:
    return any(marker.exists() for marker in CONTAINER_MARKERS)


def check_host(host: str, *, container: Callable[[], bool] = in_container) -> str | None:
    """The address to bind, or raise ``ConfigError``. Returns a warning to print, if any."""
    if host in ("127.0.0.1", "localhost"):
        return None
    if host == CONTAINER_HOST:
        if not container():
            raise ConfigError(
                "--host 0.0.0.0 is only for the Docker image (docker run -p 3000:3000 coachbot playground "
                "--host 0.0.0.0). The playground has no login and acts as anyone, so outside a container it "
                "listens on 127.0.0.1 only: drop --host"
            )
        return (
            "warning: listening on every interface of this container; the playground has no login, so "
            "publish the port only to your own machine (docker run -p 127.0.0.1:3000:3000 ...)"
        )
    raise ConfigError(
        f"--host {host} refused: the playground has no login and acts as anyone, so it listens on "
        "127.0.0.1 only. Drop --host (or, in the Docker image only, use --host 0.0.0.0)"
    )


def db_path(raw: str | None) -> Path:
    if not raw:
        return data_dir() / "playground.db"
    if raw.startswith("sqlite:///"):
        raw = raw.removeprefix("sqlite:///")
    elif "://" in raw:
        raise ConfigError(
            f"--db {raw!r}: the playground keeps an embedded SQLite file; give a file path, e.g. --db playground.db"
        )
    path = Path(raw).expanduser()
    if path.is_dir():
        raise ConfigError(f"--db {raw} is a folder; give a file path, e.g. --db {path / 'playground.db'}")
    return path


def parse_now(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--now {raw!r} is not an ISO 8601 instant; use e.g. --now 2026-11-30T08:00:00Z") from None
    if at.tzinfo is None:
        raise ConfigError(f"--now {raw!r} has no time zone; add one, e.g. --now {raw}Z")
    return at.astimezone(UTC)


def check_port(host: str, port: int) -> None:
    with socket.socket() as probe:
        # As uvicorn binds: a port left in TIME_WAIT by the last run is free, not "in use".
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host if host != "localhost" else DEFAULT_HOST, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise ConfigError(
                    f"port {port} is already in use (another playground or `coachbot serve`?); "
                    f"choose another, e.g. --port {port + 1}"
                ) from None
            raise ConfigError(f"cannot listen on {host}:{port} ({err.strerror}); try --port {port + 1}") from None


def hold_database(path: Path, port: int) -> IO[str]:
    """Lock ``FILE.lock`` for as long as this playground runs: a second playground on the same
    database (another port) is refused, since its Reset would delete the first one's data.
    The lock goes with the process, however it ends."""
    lock = Path(f"{path}.lock").open("a+", encoding="utf-8")  # noqa: SIM115 (held until exit)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.seek(0)
        other = lock.read().strip()
        lock.close()
        where = f"port {other}" if other.isdigit() else "another port"
        own = path.with_name(f"playground-{port}.db")
        raise ConfigError(
            f"{path} is in use by another playground ({where}); two cannot share a database (a Reset in one "
            f"would delete the other's). Stop that one, or give this one its own: --db {own}"
        ) from None
    lock.seek(0)
    lock.truncate()
    lock.write(f"{port}\n")
    lock.flush()
    return lock


def resumed_note(start: datetime, reached: datetime) -> str:
    """One line when ``--now`` is earlier than the clock this database had already reached."""
    return (
        f"note: this database's clock had reached {reached:%a %d %b %Y %H:%M} UTC and never goes back, so it "
        f"resumes there, not at --now {start:%Y-%m-%dT%H:%MZ}. Reset (in the page) starts again at --now; "
        "or use a new --db file"
    )


def playground(*, db: str | None, host: str, port: int, now: str | None, log_level: str) -> int:
    from bot.playground.database import check_database
    from bot.playground.routes import asgi
    from bot.playground.server import Playground

    warning = check_host(host)
    if not 1 <= port <= 65535:
        raise ConfigError(f"--port {port} is out of range; use a number from 1 to 65535, e.g. --port 3000")
    path = db_path(db)
    start = parse_now(now)
    check_port(host, port)
    check_database(path)  # before anything is written beside it
    path.parent.mkdir(parents=True, exist_ok=True)
    _lock = hold_database(path, port)  # held while this function runs the server
    pg = Playground(path, port=port, start=start, log_level=log_level)
    logs.configure(pg.settings)
    pg.start_app()
    if warning:
        print(warning, file=sys.stderr)
    if start is not None and pg.resumed_at is not None:
        print(resumed_note(start, pg.resumed_at), file=sys.stderr)
    config = uvicorn.Config(
        asgi(pg),
        host=DEFAULT_HOST if host == "localhost" else host,
        port=port,
        log_level=log_level.lower(),
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    try:
        _AnnouncingServer(config, f"coachbot playground: http://127.0.0.1:{port}/  (data: {path}; Ctrl-C stops)").run()
    finally:
        pg.stop_app()
    return 0


class _AnnouncingServer(uvicorn.Server):
    """Prints the one line with the URL once the port is listening, not before."""

    def __init__(self, config: uvicorn.Config, line: str) -> None:
        super().__init__(config)
        self.line = line

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            print(self.line, flush=True)
