"""No slash command waits on the Slack Web API before its ack (issue 19, "ack path under a
slow Slack").

The fake Slack holds calls (``FakeSlack.hold``) until the test releases them: a Slack that has
not answered yet, without any timing. While a call a command needs is held, the signed request
must already have its 200 ack; once released, the same answer arrives on the command's
response_url. No assertion here measures time (``benchmarks/ack_latency.py`` does, at 150 ms).
"""

from __future__ import annotations

from slack_bolt import App
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Submission
from bot.listeners import register_all
from bot.listeners.errors import BUG, DB_DOWN
from tests.factories import make_manager, mention, note_count
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, until

ANSWER_HEADER = "x-coachbot-answer"


def answer_of(fake: FakeSlack, url: str) -> dict[str, object]:
    posted = until(lambda: fake.responses(url), timeout=10)
    assert posted, f"nothing came to {url}"
    body = posted[0]
    assert isinstance(body, dict)
    return body


def test_a_first_note_on_a_rep_is_acked_while_users_info_is_held(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    make_manager(sessions, "U1")
    held = fake_slack.hold("users.info")
    url = fake_slack.response_url()
    resp = slack.command(
        "/coach",
        f"{mention('U2', 'bob')} Great discovery call with Acme",
        response_url=url,
        wait_for_answer=False,
    )
    # The ack is back while Slack still holds the rep's users.info: nothing waited on it.
    assert resp.status_code == 200
    assert resp.content == b""
    assert resp.headers.get(ANSWER_HEADER) == "response_url"
    held.wait_held(1)
    assert note_count(sessions) == 0  # still checking the rep: nothing stored yet
    assert fake_slack.responses(url) == []
    held.release()
    body = answer_of(fake_slack, url)
    assert body["response_type"] == "ephemeral"
    assert "Saved note *#" in str(body["text"]) and "about <@U2>" in str(body["text"])
    assert note_count(sessions) == 1
    # Both people are cached now: the next note answers in the ack itself, with no Slack call.
    fake_slack.clear()
    again = slack.command("/coach", f"{mention('U2', 'bob')} Second call", wait_for_answer=False)
    assert again.headers.get(ANSWER_HEADER) is None
    assert "Saved note *#" in again.json()["text"]
    assert fake_slack.calls_to("users.info") == []


def test_quote_daily_is_acked_while_conversations_info_is_held(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    held = fake_slack.hold("conversations.info")
    url = fake_slack.response_url()
    resp = slack.command("/quote", "daily 09:00 Europe/Berlin", response_url=url, wait_for_answer=False)
    assert (resp.status_code, resp.content) == (200, b"")
    held.wait_held(1)
    assert fake_slack.responses(url) == []
    held.release()
    body = answer_of(fake_slack, url)
    assert body["response_type"] == "ephemeral"
    assert "*09:00* Europe/Berlin, weekdays" in str(body.get("text")) + str(body.get("blocks"))


def test_a_command_that_needs_nothing_from_slack_answers_in_the_ack(slack: SlackSender, fake_slack: FakeSlack) -> None:
    slack.command("/quote", "help")  # Bolt's one auth.test per process, before holding
    held = fake_slack.hold("*")
    try:
        resp = slack.command("/quote", "", wait_for_answer=False)
        assert resp.headers.get(ANSWER_HEADER) is None
        assert resp.json()["text"]
    finally:
        held.release()


def test_a_fault_after_the_ack_is_still_answered_clearly(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    """users.info failing (a Slack fault, not a user error) after the ack: the generic private
    line arrives on response_url, as it would have in the ack."""
    make_manager(sessions, "U1")
    fake_slack.fail("users.info", "fatal_error")
    url = fake_slack.response_url()
    resp = slack.command("/coach", f"{mention('U2', 'bob')} Great call", response_url=url, wait_for_answer=False)
    assert (resp.status_code, resp.content) == (200, b"")
    body = answer_of(fake_slack, url)
    assert body["text"] == BUG
    assert note_count(sessions) == 0


def _every_command() -> list[tuple[str, str]]:
    """(command, text) for every subcommand of both routers, as its own example shows it,
    plus the bare commands and the ways in that reach Slack on first contact."""
    routers = register_all(App(signing_secret="x", token="xoxb-x", token_verification_enabled=False))
    found: list[tuple[str, str]] = [("/quote", ""), ("/coach", "")]
    for router in (routers.quote, routers.coach):
        for name in router.names():
            found.append((router.command, router.subcommands[name].example))
    return [
        *found,
        ("/coach", f"{mention('U2', 'bob')} Great discovery call"),
        ("/coach", f"note {mention('U2', 'bob')} discovery 3 asked great questions"),
        ("/coach", "dana great call"),  # a name without the @-autocomplete: users.list
        ("/coach", f"rep {mention('U2', 'bob')}"),
        ("/coach", f"todo {mention('U2', 'bob')} send the deck by fri"),
        ("/coach", "prompts 09:00"),
        ("/coach", "prompts channel 09:00"),
        ("/quote", "daily 09:00"),
        ("/quote", "daily"),
        ("/quote", f'add "Praise in public." — {mention("U2", "bob")}'),
        ("/quote", 'add "Praise in public." — Bob Rep'),
        ("/quote", "frobnicate"),
    ]


def test_every_command_is_acked_while_every_web_api_method_is_held(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    """Table-driven: with Slack answering nothing at all, each command still gets its 200 ack
    (a request blocked on a held call would never come back); after release, every command
    acked empty gets its answer on response_url, and none of them is an error."""
    make_manager(sessions, "U1")  # a manager who is not an admin: the admin check asks Slack
    slack.command("/quote", "help")  # Bolt's one auth.test per process, before holding
    commands = _every_command()
    assert len({text.split(" ", 1)[0] for _, text in commands if text}) >= 20
    held = fake_slack.hold("*")
    late: dict[str, tuple[str, str]] = {}
    try:
        for i, (command, text) in enumerate(commands):
            # One channel each: these run side by side once released, and two schedules set
            # in one channel at the same instant is another matter than this test's.
            channel = f"C{100 + i}"
            fake_slack.add_channel(channel, name=f"team-{i}")
            url = fake_slack.response_url()
            resp = slack.command(command, text, channel=channel, response_url=url, wait_for_answer=False)
            assert resp.status_code == 200, (command, text, resp.text)
            if resp.headers.get(ANSWER_HEADER) == "response_url":
                assert resp.content == b""
                late[url] = (command, text)
            else:
                assert resp.content == b"" or "text" in resp.json(), (command, text)
        assert held.waiting >= 1
        assert len(late) >= 10, late  # the commands that need Slack did not wait for it
    finally:
        held.release()
    for url, (command, text) in late.items():
        body = answer_of(fake_slack, url)
        assert body.get("text") not in (BUG, DB_DOWN), (command, text)


# --- forms and buttons ---------------------------------------------------------------------


def note_form(rep: str = "U2", note: str = "Nailed the demo") -> dict[str, dict[str, object]]:
    return {
        "rep": {"rep": {"type": "users_select", "selected_user": rep}},
        "note": {"note": {"type": "plain_text_input", "value": note}},
    }


def test_a_note_form_on_a_first_rep_pushes_one_moment_then_shows_the_saved_note(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    make_manager(sessions, "U1")
    held = fake_slack.hold("users.info")
    resp = slack.view_submission("coach_note_modal", note_form(), wait_for_answer=False)
    # Acked while users.info is still held: a "One moment" view on top of the form.
    assert held.waiting >= 1
    ack = resp.json()
    assert ack["response_action"] == "push" and ack["view"]["title"]["text"] == "One moment"
    assert note_count(sessions) == 0
    fake_slack.view_from_ack(ack["view"])
    held.release()
    (update,) = fake_slack.wait_for("views.update", external_id=ack["view"]["external_id"], timeout=10)
    saved = update.json("view")
    assert saved["title"]["text"] == "Note saved" and saved["clear_on_close"] is True
    assert note_count(sessions) == 1


def test_a_late_form_error_says_what_is_wrong_and_goes_back_to_the_form(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    make_manager(sessions, "U1")
    held = fake_slack.hold("users.info")
    resp = slack.view_submission("coach_note_modal", note_form(rep="UBOT"), wait_for_answer=False)
    ack = resp.json()
    assert ack["response_action"] == "push"
    fake_slack.view_from_ack(ack["view"])
    held.release()
    (update,) = fake_slack.wait_for("views.update", external_id=ack["view"]["external_id"], timeout=10)
    shown = update.json("view")
    assert shown["title"]["text"] == "Not saved" and shown["close"]["text"] == "Back"
    assert "is a bot" in str(shown["blocks"])
    assert note_count(sessions) == 0


def test_a_form_that_needs_nothing_from_slack_still_errors_under_its_field(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    make_manager(sessions, "U1")
    slack.command("/quote", "help")  # Bolt's one auth.test per process, before holding
    held = fake_slack.hold("*")
    try:
        resp = slack.view_submission("coach_note_modal", note_form(note="z" * 3001), wait_for_answer=False)
        assert "3,001 characters" in resp.json()["errors"]["note"]
    finally:
        held.release()


def test_a_button_whose_check_asks_slack_is_acked_while_it_is_held(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    """Approve by a workspace admin (users.info says so, COACHBOT_ADMINS does not)."""
    fake_slack.add_user("UBOSS", name="pat", real_name="Pat Owner", is_owner=True)
    slack.command("/quote", 'add "Praise in public." — Jordan Lee')
    with sessions() as session:
        sub_id = session.scalars(select(Submission.id)).one()
    held = fake_slack.hold("users.info")
    resp = slack.block_action("submission_approve", str(sub_id), user="UBOSS")
    assert (resp.status_code, resp.content) == (200, b"")
    held.wait_held(1)
    held.release()
    assert until(lambda: fake_slack.calls_to("chat.postMessage", channel="U1", text=lambda t: "approved" in t))
