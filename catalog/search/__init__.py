"""Product search: one small port with two backends behind SEARCH_BACKEND.

- `whoosh` (default): an index under instance/ (catalog/search/whoosh_backend.py), for one
  machine and the embedded default.
- `postgres`: tsvector columns with a GIN index in the database itself
  (catalog/search/postgres_backend.py), so every app server searches the same index.

Both take a SearchRequest and give a SearchResult, analyse text the same way
(catalog/search/analysis.py) and index the same SearchDocument (catalog/search/documents.py).
The database is the truth: hooks.py sends every committed change of a product or seller to the
backend, and `flask search reindex` rebuilds everything.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from flask import Flask, current_app

SORT_RELEVANCE = "relevan"
SORT_CHEAPEST = "termurah"
SORT_DEAREST = "termahal"
SORT_NEWEST = "terbaru"
SORT_RATING = "rating"
# "Dekat kantor saya" for officers: the products of sellers in the office's kecamatan first,
# then of its kota, then the rest, each by relevance. The region table has no coordinates, and
# for delivery within Tangerang Raya the kecamatan is the distance people reason in.
SORT_NEAR = "terdekat"
SORTS = (SORT_RELEVANCE, SORT_CHEAPEST, SORT_DEAREST, SORT_NEWEST, SORT_RATING, SORT_NEAR)

UMKK = "umkk"  # the one switch officers use: mikro, kecil or koperasi (Inpres 2/2022)
SCALE_KOPERASI = "koperasi"
TKDN_THRESHOLD = 25
MAX_PAGE = 10_000

# Facet names in SearchResult.facets.
FACET_CATEGORY = "kategori"  # leaf category id → count
FACET_PARENT = "induk"  # top category id → count
FACET_KOTA = "kota"
FACET_KECAMATAN = "kecamatan"
FACET_SCALE = "skala"  # mikro/kecil/menengah/koperasi → count
FACET_CERTIFICATE = "sertifikat"
FACET_FLAGS = "tanda"  # umkk, tkdn, stok → count


class SearchUnavailable(Exception):
    """The index is missing or broken. The page says so and offers the basic search; the
    index is rebuilt (by the CLI, or in the background where a queue exists)."""


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    category_ids: frozenset[int] = frozenset()  # leaf ids (a top category is expanded by the caller)
    kota: str | None = None
    kecamatan: str | None = None
    scales: frozenset[str] = frozenset()  # mikro, kecil, menengah, koperasi
    umkk: bool = False
    price_min: int | None = None
    price_max: int | None = None
    certificates: frozenset[str] = frozenset()  # every one named must be present
    tkdn: bool = False  # TKDN ≥ 25 %
    in_stock: bool = False
    sort: str = SORT_RELEVANCE
    page: int = 1
    per_page: int = 20
    # Where "terdekat" measures from (an agency's office); without it that sort is relevance.
    near_kota: str | None = None
    near_kecamatan: str | None = None


@dataclass
class SearchHit:
    product_id: int
    score: float = 0.0


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict] = field(default_factory=dict)
    terms: tuple[str, ...] = ()  # the analysed query terms, for highlighting
    suggestion: str | None = None  # "Mungkin maksud Anda: …"
    only_stop_words: bool = False
    total_is_estimate: bool = False  # a backend may bound counting on huge result sets

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


@dataclass(frozen=True)
class SuggestHits:
    """What a backend finds for words typed so far: the query with typos corrected and the
    best matching products; suggestions.py turns them into phrases and sellers."""

    corrected: tuple[str, ...]
    product_ids: list[int]


class Backend(Protocol):
    name: str

    def index(self, documents: Iterable, removed: Iterable[int]) -> None: ...

    def search(self, request: SearchRequest) -> SearchResult: ...

    def suggest(self, text: str, limit: int = 40) -> SuggestHits: ...

    def rebuild(self, batches: Iterable[list], total: int, progress: Callable[[int], None] | None = None) -> int: ...

    def document_count(self) -> int: ...

    def tidy(self) -> None:
        """Reclaim what a rebuild left behind; called once no transaction of ours is open."""


def _create(app: Flask) -> Backend:
    name = app.config.get("SEARCH_BACKEND", "whoosh")
    if name == "whoosh":
        from catalog.search.whoosh_backend import WhooshBackend

        return WhooshBackend(app.config["SEARCH_INDEX_DIR"])
    if name == "postgres":
        from catalog.search.postgres_backend import PostgresBackend

        # The URI, so that a non-PostgreSQL database is refused when the app is built.
        return PostgresBackend(app.config["SQLALCHEMY_DATABASE_URI"])
    raise RuntimeError(f"SEARCH_BACKEND must be whoosh or postgres, not {name!r}")


def init_app(app: Flask) -> None:
    app.extensions["search"] = _create(app)
    from catalog.search import hooks

    hooks.register(app)


def backend() -> Backend:
    return current_app.extensions["search"]


def search(request: SearchRequest) -> SearchResult:
    return backend().search(request)


def suggest(text: str):
    """Phrases and sellers to offer while a shopper types (a suggestions.Suggestions)."""
    from catalog.search.suggestions import suggestions_for

    return suggestions_for(text, backend().suggest(text))


def reindex_products(product_ids: Iterable[int]) -> None:
    """Bring these products' documents up to date (removing those no longer visible)."""
    from catalog.search.documents import documents_for

    documents, removed = documents_for(product_ids)
    backend().index(documents, removed)


def rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database; returns the number of documents."""
    from catalog.extensions import db
    from catalog.search.documents import all_documents, count_visible

    count = backend().rebuild(all_documents(), count_visible(), progress)
    # End the read transaction all_documents() ran in before tidying: while it stays open it
    # holds PostgreSQL's horizon back and a VACUUM can remove none of the replaced rows.
    db.session.commit()
    backend().tidy()
    return count
