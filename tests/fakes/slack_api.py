"""A fake Slack Web API server on loopback, for tests and benchmarks.

``FakeSlack`` puts together the core (``core.py``: HTTP server on a free loopback port, the
workspace model, recording every call, latency, errors, rate limits and hangs) and one mixin
per API family (``api_auth``, ``api_chat``, ``api_conversations``, ``api_users``,
``api_views``, ``api_files``, ``api_apps`` with the Socket Mode endpoint, ``api_functions`` with
Workflow Builder steps' executions, ``api_assistant`` for the AI pane). See ``core.py`` for typical use.
"""

from __future__ import annotations

from tests.fakes.api_apps import AppsApi
from tests.fakes.api_assistant import AssistantApi
from tests.fakes.api_auth import AuthApi
from tests.fakes.api_chat import ChatApi
from tests.fakes.api_conversations import ConversationsApi
from tests.fakes.api_files import FilesApi
from tests.fakes.api_functions import FunctionsApi
from tests.fakes.api_users import UsersApi
from tests.fakes.api_views import ViewsApi
from tests.fakes.core import (
    DEFAULT_BOT_ID,
    DEFAULT_BOT_USER_ID,
    DEFAULT_TEAM_ID,
    DEFAULT_TEAM_NAME,
    DEFAULT_TOKEN,
    Call,
    Channel,
    User,
    Workspace,
)

__all__ = [
    "DEFAULT_BOT_ID",
    "DEFAULT_BOT_USER_ID",
    "DEFAULT_TEAM_ID",
    "DEFAULT_TEAM_NAME",
    "DEFAULT_TOKEN",
    "Call",
    "Channel",
    "FakeSlack",
    "User",
    "Workspace",
]


class FakeSlack(AuthApi, ChatApi, ConversationsApi, UsersApi, ViewsApi, FilesApi, AppsApi, FunctionsApi, AssistantApi):
    """A fake Slack Web API server; see ``core.py``.

    A default workspace (``T1``, token ``xoxb-test``, bot user ``UBOT``, bot id ``B1``) is
    registered unless ``default_workspace=False``.
    """
