"""Who a quote names: the step both quote flows share before anything is stored.

A quote whose author is a member, however written (a mention, ``@handle``, display or real
name, any case, look-alike letters or invisible characters), needs that member's consent,
and is refused outright if they opted out. Mentions are checked with users.info; names with
the member list from users.list (``UserDirectory.find_by_name``, cached ten minutes and
refreshed in the background). users.list is rate-limited and takes many pages in a big
workspace, so a request waits for a cold list at most 1.5 s; past that, the submission is
finished after the ack (``deps.defer``) and answered through the command's response_url (or,
from a form, by DM). Nothing is stored until the author has been checked.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.blocks.submissions import AUTHOR_BLOCK
from bot.deps import Deps
from bot.errors import UsageError
from bot.gateway.users import NAMES_WAIT
from bot.services.quote_input import UNKNOWN_AUTHOR
from bot.services.submissions import Limits
from bot.services.text import escape

NOT_CHECKED = (
    "I couldn't check whether “{author}” is a teammate (Slack didn't give me the member list), so the quote "
    "was not saved. Please try again in a minute."
)


class Unchecked:
    """The member list could not be had in time: the author's name is not checked yet."""


UNCHECKED = Unchecked()


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
            block_id=AUTHOR_BLOCK,
        )
    return found[0].id if found else None


def warm_names(deps: Deps, client: WebClient, team_id: str) -> None:
    """Start loading the member list (a form is about to be filled in) without waiting."""
    deps.users.find_by_name(client, team_id=team_id, name="-", wait=0)


def quotable(deps: Deps, client: WebClient, team_id: str, user_id: str | None) -> bool:
    """A member who can be asked for consent: known, active, not a bot."""
    if not user_id:
        return False
    user = deps.users.get(client, team_id=team_id, user_id=user_id)
    return user is not None and not user.deleted and not user.is_bot
