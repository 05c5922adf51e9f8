"""The 1:1 flow in the playground, clicked in headless chromium: Max sets a weekly 1:1 with
Riley from the 1:1s panel, Riley adds a talking point, and the clock brings Max's brief, the
agenda to both (Riley's without notes) and the nudge whose "Log a note" opens the form for
Riley. At 768 and 1280 px; screenshots go to the artifacts directory as in test_browser.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.playground.browsing import Person


class PanelPerson(Person):
    """A person who also uses the 1:1s panel and the DM's composer."""

    def open_dm(self) -> None:
        self.page.locator("nav .conv", has_text="coachbot").click()
        expect(self.page.locator("#conv-title")).to_have_text("coachbot")
        self.page.get_by_role("tab", name="Messages").click()

    def offer(self, label: str) -> None:
        """Click a 1:1s panel button: it fills the composer, as typing would."""
        self.page.locator("#one-on-ones").get_by_role("button", name=label).click()
        expect(self.page.get_by_role("textbox", name="Message")).to_have_value(re.compile("^/coach "))

    def send(self, more: str = "") -> None:
        box = self.page.get_by_role("textbox", name="Message")
        if more:
            box.press("End")
            box.type(more)
        box.press("Enter")
        expect(box).to_have_value("")


@pytest.fixture
def person(person: Person) -> PanelPerson:
    return PanelPerson(person.page, person.artifacts, person.test)


def test_a_weekly_1on1_brings_brief_agenda_and_nudge(person: PanelPerson) -> None:
    messages = person.page.locator("#messages .pg-msg:not(.pg-system)")
    person.be("Max")
    person.open_dm()
    person.offer("Set a weekly 1:1")  # Monday 07:00 in New York: the 1:1 is tomorrow at 10:00
    person.send()
    expect(messages.last).to_contain_text(re.compile(r"1:1 with @Riley every Tue at 10:00"))
    person.shot("cadence-set")
    person.send("/coach @riley PRIVATE: rushed the pricing slide")
    person.be("Riley")
    person.open_dm()
    person.offer("Add a topic for my manager")
    person.send("my promotion path")
    expect(messages.last).to_contain_text("Added topic")
    person.shot("riley-adds-a-topic")

    person.be("Max")
    person.time_travel("Next morning 09:00")  # Monday 09:00: nothing yet
    expect(messages.filter(has_text="Prep for your 1:1")).to_have_count(0)
    person.time_travel("Next morning 09:00")  # Tuesday 09:00: the brief was due at 08:00
    brief = messages.filter(has_text="Prep for your 1:1")
    expect(brief).to_have_count(1)
    expect(brief.first).to_contain_text("my promotion path")
    expect(brief.first).to_contain_text("PRIVATE")
    person.shot("max-brief")
    person.time_travel("+1 hour")  # 10:00: the agenda (09:30) to both
    expect(messages.filter(has_text="Agenda for your 1:1")).to_have_count(1)
    person.be("Riley")
    agenda = messages.filter(has_text="Agenda for your 1:1")
    expect(agenda).to_have_count(1)
    expect(agenda.first).to_contain_text("my promotion path")
    expect(person.page.locator("#messages")).not_to_contain_text("PRIVATE")
    expect(person.page.locator("#messages")).not_to_contain_text("Prep for your 1:1")
    person.shot("riley-agenda-without-notes")

    person.be("Max")
    person.time_travel("+1 hour")  # 11:00: the nudge
    nudge = messages.filter(has_text="How did your 1:1")
    expect(nudge).to_have_count(1)
    nudge.first.get_by_role("button", name="Log a note").click()
    modal = person.page.locator("#modal-layer")
    expect(modal.locator("#modal-title")).to_have_text("Log a coaching note")
    expect(modal.get_by_label("Rep", exact=True)).to_have_value("URILEY")
    person.shot("nudge-opens-the-form-for-riley")
