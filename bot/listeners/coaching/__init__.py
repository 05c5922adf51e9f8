"""/coach: private notes, their history, coaching prompts, and who the managers are.

One module per flow: ``notes`` (write a note: command, form, Undo, follow-ups), ``history``
(read back, search, delete, export, overview), ``prompts`` (prompt schedules and the prompt
now), ``managers``, and the coaching loop: ``edit`` (Edit a note), ``skills`` (the rubric),
``rep`` (a rep's card), ``todos`` (action items) and ``leaders`` (leaders and the digest).
Each declares its subcommands beside their handlers; ``help`` is
generated from them and shows each reader only what their role can use.
"""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import coaching as ui
from bot.gateway import roles
from bot.listeners.coaching import edit, history, leaders, managers, notes, one_on_ones, prompts, rep, skills, todos
from bot.listeners.router import Audience, CommandContext, CommandRouter, Routers
from bot.services import coaching


def reader_role(ctx: CommandContext) -> Audience:
    """``admin``, ``manager`` or ``everyone``: the most the user may do with ``/coach``."""
    if roles.is_admin(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id):
        return "admin"
    with ctx.deps.sessions.begin() as session:
        if coaching.is_manager(session, team_id=ctx.team_id, user_id=ctx.user_id):
            return "manager"
    return "everyone"


def hidden_note(ctx: CommandContext, reader: Audience) -> str:
    if reader != "everyone":
        return ""  # a manager misses only `/coach managers`, which is no news to them
    return ui.rep_help_note(roles.configured_admins(ctx.deps, team_id=ctx.team_id))


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
    for flow in (notes, history, prompts, managers, skills, rep, todos, leaders, one_on_ones):
        flow.register(app, coach)
    edit.register(app, coach)
    install_help(coach)
