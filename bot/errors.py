"""Domain errors. Each carries a message for a person: what went wrong and a correct example.

Services and parsers raise these; one place (``bot.listeners.errors``) turns them into a
private Slack reply. Anything else is a bug and is reported to the user as such.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix. ``str(err)`` is the reply, already in Slack mrkdwn."""

    def __init__(self, message: str, *, block_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # For modals: the input block the message belongs to.
        self.block_id = block_id


class UsageError(UserError):
    """The command text could not be understood."""


class NotAllowed(UserError):
    """The user lacks the role for this action."""


class NotFound(UserError):
    """The thing named does not exist, or is not the user's to see."""


class StoreError(Exception):
    """A curated store file is invalid. Names the file and the entry."""
