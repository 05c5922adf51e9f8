"""Reading a quote someone typed: the ``/quote add`` text and the submit modal's fields.

Pure functions, no I/O. ``parse_add`` turns ``"text" — Author`` into a ``QuoteInput``;
``format_add`` writes one back, so ``parse_add(format_add(q)) == q``. Slack markup is
cleaned on the way in: mentions become names, ``<url|label>`` becomes its label,
``<!channel>``/``<!here>``/``<!everyone>`` disappear, and Slack's ``&lt;``-style escapes
are undone. Every failure is a ``QuoteInputError`` (a ``UsageError``) that names the
limit, the length the user actually sent, and a correct example.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from bot.errors import UsageError
from bot.services.text import escape, strip_invisible

TEXT_MIN = 10
TEXT_MAX = 500
AUTHOR_MAX = 100
SOURCE_MAX = 300
UNKNOWN_AUTHOR = "Unknown"
EXAMPLE = '/quote add "Praise in public, coach in private." — Jordan Lee'
FORM_EXAMPLES = {
    "text": "Praise in public, coach in private.",
    "author": "Jordan Lee",
    "source": "The Effective Executive (1967)",
}

# The theme tags a submitter can pick in the modal (quotes/README.md's vocabulary).
QUOTE_TAGS: tuple[str, ...] = (
    "leadership",
    "management",
    "vision",
    "strategy",
    "culture",
    "sales-process",
    "effectiveness",
    "playbook",
    "coaching",
    "data-driven",
    "empowering",
    "leading-vs-managing",
    "integrity",
    "teamwork",
    "motivation",
    "execution",
    "communication",
    "growth",
    "hiring",
    "accountability",
    "selling",
    "change",
)

OPEN_QUOTES = '"“”„«'
CLOSE_QUOTES = '"“”»'
# Longest first, so "--" is not read as two "-".
_SEPARATOR = r"(?:--|—|–|―|-|~)"
_AFTER_CLOSE = re.compile(rf"\s*(?:{_SEPARATOR}(?P<author>.*))?", re.DOTALL)
_UNQUOTED_SPLIT = re.compile(rf"(?<=\s){_SEPARATOR}(?=\s)")
# Any Slack markup token: <@U1>, <@U1|name>, <#C1|general>, <!here>, <https://x|label>.
_TOKEN = re.compile(r"<([^<>]*)>")
_USER = re.compile(r"^@([UW][A-Z0-9]+)(?:\|(.*))?$", re.DOTALL)
_CHANNEL = re.compile(r"^#([CG][A-Z0-9]+)(?:\|(.*))?$", re.DOTALL)
_SPECIAL = re.compile(r"^!([^|]*)(?:\|(.*))?$", re.DOTALL)
_MASK = re.compile(r"\x00(\d+)\x00")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_BROADCASTS = {"channel", "here", "everyone", "group"}


class QuoteInputError(UsageError):
    """The quote as typed can't be accepted. ``block_id`` names the modal field at fault."""


@dataclass(frozen=True)
class QuoteInput:
    """A quote as the user meant it: plain text, no Slack markup.

    ``author_user_id`` is set when the author was given as a mention of a member.
    """

    text: str
    author: str = UNKNOWN_AUTHOR
    author_user_id: str | None = None


def tidy(text: str) -> str:
    """Drop invisible and control characters and collapse whitespace to single spaces."""
    text = "".join(c for c in strip_invisible(text) if c.isspace() or unicodedata.category(c) != "Cc")
    return " ".join(text.split())


def _decode(text: str) -> str:
    # One pass, so "&amp;lt;" becomes "&lt;" and not "<".
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def mention_ids(raw: str) -> list[str]:
    """User ids mentioned in Slack-formatted text, in order, without repeats."""
    ids: list[str] = []
    for m in _TOKEN.finditer(raw):
        user = _USER.match(m.group(1))
        if user and user.group(1) not in ids:
            ids.append(user.group(1))
    return ids


