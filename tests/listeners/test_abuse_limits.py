"""Abuse by people who are allowed in, over signed HTTP against the fake Slack: submission
limits, consent-DM limits, bounded review notices under a burst, plain-text consent DMs and
ids out of range."""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.config import ConfigError, Settings
from bot.db.engine import Sessions
from bot.db.models import Submission
from bot.listeners.errors import BUG, DB_DOWN
from bot.services import submissions as svc
from tests.fakes.slack_api import Call, FakeSlack
from tests.harness import SlackSender, TestClock, ephemeral_text
from tests.harness import until as wait_until

# The review-queue summaries go through a coalescer after the ack: they get longer.
until = functools.partial(wait_until, timeout=10.0)


def add(slack: SlackSender, n: int, *, user: str = "U3", author: str = "Jordan Lee") -> str:
    text = f'add "Quote number {n}: coach the player in front of you." — {author}'
    return ephemeral_text(slack.command("/quote", text, user=user))


def count(sessions: Sessions, **where: str) -> int:
    with sessions() as s:
        q = select(func.count()).select_from(Submission)
        for column, value in where.items():
            q = q.where(getattr(Submission, column) == value)
        return int(s.scalar(q) or 0)


def dms_to(fake: FakeSlack, user: str) -> list[Call]:
    return fake.calls_to("chat.postMessage", channel=user)


# -- per-member submission limits ---------------------------------------------------------------


def test_a_sixth_waiting_submission_is_refused_saying_the_limit(slack: SlackSender, sessions: Sessions) -> None:
    for n in range(5):
        assert "Thanks! Quote #" in add(slack, n)
    reply = add(slack, 5)
    assert "at most 5 waiting at a time" in reply and "/quote mine" in reply and "Thanks" not in reply
    assert count(sessions, submitter_id="U3") == 5
    # Someone else is not held back by U3's queue.
    assert "Thanks! Quote #" in add(slack, 6, user="U1")


def test_a_decision_frees_a_place(slack: SlackSender, sessions: Sessions, clock: TestClock) -> None:
    for n in range(5):
        add(slack, n)
    with sessions.begin() as s:
        first = s.scalars(select(Submission.id).order_by(Submission.id)).first()
        assert first is not None
        svc.reject(s, team_id="T1", submission_id=first, admin_id="UADMIN", actor_is_admin=True, now=clock.now)
    assert "Thanks! Quote #" in add(slack, 5)


def test_the_day_limit_counts_24_hours_and_says_when_it_frees_up(
    start_app: Callable[..., SlackSender], sessions: Sessions, clock: TestClock
) -> None:
    slack = start_app(COACHBOT_MAX_PENDING_SUBMISSIONS="100", COACHBOT_MAX_SUBMISSIONS_PER_DAY="3")
    first_at = clock.now
    for n in range(3):
        assert "Thanks!" in add(slack, n)
        clock.now += timedelta(hours=1)
    reply = add(slack, 3)
    assert "already sent 3 quotes in the last 24 hours" in reply
    # Shown in the reader's own time zone by Slack, with a UTC fallback.
    frees = first_at + timedelta(hours=24)
    assert f"<!date^{int(frees.timestamp())}^" in reply and frees.strftime("%Y-%m-%d %H:%M UTC") in reply
    assert "(in 21 h 00 min)" in reply
    assert count(sessions) == 3
    clock.now = first_at + timedelta(hours=24, minutes=1)
    assert "Thanks!" in add(slack, 4)


