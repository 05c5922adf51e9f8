"""Thin Slack listeners. Each feature module has ``register(app, routers)``."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import coaching, daily, events, home, quotes, submissions
from bot.listeners.router import CommandRouter, Routers

# events first: its middleware must see every request before the feature listeners.
FEATURES = [events, quotes, daily, coaching, submissions, home]


def register_all(app: App) -> Routers:
    routers = Routers(
        quote=CommandRouter("/quote", title="/quote — leadership quotes"),
        coach=CommandRouter("/coach", title="/coach — private coaching notes and prompts"),
    )
    for feature in FEATURES:
        feature.register(app, routers)
    routers.quote.register(app)
    routers.coach.register(app)
    events.register_fallbacks(app)
    return routers
