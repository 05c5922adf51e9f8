"""Coaching prompts: which one a manager (or a channel) gets next.

Each target walks the active prompts in cycles: no prompt comes twice until every active
prompt has been seen (``Rotation``/``RotationSeen`` with ``kind="prompt"``). Within a
cycle, a manager's next prompt is drawn with weights favouring the themes they have
noted least over the last 90 days, so the prompts nudge toward the parts of leadership
they neglect. Channel prompts are unweighted: a shared channel must not reflect one
manager's private note statistics.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Prompt, Rotation, RotationSeen
from bot.errors import NotFound
from bot.services.note_history import theme_counts
from bot.services.store import THEME_LABELS

ROTATION_KIND = "prompt"
WEIGHT_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class PromptView:
    id: int
    theme: str
    text: str

    @property
    def theme_label(self) -> str:
        return THEME_LABELS.get(self.theme, self.theme)

    @classmethod
    def of(cls, p: Prompt) -> PromptView:
        return cls(id=p.id, theme=p.theme, text=p.text)


def theme_weights(counts: dict[str, int]) -> dict[str, float]:
    """Fewer notes on a theme -> a larger weight. Squared, so a neglected theme clearly wins."""
    return {theme: 1.0 / (1 + n) ** 2 for theme, n in counts.items()}


def get_prompt(session: Session, *, prompt_id: int) -> PromptView | None:
    p = session.get(Prompt, prompt_id)
    return PromptView.of(p) if p is not None else None


def _rotation(session: Session, *, team_id: str, target_id: str) -> Rotation:
    where = (Rotation.team_id == team_id, Rotation.kind == ROTATION_KIND, Rotation.target_id == target_id)
    row = session.scalar(select(Rotation).where(*where))
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = Rotation(
                team_id=team_id, kind=ROTATION_KIND, target_id=target_id, cycle=1, start_key=0, wrapped=False
            )
            session.add(row)
    except IntegrityError:
        # Created concurrently (e.g. '/coach prompt' racing the scheduled DM).
        row = session.scalars(select(Rotation).where(*where)).one()
    return row


def next_prompt(
    session: Session,
    *,
    team_id: str,
    target_id: str,
    now: datetime,
    weigh_by_author: str | None = None,
    rng: random.Random | None = None,
) -> PromptView:
    """Pick ``target_id``'s next prompt and record it as seen.

    ``weigh_by_author``: weight themes by that manager's notes (their own prompts only).
    """
    rng = rng or random.Random()
    active = list(
        session.scalars(select(Prompt).where(Prompt.active.is_(True)).order_by(Prompt.shuffle_key, Prompt.id))
    )
    if not active:
        raise NotFound("There are no coaching prompts yet. An admin can load them with `coachbot quotes load`.")
    rotation = _rotation(session, team_id=team_id, target_id=target_id)
    seen = set(
        session.scalars(
            select(RotationSeen.item_id).where(
                RotationSeen.rotation_id == rotation.id, RotationSeen.cycle == rotation.cycle
            )
        )
    )
    unseen = [p for p in active if p.id not in seen]
    if not unseen:
        rotation.cycle += 1
        # A new cycle never opens with the prompt that closed the last one.
        unseen = [p for p in active if p.id != rotation.last_item_id] or active

    by_theme: dict[str, list[Prompt]] = {}
    for p in unseen:
        by_theme.setdefault(p.theme, []).append(p)
    themes = sorted(by_theme)
    if weigh_by_author is not None:
        counts = theme_counts(session, team_id=team_id, author_id=weigh_by_author, since=now - WEIGHT_WINDOW)
        weights = theme_weights(counts)
        theme = rng.choices(themes, weights=[weights.get(t, 1.0) for t in themes])[0]
    else:
        theme = rng.choice(themes)
    chosen = rng.choice(by_theme[theme])

    rotation.last_item_id = chosen.id
    try:
        with session.begin_nested():
            session.add(RotationSeen(rotation_id=rotation.id, cycle=rotation.cycle, item_id=chosen.id, seen_at=now))
    except IntegrityError:
        pass  # a concurrent pick of the same prompt already recorded it
    return PromptView.of(chosen)
