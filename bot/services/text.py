"""Text helpers shared by every feature: Slack escaping and duplicate-check normalization."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from confusable_homoglyphs import confusables

_SPACE = re.compile(r"\s+")
# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties) plus NUL: characters that
# render as nothing, so they can hide inside a word ("lead\u00aders") or fake an empty
# name (the Hangul fillers U+115F, U+1160, U+3164, U+FFA0). Variation selectors are left
# to ``normalize``: in displayed text they pick an emoji's look.
_INVISIBLE = re.compile(
    "[\x00\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e00ff\U000e01f0-\U000e0fff]"
)
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# What Slack turns into a link by itself: a scheme, or a host name such as evil.example.
_URL_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(//)")
_HOST_DOT = re.compile(r"(?i)(?<=[a-z0-9-])\.(?=(?=[a-z0-9-]*[a-z])[a-z0-9-]{2,}\b)|(?<=\bwww)\.")


def escape(text: str) -> str:
    """Escape user text for Slack mrkdwn/plain text so it can never form a mention or link.

    Slack only needs ``&``, ``<`` and ``>`` escaped; with them gone, ``<!channel>`` and
    ``<@U123>`` are shown literally and notify no one.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str) -> str:
    """User text for a ``plain_text`` object: escaped, and with nothing Slack would link.

    ``plain_text`` already shows ``*bold*``, ``_x_`` and backticks as typed, but Slack
    clients still auto-link URLs, e-mail addresses and bare host names there. Those are
    defanged the way security tools do (``https[:]//evil[.]example``) so a quote can't
    carry a clickable link, and stay readable.
    """
    text = _URL_SCHEME.sub(r"\1[:]\2", text)
    text = _HOST_DOT.sub("[.]", text)
    return escape(text)


# Slack formats a message's top-level ``text`` (the notification and fallback) as mrkdwn,
# where these marks make bold, italic, strike-through and code. There is no escape for them.
_MRKDWN_MARKS = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})


def plain_fallback(text: str) -> str:
    """User text for a message's top-level ``text``: ``plain`` (escaped, links defanged), and
    the formatting marks replaced by look-alikes that format nothing, so the notification
    shows it as the blocks' ``plain_text`` does."""
    return plain(text).translate(_MRKDWN_MARKS)


def strip_invisible(text: str) -> str:
    """Remove NUL and the characters that render as nothing (zero-width, bidi controls,
    soft hyphen, Hangul fillers, tag characters)."""
    return _INVISIBLE.sub("", text)


@functools.cache
def _skeleton_map() -> dict[str, str]:
    """Each confusable character -> the prototype it is confused with (Unicode TR39).

    confusable_homoglyphs ships TR39's confusables.txt as a symmetric table: a source
    character lists its one prototype, a prototype lists all its sources. A source is
    therefore a key with one entry whose target has several entries (or is a sequence,
    like ``rn`` for ``m``). A pair that only look like each other has no way to tell the
    direction; both then map to the same one of the two (ASCII first, then the lower code
    point), which is all a skeleton needs: look-alikes compare equal.
    """
    graph: dict[str, list[str]] = {}
    for key, entries in confusables.confusables_data.items():
        # RTL characters come wrapped in LEFT-TO-RIGHT MARKs in the package's data.
        graph[key.strip("\u200e\u200f")] = [e["c"].strip("\u200e\u200f") for e in entries]
    mapping: dict[str, str] = {}
    for char, targets in graph.items():
        if len(char) != 1 or len(targets) != 1:
            continue  # a prototype (or a sequence): maps to itself
        target = targets[0]
        if len(target) == 1 and len(graph.get(target, ())) == 1:
            proto = min(char, target, key=lambda c: (not c.isascii(), ord(c)))
            if proto != char:
                mapping[char] = proto
        elif target != char:
            mapping[char] = target
    return mapping


def _is_word(c: str) -> bool:
    return unicodedata.category(c)[0] in "LMN"


def _words_only(text: str) -> str:
    return "".join(c if _is_word(c) else " " for c in text)


def _ascii_lookalike(c: str, mapping: dict[str, str]) -> str:
    target = mapping.get(c, c) if not c.isascii() else c
    return target if len(target) == 1 and target.isascii() and target.isalpha() else c


# Pure and called for every quote in the pool by the near-duplicate scan: cache it.
@functools.lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """The one normalization behind duplicate checks, consent and opt-outs.

    NFKC (fullwidth and mathematical letters become plain ones); invisible characters
    and format characters (category Cf) removed; casefolded; punctuation, symbols and
    whitespace collapsed to single spaces; confusable letters mapped to their TR39
    prototype (Cyrillic "а" -> "a"). Two texts that look the same normalize the same.
    The result is a comparison key, not something to show.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _VARIATION_SELECTORS.sub("", strip_invisible(text))
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    mapping = _skeleton_map()
    # A non-ASCII capital that imitates an ASCII letter is read as that letter before
    # casefolding: its small letter may imitate another one (Greek "Κ" -> "K", but "κ" -> "ĸ").
    text = "".join(_ascii_lookalike(c, mapping) for c in text)
    text = _words_only(text.casefold())
    text = "".join(mapping.get(c, c) for c in text)
    # A prototype can be upper case ("0" -> "O") or a compatibility character.
    text = _words_only(unicodedata.normalize("NFKC", text).casefold())
    return _SPACE.sub(" ", text).strip()


def compact(text: str) -> str:
    """``normalize`` without the spaces: the comparison key for duplicates and names.

    Word breaks don't count, because an invisible character can stand for a space
    (a Hangul filler renders as a blank) or sit inside a word (a soft hyphen), and the
    reader sees the same words either way.
    """
    return normalize(text).replace(" ", "")


def norm_key(text: str) -> str:
    return hashlib.sha256(compact(text).encode("utf-8")).hexdigest()


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
