"""The manifest asks only for what the code uses, and covers everything it calls.

The Web API methods the code calls are found by reading ``bot/`` with ``ast``: every
attribute named like a ``WebClient`` API method (``client.chat_postMessage(...)``, or
``client.chat_update`` handed to a helper), and every ``api_call("method.name")``. Each
method's required bot scopes come from Slack's method reference (api.slack.com/methods/<m>,
"Required scopes", bot token); a method missing from the table fails the test, so a new
call cannot slip in without a look at its scopes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import yaml
from slack_sdk import WebClient

from bot.app import BOT_SCOPES
from bot.flows.workflow_steps import STEPS

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "manifest.yml"

# Method -> the bot scopes that each allow it (any one is enough; empty = none needed).
# From Slack's method reference. Conversations methods accept one scope per conversation
# type; the bot uses public and private channels and DMs.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "api.test": frozenset(),
    "auth.test": frozenset(),
    "oauth.v2.access": frozenset(),
    # Called with the app-level token (xapp-, scope connections:write), never the bot token.
    "apps.connections.open": frozenset(),
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "chat.delete": frozenset({"chat:write"}),
    "chat.scheduleMessage": frozenset({"chat:write"}),
    "chat.getPermalink": frozenset(),
    "conversations.history": frozenset({"channels:history", "groups:history", "im:history", "mpim:history"}),
    "conversations.replies": frozenset({"channels:history", "groups:history", "im:history", "mpim:history"}),
    "conversations.info": frozenset({"channels:read", "groups:read", "im:read", "mpim:read"}),
    "conversations.list": frozenset({"channels:read", "groups:read", "im:read", "mpim:read"}),
    "conversations.members": frozenset({"channels:read", "groups:read", "im:read", "mpim:read"}),
    "conversations.join": frozenset({"channels:join"}),
    "conversations.open": frozenset({"im:write", "mpim:write"}),
    "users.info": frozenset({"users:read"}),
    "users.list": frozenset({"users:read"}),
    "users.lookupByEmail": frozenset({"users:read.email"}),
    "views.open": frozenset(),
    "views.push": frozenset(),
    "views.update": frozenset(),
    "views.publish": frozenset(),
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
    "reactions.get": frozenset({"reactions:read"}),
    "reactions.add": frozenset({"reactions:write"}),
    "team.info": frozenset({"team:read"}),
    # Workflow Builder steps finish with the execution's own token (Bolt's complete/fail).
    "functions.completeSuccess": frozenset(),
    "functions.completeError": frozenset(),
    # The AI pane (Agents & AI Apps). setStatus also takes chat:write; the others need assistant:write.
    "assistant.threads.setStatus": frozenset({"assistant:write", "chat:write"}),
    "assistant.threads.setSuggestedPrompts": frozenset({"assistant:write"}),
    "assistant.threads.setTitle": frozenset({"assistant:write"}),
    "chat.startStream": frozenset({"chat:write"}),
    "chat.appendStream": frozenset({"chat:write"}),
    "chat.stopStream": frozenset({"chat:write"}),
}
# SDK helpers that call more than one method.
COMPOSITE = {
    "files_upload_v2": ("files.getUploadURLExternal", "files.completeUploadExternal"),
    "chat_stream": ("chat.startStream", "chat.appendStream", "chat.stopStream"),
}
# Events -> the scope Slack needs to deliver them (none for the app's own lifecycle events).
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "app_uninstalled": frozenset(),
    "tokens_revoked": frozenset(),
    "function_executed": frozenset(),
    "reaction_added": frozenset({"reactions:read"}),
    "reaction_removed": frozenset({"reactions:read"}),
    "app_mention": frozenset({"app_mentions:read"}),
    "message.channels": frozenset({"channels:history"}),
    "message.im": frozenset({"im:history"}),
    "assistant_thread_started": frozenset({"assistant:write"}),
    "assistant_thread_context_changed": frozenset({"assistant:write"}),
}
# Bolt's ``Assistant`` (``app.assistant(...)``) listens to these without an ``app.event`` line.
ASSISTANT_EVENTS = {"assistant_thread_started", "assistant_thread_context_changed", "message.im"}
_API_CALL = re.compile(r"""api_call\(\s*["']([a-zA-Z0-9_.]+)["']""")
_EVENT = re.compile(r"""\.event\(\s*["']([a-z_.]+)["']""")
# Workflow Builder's types for a step's inputs and outputs (api.slack.com/automation/types).
STEP_TYPES = frozenset(
    {"string", "integer", "number", "boolean", "slack#/types/user_id", "slack#/types/channel_id", "slack#/types/date"}
)


def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(data, dict)
    return data


def sdk_methods() -> dict[str, tuple[str, ...]]:
    """WebClient method name -> the Web API methods it calls."""
    names = [n for n, v in vars(WebClient).items() if callable(v) and not n.startswith("_")]
    return {n: COMPOSITE.get(n, (n.replace("_", "."),)) for n in names}


def called_methods(root: Path = ROOT / "bot") -> dict[str, set[str]]:
    """Web API method -> the files that call it."""
    known = sdk_methods()
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        source = path.read_text()
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and node.attr in known:
                for method in known[node.attr]:
                    found.setdefault(method, set()).add(rel)
        for method in _API_CALL.findall(source):
            found.setdefault(method, set()).add(rel)
    return found


def handled_events(root: Path = ROOT / "bot") -> set[str]:
    found = {name for path in root.rglob("*.py") for name in _EVENT.findall(path.read_text())}
    if STEPS:  # Bolt's app.function(...) listens to function_executed
        found.add("function_executed")
    if any(".assistant(" in path.read_text() for path in root.rglob("*.py")):
        found |= ASSISTANT_EVENTS
    return found


def test_the_scan_finds_the_calls_it_should() -> None:
    # The scan itself: calls made directly, handed over as a reference, and through a helper.
    called = called_methods()
    assert "chat.postMessage" in called
    assert "views.open" in called  # deps.defer(client.views_open, ...)
    assert {"files.getUploadURLExternal", "files.completeUploadExternal"} <= set(called)  # files_upload_v2


def test_every_called_method_is_known_and_covered_by_a_manifest_scope() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    called = called_methods()
    unknown = sorted(set(called) - set(METHOD_SCOPES))
    assert not unknown, f"look up the required scopes of {unknown} and add them to METHOD_SCOPES"
    missing = {m: sorted(METHOD_SCOPES[m]) for m in called if METHOD_SCOPES[m] and not METHOD_SCOPES[m] & scopes}
    assert not missing, f"methods called without a scope in manifest.yml: {missing}"


def test_every_manifest_scope_is_used() -> None:
    data = manifest()
    scopes = set(data["oauth_config"]["scopes"]["bot"])
    used: set[str] = set()
    for method in called_methods():
        used |= METHOD_SCOPES.get(method, frozenset())
    for event in data["settings"]["event_subscriptions"]["bot_events"]:
        used |= EVENT_SCOPES[event]
    if data["features"].get("slash_commands") or data["features"].get("shortcuts"):
        used.add("commands")
    assert sorted(scopes - used) == [], "scopes nothing uses: drop them from manifest.yml and BOT_SCOPES"


def test_every_subscribed_event_has_a_listener_and_no_app_mentions() -> None:
    events = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    assert events <= handled_events(), f"subscribed but unhandled: {sorted(events - handled_events())}"
    assert "app_mention" not in events
    assert "app_mentions:read" not in BOT_SCOPES


def test_the_oauth_install_asks_for_exactly_the_manifest_scopes() -> None:
    assert sorted(BOT_SCOPES) == sorted(manifest()["oauth_config"]["scopes"]["bot"])


# -- Workflow Builder steps -----------------------------------------------------------------------


def test_every_declared_step_has_a_listener_and_every_listener_a_declaration() -> None:
    declared = manifest()["functions"]
    handled = {step.callback_id: step for step in STEPS}
    assert sorted(declared) == sorted(handled), "manifest.yml functions and bot/flows/workflow_steps.py STEPS differ"
    for callback_id, function in declared.items():
        step = handled[callback_id]
        assert function["title"] == step.title
        inputs, outputs = function["input_parameters"], function["output_parameters"]
        assert sorted(inputs["properties"]) == sorted(step.inputs), f"{callback_id}: inputs the code reads"
        assert sorted(outputs["properties"]) == sorted(step.outputs), f"{callback_id}: outputs the code gives"
        assert set(inputs.get("required", ())) <= set(step.inputs)
        assert set(outputs.get("required", ())) <= set(step.outputs)


def test_every_step_input_and_output_is_typed_titled_and_described() -> None:
    for callback_id, function in manifest()["functions"].items():
        assert function.get("description"), callback_id
        for side in ("input_parameters", "output_parameters"):
            for name, parameter in function[side]["properties"].items():
                where = f"{callback_id}.{side}.{name}"
                assert parameter.get("type") in STEP_TYPES, f"{where}: type {parameter.get('type')!r}"
                assert parameter.get("title") and parameter.get("description"), f"{where}: title and description"


def test_the_steps_run_on_our_server_and_the_app_is_org_ready() -> None:
    settings = manifest()["settings"]
    assert settings["function_runtime"] == "remote"  # Bolt runs them; Slack only calls us
    assert settings["org_deploy_enabled"] is True  # Workflow Builder lists steps of org-ready apps only
    assert "function_executed" in settings["event_subscriptions"]["bot_events"]
