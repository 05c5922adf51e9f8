"""Thin Slack listeners. Each feature module has ``register(app, routers)``."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import assistant, coaching, daily, events, home, quotes, submissions, workflows
from bot.listeners.router import CommandRouter, Routers

# events first: its middleware must see every request before the feature listeners.
FEATURES = [events, quotes, daily, coaching, submissions, home, workflows, assistant]


def register_all(app: App) -> Routers:
    routers = Routers(
        quote=CommandRouter("/quote", title="/quote — leadership quotes"),
        coach=CommandRouter("/coach", title="/coach — private coaching notes and prompts"),
    )
    # Bolt tries listeners in registration order and each check costs a kwargs build, so
    # the two slash commands (the hot path) go first; subcommands live inside the routers.
    routers.quote.register(app)
    routers.coach.register(app)
    for feature in FEATURES:
        feature.register(app, routers)
    events.register_fallbacks(app)
    return routers
