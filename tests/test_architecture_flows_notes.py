"""Saving a note and assigning an action item stay in the application layer (``bot/flows``).

The listeners under ``bot/listeners/coaching/`` translate Slack in and out. The writes of
these two flows (the note's insert, edit, undo and follow-up changes; the action item's
insert and the rep's Got it / Done) and the DMs they send (``bot.gateway.dms``: the rep's
item, the manager's "done", the rep's copy of a note) are called from ``bot/flows`` only, so the next change to how a note is saved has one place to go.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"

# Service functions that write for the two flows: module alias -> function names.
WRITES = {
    "log_note",
    "edit_note",
    "undo_note",
    "complete_follow_up",
    "snooze_follow_up",
    "create_action_item",
    "acknowledge",
    "complete",
    "record_dm",
}
# The gateway's DMs of these flows (often passed to ``deps.defer``, so any reference counts).
# share_with_rep and loop_dm: the old names, so that moving the code back is caught too.
DMS = {"send_action_item", "send_item_done", "send_note_copy", "share_with_rep"}


def offences(bot: Path) -> list[str]:
    """Where a coaching listener calls a flow's write or sends one of its DMs itself."""
    found = []
    for path in sorted((bot / "listeners" / "coaching").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
                found.append(f"{path.name}:{node.lineno} calls {ast.unparse(node.func)}")
            elif isinstance(node, ast.Attribute) and node.attr in DMS:
                found.append(f"{path.name}:{node.lineno} sends {ast.unparse(node)}")
            elif isinstance(node, ast.FunctionDef) and node.name in DMS:
                found.append(f"{path.name}:{node.lineno} defines {node.name}")
            elif isinstance(node, ast.ImportFrom):
                found += [f"{path.name}:{node.lineno} imports {a.name}" for a in node.names if a.name in WRITES | DMS]
    return sorted(found)


def test_coaching_listeners_leave_saving_and_assigning_to_bot_flows() -> None:
    found = offences(BOT)
    assert found == [], "move these into bot/flows/notes.py or bot/flows/action_items.py: " + "; ".join(found)


def test_the_flows_are_where_those_writes_happen() -> None:
    """The rule above is not vacuous: each write it keeps out of the listeners is called in a flow."""
    called = set()
    for path in (BOT / "flows").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
                called.add(node.func.attr)
    # record_dm is the gateway's, after the DM is sent; the rest are the flows' own.
    assert called == WRITES - {"record_dm"}


def test_the_rule_catches_a_listener_that_saves_a_note(tmp_path: Path) -> None:
    listeners = tmp_path / "listeners" / "coaching"
    listeners.mkdir(parents=True)
    (listeners / "notes.py").write_text(
        "from bot.gateway import dms\n"
        "def handle(deps, client, session, note):\n"
        "    notes.log_note(session, team_id='T1')\n"
        "    deps.defer(dms.send_note_copy, client, note)\n"
    )
    assert offences(tmp_path) == ["notes.py:3 calls notes.log_note", "notes.py:4 sends dms.send_note_copy"]
