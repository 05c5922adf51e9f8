"""Shared fixtures: a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL), the
fake Slack Web API, the real app served over HTTP, and a sender that signs like Slack.

The database is migrated and the curated store loaded once per session; each test then
starts from empty workspace tables (curated quotes and prompts stay).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, delete, make_url, text

from bot.bootstrap import build_deps, prepare_database
from bot.config import Settings
from bot.db.engine import Sessions, make_engine, make_sessions
from bot.db.models import Base, Quote
from tests.fakes.slack_api import FakeSlack
from tests.harness import BOT_TOKEN, SIGNING_SECRET, AppServer, SlackSender, TestClock

# Property tests judge answers, not speed: Hypothesis' default 200 ms deadline per example is a
# timed assertion, and it failed on a loaded machine. Speed lives in benchmarks/.
hypothesis_settings.register_profile("coachbot", deadline=None)
hypothesis_settings.load_profile("coachbot")

KEEP_TABLES = {"alembic_version", "prompts", "store_state"}


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker gets its own PostgreSQL database beside the one named
    (``test``, ``test_gw1``, ...): tests empty the tables before they start, so two workers
    must never share one. The first worker keeps the database as named."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("TEST_DATABASE_URL")
    if not worker or not url or worker == "gw0" or not url.startswith("postgresql"):
        return
    base = make_url(Settings.from_env({"DATABASE_URL": url}).database_url)
    own = base.set(database=f"{base.database}_{worker}")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": own.database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        admin.dispose()
    os.environ["TEST_DATABASE_URL"] = own.render_as_string(hide_password=False)


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return Settings.from_env({"DATABASE_URL": url}).database_url
    return f"sqlite:///{tmp_dir / 'coachbot-test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    settings = Settings.from_env({"DATABASE_URL": database_url})
    prepare_database(build_deps(settings, engine))
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> Iterator[Sessions]:
    _clean(engine)
    yield make_sessions(engine)


def _clean(engine: Engine) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP_TABLES and t.name != "quotes"]
    with engine.begin() as conn:
        # DELETE in dependency order, not TRUNCATE: on these near-empty tables it is about five
        # times faster on PostgreSQL (TRUNCATE rewrites each table's files), and this runs
        # before every test.
        for t in tables:
            conn.execute(delete(t))
        conn.execute(delete(Quote).where(Quote.team_id.is_not(None)))
        if engine.dialect.name == "postgresql":  # ids start at 1 again, as a fresh install's do
            for t in tables:
                if "id" in t.c:
                    conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), 1, false)"), {"t": t.name})


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    fake.start()
    fake.add_user("U1", name="ada", real_name="Ada Lovelace", tz="Europe/Berlin")
    fake.add_user("U2", name="bob", real_name="Bob Rep", tz="America/New_York")
    fake.add_user("U3", name="cy", real_name="Cy Rep", tz="America/New_York")
    fake.add_user("UADMIN", name="boss", real_name="Alex Admin", tz="America/New_York", is_admin=True)
    fake.add_channel("C1", name="general")
    yield fake
    fake.stop()


def make_settings(database_url: str, fake: FakeSlack, **env: str) -> Settings:
    base = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "COACHBOT_ADMINS": "UADMIN",
    }
    base.update(env)
    return Settings.from_env(base)


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
def app_server(
    database_url: str, sessions: Sessions, engine: Engine, fake_slack: FakeSlack, clock: TestClock
) -> Iterator[AppServer]:
    server = AppServer(make_settings(database_url, fake_slack), clock=clock)
    server.start(build_deps(server.settings, engine))
    yield server
    server.stop()


@pytest.fixture
def slack(app_server: AppServer, fake_slack: FakeSlack) -> SlackSender:
    return SlackSender(
        app_server.url, response_url=fake_slack.response_url, replies=fake_slack.responses, fake=fake_slack
    )


@pytest.fixture
def start_app(
    database_url: str, sessions: Sessions, engine: Engine, fake_slack: FakeSlack, clock: TestClock
) -> Iterator[Callable[..., SlackSender]]:
    """Start the app with extra settings (e.g. a review channel); returns a signed sender."""
    servers: list[AppServer] = []

    def start(**env: str) -> SlackSender:
        server = AppServer(make_settings(database_url, fake_slack, **env), clock=clock)
        server.start(build_deps(server.settings, engine))
        servers.append(server)
        return SlackSender(
            server.url, response_url=fake_slack.response_url, replies=fake_slack.responses, fake=fake_slack
        )

    yield start
    for server in servers:
        server.stop()


# Fixtures through which a test reaches the database under test.
_DATABASE_FIXTURES = frozenset({"database_url", "engine", "sessions"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In the PostgreSQL run, skip tests that never touch the database under test.

    The suite runs twice, on SQLite and on PostgreSQL. A parser, a block builder or a web-edge
    test that starts its own SQLite file gives the same answer both times, so it runs in the
    SQLite half only. Modules that pick PostgreSQL themselves (they read TEST_DATABASE_URL)
    always run.
    """
    if not os.environ.get("TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="does not touch the database under test: runs in the SQLite half")
    picks_its_own: dict[str, bool] = {}  # by module file: read each once, not once per test
    for item in items:
        module = getattr(item, "module", None)
        path = module.__file__ if module and module.__file__ else ""
        if path not in picks_its_own:
            picks_its_own[path] = bool(path) and "TEST_DATABASE_URL" in Path(path).read_text(encoding="utf-8")
        if not set(getattr(item, "fixturenames", ())) & _DATABASE_FIXTURES and not picks_its_own[path]:
            item.add_marker(skip)
