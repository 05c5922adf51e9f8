"""Submitting a quote over signed HTTP: `/quote add`, the message shortcut, the App Home
button and its modal; validation, markup cleaning and duplicate checks."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Quote, ReviewMessage, Submission
from bot.services.text import norm_key
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, ephemeral_text, until

TEXT = "Coach the player in front of you, not the one you wish you had."


def submissions(sessions: Sessions) -> list[Submission]:
    with sessions() as s:
        return list(s.scalars(select(Submission).order_by(Submission.id)))


def review_channels(sessions: Sessions) -> list[str]:
    with sessions() as s:
        return list(s.scalars(select(ReviewMessage.channel_id).order_by(ReviewMessage.id)))


def modal_values(text: str, author: str = "", source: str = "", tags: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "text": {"text": {"type": "plain_text_input", "value": text}},
        "author": {"author": {"type": "plain_text_input", "value": author or None}},
        "source": {"source": {"type": "plain_text_input", "value": source or None}},
        "tags": {
            "tags": {
                "type": "multi_static_select",
                "selected_options": [{"value": t, "text": {"type": "plain_text", "text": t}} for t in tags],
            }
        },
    }


def opened_view(fake_slack: FakeSlack) -> dict[str, Any]:
    (call,) = fake_slack.wait_for("views.open")
    view = call.json("view")
    assert isinstance(view, dict)
    return view


def initial(view: dict[str, Any], block_id: str) -> Any:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return block["element"].get("initial_value")


# -- way in 1: /quote add ----------------------------------------------------------------------


def test_quote_add_records_a_pending_submission_and_sends_it_to_review(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    resp = slack.command("/quote", f'add "{TEXT}" — Jordan Lee', user="U1")
    text = ephemeral_text(resp)
    assert "Thanks!" in text and "review" in text
    (sub,) = submissions(sessions)
    assert (sub.text, sub.author, sub.submitter_id, sub.status, sub.via) == (
        TEXT,
        "Jordan Lee",
        "U1",
        "pending",
        "command",
    )
    # No review channel configured: the card goes to each COACHBOT_ADMINS member by DM.
    (card,) = fake_slack.wait_for("chat.postMessage", channel="UADMIN")
    assert "Approve" in json.dumps(card.json("blocks"))
    assert until(lambda: review_channels(sessions)) == ["DUADMIN"]


def test_quote_add_accepts_other_separators_and_curly_quotes(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/quote", "add “Praise in public, coach in private.” ~ Jordan Lee")
    slack.command("/quote", 'add "Slow is smooth and smooth is fast, always." -- Navy SEALs')
    slack.command("/quote", 'add "What gets measured gets managed, they say." - Someone')
    slack.command("/quote", 'add "Hire for attitude, train for skill, every time."')
    got = [(s.text, s.author) for s in submissions(sessions)]
    assert got == [
        ("Praise in public, coach in private.", "Jordan Lee"),
        ("Slow is smooth and smooth is fast, always.", "Navy SEALs"),
        ("What gets measured gets managed, they say.", "Someone"),
        ("Hire for attitude, train for skill, every time.", "Unknown"),
    ]


def test_quote_add_cleans_markup_and_echoes_it_escaped(slack: SlackSender, sessions: Sessions) -> None:
    raw = 'add "<!channel> Ask <@U2> about <https://x.io|the playbook> &amp; &lt;win&gt;" — Ann'
    text = ephemeral_text(slack.command("/quote", raw))
    (sub,) = submissions(sessions)
    assert sub.text == "Ask Bob Rep about the playbook & <win>"
    assert "&amp; &lt;win&gt;" in text and "<win>" not in text and "<!channel>" not in text


def test_quote_add_mentioning_a_member_asks_them_first(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    text = ephemeral_text(slack.command("/quote", f'add "{TEXT}" — <@U2|bob>', user="U1"))
    assert "<@U2> has to agree" in text
    (sub,) = submissions(sessions)
    assert (sub.author, sub.author_user_id, sub.status) == ("Bob Rep", "U2", "awaiting_consent")
    (ask,) = fake_slack.wait_for("chat.postMessage", channel="U2")
    actions = [e["action_id"] for b in ask.json("blocks") if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["submission_consent_allow", "submission_consent_decline"]
    # Not in review until they say yes.
    assert not fake_slack.calls_to("chat.postMessage", channel="UADMIN")


def test_quote_add_mentioning_someone_unknown_is_refused(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", f'add "{TEXT}" — <@U999>'))
    assert "can't find <@U999>" in text and '/quote add "' in text
    text = ephemeral_text(slack.command("/quote", f'add "{TEXT}" — <@UBOT>'))
    assert "can't find <@UBOT> among this workspace's members" in text
    assert submissions(sessions) == []


# -- way in 2: the message shortcut ------------------------------------------------------------


def test_shortcut_opens_the_modal_prefilled_with_the_message_and_its_poster(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U9", name="cy9", real_name="Casey Nine")
    resp = slack.shortcut("save_leadership_quote", message_text="Ask <@U2> &amp; listen <!here>", user="U1")
    assert resp.status_code == 200
    view = opened_view(fake_slack)
    assert view["callback_id"] == "submit_quote"
    assert initial(view, "text") == "Ask Bob Rep & listen"
    assert initial(view, "author") == "Casey Nine"
    assert json.loads(view["private_metadata"]) == {
        "via": "shortcut",
        "author_user_id": "U9",
        "author_name": "Casey Nine",
    }


def test_shortcut_on_a_quoted_message_splits_text_and_author(slack: SlackSender, fake_slack: FakeSlack) -> None:
    slack.shortcut("save_leadership_quote", message_text=f"“{TEXT}” — Jordan Lee")
    view = opened_view(fake_slack)
    assert (initial(view, "text"), initial(view, "author")) == (TEXT, "Jordan Lee")


def test_submitting_the_shortcut_modal_quoting_the_poster_asks_their_consent(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    meta = json.dumps({"via": "shortcut", "author_user_id": "U2", "author_name": "Bob Rep"})
    resp = slack.view_submission("submit_quote", modal_values(TEXT, "Bob Rep"), user="U1", private_metadata=meta)
    assert resp.status_code == 200 and resp.text == ""
    (sub,) = submissions(sessions)
    assert (sub.via, sub.author_user_id, sub.status) == ("shortcut", "U2", "awaiting_consent")
    fake_slack.wait_for("chat.postMessage", channel="U2")


def test_changing_the_prefilled_author_drops_the_member(slack: SlackSender, sessions: Sessions) -> None:
    meta = json.dumps({"via": "shortcut", "author_user_id": "U2", "author_name": "Bob Rep"})
    slack.view_submission("submit_quote", modal_values(TEXT, "Peter Drucker"), private_metadata=meta)
    (sub,) = submissions(sessions)
    assert (sub.author, sub.author_user_id, sub.status) == ("Peter Drucker", None, "pending")


# -- way in 3: App Home button -----------------------------------------------------------------


def test_app_home_button_opens_the_empty_submit_modal(slack: SlackSender, fake_slack: FakeSlack) -> None:
    resp = slack.block_action("submit_quote_open", channel=None, view={"id": "VHOME", "type": "home"})
    assert resp.status_code == 200
    view = opened_view(fake_slack)
    assert view["callback_id"] == "submit_quote"
    assert [b.get("block_id") for b in view["blocks"] if b["type"] == "input"] == ["text", "author", "source", "tags"]
    tags = next(b for b in view["blocks"] if b.get("block_id") == "tags")["element"]
    assert tags["type"] == "multi_static_select"
    assert any(o["value"] == "coaching" for o in tags["options"])
    assert json.loads(view["private_metadata"]) == {"via": "home"}


def test_submitting_the_home_modal_records_text_author_source_and_tags(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    values = modal_values(TEXT, "Jordan Lee", "Team offsite 2026", ("coaching", "leadership", "bogus"))
    resp = slack.view_submission("submit_quote", values, user="U3", private_metadata=json.dumps({"via": "home"}))
    assert resp.status_code == 200 and resp.text == ""
    (sub,) = submissions(sessions)
    assert (sub.via, sub.author, sub.source, sub.tags) == (
        "home",
        "Jordan Lee",
        "Team offsite 2026",
        ["coaching", "leadership"],
    )
    (dm,) = fake_slack.wait_for("chat.postMessage", channel="U3")
    assert "Thanks!" in dm.get("text")
    fake_slack.wait_for("chat.postMessage", channel="UADMIN")


# -- validation ------------------------------------------------------------------------------------


def test_empty_add_shows_the_format(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "add"))
    assert '`/quote add "Praise in public, coach in private." — Jordan Lee`' in text
    assert submissions(sessions) == []


def test_too_short_quote_is_refused_with_limit_and_length(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", 'add "  Be kind. " — Ann'))
    assert "too short" in text and "8 characters" in text and "at least 10" in text and "/quote add" in text
    assert submissions(sessions) == []


def test_too_long_quote_is_refused_with_limit_and_length(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", 'add "' + "word " * 101 + '" — Ann'))
    assert "too long" in text and "504 characters" in text and "limit is 500" in text and "/quote add" in text
    assert submissions(sessions) == []


def test_too_long_author_is_refused_with_limit_and_length(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", f'add "{TEXT}" — ' + "A" * 120))
    assert "author" in text and "120 characters" in text and "limit is 100" in text and "/quote add" in text
    assert submissions(sessions) == []


def test_quote_that_is_only_channel_pings_is_too_short(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", 'add "<!channel> <!here> <!everyone>" — Ann'))
    assert "0 characters" in text
    assert submissions(sessions) == []


def test_modal_errors_are_shown_under_their_field(slack: SlackSender, sessions: Sessions) -> None:
    resp = slack.view_submission("submit_quote", modal_values("Too short", "A" * 101))
    assert resp.json()["response_action"] == "errors"
    errors = resp.json()["errors"]
    assert list(errors) == ["text"] and "9 characters" in errors["text"] and "at least 10" in errors["text"]
    resp = slack.view_submission("submit_quote", modal_values(TEXT, "A" * 101))
    assert "101 characters" in resp.json()["errors"]["author"]
    resp = slack.view_submission("submit_quote", modal_values(TEXT, "Ann", "s" * 301))
    assert "301 characters" in resp.json()["errors"]["source"] and "limit is 300" in resp.json()["errors"]["source"]
    assert submissions(sessions) == []


# -- duplicates ------------------------------------------------------------------------------------


def test_exact_duplicate_of_a_curated_quote_in_other_case_and_dashes_is_refused(
    slack: SlackSender, sessions: Sessions
) -> None:
    with sessions() as s:
        q = s.scalars(select(Quote).where(Quote.curated_key == "drucker-efficiency-effectiveness")).one()
    assert q.text == "Efficiency is concerned with doing things right. Effectiveness is doing the right things."
    variant = "EFFICIENCY is concerned with doing things right — effectiveness is doing the right things!!"
    text = ephemeral_text(slack.command("/quote", f'add "{variant}" — Peter Drucker'))
    assert "already in coachbot" in text and "curated" in text
    assert submissions(sessions) == []


def test_exact_duplicate_of_a_pending_submission_names_who_sent_it(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/quote", 'add "Sell the problem you solve, not the product you make." — Ann', user="U1")
    text = ephemeral_text(
        slack.command("/quote", 'add "sell the problem you solve -- not the product you make" — Ann', user="U2")
    )
    assert "already waiting for review" in text and "<@U1>" in text
    assert len(submissions(sessions)) == 1


def _approved_team_quote(sessions: Sessions, *, team_id: str) -> None:
    """TEXT by Ann, approved into ``team_id``'s rotation from U3's submission."""
    with sessions.begin() as s:
        s.add(
            Quote(
                team_id=team_id,
                text=TEXT,
                author="Ann",
                tags=[],
                submitted_by="U3",
                norm_key=norm_key(TEXT),
                shuffle_key=5,
            )
        )


def test_exact_duplicate_of_an_approved_team_quote_names_who_added_it(slack: SlackSender, sessions: Sessions) -> None:
    _approved_team_quote(sessions, team_id="T1")
    text = ephemeral_text(slack.command("/quote", f'add "{TEXT.upper()}" — Ann'))
    assert "already in coachbot" in text and "<@U3> added it" in text


def test_another_workspaces_quote_is_not_a_duplicate(slack: SlackSender, sessions: Sessions) -> None:
    _approved_team_quote(sessions, team_id="T2")
    text = ephemeral_text(slack.command("/quote", f'add "{TEXT}" — Ann'))
    assert "Thanks!" in text


def test_near_duplicate_is_accepted_and_flagged_on_the_review_card(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    near = "Efficiency is concerned with doing things right. Effectiveness is doing right things."
    text = ephemeral_text(slack.command("/quote", f'add "{near}" — Peter Drucker'))
    assert "Thanks!" in text
    (card,) = fake_slack.wait_for("chat.postMessage", channel="UADMIN")
    (sub,) = submissions(sessions)
    assert sub.near_dup_score is not None and sub.near_dup_score >= 90 and sub.near_dup_quote_id is not None
    blocks = json.dumps(card.json("blocks"), ensure_ascii=False)
    assert "Possible duplicate" in blocks and "a curated quote" in blocks
    assert "Effectiveness is doing the right things." in blocks


def test_help_lists_every_submissions_subcommand_with_an_example(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/quote", "help"))
    for usage, example in (
        ('add "text" — Author', 'add "Praise in public, coach in private." — Jordan Lee'),
        ("mine", "mine"),
        ("review", "review"),
        ("optout", "optout"),
        ("optin", "optin"),
        ("top [30d|90d|all]", "top 90d"),
        ("search words", "search drucker customer"),
    ):
        assert f"`/quote {usage}`" in text
        # An example only where it shows more than the usage line (issue 20: "e.g. `/quote mine`").
        assert (f"e.g. `/quote {example}`" in text) == (example != usage)


def test_shortcut_on_a_quoted_message_naming_a_member_keeps_the_member(
    slack: SlackSender, fake_slack: FakeSlack
) -> None:
    slack.shortcut("save_leadership_quote", message_text=f"“{TEXT}” — <@U2|bob>")
    view = opened_view(fake_slack)
    assert initial(view, "author") == "Bob Rep"
    assert json.loads(view["private_metadata"])["author_user_id"] == "U2"


# -- wording (issue 11) ----------------------------------------------------------------------------


def test_a_quote_with_no_author_says_it_was_saved_as_unknown_and_how_to_credit(slack: SlackSender) -> None:
    def shown(text: str) -> str:
        return json.dumps(slack.command("/quote", text).json(), ensure_ascii=False)

    reply = shown(f'add "{TEXT}"')
    assert "Thanks! Quote #" in reply and "saved as “Unknown”" in reply
    assert "— Jordan Lee" in reply  # how to credit someone, with the command's syntax
    assert "saved as “Unknown”" not in shown('add "Another good one, really." — Ann')


def test_the_forms_errors_speak_of_the_forms_fields(slack: SlackSender, sessions: Sessions) -> None:
    resp = slack.view_submission("submit_quote", modal_values("Too short", "Ann"))
    assert "/quote" not in json.dumps(resp.json()["errors"])
    slack.command("/quote", f'add "{TEXT}" — Ann', user="U2")
    dup = slack.view_submission("submit_quote", modal_values(TEXT, "Ann")).json()
    assert dup["response_action"] == "errors" and "already" in dup["errors"]["text"]
    assert "/quote" not in dup["errors"]["text"] and "different quote" in dup["errors"]["text"]


def test_a_form_with_no_author_says_to_fill_in_who_said_it(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    resp = slack.view_submission("submit_quote", modal_values(TEXT, ""), user="U3")
    assert resp.status_code == 200
    (dm,) = fake_slack.wait_for("chat.postMessage", channel="U3")
    shown = json.dumps(dm.json("blocks"), ensure_ascii=False)
    assert "saved as “Unknown”" in shown and "fill in “Who said it”" in shown and "/quote add" not in shown


def test_opt_out_counts_are_plural_right(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/quote", f'add "{TEXT}" — <@U2|bob>', user="U1")
    text = ephemeral_text(slack.command("/quote", "optout", user="U2"))
    assert "I withdrew 1 quote of yours" in text and "(s)" not in text
