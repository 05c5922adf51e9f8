"""Who is an admin: COACHBOT_ADMINS plus the workspace's admins and owners (users.info)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.deps import Deps


def is_admin(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> bool:
    if user_id in deps.settings.admins_in(team_id):
        return True
    user = deps.users.get(client, team_id=team_id, user_id=user_id)
    return bool(user and (user.is_admin or user.is_owner) and not user.deleted)


def configured_admins(deps: Deps, *, team_id: str) -> list[str]:
    """The admins we can name and DM without listing the workspace: COACHBOT_ADMINS."""
    return sorted(deps.settings.admins_in(team_id))
