"""Block Kit for the rubric: ``/coach skills`` and the skill picker's options."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ContextBlock,
    Option,
)

from bot.blocks import Message, dicts, md, section
from bot.services.rubric import SkillView
from bot.services.text import truncate

# --- skills ----------------------------------------------------------------------------------


def skills_message(skills: Sequence[SkillView], *, is_admin: bool) -> Message:
    """``/coach skills``: the rubric, and how admins change it."""
    names = ", ".join(f"`{s.name}`" for s in skills) or "none"
    text = f"*Skills in this workspace* ({len(skills)}): {names}"
    how = (
        "Change them with `/coach skills add cold-calling`, `/coach skills rename demo product-demo` or "
        "`/coach skills remove pipeline` (a removed skill keeps its history)."
        if is_admin
        else "Admins can add, rename and remove skills."
    )
    usage = (
        "Rate a note with `/coach @bob discovery 3 asked great follow-up questions` (any case, or a prefix: `disc`)."
    )
    return Message(text=text, blocks=dicts([section(text), ContextBlock(elements=[md(usage), md(how)])]))


def skill_changed_text(verb: str, skill: SkillView, *, old: str | None = None) -> str:
    if verb == "renamed" and old is not None:
        return f":pencil2: Renamed `{old}` to `{skill.name}`. Past notes follow the new name."
    if verb == "removed":
        return (
            f":wastebasket: Removed `{skill.name}` from the rubric. Notes already rated on it keep it; "
            f"bring it back with `/coach skills add {skill.name}`."
        )
    if verb == "restored":
        return f":leftwards_arrow_with_hook: `{skill.name}` is back in the rubric, with its history."
    return f":heavy_plus_sign: Added `{skill.name}` to the rubric."


def skill_option(skill: SkillView) -> Option:
    return Option(value=str(skill.id), label=truncate(skill.label, 75))
