"""What the submission flows share: a button press as plain values, the members a quote may
name (consent), the per-member limits, and form errors under the right field.

Naming a member. A quote whose author is a member, however written (a mention, ``@handle``,
display or real name, any case, look-alike letters or invisible characters), needs that
member's consent, and is refused outright if they opted out. Mentions are checked with
users.info; names with the member list from users.list (``UserDirectory.find_by_name``,
cached ten minutes and refreshed in the background). users.list is rate-limited and takes
many pages in a big workspace, so a request waits for a cold list at most 1.5 s; past that,
the submission is finished after the ack (``deps.defer``) and answered through the command's
response_url (or, from a form, by DM). Nothing is stored until the author has been checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.blocks import submissions as ui
from bot.deps import Deps
from bot.errors import NotFound, UsageError, UserError
from bot.gateway.users import NAMES_WAIT
from bot.listeners import payload
from bot.services.quote_input import QUOTE_TAGS, UNKNOWN_AUTHOR
from bot.services.submissions import Limits
from bot.services.text import escape

_FORM_BLOCKS = {ui.TEXT_BLOCK, ui.AUTHOR_BLOCK, ui.SOURCE_BLOCK, ui.TAGS_BLOCK, ui.REASON_BLOCK}
NO_SUCH = "That button refers to no quote I know: no such submission. Run `/quote review` for the current list."


@dataclass(frozen=True)
class Press:
    """A button press (or a review form standing in for one), as plain values."""

    team_id: str
    enterprise_id: str | None
    user_id: str
    submission_id: int
    trigger_id: str
    response_url: str | None
    channel_id: str | None
    message_ts: str | None

    @property
    def card(self) -> tuple[str | None, str | None]:
        return self.channel_id, self.message_ts

    def confirm(self) -> Callable[[str], None] | None:
        """A private line back to the presser, when Slack gave a response_url."""
        if not self.response_url:
            return None
        respond = Respond(response_url=self.response_url)

        def say(text: str) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        return say


def submission_id(raw: Any) -> int:
    # Ids are 32-bit in the database: a larger one would be a database error, not "no such".
    parsed = payload.parse_id(str(raw or ""))
    if parsed is None:
        raise NotFound(NO_SUCH)
    return parsed


def press_of(body: dict[str, Any]) -> Press:
    who = payload.actor(body)
    return Press(
        team_id=who.team_id,
        enterprise_id=who.enterprise_id,
        user_id=who.user_id,
        submission_id=submission_id(payload.action_value(body)),
        trigger_id=payload.trigger_id(body),
        response_url=payload.response_url(body),
        channel_id=payload.channel_id(body),
        message_ts=payload.message_ts(body),
    )


def form_press(body: dict[str, Any], view: dict[str, Any]) -> tuple[Press, dict[str, Any]]:
    """A review form: the press that opened it travels in its private_metadata."""
    who = payload.actor(body)
    meta = payload.metadata_json(view)
    press = Press(
        team_id=who.team_id,
        enterprise_id=who.enterprise_id,
        user_id=who.user_id,
        submission_id=submission_id(meta.get("id")),
        trigger_id=payload.trigger_id(body),
        response_url=meta.get("response_url") if isinstance(meta.get("response_url"), str) else None,
        channel_id=meta.get("channel") if isinstance(meta.get("channel"), str) else None,
        message_ts=meta.get("ts") if isinstance(meta.get("ts"), str) else None,
    )
    return press, payload.view_values(view)


def tags(values: dict[str, Any]) -> list[str]:
    return [v for v in payload.selected_values(values, ui.TAGS_BLOCK) if v in QUOTE_TAGS]


def form_error(ack: Ack, err: UserError) -> None:
    """A problem with one field goes under that field; anything else is raised to the
    one error handler, which shows it in a pushed "Not saved" view."""
    if err.block_id in _FORM_BLOCKS:
        ack(response_action="errors", errors={err.block_id: err.message.replace("`", "")})
        return
    raise err


def limits(deps: Deps) -> Limits:
    return Limits(max_pending=deps.settings.max_pending_submissions, per_day=deps.settings.max_submissions_per_day)


def names_of(deps: Deps, client: WebClient, team_id: str, user_ids: list[str]) -> dict[str, str]:
    """Display names of members (users.info, cached); unknown ids are left out."""
    names: dict[str, str] = {}
    for uid in user_ids:
        user = deps.users.get(client, team_id=team_id, user_id=uid)
        if user is not None and not user.deleted:
            names[uid] = user.display
    return names


class Unchecked:
    """The member list could not be had in time: the author's name is not checked yet."""


UNCHECKED = Unchecked()


def member_named(
    deps: Deps, client: WebClient, team_id: str, author: str, *, wait: float | None = NAMES_WAIT, form: bool = False
) -> str | Unchecked | None:
    """The id of the member ``author`` names (handle, display or real name, or id, after
    normalization), None if it names nobody, ``UNCHECKED`` if the list wasn't there in time."""
    if author == UNKNOWN_AUTHOR:
        return None
    found = deps.users.find_by_name(client, team_id=team_id, name=author, wait=wait)
    if found is None:
        return UNCHECKED
    if len(found) > 1:
        who = ", ".join(f"<@{m.id}>" for m in found[:5])
        how = (
            f"Write the one you mean by their handle in “Who said it”, for example @{found[0].name}."
            if form
            else 'Mention the one you mean, for example: `/quote add "Praise in public, coach in private." — @jordan`'
        )
        raise UsageError(
            f"“{escape(author)}” is the name of more than one member ({who}), and a quote naming a teammate "
            f"needs their OK. {how}",
            block_id=ui.AUTHOR_BLOCK,
        )
    return found[0].id if found else None


def warm_names(deps: Deps, client: WebClient, team_id: str) -> None:
    """Start loading the member list (a form is about to be filled in) without waiting."""
    deps.users.find_by_name(client, team_id=team_id, name="-", wait=0)


NOT_CHECKED = (
    "I couldn't check whether “{author}” is a teammate (Slack didn't give me the member list), so the quote "
    "was not saved. Please try again in a minute."
)


def quotable(deps: Deps, client: WebClient, team_id: str, user_id: str | None) -> bool:
    """A member who can be asked for consent: known, active, not a bot."""
    if not user_id:
        return False
    user = deps.users.get(client, team_id=team_id, user_id=user_id)
    return user is not None and not user.deleted and not user.is_bot
