"""Seller-written descriptions: sanitised HTML limited to paragraphs, lists and emphasis (nh3).

Descriptions are cleaned once, before storage, so templates can print them with `|safe` and
nothing a seller pasted (scripts, styles, event handlers, links, images) ever reaches a page.
"""

import html
import re

import nh3
from flask_babel import lazy_gettext as _l

from catalog.formatting import angka
from catalog.services.errors import ValidationFailed

ALLOWED_TAGS = frozenset({"p", "br", "ul", "ol", "li", "strong", "b", "em", "i"})
# Removed together with everything inside them: their content is code or markup, never text a
# shopper should read.
CONTENT_DROPPED_TAGS = frozenset(
    {"script", "style", "template", "title", "iframe", "object", "svg", "math", "noscript", "textarea"}
)
MAX_DESCRIPTION_CHARS = 5_000
# Raw input is refused above this before any parsing, so a huge paste costs almost nothing.
MAX_INPUT_CHARS = 100_000

# No attributes at all, on any tag: "*" empties ammonia's default generic ones (lang, title).
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(CONTENT_DROPPED_TAGS),
    attributes={"*": set()},
    link_rel=None,
    strip_comments=True,
)
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags=set(CONTENT_DROPPED_TAGS), link_rel=None)

_STRUCTURE_TAG = re.compile(r"<\s*/?\s*(?:p|br|ul|ol|li|div|h[1-6]|blockquote|pre|table|tr)\b", re.I)
# Blocks from pasted pages or editors become paragraphs, so their text stays apart.
_BLOCK_AS_PARAGRAPH = re.compile(
    r"<\s*(/?)\s*(?:div|h[1-6]|blockquote|pre|section|article|header|footer|tr)\b[^>]*>", re.I
)
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|<br>|&nbsp;)*</p>")
_BLOCK_BOUNDARY = re.compile(r"<\s*(?:/\s*(?:p|li|ul|ol|div|h[1-6]|tr|td|blockquote)|br|li|p)\b[^>]*>", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•·–])\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_BLANK_LINES = re.compile(r"\n\s*\n")
_WHITESPACE = re.compile(r"\s+")


def sanitise_description(value: str | None, *, max_chars: int = MAX_DESCRIPTION_CHARS) -> str:
    """Clean a description for storage and return safe HTML ("" when there is nothing left).

    Plain text (what a textarea on a phone sends) keeps its shape: blank lines separate
    paragraphs, single line breaks stay, and lines starting with "-" or "1." become lists.
    HTML keeps only p, br, ul, ol, li, strong, b, em and i, with no attributes.
    Raises ValidationFailed when the text is longer than `max_chars` characters.
    """
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    if len(text) > MAX_INPUT_CHARS:
        raise ValidationFailed(_too_long(max_chars), field="description")
    if _STRUCTURE_TAG.search(text):
        text = _BLOCK_AS_PARAGRAPH.sub(lambda m: f"<{m.group(1)}p>", text)
    else:
        text = _structure_plain_text(text)
    cleaned = _EMPTY_PARAGRAPH.sub("", _CLEANER.clean(text)).strip()
    check_description_length(cleaned, max_chars=max_chars)
    return cleaned


def check_description_length(value: str | None, *, max_chars: int = MAX_DESCRIPTION_CHARS) -> None:
    """Refuse a description whose readable text is longer than `max_chars` (tags do not count).

    Usable on raw form input as well as on sanitised HTML.
    """
    if len(plain_text(value)) > max_chars:
        raise ValidationFailed(_too_long(max_chars), field="description")


def _too_long(max_chars: int):
    return _l("Deskripsi terlalu panjang: maksimal %(max)s karakter.", max=angka(max_chars))


def _structure_plain_text(text: str) -> str:
    """Turn typed text into paragraphs and lists. Text is not escaped here: the cleaner that runs
    next parses it and escapes every stray "<" or "&" itself."""
    return "".join(_block_from_lines(block.split("\n")) for block in _BLANK_LINES.split(text))


def _block_from_lines(lines: list[str]) -> str:
    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        return ""
    for pattern, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
        items = [pattern.match(line) for line in lines]
        if all(items):
            return f"<{tag}>" + "".join(f"<li>{item.group(1)}</li>" for item in items) + f"</{tag}>"
    return "<p>" + "<br>".join(lines) + "</p>"


def plain_text(value: str | None, limit: int | None = None) -> str:
    """The readable text of a description on one line, for snippets, search and OpenGraph tags.

    The result is plain text (entities decoded), so templates must escape it, as Jinja does by
    default. With `limit`, it is cut at a word boundary and ends with "…".
    """
    if not value:
        return ""
    spaced = _BLOCK_BOUNDARY.sub(lambda m: m.group(0) + " ", value[:MAX_INPUT_CHARS])
    text = _WHITESPACE.sub(" ", html.unescape(_TEXT_ONLY.clean(spaced))).strip()
    if limit is None or len(text) <= limit:
        return text
    return _shorten(text, limit)


def _shorten(text: str, limit: int) -> str:
    """Cut to at most `limit` characters including the ellipsis, preferring a word boundary."""
    cut = text[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–") + "…"
