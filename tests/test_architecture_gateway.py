"""Slack's Web API is called from two layers only: ``bot/gateway/`` and ``bot/listeners/``.

The rule (CONTRIBUTING, "one place for each concern"): services, flows, blocks and the
scheduler never touch a ``WebClient`` method themselves; they call a ``bot.gateway`` module,
which owns the calls, their arguments and their error codes. Listeners translate Slack in and
out and may still make the call that answers their own request (a ``views_open`` on a trigger
id). A "Web API call" is an attribute of a client-looking name (``client``, ``ctx.client``,
``web_client``, ``self._client``...) that is a ``WebClient`` method (``chat_postMessage``,
``conversations_open``, ``users_info``, ``views_publish``, ``files_upload_v2``... every
method ``slack_sdk.WebClient`` defines), called or passed on (``safely(client.chat_update)``
counts too).

Two process-level tools are outside the rule, by name: ``bot/doctor.py`` checks the tokens
(``auth.test``, ``apps.connections.open``) and ``bot/serve.py`` opens the Socket Mode
connection; neither serves a user. ``bot/playground/`` (the local stand-in workspace) makes no
Web API call of its own: it drives the app through its listeners, so it gets no exception.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from slack_sdk import WebClient

BOT = Path(__file__).resolve().parents[1] / "bot"
ALLOWED_DIRS = ("gateway", "listeners")
ALLOWED_FILES = {"doctor.py": "token checks", "serve.py": "opens the Socket Mode connection"}
WEB_API_METHODS = frozenset(
    name for name, member in vars(WebClient).items() if not name.startswith("_") and inspect.isfunction(member)
)


def _client_like(node: ast.expr) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return "client" in name.lower()


def web_api_uses(source: str) -> list[tuple[int, str]]:
    """(line, method) of every Web API method taken from a client-looking name in ``source``."""
    return [
        (node.lineno, node.attr)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr in WEB_API_METHODS and _client_like(node.value)
    ]


def test_slack_web_api_calls_live_in_the_gateway_and_listeners() -> None:
    found = []
    for path in sorted(BOT.rglob("*.py")):
        rel = path.relative_to(BOT)
        if rel.parts[0] in ALLOWED_DIRS or str(rel) in ALLOWED_FILES:
            continue
        found += [f"{rel}:{line} {method}" for line, method in web_api_uses(path.read_text(encoding="utf-8"))]
    assert found == [], f"call Slack through a bot/gateway module instead: {found}"


def test_the_check_finds_a_web_api_call() -> None:
    source = (
        "def post(client, ctx):\n"
        "    client.chat_postMessage(channel='C1', text='hi')\n"
        "    ctx.client.conversations_open(users='U1')\n"
        "    safely('x', self._client.users_info, user='U1')\n"
        "    other.chat_postMessage(channel='C1')\n"  # not a client: a fake, a recorder
    )
    assert web_api_uses(source) == [(2, "chat_postMessage"), (3, "conversations_open"), (4, "users_info")]
    assert {"chat_postMessage", "conversations_history", "views_publish", "files_upload_v2"} <= WEB_API_METHODS
