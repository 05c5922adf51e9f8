"""``/coach skills [add NAME | rename OLD NEW | remove NAME]``: the workspace's skill rubric.

Anyone may read the rubric (a rep may wonder what they are rated on); the service refuses
changes from anyone but an admin, before reading the name.
"""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import Message
from bot.blocks import rubric as rubric_ui
from bot.errors import UsageError
from bot.gateway import roles
from bot.listeners import coach_args
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.services import rubric

SUBCOMMANDS: list[Subcommand] = []
_VERBS = ("add", "rename", "remove")


@declare(
    SUBCOMMANDS,
    "skills",
    usage="skills [add NAME | rename OLD NEW | remove NAME]",
    example="skills add cold-calling",
    summary="The skills notes are rated on. Admins add, rename or remove them (history stays).",
    audience="everyone",
)
def handle_skills(ctx: CommandContext) -> Message:
    deps = ctx.deps
    verb, rest = coach_args.split_first(ctx.args)
    verb = verb.lower()
    now = deps.clock()
    if not verb or verb == "list":
        is_admin = roles.is_admin(deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
        with deps.sessions.begin() as session:
            skills = rubric.list_skills(session, team_id=ctx.team_id, now=now)
        return rubric_ui.skills_message(skills, is_admin=is_admin)
    if verb not in _VERBS:
        raise UsageError(
            f"`/coach skills` takes `add`, `rename` or `remove`, e.g. `{rubric.ADD_EXAMPLE}`; "
            "`/coach skills` alone lists them."
        )
    is_admin = roles.is_admin(deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    words = coach_args.slack_unescape(rest).split()
    with deps.sessions.begin() as session:
        if verb == "add":
            skill, restored = rubric.add_skill(
                session, team_id=ctx.team_id, typed=" ".join(words), is_admin=is_admin, now=now
            )
            return Message(text=rubric_ui.skill_changed_text("restored" if restored else "added", skill))
        if verb == "remove":
            skill = rubric.remove_skill(session, team_id=ctx.team_id, typed=" ".join(words), is_admin=is_admin, now=now)
            return Message(text=rubric_ui.skill_changed_text("removed", skill))
        if len(words) != 2 and is_admin:
            raise UsageError(f"Rename takes the old name and the new one, e.g. `{rubric.RENAME_EXAMPLE}`.")
        old, new = [*words, "", ""][:2]
        before, skill = rubric.rename_skill(session, team_id=ctx.team_id, old=old, new=new, is_admin=is_admin, now=now)
        return Message(text=rubric_ui.skill_changed_text("renamed", skill, old=before))


def register(app: App, coach: CommandRouter) -> None:
    coach.add_all(SUBCOMMANDS)
