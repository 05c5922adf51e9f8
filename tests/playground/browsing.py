"""The page driven as a person at the keyboard would, for the playground's browser tests
(the ``person`` fixture in conftest.py opens it at each of ``WIDTHS``)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

TIMEOUT_MS = 15_000


class Person:
    """The page, driven the way someone at the keyboard would."""

    def __init__(self, page: Page, artifacts: Path, test: str) -> None:
        self.page = page
        self.artifacts = artifacts
        self.test = test
        self.step = 0

    def be(self, name: str) -> None:
        self.page.get_by_role("radio", name=re.compile(name)).click()
        expect(self.page.get_by_role("radio", name=re.compile(name))).to_have_attribute("aria-checked", "true")

    def open(self, conversation: str) -> None:
        self.page.locator("nav .conv", has_text=conversation).click()
        expect(self.page.locator("#conv-title")).to_have_text(
            "coachbot" if conversation == "coachbot" else "#" + conversation
        )

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name).click()

    def type(self, text: str) -> None:
        box = self.page.get_by_role("textbox", name="Message")
        box.fill(text)
        box.press("Enter")
        expect(box).to_have_value("")

    def time_travel(self, label: str) -> None:
        self.page.get_by_role("button", name=label).click()
        expect(self.page.locator("#toast")).to_contain_text("delivered")

    def messages(self) -> Locator:
        return self.page.locator("#messages .pg-msg:not(.pg-system)")

    def modal(self) -> Locator:
        return self.page.locator("#modal-layer")

    def shot(self, what: str) -> Path:
        self.step += 1
        path = self.artifacts / f"{self.test}-{self.step:02d}-{what}.png"
        self.page.screenshot(path=str(path))
        return path


# Every flow at the narrowest window the playground supports and at a laptop's.
WIDTHS = (768, 1280)
