"""What a newcomer is told, over signed HTTP (issue 20): a rep asking to become a manager is
named in the command an admin would type (never a literal "@you"), and help shows an
example only where it adds something to the usage line."""

from __future__ import annotations

import re

import pytest

from bot.db.engine import Sessions
from tests.harness import SlackSender, ephemeral_text


@pytest.mark.parametrize(
    "text",
    ["@bob great discovery call", "managers", "prompts 08:30"],
)
def test_a_rep_is_named_in_the_command_an_admin_would_type(slack: SlackSender, sessions: Sessions, text: str) -> None:
    reply = ephemeral_text(slack.command("/coach", text.replace("@bob", "<@U2|bob>"), user="U3"))
    assert "@you" not in reply
    assert "`/coach managers add` followed by <@U3>" in reply
    assert "<@UADMIN>" in reply or "admins" in reply


@pytest.mark.parametrize("command", ["/quote", "/coach"])
@pytest.mark.parametrize("user", ["U3", "UADMIN"])  # a rep, and an admin who sees every line
def test_help_gives_an_example_only_where_it_shows_more_than_the_usage(
    slack: SlackSender, sessions: Sessions, command: str, user: str
) -> None:
    reply = ephemeral_text(slack.command(command, "help", user=user))
    entries = re.findall(rf"• `{command} ([^`]+)` — [^\n]*(?:\n    e\.g\. `{command} ([^`]+)`)?", reply)
    assert len(entries) >= 3
    for usage, example in entries:
        assert example != usage, f"{command} {usage} is its own example"
    with_example = {usage: example for usage, example in entries if example}
    if command == "/quote":
        assert with_example['add "text" — Author'] == 'add "Praise in public, coach in private." — Jordan Lee'
        assert "mine" not in with_example and "help" not in with_example
    assert "e.g. `/quote mine`" not in reply and f"e.g. `{command} help`" not in reply
