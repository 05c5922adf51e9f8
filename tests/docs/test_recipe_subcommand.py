"""CONTRIBUTING's "Add a subcommand" recipe, built from its text: the blocks go into a copy of
``bot/``, and that copy, run as ``coachbot serve``, answers ``/coach streak`` over signed HTTP
against the fake Slack. A recipe that no longer matches the code fails here."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db.engine import Sessions
from tests.docs import recipes
from tests.factories import make_manager, seed_note
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender
from tests.serve_process import ServeProcess, serve_env

SECTION = "Add a subcommand"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The project with the recipe applied, and the files it changed."""
    before = recipes.copy_project(tmp_path_factory.mktemp("before"))
    app = recipes.copy_project(tmp_path_factory.mktemp("app"))
    for step in recipes.steps(recipes.section(SECTION)):
        recipes.apply(app, step)
    return app, recipes.changed_files(before, app)


@pytest.fixture
def streak_app(
    built: tuple[Path, list[str]], database_url: str, sessions: Sessions, fake_slack: FakeSlack, tmp_path: Path
) -> Iterator[SlackSender]:
    app, _ = built
    env = serve_env(database_url, fake_slack, PYTHONPATH=str(app))
    proc = ServeProcess(tmp_path, env)
    proc.workdir = app  # ``python -m bot.cli`` from the copy: its bot/ comes first on sys.path
    proc.start()
    try:
        yield SlackSender(proc.url, response_url=fake_slack.response_url, replies=fake_slack.responses, fake=fake_slack)
    finally:
        proc.stop()


def test_the_recipe_names_three_files_and_changes_only_those(built: tuple[Path, list[str]]) -> None:
    named = [s.path for s in recipes.steps(recipes.section(SECTION))]
    _, changed = built
    assert len(named) == len(set(named)) <= 3
    assert changed == sorted(named)
    assert "bot/listeners/coaching/history.py" in changed  # appended to, not a new module


def test_streak_counts_consecutive_weeks_in_the_managers_zone(streak_app: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    now = datetime.now(UTC)  # `serve` reads the wall clock
    for weeks_ago in (0, 1, 2):
        seed_note(sessions, author="U1", created_at=now - timedelta(weeks=weeks_ago))
    seed_note(sessions, author="U1", created_at=now - timedelta(weeks=4))  # after a gap: not counted
    seed_note(sessions, author="U3", created_at=now - timedelta(weeks=3))  # someone else's
    # The checkout has no `/coach streak`: this answer comes from the copy the recipe built.
    answer = streak_app.command("/coach", "streak", user="U1").json()["text"]
    assert "3 weeks in a row" in answer


def test_streak_without_notes_says_how_to_start(streak_app: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    answer = streak_app.command("/coach", "streak", user="U1").json()["text"]
    assert "No coaching notes this week or last" in answer
    assert "`/coach @rep what you observed`" in answer


def test_streak_is_in_help_for_managers_only(streak_app: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    manager = streak_app.command("/coach", "help", user="U1").json()["text"]
    rep = streak_app.command("/coach", "help", user="U2").json()["text"]
    assert "`/coach streak` — Weeks in a row you've coached." in manager
    assert "/coach streak" not in rep


def test_a_typo_of_streak_gets_did_you_mean(streak_app: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    answer = streak_app.command("/coach", "streek", user="U1").json()["text"]
    assert "Did you mean `/coach streak`?" in answer
