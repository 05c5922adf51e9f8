"""Skills and ratings on notes, the note form's new fields, and editing a note, over signed HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.db.engine import Sessions
from tests.factories import buttons, get_note, make_manager, mention, note_count, seed_note, view_of
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, ephemeral_text
from tests.listeners.coaching_helpers import dm_posts, everything_sent, items, skill_id, view_blocks


@pytest.fixture(autouse=True)
def managers(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U3")


def only_note(sessions: Sessions) -> int:
    from sqlalchemy import select

    from bot.db.models import Note

    with sessions.begin() as session:
        return int(session.scalars(select(Note.id)).one())


def test_a_note_stores_skill_rating_and_text(slack: SlackSender, sessions: Sessions) -> None:
    body = slack.command("/coach", f"{mention('U2', 'bob')} discovery 3 asked great follow-up questions").json()
    note = get_note(sessions, only_note(sessions))
    assert note is not None
    assert (note.skill_id, note.rating, note.text) == (
        skill_id(sessions, "discovery"),
        3,
        "asked great follow-up questions",
    )
    assert "Skill: *Discovery*, 3/5." in body["text"]
    assert set(buttons(body["blocks"])) == {"coach_note_undo", "coach_note_edit"}


@pytest.mark.parametrize("typed", ["DISCOVERY", "disc", "Disc"])
def test_a_skill_may_be_any_case_or_a_unique_prefix(slack: SlackSender, sessions: Sessions, typed: str) -> None:
    slack.command("/coach", f"{mention('U2')} {typed} 4 quantified the pain")
    note = get_note(sessions, only_note(sessions))
    assert note is not None and note.skill_id == skill_id(sessions, "discovery") and note.rating == 4


def test_rating_is_optional_and_a_plain_note_still_works(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/coach", f"{mention('U2')} negotiation held the price")
    slack.command("/coach", f"{mention('U3')} Great call with Acme today")
    with sessions.begin() as session:
        from sqlalchemy import select

        from bot.db.models import Note

        rows = {n.rep_id: (n.skill_id, n.rating, n.text) for n in session.scalars(select(Note))}
    assert rows["U2"] == (skill_id(sessions, "negotiation"), None, "held the price")
    assert rows["U3"] == (None, None, "Great call with Acme today")


@pytest.mark.parametrize("rating", ["7/5", "0", "2.5"])
def test_a_rating_out_of_range_is_refused_with_an_example(slack: SlackSender, sessions: Sessions, rating: str) -> None:
    text = ephemeral_text(slack.command("/coach", f"{mention('U2')} discovery {rating} asked good questions"))
    assert f"`{rating}`" in text and "/coach @bob discovery 3" in text
    assert note_count(sessions) == 0


def test_an_ambiguous_prefix_names_the_candidates(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/coach", "skills")  # seeds the rubric
    text = ephemeral_text(slack.command("/coach", f"{mention('U2')} pro 2 weak on the pitch"))
    assert "prospecting" in text and "product-knowledge" in text
    assert note_count(sessions) == 0


def test_the_note_form_has_skill_rating_and_action_item_fields(slack: SlackSender, fake_slack: FakeSlack) -> None:
    slack.command("/coach", "")
    view = view_of(fake_slack.wait_for("views.open")[0])
    blocks = view_blocks(view)
    assert {"skill", "rating", "action_item", "action_due"} <= set(blocks)
    options = [o["value"] for o in blocks["rating"]["element"]["options"]]
    assert options == ["1", "2", "3", "4", "5"]
    labels = [o["text"]["text"] for o in blocks["skill"]["element"]["options"]]
    assert "Discovery" in labels and len(labels) == 8


def form_values(
    rep: str, text: str, *, skill: int | None = None, rating: str | None = None, item: str = "", due: str | None = None
) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {
        "rep": {"rep": {"type": "users_select", "selected_user": rep}},
        "note": {"note": {"type": "plain_text_input", "value": text}},
    }
    if skill is not None:
        values["skill"] = {"skill": {"type": "static_select", "selected_option": {"value": str(skill)}}}
    if rating is not None:
        values["rating"] = {"rating": {"type": "radio_buttons", "selected_option": {"value": rating}}}
    if item:
        values["action_item"] = {"action_item": {"type": "plain_text_input", "value": item}}
    if due is not None:
        values["action_due"] = {"action_due": {"type": "datepicker", "selected_date": due}}
    return values


def test_the_form_saves_skill_rating_and_creates_the_action_item(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/coach", "skills")
    discovery = skill_id(sessions, "discovery")
    values = form_values(
        "U2",
        "Private: bob struggled on pricing",
        skill=discovery,
        rating="2",
        item="Send the Acme recap",
        due="2026-12-04",
    )
    resp = slack.view_submission("coach_note_modal", values)
    assert resp.status_code == 200 and resp.json()["response_action"] == "update"
    note = get_note(sessions, only_note(sessions))
    assert note is not None and (note.skill_id, note.rating) == (discovery, 2)
    (item,) = items(sessions)
    assert (item.rep_id, item.assigner_id, item.text, item.note_id) == ("U2", "U1", "Send the Acme recap", note.id)
    assert item.due_on is not None and item.due_on.isoformat() == "2026-12-04"
    dm_posts(fake_slack, "U2", count=1)
    sent = everything_sent(fake_slack, "U2")
    assert "Send the Acme recap" in sent and "<@U1>" in sent
    assert "struggled on pricing" not in sent  # the rep never gets the private note


def test_a_bad_action_item_in_the_form_saves_nothing(slack: SlackSender, sessions: Sessions) -> None:
    resp = slack.view_submission("coach_note_modal", form_values("U2", "Fine call", item="x" * 1001))
    assert resp.json()["response_action"] == "errors" and "action_item" in resp.json()["errors"]
    assert note_count(sessions) == 0 and items(sessions) == []


def test_a_rating_without_a_skill_is_refused_under_the_field(slack: SlackSender, sessions: Sessions) -> None:
    resp = slack.view_submission("coach_note_modal", form_values("U2", "Fine call", rating="3"))
    assert resp.json()["errors"].keys() == {"skill"}
    assert note_count(sessions) == 0


def test_a_forged_skill_of_another_workspace_is_refused(slack: SlackSender, sessions: Sessions) -> None:
    from datetime import UTC, datetime

    from bot.services import rubric

    with sessions.begin() as session:  # another workspace's rubric, as stored
        rubric.list_skills(session, team_id="T2", now=datetime.now(UTC))
    other = skill_id(sessions, "discovery", team_id="T2")
    resp = slack.view_submission("coach_note_modal", form_values("U2", "Fine call", skill=other, rating="3"))
    assert "skill" in resp.json()["errors"]
    assert note_count(sessions) == 0


# --- editing ----------------------------------------------------------------------------------


def test_edit_opens_the_form_pre_filled_for_the_author(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    body = slack.command("/coach", f"{mention('U2')} demo 4 crisp demo, weak close").json()
    note_id = only_note(sessions)
    edit = buttons(body["blocks"])["coach_note_edit"]
    slack.block_action("coach_note_edit", edit["value"])
    view = view_of(fake_slack.wait_for("views.open")[0])
    assert view["callback_id"] == "coach_note_edit_modal" and view["private_metadata"] == str(note_id)
    blocks = view_blocks(view)
    assert blocks["note"]["element"]["initial_value"] == "crisp demo, weak close"
    assert blocks["skill"]["element"]["initial_option"]["value"] == str(skill_id(sessions, "demo"))
    assert blocks["rating"]["element"]["initial_option"]["value"] == "4"


def test_editing_replaces_the_note_and_marks_it_edited(slack: SlackSender, sessions: Sessions) -> None:
    note_id = seed_note(sessions, text="first take")
    slack.command("/coach", "skills")
    closing = skill_id(sessions, "closing")
    values: dict[str, dict[str, Any]] = {
        "note": {"note": {"type": "plain_text_input", "value": "second take <!channel>"}},
        "skill": {"skill": {"type": "static_select", "selected_option": {"value": str(closing)}}},
        "rating": {"rating": {"type": "radio_buttons", "selected_option": {"value": "5"}}},
    }
    resp = slack.view_submission("coach_note_edit_modal", values, private_metadata=str(note_id))
    assert resp.json()["response_action"] == "update"
    note = get_note(sessions, note_id)
    assert note is not None and (note.text, note.skill_id, note.rating) == ("second take <!channel>", closing, 5)
    assert note.edited_at is not None
    listing = ephemeral_text(slack.command("/coach", "notes"))
    assert "edited" in listing and "&lt;!channel&gt;" in listing and "<!channel>" not in listing


def test_another_manager_cannot_open_or_save_an_edit(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    note_id = seed_note(sessions, text="ada's private note")
    slack.block_action("coach_note_edit", str(note_id), user="U3")
    answer = fake_slack.wait_for("response_url")[-1].params
    assert isinstance(answer, dict) and "ada's private note" not in json.dumps(answer)
    assert fake_slack.calls_to("views.open") == []
    values = {"note": {"note": {"type": "plain_text_input", "value": "hijacked"}}}
    resp = slack.view_submission("coach_note_edit_modal", values, user="U3", private_metadata=str(note_id))
    assert resp.json()["response_action"] == "errors"
    note = get_note(sessions, note_id)
    assert note is not None and note.text == "ada's private note" and note.edited_at is None


def test_each_listed_note_has_an_edit_button_with_its_id(slack: SlackSender, sessions: Sessions) -> None:
    ids = [seed_note(sessions, text=f"note {i}") for i in range(3)]
    blocks = slack.command("/coach", "notes").json()["blocks"]
    edits = [b["accessory"]["value"] for b in blocks if b.get("accessory", {}).get("action_id") == "coach_note_edit"]
    assert sorted(edits) == sorted(str(i) for i in ids)


def test_the_forms_saved_view_has_edit_which_opens_the_form_on_top(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    resp = slack.view_submission("coach_note_modal", form_values("U2", "Good first call"))
    saved = resp.json()["view"]
    note_id = only_note(sessions)
    assert saved["title"]["text"] == "Note saved"
    assert {a: b["value"] for a, b in buttons(saved["blocks"]).items()} == {
        "coach_note_undo": str(note_id),
        "coach_note_edit": str(note_id),
    }
    # Pressed inside that modal: Slack opens a modal from a modal with views.push, not views.open.
    slack.block_action("coach_note_edit", str(note_id), channel=None, view={"id": "VSAVED", **saved})
    pushed = view_of(fake_slack.wait_for("views.push")[0])
    assert fake_slack.calls_to("views.open") == []
    assert pushed["callback_id"] == "coach_note_edit_modal" and pushed["private_metadata"] == str(note_id)
    assert view_blocks(pushed)["note"]["element"]["initial_value"] == "Good first call"
    # Saving the edit answers in the pushed view and corrects the "Note saved" view below it.
    values = {"note": {"note": {"type": "plain_text_input", "value": "Good first call; ask for budget"}}}
    resp = slack.view_submission(
        "coach_note_edit_modal", values, private_metadata=str(note_id), previous_view_id="VSAVED"
    )
    assert resp.json()["response_action"] == "update"
    assert resp.json()["view"]["title"]["text"] == "Note edited"
    (below,) = fake_slack.wait_for("views.update", view_id="VSAVED")
    assert "updated" in json.dumps(below.params)
    note = get_note(sessions, note_id)
    assert note is not None and note.text == "Good first call; ask for budget"


def test_edit_of_an_undone_note_from_the_saved_view_answers_in_the_modal(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    saved = slack.view_submission("coach_note_modal", form_values("U2", "Good first call")).json()["view"]
    note_id = only_note(sessions)
    slack.block_action("coach_note_undo", str(note_id), channel=None, view={"id": "VSAVED", **saved})
    fake_slack.wait_for("views.update", view_id="VSAVED")
    slack.block_action("coach_note_edit", str(note_id), channel=None, view={"id": "VSAVED", **saved})
    answers = fake_slack.wait_for("views.update", count=2, view_id="VSAVED")
    assert "no longer exists" in json.dumps(answers[-1].params)
    assert fake_slack.calls_to("views.push") == [] and fake_slack.calls_to("views.open") == []


@pytest.mark.parametrize("value", ["other", "999999", "x" * 5000, ""])
def test_edit_in_a_modal_for_a_note_not_yours_answers_in_the_modal_and_opens_nothing(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, value: str
) -> None:
    note_id = seed_note(sessions, text="ada's private note")
    view = {"id": "VOTHER", "type": "modal", "callback_id": "coach_note_saved"}
    slack.block_action(
        "coach_note_edit", str(note_id) if value == "other" else value, user="U3", channel=None, view=view
    )
    (answer,) = fake_slack.wait_for("views.update", view_id="VOTHER")
    assert "ada's private note" not in json.dumps(answer.params)
    assert fake_slack.calls_to("views.push") == [] and fake_slack.calls_to("views.open") == []
