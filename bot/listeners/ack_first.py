"""Buttons and forms never wait on the Slack Web API before their ack.

With ``process_before_response=True`` (``bot/app.py``) Bolt sends the HTTP answer only when
the listener returns, so a Web API call anywhere in a listener, even after ``ack()``, holds
the ack back; a slow Slack past 3 seconds makes Slack show the user an error. ``ack_first``
wraps a listener: it runs in a worker thread, and the request waits only until the listener
is done or is about to wait on Slack (a Web API call, a response_url POST, a users.list
load), whichever comes first.

- A button has acked already by then (its ``ack()`` comes first): the request returns and
  the rest (users.info, views.open/update, ...) follows. Its private answer through
  response_url, its last step, still goes out before the HTTP answer: that is one request to
  Slack's hooks, never a wait on the Web API, and keeps answer-then-ack in order.
- A form (``view_submission``) answers in its ack: ``errors`` under a field, ``update`` to a
  result view, and only the ack can put an error under a field. So a form that must ask
  Slack first (a rep seen for the first time, an admin check) gives Slack up to
  ``FORM_SLACK_WAIT`` seconds (two users.info at 150 ms take 0.3 s). Past that, the ack
  pushes a "One moment" view, and when the listener is done that view shows what the ack
  would have: the result (closing it closes the form too), or what is wrong with a Back
  button that returns to the form as it was filled in. Slack itself allows 3 seconds.

Work that needs nothing from Slack (the database only, a cached users.info) is answered
exactly as before, in the ack itself.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk.webhook import WebhookResponse

from bot.gateway.calls import AckWatch, safely, watched
from bot.listeners.errors import answer_action_late, message_for, not_saved_view, record

log = logging.getLogger(__name__)

# How long a form may wait on Slack before its ack (see the module doc).
FORM_SLACK_WAIT = 1.0
PENDING_TITLE = "One moment"
PENDING_TEXT = ":hourglass_flowing_sand: Checking with Slack… this takes a moment."


class _WatchedRespond(Respond):
    """``respond`` that tells the request's ``AckWatch`` before POSTing to response_url."""

    def __init__(self, respond: Respond, watch: AckWatch) -> None:
        super().__init__(response_url=respond.response_url, proxy=respond.proxy, ssl=respond.ssl)
        self._watch = watch

    def __call__(self, *args: Any, **kwargs: Any) -> WebhookResponse:
        self._watch.touch()
        return super().__call__(*args, **kwargs)


class _Answer:
    """The listener's ``ack``: forwarded to Bolt while the request still waits for it;
    once the request was answered without it (a form that had to ask Slack), kept for later."""

    def __init__(self, ack: Ack) -> None:
        self._ack = ack
        self._lock = threading.Lock()
        self._late = False
        self.called = False
        self.kwargs: dict[str, Any] = {}

    def __call__(self, **kwargs: Any) -> None:
        with self._lock:
            self.called, self.kwargs = True, kwargs
            if not self._late:
                self._ack(**kwargs)

    def now(self, **kwargs: Any) -> None:
        """Bolt's ack itself, from the request's thread."""
        self._ack(**kwargs)

    def give_up_waiting(self) -> bool:
        """The request returns now: True if the listener had not acked yet (it answers later)."""
        with self._lock:
            self._late = not self.called
            return self._late


def pending_view(external_id: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "external_id": external_id,
        "title": {"type": "plain_text", "text": PENDING_TITLE},
        "close": {"type": "plain_text", "text": "Back"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": PENDING_TEXT}}],
    }


def late_view(answer: _Answer, error: BaseException | None) -> dict[str, Any]:
    """What the "One moment" view becomes: the form's own answer, as its ack would have given it."""
    if error is not None:
        return not_saved_view(message_for(error) if isinstance(error, Exception) else message_for(RuntimeError()))
    kwargs = answer.kwargs
    action = kwargs.get("response_action")
    if action == "errors":
        errors = kwargs.get("errors") or {}
        view = not_saved_view("\n".join(f"• {message}" for message in errors.values()))
        # The fields the ack would have marked, for whoever reads the view (tests do).
        return {**view, "private_metadata": json.dumps({"errors": errors})[:3000]}
    if action in ("update", "push") and isinstance(kwargs.get("view"), dict):
        # The form's result: closing it closes the form beneath it too.
        return {**kwargs["view"], "clear_on_close": True}
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Done"},
        "close": {"type": "plain_text", "text": "Close"},
        "clear_on_close": True,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": ":white_check_mark: Done."}}],
    }


def ack_first(workers: Executor, listener: Callable[..., Any]) -> Callable[..., None]:
    """``listener`` (a Bolt action, shortcut or view listener taking ``ack``, ``body`` and
    ``deps``) run so that its ack never waits on Slack; see the module doc."""

    @functools.wraps(listener)
    def run_ack_first(**kwargs: Any) -> None:
        body: dict[str, Any] = kwargs["body"]
        deps = kwargs["deps"]
        watch = AckWatch()
        form = body.get("type") == "view_submission"
        answer = _Answer(kwargs["ack"])
        kwargs["ack"] = answer
        client = kwargs.get("client")
        if client is not None:
            kwargs["client"] = watched(client, watch)
        if form and isinstance(kwargs.get("respond"), Respond):
            kwargs["respond"] = _WatchedRespond(kwargs["respond"], watch)

        def run() -> None:
            watch.start()
            try:
                listener(**kwargs)
            finally:
                watch.settled.set()

        future = workers.submit(run)
        watch.settled.wait()
        if form and not future.done():
            futures.wait([future], timeout=FORM_SLACK_WAIT)
        if future.done():
            future.result()  # a fault goes to the one error handler, as before
            return
        if answer.give_up_waiting() and form and client is not None:
            external_id = f"coachbot-pending-{uuid.uuid4().hex}"
            answer.now(response_action="push", view=pending_view(external_id))

            def show(done: Any) -> None:
                error = done.exception()
                if error is not None and isinstance(error, Exception):
                    record(error, "view_submission", deps)
                view = late_view(answer, error)
                safely("views.update of the pending view", client.views_update, external_id=external_id, view=view)

            future.add_done_callback(show)
            return
        if not answer.called:
            answer.now()

        def report(done: Any) -> None:
            error = done.exception()
            if isinstance(error, Exception):
                answer_action_late(error, body, deps)

        future.add_done_callback(report)

    return run_ack_first
