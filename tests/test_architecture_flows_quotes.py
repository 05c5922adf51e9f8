"""Quote submissions keep their layers: listeners translate, flows orchestrate, the gateway calls.

- ``bot/listeners/submissions/*`` never import ``bot.gateway`` nor ``bot.services.submissions``:
  a handler that posts a card or writes a submission itself has taken a flow's step back from
  ``bot.flows`` (submit_quote, decide_quote).
- ``bot/gateway/review.py`` holds Slack Web API calls only: it neither opens a unit of work
  nor reads ``Deps``, so which card goes where stays decided in one place, the flows.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_LISTENERS = ("bot.gateway", "bot.services.submissions")


def _imported(tree: ast.AST) -> list[str]:
    """Every module a file imports, anywhere in it (``from a import b`` counts as ``a.b`` too)."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
            found += [f"{node.module}.{a.name}" for a in node.names]
    return found


def listener_offences(source: str) -> list[str]:
    """What a submission listener imports that belongs to a flow's steps."""
    hits = {m for m in _imported(ast.parse(source)) for f in FORBIDDEN_IN_LISTENERS if m == f or m.startswith(f + ".")}
    return sorted(hits)


def gateway_offences(source: str) -> list[str]:
    """Orchestration in the gateway: a unit of work (``.sessions``) or the app's ``Deps``."""
    tree = ast.parse(source)
    hits = [
        f"line {n.lineno}: .sessions" for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "sessions"
    ]
    hits += [
        f"imports {m}" for m in _imported(tree) if m in ("bot.deps", "bot.deps.Deps", "bot.services.submissions.submit")
    ]
    return hits


def layering_offences(root: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted((root / "bot" / "listeners" / "submissions").glob("*.py")):
        if found := listener_offences(path.read_text(encoding="utf-8")):
            out[str(path.relative_to(root))] = found
    gateway = root / "bot" / "gateway" / "review.py"
    if found := gateway_offences(gateway.read_text(encoding="utf-8")):
        out[str(gateway.relative_to(root))] = found
    return out


def test_submission_listeners_leave_the_steps_to_the_flows() -> None:
    assert layering_offences(ROOT) == {}, (
        "move these steps into bot/flows (submit_quote, decide_quote); listeners only translate Slack"
    )


def test_the_flows_exist_where_the_listeners_look_for_them() -> None:
    flows = ROOT / "bot" / "flows"
    assert (flows / "submit_quote.py").is_file() and (flows / "decide_quote.py").is_file()


def test_the_checks_find_orchestration() -> None:
    """The checks above would see the old layout (listeners calling gateway.review and the
    service; the gateway opening units of work)."""
    listener = (
        "from bot.gateway.review import route_submission\n"
        "from bot.services import submissions\n"
        "def f():\n    from bot.gateway.calls import post\n"
    )
    assert listener_offences(listener) == [
        "bot.gateway.calls",
        "bot.gateway.calls.post",
        "bot.gateway.review",
        "bot.gateway.review.route_submission",
        "bot.services.submissions",
    ]
    gateway = "from bot.deps import Deps\ndef f(deps: Deps):\n    with deps.sessions.begin():\n        pass\n"
    assert gateway_offences(gateway) == ["line 3: .sessions", "imports bot.deps", "imports bot.deps.Deps"]
    assert listener_offences("from bot.flows import submit_quote\n") == []
