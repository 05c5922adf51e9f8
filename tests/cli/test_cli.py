"""The coachbot command as an operator uses it: real subprocesses, real databases."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bot.db.models import Prompt, Quote
from bot.services.store import default_store
from tests.fresh_wheel import install_fresh_wheel

SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID")


def coachbot(
    *args: str, env: dict[str, str] | None = None, cwd: Path, python: str = sys.executable
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in SLACK_VARS and not k.startswith("COACHBOT_")}
    base.pop("DATABASE_URL", None)
    base.update(env or {})
    return subprocess.run(
        [python, "-m", "bot.cli", *args], env=base, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A brand-new PostgreSQL database, dropped afterwards (only when the suite runs on PG)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL run only: set TEST_DATABASE_URL (CI does)")
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    name = f"coachbot_cli_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_serve_without_slack_settings_prints_one_clear_line(tmp_path: Path, sqlite_url: str) -> None:
    result = coachbot("serve", env={"DATABASE_URL": sqlite_url}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_SIGNING_SECRET" in lines[0] and ".env" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"COACHBOT_ADMINS": "bob"}, "COACHBOT_ADMINS"),
        ({"SLACK_BOT_TOKEN": "not-a-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_CLIENT_ID": "123.456"}, "SLACK_CLIENT_SECRET"),
    ],
)
def test_invalid_setting_names_the_variable(tmp_path: Path, env: dict[str, str], names: str) -> None:
    result = coachbot("serve", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert names in result.stderr and "Traceback" not in result.stderr


def test_help_at_every_level(tmp_path: Path) -> None:
    for args in ([], ["serve"], ["db"], ["db", "upgrade"], ["quotes"], ["quotes", "load"], ["run-due"]):
        result = coachbot(*args, "--help", cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr)
        assert "usage: coachbot" in result.stdout
    assert "--at" in coachbot("run-due", "--help", cwd=tmp_path).stdout


def test_db_upgrade_on_sqlite(tmp_path: Path, sqlite_url: str) -> None:
    result = coachbot("db", "upgrade", env={"DATABASE_URL": sqlite_url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from schedules")).scalar() == 0
    again = coachbot("db", "upgrade", env={"DATABASE_URL": sqlite_url}, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == result.stdout


def test_db_upgrade_on_postgresql(tmp_path: Path, fresh_pg_url: str) -> None:
    result = coachbot("db", "upgrade", env={"DATABASE_URL": fresh_pg_url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    engine = create_engine(fresh_pg_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        tables = set(conn.execute(text("select tablename from pg_tables where schemaname='public'")).scalars())
    engine.dispose()
    assert {"quotes", "schedules", "deliveries", "notes", "submissions", "slack_installations"} <= tables


def test_concurrent_upgrades_on_postgresql_migrate_once(tmp_path: Path, fresh_pg_url: str) -> None:
    env = {**{k: v for k, v in os.environ.items() if k not in SLACK_VARS}, "DATABASE_URL": fresh_pg_url}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "db", "upgrade"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs


def test_quotes_load_is_idempotent(tmp_path: Path, sqlite_url: str) -> None:
    first = coachbot("quotes", "load", env={"DATABASE_URL": sqlite_url}, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = coachbot("quotes", "load", env={"DATABASE_URL": sqlite_url}, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert " 0 added, 0 updated" in second.stdout
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        quotes = conn.execute(select(func.count()).select_from(Quote)).scalar_one()
        prompts = conn.execute(select(func.count()).select_from(Prompt)).scalar_one()
    assert f"{quotes + prompts} unchanged" in second.stdout
    assert quotes >= 166 and prompts >= 60


def test_edited_entry_is_updated_not_duplicated(tmp_path: Path, sqlite_url: str) -> None:
    store = tmp_path / "store"
    shutil.copytree(str(default_store()), store, ignore=shutil.ignore_patterns("__*"))
    env = {"DATABASE_URL": sqlite_url}
    assert coachbot("quotes", "load", str(store), env=env, cwd=tmp_path).returncode == 0
    seed = store / "seed-article.yaml"
    original = "A leader is a dealer in hope."
    assert original in seed.read_text()
    seed.write_text(seed.read_text().replace(original, "A leader is a dealer in hope, always."))
    result = coachbot("quotes", "load", str(store), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 added, 1 updated" in result.stdout
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Quote.text).where(Quote.text.like("A leader is a dealer in hope%"))).scalars().all()
    assert rows == ["A leader is a dealer in hope, always."]


def test_bad_entry_names_file_and_entry_and_loads_nothing_from_it(tmp_path: Path, sqlite_url: str) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "good.yaml").write_text(
        'quotes:\n  - id: good-one\n    text: "You manage things; you lead people."\n    author: Grace Hopper\n'
        "    confidence: attributed\n    tags: [leadership]\n"
    )
    (store / "bad.yaml").write_text(
        'quotes:\n  - id: fine-entry\n    text: "Leadership is action, not position."\n    author: Donald McGannon\n'
        "    confidence: attributed\n    tags: [leadership]\n"
        '  - id: broken-entry\n    text: "short"\n    author: Someone\n    confidence: attributed\n    tags: [leadership]\n'
    )
    result = coachbot("quotes", "load", str(store), env={"DATABASE_URL": sqlite_url}, cwd=tmp_path)
    assert result.returncode == 1
    assert "bad.yaml: entry 'broken-entry'" in result.stderr and "10-500" in result.stderr
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        keys = set(conn.execute(select(Quote.curated_key)).scalars())
    assert keys == {"good-one"}


def test_run_due_rejects_a_bad_instant(tmp_path: Path, sqlite_url: str) -> None:
    result = coachbot("run-due", "--at", "tomorrow 9", env={"DATABASE_URL": sqlite_url}, cwd=tmp_path)
    assert result.returncode == 2
    assert "--at" in result.stderr and "2026-11-30T08:00:00Z" in result.stderr


def test_non_editable_install_in_a_fresh_venv_works_from_any_directory(tmp_path: Path) -> None:
    """`pip install .` (not editable) ships the curated store and the migrations."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("packaging does not depend on the database; checked in the SQLite run")
    vpy, _wheel = install_fresh_wheel(tmp_path)
    venv = vpy.parent.parent
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"DATABASE_URL": f"sqlite:///{elsewhere / 'x.db'}", "PYTHONPATH": ""}
    result = coachbot("quotes", "load", env=env, cwd=elsewhere, python=str(vpy))
    assert result.returncode == 0, result.stderr
    assert "added" in result.stdout and " 0 added" not in result.stdout
    where = subprocess.run(
        [str(vpy), "-c", "import bot; print(bot.__file__)"], capture_output=True, text=True, cwd=elsewhere
    )
    assert str(venv) in where.stdout
