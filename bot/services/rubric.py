"""A workspace's skill rubric: list, add, rename, remove, and resolving what people type.

The default rubric (``DEFAULT_SKILLS`` below) is written for a workspace the
first time anything reads its rubric, so a workspace that never customises it needs no setup
and one that does starts from the defaults. A removed skill stays in the table with
``active = False``: the notes rated on it keep it (the rep card and the export still name
it), but it can't be picked for new notes. Adding it back restores it, history included.
Notes point at ``Skill.id``, so a rename changes one row and every past note follows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Skill
from bot.errors import NotAllowed, UsageError
from bot.services.note_input import match_skill, skill_list
from bot.services.text import compact, escape, strip_invisible, truncate

MAX_SKILLS = 20  # active ones; a rubric longer than this no longer fits a select menu well
NAME_MAX = 40
# The default rubric, defined once: curated prompts name one skill each (``skill:`` in
# prompts.yaml), curated quotes may carry skills as tags, and coaching features score and
# target reps by the same list.
DEFAULT_SKILLS: tuple[str, ...] = (
    "prospecting",
    "discovery",
    "demo",
    "objection-handling",
    "negotiation",
    "closing",
    "pipeline",
    "product-knowledge",
)
SKILL_LABELS: dict[str, str] = {
    "prospecting": "Prospecting",
    "discovery": "Discovery",
    "demo": "Demo",
    "objection-handling": "Objection handling",
    "negotiation": "Negotiation",
    "closing": "Closing",
    "pipeline": "Pipeline",
    "product-knowledge": "Product knowledge",
}
ADD_EXAMPLE = "/coach skills add cold-calling"
RENAME_EXAMPLE = "/coach skills rename demo product-demo"
REMOVE_EXAMPLE = "/coach skills remove pipeline"
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)

# What a coaching prompt about each default skill talks about: every curated prompt of a
# skill names at least one of its words (`coachbot quotes check` enforces it), so a skill's
# pool can't fill up with general leadership prompts. Each word matches at a word start
# ("negotiat" matches negotiate and negotiation); keep them specific to the skill.
SKILL_VOCABULARY: dict[str, tuple[str, ...]] = {
    "prospecting": (
        "prospect", "outbound", "inbound", "cold email", "cold call", "calling block", "dials", "sequence",
        "lead source", "ideal customer profile", "target account", "referral", "introduction", "trigger event",
        "sdr", "new account", "new logo", "voicemail", "first meeting", "reach out", "territory", "segment",
    ),
    "discovery": (
        "discovery", "pain", "qualif", "the customer's problem", "the buyer's problem", "urgency", "why now",
        "decision process", "make the decision", "talk-to-listen", "cost of", "unsolved", "no decision",
        "wants to buy", "follow-up question", "needs",
    ),
    "demo": ("demo", "presentation", "screen", "tell-show-tell", "customer story", "proof of concept"),
    "objection-handling": (
        "objection", "too expensive", "no budget", "not now", "pushback", "push back", "send me",
        "happy with", "competitor claim", "concern", "stall",
    ),
    "negotiation": (
        "negotiat", "discount", "price", "pricing", "procurement", "concession", "walk-away", "anchor",
        "renewal", "contract", "terms", "give-get", "multi-year", "in return",
    ),
    "closing": (
        "close", "closing", "signature", "signer", "signs", "commitment", "mutual close plan", "late-stage",
        "sponsor", "champion", "won deal", "paperwork",
    ),
    "pipeline": (
        "pipeline", "forecast", "stage", "commit", "coverage", "close date", "slip", "stalled", "next step",
        "deal review", "best case", "opportunit", "funnel", "win rate", "renewals",
    ),
    "product-knowledge": (
        "product", "feature", "release notes", "battlecard", "solutions engineer", "technical", "use case",
        "pricing tiers", "integration", "roadmap", "reference customer",
    ),
}  # fmt: skip


class NotAnAdmin(NotAllowed):
    """Only admins change the rubric."""


@dataclass(frozen=True)
class SkillView:
    id: int
    name: str
    base: str | None
    active: bool
    position: int

    @property
    def label(self) -> str:
        if self.base is not None and self.name == self.base:
            return SKILL_LABELS.get(self.name, self.name)
        return self.name.replace("-", " ").capitalize()

    @classmethod
    def of(cls, s: Skill) -> SkillView:
        return cls(id=s.id, name=s.name, base=s.base, active=s.active, position=s.position)


def _ensure_admin(is_admin: bool, example: str) -> None:
    if not is_admin:
        raise NotAnAdmin(
            "Only admins can change the skill rubric (COACHBOT_ADMINS and the workspace's admins and owners). "
            f"Nothing was changed. See the skills with `/coach skills`; an admin would type e.g. `{example}`."
        )


def _seed(session: Session, *, team_id: str, now: datetime) -> None:
    """Write the default rubric for a team that has none. Safe when two requests race."""
    try:
        with session.begin_nested():
            session.add_all(
                Skill(team_id=team_id, name=name, base=name, position=i, active=True, created_at=now, updated_at=now)
                for i, name in enumerate(DEFAULT_SKILLS)
            )
    except IntegrityError:
        pass  # another request seeded it first


def _rows(session: Session, *, team_id: str, now: datetime) -> list[Skill]:
    rows = list(session.scalars(select(Skill).where(Skill.team_id == team_id).order_by(Skill.position, Skill.id)))
    if rows:
        return rows
    _seed(session, team_id=team_id, now=now)
    return list(session.scalars(select(Skill).where(Skill.team_id == team_id).order_by(Skill.position, Skill.id)))


def list_skills(session: Session, *, team_id: str, now: datetime, include_removed: bool = False) -> list[SkillView]:
    """The team's rubric in order (seeded with the defaults on first read)."""
    return [SkillView.of(s) for s in _rows(session, team_id=team_id, now=now) if include_removed or s.active]


