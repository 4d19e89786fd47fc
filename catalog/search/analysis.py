"""Indonesian text analysis for search, shared by every backend so that "kripik pedes 250 gr"
means the same to Whoosh and to PostgreSQL.

Steps, the same for a product's text and for a shopper's query:
1. Unicode-normalise and lower-case; glue a number to its unit and spell the unit one way
   ("250 gr", "250gram" and "250g" all become "250g"; "1,5 kg" becomes "1.5kg").
2. Split into words (letters of any script, numbers with units); emoji and punctuation go.
3. Spelling variants and synonyms from data/sinonim.txt: "kripik" becomes "keripik"; a phrase
   such as "nasi box" becomes one term "nasi_kotak". In a document the phrase term is added beside
   its words (so "nasi" alone still finds it); in a query it replaces them.
4. Stop words (dan, yang, untuk, …) are dropped.
5. Each word also gets its stem from PySastrawi ("kerajinan" → "rajin"). Stems are indexed in a
   field of their own and ranked below exact words: Sastrawi over-stems some words, so an exact
   match must win (see ../shared/TOOLING.md). Stemming is slow (up to ~1 ms a word), so it is
   memoised.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SYNONYM_FILE = Path(__file__).with_name("data") / "sinonim.txt"
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
MIN_STEM_LENGTH = 4  # shorter words are left as they are (Sastrawi mangles "kue", "tas")

STOP_WORDS = frozenset("""
ada adalah agar akan aku anda antara apa atau bagi bahwa baru banyak beberapa begitu belum
bisa buat cukup dalam dan dapat dari dengan di dia harus hingga ia ialah ini itu jadi jika juga
kalau kami kamu kan karena ke kepada ketika kita lagi lain lalu maka masih mau mereka oleh pada
para per saat sama sampai sangat saja saya sebagai sebuah secara sedang sejak selain seperti
serta sudah supaya tanpa tapi telah tentang tetapi untuk yaitu yakni yang
the and or of for with
""".split())

# Units: every spelling a seller uses → the one the index keeps.
_UNITS = {
    "g": "g", "gr": "g", "grm": "g", "gram": "g", "gm": "g",
    "kg": "kg", "kilo": "kg", "kilogram": "kg",
    "mg": "mg",
    "ml": "ml", "mili": "ml", "mililiter": "ml",
    "l": "l", "lt": "l", "ltr": "l", "liter": "l", "litre": "l",
    "cm": "cm", "mm": "mm", "m": "m", "meter": "m",
    "pcs": "pcs", "pc": "pcs", "biji": "pcs", "buah": "pcs",
    "lbr": "lembar", "lembar": "lembar", "rim": "rim", "pack": "pak", "pak": "pak", "box": "box",
}
_UNIT_PATTERN = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")(?![^\W\d_])"
)
_TOKEN = re.compile(r"\d+(?:\.\d+)?[a-z]+|[^\W_]+")


@dataclass(frozen=True)
class Synonyms:
    """The groups of data/sinonim.txt: single-word variants and phrases, each → its canonical term."""

    words: dict[str, str]
    phrases: dict[tuple[str, ...], str]
    starts: frozenset[str]  # first words of the phrases: most words start none, and skip the lookup
    longest_phrase: int


def _plain_tokens(text: str) -> list[str]:
    """Steps 1–2 only (no synonyms, no stop words). Letters and digits stay together ("a4",
    "xl", "s24"); a number glued to a unit was spelled one way first."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _UNIT_PATTERN.sub(lambda m: m.group(1).replace(",", ".") + _UNITS[m.group(2)], text)
    return _TOKEN.findall(text)


def parse_synonyms(lines) -> Synonyms:
    words: dict[str, str] = {}
    phrases: dict[tuple[str, ...], str] = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        canonical, _, variants = line.partition(":")
        canonical = "_".join(_plain_tokens(canonical.replace("_", " ")))
        if not canonical:
            continue
        for variant in [canonical.replace("_", " "), *variants.split(",")]:
            tokens = tuple(_plain_tokens(variant))
            if len(tokens) == 1 and tokens[0] != canonical:
                words[tokens[0]] = canonical
            elif len(tokens) > 1:
                phrases[tokens] = canonical
    return Synonyms(words, phrases, frozenset(p[0] for p in phrases), max((len(p) for p in phrases), default=1))


@lru_cache(maxsize=1)
def synonyms() -> Synonyms:
    with SYNONYM_FILE.open(encoding="utf-8") as lines:
        return parse_synonyms(lines)


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Sastrawi stem of one word; numbers, units, phrase terms and short words unchanged."""
    if len(word) < MIN_STEM_LENGTH or not word.isalpha() or "_" in word:
        return word
    return _stemmer().stem(word) or word


def _phrase_at(tokens: list[str], i: int, table: Synonyms) -> tuple[str, int] | None:
    """The longest phrase of the table starting at tokens[i], with its length in words."""
    if tokens[i] not in table.starts:
        return None
    for length in range(min(table.longest_phrase, len(tokens) - i), 1, -1):
        canonical = table.phrases.get(tuple(tokens[i : i + length]))
        if canonical:
            return canonical, length
    return None


def document_terms(text: str) -> list[str]:
    """The exact terms a product's text is indexed under, in order (duplicates kept: they count
    as term frequency)."""
    table = synonyms()
    tokens = _plain_tokens(text)
    terms: list[str] = []
    for i, token in enumerate(tokens):
        phrase = _phrase_at(tokens, i, table)
        if phrase:
            terms.append(phrase[0])
        if token not in STOP_WORDS:
            terms.append(table.words.get(token, token))
    return terms


def stems(terms: list[str]) -> list[str]:
    return [stem(term) for term in terms]


def changed_stems(terms: list[str]) -> list[str]:
    """The stems that differ from their word (most Indonesian product words are already a stem)."""
    return [s for s, term in ((stem(term), term) for term in terms) if s != term]


@dataclass(frozen=True)
class QueryTerms:
    """A shopper's query, analysed: `terms` are what must match (exact or by stem), in order;
    `only_stop_words` tells an empty result apart from a query of only "dan yang untuk"."""

    terms: tuple[str, ...]
    only_stop_words: bool = False

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem(term) for term in self.terms)


def query_terms(raw: str | None) -> QueryTerms:
    """Analyse a query: at most MAX_QUERY_CHARS characters and MAX_QUERY_WORDS terms are used
    (a 10,000-character paste is cut, not refused). Nothing in the text is syntax: quotes,
    AND/OR/NOT, *, ?, ~, ^, : are ordinary characters and drop out with the punctuation."""
    table = synonyms()
    tokens = _plain_tokens((raw or "")[:MAX_QUERY_CHARS])
    terms: list[str] = []
    i = 0
    while i < len(tokens):
        phrase = _phrase_at(tokens, i, table)
        if phrase:
            terms.append(phrase[0])
            i += phrase[1]
            continue
        token = tokens[i]
        i += 1
        if token in STOP_WORDS:
            continue
        terms.append(table.words.get(token, token))
    unique = tuple(dict.fromkeys(terms))[:MAX_QUERY_WORDS]
    return QueryTerms(unique, only_stop_words=bool(tokens) and not unique)
