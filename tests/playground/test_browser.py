"""The five flows of issue 15 and the three of issue 20 (Reset, the narrow window, the
shortcut on a bot post), clicked in headless chromium as a person would, each at 768 and
1280 px wide.

Each step's screenshot goes to the artifacts directory ($PLAYGROUND_ARTIFACTS, else
tests/playground/artifacts/) so a reviewer can look at what the person saw.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.playground.browsing import Person


def test_riley_types_quote_and_sees_a_quote_card(person: Person) -> None:
    person.be("Riley")
    person.open("sales")
    person.shot("empty-sales")
    person.type("/quote")
    card = person.messages().last
    expect(card).to_contain_text("Only visible to you")
    expect(card.locator(".pg-author")).to_have_text("coachbot")
    expect(card.locator(".pg-quote")).to_have_text(re.compile(r"\w.{10,}"))
    expect(card).to_contain_text(re.compile(r"— (attributed to )?\w"))  # the byline
    person.shot("quote-card")
    person.be("Max")
    expect(person.page.locator("#messages")).not_to_contain_text("Only visible to you")
    person.shot("max-does-not-see-rileys-card")


def test_max_sets_a_daily_quote_and_next_morning_brings_exactly_one_post(person: Person) -> None:
    person.be("Max")
    person.open("sales")
    person.type("/quote daily 09:00")
    expect(person.messages().last).to_contain_text(re.compile("daily quote.*09:00", re.IGNORECASE))
    expect(person.page.locator("#messages .pg-system")).to_contain_text("joined #sales")
    person.shot("daily-set")
    person.time_travel("Next morning 09:00")
    expect(person.page.locator("#clock-label")).to_contain_text("09:00")
    public = person.page.locator("#messages .pg-msg:not(.pg-ephemeral):has(.pg-quote)")
    expect(public).to_have_count(1)
    expect(public.first.locator(".pg-author")).to_have_text("coachbot")
    expect(public.first.locator(".pg-time")).to_have_text("09:00")
    person.shot("one-daily-post")
    person.time_travel("+1 hour")  # the engine runs again: still one post for today
    expect(person.page.locator("#clock-label")).to_contain_text("10:00")
    expect(public).to_have_count(1)
    person.be("Riley")
    expect(public).to_have_count(1)
    person.shot("riley-sees-the-same-post")


def test_max_logs_a_note_in_the_modal_and_sees_it_saved_with_undo(person: Person) -> None:
    person.be("Max")
    person.open("sales")
    person.type("/coach")
    modal = person.modal()
    expect(modal.locator("#modal-title")).to_have_text("Log a coaching note")
    person.shot("modal-open")
    modal.get_by_role("button", name="Save").click()  # nothing filled in: Slack's own check
    expect(modal.locator(".pg-input.has-error").first).to_contain_text("Please complete this required field.")
    person.shot("required-fields")
    modal.get_by_label("Rep", exact=True).select_option(label="Riley")
    modal.get_by_label("Note", exact=True).fill(
        "Strong discovery call with Globex; next: ask about budget before the demo."
    )
    modal.get_by_label("Follow up on").fill("2026-11-01")  # in the past: the app refuses it
    modal.get_by_role("button", name="Save").click()
    expect(modal).to_contain_text("Pick today or a later date for the follow-up.")
    person.shot("app-validation-error")
    modal.get_by_label("Follow up on").fill("2026-12-07")
    modal.get_by_label("Theme").select_option(index=1)
    modal.get_by_label("Skill").select_option(label="Discovery")  # the workspace's rubric
    modal.get_by_label("4", exact=True).check()  # Rating: a radio button
    person.shot("skill-and-rating")
    modal.get_by_role("button", name="Save").click()
    expect(modal.locator("#modal-title")).to_have_text("Note saved")
    expect(modal).to_contain_text("Riley")
    expect(modal).to_contain_text("Discovery")
    undo = modal.get_by_role("button", name=re.compile("Undo"))
    expect(undo).to_be_visible()
    person.shot("saved-with-undo")
    undo.click()
    expect(modal).to_contain_text(re.compile("undone|deleted|removed", re.IGNORECASE))
    person.shot("undone")


def test_rileys_quote_approved_by_ada_is_the_next_daily_post_with_credit(person: Person) -> None:
    text = "Praise in public, coach in private."
    person.be("Riley")
    person.open("sales")
    person.type(f'/quote add "{text}" — Jordan Lee')
    expect(person.messages().last).to_contain_text("Only visible to you")
    person.shot("riley-submits")
    person.be("Ada")
    dm_link = person.page.locator("nav .conv", has_text="coachbot")
    expect(dm_link.locator(".badge")).to_have_text(re.compile(r"^[1-9]"))  # the review card is waiting
    person.shot("ada-has-an-unread-dm")
    person.open("coachbot")
    person.tab("Messages")
    expect(dm_link.locator(".badge")).to_be_hidden()
    card = person.messages().filter(has_text=text).last
    expect(card).to_contain_text("Riley")
    person.shot("review-card")
    card.get_by_role("button", name="Approve").click()
    expect(card).to_contain_text(re.compile("approved", re.IGNORECASE))
    expect(card.get_by_role("button", name="Approve")).to_have_count(0)
    person.shot("approved")
    person.open("leadership")
    person.type("/quote daily 09:00")
    expect(person.messages().last).to_contain_text(re.compile("daily quote.*09:00", re.IGNORECASE))
    person.time_travel("Next morning 09:00")
    post = person.page.locator("#messages .pg-msg:not(.pg-ephemeral):has(.pg-quote)")
    expect(post).to_have_count(1)
    expect(post.first).to_contain_text(text)
    expect(post.first.locator(".pg-mention", has_text="@Riley")).to_have_count(1)
    person.shot("daily-post-credits-riley")
    person.be("Riley")
    person.open("leadership")
    expect(post.first).to_contain_text(re.compile("submitted by @Riley", re.IGNORECASE))
    person.open("coachbot")
    person.tab("Messages")
    expect(person.messages().filter(has_text="approved")).to_have_count(1)
    person.shot("riley-told-by-dm")


def test_a_note_by_max_is_invisible_to_ada_and_riley(person: Person) -> None:
    note = "Riley rushed the pricing slide; rehearse objection handling on Thursday."
    person.be("Max")
    person.open("sales")
    person.type(f"/coach @Riley {note}")
    expect(person.messages().last).to_contain_text("Only visible to you")
    person.type("/coach notes")
    expect(person.page.locator("#messages")).to_contain_text("rehearse objection handling")
    person.shot("max-sees-his-note")
    for who in ("Ada", "Riley"):
        person.be(who)
        person.open("sales")
        expect(person.page.locator("#clock-label")).to_contain_text(f"{who}'s time")
        person.type("/coach notes")
        expect(person.messages().last).to_contain_text("Only visible to you")
        expect(person.page.locator("body")).not_to_contain_text("rehearse objection handling")
        person.shot(f"{who.lower()}-sales")
        person.open("coachbot")
        person.tab("Home")
        expect(person.page.locator("#home")).not_to_have_text("Loading App Home…")
        expect(person.page.locator("body")).not_to_contain_text("rehearse objection handling")
        person.shot(f"{who.lower()}-home")
        person.tab("Messages")
        expect(person.page.locator("body")).not_to_contain_text("rehearse objection handling")
    person.be("Max")
    person.open("coachbot")
    person.tab("Home")
    expect(person.page.locator("#home")).to_contain_text("rehearse objection handling")
    person.shot("max-home-shows-it")


# -- issue 20 ------------------------------------------------------------------------------------


def clock_now(person: Person) -> tuple[str, str]:
    """The top bar's clock as (day divider text, HH:MM): "Mon 07 Dec, 04:00 · Riley's time"."""
    label = person.page.locator("#clock-label").inner_text()
    found = re.match(r"\w{3} (\d{2}) (\w{3}), (\d{2}:\d{2})", label)
    assert found, label
    return f"{int(found[1])}", found[3]


