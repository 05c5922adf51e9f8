"""The AI pane in the playground, clicked in headless chromium: a manager's prompts and data
answers (their own note in the prep), a vote, and a rep's own, smaller set of questions."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.playground.browsing import Person

NOTE = "Strong discovery call with Globex; next: ask about budget."


def test_max_asks_the_assistant_and_riley_sees_only_their_plate(person: Person) -> None:
    person.be("Max")
    person.open("coachbot")
    person.type(f"/coach @Riley {NOTE}")
    expect(person.messages().last).to_contain_text("Saved")
    pane = person.page.locator("#assistant-pane")
    person.page.get_by_role("button", name="✨ Assistant").click()
    prompts = pane.locator(".pa-prompt")
    expect(prompts).to_have_count(4)
    expect(prompts.first).to_have_text("Prep my 1:1 with…")
    expect(pane.locator(".pa-thread")).to_contain_text("only you see this thread")
    person.shot("manager-prompts")
    pane.get_by_role("button", name="Who haven't I coached lately?").click()
    expect(pane.locator(".pa-thread")).to_contain_text("You've coached all 1 rep in the last 14 days")
    expect(pane.locator("#pa-title")).to_have_text("Who to coach next")
    box = pane.get_by_role("textbox", name="Ask the assistant")
    box.fill("Prep my 1:1 with @Riley")
    box.press("Enter")
    expect(pane.locator(".pa-thread")).to_contain_text("Prep for your 1:1 with")
    expect(pane.locator(".pa-thread")).to_contain_text(NOTE)
    person.shot("prep-brief")
    vote = pane.locator(".pa-vote").last.locator("xpath=preceding-sibling::button[1]")
    vote.click()
    expect(vote).to_have_class(re.compile("pa-voted"))
    person.be("Riley")
    expect(prompts).to_have_count(2)
    expect(prompts.first).to_have_text("What's on my plate?")
    pane.get_by_role("button", name="What's on my plate?").click()
    expect(pane.locator(".pa-thread")).to_contain_text("Nothing on your plate")
    expect(pane.locator(".pa-thread")).not_to_contain_text(NOTE)
    person.shot("rep-plate")
