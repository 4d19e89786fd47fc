"""The PostgreSQL backend: the index is the `search_document` table in the database itself, so
every app server searches the same index and a commit is searchable at once.

How it matches and ranks (the same analysis as Whoosh, catalog/search/analysis.py):
- Each row keeps a `tsv tsvector` (GIN index, migration 0004) written from terms analysed in
  Python. The tsvector is written as a literal ('keripik':1A 'pedas':2A …), not with
  to_tsvector('simple', …): PostgreSQL's parser would split our own terms again ("nasi_kotak"
  into "nasi" and "kotak", "1.5kg" into "1.5" and "kg"). The weights follow Whoosh's boosts:
  A exact title words, B stems of title words and the seller's name, C exact words of the body
  (description, options, category, unit), D stems of body words. A stem shares its word's
  position, so proximity ranking does not reward a word for being near its own stem.
- A query is a tsquery literal built from analysed terms only (each quoted, nothing the shopper
  typed is ever tsquery syntax): every term must match, as its exact word or its stem —
  `('kerajinan' | 'rajin') & 'bambu'`. When that finds fewer than FEW_RESULTS products, words of
  the index within one typo (two for long words) join each term's alternatives and the last term
  may be unfinished (`'bat':*`), like the Whoosh backend; unknown words are corrected for
  "Mungkin maksud Anda".
- Relevance = ts_rank with the weights above: a title word as typed (A) outweighs the same stem
  (B/D) or a description word (C), and a product that has the word as typed also has its stem,
  so it ranks above one found through the stem alone. In-stock products come first in every
  order; newer products break ties, then the id.
- Typos: the thousand most common words that PostgreSQL's statistics keep for `tsv` are tried
  first (in Python, free); other words are looked up in `words` (the distinct words of each
  title) through pg_trgm's word-similarity operator and its trigram GIN index when the
  extension is installed, bounded by a statement timeout; the closest, most frequent words win.
  Without pg_trgm only common words are corrected (prefix completion and the spelling variants
  of the synonym table still work).

Bounded counting (the 1,000,000-product target): counting facets exactly means reading every
matching row, which costs hundreds of milliseconds when a query matches a large part of the
catalogue ("keripik", or no text with a filter). So everything is counted over at most
COUNT_CAP + 1 matching rows, read in table order. rebuild() lays rows down in a scrambled order,
so those rows are a fair sample, and how far into the table the sample reached tells how many
match in all. Beyond COUNT_CAP the facet counts are the sample's scaled up; the filtered total
is counted exactly when the sample says it is near COUNT_CAP, else scaled too, and
SearchResult.total_is_estimate says so (the page shows "sekitar"). Relevance and rating order a
huge match set within the sample (every row would have to be scored); price and date orders
stay exact (the sample gives a bound on the price or date that the page lies within, and the
b-tree index reads only the rows within it). Below COUNT_CAP matches, nearly every real query,
everything is exact.
"""

import logging
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError

from catalog.extensions import db
from catalog.models.sellers import CERTIFICATE_KINDS, SCALE_KECIL, SCALE_MIKRO, SCALES
from catalog.search import (
    FACET_CATEGORY,
    FACET_CERTIFICATE,
    FACET_FLAGS,
    FACET_KECAMATAN,
    FACET_KOTA,
    FACET_PARENT,
    FACET_SCALE,
    SCALE_KOPERASI,
    SORT_CHEAPEST,
    SORT_DEAREST,
    SORT_NEAR,
    SORT_NEWEST,
    SORT_RATING,
    SORT_RELEVANCE,
    TKDN_THRESHOLD,
    SearchHit,
    SearchRequest,
    SearchResult,
    SuggestHits,
    analysis,
)
from catalog.search.documents import SearchDocument

log = logging.getLogger(__name__)

FEW_RESULTS = 3  # fewer hits than this: allow typos and an unfinished last word
MAX_EXPANSIONS = 8  # close words added per term (as in the Whoosh backend)
TYPO_ROWS = 300  # rows whose title words are read to find close words of one term
TYPO_SIMILARITY = 0.45  # pg_trgm word_similarity threshold for candidates (default 0.6 misses "bqtik")
TYPO_TIMEOUT_MS = 150  # a trigram lookup taking longer is given up (no correction)
COMMON_WORDS_SECONDS = 600  # how long the common words of pg_stats are kept per process
# Facets and totals are exact up to this many matches, estimated beyond. At 1,000,000 products
# the sample's rows are most of a huge query's cost: 10,000 → 5,000 halved the p50 of one-word,
# filtered and sorted queries (the same mix measured back to back on a loaded machine: p50
# 128 → 57 ms, p95 262 → 119 ms); 2,000 gained less again and made estimates coarser.
COUNT_CAP = 5_000
RANK_CAP = COUNT_CAP  # relevance and rating order rank at most this many matching rows
SUGGEST_WINDOW = 2_000  # suggestions rank this many matching rows at most
WRITE_BATCH = 1_000
# ts_rank weights for {D, C, B, A}: body stems, body words, title stems and seller, title words.
RANK_WEIGHTS = "'{0.06, 0.12, 0.4, 1.0}'::float4[]"
SCORE = f"ts_rank({RANK_WEIGHTS}, tsv, CAST(:q AS tsquery))"
UMKK_SQL = f"(is_koperasi OR scale IN ('{SCALE_MIKRO}', '{SCALE_KECIL}'))"
MAX_POSITION = 16_383  # tsvector positions stop here
MAX_LEXEME_BYTES = 255  # longer "words" (a pasted string of letters) are not indexed
POSITION_GAP = 8  # between title, seller name and body: no phrase bonus across fields
CERT_BITS = {kind: 1 << i for i, kind in enumerate(CERTIFICATE_KINDS)}  # as the Whoosh backend
COLUMNS = ("product_id", "title_terms", "body_terms", "stem_terms", "words", "seller_id", "category_id",
           "parent_category_id", "kota_code", "kecamatan_code", "scale", "is_koperasi", "certificate_bits",
           "price", "in_stock", "tkdn_pct", "rating", "created", "tsv")


