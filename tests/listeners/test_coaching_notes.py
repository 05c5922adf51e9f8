"""Notes over signed HTTP: save, read back, undo, delete, limits, markup, pages, search, export."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from bot.db.engine import Sessions
from tests.factories import (
    blocks_of,
    buttons,
    get_note,
    last_response,
    make_manager,
    mention,
    note_count,
    seed_note,
)
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, TestClock, ephemeral_text


@pytest.fixture(autouse=True)
def ada_is_a_manager(sessions: Sessions) -> None:
    make_manager(sessions, "U1")


def only_note_id(sessions: Sessions) -> int:
    from sqlalchemy import select

    from bot.db.models import Note

    with sessions.begin() as session:
        return session.scalars(select(Note.id)).one()


def test_note_is_saved_privately_with_its_id_and_an_undo_button(slack: SlackSender, sessions: Sessions) -> None:
    resp = slack.command("/coach", f"{mention('U2', 'bob')} Great discovery call with Acme")
    body = resp.json()
    assert body["response_type"] == "ephemeral"
    note_id = only_note_id(sessions)
    assert f"Saved note *#{note_id}* about <@U2>" in body["text"]
    undo = buttons(body["blocks"])["coach_note_undo"]
    assert undo["value"] == str(note_id)
    note = get_note(sessions, note_id)
    assert note is not None
    assert (note.author_id, note.rep_id, note.text) == ("U1", "U2", "Great discovery call with Acme")
    assert note.rep_name == "Bob Rep"
    assert note.author_tz == "Europe/Berlin"  # the author's Slack zone, for follow-up reminders


def test_note_is_read_back_with_notes_on_the_rep(slack: SlackSender) -> None:
    slack.command("/coach", f"{mention('U2', 'bob')} Asked great questions about budget")
    text = ephemeral_text(slack.command("/coach", f"notes {mention('U2', 'bob')}"))
    assert "Your notes on <@U2>" in text
    assert "Asked great questions about budget" in text


def test_undo_within_ten_minutes_deletes_the_note(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    slack.command("/coach", f"{mention('U2', 'bob')} Follow up on the Acme pricing objection")
    note_id = only_note_id(sessions)
    clock.now += timedelta(minutes=9)
    assert slack.block_action("coach_note_undo", str(note_id)).status_code == 200
    answer = last_response(fake_slack)
    assert answer["replace_original"] is True
    assert f"Note #{note_id}" in answer["text"] and "undone" in answer["text"]
    assert note_count(sessions) == 0


def test_undo_after_ten_minutes_is_refused(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    slack.command("/coach", f"{mention('U2', 'bob')} Coach on next steps")
    note_id = only_note_id(sessions)
    clock.now += timedelta(minutes=11)
    slack.block_action("coach_note_undo", str(note_id))
    answer = last_response(fake_slack)
    assert "Undo works for 10 minutes" in answer["text"]
    assert f"/coach delete {note_id}" in answer["text"]
    assert note_count(sessions) == 1


def test_delete_by_id(slack: SlackSender, sessions: Sessions) -> None:
    note_id = seed_note(sessions)
    text = ephemeral_text(slack.command("/coach", f"delete {note_id}"))
    assert f"Deleted note #{note_id}" in text
    assert note_count(sessions) == 0


def test_delete_unknown_id_says_so(slack: SlackSender, sessions: Sessions) -> None:
    seed_note(sessions)
    text = ephemeral_text(slack.command("/coach", "delete 999"))
    assert "Note #999 no longer exists" in text
    assert note_count(sessions) == 1


def test_delete_all_asks_first_then_deletes_only_up_to_the_confirmation(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    seed_note(sessions)
    seed_note(sessions, rep="U3")
    body = slack.command("/coach", "delete all").json()
    assert "Delete all 2" in body["text"]
    assert note_count(sessions) == 2  # nothing yet
    confirm = buttons(body["blocks"])["coach_delete_all_confirm"]
    assert confirm["confirm"]["title"]["text"]  # Slack asks once more
    later = seed_note(sessions, text="written after the confirmation was shown")
    slack.block_action("coach_delete_all_confirm", confirm["value"])
    assert "Deleted 2 notes." in last_response(fake_slack)["text"]
    assert note_count(sessions) == 1
    assert get_note(sessions, later) is not None


def test_delete_all_cancel_keeps_everything(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    seed_note(sessions)
    slack.command("/coach", "delete all")
    slack.block_action("coach_delete_all_cancel", "cancel")
    assert "Nothing was deleted" in last_response(fake_slack)["text"]
    assert note_count(sessions) == 1


def test_five_thousand_character_note_is_refused_and_not_stored(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", f"{mention('U2', 'bob')} " + "x" * 5000))
    assert "5,000 characters" in text
    assert "limit is 3,000" in text
    assert "Nothing was saved" in text
    assert note_count(sessions) == 0


def test_three_thousand_characters_is_fine(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", f"{mention('U2', 'bob')} " + "y" * 3000))
    assert "Saved note" in text
    assert note_count(sessions) == 1


def test_empty_note_gets_usage_with_example(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", mention("U2", "bob")))
    assert "Usage: `/coach @rep your note`" in text
    assert "e.g. `/coach @bob" in text
    assert note_count(sessions) == 0


def test_note_about_a_bot_is_refused(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", f"{mention('UBOT', 'coachbot')} so helpful"))
    assert "<@UBOT> is a bot" in text
    assert note_count(sessions) == 0


def test_note_about_an_unknown_user_is_refused(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", f"{mention('UGHOST')} who is this"))
    assert "can't find <@UGHOST>" in text
    assert note_count(sessions) == 0


def test_note_about_yourself_is_allowed_and_says_so(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", f"{mention('U1', 'ada')} I interrupted Bob twice today"))
    assert "self-reflection" in text
    assert note_count(sessions, rep_id="U1") == 1


def test_unknown_first_word_is_an_unknown_subcommand(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", "fly away"))
    assert "I don't know `/coach fly`" in text
    assert note_count(sessions) == 0


def test_unescaped_at_name_is_explained(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", "@bob good call"))
    assert "`@bob` is not a mention" in text
    assert note_count(sessions) == 0


def test_mention_label_with_spaces_is_one_token(slack: SlackSender, sessions: Sessions) -> None:
    ephemeral_text(slack.command("/coach", "<@U2|Bob Rep> handled the pricing objection well"))
    note = get_note(sessions, only_note_id(sessions))
    assert note is not None and note.text == "handled the pricing objection well"


def test_markup_is_stored_verbatim_and_escaped_when_shown(slack: SlackSender, sessions: Sessions) -> None:
    raw = "<!channel> pinged <@U3> & <https://evil.example|click>"
    saved = slack.command("/coach", f"{mention('U2', 'bob')} {raw}").json()
    assert "<!channel>" not in json.dumps(saved)
    note = get_note(sessions, only_note_id(sessions))
    assert note is not None and note.text == raw
    shown = slack.command("/coach", f"notes {mention('U2')}").json()
    dumped = json.dumps(shown)
    assert "&lt;!channel&gt; pinged &lt;@U3&gt; &amp; &lt;https://evil.example|click&gt;" in dumped
    assert "<!channel>" not in dumped and "<https://evil" not in dumped


def test_notes_on_a_rep_are_paginated_newest_first(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    for i in range(7):
        seed_note(sessions, text=f"note number {i}", created_at=clock.now - timedelta(days=7 - i))
    body = slack.command("/coach", f"notes {mention('U2')}").json()
    text = json.dumps(body["blocks"])
    assert "page 1 of 2" in text
    assert text.index("note number 6") < text.index("note number 2")
    assert "note number 1" not in text
    nav = {a: b for a, b in buttons(body["blocks"]).items() if a.startswith("coach_notes_page")}  # not Edit
    assert set(nav) == {"coach_notes_page_next"}
    slack.block_action("coach_notes_page_next", nav["coach_notes_page_next"]["value"])
    page2 = last_response(fake_slack)
    assert page2["replace_original"] is True
    text2 = json.dumps(page2["blocks"])
    assert "page 2 of 2" in text2
    assert "note number 1" in text2 and "note number 0" in text2 and "note number 6" not in text2
    assert "coach_notes_page_prev" in buttons(page2["blocks"])


def test_notes_with_a_page_number(slack: SlackSender, sessions: Sessions, clock: TestClock) -> None:
    for i in range(6):
        seed_note(sessions, text=f"entry {i}", created_at=clock.now - timedelta(hours=10 - i))
    text = ephemeral_text(slack.command("/coach", f"notes {mention('U2')} 2"))
    assert "page 2 of 2" in text and "entry 0" in text and "entry 5" not in text


def test_recent_notes_across_reps(slack: SlackSender, sessions: Sessions) -> None:
    seed_note(sessions, rep="U2", text="about bob")
    seed_note(sessions, rep="U3", text="about cy")
    text = ephemeral_text(slack.command("/coach", "notes"))
    assert "Your recent notes" in text
    assert "about bob" in text and "about cy" in text


def test_search_finds_every_word_case_insensitively(slack: SlackSender, sessions: Sessions) -> None:
    seed_note(sessions, text="Discovery CALL went long")
    seed_note(sessions, text="Discovery notes only")
    seed_note(sessions, text="100% quota_attainment")
    text = ephemeral_text(slack.command("/coach", "search discovery call"))
    assert "Discovery CALL went long" in text
    assert "Discovery notes only" not in text
    wildcard = ephemeral_text(slack.command("/coach", "search %"))
    assert "100% quota_attainment" in wildcard and "Discovery" not in wildcard  # % is literal


def test_search_without_words_shows_an_example(slack: SlackSender) -> None:
    assert "/coach search discovery call" in ephemeral_text(slack.command("/coach", "search"))


def test_coach_alone_opens_the_note_modal(slack: SlackSender, fake_slack: FakeSlack) -> None:
    resp = slack.command("/coach", "")
    assert resp.status_code == 200 and resp.text == ""
    (call,) = fake_slack.wait_for("views.open")
    view = call.json("view")
    assert view["callback_id"] == "coach_note_modal"
    assert call.get("trigger_id", "").startswith("trig.")
    block_ids = [b.get("block_id") for b in view["blocks"]]
    assert {"rep", "note", "follow_up", "theme", "share"} <= set(block_ids)
    note_input = next(b for b in view["blocks"] if b.get("block_id") == "note")
    assert note_input["element"]["multiline"] is True and note_input["element"]["max_length"] == 3000


def test_non_manager_gets_no_modal(slack: SlackSender, fake_slack: FakeSlack) -> None:
    text = ephemeral_text(slack.command("/coach", "", user="U2"))
    assert "Only managers" in text
    assert not fake_slack.calls_to("views.open")


def modal_values(
    *,
    rep: str | None = "U2",
    note: str = "Nailed the demo",
    follow_up: str | None = None,
    theme: str | None = None,
    share: bool = False,
) -> dict[str, dict[str, object]]:
    return {
        "rep": {"rep": {"type": "users_select", "selected_user": rep}},
        "note": {"note": {"type": "plain_text_input", "value": note}},
        "follow_up": {"follow_up": {"type": "datepicker", "selected_date": follow_up}},
        "theme": {"theme": {"type": "static_select", "selected_option": {"value": theme} if theme else None}},
        "share": {"share": {"type": "checkboxes", "selected_options": [{"value": "share"}] if share else []}},
    }


def test_modal_submission_saves_the_note(slack: SlackSender, sessions: Sessions) -> None:
    resp = slack.view_submission(
        "coach_note_modal", modal_values(note="Nailed the demo", follow_up="2026-12-07", theme="coaching")
    )
    body = resp.json()
    assert body["response_action"] == "update"
    note_id = only_note_id(sessions)
    assert "coach_note_undo" in buttons(body["view"]["blocks"])
    note = get_note(sessions, note_id)
    assert note is not None
    assert (note.rep_id, note.text, note.theme, str(note.follow_up_on)) == (
        "U2",
        "Nailed the demo",
        "coaching",
        "2026-12-07",
    )
    assert note.shared_with_rep is False


def test_modal_share_sends_the_rep_one_dm(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    slack.view_submission("coach_note_modal", modal_values(note="Great <!here> energy", share=True))
    (dm,) = fake_slack.wait_for("chat.postMessage", channel="U2")
    dumped = json.dumps(blocks_of(dm))
    assert "Great &lt;!here&gt; energy" in dumped and "<!here>" not in dumped
    assert "<@U1> shared a coaching note" in dm.get("text")
    note = get_note(sessions, only_note_id(sessions))
    assert note is not None and note.shared_with_rep is True


def test_modal_errors_go_back_on_the_right_block(slack: SlackSender, sessions: Sessions) -> None:
    bot = slack.view_submission("coach_note_modal", modal_values(rep="UBOT")).json()
    assert bot["response_action"] == "errors" and "is a bot" in bot["errors"]["rep"]
    long = slack.view_submission("coach_note_modal", modal_values(note="z" * 3001)).json()
    assert "3,001 characters" in long["errors"]["note"]
    past = slack.view_submission("coach_note_modal", modal_values(follow_up="2026-11-01")).json()
    assert "today or a later date" in past["errors"]["follow_up"]
    assert note_count(sessions) == 0


def test_undo_from_the_modal_updates_the_modal(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    slack.view_submission("coach_note_modal", modal_values())
    note_id = only_note_id(sessions)
    slack.block_action("coach_note_undo", str(note_id), channel=None, view={"id": "V1", "type": "modal"})
    (update,) = fake_slack.wait_for("views.update", view_id="V1")
    assert "undone" in json.dumps(update.json("view"))
    assert note_count(sessions) == 0


def test_export_uploads_a_csv_with_the_note_by_dm(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/coach", f'{mention("U2", "bob")} =HYPERLINK("x") and real feedback, with commas')
    text = ephemeral_text(slack.command("/coach", "export"))
    assert "Sending your 1 note as a CSV file by DM" in text
    (complete,) = fake_slack.wait_for("files.completeUploadExternal")
    assert complete.get("channel_id") == "DU1"  # the author's DM with the bot
    file_id = complete.json("files")[0]["id"]
    rows = list(csv.reader(io.StringIO(fake_slack.uploaded(file_id).decode("utf-8"))))
    assert rows[0] == [
        *("date", "rep id", "rep name", "theme", "follow-up", "note"),
        *("skill", "rating", "edited at", "type", "due", "status", "done at"),
    ]
    assert rows[1][:5] == ["2026-11-30", "U2", "Bob Rep", "", ""]
    # Formula-looking cells are defused for spreadsheets; the text is otherwise intact.
    assert rows[1][5] == '\'=HYPERLINK("x") and real feedback, with commas'


def test_export_with_no_notes_says_so(slack: SlackSender, fake_slack: FakeSlack) -> None:
    assert "no coaching notes to export" in ephemeral_text(slack.command("/coach", "export"))
    assert not fake_slack.calls_to("files.getUploadURLExternal")


def test_overview_figures_on_a_seeded_history(
    slack: SlackSender, sessions: Sessions, clock: TestClock, app_server: AppServer
) -> None:
    clock.set("2026-11-30T12:00:00Z")
    now = clock.now
    # Bob: 3 notes, the latest 2 days ago; 2 within 30 days, 3 within 90; 1 open follow-up.
    seed_note(sessions, rep="U2", created_at=now - timedelta(days=2), follow_up_on=(now + timedelta(days=3)).date())
    seed_note(sessions, rep="U2", created_at=now - timedelta(days=20))
    seed_note(
        sessions,
        rep="U2",
        created_at=now - timedelta(days=60),
        follow_up_on=(now - timedelta(days=50)).date(),
        follow_up_done_at=now - timedelta(days=50),
    )
    # Cy: last coached 20 days ago (flagged); 1 in 30 days, 2 in 90, 3 in all; no open follow-ups.
    seed_note(sessions, rep="U3", created_at=now - timedelta(days=20))
    seed_note(sessions, rep="U3", created_at=now - timedelta(days=45))
    seed_note(sessions, rep="U3", created_at=now - timedelta(days=200))
    # Someone else's note on Bob never counts.
    seed_note(sessions, author="U3", rep="U2", created_at=now - timedelta(days=1))

    body = slack.command("/coach", "overview").json()
    text = "\n".join(b["text"]["text"] for b in body["blocks"] if b["type"] == "section")
    bob = next(line for line in text.splitlines() if line.startswith("• <@U2>"))
    cy = next(line for line in text.splitlines() if line.startswith("• <@U3>"))
    assert bob == "• <@U2> — last note 2026-11-28; 2 in 30 days, 3 in 90 days, 1 open follow-up"
    assert cy == "• <@U3> — last note 2026-11-10; 1 in 30 days, 2 in 90 days :warning: *not coached in 14+ days*"
    assert text.index("<@U3>") < text.index("<@U2>")  # least recently coached first
    assert "1 not coached in 14+ days" in text


def test_help_lists_every_subcommand_with_an_example(slack: SlackSender) -> None:
    # An admin's help: everything (a rep's and a manager's: tests/test_first_contact.py).
    text = ephemeral_text(slack.command("/coach", "help", user="UADMIN"))
    for usage in (
        "/coach @rep",
        "/coach notes",
        "/coach search",
        "/coach delete",
        "/coach export",
        "/coach overview",
        "/coach prompts",
        "/coach prompt`",
        "/coach managers",
    ):
        assert usage in text, usage
    assert text.count("e.g.") >= 10
