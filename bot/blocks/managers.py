"""Block Kit for who manages: the managers list, help for reps, the new manager's welcome."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
)

from bot.blocks import Message, dicts, md, section
from bot.blocks.notes import SET_PROMPT_TIME
from bot.blocks.prompts import log_note_button


def managers_text(manager_ids: Sequence[str], admin_ids: Sequence[str]) -> str:
    managers = ", ".join(f"<@{m}>" for m in manager_ids) or "none yet"
    admins = ", ".join(f"<@{a}>" for a in admin_ids) or "only the workspace admins and owners"
    return (
        f"*Managers:* {managers}\n*Admins* (count as managers too): {admins}, plus the workspace's admins and owners.\n"
        "Add with `/coach managers add @ada @bob`, remove with `/coach managers remove @bob`."
    )


# --- first contact: help for reps, who manages managers, the new manager's welcome ---------


def _people(ids: Sequence[str]) -> str:
    names = [f"<@{i}>" for i in ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def admins_text(admin_ids: Sequence[str]) -> str:
    """Who the admins are, as far as coachbot can name them without listing the workspace."""
    if not admin_ids:
        return "your workspace's admins and owners"
    return f"{_people(admin_ids)} (or any of your workspace's admins and owners)"


def rep_help_note(admin_ids: Sequence[str]) -> str:
    """Under a non-manager's ``/coach help``: what the rest is, and who can open it up."""
    return (
        "_The rest of `/coach` (private notes on your reps, coaching prompts, an overview) is for managers, "
        f"and you're not one yet. An admin can add you: {admins_text(admin_ids)}. "
        "Meanwhile, `/quote help` shows what everyone can do._"
    )


def managers_admin_only_text(admin_ids: Sequence[str], user_id: str) -> str:
    """``/coach managers`` from someone who isn't an admin: an answer, not a refusal."""
    return (
        f"Only admins manage the list of managers. Your admins: {admins_text(admin_ids)}. "
        f"To become a manager, ask one of them to type `/coach managers add` followed by <@{user_id}>."
    )


def home_link(team_id: str, app_id: str) -> str:
    """A link that opens coachbot's App Home, or how to find it when the app id is unknown."""
    if team_id and app_id:
        return f"<slack://app?team={team_id}&id={app_id}&tab=home|coachbot's Home tab>"
    return "coachbot's Home tab (click coachbot in the sidebar, then *Home*)"


def manager_welcome_message(*, added_by: str, team_id: str, app_id: str) -> Message:
    """The DM a newly named manager gets: three first steps, two of them one click away."""
    steps = (
        "*1. Log a note* on a rep: `/coach @rep what you observed`, or the button below. "
        "Only you can read your notes: not the admins, not other managers.\n"
        "*2. Set your prompt time*: `/coach prompts 08:30` (or the button) sends you one coaching prompt "
        "by DM every weekday, in your Slack time zone.\n"
        f"*3. Open the App Home*: {home_link(team_id, app_id)} shows your recent notes, follow-ups and "
        "whom you haven't coached lately."
    )
    blocks: list[Block] = [
        section(f":wave: <@{added_by}> made you a coachbot manager. Three first steps:"),
        section(steps),
        ActionsBlock(
            elements=[
                log_note_button(None),
                ButtonElement(text="Set prompt time", action_id=SET_PROMPT_TIME, value="welcome"),
            ]
        ),
        ContextBlock(elements=[md("Everything else: `/coach help`.")]),
    ]
    return Message(
        text=f"<@{added_by}> made you a coachbot manager: log a note, set your prompt time, open the App Home.",
        blocks=dicts(blocks),
    )
