"""The four Workflow Builder steps: what each reads from its inputs, does, and outputs.

Each step is declared once in ``STEPS`` with the input and output names ``manifest.yml``
declares for its callback id (``tests/test_manifest_scopes.py`` checks the two agree). A step
does exactly what its command does, through the same code: a note logged by a workflow is a
note logged by ``/coach`` (manager check, privacy, limits), an action item is ``/coach todo``'s
(the rep's DM included), a quote comes from the channel's daily rotation. A step that cannot
be done raises a ``UserError`` saying what to fix, before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.blocks import workflows as ui
from bot.blocks.daily import quote_post_message
from bot.deps import Deps
from bot.errors import NotFound, UsageError
from bot.flows import action_items as action_item_flow
from bot.flows import notes as note_flow
from bot.flows.workflow_runs import StepRequest, StepWork
from bot.gateway import channel_posts, roles, users
from bot.services import notes, quote_tags, quotes, rep_summary, rubric
from bot.services.quote_input import QUOTE_TAGS

NOTE_EXAMPLE = "e.g. the skill `discovery` with the rating 3"


@dataclass(frozen=True)
class Step:
    callback_id: str
    title: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    work: StepWork


def _check_manager(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> None:
    with deps.sessions.begin() as session:
        roles.check_manager(deps, client, session, team_id=team_id, user_id=user_id)


def log_coaching_note(deps: Deps, client: WebClient, req: StepRequest) -> dict[str, Any]:
    manager, rep, text = req.user("manager"), req.user("rep"), req.text("text") or ""
    skill, rating = req.text("skill", required=False), req.integer("rating")
    skill_id = None
    if skill:
        _check_manager(deps, client, team_id=req.team_id, user_id=manager)  # before the rubric is named
        with deps.sessions.begin() as session:
            skill_id = rubric.resolve_skill(
                session, team_id=req.team_id, typed=skill.strip(), now=deps.clock(), example=NOTE_EXAMPLE
            ).id
    request = note_flow.NoteRequest(
        team_id=req.team_id,
        enterprise_id=req.enterprise_id,
        author_id=manager,
        rep_id=rep,
        text=text,
        skill_id=skill_id,
        rating=rating,
    )
    return {"note_id": note_flow.save(deps, client, request).note.id}


def assign_action_item(deps: Deps, client: WebClient, req: StepRequest) -> dict[str, Any]:
    request = action_item_flow.ActionItemRequest(
        team_id=req.team_id,
        enterprise_id=req.enterprise_id,
        assigner_id=req.user("manager"),
        rep_id=req.user("rep"),
        text=req.text("text") or "",
        due_on=req.day("due_date"),
    )
    _check_manager(deps, client, team_id=req.team_id, user_id=request.assigner_id)
    # The note form's checks (text, not oneself, a due date not past in the manager's
    # calendar, the rep's DM budget), then /coach todo's assignment with the rep's DM.
    action_item_flow.check(deps, client, request)
    return {"action_item_id": action_item_flow.assign(deps, client, request).id}


def post_leadership_quote(deps: Deps, client: WebClient, req: StepRequest) -> dict[str, Any]:
    channel = req.user("channel")
    tag = (req.text("tag", required=False) or "").strip().lower().lstrip("#") or None
    if tag is not None and not quote_tags.known_tag(tag):
        raise UsageError(ui.unknown_tag_text(tag, QUOTE_TAGS))
    # One unit of work around the pick and the post: a refused post rolls the pick back, so
    # the channel's rotation moves only for a quote that was posted.
    with deps.sessions.begin() as session:
        quote_id = quote_tags.next_quote(session, team_id=req.team_id, channel_id=channel, tag=tag)
        if quote_id is None:
            raise NotFound(ui.no_quotes_text(tag))
        quote = quotes.get_quote(session, team_id=req.team_id, quote_id=quote_id)
        ts = channel_posts.post_to_channel(client, channel_id=channel, message=quote_post_message(quote))
    return {"message_ts": ts}


def get_rep_coaching_summary(deps: Deps, client: WebClient, req: StepRequest) -> dict[str, Any]:
    manager, rep = req.user("manager"), req.user("rep")
    _check_manager(deps, client, team_id=req.team_id, user_id=manager)
    users.resolve_person(deps.users, client, team_id=req.team_id, user_id=rep, example=notes.NOTE_EXAMPLE)
    with deps.sessions.begin() as session:
        summary = rep_summary.rep_summary(session, team_id=req.team_id, author_id=manager, rep_id=rep, now=deps.clock())
    outputs: dict[str, Any] = {
        "notes_30d": summary.notes_30d,
        "open_action_items": summary.open_items,
        "overdue_action_items": summary.overdue_items,
    }
    # Optional outputs are left out when there is nothing to say, rather than sent as 0 or "".
    if summary.days_since_last_note is not None:
        outputs["days_since_last_note"] = summary.days_since_last_note
    if summary.weakest_skill is not None:
        outputs["weakest_skill"] = summary.weakest_skill
    return outputs


STEPS: tuple[Step, ...] = (
    Step(
        "log_coaching_note",
        "Log coaching note",
        ("manager", "rep", "text", "skill", "rating"),
        ("note_id",),
        log_coaching_note,
    ),
    Step(
        "assign_action_item",
        "Assign action item",
        ("manager", "rep", "text", "due_date"),
        ("action_item_id",),
        assign_action_item,
    ),
    Step(
        "post_leadership_quote", "Post a leadership quote", ("channel", "tag"), ("message_ts",), post_leadership_quote
    ),
    Step(
        "get_rep_coaching_summary",
        "Get rep coaching summary",
        ("manager", "rep"),
        ("notes_30d", "days_since_last_note", "open_action_items", "overdue_action_items", "weakest_skill"),
        get_rep_coaching_summary,
    ),
)
