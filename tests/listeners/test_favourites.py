"""Team favourites over signed HTTP: reactions on daily posts (retries counted once),
`/quote top` and `/quote search`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db.engine import Sessions
from bot.db.models import Delivery, Quote, Reaction
from bot.errors import UsageError
from bot.services import favourites
from bot.services.text import escape, norm_key
from tests.harness import SlackSender, TestClock, ephemeral_text

POST_TS = "1767225600.000100"


def curated_ids(sessions: Sessions, n: int) -> list[int]:
    with sessions() as s:
        return list(s.scalars(select(Quote.id).where(Quote.team_id.is_(None)).order_by(Quote.id).limit(n)))


def post(
    sessions: Sessions, quote_id: int, ts: str, *, channel: str = "C1", team: str = "T1", status: str = "sent"
) -> None:
    """A daily post as the delivery engine records it."""
    at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    with sessions.begin() as s:
        s.add(
            Delivery(
                key=f"test:{team}:{channel}:{ts}",
                team_id=team,
                kind="quote",
                target_id=channel,
                channel_id=channel,
                local_date=date(2026, 11, 30),
                due_at=at,
                status=status,
                item_id=quote_id,
                message_ts=ts,
                sent_at=at if status == "sent" else None,
            )
        )


def reaction(
    kind: str, user: str = "U1", emoji: str = "fire", ts: str = POST_TS, channel: str = "C1"
) -> dict[str, Any]:
    return {
        "type": kind,
        "user": user,
        "reaction": emoji,
        "item_user": "UBOT",
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": "1767225700.000200",
    }


def count(sessions: Sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Reaction)) or 0


# -- counting reactions --------------------------------------------------------------------------------


def test_reaction_on_a_daily_post_is_counted_once_despite_a_retry(slack: SlackSender, sessions: Sessions) -> None:
    post(sessions, curated_ids(sessions, 1)[0], POST_TS)
    assert slack.event(reaction("reaction_added"), event_id="EvA1").status_code == 200
    assert slack.event(reaction("reaction_added"), event_id="EvA1", retry_num=1).status_code == 200
    assert slack.event(reaction("reaction_added"), event_id="EvA1", retry_num=2).status_code == 200
    assert count(sessions) == 1


def test_a_retried_add_after_the_remove_does_not_bring_it_back(slack: SlackSender, sessions: Sessions) -> None:
    post(sessions, curated_ids(sessions, 1)[0], POST_TS)
    slack.event(reaction("reaction_added"), event_id="EvB1")
    slack.event(reaction("reaction_removed"), event_id="EvB2")
    assert count(sessions) == 0
    slack.event(reaction("reaction_added"), event_id="EvB1", retry_num=1)
    slack.event(reaction("reaction_removed"), event_id="EvB2", retry_num=1)
    assert count(sessions) == 0


def test_distinct_members_and_emoji_each_count(slack: SlackSender, sessions: Sessions) -> None:
    post(sessions, curated_ids(sessions, 1)[0], POST_TS)
    slack.event(reaction("reaction_added", user="U1", emoji="fire"))
    slack.event(reaction("reaction_added", user="U1", emoji="heart"))
    slack.event(reaction("reaction_added", user="U2", emoji="fire"))
    slack.event(reaction("reaction_removed", user="U1", emoji="heart"))
    assert count(sessions) == 2


def test_reactions_on_other_messages_are_ignored(slack: SlackSender, sessions: Sessions) -> None:
    post(sessions, curated_ids(sessions, 1)[0], POST_TS)
    post(sessions, curated_ids(sessions, 2)[1], "1767225600.000900", status="pending")
    slack.event(reaction("reaction_added", ts="1767225600.000555"))
    slack.event(reaction("reaction_added", ts="1767225600.000900"))  # claimed but never confirmed sent
    slack.event(reaction("reaction_added", channel="C2"))
    assert count(sessions) == 0


def test_another_workspaces_post_with_the_same_ts_does_not_count(slack: SlackSender, sessions: Sessions) -> None:
    post(sessions, curated_ids(sessions, 1)[0], POST_TS, team="T2")
    slack.event(reaction("reaction_added"))
    assert count(sessions) == 0


# -- /quote top ---------------------------------------------------------------------------------------------


def react(sessions: Sessions, ts: str, n: int, at: datetime, *, team: str = "T1") -> None:
    with sessions.begin() as s:
        for i in range(n):
            s.add(
                Reaction(team_id=team, channel_id="C1", message_ts=ts, user_id=f"U{i}", reaction="fire", created_at=at)
            )


def test_top_orders_by_reactions_then_who_got_there_first(
    slack: SlackSender, sessions: Sessions, clock: TestClock
) -> None:
    a, b, c, d = curated_ids(sessions, 4)
    now = clock.now
    for qid, ts in ((a, "1.1"), (b, "1.2"), (c, "1.3"), (d, "1.4")):
        post(sessions, qid, ts)
    react(sessions, "1.1", 1, now - timedelta(days=1))
    react(sessions, "1.2", 3, now - timedelta(days=2))
    react(sessions, "1.3", 2, now - timedelta(hours=1))  # ties with d, but reached 2 later
    react(sessions, "1.4", 2, now - timedelta(hours=5))
    with sessions() as s:
        top = favourites.top_quotes(s, team_id="T1", window="30d", now=now)
    assert [(f.quote.id, f.reactions) for f in top] == [(b, 3), (d, 2), (c, 2), (a, 1)]
    resp = slack.command("/quote", "top")
    blocks = resp.json()["blocks"][1:]
    ranks = [b["text"]["text"] for b in blocks if b["text"]["type"] == "mrkdwn"]
    quotes = [b["text"]["text"] for b in blocks if b["text"]["type"] == "plain_text"]
    with sessions() as s:
        expected = [escape(s.get(Quote, i).text) for i in (b, d, c, a)]  # type: ignore[union-attr]
    assert [t in sec for t, sec in zip(expected, quotes, strict=True)] == [True] * 4
    assert ranks == ["*1.* 3 votes", "*2.* 2 votes", "*3.* 2 votes", "*4.* 1 vote"]


def test_one_member_counts_once_per_post_however_many_emoji(
    slack: SlackSender, sessions: Sessions, clock: TestClock
) -> None:
    a, b = curated_ids(sessions, 2)
    post(sessions, a, "5.1")
    post(sessions, b, "5.2")
    # Today one member adding 50 different emoji counted as 51 votes.
    for i in range(50):
        slack.event(reaction("reaction_added", user="U1", emoji=f"emoji-{i}", ts="5.1"))
    for user in ("U1", "U2"):
        slack.event(reaction("reaction_added", user=user, emoji="fire", ts="5.2"))
    with sessions() as s:
        top = favourites.top_quotes(s, team_id="T1", window="all", now=clock.now)
    assert [(f.quote.id, f.reactions) for f in top] == [(b, 2), (a, 1)]
    text = ephemeral_text(slack.command("/quote", "top"))
    assert "*1.* 2 votes" in text and "*2.* 1 vote" in text and "51" not in text


def test_top_window_counts_only_recent_reactions(slack: SlackSender, sessions: Sessions, clock: TestClock) -> None:
    a, b = curated_ids(sessions, 2)
    post(sessions, a, "2.1")
    post(sessions, b, "2.2")
    react(sessions, "2.1", 5, clock.now - timedelta(days=60))
    react(sessions, "2.2", 1, clock.now - timedelta(days=3))
    with sessions() as s:
        assert [f.quote.id for f in favourites.top_quotes(s, team_id="T1", window="30d", now=clock.now)] == [b]
        assert [f.quote.id for f in favourites.top_quotes(s, team_id="T1", window="90d", now=clock.now)] == [a, b]
        assert [f.quote.id for f in favourites.top_quotes(s, team_id="T1", window="all", now=clock.now)] == [a, b]
    assert "last 90 days" in ephemeral_text(slack.command("/quote", "top 90d"))


def test_top_sums_one_quote_across_channels_and_ignores_other_workspaces(sessions: Sessions, clock: TestClock) -> None:
    a, b = curated_ids(sessions, 2)
    post(sessions, a, "3.1")
    with sessions.begin() as s:
        s.add(
            Delivery(
                key="test:T1:C9:3.9",
                team_id="T1",
                kind="quote",
                target_id="C9",
                channel_id="C9",
                local_date=date(2026, 11, 30),
                due_at=clock.now,
                status="sent",
                item_id=a,
                message_ts="3.9",
            )
        )
        s.add(
            Reaction(team_id="T1", channel_id="C9", message_ts="3.9", user_id="U1", reaction="+1", created_at=clock.now)
        )
    post(sessions, b, "3.2")
    react(sessions, "3.1", 2, clock.now)
    post(sessions, b, "3.5", team="T2")
    react(sessions, "3.5", 9, clock.now, team="T2")
    with sessions() as s:
        top = favourites.top_quotes(s, team_id="T1", window="all", now=clock.now)
    assert [(f.quote.id, f.reactions) for f in top] == [(a, 3)]


def test_top_with_nothing_yet_says_how_to_vote(slack: SlackSender) -> None:
    everything = ephemeral_text(slack.command("/quote", "top all"))
    assert "React to a daily post" in everything
    # Already all of time: suggesting `/quote top all` would send them in a circle.
    assert "/quote top all" not in everything
    assert "/quote top all" in ephemeral_text(slack.command("/quote", "top"))


def test_top_with_an_unknown_period_shows_the_choices(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/quote", "top <!here>"))
    assert "`30d`, `90d` or `all`" in text and "&lt;!here&gt;" in text and "/quote top 90d" in text


# -- /quote search ---------------------------------------------------------------------------------------------


def test_search_matches_text_and_author_in_any_case(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/quote", "search DRUCKER customer"))
    assert "to create a customer" in text and "Peter Drucker" in text
    assert "1 quote matches" in text or "quotes match" in text


def test_search_sees_curated_and_own_team_quotes_only(slack: SlackSender, sessions: Sessions) -> None:
    with sessions.begin() as s:
        for team, text in (("T1", "Zebras coach zebras in our own team."), ("T2", "Zebras coach zebras elsewhere.")):
            s.add(
                Quote(
                    team_id=team,
                    text=text,
                    author="Ann",
                    tags=[],
                    submitted_by="U1",
                    norm_key=norm_key(text),
                    shuffle_key=1,
                )
            )
    text = ephemeral_text(slack.command("/quote", "search zebras"))
    assert "our own team" in text and "elsewhere" not in text
    assert "Submitted by <@U1>" in text


def test_search_caps_results_and_gives_the_count(sessions: Sessions) -> None:
    with sessions() as s:
        result = favourites.search_quotes(s, team_id="T1", query="the")
    assert len(result.quotes) == favourites.SEARCH_LIMIT and result.total > favourites.SEARCH_LIMIT


def test_search_treats_like_wildcards_literally(sessions: Sessions) -> None:
    with sessions() as s:
        assert favourites.search_quotes(s, team_id="T1", query="a%z").total == 0
        assert favourites.search_quotes(s, team_id="T1", query="a_d").total == 0
        assert favourites.search_quotes(s, team_id="T1", query="customer").total > 0


def test_applying_the_same_reaction_twice_changes_nothing(sessions: Sessions, clock: TestClock) -> None:
    post(sessions, curated_ids(sessions, 1)[0], POST_TS)
    outcomes = []
    for added in (True, True, False, False):
        with sessions.begin() as s:
            outcomes.append(
                favourites.record_reaction(
                    s,
                    team_id="T1",
                    channel_id="C1",
                    message_ts=POST_TS,
                    user_id="U1",
                    reaction="fire",
                    added=added,
                    now=clock.now,
                )
            )
    o = favourites.ReactionOutcome
    assert outcomes == [o.ADDED, o.UNCHANGED, o.REMOVED, o.UNCHANGED]
    assert count(sessions) == 0


def test_search_with_no_words_explains(slack: SlackSender) -> None:
    assert "/quote search drucker" in ephemeral_text(slack.command("/quote", "search"))
    with pytest.raises(UsageError):
        favourites.search_words("“ ” !!")


def test_search_with_no_match_echoes_the_words_escaped(slack: SlackSender) -> None:
    # Slack sends a typed "<" as "&lt;".
    text = ephemeral_text(slack.command("/quote", "search xyzzy a&lt;b"))
    assert "No quotes match your search" in text and "a<b" not in text
    assert '{"emoji": true, "text": "xyzzy a&lt;b", "type": "plain_text"}' in text
