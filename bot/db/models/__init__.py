"""All models, importable from one place. Alembic reads ``Base.metadata`` from here."""

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from .assistant import AssistantQuestion
from .base import Base, UTCDateTime, utcnow
from .coaching import ActionItem, ItemDm, Leader, Manager, Note, RatingBlock, Skill
from .delivery import Delivery, Rotation, RotationSeen, Schedule
from .one_on_ones import Topic
from .quotes import Prompt, Quote, StoreState
from .submissions import MemberLock, OptOut, ProcessedEvent, Reaction, ReviewMessage, ReviewSummary, Submission
from .workflows import FunctionRun

# slack-sdk's OAuth stores define their own tables; we register them on our metadata so
# Alembic migrations create them and `alembic check` keeps them in step.
INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"
SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS_TABLE)
SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, OAUTH_STATES_TABLE)


def _ids_never_reused() -> None:
    """SQLite reuses the largest rowid after a delete unless the table is AUTOINCREMENT.

    Ids reach users (note #3, buttons that carry an id), so a reused id would let a stale
    "Undo" delete someone else's new note. Every table of ours with an integer ``id`` key is
    declared AUTOINCREMENT (a no-op on PostgreSQL, whose sequences never go back). New tables
    created by a migration need ``sqlite_autoincrement=True`` too; tests/test_ids.py checks.
    """
    for table in Base.metadata.tables.values():
        if table.name.startswith("slack_"):
            continue
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].name == "id":
            table.dialect_kwargs["sqlite_autoincrement"] = True


_ids_never_reused()

__all__ = [
    "BOTS_TABLE",
    "INSTALLATIONS_TABLE",
    "OAUTH_STATES_TABLE",
    "ActionItem",
    "AssistantQuestion",
    "Base",
    "Delivery",
    "FunctionRun",
    "ItemDm",
    "Leader",
    "Manager",
    "MemberLock",
    "Note",
    "OptOut",
    "ProcessedEvent",
    "Prompt",
    "Quote",
    "RatingBlock",
    "Reaction",
    "ReviewMessage",
    "ReviewSummary",
    "Rotation",
    "RotationSeen",
    "Schedule",
    "Skill",
    "StoreState",
    "Submission",
    "Topic",
    "UTCDateTime",
    "utcnow",
]