def _plain(token: str, names: Mapping[str, str]) -> str:
    """What a markup token (without its angle brackets) reads as."""
    user = _USER.match(token)
    if user:
        uid, label = user.group(1), user.group(2)
        return names.get(uid) or (_decode(label) if label else "") or f"@{uid}"
    channel = _CHANNEL.match(token)
    if channel:
        return "#" + (_decode(channel.group(2)) if channel.group(2) else channel.group(1))
    special = _SPECIAL.match(token)
    if special:
        command, label = special.group(1), special.group(2)
        if command in _BROADCASTS:
            return ""
        if command.startswith("subteam^"):
            return _decode(label) if label else ""
        # <!date^...|fallback> and anything newer: the fallback text, else nothing.
        return _decode(label) if label else ""
    url, _, label = token.partition("|")
    return _decode(label) if label else _decode(url.removeprefix("mailto:"))


def clean_markup(raw: str, names: Mapping[str, str] | None = None) -> str:
    """Slack-formatted text -> plain text (see the module docstring), tidied."""
    names = names or {}
    text = tidy_keep_lines(raw)
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        out.append(_decode(text[pos : m.start()]))
        out.append(_plain(m.group(1), names))
        pos = m.end()
    out.append(_decode(text[pos:]))
    return tidy("".join(out))


_BROADCAST_TOKEN = re.compile(r"<!(?:channel|here|everyone)(?:\|[^<>]*)?>")


def clean_form_value(value: str) -> str:
    """A value typed into the modal. It is plain text (Slack does not escape it), so only
    the channel-wide mentions are removed; the rest is kept as typed and escaped on output."""
    value = tidy_keep_lines(value)
    # Repeat: removing one token can join the pieces of another ("<!her<!here>e>").
    while _BROADCAST_TOKEN.search(value):
        value = _BROADCAST_TOKEN.sub("", value)
    return tidy(value)


def tidy_keep_lines(text: str) -> str:
    """Drop invisible and control characters, keeping whitespace for later splitting."""
    return "".join(c for c in strip_invisible(text) if c.isspace() or unicodedata.category(c) != "Cc")


def _mask(text: str) -> tuple[str, list[str]]:
    """Replace markup tokens by ``\\x00n\\x00`` so separators inside links can't split."""
    tokens: list[str] = []

    def keep(m: re.Match[str]) -> str:
        tokens.append(m.group(0))
        return f"\x00{len(tokens) - 1}\x00"

    return _TOKEN.sub(keep, text), tokens


def _unmask(text: str, tokens: list[str]) -> str:
    return _MASK.sub(lambda m: tokens[int(m.group(1))], text)


def _split_quoted(masked: str) -> tuple[str, str | None] | None:
    """``"text" — author`` -> (text, author or None); None when it isn't in that form.

    The text runs to the *last* closing quote that is followed only by a separator and
    an author, so quotes inside the text don't cut it short; failing that, to a closing
    quote at the very end (no author). An author may itself hold quotes
    (``Jim "The Closer" Lee``) but not a closing quote followed by a separator.
    """
    body = masked.strip()
    if not body or body[0] not in OPEN_QUOTES:
        return None
    with_author: tuple[str, str | None] | None = None
    for i in range(1, len(body)):
        if body[i] not in CLOSE_QUOTES:
            continue
        rest = _AFTER_CLOSE.fullmatch(body, i + 1)
        if rest is not None and rest.group("author") is not None:
            with_author = (body[1:i], rest.group("author"))
    if with_author is not None:
        return with_author
    if len(body) > 1 and body[-1] in CLOSE_QUOTES:
        return body[1:-1], None
    return None


