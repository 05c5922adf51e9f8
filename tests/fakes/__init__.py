"""Test fakes for external services used by coachbot."""

from .slack_api import (
    DEFAULT_BOT_ID,
    DEFAULT_BOT_USER_ID,
    DEFAULT_TEAM_ID,
    DEFAULT_TEAM_NAME,
    DEFAULT_TOKEN,
    Call,
    Channel,
    FakeSlack,
    User,
    Workspace,
)

__all__ = [
    "DEFAULT_BOT_ID",
    "DEFAULT_BOT_USER_ID",
    "DEFAULT_TEAM_ID",
    "DEFAULT_TEAM_NAME",
    "DEFAULT_TOKEN",
    "Call",
    "Channel",
    "FakeSlack",
    "User",
    "Workspace",
]
