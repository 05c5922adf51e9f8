"""The ``coachbot`` command. The only place that reads .env (python-dotenv)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import MutableMapping, Sequence
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from pathlib import Path

from dotenv import load_dotenv
from sqlalchemy.exc import OperationalError

from bot import logs
from bot.config import ConfigError, Settings
from bot.errors import StoreError

log = logging.getLogger("coachbot")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="coachbot",
        description="Slack coaching bot for sales teams: daily leadership quotes, private coaching "
        "notes and prompts, and team quote submissions. Settings come from the environment "
        "or a .env file (see .env.example).",
    )
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND", required=True)

    serve = sub.add_parser(
        "serve",
        help="run the bot (HTTP on $PORT, or Socket Mode when SLACK_APP_TOKEN is set)",
        description="Apply pending migrations, load the curated store if it changed, start the "
        "delivery scheduler, and serve Slack requests: Socket Mode when SLACK_APP_TOKEN is set (then $PORT "
        "serves GET /healthz only), otherwise HTTP on $PORT (POST /slack/events, GET /healthz). "
        "GET /metrics is served on $METRICS_PORT only.",
    )
    serve.add_argument("--port", type=int, help="override $PORT (default 3000)")
    serve.add_argument(
        "--host",
        help="interface to bind $PORT on (default 0.0.0.0 for HTTP; 127.0.0.1 in Socket Mode, where it "
        "serves only /healthz: use 0.0.0.0 for a health probe from outside the machine or container)",
    )
    serve.add_argument("--no-scheduler", action="store_true", help="serve requests only; deliver nothing")

    db = sub.add_parser("db", help="database commands", description="Database commands.")
    db_sub = db.add_subparsers(dest="db_cmd", metavar="COMMAND", required=True)
    db_sub.add_parser(
        "upgrade",
        help="apply the Alembic migrations to $DATABASE_URL",
        description="Apply every pending migration to $DATABASE_URL (safe to run from several replicas).",
    )
    db_sub.add_parser("current", help="print the database's migration revision", description="Print the revision.")

    quotes = sub.add_parser("quotes", help="curated store commands", description="Curated store commands.")
    q_sub = quotes.add_subparsers(dest="quotes_cmd", metavar="COMMAND", required=True)
    load = q_sub.add_parser(
        "load",
        help="validate and load the curated quotes and prompts",
        description="Validate the YAML files and upsert their quotes and prompts. Idempotent: a second "
        "run adds 0. Default PATH: $COACHBOT_QUOTES_PATH, else the store shipped with coachbot.",
    )
    load.add_argument("path", nargs="?", type=Path, help="a folder of YAML files, or one file")
    check = q_sub.add_parser(
        "check",
        help="check the curated store as CI does (no database needed)",
        description="Validate every entry, then the store as a whole: near-duplicate quotes or prompts, "
        "and the shelf minimums (selling quotes, prompts per skill and per theme). One line per problem; "
        "exit 1 if there is any. Default PATH: $COACHBOT_QUOTES_PATH, else the store shipped with coachbot.",
    )
    check.add_argument("path", nargs="?", type=Path, help="a folder of YAML files, or one file")
    check.add_argument(
        "--no-minimums", action="store_true", help="skip the minimum counts (e.g. when checking one file)"
    )

    run_due = sub.add_parser(
        "run-due",
        help="deliver everything due now (or at --at), once",
        description="Post every quote, prompt and follow-up due at the given instant, exactly once. "
        "The scheduler inside `serve` calls the same code every tick.",
    )
    run_due.add_argument("--at", help="ISO 8601 instant, e.g. 2026-11-30T08:00:00Z (default: now)")

    export = sub.add_parser(
        "export-notes",
        help="write one user's coaching notes as CSV (for an admin handling a data request)",
        description="Write every coaching note authored by --user in workspace --team as CSV "
        "(date, rep id, rep name, theme, follow-up, note) to --out or standard output. "
        "For data-subject requests; the user can also run /coach export themselves.",
    )
    export.add_argument("--team", required=True, help="the workspace (team) id, e.g. T012ABCDEF")
    export.add_argument("--user", required=True, help="the note author's user id, e.g. U012ABCDEF")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.add_argument("--tz", default="UTC", help="time zone for the dates (default UTC)")

    sub.add_parser(
        "doctor",
        help="check the installation: settings, database, Slack token and scopes, scheduler",
        description="An installer's checklist. Each line passes or fails; each failure says how to fix it. "
        "Exits 1 when anything fails.",
    )

    pg = sub.add_parser(
        "playground",
        help="try coachbot in your browser against a Slack stand-in: no Slack app, no settings",
        description="Run the real app (listeners, services, scheduler, database) against a small Slack "
        "stand-in and show it at http://127.0.0.1:3000/: #sales, #leadership and a DM with coachbot, "
        "the personas Ada (admin), Max (manager) and Riley (rep), modals, App Home, reactions and a "
        "clock you can move forward. Ignores .env and the Slack settings; never talks to Slack.",
    )
    pg.add_argument(
        "--db",
        metavar="FILE",
        help="the playground's SQLite file (default: $XDG_DATA_HOME/coachbot/playground.db, "
        "else ~/.local/share/coachbot/playground.db); Reset deletes it",
    )
    pg.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on: 127.0.0.1 only (the default); 0.0.0.0 is accepted inside a "
        "container only, for `docker run -p 3000:3000 coachbot playground --host 0.0.0.0`",
    )
    pg.add_argument("--port", type=int, default=3000, help="port to listen on (default 3000)")
    pg.add_argument(
        "--now",
        metavar="ISO8601",
        help="start the playground clock at this instant, e.g. 2026-11-30T12:00:00Z (default: the real time)",
    )
    pg.add_argument(
        "--log-level",
        default="WARNING",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="the app's log level on the console (default WARNING)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    load_dotenv(Path.cwd() / ".env")
    _drop_empty_variables(os.environ)
    args = _parser().parse_args(argv)
    if args.cmd == "playground":
        return _playground(args)
    try:
        settings = Settings.from_env(os.environ)
        logs.configure(settings)
        return _dispatch(args, settings)
    except ConfigError as err:
        if args.cmd == "doctor":
            # The checklist's first line: the settings themselves are what fails.
            print(f"[FAIL] settings are not valid: {err}")
            return 1
        logs.console_error(f"coachbot: {err}")
        return 2
    except StoreError as err:
        logs.console_error(f"coachbot: {err}")
        return 1
    except OperationalError as err:
        logs.console_error(
            f"coachbot: cannot reach the database ({type(err.orig).__name__}); check DATABASE_URL "
            "and that the server is running"
        )
        return 1
    except KeyboardInterrupt:
        return 130


def _drop_empty_variables(environ: MutableMapping[str, str]) -> None:
    """An empty variable counts as unset, for us and for every library that reads the environment.

    ``.env.example`` lists settings as ``NAME=``; python-dotenv loads those as empty strings, and
    some libraries test for presence, not value (Bolt switched to its file-based OAuth mode on an
    empty ``SLACK_CLIENT_ID``).
    """
    for name in [name for name, value in environ.items() if not value.strip()]:
        del environ[name]


def _playground(args: argparse.Namespace) -> int:
    """Before Settings: the playground generates its own and ignores .env, so nothing there
    (a real token, a half-filled file) can change or break it."""
    from bot.playground.run import playground

    try:
        return playground(db=args.db, host=args.host, port=args.port, now=args.now, log_level=args.log_level)
    except ConfigError as err:
        print(f"coachbot playground: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot.bootstrap import build_deps, prepare_database, store_root
    from bot.db import migrate

    if args.cmd == "export-notes":
        from bot.services import note_history

        deps = build_deps(settings)
        with deps.sessions.begin() as session:
            content, count = note_history.export_csv(
                session, team_id=args.team, author_id=args.user, tz=args.tz, full_columns=True
            )
        if args.out is not None:
            args.out.write_text(content, encoding="utf-8")
        else:
            sys.stdout.write(content)
        print(f"{count} note(s) by {args.user} in {args.team}", file=sys.stderr)
        return 0

    if args.cmd == "doctor":
        from bot.doctor import render, run_checks

        deps = build_deps(settings)
        ok = render(run_checks(settings, deps, datetime.now(UTC)), print)
        return 0 if ok else 1

    if args.cmd == "serve":
        from bot.serve import serve

        settings.require_slack()
        return serve(settings, host=args.host, port=args.port, scheduler=not args.no_scheduler)

    if args.cmd == "quotes" and args.quotes_cmd == "check":
        return _quotes_check(store_root(settings, args.path), minimums=not args.no_minimums)

    deps = build_deps(settings)
    if args.cmd == "db":
        if args.db_cmd == "upgrade":
            with migrate.startup_lock(deps.engine):
                migrate.upgrade(deps.engine)
            print(f"database at revision {migrate.current_revision(deps.engine)} (head {migrate.head_revision()})")
        else:
            print(migrate.current_revision(deps.engine) or "empty (run: coachbot db upgrade)")
        return 0

    if args.cmd == "quotes":
        from bot.services import store

        prepare_database(deps, load_store=False)
        root = store_root(settings, args.path)
        with deps.sessions.begin() as session:
            report = store.load_store(session, root)
        for error in report.errors:
            print(f"error: {error}", file=sys.stderr)
        print(
            f"{report.files} files: {report.added} added, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.retired} retired"
        )
        return 0 if report.ok else 1

    if args.cmd == "run-due":
        from bot.scheduling.run import run_due

        at = _parse_at(args.at) if args.at else datetime.now(UTC)
        prepare_database(deps)

        def _stop(signum: int, _frame: object) -> None:
            # Finish the posts in flight, start no new ones; the next run does the rest.
            deps.stopping.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        result = run_due(deps, at)
        print(result.summary())
        return 0 if not result.failed else 1
    raise AssertionError(args.cmd)


def _quotes_check(root: Path | Traversable, *, minimums: bool) -> int:
    from bot.services.store_check import check_store, summary_table

    report = check_store(root, minimums=minimums)
    for problem in report.problems:
        print(f"error: {problem}")
    if report.problems:
        print(
            f"quotes check: {len(report.problems)} problem(s) in {report.files} files "
            f"({report.quotes} quotes, {report.prompts} prompts)"
        )
        return 1
    print("\n".join(summary_table(report)))
    print(f"quotes check: OK ({report.quotes} quotes, {report.prompts} prompts)")
    return 0


def _parse_at(raw: str) -> datetime:
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--at {raw!r} is not an ISO 8601 instant; use e.g. --at 2026-11-30T08:00:00Z") from None
    if at.tzinfo is None:
        raise ConfigError(f"--at {raw!r} has no time zone; add one, e.g. --at {raw}Z or {raw}+01:00")
    return at.astimezone(UTC)


if __name__ == "__main__":
    sys.exit(main())
