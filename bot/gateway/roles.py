"""Who may do what: admins (COACHBOT_ADMINS plus the workspace's admins and owners, from
users.info) and managers (named by an admin; admins count as managers)."""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.services import managers


def is_admin(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> bool:
    if user_id in deps.settings.admins_in(team_id):
        return True
    user = deps.users.get(client, team_id=team_id, user_id=user_id)
    return bool(user and (user.is_admin or user.is_owner) and not user.deleted)


def configured_admins(deps: Deps, *, team_id: str) -> list[str]:
    """The admins we can name and DM without listing the workspace: COACHBOT_ADMINS."""
    return sorted(deps.settings.admins_in(team_id))


def check_manager(deps: Deps, client: WebClient, session: Session, *, team_id: str, user_id: str) -> None:
    """Managers and admins may keep notes; anyone else gets ``NotAManager`` saying whom to ask.

    Runs inside the caller's unit of work: the check and what it guards share a transaction."""
    if managers.is_manager(session, team_id=team_id, user_id=user_id):
        return
    if is_admin(deps, client, team_id=team_id, user_id=user_id):
        return
    raise managers.NotAManager(managers.not_a_manager_message(configured_admins(deps, team_id=team_id), user_id))


def is_manager(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> bool:
    """For reads that only choose what to show (App Home, help): its own short transaction."""
    with deps.sessions.begin() as session:
        if managers.is_manager(session, team_id=team_id, user_id=user_id):
            return True
    return is_admin(deps, client, team_id=team_id, user_id=user_id)