def _split_unquoted(masked: str) -> tuple[str, str | None]:
    matches = list(_UNQUOTED_SPLIT.finditer(masked))
    if not matches:
        text, author = masked, None
    else:
        last = matches[-1]
        text, author = masked[: last.start()], masked[last.end() :]
    text = text.strip()
    # A quote opened but never closed: drop the stray marks rather than keep them.
    if text[:1] in OPEN_QUOTES:
        text = text[1:]
    if text[-1:] in CLOSE_QUOTES:
        text = text[:-1]
    return text, author


def split_quote(raw: str, names: Mapping[str, str] | None = None, *, require_quotes: bool = False) -> QuoteInput | None:
    """Split and clean without length checks. Never raises.

    ``require_quotes``: only accept the ``"text" — author`` form (None otherwise); used to
    pre-fill the modal from an ordinary chat message, where " - " is just punctuation.
    """
    names = names or {}
    masked, tokens = _mask(tidy_keep_lines(raw))
    parts = _split_quoted(masked)
    if parts is None:
        if require_quotes:
            return None
        parts = _split_unquoted(masked)
    text_part, author_part = parts
    text = clean_markup(_unmask(text_part, tokens), names)
    author_user_id: str | None = None
    author = ""
    if author_part is not None:
        author_raw = _unmask(author_part, tokens)
        ids = mention_ids(author_raw)
        author_user_id = ids[0] if ids else None
        author = clean_markup(author_raw, names)
    return QuoteInput(text=text, author=author or UNKNOWN_AUTHOR, author_user_id=author_user_id)


def parse_add(raw: str, names: Mapping[str, str] | None = None) -> QuoteInput:
    """Parse the text after ``/quote add``. Raises only ``QuoteInputError``.

    ``names`` maps user ids to display names (the caller looks them up); a mention
    without one reads as its label, else ``@U123``.
    """
    if not tidy(raw):
        raise QuoteInputError(
            f"Please give the quote in double quotes, then a dash and who said it.\nFor example: `{EXAMPLE}`"
        )
    parsed = split_quote(raw, names)
    assert parsed is not None  # require_quotes=False always splits
    text, author, _ = validate(parsed.text, parsed.author, None)
    return QuoteInput(text=text, author=author, author_user_id=parsed.author_user_id)


def validate(text: str, author: str | None, source: str | None, *, form: bool = False) -> tuple[str, str, str | None]:
    """Trim and check lengths. Returns (text, author, source); author defaults to Unknown.

    ``form``: the values came from the submit modal, so the example shows a field's
    value rather than a command.
    """
    text = tidy(text)
    author = tidy(author or "") or UNKNOWN_AUTHOR
    source = tidy(source or "") or None

    def example(field: str) -> str:
        if not form:
            return f"For example: `{EXAMPLE}`"
        return "For example: " + FORM_EXAMPLES[field]

    if len(text) < TEXT_MIN:
        raise QuoteInputError(
            f"That quote is too short: it has {len(text)} characters after trimming, and a quote needs "
            f"at least {TEXT_MIN}.\n{example('text')}",
            block_id="text",
        )
    if len(text) > TEXT_MAX:
        raise QuoteInputError(
            f"That quote is too long: it has {len(text)} characters, and the limit is {TEXT_MAX}. "
            f"Please shorten it.\n{example('text')}",
            block_id="text",
        )
    if len(author) > AUTHOR_MAX:
        raise QuoteInputError(
            f"The author's name is too long: it has {len(author)} characters, and the limit is "
            f"{AUTHOR_MAX}.\n{example('author')}",
            block_id="author",
        )
    if source is not None and len(source) > SOURCE_MAX:
        raise QuoteInputError(
            f"The source is too long: it has {len(source)} characters, and the limit is {SOURCE_MAX}.\n"
            f"{example('source')}",
            block_id="source",
        )
    return text, author, source


def format_add(q: QuoteInput) -> str:
    """The ``/quote add`` text for ``q``, escaped the way Slack sends it."""
    author = f"<@{q.author_user_id}|{escape(q.author)}>" if q.author_user_id else escape(q.author)
    return f"“{escape(q.text)}” — {author}"
