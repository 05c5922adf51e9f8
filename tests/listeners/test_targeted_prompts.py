"""Targeted prompts and the full CSV export, over signed HTTP and run_due."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.db.engine import Sessions
from bot.scheduling.run import run_due
from tests.factories import blocks_of, buttons, make_manager, mention
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, TestClock
from tests.listeners.coaching_helpers import skill_id

MONDAY_0830_NEW_YORK = datetime(2026, 11, 30, 13, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def managers(sessions: Sessions) -> None:
    make_manager(sessions, "U1")


def test_with_ratings_the_prompt_names_the_most_overdue_rep_and_weakest_skill(
    slack: SlackSender, sessions: Sessions, app_server: AppServer, fake_slack: FakeSlack, clock: TestClock
) -> None:
    clock.now = MONDAY_0830_NEW_YORK - timedelta(days=10)
    slack.command("/coach", f"{mention('U2', 'bob')} closing 1 never asked for the order")
    slack.command("/coach", f"{mention('U2', 'bob')} discovery 4 good questions")
    clock.now = MONDAY_0830_NEW_YORK - timedelta(days=2)
    slack.command("/coach", f"{mention('U3', 'cy')} demo 2 rushed demo")  # noted more recently
    slack.command("/coach", "prompts 08:30 America/New_York weekdays")
    assert app_server.deps is not None
    clock.now = MONDAY_0830_NEW_YORK
    assert run_due(app_server.deps, MONDAY_0830_NEW_YORK).sent == 1
    (post,) = fake_slack.posts("DU1")
    text = json.dumps(blocks_of(post), ensure_ascii=False)
    assert post.get("text") == "Coaching prompt: <@U2>, Closing"
    assert "hasn't had a note in 10 days" in text and "*Closing* (1.0)" in text
    log = buttons(blocks_of(post))["coach_log_note_rep"]
    assert json.loads(log["value"]) == {"rep": "U2", "skill": skill_id(sessions, "closing")}
    assert log["text"]["text"] == "Log a note on Bob Rep"


def test_without_ratings_the_theme_rotation_stays(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack, clock: TestClock
) -> None:
    slack.command("/coach", f"{mention('U2')} plain note without a skill")
    slack.command("/coach", "prompts 08:30 America/New_York weekdays")
    assert app_server.deps is not None
    run_due(app_server.deps, MONDAY_0830_NEW_YORK)
    (post,) = fake_slack.posts("DU1")
    assert post.get("text").startswith("Coaching prompt (")
    assert "coach_log_note" in buttons(blocks_of(post))


def test_export_carries_skill_rating_edits_and_action_items(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/coach", f"{mention('U2')} discovery 3 asked great questions")
    slack.command("/coach", f"todo {mention('U2')} =HYPERLINK(evil) send the recap by 2026-12-04")
    slack.command("/coach", "export")
    (upload,) = fake_slack.wait_for("files.completeUploadExternal")
    content = next(iter(fake_slack.uploads.values())).decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[1][6:10] == ["discovery", "3", "", "note"]
    item = rows[2]
    assert item[5] == "'=HYPERLINK(evil) send the recap" and item[9:12] == ["action item", "2026-12-04", "open"]
    assert upload.ok
