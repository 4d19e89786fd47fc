"""Matched words marked in titles and snippets, the same for every backend: a word is marked
when it means what a query term means (same word after spelling variants, or same stem)."""

import re

from markupsafe import Markup, escape

from catalog.search import analysis

_WORD = re.compile(r"[^\W_]+")
SNIPPET_CHARS = 160


def _matcher(terms: tuple[str, ...]):
    wanted = set(terms)
    stems = {analysis.stem(t) for t in terms}
    words = analysis.synonyms().words

    def matches(word: str) -> bool:
        lowered = word.casefold()
        canonical = words.get(lowered, lowered)
        return canonical in wanted or analysis.stem(canonical) in stems

    return matches


def highlight(text: str, terms: tuple[str, ...]) -> Markup:
    """`text` escaped, with each matching word in <mark>."""
    if not terms or not text:
        return escape(text or "")
    matches = _matcher(terms)
    out, last = [], 0
    for m in _WORD.finditer(text):
        if matches(m.group()):
            out += [escape(text[last : m.start()]), Markup("<mark>"), escape(m.group()), Markup("</mark>")]
            last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str, terms: tuple[str, ...], length: int = SNIPPET_CHARS) -> Markup:
    """About `length` characters of plain `text` around the first matching word, highlighted,
    with "…" where it was cut."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return highlight(text, terms)
    matches = _matcher(terms) if terms else None
    start = 0
    if matches:
        for m in _WORD.finditer(text):
            if matches(m.group()):
                start = max(m.start() - length // 4, 0)
                break
    if start:  # begin at a word boundary
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(start + length, len(text))
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + length // 2 else end
    piece = highlight(text[start:end], terms)
    return Markup("").join([Markup("… ") if start else Markup(""), piece, Markup(" …") if end < len(text) else Markup("")])
