"""What a message to the assistant asks: one of the suggested questions, or free text.

The suggested prompts (``MANAGER_PROMPTS``, ``MEMBER_PROMPTS``) are what Slack's AI pane shows
when a thread starts; clicking one sends its ``message`` as if typed. People also type them in
their own words, so matching is by key phrase on the normalized text (``text.normalize``: case,
punctuation, fullwidth and look-alike letters folded), not by exact string. Mentions are read
from the raw text, where Slack writes them as ``<@U123>`` (a typed "@bob" stays text).

Anything else is free text: the language model answers it when one is configured; otherwise
the reply lists what can be asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import UsageError
from bot.services.text import normalize

# Longer than anyone types to a chat pane; past it nothing is looked up or sent to a model.
MAX_QUESTION = 2000
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


class Intent(StrEnum):
    PREP = "prep"
    PROMISES = "promises"
    STALE = "stale"
    WEAKEST = "weakest"
    PLATE = "plate"
    ADD_TOPIC = "add_topic"
    HELP = "help"
    FREE_TEXT = "free_text"


@dataclass(frozen=True)
class Prompt:
    """One suggested prompt: what the pane shows (``title``) and what clicking it sends."""

    title: str
    message: str


MANAGER_PROMPTS = (
    Prompt("Prep my 1:1 with…", "Prep my 1:1 with…"),
    Prompt("What did I promise…?", "What did I promise…?"),
    Prompt("Who haven't I coached lately?", "Who haven't I coached lately?"),
    Prompt("Which reps are weakest at…?", "Which reps are weakest at…?"),
)
MEMBER_PROMPTS = (
    Prompt("What's on my plate?", "What's on my plate?"),
    Prompt("Add a topic for my 1:1", "Add a topic for my 1:1 with…"),
)

# Key phrases, compared after ``normalize`` on both sides (which also folds look-alike letters,
# so "m" and "rn" compare equal: the phrases must go through it too). A phrase starting with
# "^" must open the message. The first intent with a matching phrase wins.
_PHRASES: tuple[tuple[Intent, tuple[str, ...]], ...] = (
    (Intent.ADD_TOPIC, ("^add a topic", "^add topic", "^add a talking point", "^new topic", "^topic")),
    (Intent.PREP, ("^prep", "^prepare", "prep my", "prep me", "brief me", "my brief")),
    (
        Intent.PROMISES,
        ("promise", "promised", "promises", "did i say", "did i commit", "did i assign", "follow ups", "follow up"),
    ),
    (Intent.STALE, ("haven't i coached", "have i not coached", "not coached", "coached lately", "who needs coaching")),
    (Intent.WEAKEST, ("weakest", "weak at", "struggling", "struggle")),
    (Intent.PLATE, ("on my plate", "my action items", "my action item", "my todos", "what do i need to do")),
    (Intent.HELP, ("^help", "^what can you do", "^what can i ask")),
)


def _matches(key: str, phrase: str) -> bool:
    padded = f" {key} "
    if phrase.startswith("^"):
        return padded.startswith(f" {normalize(phrase[1:])} ")
    return f" {normalize(phrase)} " in padded


# What follows the key phrase of a question that names something ("weakest at discovery").
_AFTER = {
    Intent.PREP: re.compile(r"\b(with|for)\b\s*(.*)$"),
    Intent.WEAKEST: re.compile(r"\b(at|in|on)\b\s*(.*)$"),
    Intent.ADD_TOPIC: re.compile(r"(.*)"),
    Intent.PROMISES: re.compile(r"\b(to)\b\s*(.*)$"),
}
_ELLIPSIS_ONLY = re.compile(r"^[\s.…?!:]*$")
_TOPIC_HEAD = re.compile(
    r"(?i)^(add|new)( a)? (talking point|topic)\s*((for|to) (my|our|the) (1:1|1on1|one[- ]on[- ]one)\s*)?"
    r"((with|for)\s*)?[\s:,.…-]*"
)


class QuestionTooLong(UsageError):
    pass


class EmptyQuestion(UsageError):
    pass


@dataclass(frozen=True)
class Question:
    """A message to the assistant, read: the intent, the people it mentions, and the words
    after its key phrase (a rep's name, a skill, a topic's text), as typed."""

    intent: Intent
    text: str  # as typed (stripped); never logged
    mentions: tuple[str, ...]
    rest: str  # the part naming someone or something, mentions removed; "" if none

    @property
    def subject(self) -> str:
        """``rest`` without a trailing "…" or "?": what the question is about, if anything."""
        return "" if _ELLIPSIS_ONLY.match(self.rest) else self.rest.strip().rstrip("?…. ").strip()


def read_question(raw: str) -> Question:
    """The question in ``raw`` (a message's text as Slack sent it), or a ``UsageError`` for
    an empty or oversized one."""
    text = raw.strip()
    if not text:
        raise EmptyQuestion("Ask me something, e.g. *Who haven't I coached lately?*")
    if len(text) > MAX_QUESTION:
        raise QuestionTooLong(
            f"That message is {len(text):,} characters; I read questions of up to {MAX_QUESTION:,}. "
            "Ask it shorter, e.g. *What did I promise <@U012ABCDEF>?*"
        )
    mentions = tuple(dict.fromkeys(_MENTION.findall(text)))
    without = _MENTION.sub(" ", text)
    key = normalize(without)
    intent = next((i for i, phrases in _PHRASES if any(_matches(key, p) for p in phrases)), Intent.FREE_TEXT)
    return Question(intent=intent, text=text, mentions=mentions, rest=_rest(intent, without))


def _rest(intent: Intent, text: str) -> str:
    """The words after the key phrase, as typed: "Prep my 1:1 with Bob Rep" -> "Bob Rep"."""
    after = _AFTER.get(intent)
    if after is None:
        return ""
    if intent is Intent.ADD_TOPIC:
        # "Add a topic for my 1:1 with <@U1>: pricing" -> "pricing" (the mention was removed).
        return _TOPIC_HEAD.sub("", text.strip()).strip()
    found = after.search(text)
    return found.group(2).strip() if found else ""
