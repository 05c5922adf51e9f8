"""/coach: private notes, their history, coaching prompts, and who the managers are.

One module per flow: ``notes`` (write a note: command, form, Undo, follow-ups), ``history``
(read back, search, delete, export, overview), ``prompts`` (prompt schedules and the prompt
now), ``managers``, ``edit`` (Edit a note), ``rubric`` (``/coach skills``), ``rep`` (a rep's
card), ``action_items`` (``/coach todo``, ``/coach todos`` and the rep's buttons) and
``leaders`` (leaders and the digest). The multi-step work of saving a note or assigning an
action item is in ``bot.flows``; these modules translate Slack in and out. Each declares its
subcommands beside their handlers; ``help`` is generated from them and shows each reader only
what their role can use.
"""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import managers as managers_ui
from bot.gateway import roles
from bot.listeners.coaching import (
    action_items,
    edit,
    history,
    leaders,
    managers,
    notes,
    one_on_ones,
    prompts,
    rep,
    rubric,
)
from bot.listeners.router import Audience, CommandContext, CommandRouter, Routers
from bot.services import managers as manager_service


def reader_role(ctx: CommandContext) -> Audience:
    """``admin``, ``manager`` or ``everyone``: the most the user may do with ``/coach``."""
    if roles.is_admin(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id):
        return "admin"
    with ctx.deps.sessions.begin() as session:
        if manager_service.is_manager(session, team_id=ctx.team_id, user_id=ctx.user_id):
            return "manager"
    return "everyone"


def hidden_note(ctx: CommandContext, reader: Audience) -> str:
    if reader != "everyone":
        return ""  # a manager misses only `/coach managers`, which is no news to them
    return managers_ui.rep_help_note(roles.configured_admins(ctx.deps, team_id=ctx.team_id))


def install_help(router: CommandRouter) -> None:
    """Most of ``/coach`` is for managers (admins count as managers), so a subcommand that does
    not say is not offered to reps; ``help`` is for everyone. A name typed without Slack's
    @-autocomplete gets "Did you mean @dana?"."""
    router.default_audience = "manager"
    router.set_audience("everyone", "help")
    router.audience_of = reader_role
    router.hidden_note = hidden_note
    router.suggests_people = True


def register(app: App, routers: Routers) -> None:
    coach = routers.coach
    for flow in (notes, history, prompts, managers, rubric, rep, action_items, leaders, one_on_ones):
        flow.register(app, coach)
    edit.register(app, coach)
    install_help(coach)
