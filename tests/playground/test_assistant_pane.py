"""The playground's AI pane API (no browser): a thread per persona, the app's answers landing
in it through the stand-in, hostile text shown as text, and cross-site posts refused."""

from __future__ import annotations

from typing import Any

import requests

from bot.playground import world as w
from bot.playground.server import Playground
from tests.playground.test_playground import wait_for


def pane(pg: Playground, persona: str) -> dict[str, Any]:
    resp = requests.get(f"{pg.base_url}/pg/assistant", params={"persona": persona}, timeout=30)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()
    return data


def post(pg: Playground, verb: str, **body: Any) -> requests.Response:
    return requests.post(f"{pg.base_url}/pg/assistant/{verb}", json=body, timeout=30)


def test_asking_opens_a_thread_and_the_answer_lands_in_it_with_markup_as_text(fresh: Playground) -> None:
    assert pane(fresh, w.RILEY.id)["open"] is False
    assert post(fresh, "ask", persona=w.RILEY.id, text="<!channel> what's on my plate?").json() == {}
    # The title is the flow's last step: once it is set, the answer is in.
    assert wait_for(lambda: pane(fresh, w.RILEY.id).get("title") == "My plate")
    state = pane(fresh, w.RILEY.id)
    assert [p["title"] for p in state["prompts"]] == ["What's on my plate?", "Add a topic for my 1:1"]
    assert "!channel" in state["html"] and "<!channel>" not in state["html"]
    assert "Nothing on your plate" in state["html"] and state["status"] == ""
    assert pane(fresh, w.MAX.id)["open"] is False  # one persona's thread is theirs


def test_the_pane_refuses_cross_site_posts_unknown_personas_and_empty_questions(fresh: Playground) -> None:
    other = requests.post(
        f"{fresh.base_url}/pg/assistant/ask",
        json={"persona": w.MAX.id, "text": "hi"},
        headers={"Origin": "https://evil.example"},
        timeout=10,
    )
    assert other.status_code == 403
    assert post(fresh, "ask", persona="UNOBODY", text="hi").status_code == 400
    assert post(fresh, "ask", persona=w.MAX.id, text="   ").json() == {"error": "Type a question first."}
    assert pane(fresh, w.MAX.id)["open"] is False
