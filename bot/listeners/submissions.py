"""Listeners for the submissions feature."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.router import Routers


def register(app: App, routers: Routers) -> None:
    pass
