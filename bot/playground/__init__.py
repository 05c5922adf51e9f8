"""`coachbot playground`: the real app against a small Slack stand-in, shown in the browser.

Nothing here talks to Slack. The playground serves, on one loopback port:

- ``/slack/events`` etc.: the real app (``bot.app.create_app`` + ``bot.web.server``);
- ``/api/<method>``: the stand-in Web API (``standin``), which the app reaches through
  ``SLACK_API_URL`` exactly as it would reach Slack;
- ``/`` and ``/pg/...``: the page (``static/``) and the small JSON API it calls (``routes``).

Everything a person does on the page (``server.Playground``) becomes a payload that
``poster`` signs with a generated signing secret and POSTs to ``/slack/events``, as Slack
does. Conversations live in memory (``world``); ``page`` draws them with ``render``; the
app's own data lives in an embedded SQLite file that ``database`` guards.
"""
