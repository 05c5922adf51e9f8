"""All models, importable from one place. Alembic reads ``Base.metadata`` from here."""

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from .base import Base, UTCDateTime, utcnow
from .coaching import Manager, Note
from .delivery import Delivery, Rotation, RotationSeen, Schedule
from .quotes import Prompt, Quote, StoreState
from .submissions import MemberLock, OptOut, ProcessedEvent, Reaction, ReviewMessage, ReviewSummary, Submission

# slack-sdk's OAuth stores define their own tables; we register them on our metadata so
# Alembic migrations create them and `alembic check` keeps them in step.
INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"
SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS_TABLE)
SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, OAUTH_STATES_TABLE)

__all__ = [
    "BOTS_TABLE",
    "INSTALLATIONS_TABLE",
    "OAUTH_STATES_TABLE",
    "Base",
    "Delivery",
    "Manager",
    "MemberLock",
    "Note",
    "OptOut",
    "ProcessedEvent",
    "Prompt",
    "Quote",
    "Reaction",
    "ReviewMessage",
    "ReviewSummary",
    "Rotation",
    "RotationSeen",
    "Schedule",
    "StoreState",
    "Submission",
    "UTCDateTime",
    "utcnow",
]
