"""Team quote submissions: sending a quote in (``add``), consent from a quoted member,
review by admins, and the team's favourites. One module per flow; each declares its
``/quote`` subcommands beside their handlers. The handlers only translate Slack in and out:
the flows (``bot.flows.submit_quote``, ``bot.flows.decide_quote``) do the steps, and the
Slack calls after the ack (review cards, DMs, summaries) are in ``bot.gateway.review``."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.router import Routers
from bot.listeners.submissions import add, consent, favourites, review


def register(app: App, routers: Routers) -> None:
    # The order /quote help lists them in: add, mine, review, optout, optin, top, search.
    add.register(app, routers.quote)
    review.register(app, routers.quote)
    consent.register(app, routers.quote)
    favourites.register(app, routers.quote)
