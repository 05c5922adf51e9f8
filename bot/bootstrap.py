"""Wiring shared by `serve`, `run-due` and the tests: settings -> engine -> deps -> app."""

from __future__ import annotations

import logging
from importlib.resources.abc import Traversable
from pathlib import Path

from sqlalchemy import Engine

from bot.config import Settings
from bot.db import migrate
from bot.db.engine import make_engine, make_sessions
from bot.deps import Deps
from bot.gateway.clients import ClientFactory, installation_store
from bot.services import store

log = logging.getLogger(__name__)


def build_deps(settings: Settings, engine: Engine | None = None) -> Deps:
    engine = engine or make_engine(settings.database_url, pool_size=max(10, settings.fanout_workers))
    store = installation_store(settings, engine) if settings.oauth_enabled else None
    return Deps(
        settings=settings,
        engine=engine,
        sessions=make_sessions(engine),
        clients=ClientFactory(settings, store),
    )


def store_root(settings: Settings, path: Path | None = None) -> Path | Traversable:
    chosen = path or settings.quotes_path
    return chosen if chosen is not None else store.default_store()


def prepare_database(deps: Deps, *, load_store: bool = True) -> store.LoadReport | None:
    """Migrate, then load the curated store if its files changed since the last load."""
    root = store_root(deps.settings)
    with migrate.startup_lock(deps.engine):
        migrate.upgrade(deps.engine)
        if not load_store:
            return None
        digest = store.store_digest(root)
        with deps.sessions.begin() as session:
            if store.loaded_digest(session) == digest:
                return None
            report = store.load_store(session, root)
    for error in report.errors:
        log.error("curated store: %s", error)
    log.info("curated store loaded: %d added, %d updated, %d retired", report.added, report.updated, report.retired)
    return report
