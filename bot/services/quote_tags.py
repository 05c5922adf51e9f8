"""A channel's next quote with one tag, without repeats: the tagged twin of the daily rotation.

The Workflow Builder step "Post a leadership quote" takes an optional tag. Without one it
advances the channel's own quote rotation (``rotation.next_quote``), the very one the daily
post uses, so the two never repeat each other. With a tag it advances a rotation of its own
for (channel, tag) over the tagged part of the same pool (team quotes first, then curated),
so asking for ``coaching`` quotes never starts the channel's main rotation over early.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random

from sqlalchemy import String, and_, bindparam, cast, func, true
from sqlalchemy.orm import Session

from bot.db.models import Quote
from bot.services import rotation
from bot.services.quote_input import QUOTE_TAGS

# Tags are stored as a JSON list of words from QUOTE_TAGS (letters and hyphens), so the list's
# text holds `"tag"` exactly when the quote has the tag, on SQLite and PostgreSQL alike.
_HAS_TAG = cast(Quote.tags, String).like(bindparam("pool_tag_pattern", type_=String))

TAGGED_POOL = rotation.PoolQuery(
    item_id=Quote.id,
    key=Quote.shuffle_key,
    walk=and_(Quote.team_id.is_(None), Quote.active == true(), _HAS_TAG),
    walk_index_prefix=(Quote.team_id, Quote.active),
    priority=and_(Quote.team_id == bindparam("pool_team_id", type_=String), Quote.active == true(), _HAS_TAG),
    priority_order=(func.coalesce(Quote.approved_at, Quote.created_at).asc(), Quote.id.asc()),
)


def known_tag(tag: str) -> bool:
    return tag in QUOTE_TAGS


def rotation_kind(tag: str) -> str:
    """The rotation's kind for one tag: ``quote#`` and a digest, to fit the 16-character column."""
    return "quote#" + hashlib.sha256(tag.encode("utf-8")).hexdigest()[:10]


def next_quote(
    session: Session, *, team_id: str, channel_id: str, tag: str | None, rng: random.Random | None = None
) -> int | None:
    """Pick and record the channel's next quote (with ``tag``, if given); None when none fits."""
    if not tag:
        return rotation.next_quote(session, team_id=team_id, channel_id=channel_id, rng=rng)
    pool = dataclasses.replace(TAGGED_POOL, params={"pool_team_id": team_id, "pool_tag_pattern": f'%"{tag}"%'})
    return rotation.advance(session, team_id=team_id, kind=rotation_kind(tag), target_id=channel_id, pool=pool, rng=rng)