def skill_names(session: Session, *, team_id: str, now: datetime) -> list[str]:
    """Active skill names: what ``bot.services.note_input.parse_note`` matches against."""
    return [s.name for s in list_skills(session, team_id=team_id, now=now)]


def skills_by_id(session: Session, *, team_id: str) -> dict[int, SkillView]:
    """Every skill the team ever had, removed ones included (for showing past notes)."""
    return {s.id: SkillView.of(s) for s in session.scalars(select(Skill).where(Skill.team_id == team_id))}


def resolve_skill(session: Session, *, team_id: str, typed: str, now: datetime, example: str) -> SkillView:
    """The active skill ``typed`` names (any case or a unique prefix), else a ``UsageError`` that
    names the candidates or lists the rubric."""
    skills = list_skills(session, team_id=team_id, now=now)
    name = match_skill(typed, [s.name for s in skills], example=example)
    return next(s for s in skills if s.name == name)


def get_active_skill(session: Session, *, team_id: str, skill_id: int) -> SkillView:
    """A skill id from a form or a button, checked to be this team's and active."""
    row = session.get(Skill, skill_id) if 1 <= skill_id <= 2**31 - 1 else None
    if row is None or row.team_id != team_id or not row.active:
        raise UsageError(
            "That skill is no longer in your workspace's rubric. Pick one from the list, or see them with "
            "`/coach skills`.",
            block_id="skill",
        )
    return SkillView.of(row)


def clean_name(typed: str, *, example: str) -> str:
    """``Cold Calling`` -> ``cold-calling``; refuses anything but letters, digits and hyphens."""
    name = strip_invisible(typed).strip().lower()
    name = re.sub(r"[\s_]+", "-", name)
    if not name:
        raise UsageError(f"Name the skill, e.g. `{example}`.")
    if len(name) > NAME_MAX:
        raise UsageError(
            f"A skill name has at most {NAME_MAX} characters; `{escape(truncate(name, 60))}` has {len(name)}. "
            f"E.g. `{example}`."
        )
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"`{escape(truncate(name, 60))}` can't be a skill name: use letters a-z, digits and hyphens "
            f"(spaces become hyphens), e.g. `{example}`."
        )
    return name


def _clash(rows: Sequence[Skill], name: str, *, but: Skill | None = None) -> Skill | None:
    key = compact(name)
    return next((s for s in rows if s is not but and compact(s.name) == key), None)


def add_skill(session: Session, *, team_id: str, typed: str, is_admin: bool, now: datetime) -> tuple[SkillView, bool]:
    """Add a skill, or bring a removed one back (with its history). (skill, restored?)."""
    _ensure_admin(is_admin, ADD_EXAMPLE)
    name = clean_name(typed, example=ADD_EXAMPLE)
    rows = _rows(session, team_id=team_id, now=now)
    same = _clash(rows, name)
    if same is not None and same.active:
        raise UsageError(f"`{same.name}` is already a skill. Skills: {skill_list([s.name for s in rows if s.active])}.")
    if sum(1 for s in rows if s.active) >= MAX_SKILLS:
        raise UsageError(
            f"The rubric has {MAX_SKILLS} skills, the most it can hold. Remove one first, e.g. `{REMOVE_EXAMPLE}`."
        )
    position = max((s.position for s in rows), default=-1) + 1
    if same is not None:
        same.active, same.position, same.updated_at = True, position, now
        session.flush()
        return SkillView.of(same), True
    row = Skill(team_id=team_id, name=name, base=None, position=position, active=True, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return SkillView.of(row), False


def rename_skill(
    session: Session, *, team_id: str, old: str, new: str, is_admin: bool, now: datetime
) -> tuple[str, SkillView]:
    """Rename an active skill; past notes follow (they point at the skill). (old name, skill)."""
    _ensure_admin(is_admin, RENAME_EXAMPLE)
    skill = resolve_skill(session, team_id=team_id, typed=old, now=now, example=RENAME_EXAMPLE)
    name = clean_name(new, example=RENAME_EXAMPLE)
    rows = _rows(session, team_id=team_id, now=now)
    row = next(s for s in rows if s.id == skill.id)
    other = _clash(rows, name, but=row)
    if other is not None:
        state = "a skill" if other.active else "a removed skill (bring it back with `/coach skills add`)"
        raise UsageError(f"`{other.name}` is already {state}. Pick another name, e.g. `{RENAME_EXAMPLE}`.")
    before = row.name
    row.name, row.updated_at = name, now
    session.flush()
    return before, SkillView.of(row)


def remove_skill(session: Session, *, team_id: str, typed: str, is_admin: bool, now: datetime) -> SkillView:
    """Take a skill out of the rubric. Its notes keep it; new notes can't use it."""
    _ensure_admin(is_admin, REMOVE_EXAMPLE)
    skill = resolve_skill(session, team_id=team_id, typed=typed, now=now, example=REMOVE_EXAMPLE)
    row = session.get(Skill, skill.id)
    assert row is not None
    row.active, row.updated_at = False, now
    session.flush()
    return SkillView.of(row)
