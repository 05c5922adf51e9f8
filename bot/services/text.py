"""Text helpers shared by every feature: Slack escaping and duplicate-check normalization."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_QUOTES_AND_DASHES = re.compile(r"[\"'`´‘’‚‛“”„‟«»‹›\-‐‑‒–—―−~]")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")
# Zero-width and bidirectional control characters: invisible, and can disguise text.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00]")


def escape(text: str) -> str:
    """Escape user text for Slack mrkdwn/plain text so it can never form a mention or link.

    Slack only needs ``&``, ``<`` and ``>`` escaped; with them gone, ``<!channel>`` and
    ``<@U123>`` are shown literally and notify no one.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def strip_invisible(text: str) -> str:
    """Remove NUL, zero-width and bidi-override characters."""
    return _INVISIBLE.sub("", text)


def normalize(text: str) -> str:
    """Case, punctuation, quote marks, dashes and whitespace do not count."""
    text = unicodedata.normalize("NFKC", strip_invisible(text)).casefold()
    text = _QUOTES_AND_DASHES.sub(" ", text)
    text = _NON_WORD.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def norm_key(text: str) -> str:
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def stable_int(key: str) -> int:
    """A stable 31-bit integer from a string (shuffle keys for curated entries)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big") & 0x7FFFFFFF


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def truncate_escaped(text: str, limit: int) -> str:
    """Slack-escaped ``text`` cut to ``limit`` characters, never inside an ``&amp;``-style entity.

    Escaping can grow text fivefold (``&`` -> ``&amp;``), so text that fits a field's
    length limit as typed may not fit Slack's 3,000-character limit once escaped.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&", max(0, len(cut) - 4))
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"
