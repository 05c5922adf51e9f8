"""First contact (issue 11, rough edges), over signed HTTP against the fake Slack.

Time zones as people type them, typos, help that fits the reader, the App Home for
everyone, and the wording of counts and form errors. Each test is a signed request and
the reply it gets (and the rows or Slack calls it leaves behind).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Schedule
from tests.factories import (
    blocks_of,
    buttons,
    last_response,
    make_manager,
    mention,
    note_count,
    seed_note,
    view_of,
)
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, TestClock, ephemeral_text


def schedule(sessions: Sessions, kind: str, target: str) -> Schedule | None:
    with sessions() as session:
        return session.scalars(select(Schedule).where(Schedule.kind == kind, Schedule.target_id == target)).first()


def tz_of(sessions: Sessions, kind: str = "quote_channel", target: str = "C1") -> str | None:
    row = schedule(sessions, kind, target)
    return row.tz if row is not None else None


def modal_values(time: str, zone: str, days: str) -> dict[str, dict[str, Any]]:
    return {
        "time": {"time": {"type": "timepicker", "selected_time": time}},
        "zone": {"zone": {"type": "plain_text_input", "value": zone}},
        "days": {"days": {"type": "plain_text_input", "value": days}},
    }


# --- time zones as people type them ----------------------------------------------------------


def test_a_city_name_sets_its_zone(slack: SlackSender, sessions: Sessions, clock: TestClock) -> None:
    clock.set("2026-11-30T12:00:00Z")
    text = ephemeral_text(slack.command("/quote", "daily 9:00 Berlin"))
    assert "*09:00* Europe/Berlin, weekdays" in text
    assert "Next post: *Tue 1 Dec 2026, 09:00 CET*" in text
    assert tz_of(sessions) == "Europe/Berlin"


def test_twelve_hour_time_and_a_city(slack: SlackSender, sessions: Sessions) -> None:
    assert "*09:00* Europe/London, weekdays" in ephemeral_text(slack.command("/quote", "daily 9am London"))
    assert tz_of(sessions) == "Europe/London"


def test_a_city_of_several_words(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 09:00 New York mon,wed"))
    assert "*09:00* America/New_York, Mon, Wed" in text
    row = schedule(sessions, "quote_channel", "C1")
    assert row is not None and (row.tz, row.days) == ("America/New_York", 0b0000101)


def test_a_city_with_accents_and_a_soft_hyphen(slack: SlackSender, sessions: Sessions) -> None:
    assert "America/Sao_Paulo" in ephemeral_text(slack.command("/quote", "daily 9am São Paulo"))
    # A soft hyphen is invisible when pasted; the city is still the city.
    assert "Europe/Berlin" in ephemeral_text(slack.command("/quote", "daily 9am Ber\u00adlin"))
    assert tz_of(sessions) == "Europe/Berlin"


def test_an_abbreviation_gets_the_likely_zone_and_the_command_to_paste(
    slack: SlackSender, sessions: Sessions, clock: TestClock
) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 9:00 EST mon,wed,fri"))
    assert "`EST` is an abbreviation, not a time zone" in text
    assert "UTC-5 all year" in text
    assert "You most likely mean *America/New_York*" in text
    assert "Paste this: `/quote daily 09:00 America/New_York mon,wed,fri`" in text
    assert schedule(sessions, "quote_channel", "C1") is None  # nothing saved under EST
    # The pasted command works as it says.
    clock.set("2026-11-30T12:00:00Z")
    again = ephemeral_text(slack.command("/quote", "daily 09:00 America/New_York mon,wed,fri"))
    assert "*09:00* America/New_York, Mon, Wed, Fri" in again
    assert tz_of(sessions) == "America/New_York"


def test_an_abbreviation_in_coach_prompts_pastes_the_prompts_command(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    text = ephemeral_text(slack.command("/coach", "prompts 8:30am PST mon,thu"))
    assert "`PST` is an abbreviation" in text and "*America/Los_Angeles*" in text
    assert "Paste this: `/coach prompts 08:30 America/Los_Angeles mon,thu`" in text
    channel = ephemeral_text(slack.command("/coach", "prompts channel 09:00 CET"))
    assert "Paste this: `/coach prompts channel 09:00 Europe/Berlin weekdays`" in channel
    assert schedule(sessions, "prompt_dm", "U1") is None
    assert schedule(sessions, "prompt_channel", "C1") is None


def test_a_fixed_offset_is_refused_with_a_city_that_keeps_summer_time(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 09:00 UTC+2"))
    assert "`UTC+2` is a fixed offset" in text
    assert "Paste this: `/quote daily 09:00 Europe/Athens weekdays`" in text
    assert schedule(sessions, "quote_channel", "C1") is None


def test_an_ambiguous_city_lists_the_places(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 09:00 Portland"))
    assert "*Portland, Oregon* (`America/Los_Angeles`) or *Portland, Maine* (`America/New_York`)" in text
    assert schedule(sessions, "quote_channel", "C1") is None


def test_a_mistyped_or_look_alike_city_gets_a_suggestion(slack: SlackSender, sessions: Sessions) -> None:
    assert "Did you mean `Berlin`?" in ephemeral_text(slack.command("/quote", "daily 09:00 Berln"))
    # Cyrillic В and е look like Latin B and e: not Berlin, but suggested.
    look_alike = ephemeral_text(slack.command("/quote", "daily 09:00 \u0412\u0435rlin"))
    assert "Did you mean `Berlin`?" in look_alike
    assert "Did you mean `Europe/Berlin`?" in ephemeral_text(slack.command("/quote", "daily 09:00 Europe/Berln"))
    assert schedule(sessions, "quote_channel", "C1") is None


def test_error_examples_use_the_users_own_zone(slack: SlackSender, sessions: Sessions) -> None:
    # U2's Slack zone is New York: the schedule would fall back to it, and so does the example.
    text = ephemeral_text(slack.command("/quote", "daily 9am someday", user="U2"))
    assert "`someday`" in text
    assert "For example `/quote daily 09:00 America/New_York weekdays`" in text
    assert "Europe/Berlin weekdays" not in text
    make_manager(sessions, "U2")
    prompts = ephemeral_text(slack.command("/coach", "prompts 25:00", user="U2"))
    assert "`/coach prompts 08:30 America/New_York weekdays`" in prompts


def test_zone_fallback_reply_names_the_users_zone(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U2")
    text = ephemeral_text(slack.command("/coach", "prompts 07:15", user="U2"))
    assert "07:15 America/New_York, weekdays" in text
    assert tz_of(sessions, "prompt_dm", "U2") == "America/New_York"


def test_the_prompt_time_form_takes_a_city_and_refuses_an_abbreviation_in_its_own_words(
    slack: SlackSender, sessions: Sessions
) -> None:
    make_manager(sessions, "U1")
    refused = slack.view_submission("coach_prompt_time_modal", modal_values("07:45", "EST", "weekdays")).json()
    assert refused["response_action"] == "errors"
    error = refused["errors"]["zone"]
    assert "`EST` is an abbreviation" in error and "Use `America/New_York` instead." in error
    assert "/coach" not in error  # a form speaks of its fields, not of commands
    assert schedule(sessions, "prompt_dm", "U1") is None

    ok = slack.view_submission("coach_prompt_time_modal", modal_values("07:45", "new york", "mon,thu"))
    assert ok.status_code == 200 and ok.text == ""
    row = schedule(sessions, "prompt_dm", "U1")
    assert row is not None and (row.hour, row.minute, row.tz, row.days) == (7, 45, "America/New_York", 0b1001)


# --- typos ------------------------------------------------------------------------------------


def test_a_mistyped_subcommand_gets_did_you_mean(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "dialy 09:00 Berlin"))
    assert "I don't know `/quote dialy`. Did you mean `/quote daily 09:00 Berlin`?" in text
    assert "Did you mean `/quote top`?" in ephemeral_text(slack.command("/quote", "tpo"))
    make_manager(sessions, "U1")
    assert "Did you mean `/coach notes`?" in ephemeral_text(slack.command("/coach", "ntoes"))
    assert "Did you mean `/coach prompts 08:30`?" in ephemeral_text(slack.command("/coach", "prompst 08:30"))
    # Echoed back escaped once: a ping stays text, a typed & stays an &.
    hostile = ephemeral_text(slack.command("/quote", "dialy <!channel> &amp; `x`"))
    assert "Did you mean `/quote daily &lt;!channel&gt; &amp; 'x'`?" in hostile and "<!channel>" not in hostile
    assert schedule(sessions, "quote_channel", "C1") is None and schedule(sessions, "prompt_dm", "U1") is None


def test_a_word_close_to_nothing_lists_the_subcommands_the_reader_can_use(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/quote", "frobnicate"))
    assert "Did you mean" not in text and "Try one of:" in text and "`daily`" in text and "`/quote help`" in text
    rep = ephemeral_text(slack.command("/coach", "frobnicate", user="U2"))
    # A rep can read the skill rubric and their own action items, and add 1:1 topics; nothing else of /coach.
    assert "Try one of: `help`, `skills`, `todos`, `topic`." in rep
    admin = ephemeral_text(slack.command("/coach", "frobnicate", user="UADMIN"))
    assert "`notes`" in admin and "`managers`" in admin


def test_a_name_typed_without_autocomplete_gets_did_you_mean_the_member(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    fake_slack.add_user("UDANA", name="dana", real_name="Dana Scully", tz="Europe/Berlin")
    text = ephemeral_text(slack.command("/coach", "dana great call"))
    assert "Did you mean <@UDANA>?" in text
    assert "`/coach @dana what you observed`" in text
    assert note_count(sessions) == 0
    # Typed with an @ that Slack did not turn into a mention, and in a managers command too.
    assert "Did you mean <@UDANA>?" in ephemeral_text(slack.command("/coach", "@Dana great call"))
    added = ephemeral_text(slack.command("/coach", "managers add dana", user="UADMIN"))
    assert "Did you mean <@UDANA>?" in added and "is not a mention" in added


def test_no_member_suggestion_from_another_workspace(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    fake_slack.add_workspace("T2")
    fake_slack.add_user("UOTHER", team_id="T2", name="dana", real_name="Dana Elsewhere")
    text = ephemeral_text(slack.command("/coach", "dana great call"))
    assert "UOTHER" not in text and "Did you mean <@" not in text
    assert "I don't know `/coach dana`" in text
    assert note_count(sessions) == 0


# --- help fits the reader -----------------------------------------------------------------------


def help_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("• ")]


def test_a_reps_coach_help_lists_only_what_a_rep_can_use(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/coach", "help", user="U2"))
    lines = help_lines(text)
    assert lines[0] == "• `/coach help` — Show this list."
    assert [line.split("`")[1].split()[1] for line in lines] == ["help", "skills", "todos", "topic"]
    assert "/coach notes" not in text and "/coach managers" not in text
    assert "is for managers, and you're not one yet" in text
    assert "An admin can add you: <@UADMIN>" in text
    assert "`/quote help`" in text


def test_a_managers_help_has_the_coaching_commands_but_not_naming_managers(
    slack: SlackSender, sessions: Sessions
) -> None:
    make_manager(sessions, "U1")
    text = ephemeral_text(slack.command("/coach", "help"))
    listed = "\n".join(help_lines(text))
    for command in ("/coach notes", "/coach prompts", "/coach overview", "/coach delete", "/coach @rep"):
        assert command in listed
    assert "/coach managers" not in text and "not one yet" not in text


def test_an_admins_help_lists_everything(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/coach", "help", user="UADMIN"))
    assert "/coach managers [add @a @b | remove @a]" in text and "/coach notes" in text


def test_quote_help_is_the_same_for_everyone(slack: SlackSender) -> None:
    rep = ephemeral_text(slack.command("/quote", "help", user="U2"))
    admin = ephemeral_text(slack.command("/quote", "help", user="UADMIN"))
    assert rep == admin and "/quote daily" in rep


def test_a_rep_asking_for_the_managers_list_is_told_who_the_admins_are(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/coach", "managers", user="U2"))
    assert "Only admins manage the list of managers. Your admins: <@UADMIN>" in text
    assert "Nothing was changed" not in text


def test_a_newly_named_manager_gets_a_welcome_dm_with_three_first_steps(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    text = ephemeral_text(slack.command("/coach", f"managers add {mention('U3', 'cy')} {mention('U1')}", user="UADMIN"))
    assert "Added as managers: <@U3>" in text and "welcome DM with three first steps" in text
    (opened,) = fake_slack.wait_for("conversations.open", users="U3")
    dm = opened.response["channel"]["id"]
    (post,) = fake_slack.wait_for("chat.postMessage", channel=dm)
    message = json.dumps(blocks_of(post))
    assert "<@UADMIN> made you a coachbot manager" in message
    for step in ("*1. Log a note*", "*2. Set your prompt time*", "*3. Open the App Home*"):
        assert step in message
    assert "slack://app?team=T1&id=A1&tab=home" in message
    assert {"coach_log_note", "coach_set_prompt_time"} <= set(buttons(blocks_of(post)))
    # U1 was a manager already: no welcome for them.
    assert not fake_slack.calls_to("conversations.open", users="U1")
    # The DM's button works for the new manager.
    slack.block_action("coach_set_prompt_time", "welcome", user="U3", channel=dm)
    (modal,) = fake_slack.wait_for("views.open")
    assert view_of(modal)["callback_id"] == "coach_prompt_time_modal"


# --- App Home ---------------------------------------------------------------------------------


def open_home(slack: SlackSender, fake: FakeSlack, user: str) -> dict[str, Any]:
    assert (
        slack.event({"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}).status_code == 200
    )
    view = view_of(fake.wait_for("views.publish", user_id=user)[-1])
    assert view["type"] == "home"
    return view


def headers(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


def test_managers_see_todays_quote_and_submit_a_quote_above_their_coaching(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    manager = open_home(slack, fake_slack, "U1")
    assert headers(manager) == ["Today's leadership quote", "Your coaching", "Recent notes", "Overview"]
    assert {"submit_quote_open", "coach_log_note", "coach_set_prompt_time"} <= set(buttons(manager["blocks"]))
    # The quote part is the same one a rep sees today.
    rep = open_home(slack, fake_slack, "U2")
    assert headers(rep) == ["Today's leadership quote"]
    assert set(buttons(rep["blocks"])) == {"submit_quote_open"}
    quote_part = manager["blocks"][: len(rep["blocks"])]
    assert quote_part == rep["blocks"]


def test_an_admin_counts_as_manager_on_the_home_tab(slack: SlackSender, fake_slack: FakeSlack) -> None:
    view = open_home(slack, fake_slack, "UADMIN")
    assert headers(view)[:2] == ["Today's leadership quote", "Your coaching"]


# --- wording: counts and the note form --------------------------------------------------------


def test_counts_say_1_note_and_2_notes(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    make_manager(sessions, "U1")
    seed_note(sessions, author="U1", rep="U2")
    one = ephemeral_text(slack.command("/coach", "notes"))
    assert "Your recent notes: 1 note" in one and "1 note in all" in one and "note(s)" not in one
    assert "Sending your 1 note as a CSV file" in ephemeral_text(slack.command("/coach", "export"))
    (complete,) = fake_slack.wait_for("files.completeUploadExternal")
    assert str(complete.get("initial_comment")).startswith("Your 1 coaching note. Columns:")
    overview = ephemeral_text(slack.command("/coach", "overview"))
    assert "Your coaching overview: 1 rep" in overview and "1 rep, least recently coached first" in overview
    assert "rep(s)" not in overview
    only = slack.command("/coach", "delete all").json()
    assert only["text"] == "Delete your only note? Confirm with the button."
    assert "This deletes *your only coaching note*" in json.dumps(only["blocks"])
    assert "all 1" not in json.dumps(only["blocks"])

    seed_note(sessions, author="U1", rep="U3")
    two = ephemeral_text(slack.command("/coach", "notes"))
    assert "Your recent notes: 2 notes" in two and "2 notes in all" in two
    assert "Your coaching overview: 2 reps" in ephemeral_text(slack.command("/coach", "overview"))
    both = slack.command("/coach", "delete all").json()
    assert both["text"] == "Delete all 2 of your notes? Confirm with the button."
    confirm = buttons(both["blocks"])["coach_delete_all_confirm"]
    slack.block_action("coach_delete_all_confirm", confirm["value"])
    assert last_response(fake_slack)["text"] == ":wastebasket: Deleted 2 notes."


def note_form(rep: str | None, text: str) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {"note": {"note": {"type": "plain_text_input", "value": text}}}
    values["rep"] = {"rep": {"type": "users_select", "selected_user": rep}}
    return values


def test_note_form_errors_speak_of_the_forms_fields(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    fake_slack.add_user("UROBOT", name="robot", is_bot=True)
    fake_slack.add_user("UGONE", name="gone", deleted=True)
    cases = {
        ("U2", "   "): ("note", "Write what you observed here; a note can't be empty."),
        ("U2", "x" * 3001): ("note", "This note is 3,001 characters; the field holds at most 3,000."),
        ("UROBOT", "fine"): ("rep", "<@UROBOT> is a bot or app, not a person; coaching notes are about people."),
        ("UGONE", "fine"): ("rep", "Pick an active colleague here instead."),
        ("UNOBODY", "fine"): ("rep", "I can't find <@UNOBODY> in this workspace. Pick a colleague here instead."),
        (None, "fine"): ("rep", "Pick the rep this note is about."),
    }
    for (rep, text), (field, expected) in cases.items():
        answer = slack.view_submission("coach_note_modal", note_form(rep, text)).json()
        assert answer["response_action"] == "errors", (rep, answer)
        error = answer["errors"][field]
        assert expected in error, (rep, error)
        assert "/coach" not in error and "`" not in error  # no slash-command syntax in a form
    assert note_count(sessions) == 0
    # The same problems typed as a command still show the command to type.
    typed = ephemeral_text(slack.command("/coach", f"{mention('UROBOT')} fine"))
    assert "Mention a colleague, e.g. `/coach @bob" in typed


def test_start_examples_use_the_users_own_zone(slack: SlackSender, sessions: Sessions) -> None:
    ny = ephemeral_text(slack.command("/quote", "daily", user="U2"))
    assert "no daily quotes" in ny and "`/quote daily 09:00 America/New_York weekdays`" in ny
    make_manager(sessions, "U1")
    berlin = ephemeral_text(slack.command("/coach", "prompts"))
    assert "no coaching prompt DMs yet" in berlin and "`/coach prompts 08:30 Europe/Berlin weekdays`" in berlin