# --- documents → rows ---------------------------------------------------------------------------


def _quote(term: str) -> str:
    """A term as a quoted tsvector/tsquery lexeme: nothing inside is syntax."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


@lru_cache(maxsize=200_000)
def _lexeme(term: str) -> tuple[str, str] | None:
    """(quoted term, quoted stem or "" when the stem is the word), memoised like the stems;
    None for a "word" too long to index (a pasted string of letters)."""
    if not 0 < len(term.encode()) <= MAX_LEXEME_BYTES:
        return None
    stem = analysis.stem(term)
    return _quote(term), (_quote(stem) if stem != term else "")


def _tsvector(fields: list[tuple[list[str], str, str]]) -> str:
    """A tsvector literal ('keripik':1A,5C 'pedas':2A …) of (terms, weight, stem weight) fields
    laid one after another. A stem sits at its word's position; PostgreSQL keeps at most 256
    positions per lexeme and positions up to 16,383."""
    places: dict[str, list[str]] = {}
    position = 1
    for terms, weight, stem_weight in fields:
        for term in terms:
            lexeme = _lexeme(term)
            if lexeme is not None:
                word, stem = lexeme
                at = places.setdefault(word, [])
                if len(at) < 256:
                    at.append(f"{position}{weight}")
                if stem and stem_weight:
                    at = places.setdefault(stem, [])
                    if len(at) < 256:
                        at.append(f"{position}{stem_weight}")
            if position < MAX_POSITION:
                position += 1
        position = min(position + POSITION_GAP, MAX_POSITION)
    return " ".join(f"{lexeme}:{','.join(at)}" for lexeme, at in places.items())


def to_row(doc: SearchDocument) -> dict:
    title = analysis.document_terms(doc.title)
    seller = analysis.document_terms(doc.seller_name)
    body = analysis.document_terms(doc.body)
    return {
        "product_id": doc.id,
        "title_terms": " ".join(title),
        "body_terms": " ".join(seller + body),
        "stem_terms": " ".join(analysis.changed_stems(title) + analysis.changed_stems(body)),
        # Distinct words of the title (no numbers, no phrase terms): the vocabulary typos are
        # corrected against.
        "words": " ".join(dict.fromkeys(t for t in title if t.isalpha() and len(t.encode()) <= MAX_LEXEME_BYTES)),
        "seller_id": doc.seller_id,
        "category_id": doc.category_id,
        "parent_category_id": doc.parent_category_id,
        "kota_code": doc.kota_code,
        "kecamatan_code": doc.kecamatan_code,
        "scale": doc.scale,
        "is_koperasi": doc.is_koperasi,
        "certificate_bits": sum(CERT_BITS[k] for k in doc.certificates if k in CERT_BITS),
        "price": doc.price,
        "in_stock": doc.in_stock,
        "tkdn_pct": doc.tkdn_pct,
        "rating": int(round(doc.rating * 100)),
        "created": doc.created,
        "tsv": _tsvector([(title, "A", "B"), (seller, "B", ""), (body, "C", "D")]),
    }


_INSERT_VALUES = ", ".join("CAST(:tsv AS tsvector)" if c == "tsv" else f":{c}" for c in COLUMNS)
# Only products that still exist: a product deleted between reading its document and writing it
# would otherwise fail the whole batch on the foreign key.
_UPSERT = text(
    f"INSERT INTO search_document ({', '.join(COLUMNS)}) "  # noqa: S608  # nosec B608 (column names are constants)
    f"SELECT {_INSERT_VALUES} WHERE EXISTS (SELECT 1 FROM product WHERE id = :product_id) "
    "ON CONFLICT (product_id) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "product_id")
)


# --- queries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    match: str  # tsquery literal: every term, as its word, its stem (or a close word, a prefix)


def _tsquery(terms: tuple[str, ...], expansions: dict[str, list[str]] | None = None,
             prefix_last: bool = False) -> _Query:
    groups = []
    for i, term in enumerate(terms):
        items = [_quote(term)]
        stem = analysis.stem(term)
        if stem != term:
            items.append(_quote(stem))
        items += [_quote(w) for w in (expansions or {}).get(term, ()) if w not in (term, stem)]
        if prefix_last and i == len(terms) - 1 and len(term) >= 3:
            items.append(_quote(term) + ":*")
        groups.append("(" + " | ".join(items) + ")" if len(items) > 1 else items[0])
    return _Query(" & ".join(groups))


class _Sql:
    """Filters as SQL predicates with their parameters (never user text in the SQL itself)."""

    def __init__(self, request: SearchRequest):
        self.params: dict = {}
        self.filters: dict[str, str] = {}
        r = request
        if r.category_ids:
            self.params["cats"] = sorted(r.category_ids)
            self.filters[FACET_CATEGORY] = "category_id = ANY(:cats)"
        if r.kecamatan:
            self.params["kec"] = r.kecamatan
            self.filters[FACET_KECAMATAN] = "kecamatan_code = :kec"
        if r.kota:
            self.params["kota"] = r.kota
            self.filters[FACET_KOTA] = "kota_code = :kota"
        if r.sort == SORT_NEAR and r.near_kota:
            self.params["near_kota"] = r.near_kota
            self.params["near_kec"] = r.near_kecamatan or ""
        if r.scales or r.umkk:
            parts = []
            scales = sorted(s for s in r.scales if s in SCALES)
            if scales:
                self.params["scales"] = scales
                parts.append("scale = ANY(:scales)")
            if SCALE_KOPERASI in r.scales:
                parts.append("is_koperasi")
            chosen = "(" + " OR ".join(parts) + ")" if parts else "FALSE"
            if r.umkk:
                chosen = f"({chosen} AND {UMKK_SQL})" if r.scales else UMKK_SQL
            self.filters[FACET_SCALE] = chosen
        if r.certificates:
            self.params["cert_bits"] = sum(CERT_BITS[c] for c in r.certificates if c in CERT_BITS)
            self.filters[FACET_CERTIFICATE] = "(certificate_bits & :cert_bits) = :cert_bits"
            if any(c not in CERT_BITS for c in r.certificates):
                self.filters[FACET_CERTIFICATE] = "FALSE"  # every one named must be present
        if r.price_min is not None or r.price_max is not None:
            parts = []
            if r.price_min is not None:
                self.params["price_min"] = r.price_min
                parts.append("price >= :price_min")
            if r.price_max is not None:
                self.params["price_max"] = r.price_max
                parts.append("price <= :price_max")
            self.filters["harga"] = " AND ".join(parts)
        if r.tkdn:
            self.filters["tkdn"] = f"tkdn_pct >= {TKDN_THRESHOLD}"
        if r.in_stock:
            self.filters["stok"] = "in_stock"

    def all(self) -> str:
        return " AND ".join(f"({f})" for f in self.filters.values()) or "TRUE"

    def flags_but(self, skip: str) -> str:
        """On the sample table: every filter but `skip` holds."""
        names = [f"f_{i}" for i, name in enumerate(self.filters) if name != skip]
        return " AND ".join(names) or "TRUE"

    def flag_columns(self) -> str:
        return "".join(f", ({f}) AS f_{i}" for i, f in enumerate(self.filters.values()))


def _one_pass_sql(sql: _Sql, match: str, score: str, order: str, bound: tuple[str, str] | None = None) -> str:
    """One statement for a whole result page: the matching rows (at most :cap) are read once
    into `m` with their filter flags and score; from `m` come the facet counts (each facet counts
    the rows that pass every filter but its own), the single numbers (total, koperasi, UMK-K,
    TKDN, in stock, each certificate: one pass, unpivoted into rows) and the hits of the page.
    Rows come back as (facet, key, n, score); a hit is ('hit', product id, its place, score).
    (A GROUPING SETS version with every count in every set was 3× slower; a second statement
    for the page read every matching row a second time.)"""
    but = sql.flags_but
    scalars = {
        "n_rows": "count(*)",
        "n_all": f"count(*) FILTER (WHERE {but('')})",
        SCALE_KOPERASI: f"count(*) FILTER (WHERE {but(FACET_SCALE)} AND is_koperasi)",
        "umkk": f"count(*) FILTER (WHERE {but(FACET_SCALE)} AND {UMKK_SQL})",
        "tkdn": f"count(*) FILTER (WHERE {but('tkdn')} AND tkdn_pct >= {TKDN_THRESHOLD})",
        "stok": f"count(*) FILTER (WHERE {but('stok')} AND in_stock)",
        **{kind: f"count(*) FILTER (WHERE {but(FACET_CERTIFICATE)} AND certificate_bits & {bit} <> 0)"
           for kind, bit in CERT_BITS.items()},
    }
    grouped = [
        (FACET_CATEGORY, "category_id", but(FACET_CATEGORY)),
        (FACET_PARENT, "parent_category_id", but(FACET_CATEGORY)),
        (FACET_KOTA, "kota_code", but(FACET_KOTA)),
        (FACET_KECAMATAN, "kecamatan_code", but(FACET_KECAMATAN)),
        (FACET_SCALE, "scale", but(FACET_SCALE)),
    ]
    # Every piece of SQL below is made of constants; values are bound parameters. Keys are
    # grouped as they are and only the groups cast to text (casting every row cost more).
    parts = [f"SELECT '{facet}' AS facet, {key}::text AS key, count(*) AS n, 0::float4 AS score "  # noqa: S608  # nosec B608
             f"FROM m WHERE {where} GROUP BY {key}" for facet, key, where in grouped]
    # Where the sample stopped in the table (rows lie in a scrambled order, see rebuild()): the
    # share of the table read tells how many rows match in all.
    scalars["first_block"] = "coalesce(min((ctid::text::point)[0]), 0)::bigint"
    scalars["last_block"] = "coalesce(max((ctid::text::point)[0]), 0)::bigint"
    scalars["pages"] = "(pg_relation_size('search_document') / current_setting('block_size')::int)"
    columns = ", ".join(f"{expr} AS c{i}" for i, expr in enumerate(scalars.values()))
    unpivot = ", ".join(f"('{name}', s.c{i})" for i, name in enumerate(scalars))
    parts.append(f"SELECT '', v.key, v.n, 0::float4 FROM (SELECT {columns} FROM m) AS s "  # noqa: S608  # nosec B608
                 f"CROSS JOIN LATERAL (VALUES {unpivot}) AS v(key, n)")
    parts.append("SELECT 'hit', product_id::text, row_number() OVER (), score FROM ("  # noqa: S608  # nosec B608
                 f"SELECT product_id, score FROM m WHERE {but('')} ORDER BY {order} "
                 "LIMIT :limit OFFSET :offset) AS page")
    if bound is not None:
        # Price or date orders: the sort values of the sample's first offset + limit in-stock
        # rows, from which _page picks a bound that the exact page lies within.
        column, direction = bound
        parts.append(f"SELECT 'bound', array_to_string(ARRAY(SELECT {column} FROM m WHERE {but('')} "  # noqa: S608  # nosec B608
                     f"AND in_stock ORDER BY {column} {direction} LIMIT :offset + :limit), ','), 0, 0")
    return f"""
        WITH m AS MATERIALIZED (
            SELECT ctid, product_id, category_id, parent_category_id, kota_code, kecamatan_code, scale, is_koperasi,
                   certificate_bits, in_stock, tkdn_pct, price, rating, created,
                   {score} AS score{sql.flag_columns()}
            FROM search_document WHERE {match} LIMIT :cap
        )
        {" UNION ALL ".join(parts)}
    """  # noqa: S608  # nosec B608 (predicates are built from constants; values are bound parameters)


def _facets(rows, factor: float) -> tuple[dict[str, dict], dict[str, int]]:
    """The facets of SearchResult from the rows of _one_pass_sql (counts × `factor` when they
    were counted over a sample), and the single numbers by name."""
    def n(value) -> int:
        return int(round(value * factor))

    facets: dict[str, dict] = {FACET_CATEGORY: {}, FACET_PARENT: {}, FACET_KOTA: {}, FACET_KECAMATAN: {},
                               FACET_SCALE: {}}
    single: dict[str, int] = {}
    for facet, key, count, _score in rows:
        if facet in ("hit", "bound"):
            continue
        if not facet:
            single[key] = int(count)
        elif count and key:
            facets[facet][int(key) if facet in (FACET_CATEGORY, FACET_PARENT) else key] = n(count)
    facets[FACET_SCALE] = {name: c for name, c in facets[FACET_SCALE].items() if name in SCALES}
    facets[FACET_SCALE][SCALE_KOPERASI] = n(single.get(SCALE_KOPERASI, 0))
    facets[FACET_CERTIFICATE] = {kind: n(single.get(kind, 0)) for kind in CERT_BITS}
    facets[FACET_FLAGS] = {flag: n(single.get(flag, 0)) for flag in ("umkk", "tkdn", "stok")}
    return facets, single


BOUNDS = {SORT_CHEAPEST: ("price", "ASC"), SORT_DEAREST: ("price", "DESC"), SORT_NEWEST: ("created", "DESC")}


def _effective_sort(request: SearchRequest, has_text: bool) -> str:
    """The order a page is in: without text (or with an unknown sort) relevance means newest
    first and anything unknown means relevance, as in the Whoosh backend; "terdekat" needs an
    office to measure from."""
    sort = request.sort
    if sort in (SORT_CHEAPEST, SORT_DEAREST, SORT_RATING, SORT_NEWEST):
        return sort
    if sort == SORT_NEAR and request.near_kota:
        return sort
    return SORT_RELEVANCE if has_text else SORT_NEWEST


def _sampled_order(sort: str) -> bool:
    """Orders that must read every matching row (relevance scores; rating and nearness have no
    index): on a huge match set they rank a window of it."""
    return sort in (SORT_RELEVANCE, SORT_RATING, SORT_NEAR)


def _score(sort: str, query: "_Query | None") -> str:
    """The score column: ranked text for relevance, and for nearness within a region."""
    if sort == SORT_RELEVANCE or (sort == SORT_NEAR and query is not None):
        return SCORE
    return "0"


def _match(query: _Query | None) -> str:
    return "TRUE" if query is None else "tsv @@ CAST(:q AS tsquery)"


def _params(sql: _Sql, query: _Query | None) -> dict:
    return {**sql.params, **({"q": query.match} if query is not None else {})}


def _order(sort: str) -> str:
    """ORDER BY for an effective sort (see _effective_sort)."""
    key = {SORT_CHEAPEST: "price ASC,", SORT_DEAREST: "price DESC,", SORT_RATING: "rating DESC,",
           SORT_RELEVANCE: "score DESC,",
           SORT_NEAR: "(kecamatan_code = :near_kec) DESC, (kota_code = :near_kota) DESC, score DESC,"}.get(sort, "")
    return f"in_stock DESC, {key} created DESC, product_id DESC"


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions, giving up (limit + 1) beyond `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


_WORDS = re.compile(r"\S+")


class PostgresBackend:
    name = "postgres"

    def __init__(self, database_uri: str):
        if make_url(database_uri).get_backend_name() != "postgresql":
            raise RuntimeError("SEARCH_BACKEND=postgres needs a PostgreSQL database (DATABASE_URL=postgresql://…); "
                               "use SEARCH_BACKEND=whoosh with SQLite.")
        self._trigram: bool | None = None
        self._common: tuple[float, dict[str, float]] | None = None

    # --- writing ------------------------------------------------------------------------------

    def index(self, documents: Iterable[SearchDocument], removed: Iterable[int]) -> None:
        """Upsert the documents and delete the removed ids, in one transaction of its own: this
        runs after the ORM session committed (hooks.py), so it cannot use that session."""
        rows = sorted((to_row(doc) for doc in documents), key=lambda r: r["product_id"])  # one lock order
        removed = sorted(set(removed))
        if not rows and not removed:
            return
        with db.engine.begin() as conn:
            if removed:
                conn.execute(text("DELETE FROM search_document WHERE product_id = ANY(:ids)"), {"ids": removed})
            for start in range(0, len(rows), WRITE_BATCH):
                conn.execute(_UPSERT, rows[start : start + WRITE_BATCH])

    def rebuild(self, batches: Iterable[list[SearchDocument]], total: int,
                progress: Callable[[int], None] | None = None) -> int:
        """Rebuild every row in one transaction: searches see the old rows until it commits.

        The documents are analysed and copied (COPY) into a temporary table first; only the
        final swap (DELETE + INSERT … SELECT) takes row locks on search_document, so the index
        changes written by the app meanwhile wait a few seconds instead of the whole rebuild,
        and searches never wait. (TRUNCATE would block every search for the whole rebuild.)
        """
        count = 0
        with db.engine.connect() as conn:
            with conn.begin():
                conn.exec_driver_sql(
                    "CREATE TEMPORARY TABLE search_document_new "
                    "(LIKE search_document INCLUDING DEFAULTS) ON COMMIT DROP")
                cursor = conn.connection.driver_connection.cursor()
                copy_sql = f"COPY search_document_new ({', '.join(COLUMNS)}) FROM STDIN"
                for batch in batches:
                    with cursor.copy(copy_sql) as copy:
                        for doc in batch:
                            row = to_row(doc)
                            copy.write_row([row[c] for c in COLUMNS])
                    count += len(batch)
                    if progress:
                        progress(count)
                conn.exec_driver_sql("DELETE FROM search_document")
                # Rows are laid down in a scrambled order (a multiplicative hash of the id), not
                # by id: the facets of a huge match set are counted over the first rows found,
                # which are then a fair sample instead of the oldest sellers' products. More
                # memory lets the GIN indexes take the new entries in larger batches.
                conn.exec_driver_sql("SELECT set_config('work_mem', '64MB', true), "
                                     "set_config('gin_pending_list_limit', '16MB', true)")
                conn.exec_driver_sql(
                    f"INSERT INTO search_document ({', '.join(COLUMNS)}) "  # noqa: S608  # nosec B608 (constants)
                    f"SELECT {', '.join(COLUMNS)} FROM search_document_new n "
                    "WHERE EXISTS (SELECT 1 FROM product p WHERE p.id = n.product_id) "
                    "ORDER BY mod(n.product_id::bigint * 2654435761, 4294967296), n.product_id")
        return count

    def document_count(self) -> int:
        with db.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM search_document")).scalar_one()

    def tidy(self) -> None:
        """VACUUM (ANALYZE) after a rebuild: every old row is dead, and until autovacuum comes
        (measured: not within the hour on 1,000,000 rows) scans read twice the pages. ANALYZE
        gives the planner and the common-word list (typo correction) fresh statistics.
        VACUUM cannot run inside a transaction, hence the autocommit connection."""
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) search_document")
        self._common = None

    # --- searching ----------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        parsed = analysis.query_terms(request.text)
        with db.engine.connect() as conn:
            return self._search(conn, request, parsed)

    @staticmethod
    def _plan(conn: Connection, *, text_index: bool = True, bitmaps_only: bool = False) -> None:
        """Planner settings for the next statements of this read-only transaction (which ends
        with the search), each measured on 100,000 and 1,000,000 products:
        - enable_seqscan off for text: with "LIMIT :cap" and a word in 16 % of the catalogue,
          the planner chose to scan the table and match every row's tsvector, 2.5× slower than
          the GIN index. (Switched back on for the existence checks of single words, where a
          scan finds a common word in the first rows and the index would list all of them.)
        - work_mem 32MB: the bitmap of a common word stays exact; a lossy one rechecked
          (detoasted) thousands of rows.
        - bitmaps_only: the bounded price and date pages intersect the GIN bitmap with the
          b-tree's range instead of walking the b-tree past every cheaper product of other
          words (345 ms → 49 ms for "keripik" by price at 1,000,000)."""
        conn.exec_driver_sql(
            f"SELECT set_config('enable_seqscan', '{'off' if text_index else 'on'}', true), "
            "set_config('work_mem', '32MB', true), "
            f"set_config('enable_indexscan', '{'off' if bitmaps_only else 'on'}', true)")

    def _search(self, conn: Connection, request: SearchRequest, parsed: analysis.QueryTerms) -> SearchResult:
        terms = parsed.terms
        sql = _Sql(request)
        per_page = request.per_page
        page = max(request.page, 1)
        suggestion = None
        query = _tsquery(terms) if terms else None
        sort = _effective_sort(request, bool(terms))
        rows = self._one_pass(conn, sql, query, sort, page, per_page)
        single = {key: n for facet, key, n, _s in rows if not facet}
        if query is not None and single["n_rows"] < FEW_RESULTS:
            # Few hits: allow typos and an unfinished last word, and offer the correction.
            expansions = self._close_words(conn, self._unknown(conn, terms), unfinished=terms[-1])
            corrected = tuple(expansions[t][0] if expansions.get(t) else t for t in terms)
            if corrected != terms:
                suggestion = " ".join(t.replace("_", " ") for t in corrected)
            query = self._typed_query(conn, terms, expansions)
            rows = self._one_pass(conn, sql, query, sort, page, per_page)
            single = {key: n for facet, key, n, _s in rows if not facet}

        bounded = single["n_rows"] > COUNT_CAP
        factor = self._matches_estimate(conn, query, single) / single["n_rows"] if bounded else 1.0
        facets, _single = _facets(rows, factor)
        total = single["n_all"]
        total_is_estimate = False
        if bounded:
            # The counts above come from a sample of the matches. The filtered total is counted
            # exactly when the sample says it may be small enough (the pages need it right),
            # else it is scaled up like the facets.
            total = COUNT_CAP + 1
            if sql.filters and single["n_all"] * factor <= 1.1 * COUNT_CAP:
                self._plan(conn, text_index=query is not None)
                total = self._count_upto(conn, f"{_match(query)} AND {sql.all()}", _params(sql, query), COUNT_CAP + 1)
            if total > COUNT_CAP:
                total = max(int(round(single["n_all"] * factor)), COUNT_CAP + 1)
                total_is_estimate = True

        last_page = max((total + per_page - 1) // per_page, 1)
        in_sample = not bounded or (_sampled_order(sort) and page * per_page <= single["n_all"])
        if page <= last_page and in_sample:
            # The page came with the counts: every match was read, or the page lies within the
            # sample, the window in which relevance and rating rank a huge match set anyway.
            hits = [SearchHit(int(key), float(score))
                    for _f, key, _n, score in sorted((r for r in rows if r[0] == "hit"), key=lambda r: r[2])]
        else:
            bounds: list[int] = []
            if page <= last_page:  # the sample's sort values are those of the page asked for
                listed = next((key for facet, key, _n, _s in rows if facet == "bound"), None)
                bounds = [int(v) for v in listed.split(",")] if listed else []
            page = min(page, last_page)
            hits = self._page(conn, sql, query, sort, (page - 1) * per_page, per_page,
                              bounds, 1 / factor) if total else []
        return SearchResult(hits=hits, total=total, page=page, per_page=per_page, facets=facets, terms=terms,
                            suggestion=suggestion, only_stop_words=parsed.only_stop_words,
                            total_is_estimate=total_is_estimate)

    def _one_pass(self, conn: Connection, sql: _Sql, query: _Query | None, sort: str, page: int,
                  per_page: int) -> list:
        statement = _one_pass_sql(sql, _match(query), _score(sort, query), _order(sort),
                                  BOUNDS.get(sort))
        params = {**_params(sql, query), "cap": COUNT_CAP + 1, "limit": per_page, "offset": (page - 1) * per_page}
        self._plan(conn, text_index=query is not None)
        return conn.execute(text(statement), params).all()

    def _page(self, conn: Connection, sql: _Sql, query: _Query | None, sort: str, offset: int,
              limit: int, bounds: list[int] = (), sample_share: float = 1.0) -> list[SearchHit]:
        """One page of hits read from the table itself (a huge match set, or a page past the
        last): in-stock first, then by the chosen order, newest breaking ties (then the id, so
        pages never overlap).

        Relevance and rating rank the first max(RANK_CAP, offset + limit) matching rows (each
        row must be scored or read; see the module docstring). Price and date orders are exact:
        a bound on the sort value limits the in-stock rows read (walking the b-tree instead
        passed every cheaper product of other words), and the out-of-stock ones are read only
        once the in-stock ones run out ("in_stock DESC" first could use no index). `bounds` are
        the sort values of the sample's first in-stock rows, `sample_share` the part of all
        matches the sample is: a value about 3 × (offset + limit) rows deep is tried first; when
        fewer than a page lie within it, the value offset + limit rows deep in the sample, which
        that many rows are known to lie within; then no bound. A full page within a bound is
        the exact page: at least offset + limit rows lie within the bound."""
        where = f"{_match(query)} AND {sql.all()}"
        params = _params(sql, query)
        if _sampled_order(sort):
            window = max(RANK_CAP, offset + limit)
            statement = (
                f"SELECT product_id, score FROM (SELECT product_id, in_stock, price, rating, created, "  # noqa: S608  # nosec B608
                f"{_score(sort, query)} AS score FROM search_document WHERE {where} "
                f"LIMIT {window}) AS found ORDER BY {_order(sort)} LIMIT :limit OFFSET :offset")
            self._plan(conn, text_index=query is not None)
            rows = conn.execute(text(statement), {**params, "limit": limit, "offset": offset}).all()
            return [SearchHit(int(pid), float(score)) for pid, score in rows]
        order = _order(sort).removeprefix("in_stock DESC, ")
        tries: list[int | None] = []
        if len(bounds) >= offset + limit:
            deep = min(math.ceil(3 * (offset + limit) * sample_share), offset + limit)
            tries = list(dict.fromkeys([bounds[max(deep, 1) - 1], bounds[offset + limit - 1]]))
        found: list[int] = []
        for bound in [*tries, None]:
            within = ""
            if bound is not None:
                column, direction = BOUNDS[sort]
                within = f" AND {column} {'<=' if direction == 'ASC' else '>='} :bound"
            statement = (f"SELECT product_id FROM search_document WHERE {where} AND in_stock{within} "  # noqa: S608  # nosec B608
                         f"ORDER BY {order} LIMIT :limit OFFSET :offset")
            self._plan(conn, text_index=query is not None, bitmaps_only=bound is not None)
            found = conn.execute(text(statement), {**params, "bound": bound, "limit": limit,
                                                   "offset": offset}).scalars().all()
            if len(found) == limit:
                break
        if len(found) < limit:  # the in-stock products ran out on this page: the others follow
            self._plan(conn, text_index=query is not None)
            in_stock = self._count_upto(conn, f"{where} AND in_stock", params, offset + limit) if offset else len(found)
            rest = (f"SELECT product_id FROM search_document WHERE {where} AND NOT in_stock "  # noqa: S608  # nosec B608
                    f"ORDER BY {order} LIMIT :limit OFFSET :offset")
            found += conn.execute(text(rest), {**params, "limit": limit - len(found),
                                               "offset": max(offset - in_stock, 0)}).scalars().all()
        return [SearchHit(int(pid), 0.0) for pid in found]

    def _count_upto(self, conn: Connection, where: str, params: dict, cap: int) -> int:
        """How many rows satisfy `where`, counting no further than `cap`."""
        statement = f"SELECT count(*) FROM (SELECT 1 FROM search_document WHERE {where} LIMIT :cap) AS found"  # noqa: S608  # nosec B608
        return conn.execute(text(statement), {**params, "cap": cap}).scalar_one()

    def _unknown(self, conn: Connection, terms: tuple[str, ...]) -> tuple[str, ...]:
        """The terms of 4 letters or more that no product has (typo candidates).

        A GIN lookup lists every row with the word, which costs ~40 ms for a word in 100,000
        products; and allowed to scan the table instead, the planner scanned all of it for a
        word nobody has. So the words PostgreSQL's statistics list as the most common (ANALYZE
        keeps about a thousand) count as known without a lookup, and only the others are
        looked up, which is quick because few rows have them."""
        candidates = [t for t in terms if len(t) >= 4 and t.isalpha()]
        if not candidates:
            return ()
        common = self._common_words(conn)
        self._plan(conn)
        return tuple(t for t in candidates if t not in common
                     and not self._count_upto(conn, "tsv @@ CAST(:q AS tsquery)", {"q": _quote(t)}, 1))

    def _common_words(self, conn: Connection) -> dict[str, float]:
        """The most common lexemes of `tsv` with the share of rows that have each, from
        pg_stats (ANALYZE keeps about a thousand), read again after COMMON_WORDS_SECONDS."""
        now = time.monotonic()
        if self._common is None or now - self._common[0] > COMMON_WORDS_SECONDS:
            row = conn.execute(text(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = 'search_document' AND attname = 'tsv'"
            )).first()
            words, shares = (row or (None, None))
            self._common = (now, dict(zip(words or (), shares or (), strict=False)))
        return self._common[1]

    def _matches_estimate(self, conn: Connection, query: _Query | None, single: dict) -> int:
        """About how many rows the text matches (all rows for no text), when the sample of
        COUNT_CAP + 1 filled up (counting 100,000 matches would cost what the sample saved).

        Two estimates, the larger wins; each errs low in its own way:
        - how far into the table the sample reached: rows lie in a scrambled order, so reaching
          a tenth of the pages means a tenth of the matches. It errs low when the pages read
          hold stretches of free space (after rebuilds).
        - the planner's (pg_stats: the most common words with their frequencies): good for one
          word, and low for words that go together ("keripik pedas": 7× too few at 1,000,000)."""
        if query is None:
            rows = conn.execute(text(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = 'search_document'::regclass")).scalar_one()
            if rows and rows > 0:
                return max(int(rows), COUNT_CAP + 1)
        first = single.get("first_block", 0)
        pages = max(single.get("pages", 0) - first, 1)
        covered = min(single.get("last_block", first) - first + 1, pages)
        estimate = int(single["n_rows"] * pages / covered)
        if query is not None:
            plan = conn.execute(text(
                "EXPLAIN (FORMAT JSON) SELECT 1 FROM search_document WHERE tsv @@ CAST(:q AS tsquery)"),
                {"q": query.match}).scalar_one()
            estimate = max(estimate, int(plan[0]["Plan"]["Plan Rows"]))
        return max(estimate, COUNT_CAP + 1)

    # --- typos --------------------------------------------------------------------------------

    def _has_trigram(self, conn: Connection) -> bool:
        if self._trigram is None:
            self._trigram = conn.execute(text(
                "SELECT 1 FROM pg_indexes WHERE indexname = 'ix_search_document_words_trgm'")).first() is not None
        return self._trigram

    def _close_words(self, conn: Connection, terms: tuple[str, ...], unfinished: str = "") -> dict[str, list[str]]:
        """For each term, the words of the index within one typo (two for words of 7 letters or
        more) starting with the same letter, most frequent first.

        `unfinished` is the last word typed, which the search also completes as a prefix: when
        words of the index start with it, it is a word being typed, not a typo, and the
        trigram lookup is skipped (measured at 1,000,000 products: the lookup was most of the
        time of a prefix query).

        Most typos are of common words ("batk"), so the thousand most common words that
        PostgreSQL's statistics keep are tried first, in Python, at no cost. Otherwise the
        candidates come from the titles that pg_trgm finds similar (TYPO_ROWS of them, through
        the trigram index): that lookup costs 5–150 ms at 1,000,000 products, and one that
        takes longer than TYPO_TIMEOUT_MS (a spelling that few titles resemble makes pg_trgm
        recheck many rows) is given up: no correction rather than a slow page."""
        found: dict[str, list[str]] = {}
        if not terms:
            return found
        common = self._common_words(conn)
        lookups = []
        for term in terms:
            limit = 2 if len(term) >= 7 else 1
            close = [w for w in common if w != term and w[:1] == term[:1] and w.isalpha()
                     and edit_distance(w, term, limit) <= limit]
            if close:
                found[term] = sorted(close, key=lambda w: -common[w])[:MAX_EXPANSIONS]
            elif term != unfinished or not self._completes(conn, term, common):
                lookups.append(term)
        if not lookups or not self._has_trigram(conn):
            return found
        timeout = conn.exec_driver_sql("SELECT current_setting('statement_timeout')").scalar_one()
        for term in lookups:
            limit = 2 if len(term) >= 7 else 1
            try:
                with conn.begin_nested():  # a cancelled statement rolls back to here only
                    conn.execute(text(
                        "SELECT set_config('pg_trgm.word_similarity_threshold', :similarity, true), "
                        "set_config('statement_timeout', :timeout, true)"),
                        {"similarity": str(TYPO_SIMILARITY), "timeout": f"{TYPO_TIMEOUT_MS}ms"})
                    rows = conn.execute(text("SELECT words FROM search_document WHERE words %> :term LIMIT :n"),
                                        {"term": term, "n": TYPO_ROWS}).scalars().all()
                    conn.execute(text("SELECT set_config('statement_timeout', :timeout, true)"), {"timeout": timeout})
            except OperationalError:
                log.info("typo lookup for %r took over %d ms: skipped", term, TYPO_TIMEOUT_MS)
                continue
            counts: Counter[str] = Counter()
            for words in rows:
                for word in _WORDS.findall(words):
                    if word != term and word[0] == term[0] and edit_distance(word, term, limit) <= limit:
                        counts[word] += 1
            found[term] = [word for word, _n in counts.most_common(MAX_EXPANSIONS)]
        return found

    def _typed_query(self, conn: Connection, terms: tuple[str, ...], expansions: dict[str, list[str]]) -> _Query:
        """The query with the last word completed as it may still be typed: by the common words
        that start with it (at most MAX_EXPANSIONS, most frequent first) when there are any, else
        by a prefix match. A short prefix of common words ("bua") matched 630,684 of 1,000,000
        products through 'bua':*, whose GIN lookup took twice as long as naming its common
        completions (buah, buat, buatan, buaya); the rarer words that start with it are left out
        then, and the page is full anyway."""
        last = terms[-1]
        common = self._common_words(conn) if len(last) >= 3 else {}
        completions = sorted((w for w in common if w != last and w.startswith(last)), key=lambda w: -common[w])
        if not completions:
            return _tsquery(terms, expansions, prefix_last=True)
        return _tsquery(terms, {**expansions, last: [*expansions.get(last, ()), *completions[:MAX_EXPANSIONS]]})

    def _completes(self, conn: Connection, term: str, common: dict[str, float]) -> bool:
        """Whether some word of the index starts with `term` (3 letters or more): a common word
        (free), else one GIN lookup, cheap because only a rare prefix gets here."""
        if len(term) < 3:
            return False
        if any(word.startswith(term) for word in common):
            return True
        self._plan(conn)
        return bool(self._count_upto(conn, "tsv @@ CAST(:q AS tsquery)", {"q": _quote(term) + ":*"}, 1))

    # --- suggestions --------------------------------------------------------------------------

    def suggest(self, text_typed: str, limit: int = 40) -> SuggestHits:
        """The products the words typed so far could mean (typos allowed, the last word may be
        unfinished), best first, and the query with typos corrected."""
        parsed = analysis.query_terms(text_typed)
        if not parsed.terms:
            return SuggestHits((), [])
        with db.engine.connect() as conn:
            terms = parsed.terms
            # Close words only for words no product has (as in a search that finds little): this
            # runs at every key press, and a trigram lookup costs more than the rest.
            expansions = self._close_words(conn, self._unknown(conn, terms), unfinished=terms[-1])
            corrected = tuple(expansions[t][0] if expansions.get(t) else t for t in terms)
            query = self._typed_query(conn, terms, expansions)
            self._plan(conn)
            rows = conn.execute(text(
                f"SELECT product_id FROM (SELECT product_id, in_stock, created, {SCORE} AS score "  # noqa: S608  # nosec B608
                f"FROM search_document WHERE tsv @@ CAST(:q AS tsquery) LIMIT {SUGGEST_WINDOW}) AS found "
                "ORDER BY score DESC, in_stock DESC, created DESC, product_id DESC LIMIT :limit"
            ), {"q": query.match, "limit": limit}).scalars().all()
            return SuggestHits(corrected, [int(pid) for pid in rows])
