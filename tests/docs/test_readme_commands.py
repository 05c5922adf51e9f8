"""The README's slash-command table against the declared subcommands, both ways: every
subcommand ``/quote`` and ``/coach`` declare has a row, every row names a real one, and a row
says who may use it when that is not the command's default (``help`` lists by audience)."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.listeners import register_all
from bot.listeners.router import CommandRouter, Routers
from tests.docs.recipes import ROOT

README = ROOT / "README.md"
# One span of a row's first cell: `/coach digest now` -> ("/coach", "digest").
_SPAN = re.compile(r"`(/quote|/coach)(?: ([^\s`]+))?[^`]*`")


def _routers() -> Routers:
    return register_all(App(signing_secret="x", token="xoxb-x", token_verification_enabled=False))


def _rows() -> list[tuple[str, str]]:
    """(first cell, what it does) of every table row that starts with a slash command."""
    rows = []
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith(("| `/quote", "| `/coach")):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows.append((cells[0], cells[1]))
    return rows


def _named(router: CommandRouter, word: str | None) -> str | None:
    """The subcommand a row's word stands for: its name or an alias, ``@rep`` for the one typed
    as a mention first (``/coach @rep note``), None for the command alone (its default)."""
    if word is None:
        return None
    if word in router.subcommands:
        return router.subcommands[word].name
    typed_first = [s.name for s in router.subcommands.values() if s.usage.split()[0] == word]
    return typed_first[0] if typed_first else f"unknown:{word}"


def _documented() -> dict[str, dict[str | None, str]]:
    """Per command, each subcommand a row names (None: the command alone) -> that row's text."""
    routers = _routers()
    out: dict[str, dict[str | None, str]] = {"/quote": {}, "/coach": {}}
    for first, does in _rows():
        for command, word in _SPAN.findall(first):
            router = routers.for_command(command)
            assert router is not None
            out[command].setdefault(_named(router, word or None), does)
    return out


def test_every_declared_subcommand_has_a_row() -> None:
    routers, documented = _routers(), _documented()
    for router in (routers.quote, routers.coach):
        missing = [n for n in router.names() if n != "help" and n not in documented[router.command]]
        assert missing == [], f"README's command table lacks {router.command} {', '.join(missing)}"


def test_every_row_names_a_declared_subcommand() -> None:
    routers, documented = _routers(), _documented()
    for router in (routers.quote, routers.coach):
        unknown = sorted(str(n) for n in documented[router.command] if n is not None and n.startswith("unknown:"))
        assert unknown == [], f"README rows name {router.command} subcommands that do not exist: {unknown}"
        if None in documented[router.command]:
            assert router.default is not None, f"README lists {router.command} alone, which does nothing"


def test_help_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    assert "`/quote help`" in text and "`/coach help`" in text


def test_rows_say_who_may_use_what_is_not_for_the_commands_default() -> None:
    """``/coach`` is for managers unless a row says *Anyone* or *Admins*; an admin-only
    subcommand's row says admins, an everyone's row (under a managers' command) says anyone."""
    routers, documented = _routers(), _documented()
    for router in (routers.quote, routers.coach):
        for name, does in documented[router.command].items():
            if name is None:
                continue
            audience = router.audience(router.subcommands[name])
            said = does.lower()
            if audience == "admin":
                assert "admin" in said, f"{router.command} {name} is for admins; its README row should say so"
            elif audience == "everyone" and router.default_audience != "everyone":
                assert "anyone" in said, f"{router.command} {name} is for everyone; its README row should say anyone"
            else:
                assert not said.startswith(("admins", "anyone")), f"{router.command} {name}'s row names another role"


def test_the_table_says_coachs_default_audience() -> None:
    assert _routers().coach.default_audience == "manager"
    assert "`/coach` subcommands are for managers" in README.read_text(encoding="utf-8")


def _cli_commands() -> set[str]:
    """``serve``, ``db upgrade``, ...: every command ``coachbot`` takes, from its parser."""
    import argparse

    from bot.cli import _parser

    def walk(parser: argparse.ArgumentParser, prefix: str) -> set[str]:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            return {prefix}
        return {c for name, child in subs[0].choices.items() for c in walk(child, f"{prefix} {name}".strip())}

    return walk(_parser(), "")


def test_the_cli_table_lists_every_coachbot_command_and_no_other() -> None:
    text = README.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `coachbot ([a-z -]+?)(?: [\[-].*?)?`", text, re.MULTILINE)
    assert sorted(set(rows)) == sorted(_cli_commands())
