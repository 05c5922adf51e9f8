"""The playground's Workflows panel: each Workflow Builder step run as a workflow would run it,
first through the playground's own API, then clicked in headless chromium at 768 and 1280 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from bot.db.models import ActionItem, Note
from bot.playground import world as w
from bot.playground.server import Playground
from tests.playground.browsing import Person


def notes(pg: Playground) -> list[Note]:
    assert pg.deps is not None
    with pg.deps.sessions.begin() as session:
        return list(session.scalars(select(Note)))


def test_each_step_runs_through_the_app_and_reports_how_it_completed(fresh: Playground) -> None:
    steps = fresh.workflows
    note = steps.run(
        fresh.poster,
        callback_id="log_coaching_note",
        inputs={
            "manager": w.MAX.id,
            "rep": w.RILEY.id,
            "text": "Asked great discovery questions",
            "skill": "discovery",
        },
    )
    assert note.status == "completed", note.error
    (saved,) = notes(fresh)
    assert note.outputs == {"note_id": saved.id} and saved.author_id == w.MAX.id
    item = steps.run(
        fresh.poster, callback_id="assign_action_item", inputs={"manager": w.MAX.id, "rep": w.RILEY.id, "text": "Recap"}
    )
    assert item.status == "completed", item.error
    assert fresh.deps is not None
    with fresh.deps.sessions.begin() as session:
        assert session.scalars(select(ActionItem.id)).all() == [item.outputs["action_item_id"]]
    quote = steps.run(fresh.poster, callback_id="post_leadership_quote", inputs={"channel": w.SALES.id})
    assert quote.status == "completed", quote.error
    assert fresh.world.find(w.SALES.id, quote.outputs["message_ts"]) is not None
    summary = steps.run(
        fresh.poster, callback_id="get_rep_coaching_summary", inputs={"manager": w.MAX.id, "rep": w.RILEY.id}
    )
    assert summary.status == "completed" and summary.outputs["notes_30d"] == 1
    refused = steps.run(
        fresh.poster, callback_id="log_coaching_note", inputs={"manager": w.RILEY.id, "rep": w.MAX.id, "text": "Hi"}
    )
    assert refused.status == "failed" and refused.error is not None and "manager" in refused.error
    assert len(notes(fresh)) == 1


def test_max_runs_each_step_from_the_workflows_panel(person: Person) -> None:
    page = person.page
    person.be("Max")
    person.open("sales")
    page.get_by_role("link", name=re.compile("Run a workflow step")).click()
    panel = page.get_by_role("dialog", name="Workflow Builder step")
    expect(panel).to_be_visible()
    expect(panel.get_by_label("Manager")).to_have_value(w.MAX.id)  # "Person who used this workflow"
    person.shot("panel-open")

    panel.get_by_label("Text").fill("Handled the pricing objection calmly")
    panel.get_by_label("Skill (optional)").fill("discovery")
    panel.get_by_label("Rating 1–5 (optional)").fill("4")
    panel.get_by_role("button", name="Run step").click()
    result = panel.get_by_role("status")
    expect(result).to_contain_text("Step completed")
    expect(result).to_contain_text("note_id")
    person.shot("note-logged")

    panel.get_by_label("Step").select_option(label="Assign action item")
    panel.get_by_label("Text").fill("Send the Acme recap")
    panel.get_by_role("button", name="Run step").click()
    expect(result).to_contain_text("action_item_id")
    person.shot("action-item-assigned")

    panel.get_by_label("Step").select_option(label="Post a leadership quote")
    panel.get_by_label("Tag (optional)").fill("juggling")
    panel.get_by_role("button", name="Run step").click()
    expect(result).to_contain_text("Step failed")
    expect(result).to_contain_text("is not a quote tag")
    person.shot("quote-refused")
    panel.get_by_label("Tag (optional)").fill("")
    panel.get_by_role("button", name="Run step").click()
    expect(result).to_contain_text("message_ts")
    person.shot("quote-posted")

    panel.get_by_label("Step").select_option(label="Get rep coaching summary")
    panel.get_by_role("button", name="Run step").click()
    expect(result).to_contain_text("notes_30d")
    expect(result).not_to_contain_text("pricing objection")  # counts only
    person.shot("summary")
    panel.locator("footer").get_by_role("button", name="Close").click()
    expect(panel).to_be_hidden()
    public = page.locator("#messages .pg-msg:not(.pg-ephemeral):has(.pg-quote)")
    expect(public).to_have_count(1)  # the posted quote, in #sales
    person.shot("quote-in-sales")
