"""1:1s: setting a cadence, the brief on demand, and the talking points of both sides.

``cadence`` is ``/coach 1on1 @rep ...``: ``weekly tue 10:00 [zone]`` (or ``biweekly``, with
``skip holidays XX`` among the words), ``pause until 2027-01-04`` / ``pause 2w``, ``resume``,
``off``, ``brief`` (the prep brief now) or nothing (show). Only a manager sets one, for a
real person of the workspace other than themselves; the zone defaults to the manager's own.
The rules (one cadence per rep, biweekly weeks, what is due when) are in
``bot.services.one_on_ones``; the holidays and pauses are the same as every schedule's
(``bot.services.pauses``, ``bot.services.holiday_calendars``).

``topic`` is ``/coach topic @manager|@rep text`` (or the "Add topic" form), for either side;
without text it shows the agenda. ``check`` is a ✓ button. Every refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.blocks import one_on_ones as ui
from bot.db.models import Schedule
from bot.deps import Deps
from bot.errors import UsageError
from bot.gateway import roles, users
from bot.listeners import coach_args
from bot.services import holiday_calendars, one_on_ones, pauses, prep_brief, schedules, topics
from bot.services.managers import is_manager
from bot.services.one_on_ones import EXAMPLE, CadenceView
from bot.services.text import normalize

_OFF = ("off", "stop")
_PAUSE, _RESUME = normalize("pause"), normalize("resume")


@dataclass(frozen=True)
class Request:
    """One ``/coach 1on1`` or ``/coach topic``: who asked, where, and the words after the name."""

    team_id: str
    enterprise_id: str | None
    user_id: str
    text: str
    now: datetime


def _example(rep_id: str) -> str:
    return f"/coach 1on1 <@{rep_id}> weekly tue 10:00 Europe/Berlin"


def _rep(deps: Deps, client: WebClient, req: Request, *, example: str) -> tuple[str, str]:
    """The mentioned person (a real, active member of this workspace) and the words after them."""
    first, rest = coach_args.split_first(req.text)
    if not first:
        raise coach_args.CoachArgsError(f"Name the rep, e.g. `{example}`.")
    user_id = coach_args.parse_mention(first)
    if user_id is None:
        raise coach_args.NotAMention(first, example)
    person = users.resolve_person(deps.users, client, team_id=req.team_id, user_id=user_id, example=example)
    return person.id, rest


def cadence(deps: Deps, client: WebClient, req: Request) -> Message:
    """``/coach 1on1 ...`` for a manager (the role is checked first, before anything is read)."""
    with deps.sessions.begin() as session:
        roles.check_manager(deps, client, session, team_id=req.team_id, user_id=req.user_id)
    if not req.text.strip():
        with deps.sessions.begin() as session:
            mine = one_on_ones.cadences_of_manager(session, team_id=req.team_id, manager_id=req.user_id)
        return Message(text=ui.cadences_text([c for c in mine if c.active], now=req.now))
    rep_id, rest = _rep(deps, client, req, example=EXAMPLE)
    if rep_id == req.user_id:
        raise one_on_ones.InvalidCadence(f"A 1:1 is with one of your reps, not with yourself. For example `{EXAMPLE}`.")
    words = rest.strip()
    verb, _, tail = words.partition(" ")
    if not words or words.lower() == "show":
        return _show(deps, req, rep_id)
    if words.lower() in _OFF:
        with deps.sessions.begin() as session:
            stopped = one_on_ones.stop_cadence(session, team_id=req.team_id, manager_id=req.user_id, rep_id=rep_id)
            row = _row(session, req, rep_id)
            if row is not None:
                pauses.resume_schedule(row)  # off is stronger than a pause
        return Message(text=ui.cadence_stopped_text(rep_id, was_on=stopped, example=_example(rep_id)))
    if words.lower() == "brief":
        return _brief(deps, client, req, rep_id)
    if normalize(verb) == _PAUSE:
        return _pause(deps, req, rep_id, tail)
    if normalize(verb) == _RESUME:
        if tail.strip():
            raise UsageError(f"`resume` takes nothing after it: `/coach 1on1 <@{rep_id}> resume`.")
        return _resume(deps, req, rep_id)
    return _set(deps, client, req, rep_id, words)


def _row(session: Session, req: Request, rep_id: str) -> Schedule | None:
    """The caller's own cadence with the rep (another manager's is not theirs to change)."""
    row = schedules.get_schedule(session, team_id=req.team_id, kind=one_on_ones.SCHEDULE_KIND, target_id=rep_id)
    return row if row is not None and row.created_by == req.user_id else None


def _active_row(session: Session, req: Request, rep_id: str, verb: str) -> Schedule:
    row = _row(session, req, rep_id)
    if row is None or not row.active:
        raise UsageError(
            f"There is nothing to {verb}: you have no 1:1 cadence with <@{rep_id}>. Set one first, "
            f"for example `{_example(rep_id)}`. Nothing was changed."
        )
    return row


def _shown(row: Schedule, req: Request, *, event: str = "shown") -> Message:
    view = CadenceView.of(row)
    today = pauses.local_today(view.tz, req.now)
    return Message(
        text=ui.cadence_message_text(
            view,
            next_at=one_on_ones.next_meeting(view, req.now),
            calendar_note=holiday_calendars.calendar_summary(view.holidays, tz=view.tz, now=req.now, days=row.days)
            if view.holidays
            else "",
            pause_note=pauses.pause_summary(row, today=today),
            event=event,
        )
    )


def _show(deps: Deps, req: Request, rep_id: str) -> Message:
    with deps.sessions.begin() as session:
        row = _row(session, req, rep_id)
        if row is None or not row.active:
            return Message(text=ui.no_cadence_text(rep_id, example=_example(rep_id)))
        return _shown(row, req)


def _pause(deps: Deps, req: Request, rep_id: str, text: str) -> Message:
    with deps.sessions.begin() as session:
        row = _active_row(session, req, rep_id, "pause")
        # Raises InvalidPause (past, over a year, not a date) inside the unit of work: nothing saved.
        until = pauses.parse_pause(text, today=pauses.local_today(row.tz, req.now))
        pauses.pause_schedule_until(row, until, req.user_id)
        session.flush()
        return _shown(row, req, event="paused")


def _resume(deps: Deps, req: Request, rep_id: str) -> Message:
    with deps.sessions.begin() as session:
        row = _active_row(session, req, rep_id, "resume")
        was = pauses.resume_schedule(row)
        session.flush()
        return _shown(row, req, event="resumed" if was else "not_paused")


def _set(deps: Deps, client: WebClient, req: Request, rep_id: str, words: str) -> Message:
    option, rest = holiday_calendars.split_calendar_option(words.split())
    command = f"/coach 1on1 <@{rep_id}> weekly"
    with deps.sessions.begin() as session:
        existing = _row(session, req, rep_id)
        existing_view = CadenceView.of(existing) if existing is not None and existing.active else None
    if rest:
        parsed = one_on_ones.parse_cadence(" ".join(rest), example=_example(rep_id), command=command)
    elif existing_view is not None:  # only "skip holidays XX": the cadence stays as it is
        parsed = one_on_ones.Cadence(
            existing_view.every_weeks, existing_view.weekday, existing_view.hour, existing_view.minute, existing_view.tz
        )
    else:
        raise one_on_ones.InvalidCadence(
            f"Give the day and time too, for example `{_example(rep_id)} skip holidays DE`."
        )
    tz = parsed.tz or users.user_zone(deps.users, client, team_id=req.team_id, user_id=req.user_id)
    if tz is None:
        raise one_on_ones.InvalidCadence(
            f"I couldn't read your Slack time zone, so please name one, for example `{_example(rep_id)}`."
        )
    with deps.sessions.begin() as session:
        before = schedules.get_schedule(session, team_id=req.team_id, kind=one_on_ones.SCHEDULE_KIND, target_id=rep_id)
        is_new = before is None or before.created_by != req.user_id
        own = before.holidays if before is not None and not is_new else None
        one_on_ones.set_cadence(
            session,
            team_id=req.team_id,
            enterprise_id=req.enterprise_id,
            manager_id=req.user_id,
            rep_id=rep_id,
            cadence=parsed,
            tz=tz,
            now=req.now,
            admin_ids=roles.configured_admins(deps, team_id=req.team_id),
            checked_manager=True,
        )
        row = _row(session, req, rep_id)
        assert row is not None
        holiday_calendars.set_calendar(
            row,
            holiday_calendars.calendar_for_schedule(option, default=deps.settings.holidays, current=own, is_new=is_new),
        )
        session.flush()
        return _shown(row, req, event="saved")


def _brief(deps: Deps, client: WebClient, req: Request, rep_id: str) -> Message:
    tz = users.user_zone(deps.users, client, team_id=req.team_id, user_id=req.user_id)
    with deps.sessions.begin() as session:
        brief = prep_brief.build_brief(session, team_id=req.team_id, manager_id=req.user_id, rep_id=rep_id, now=req.now)
        mine = one_on_ones.cadence_for_pair(session, team_id=req.team_id, manager_id=req.user_id, rep_id=rep_id)
    meets_at = one_on_ones.next_meeting(mine, req.now) if mine is not None and mine.active else None
    return ui.brief_message(brief, tz=mine.tz if mine is not None and meets_at else tz, meets_at=meets_at)


# -- talking points ---------------------------------------------------------------------------


def _caller_is_manager(deps: Deps, client: WebClient, req: Request) -> bool:
    with deps.sessions.begin() as session:
        if is_manager(session, team_id=req.team_id, user_id=req.user_id):
            return True
    return roles.is_admin(deps, client, team_id=req.team_id, user_id=req.user_id)


def topic(deps: Deps, client: WebClient, req: Request) -> Message:
    """``/coach topic @other text`` adds; ``/coach topic @other`` shows the agenda."""
    other_id, rest = _rep(deps, client, req, example=topics.TOPIC_EXAMPLE)
    text = coach_args.slack_unescape(rest)
    if not text.strip():
        return show_agenda(deps, client, req, other_id)
    return Message(text=add_topic(deps, client, req, other_id, text))


def add_topic(deps: Deps, client: WebClient, req: Request, other_id: str, text: str) -> str:
    """Add (command or form); the reply text. The pair is decided by the service."""
    manager = _caller_is_manager(deps, client, req)
    with deps.sessions.begin() as session:
        added = topics.add_topic(
            session,
            team_id=req.team_id,
            enterprise_id=req.enterprise_id,
            user_id=req.user_id,
            other_id=other_id,
            text=text,
            now=req.now,
            caller_is_manager=manager,
        )
    return ui.topic_added_text(added, user_id=req.user_id)


def show_agenda(deps: Deps, client: WebClient, req: Request, other_id: str) -> Message:
    manager = _caller_is_manager(deps, client, req)
    with deps.sessions.begin() as session:
        pair = topics.resolve_pair(
            session, team_id=req.team_id, user_id=req.user_id, other_id=other_id, caller_is_manager=manager
        )
        agenda = topics.build_agenda(
            session, team_id=req.team_id, manager_id=pair.manager_id, rep_id=pair.rep_id, now=req.now
        )
    return ui.agenda_message(agenda, viewer_id=req.user_id)


def check(deps: Deps, req: Request, value: str) -> Message:
    """A ✓: check the topic off and draw the message it sits on again (the agenda for either
    side, the brief for its manager), so the point disappears where it was pressed."""
    on, topic_id = ui.parse_check_value(value)
    with deps.sessions.begin() as session:
        done = topics.check_topic(session, team_id=req.team_id, topic_id=topic_id, user_id=req.user_id, now=req.now)
        t = done.topic
        cadence_view = one_on_ones.cadence_for_pair(
            session, team_id=req.team_id, manager_id=t.manager_id, rep_id=t.rep_id
        )
        tz = cadence_view.tz if cadence_view is not None else None
        # The 1:1 under way or the next one: what the brief or agenda was for.
        meets_at = (
            one_on_ones.next_meeting(cadence_view, req.now - one_on_ones.NUDGE_AFTER)
            if cadence_view is not None and cadence_view.active
            else None
        )
        if on == "brief" and req.user_id == t.manager_id:
            brief = prep_brief.build_brief(
                session, team_id=req.team_id, manager_id=t.manager_id, rep_id=t.rep_id, now=req.now
            )
            return ui.brief_message(brief, tz=tz, meets_at=meets_at)
        agenda = topics.build_agenda(
            session, team_id=req.team_id, manager_id=t.manager_id, rep_id=t.rep_id, now=req.now
        )
    return ui.agenda_message(agenda, viewer_id=req.user_id, tz=tz, meets_at=meets_at)
