"""The rubric, the rep card, leaders and the digest over signed HTTP, with who may see what."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.blocks.digest import LEADER_VIEW_HELP
from bot.db.engine import Sessions
from bot.db.models import Schedule
from bot.scheduling.run import run_due
from tests.factories import buttons, make_manager, mention, view_of
from tests.fakes.slack_api import Call, FakeSlack
from tests.harness import AppServer, SlackSender, TestClock, ephemeral_text
from tests.listeners.coaching_helpers import dm_posts, everything_sent, make_leader, skill_id, view_blocks

SECRET = "PRIVATE-NOTE-TEXT bob cried on the call"


@pytest.fixture(autouse=True)
def managers(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U3")


# --- the rubric -------------------------------------------------------------------------------


def test_anyone_lists_the_default_rubric(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/coach", "skills", user="U2"))  # a rep
    for name in (
        "prospecting",
        "discovery",
        "demo",
        "objection-handling",
        "negotiation",
        "closing",
        "pipeline",
        "product-knowledge",
    ):
        assert f"`{name}`" in text
    assert "Admins can add" in text


def test_admins_add_rename_and_remove_skills_and_history_stays(slack: SlackSender, sessions: Sessions) -> None:
    assert "Added `cold-calling`" in ephemeral_text(slack.command("/coach", "skills add Cold Calling", user="UADMIN"))
    renamed = ephemeral_text(slack.command("/coach", "skills rename demo product-demo", user="UADMIN"))
    assert "Renamed `demo` to `product-demo`" in renamed
    slack.command("/coach", f"{mention('U2')} pipeline 2 thin pipeline for Q1")
    pipeline = skill_id(sessions, "pipeline")
    removed = ephemeral_text(slack.command("/coach", "skills remove pipeline", user="UADMIN"))
    assert "Removed `pipeline`" in removed
    listing = ephemeral_text(slack.command("/coach", "skills"))
    assert "`pipeline`" not in listing and "`product-demo`" in listing and "`cold-calling`" in listing
    card = ephemeral_text(slack.command("/coach", f"rep {mention('U2')}"))
    assert "Pipeline" in card and "(removed)" in card  # the removed skill keeps its history
    assert skill_id(sessions, "pipeline") == pipeline


@pytest.mark.parametrize("change", ["skills add cold-calling", "skills remove demo", "skills rename demo x"])
def test_a_manager_cannot_change_the_rubric(slack: SlackSender, change: str) -> None:
    text = ephemeral_text(slack.command("/coach", change))
    assert "Only admins can change the skill rubric" in text and "Nothing was changed" in text
    assert "`demo`" in ephemeral_text(slack.command("/coach", "skills"))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("skills frob", "takes `add`"),
        ("skills add", "Name the skill"),
        ("skills add de\u00admo", "already a skill"),
        ("skills add d\u0435mo", "can't be a skill"),
        ("skills add " + "x" * 50, "at most 40"),
        ("skills rename demo", "old name and the new one"),
    ],
)
def test_bad_rubric_changes_are_explained(slack: SlackSender, change: str, problem: str) -> None:
    assert problem in ephemeral_text(slack.command("/coach", change, user="UADMIN"))


# --- the rep card -----------------------------------------------------------------------------


def test_rep_card_shows_trends_weakest_items_and_only_my_notes(slack: SlackSender, sessions: Sessions) -> None:
    for rating in (2, 3, 4):
        slack.command("/coach", f"{mention('U2')} discovery {rating} better questions")
    slack.command("/coach", f"{mention('U2')} closing 1 never asked for the deal")
    slack.command("/coach", f"todo {mention('U2')} practise the close by 2026-11-30")
    slack.command("/coach", f"{mention('U2')} {SECRET}", user="U3")  # another manager's note
    body = slack.command("/coach", f"rep {mention('U2')}").json()
    text = ephemeral_text_of(body)
    assert "▃▅▆ *Discovery*" in text  # a sparkline of 2, 3, 4
    assert "Discovery* 3.0 (3 ratings)" in text and "Closing* 1.0 (1 rating so far)  ← weakest" in text
    assert not re.search("`[▁-█ ]", text)  # no code span: one bar in one looked like a broken red box
    assert "1 open" in text
    assert SECRET not in text and "4 notes" in text
    log = buttons(body["blocks"])["coach_log_note_rep"]
    assert json.loads(log["value"]) == {"rep": "U2", "skill": skill_id(sessions, "closing")}


def ephemeral_text_of(body: dict[str, object]) -> str:
    return str(body.get("text")) + json.dumps(body.get("blocks"), ensure_ascii=False)


def test_log_a_note_on_the_card_opens_the_form_pre_filled(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/coach", f"{mention('U2')} closing 1 never asked for the deal")
    closing = skill_id(sessions, "closing")
    slack.block_action("coach_log_note_rep", json.dumps({"rep": "U2", "skill": closing}))
    blocks = view_blocks(view_of(fake_slack.wait_for("views.open")[0]))
    assert blocks["rep"]["element"]["initial_user"] == "U2"
    assert blocks["skill"]["element"]["initial_option"]["value"] == str(closing)


def test_a_rep_cannot_see_a_card(slack: SlackSender) -> None:
    slack.command("/coach", f"{mention('U3')} {SECRET}")
    text = ephemeral_text(slack.command("/coach", f"rep {mention('U3')}", user="U2"))
    assert SECRET not in text and "manager" in text


@pytest.mark.parametrize(
    ("args", "problem"), [("", "Name one rep"), ("bob", "not a mention"), ("<@U2> <@U3>", "Name one rep")]
)
def test_bad_rep_arguments_are_explained(slack: SlackSender, args: str, problem: str) -> None:
    text = ephemeral_text(slack.command("/coach", f"rep {args}".strip()))
    assert problem in text and "/coach rep @bob" in text


# --- leaders ----------------------------------------------------------------------------------


def test_admins_name_and_remove_leaders(slack: SlackSender, sessions: Sessions) -> None:
    added = ephemeral_text(slack.command("/coach", f"leaders add {mention('U3')}", user="UADMIN"))
    assert "Added as leaders: <@U3>" in added
    assert "<@U3>" in ephemeral_text(slack.command("/coach", "leaders", user="UADMIN"))
    slack.command("/coach", "digest weekly mon 08:00 Europe/Berlin", user="U3")
    removed = ephemeral_text(slack.command("/coach", f"leaders remove {mention('U3')}", user="UADMIN"))
    assert "Removed as leaders: <@U3>" in removed
    with sessions.begin() as session:
        from sqlalchemy import select

        schedule = session.scalars(select(Schedule).where(Schedule.kind == "digest")).one()
        assert schedule.active is False  # a removed leader's digest stops


def test_a_manager_cannot_name_leaders(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", f"leaders add {mention('U1')}"))
    assert "Only admins" in text
    assert "not one" in ephemeral_text(slack.command("/coach", "digest now"))


# --- the digest -------------------------------------------------------------------------------


def test_help_tells_managers_exactly_what_leaders_see(slack: SlackSender) -> None:
    assert LEADER_VIEW_HELP in ephemeral_text(slack.command("/coach", "help"))


def test_digest_now_dms_counts_and_never_a_note(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    make_leader(sessions, "U2")
    for rating in (2, 3, 4):
        slack.command("/coach", f"{mention('U3', 'cy')} discovery {rating} {SECRET} {rating}")
    slack.command("/coach", f"todo {mention('U3')} {SECRET} homework")
    clock.now += timedelta(days=2)  # Wednesday: the week with the ratings is not over yet
    reply = ephemeral_text(slack.command("/coach", "digest now", user="U2"))
    assert reply == ":bar_chart: Sending you the coaching digest by DM."  # what leaders see: in help, not here
    assert len(dm_posts(fake_slack, "U2", count=1)) == 1
    sent = everything_sent(fake_slack, "U2")
    assert "<@U1>: 3 notes in 7 days, 3 in 30" in sent and "Discovery" not in sent
    clock.now += timedelta(days=5)  # the next Monday: that week is over
    slack.command("/coach", "digest now", user="U2")
    dm_posts(fake_slack, "U2", count=2)
    sent = everything_sent(fake_slack, "U2")
    assert "Discovery: 3.0" in sent and "ratings" not in json.dumps(dm_posts(fake_slack, "U2")[-1].params["text"])
    assert "PRIVATE" not in sent and "cried" not in sent and "homework" not in sent
    assert "3/5" not in sent  # no single rating


def test_weekly_digest_is_scheduled_and_sent_once_on_monday(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, app_server: AppServer, clock: TestClock
) -> None:
    slack.command("/coach", f"{mention('U2')} discovery 2 {SECRET}")
    saved = ephemeral_text(slack.command("/coach", "digest weekly mon 08:00 Europe/Berlin", user="UADMIN"))
    assert "You'll get the coaching digest by DM Mon at 08:00 Europe/Berlin" in saved
    deps = app_server.deps
    assert deps is not None
    at = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # Monday 08:00 in Berlin
    clock.now = at
    run_due(deps, at)
    run_due(deps, at + timedelta(minutes=5))
    (dm,) = dm_posts(fake_slack, "UADMIN")
    assert dm.params["text"].startswith("Coaching digest")
    assert "PRIVATE" not in everything_sent(fake_slack, "UADMIN")


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ("weekly 08:00", "one day of the week"),
        ("weekly mon", "time"),
        ("monthly", "takes `now`"),
        ("now please", "nothing after"),
    ],
)
def test_bad_digest_commands_are_explained(slack: SlackSender, sessions: Sessions, args: str, problem: str) -> None:
    text = ephemeral_text(slack.command("/coach", f"digest {args}", user="UADMIN"))
    assert problem in text
    with sessions.begin() as session:
        from sqlalchemy import func, select

        assert session.scalar(select(func.count(Schedule.id))) == 0


# --- the digest under differencing ------------------------------------------------------------
#
# A leader may ask for the digest as often as they like. The test below plays one timeline
# (ratings, asks, a week boundary, a deletion) in several "worlds" at once, one skill each, that
# differ only in the ratings. A rating is given away when every world in which it differs
# shows the leader a different sequence of figures for its skill: from what they saw, the
# leader can tell it apart. It must never be: for each rating some other world, with that
# rating changed (alone, or with a neighbour changed the other way), looks exactly the same.

BASE = (3, 4, 2, 2, 4, 3)  # ratings a..f, in the order they are written


def _worlds() -> list[tuple[int, ...]]:
    worlds: list[tuple[int, ...]] = [BASE]
    for i, r in enumerate(BASE):  # one rating changed
        worlds.append((*BASE[:i], r + 1 if r < 5 else r - 1, *BASE[i + 1 :]))
    for i in range(len(BASE) - 1):  # two neighbours changed, their sum kept
        up = list(BASE)
        up[i], up[i + 1] = up[i] + 1, up[i + 1] - 1
        if not all(1 <= r <= 5 for r in up):
            up[i], up[i + 1] = BASE[i] - 1, BASE[i + 1] + 1
        worlds.append(tuple(up))
    return worlds


def _figures(dm: Call) -> dict[str, str]:
    """What one digest DM says per world skill ("World 03" -> "3.0 (▲0.2)")."""
    found = {}
    for block in dm.json("blocks"):
        for line in str((block.get("text") or {}).get("text") or "").splitlines():
            match = re.match(r"• (World \d\d): (.*)$", line)
            if match:
                found[match.group(1)] = match.group(2)
    return found


def test_no_sequence_of_digests_gives_a_single_rating_away(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    """Before: "3.3 from 3 ratings" then "2.8 from 4 ratings" told the leader the new rating was 1."""
    make_leader(sessions, "U2")
    worlds = _worlds()
    names = [f"world-{k:02d}" for k in range(1, len(worlds) + 1)]
    for name in names:
        assert "Added" in ephemeral_text(slack.command("/coach", f"skills add {name}", user="UADMIN"))
    notes: dict[tuple[int, int], int] = {}  # (world, rating index) -> note id
    asked = 0

    def rate(i: int) -> None:
        for w, name in enumerate(names):
            text = ephemeral_text(slack.command("/coach", f"{mention('U3')} {name} {worlds[w][i]} call {i}"))
            notes[w, i] = int(re.search(r"#(\d+)", text).group(1))  # type: ignore[union-attr]

    def ask(at: str) -> None:
        nonlocal asked
        clock.set(at)
        slack.command("/coach", "digest now", user="U2")
        asked += 1
        dm_posts(fake_slack, "U2", count=asked)

    for i, at in enumerate(("2026-11-30T12:00:00Z", "2026-11-30T13:00:00Z", "2026-11-30T14:00:00Z")):
        clock.set(at)
        rate(i)  # a, b, c: exactly three in one week
        ask(at)
        ask(at)  # asking again at once
    ask("2026-12-01T09:00:00Z")
    ask("2026-12-07T00:00:00Z")  # the week boundary
    clock.set("2026-12-07T12:00:00Z")
    rate(3)  # d
    ask("2026-12-07T12:30:00Z")
    clock.set("2026-12-08T12:00:00Z")
    rate(4)  # e
    ask("2026-12-08T12:30:00Z")
    clock.set("2026-12-09T12:00:00Z")
    for w in range(len(worlds)):
        assert "Deleted" in ephemeral_text(slack.command("/coach", f"delete {notes[w, 0]}"))  # a goes
    ask("2026-12-09T12:30:00Z")
    ask("2026-12-14T08:00:00Z")
    clock.set("2026-12-14T12:00:00Z")
    rate(5)  # f
    for at in ("2026-12-14T12:30:00Z", "2026-12-21T08:00:00Z", "2026-12-28T08:00:00Z", "2027-01-11T08:00:00Z"):
        ask(at)

    digests = [_figures(c) for c in dm_posts(fake_slack, "U2")]
    assert len(digests) == asked
    seen = {w: tuple(d.get(f"World {w + 1:02d}", "") for d in digests) for w in range(len(worlds))}
    assert seen[0][-3:] == ("3.0", "3.0", "3.0 (±0.0)"), seen[0]  # the figures are still there
    determined = [
        "abcdef"[i]
        for i in range(len(BASE))
        if all(seen[w] != seen[0] for w in range(1, len(worlds)) if worlds[w][i] != BASE[i])
    ]
    assert determined == [], f"ratings {determined} can be told from the digests: {seen[0]}"


def test_a_leader_who_also_coaches_cannot_subtract_their_own_ratings(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    """Before: U1 rated 2 and 4, saw "3.0 from 3 ratings" and knew U3's rating was 3."""
    make_leader(sessions, "U1")
    make_leader(sessions, "U2")
    for rating in (2, 4):
        assert "Saved" in ephemeral_text(slack.command("/coach", f"{mention('U2')} discovery {rating} call"))
    assert "Saved" in ephemeral_text(slack.command("/coach", f"{mention('U2')} discovery 3 call", user="U3"))
    clock.now += timedelta(days=7)
    slack.command("/coach", "digest now", user="U1")
    slack.command("/coach", "digest now", user="U2")
    (to_u1,) = dm_posts(fake_slack, "U1", count=1)
    (to_u2,) = dm_posts(fake_slack, "U2", count=1)
    assert "Discovery" not in json.dumps(to_u1.json("blocks"))
    assert "• Discovery: 3.0" in json.dumps(to_u2.json("blocks"), ensure_ascii=False)
