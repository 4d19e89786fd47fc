"""What the search bar offers while a shopper types: completed phrases taken from the titles
of the best matching products ("kripik pedes" → "keripik pedas", "keripik singkong pedas") and
the sellers most of those products come from."""

import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from catalog.extensions import db
from catalog.models import Product, Seller
from catalog.models.products import PRODUCT_ACTIVE
from catalog.models.sellers import STATUS_VERIFIED
from catalog.search import SuggestHits, analysis

_WORD = re.compile(r"[^\W_]+")
MAX_PHRASE_WORDS = 4


@dataclass(frozen=True)
class SellerSuggestion:
    name: str
    slug: str


@dataclass(frozen=True)
class Suggestions:
    phrases: list[str]
    sellers: list[SellerSuggestion]


def _phrase(title: str, wanted: set[str], stems: set[str], prefix: str) -> str | None:
    """The words of `title` from the first to the last one matching the query, lower-cased."""
    words = _WORD.findall(title.casefold())
    variants = analysis.synonyms().words
    hits = []
    for i, word in enumerate(words):
        canonical = variants.get(word, word)
        if canonical in wanted or analysis.stem(canonical) in stems or (prefix and canonical.startswith(prefix)):
            hits.append(i)
    if not hits or hits[-1] - hits[0] >= MAX_PHRASE_WORDS:
        return None
    return " ".join(words[hits[0] : hits[-1] + 1])


def _is_known_word(term: str, rows) -> bool:
    """Whether `term` appears as a whole word in one of the matched titles."""
    variants = analysis.synonyms().words
    return any(variants.get(w, w) == term for _pid, title, _n, _s in rows for w in _WORD.findall(title.casefold()))


def suggestions_for(text: str, hits: SuggestHits, *, phrases: int = 5, sellers: int = 2) -> Suggestions:
    if not hits.product_ids:
        corrected = " ".join(t.replace("_", " ") for t in hits.corrected)
        return Suggestions([corrected] if corrected and hits.corrected else [], [])
    rows = db.session.execute(
        select(Product.id, Product.title, Seller.business_name, Seller.slug)
        .join(Seller, Seller.id == Product.seller_id)
        .where(Product.id.in_(hits.product_ids), Product.status == PRODUCT_ACTIVE, Seller.status == STATUS_VERIFIED)
    ).all()
    by_id = {row[0]: row for row in rows}
    ordered = [by_id[pid] for pid in hits.product_ids if pid in by_id]
    wanted = set(hits.corrected)
    stems = {analysis.stem(t) for t in wanted}
    last = hits.corrected[-1] if hits.corrected else ""
    found: list[str] = []
    corrected = " ".join(t.replace("_", " ") for t in hits.corrected)
    # The corrected query first, unless its last word is still being typed (then the titles
    # below complete it better than "keripik pe" would).
    if corrected and _is_known_word(hits.corrected[-1], ordered):
        found.append(corrected)
    for _pid, title, _name, _slug in ordered:
        phrase = _phrase(title, wanted, stems, last if len(last) >= 2 else "")
        if phrase and phrase not in found:
            found.append(phrase)
        if len(found) >= phrases:
            break
    counts = Counter((name, slug) for _pid, _title, name, slug in ordered)
    return Suggestions(found[:phrases], [SellerSuggestion(name, slug) for (name, slug), _n in counts.most_common(sellers)])
