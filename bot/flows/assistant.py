"""The assistant in Slack's AI pane: a thread starts, a question comes in, an answer goes out.

``start_thread``: the suggested prompts for the member's role and a greeting. ``ask``: the
status ("is looking through your notes…"), then

1. the question is read (``assistant_intents``); empty or oversized ones are refused before
   anything is looked up or recorded;
2. the member's limit per minute is checked and the question recorded, without its text;
3. a suggested question is answered from the data (``services.assistant``, the same builders
   as the prep brief, ``/coach overview`` and ``/coach todos``). Free text goes to the
   language model when one is configured, grounded only on the asker's own data
   (``services.assistant_context``), and is streamed into the thread. If the model fails or
   times out, the data answer is given instead, saying so plainly;
4. the thread gets a title, and the answer a thumbs up/down (``record_feedback``).

Runs after the ack (``deps.defer``): a model may take seconds and Slack wants its ack in 3.
Nothing here logs a question, an answer or a note; a model failure is logged by its kind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import Message
from bot.blocks import assistant as ui
from bot.deps import Deps
from bot.errors import UserError
from bot.gateway import assistant as pane
from bot.gateway import roles, users
from bot.llm import LanguageModel, ModelUnavailable
from bot.services import assistant
from bot.services.assistant import DataAnswer, Role
from bot.services.assistant_context import grounding
from bot.services.assistant_intents import Intent, Question, read_question
from bot.services.text import escape

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Thread:
    """One assistant thread: a DM with the bot (``channel_id``) and the thread's root ts."""

    team_id: str
    enterprise_id: str | None
    user_id: str
    channel_id: str
    thread_ts: str


@dataclass(frozen=True)
class Asked:
    """What ``ask`` did: ``refused`` (bad input or too fast), ``data``, ``model`` or ``fallback``."""

    outcome: str
    question_id: int | None = None


def role_of(deps: Deps, client: WebClient, thread: Thread) -> Role:
    """Managers and admins (who may keep notes) get the manager's questions; everyone else
    (reps, leaders) the member's."""
    manager = roles.is_manager(deps, client, team_id=thread.team_id, user_id=thread.user_id)
    return Role.MANAGER if manager else Role.MEMBER


def start_thread(deps: Deps, client: WebClient, thread: Thread) -> None:
    role = role_of(deps, client, thread)
    where = {"channel_id": thread.channel_id, "thread_ts": thread.thread_ts}
    pane.set_prompts(client, **where, prompts=assistant.prompts_for(role), title="Try one of these:")
    pane.reply(client, **where, message=ui.error_message(ui.GREETING[role]))


def ask(deps: Deps, client: WebClient, thread: Thread, text: str) -> Asked:
    where = {"channel_id": thread.channel_id, "thread_ts": thread.thread_ts}
    pane.set_status(client, **where, status=ui.STATUS)
    try:
        question = read_question(text)
    except UserError as exc:
        pane.reply(client, **where, message=ui.error_message(exc.message))
        return Asked("refused")
    role = role_of(deps, client, thread)
    now = deps.clock()
    try:
        with deps.sessions.begin() as session:
            question_id = assistant.admit(
                session,
                team_id=thread.team_id,
                user_id=thread.user_id,
                intent=question.intent,
                now=now,
                per_minute=deps.settings.assistant_per_minute,
            )
    except UserError as exc:
        pane.reply(client, **where, message=ui.error_message(exc.message))
        return Asked("refused")
    model = deps.language_model() if question.intent is Intent.FREE_TEXT else None
    try:
        outcome = (
            _from_model(deps, client, thread, question, role, model, question_id)
            if model is not None
            else _from_data(deps, client, thread, question, role, question_id)
        )
    except UserError as exc:
        pane.reply(client, **where, message=ui.error_message(exc.message))
        outcome = "refused"
    with deps.sessions.begin() as session:
        assistant.record_answer(session, question_id=question_id, answered_by=outcome)
    pane.set_title(client, **where, title=ui.TITLES[question.intent])
    return Asked(outcome, question_id)


def _tz(deps: Deps, client: WebClient, thread: Thread) -> str | None:
    try:
        return users.user_zone(deps.users, client, team_id=thread.team_id, user_id=thread.user_id)
    except SlackApiError:
        return None  # dates then show in UTC; the answer matters more than its zone


def _data_answer(deps: Deps, thread: Thread, question: Question, role: Role) -> DataAnswer:
    with deps.sessions.begin() as session:
        return assistant.answer(
            session,
            team_id=thread.team_id,
            enterprise_id=thread.enterprise_id,
            user_id=thread.user_id,
            role=role,
            question=question,
            now=deps.clock(),
        )


def _from_data(deps: Deps, client: WebClient, thread: Thread, question: Question, role: Role, question_id: int) -> str:
    found = _data_answer(deps, thread, question, role)
    message = ui.answer_message(found, tz=_tz(deps, client, thread), user_id=thread.user_id)
    pane.reply(
        client,
        channel_id=thread.channel_id,
        thread_ts=thread.thread_ts,
        message=ui.with_feedback(message, question_id),
    )
    return "data"


def _fallback(deps: Deps, client: WebClient, thread: Thread, role: Role, question_id: int, *, lead: str) -> str:
    """What the data says when the model can't: a manager's open promises, a member's plate."""
    with deps.sessions.begin() as session:
        found: DataAnswer = (
            assistant.promises(
                session, team_id=thread.team_id, manager_id=thread.user_id, rep_id=None, now=deps.clock()
            )
            if role is Role.MANAGER
            else assistant.plate(session, team_id=thread.team_id, user_id=thread.user_id, now=deps.clock())
        )
    data = ui.answer_message(found, tz=_tz(deps, client, thread), user_id=thread.user_id)
    message = Message(text=f"{lead} {data.text}", blocks=[*ui.error_message(lead).blocks, *data.blocks])
    pane.reply(
        client,
        channel_id=thread.channel_id,
        thread_ts=thread.thread_ts,
        message=ui.with_feedback(message, question_id),
    )
    return "fallback"


def _from_model(
    deps: Deps,
    client: WebClient,
    thread: Thread,
    question: Question,
    role: Role,
    model: LanguageModel,
    question_id: int,
) -> str:
    with deps.sessions.begin() as session:
        ground = grounding(session, team_id=thread.team_id, user_id=thread.user_id, role=role, now=deps.clock())
    pieces = model.stream(ground.messages(question.text))
    try:
        first = next(pieces, "")
    except ModelUnavailable as exc:
        log.warning("assistant model failed (%s); answered from the data", exc.reason)
        return _fallback(deps, client, thread, role, question_id, lead=ui.FALLBACK)
    if not first.strip():
        log.warning("assistant model gave an empty answer; answered from the data")
        return _fallback(deps, client, thread, role, question_id, lead=ui.FALLBACK)
    stream = pane.Stream(
        client, channel_id=thread.channel_id, thread_ts=thread.thread_ts, team_id=thread.team_id, user_id=thread.user_id
    )
    # Model text is shown as typed, but never as a mention or link: it may quote note text.
    stream.append(escape(first))
    try:
        for piece in pieces:
            stream.append(escape(piece))
    except ModelUnavailable as exc:
        log.warning("assistant model broke off (%s); the data answer follows", exc.reason)
        stream.stop(markdown="…", blocks=[ui.feedback_block(question_id)])
        return _fallback(deps, client, thread, role, question_id, lead=ui.BROKE_OFF)
    stream.stop(blocks=[ui.model_footer(model.model), ui.feedback_block(question_id)])
    return "model"
