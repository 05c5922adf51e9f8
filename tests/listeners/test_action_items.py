"""Action items over signed HTTP: /coach todo, the rep's DM and buttons, /coach todos, the
reminder on the due date, and what delete all leaves behind."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.engine import Sessions
from bot.scheduling.run import run_due
from tests.factories import buttons, make_manager, mention, seed_note
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, TestClock, ephemeral_text
from tests.listeners.coaching_helpers import dm_posts, everything_sent, items


@pytest.fixture(autouse=True)
def managers(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U3")


def assign(slack: SlackSender, text: str = "send the Acme recap by fri", rep: str = "U2") -> str:
    return ephemeral_text(slack.command("/coach", f"todo {mention(rep)} {text}"))


def test_todo_dms_the_rep_with_got_it_and_done(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    seed_note(sessions, text="PRIVATE: bob fumbled pricing")
    reply = assign(slack)
    (item,) = items(sessions)
    assert (item.rep_id, item.assigner_id, item.text, item.status) == ("U2", "U1", "send the Acme recap", "open")
    assert item.due_on == date(2026, 12, 4)  # Monday 30 Nov -> the next Friday
    assert f"Action item *#{item.id}* for <@U2>" in reply
    (dm,) = dm_posts(fake_slack, "U2", count=1)
    blocks = dm.json("blocks")
    assert set(buttons(blocks)) == {"coach_todo_ack", "coach_todo_done"}
    sent = everything_sent(fake_slack, "U2")
    assert "send the Acme recap" in sent and "<@U1>" in sent and "PRIVATE" not in sent
    deadline = time.monotonic() + 5  # the DM is recorded right after it is posted, after the ack
    while items(sessions)[0].dm_ts is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert items(sessions)[0].dm_ts == dm.response["ts"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "Usage: `/coach todo @rep"),
        ("bob send it", "is not a mention"),
        ("<@U2> by fri", "Write what the rep should do"),
        ("<@U2> send it by 2026-02-30", "2026-02-30"),
        ("<@U2> " + "x" * 1001, "the limit is 1,000"),
        ("<@U1> note to self", "for a rep, not for you"),
    ],
)
def test_bad_todos_are_refused_with_an_example(slack: SlackSender, sessions: Sessions, text: str, problem: str) -> None:
    reply = ephemeral_text(slack.command("/coach", f"todo {text}".strip()))
    assert problem in reply and "/coach todo @bob" in reply
    assert items(sessions) == []


def test_a_rep_cannot_assign_todos(slack: SlackSender, sessions: Sessions) -> None:
    reply = ephemeral_text(slack.command("/coach", f"todo {mention('U3')} do it", user="U2"))
    assert "manager" in reply
    assert items(sessions) == []


def test_got_it_then_done_tells_the_manager_once(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    assign(slack)
    item_id = str(items(sessions)[0].id)
    slack.block_action("coach_todo_ack", item_id, user="U2", channel="D1")
    fake_slack.wait_for("response_url", count=1)
    assert items(sessions)[0].status == "acknowledged"
    slack.block_action("coach_todo_done", item_id, user="U2", channel="D1")
    (done_dm,) = dm_posts(fake_slack, "U1", count=1)
    assert "<@U2> finished" in done_dm.params["text"]
    assert items(sessions)[0].status == "done"
    slack.block_action("coach_todo_done", item_id, user="U2", channel="D1")  # pressed twice
    fake_slack.wait_for("response_url", count=3)
    assert len(dm_posts(fake_slack, "U1")) == 1


def test_only_the_rep_can_press_the_buttons(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    assign(slack)
    item_id = str(items(sessions)[0].id)
    slack.block_action("coach_todo_done", item_id, user="U3")
    answer = fake_slack.wait_for("response_url")[-1].params
    assert isinstance(answer, dict) and "only they can" in answer["text"]
    assert items(sessions)[0].status == "open"


def test_todos_lists_mine_and_the_ones_i_assigned(slack: SlackSender, sessions: Sessions) -> None:
    assign(slack, "send the Acme recap by fri")
    assign(slack, "book the QBR", rep="U3")
    rep_view = ephemeral_text(slack.command("/coach", "todos", user="U2"))  # a rep, not a manager
    assert "send the Acme recap" in rep_view and "book the QBR" not in rep_view
    assert "/coach todo" not in rep_view and "You assigned" not in rep_view  # a rep can't assign
    mine = ephemeral_text(slack.command("/coach", "todos"))
    assert "You assigned* (2)" in mine and "send the Acme recap" in mine and "book the QBR" in mine


def test_the_rep_gets_one_reminder_at_nine_on_the_due_date(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, app_server: AppServer, clock: TestClock
) -> None:
    assign(slack, "send the Acme recap by 2026-12-02")
    dm_posts(fake_slack, "U2", count=1)
    deps = app_server.deps
    assert deps is not None
    at = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)  # 09:00 in New York, bob's zone
    clock.now = at
    run_due(deps, at)
    run_due(deps, at)  # a second run sends nothing more
    texts = [c.params["text"] for c in dm_posts(fake_slack, "U2")]
    assert len(texts) == 2 and texts[1].startswith("Due today")


def test_delete_all_removes_items_and_the_reps_buttons_say_removed(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    assign(slack)  # an action item but no notes
    item_id = str(items(sessions)[0].id)
    body = slack.command("/coach", "delete all").json()
    assert "1 action item" in body["text"]
    confirm = buttons(body["blocks"])["coach_delete_all_confirm"]
    slack.block_action("coach_delete_all_confirm", confirm["value"])
    answer = fake_slack.wait_for("response_url")[-1].params
    assert isinstance(answer, dict) and "Deleted 1 action item" in answer["text"]
    assert items(sessions) == []
    slack.block_action("coach_todo_done", item_id, user="U2", channel="D1")
    removed = fake_slack.wait_for("response_url", count=2)[-1].params
    assert isinstance(removed, dict) and "was removed" in removed["text"]
    assert len(dm_posts(fake_slack, "U2")) == 1  # the rep's DM stays; nothing new is sent


def test_a_forged_item_id_answers_removed(slack: SlackSender, fake_slack: FakeSlack) -> None:
    for value in ("999999", "abc", "-1", "99999999999999"):
        slack.block_action("coach_todo_ack", value, user="U2")
    answers = [c.params for c in fake_slack.wait_for("response_url", count=4)]
    assert all(isinstance(a, dict) and "removed" in a["text"] for a in answers)


def test_other_workspace_items_are_invisible(slack: SlackSender, sessions: Sessions) -> None:
    from tests.services.coaching_factories import seed_item

    seed_item(sessions, team_id="T2", rep="U2", assigner="U1", text="other workspace secret")
    text = ephemeral_text(slack.command("/coach", "todos", user="U2"))
    assert "other workspace secret" not in text and "nothing open" in text
    assert items(sessions, team_id="T1") == []


def test_overview_shows_open_and_overdue_items(slack: SlackSender, sessions: Sessions, clock: TestClock) -> None:
    slack.command("/coach", f"{mention('U2')} discovery 3 asked good questions")
    assign(slack, "send the recap by 2026-12-01")
    assign(slack, "book the QBR", rep="U3")
    clock.now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)  # past bob's due date in New York
    text = ephemeral_text(slack.command("/coach", "overview"))
    assert "*Action items you assigned*: 2 open, *1 overdue*: <@U2> (1)" in text


def test_a_flood_of_todos_for_one_rep_stops_at_the_limit(
    start_app: Callable[..., SlackSender], sessions: Sessions
) -> None:
    from bot.services.action_items import MAX_OPEN_PER_REP

    slack = start_app(COACHBOT_MAX_ITEM_DMS_PER_DAY="100")  # the open cap, not the DM budget
    for i in range(MAX_OPEN_PER_REP):
        assert "Action item" in assign(slack, f"task {i}")
    refused = assign(slack, "one too many")
    assert f"already has {MAX_OPEN_PER_REP} unfinished action items" in refused
    assert len(items(sessions)) == MAX_OPEN_PER_REP


# --- the rep's DM budget ----------------------------------------------------------------------


def _delete_all(slack: SlackSender, fake_slack: FakeSlack, user: str = "U1") -> None:
    body = slack.command("/coach", "delete all", user=user).json()
    confirm = buttons(body["blocks"])["coach_delete_all_confirm"]
    slack.block_action("coach_delete_all_confirm", confirm["value"], user=user)
    fake_slack.wait_for("response_url")


def test_a_reps_dm_budget_counts_every_manager_and_delete_all_refunds_nothing(
    start_app: Callable[..., SlackSender], sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    """Before: the 25-open cap reset with "delete all"; one manager sent 75 DMs in 6 seconds."""
    slack = start_app(COACHBOT_MAX_ITEM_DMS_PER_DAY="3")
    assert "Action item" in assign(slack, "task 1")  # 12:00
    clock.now += timedelta(hours=1)
    assert "Action item" in ephemeral_text(slack.command("/coach", f"todo {mention('U2')} task 2", user="U3"))
    clock.now += timedelta(hours=1)
    assert "Action item" in assign(slack, "task 3")  # 14:00
    _delete_all(slack, fake_slack)
    assert [i.text for i in items(sessions)] == ["task 2"]  # U1's two are gone...
    refused = assign(slack, "task 4")  # ...and still count: the DMs were sent
    assert "<@U2> already got 3 action items by DM in the last 24 hours" in refused
    assert "from all managers together" in refused and "nothing was created" in refused
    assert "2026-12-01 12:00 UTC" in refused and "(in 22 h 00 min)" in refused  # when the first one frees up
    refused_u3 = ephemeral_text(slack.command("/coach", f"todo {mention('U2')} task 5", user="U3"))
    assert "already got 3 action items" in refused_u3
    assert "Action item" in assign(slack, "for someone else", rep="U3")  # the budget is per rep
    assert len(dm_posts(fake_slack, "U2", count=3)) == 3
    clock.now = datetime(2026, 12, 1, 12, 1, tzinfo=UTC)
    assert "Action item" in assign(slack, "task 6")  # a day after the first DM, its place is free
    assert "already got 3" in assign(slack, "task 7")


def test_the_note_forms_action_item_over_the_budget_is_refused_before_the_note_is_saved(
    start_app: Callable[..., SlackSender], sessions: Sessions
) -> None:
    from bot.db.models import Note
    from tests.listeners.test_note_ratings_and_edits import form_values

    slack = start_app(COACHBOT_MAX_ITEM_DMS_PER_DAY="1")
    assign(slack, "task 1")
    resp = slack.view_submission("coach_note_modal", form_values("U2", "a note with an item", item="send the deck"))
    assert resp.json()["response_action"] == "errors"
    assert "<@U2> already got 1 action item by DM" in resp.json()["errors"]["action_item"]
    with sessions.begin() as session:
        assert session.scalar(select(func.count(Note.id))) == 0  # nothing left behind to save twice
    assert len(items(sessions)) == 1


def test_concurrent_todos_from_two_managers_never_pass_the_budget(
    start_app: Callable[..., SlackSender], sessions: Sessions
) -> None:
    slack = start_app(COACHBOT_MAX_ITEM_DMS_PER_DAY="5")

    def send(n: int) -> str:
        user = "U1" if n % 2 else "U3"
        return ephemeral_text(slack.command("/coach", f"todo {mention('U2')} burst {n}", user=user))

    with ThreadPoolExecutor(max_workers=12) as pool:
        replies = list(pool.map(send, range(24)))
    assert sum("Action item *#" in r for r in replies) == 5
    assert all("Action item *#" in r or "already got 5 action items" in r for r in replies)
    assert len(items(sessions, rep_id="U2")) == 5