@pytest.mark.parametrize(
    ("name", "value"),
    [("COACHBOT_MAX_PENDING_SUBMISSIONS", "0"), ("COACHBOT_MAX_SUBMISSIONS_PER_DAY", "lots")],
)
def test_limit_settings_are_validated(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_limit_settings_default_to_five_and_twenty() -> None:
    settings = Settings.from_env({})
    assert (settings.max_pending_submissions, settings.max_submissions_per_day) == (5, 20)


def test_the_form_is_refused_past_the_limit_too(slack: SlackSender, sessions: Sessions) -> None:
    for n in range(5):
        add(slack, n)
    values = {
        "text": {"text": {"type": "plain_text_input", "value": "A form quote about coaching people well."}},
        "author": {"author": {"type": "plain_text_input", "value": "Jordan Lee"}},
    }
    resp = slack.view_submission("submit_quote", values, user="U3", private_metadata=json.dumps({"via": "home"}))
    assert resp.status_code == 200
    body = resp.json()
    assert body["response_action"] == "push" and "at most 5 waiting" in json.dumps(body)
    assert count(sessions, submitter_id="U3") == 5


# -- consent DMs ------------------------------------------------------------------------------


def test_one_waiting_consent_request_per_submitter_and_member(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    assert "I've asked them by DM" in add(slack, 1, user="U1", author="<@U2|bob>")
    reply = add(slack, 2, user="U1", author="<@U2|bob>")
    assert re.search(r"You already asked <@U2> about quote #\d+", reply), reply
    assert count(sessions, author_user_id="U2") == 1
    until(lambda: dms_to(fake_slack, "U2"))
    assert len(dms_to(fake_slack, "U2")) == 1


def test_at_most_three_consent_dms_to_one_person_a_day(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions, clock: TestClock
) -> None:
    fake_slack.add_user("U4", name="dee", real_name="Dee Rep")
    for n, user in enumerate(("U1", "U3", "UADMIN")):
        assert "I've asked them by DM" in add(slack, n, user=user, author="<@U2|bob>")
    reply = add(slack, 9, user="U4", author="<@U2|bob>")
    assert "<@U2> has already been asked 3 times in the last 24 hours" in reply
    assert "<!date^" in reply
    assert until(lambda: len(dms_to(fake_slack, "U2")) == 3)
    time.sleep(0.2)
    assert len(dms_to(fake_slack, "U2")) == 3
    assert count(sessions, author_user_id="U2") == 3
    clock.now += timedelta(hours=24, seconds=1)
    assert "I've asked them by DM" in add(slack, 9, user="U4", author="<@U2|bob>")


def test_the_consent_dm_shows_the_quote_as_plain_text(slack: SlackSender, fake_slack: FakeSlack) -> None:
    quote = "Click https://evil.example/login now *URGENT* _really_ `code` or visit evil.com today"
    add_text = f'add "{quote}" — <@U2|bob>'
    assert "Thanks" in ephemeral_text(slack.command("/quote", add_text, user="U1"))
    (dm,) = until(lambda: dms_to(fake_slack, "U2"))
    blocks = dm.json("blocks")
    everything = json.dumps(blocks) + str(dm.get("text"))
    assert "https://evil.example" not in everything and "evil.com" not in everything
    assert "https[:]//evil[.]example" in everything
    quote_blocks = [b for b in blocks if b.get("text", {}).get("type") == "plain_text"]
    assert len(quote_blocks) == 1 and "*URGENT*" in quote_blocks[0]["text"]["text"]
    # No mrkdwn text anywhere in the DM carries the submitter's words.
    for block in blocks:
        for obj in [block.get("text") or {}, *(block.get("elements") or [])]:
            if obj.get("type") == "mrkdwn":
                assert "URGENT" not in obj["text"] and "evil" not in obj["text"]
    assert "URGENT" not in str(dm.get("text"))


# -- review notices under a burst ----------------------------------------------------------------


def _burst(slack: SlackSender, users: list[str], per_user: int) -> list[str]:
    jobs = [(u, n) for n in range(per_user) for u in users]

    def send(job: tuple[str, int]) -> str:
        user, n = job
        text = f'add "Burst quote {user} {n}: lead by example every day." — Jordan Lee'
        return ephemeral_text(slack.command("/quote", text, user=user))

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(send, jobs))


def _admin_dms(fake: FakeSlack, admin: str) -> tuple[list[Call], list[Call]]:
    cards = [c for c in dms_to(fake, admin) if "submission_approve" in json.dumps(c.json("blocks"))]
    summaries = [c for c in dms_to(fake, admin) if "waiting for review" in json.dumps(c.json("blocks"))]
    return cards, summaries


@pytest.mark.parametrize(("pending_limit", "accepted"), [("5", 50), ("1000", 300)])
def test_a_burst_of_300_adds_sends_each_admin_at_most_ten_cards_and_one_summary(
    start_app: Callable[..., SlackSender],
    fake_slack: FakeSlack,
    sessions: Sessions,
    pending_limit: str,
    accepted: int,
) -> None:
    """Before: 300 `/quote add` in 10 s sent 150 review DMs to each admin."""
    fake_slack.add_user("UADMIN2", name="boss3", real_name="Bea Admin", is_admin=True)
    users = [f"UB{i}" for i in range(10)]
    for u in users:
        fake_slack.add_user(u, name=u.lower(), real_name=f"Burst {u}")
    slack = start_app(
        COACHBOT_ADMINS="UADMIN,UADMIN2",
        COACHBOT_MAX_PENDING_SUBMISSIONS=pending_limit,
        COACHBOT_MAX_SUBMISSIONS_PER_DAY="1000",
    )
    replies = _burst(slack, users, 30)
    assert sum("Thanks! Quote #" in r for r in replies) == accepted
    assert all("Thanks! Quote #" in r or "at most 5 waiting" in r for r in replies)
    assert count(sessions) == accepted
    want = f"*{accepted} quotes are waiting for review.*"

    def settled() -> bool:
        # Each admin's summary (its post or a later update of it) ends up showing the whole queue.
        for admin in ("UADMIN", "UADMIN2"):
            posts = _admin_dms(fake_slack, admin)[1]
            if not posts:
                return False
            where = {"channel": posts[0].response["channel"], "ts": posts[0].response["ts"]}
            shown = [json.dumps(c.json("blocks")) for c in [*posts, *fake_slack.calls_to("chat.update", **where)]]
            if want not in shown[-1]:
                return False
        return True

    assert until(settled, timeout=60), "the summaries never showed the whole queue"
    for admin in ("UADMIN", "UADMIN2"):
        cards, summaries = _admin_dms(fake_slack, admin)
        # Cards only while the queue held 10 or fewer: in a burst, when a submission's
        # notice goes out the queue may already be longer, so often fewer (even none) get one.
        assert len(cards) <= svc.REVIEW_CARDS_MAX, len(cards)
        assert len(summaries) == 1, len(summaries)
        assert "/quote review" in json.dumps(summaries[0].json("blocks"))
        assert len(dms_to(fake_slack, admin)) == len(cards) + 1 <= svc.REVIEW_CARDS_MAX + 1


def test_the_summary_follows_decisions_and_cards_come_back_when_the_queue_is_short(
    start_app: Callable[..., SlackSender], fake_slack: FakeSlack, sessions: Sessions, clock: TestClock
) -> None:
    slack = start_app(COACHBOT_MAX_PENDING_SUBMISSIONS="100", COACHBOT_MAX_SUBMISSIONS_PER_DAY="100")
    for n in range(12):
        assert "Thanks" in add(slack, n)
    assert until(lambda: len(_admin_dms(fake_slack, "UADMIN")[1]) == 1)
    (summary,) = _admin_dms(fake_slack, "UADMIN")[1]
    assert until(lambda: "*12 quotes are waiting" in str(fake_slack.calls_to("chat.update")[-1:]))
    # Three decisions: the summary follows the count down to 9, then is let go; the next
    # quote (the 10th waiting) gets its own card again.
    with sessions() as s:
        ids = list(s.scalars(select(Submission.id).order_by(Submission.id).limit(3)))
    for sub_id in ids:
        slack.block_action("submission_reject", "x", user="UADMIN")  # a forged value: no such submission
        resp = slack.block_action("submission_approve", str(sub_id), user="UADMIN")
        assert resp.status_code == 200
    assert until(
        lambda: any(
            "*9 quotes are waiting" in json.dumps(c.json("blocks"))
            for c in fake_slack.calls_to("chat.update", ts=summary.response["ts"])
        )
    )
    cards_before = len(_admin_dms(fake_slack, "UADMIN")[0])
    assert "Thanks" in add(slack, 99)
    assert until(lambda: len(_admin_dms(fake_slack, "UADMIN")[0]) == cards_before + 1)


# -- ids out of range --------------------------------------------------------------------------

BAD_IDS = ["2147483648", "99999999999", "9" * 40, "-1", "0", "abc", "1e9", "²", ""]


@pytest.mark.parametrize("action", ["submission_approve", "submission_edit", "submission_consent_allow"])
def test_out_of_range_ids_in_buttons_are_no_such_submission(
    slack: SlackSender, fake_slack: FakeSlack, action: str
) -> None:
    for value in BAD_IDS:
        mark = len(fake_slack.responses())
        resp = slack.block_action(action, value, user="UADMIN")
        assert resp.status_code == 200, value
        (reply,) = until(lambda m=mark: fake_slack.responses()[m:])  # type: ignore[misc]
        text = str(reply.get("text"))
        assert "no such submission" in text, (value, text)
        assert BUG not in text and DB_DOWN not in text


def test_out_of_range_id_in_a_modal_is_no_such_submission(slack: SlackSender) -> None:
    meta = json.dumps({"id": 2**31, "channel": "C1", "ts": "1.1"})
    values = {"reason": {"reason": {"type": "plain_text_input", "value": "no"}}}
    resp = slack.view_submission("submission_reject_modal", values, user="UADMIN", private_metadata=meta)
    assert resp.status_code == 200 and "no such submission" in resp.text and BUG not in resp.text


def test_a_long_review_queue_fits_in_one_slack_message(
    start_app: Callable[..., SlackSender], sessions: Sessions
) -> None:
    slack = start_app(COACHBOT_MAX_PENDING_SUBMISSIONS="100", COACHBOT_MAX_SUBMISSIONS_PER_DAY="100")
    for n in range(20):
        add(slack, n)
    resp = slack.command("/quote", "review", user="UADMIN")
    blocks = resp.json()["blocks"]
    assert len(blocks) <= 50
    assert "more submissions not shown" in json.dumps(blocks)


def test_a_review_channel_gets_one_summary_too(
    start_app: Callable[..., SlackSender], fake_slack: FakeSlack, sessions: Sessions
) -> None:
    fake_slack.add_channel("CREVIEW", name="quote-review")
    slack = start_app(
        COACHBOT_REVIEW_CHANNEL="CREVIEW",
        COACHBOT_MAX_PENDING_SUBMISSIONS="100",
        COACHBOT_MAX_SUBMISSIONS_PER_DAY="100",
    )
    for n in range(14):
        assert "Thanks" in add(slack, n)

    def summaries() -> list[Call]:
        return [c for c in dms_to(fake_slack, "CREVIEW") if "waiting for review" in json.dumps(c.json("blocks"))]

    assert until(lambda: len(summaries()) == 1)
    time.sleep(1.5)  # any update still coming is an update, not a second post
    assert len(summaries()) == 1
    cards = [c for c in dms_to(fake_slack, "CREVIEW") if "submission_approve" in json.dumps(c.json("blocks"))]
    assert len(cards) <= svc.REVIEW_CARDS_MAX
    assert dms_to(fake_slack, "UADMIN") == []  # the channel, not the admins' DMs


def test_a_review_channel_the_bot_cannot_post_in_sends_the_summary_to_the_admins(
    start_app: Callable[..., SlackSender], fake_slack: FakeSlack, sessions: Sessions
) -> None:
    """As review cards do: a locked review channel means the admins' DMs, one summary each."""
    fake_slack.add_channel("CLOCKED", name="locked", is_private=True, bot_is_member=False)
    slack = start_app(
        COACHBOT_REVIEW_CHANNEL="CLOCKED",
        COACHBOT_MAX_PENDING_SUBMISSIONS="100",
        COACHBOT_MAX_SUBMISSIONS_PER_DAY="100",
    )
    for n in range(14):
        assert "Thanks" in add(slack, n)

    def shown() -> list[str]:
        (summary,) = _admin_dms(fake_slack, "UADMIN")[1]
        where = {"channel": summary.response["channel"], "ts": summary.response["ts"]}
        return [json.dumps(c.json("blocks")) for c in [summary, *fake_slack.calls_to("chat.update", **where)]]

    assert until(lambda: len(_admin_dms(fake_slack, "UADMIN")[1]) == 1)
    assert until(lambda: "*14 quotes are waiting for review.*" in shown()[-1]), shown()[-1]
    time.sleep(1.5)  # any update still coming is an update, not a second post
    cards, summaries = _admin_dms(fake_slack, "UADMIN")
    assert len(summaries) == 1 and len(cards) <= svc.REVIEW_CARDS_MAX
    assert all(not c.ok for c in fake_slack.calls_to("chat.postMessage", channel="CLOCKED"))
