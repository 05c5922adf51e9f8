"""Block Kit for ratings: the note form's Skill and Rating inputs, and "Skill: *Discovery*, 3/5"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    Option,
    RadioButtonsElement,
    StaticSelectElement,
)

from bot.blocks import dicts
from bot.blocks.rubric import skill_option
from bot.services.note_input import RATING_MAX, RATING_MIN
from bot.services.rubric import SkillView
from bot.services.text import escape

# Block (and action) ids of the inputs the note modal gains.
SKILL_BLOCK, RATING_BLOCK = "skill", "rating"


def stars(rating: int) -> str:
    return f"{rating}/5"


def skill_rating_inputs(
    skills: Sequence[SkillView], *, skill_id: int | None = None, rating: int | None = None
) -> list[dict[str, Any]]:
    """The note modal's Skill (static select) and Rating (radio buttons 1-5), both optional."""
    options = [skill_option(s) for s in skills[:100]]  # Slack's static select holds 100
    initial = next((o for s, o in zip(skills, options, strict=False) if s.id == skill_id), None)
    rating_options = [Option(value=str(r), label=str(r)) for r in range(RATING_MIN, RATING_MAX + 1)]
    initial_rating = next((o for r, o in enumerate(rating_options, RATING_MIN) if r == rating), None)
    blocks: list[Block] = [
        InputBlock(
            block_id=SKILL_BLOCK,
            label="Skill",
            element=StaticSelectElement(
                action_id=SKILL_BLOCK, placeholder="Which skill?", options=options, initial_option=initial
            ),
            optional=True,
        ),
        InputBlock(
            block_id=RATING_BLOCK,
            label="Rating",
            element=RadioButtonsElement(
                action_id=RATING_BLOCK,
                options=rating_options,
                initial_option=initial_rating,
            ),
            optional=True,
            hint="1 = needs a lot of work, 5 = a model for the team. Needs a skill.",
        ),
    ]
    return dicts(blocks)


def rated_text(skill: SkillView | None, rating: int | None) -> str:
    """`` Skill: *Discovery*, 3/5.`` after "Saved note", or nothing for a note without a skill."""
    if skill is None:
        return ""
    return f" Skill: *{escape(skill.label)}*" + (f", {stars(rating)}." if rating else ".")
