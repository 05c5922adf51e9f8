"""Sending the AI pane's events as Slack does, signed, through ``harness.SlackSender.event``.

Slack's shapes (Agents & AI Apps): ``assistant_thread_started`` and
``assistant_thread_context_changed`` carry an ``assistant_thread`` (the member, the DM
channel, the thread's ts and the channel they were looking at); each message the member
types in the thread is a ``message`` event of ``channel_type`` "im" with a ``thread_ts``
(the ``message.im`` subscription). A thread's DM with the bot is ``D<user id>`` in the fake.
"""

from __future__ import annotations

import itertools
from typing import Any

import requests

from tests.harness import SlackSender

THREAD_TS = "1767225600.000001"
_seconds = itertools.count(1)


def dm_of(user: str) -> str:
    return f"D{user}"


def _thread(slack: SlackSender, user: str, thread_ts: str, viewing: str | None) -> dict[str, Any]:
    return {
        "user_id": user,
        "channel_id": dm_of(user),
        "thread_ts": thread_ts,
        "context": {"channel_id": viewing, "team_id": slack.team_id, "enterprise_id": slack.enterprise_id}
        if viewing
        else {},
    }


def thread_started(
    slack: SlackSender, *, user: str = "U1", thread_ts: str = THREAD_TS, viewing: str | None = "C1", **send: Any
) -> requests.Response:
    event = {
        "type": "assistant_thread_started",
        "assistant_thread": _thread(slack, user, thread_ts, viewing),
        "event_ts": f"{thread_ts}1",
    }
    return slack.event(event, **send)


def context_changed(
    slack: SlackSender, *, user: str = "U1", thread_ts: str = THREAD_TS, viewing: str = "C1", **send: Any
) -> requests.Response:
    event = {
        "type": "assistant_thread_context_changed",
        "assistant_thread": _thread(slack, user, thread_ts, viewing),
        "event_ts": f"{thread_ts}2",
    }
    return slack.event(event, **send)


def user_message(
    slack: SlackSender, text: str, *, user: str = "U1", thread_ts: str = THREAD_TS, **send: Any
) -> requests.Response:
    """The member types ``text`` in the assistant thread (a ``message.im`` event)."""
    ts = f"{1767225600 + next(_seconds)}.000100"
    event = {
        "type": "message",
        "channel": dm_of(user),
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
        "event_ts": ts,
        "team": slack.team_id,
    }
    return slack.event(event, **send)