def test_after_reset_new_messages_follow_the_clock(person: Person) -> None:
    person.be("Max")
    person.open("sales")
    person.time_travel("Next Monday 09:00")
    person.type("a week ahead")
    expect(person.page.locator("#messages .pg-day")).to_have_count(1)
    person.shot("a-week-ahead")
    person.page.get_by_role("button", name="Reset").click()
    confirm = person.page.locator("#confirm-layer")
    expect(confirm).to_contain_text("sets the clock back")
    person.shot("reset-asks-first")
    confirm.get_by_role("button", name="Reset").click()
    expect(person.page.locator("#toast")).to_contain_text("Started over.")
    expect(person.page.locator("#messages")).not_to_contain_text("a week ahead")
    person.type("/quote")
    card = person.messages().last
    expect(card).to_contain_text("Only visible to you")
    day, hhmm = clock_now(person)
    expect(card.locator(".pg-time")).to_have_text(hhmm)
    expect(person.page.locator("#messages .pg-day")).to_have_text(re.compile(rf", \w+ {day}$"))
    person.shot("stamped-on-the-reset-clock")
    person.time_travel("+1 hour")
    person.type("an hour later")
    day, hhmm = clock_now(person)
    expect(person.messages().last.locator(".pg-time")).to_have_text(hhmm)
    person.shot("plus-one-hour")


def test_the_top_bar_keeps_every_control_on_screen(person: Person) -> None:
    page = person.page
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    controls = page.locator(".topbar button, .topbar .clock-label")
    assert controls.count() == 8  # three time jumps, three people, Reset, and the clock itself
    for i in range(controls.count()):
        box = controls.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, controls.nth(i).inner_text()
    person.shot("top-bar")
    person.be("Ada")  # the persona switcher and Reset work at this width
    expect(page.locator("#clock-label")).to_contain_text("Ada's time")
    page.get_by_role("button", name="Reset").click()
    page.locator("#confirm-layer").get_by_role("button", name="Reset").click()
    expect(page.locator("#toast")).to_contain_text("Started over.")
    person.shot("reset-at-this-width")


def test_the_shortcut_on_a_daily_post_says_it_is_already_in_rotation(person: Person) -> None:
    person.be("Max")
    person.open("sales")
    person.type("/quote daily 09:00")
    expect(person.messages().last).to_contain_text(re.compile("daily quote.*09:00", re.IGNORECASE))
    person.time_travel("Next morning 09:00")
    post = person.page.locator("#messages .pg-msg:not(.pg-ephemeral):has(.pg-quote)")
    expect(post).to_have_count(1)
    person.be("Riley")
    post.first.hover()
    post.first.locator("[data-kind='message-menu']").click()
    person.shot("shortcut-menu")
    person.page.locator("#popup").get_by_role("button", name=re.compile("Save as leadership quote")).click()
    answer = person.messages().last
    expect(answer).to_contain_text("its quote is already in rotation")
    expect(answer).to_contain_text("Only visible to you")
    expect(person.modal()).to_be_hidden()
    person.shot("already-in-rotation")
