"""Coaching deliveries: prompt DMs, channel prompts and follow-up reminders.

The engine (``bot.scheduling.run``) claims each occurrence once under its key, calls
``choose`` once (the prompt is picked and the rotation advanced there, so a re-run after a
crash sends the same prompt), then ``render``s and posts. A DM's ``target_id`` is the
user id; the engine opens the DM.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.blocks.follow_ups import follow_up_message
from bot.blocks.prompts import prompt_message
from bot.blocks.rep_card import targeted_prompt_message
from bot.errors import NotFound
from bot.kinds import DeliveryKindName, ScheduleKind
from bot.scheduling.kinds import Occurrence, ScheduledKind, Wording, schedule_occurrences
from bot.services import notes, prompts, rep_card, schedules

PROMPT_DM = DeliveryKindName.PROMPT_DM
PROMPT_CHANNEL = DeliveryKindName.PROMPT_CHANNEL
FOLLOW_UP = DeliveryKindName.FOLLOW_UP
FOLLOW_UP_HOUR = 9  # when the author has no prompt time
NO_SKILL_PROMPT = 0  # a targeted prompt DM's item id when the weakest skill has no curated prompts


class _PromptKind:
    """A daily coaching prompt on a schedule (a manager's DM, or a channel)."""

    name: str
    weighted: bool

    def due(self, session: Session, at: datetime, grace: timedelta) -> list[Occurrence]:
        return schedule_occurrences(
            session, schedule_kind=self.name, delivery_kind=self.name, at=at, grace=grace, keyed_by_kind=True
        )

    def choose(self, session: Session, occ: Occurrence) -> int | None:
        try:
            prompt = prompts.next_prompt(
                session,
                team_id=occ.team_id,
                target_id=occ.target_id,
                now=occ.due_at,
                weigh_by_author=occ.target_id if self.weighted else None,
            )
        except NotFound:
            return None
        return prompt.id

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Message | None:
        if item_id is None:
            return None
        prompt = prompts.get_prompt(session, prompt_id=item_id)
        if prompt is None:
            return None
        message = prompt_message(prompt, in_channel=not self.weighted)
        return message


class PromptDmKind(_PromptKind):
    """Once the manager has rated anyone, the prompt names the rep most overdue for coaching
    and that rep's weakest skill (``rep_card.targeted_prompt``); until then, the theme rotation."""

    name = PROMPT_DM
    weighted = True  # toward the themes this manager has noted least

    def choose(self, session: Session, occ: Occurrence) -> int | None:
        targeted = rep_card.targeted_prompt(session, team_id=occ.team_id, author_id=occ.target_id, now=occ.due_at)
        if targeted is None:
            return super().choose(session, occ)
        # 0: targeted, but the skill has no curated pool (an added skill): the card alone.
        return targeted.prompt.id if targeted.prompt is not None else NO_SKILL_PROMPT

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Message | None:
        # Repeatable: the target is found again from the notes as of the due time.
        target = rep_card.find_target(session, team_id=occ.team_id, author_id=occ.target_id, now=occ.due_at)
        if target is None or item_id is None:
            return super().render(session, occ, item_id)
        prompt = prompts.get_prompt(session, prompt_id=item_id) if item_id != NO_SKILL_PROMPT else None
        return targeted_prompt_message(rep_card.TargetedPrompt(target=target, prompt=prompt))


class PromptChannelKind(_PromptKind):
    name = PROMPT_CHANNEL
    weighted = False  # a shared channel must not mirror one manager's private notes


class FollowUpKind:
    """A DM to a note's author on its follow-up date, at their prompt time or 09:00 local."""

    name = FOLLOW_UP

    def due(self, session: Session, at: datetime, grace: timedelta) -> list[Occurrence]:
        # Local dates around the world differ from UTC's by at most a day either way.
        first = (at - grace - timedelta(days=1)).date()
        last = (at + timedelta(days=1)).date()
        due_notes = notes.follow_up_candidates(session, first=first, last=last)
        if not due_notes:
            return []
        authors = {n.author_id for n in due_notes}
        prompt_times = schedules.prompt_times(session, user_ids=authors)
        found: list[Occurrence] = []
        for note in due_notes:
            assert note.follow_up_on is not None
            spec = prompt_times.get((note.team_id, note.author_id))
            if spec is not None:
                spec = replace(spec, days=schedules.EVERYDAY)
            else:
                spec = schedules.ScheduleSpec(
                    hour=FOLLOW_UP_HOUR, minute=0, tz=note.author_tz or "UTC", days=schedules.EVERYDAY
                )
            hit = schedules.occurrence_due(spec, at, grace)
            if hit is None or hit[0] != note.follow_up_on:
                continue
            found.append(
                Occurrence(
                    key=f"{FOLLOW_UP}:{note.id}:{note.follow_up_on.isoformat()}",
                    kind=self.name,
                    team_id=note.team_id,
                    enterprise_id=note.enterprise_id,
                    target_id=note.author_id,
                    local_date=note.follow_up_on,
                    due_at=hit[1],
                    note_id=note.id,
                    owner_id=note.author_id,
                )
            )
        return found

    def choose(self, session: Session, occ: Occurrence) -> int | None:
        return occ.note_id

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Message | None:
        if item_id is None:
            return None
        note = notes.note_for_delivery(session, note_id=item_id)
        # Deleted, done or snoozed since: nothing to remind. Only ever to the author.
        if (
            note is None
            or note.author_id != occ.target_id
            or note.follow_up_done_at is not None
            or note.follow_up_on != occ.local_date
        ):
            return None
        message = follow_up_message(note)
        return message


PROMPT_DM_KIND = ScheduledKind(
    delivery=PromptDmKind(),
    schedule_kind=ScheduleKind.PROMPT_DM,
    wording=Wording(label="your daily coaching prompt", command="/coach prompts", item="today's coaching prompt"),
)
PROMPT_CHANNEL_KIND = ScheduledKind(
    delivery=PromptChannelKind(),
    schedule_kind=ScheduleKind.PROMPT_CHANNEL,
    wording=Wording(
        label="the daily coaching prompt", command="/coach prompts channel", item="today's coaching prompt"
    ),
)
# Due from notes' follow-up dates, not from a schedule.
FOLLOW_UP_KIND = ScheduledKind(delivery=FollowUpKind())
