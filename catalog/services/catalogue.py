"""Read-side queries for the public pages: home sections, category listings, product pages, basic search.

Every listing goes through `visible_products()` so the rule "an active product of a verified
seller" lives in one place. Each function issues a fixed number of statements whatever the number
of rows shown (eager loading, no query per row); tests/integration/test_query_counts.py holds us
to that.
"""

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from catalog.extensions import db
from catalog.models import Category, Product, Region, Seller
from catalog.models.products import PRODUCT_ACTIVE, ProductOption
from catalog.models.sellers import CERTIFICATE_KINDS, STATUS_VERIFIED, SellerDocument
from catalog.services import reviews
from catalog.services.errors import NotFound
from catalog.services.reviews import ShownReview

# The three kota/kabupaten of Tangerang Raya, in the order the home page offers them.
KOTA_TANGSEL = "36.74"
KOTA_TANGERANG = "36.71"
KAB_TANGERANG = "36.03"
KOTA_CHOICES = (KOTA_TANGSEL, KOTA_TANGERANG, KAB_TANGERANG)
DEFAULT_KOTA = KOTA_TANGSEL

NEWEST_ON_HOME = 12
SELLERS_ON_HOME = 8
FEATURED_CATEGORIES_ON_HOME = 12
MORE_FROM_SELLER = 6
MAX_QUERY_LENGTH = 100
MAX_QUERY_TERMS = 8

# ?urut= values; the first is the default. Ties broken by id so pages never overlap.
SORT_NEWEST = "terbaru"
SORT_CHEAPEST = "termurah"
SORT_DEAREST = "termahal"
SORTS = {
    SORT_NEWEST: (Product.created_at.desc(), Product.id.desc()),
    SORT_CHEAPEST: (Product.price.asc(), Product.id.desc()),
    SORT_DEAREST: (Product.price.desc(), Product.id.desc()),
}


# --- the visibility rule -------------------------------------------------------------------

def visible_product_clause() -> ColumnElement[bool]:
    """The one rule for what the public sees: an active product of a verified seller.

    Needs Seller in the FROM clause (visible_products() joins it)."""
    return and_(Product.status == PRODUCT_ACTIVE, Seller.status == STATUS_VERIFIED)


def visible_products() -> Select:
    """SELECT Product joined to its seller, filtered by the visibility rule, with what a
    product card shows (seller, the seller's kecamatan, photos) loaded in bounded queries."""
    return (
        select(Product)
        .join(Product.seller)
        .where(visible_product_clause())
        .options(
            contains_eager(Product.seller).joinedload(Seller.kecamatan),
            selectinload(Product.images),
        )
    )


# --- parameters from the address bar ---------------------------------------------------------

def page_number(raw: object) -> int:
    """?hal= as a page number ≥ 1; anything unreadable (text, negative, absurdly long) is page 1."""
    text = str(raw or "").strip()
    if not text.isdigit() or len(text) > 9:
        return 1
    return max(int(text), 1)


def sort_key(raw: object) -> str:
    """?urut= as one of SORTS; anything else falls back to the default."""
    return raw if isinstance(raw, str) and raw in SORTS else SORT_NEWEST


def clean_query(raw: object) -> str:
    """The search text as typed, minus control characters (PostgreSQL refuses NUL), with
    whitespace collapsed and cut to MAX_QUERY_LENGTH characters."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in str(raw or "")[: MAX_QUERY_LENGTH * 4])
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def _like_pattern(term: str) -> str:
    """%term% with LIKE's own wildcards escaped, so "50%" and "a_b" match literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- results ---------------------------------------------------------------------------------

@dataclass
class ProductPage:
    """One page of a product listing, with what the "Menampilkan 1–24 dari 312" line needs."""

    items: list[Product]
    total: int
    page: int
    per_page: int
    sort: str

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1)

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, None where a gap is shown: [1, None, 5, 6, 7, None, 20]."""
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and out[-1] is not None and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out


def _paginate(*criteria: ColumnElement[bool], sort: str, page: int, per_page: int) -> ProductPage:
    """Visible products meeting `criteria`: count, clamp the page into range (a page past the
    end shows the last one), fetch one page. Three statements, photos included."""
    count_stmt = select(func.count(Product.id)).join(Product.seller).where(visible_product_clause(), *criteria)
    total = db.session.scalar(count_stmt) or 0
    pages = max(ceil(total / per_page), 1)
    page = min(page, pages)
    items: list[Product] = []
    if total:
        stmt = visible_products().where(*criteria).order_by(*SORTS[sort]).limit(per_page).offset((page - 1) * per_page)
        items = list(db.session.scalars(stmt))
    return ProductPage(items=items, total=total, page=page, per_page=per_page, sort=sort)


@dataclass
class NearbySeller:
    seller: Seller
    product_count: int


class HomePage:
    """Everything the home page shows, each part queried when the template first reads it: the
    template keeps its sections in the fragment cache, and a cached section costs no statement."""

    def __init__(self, kota_code: str):
        self.kota_code = kota_code

    @cached_property
    def _regions(self) -> dict[str, Region]:
        return {r.code: r for r in db.session.scalars(select(Region).where(Region.code.in_(KOTA_CHOICES)))}

    @cached_property
    def categories(self) -> list[Category]:
        return featured_categories()

    @cached_property
    def newest(self) -> list[Product]:
        return newest_products()

    @property
    def kota_choices(self) -> list[Region]:
        return [self._regions[c] for c in KOTA_CHOICES if c in self._regions]

    @property
    def kota(self) -> Region | None:
        return self._regions.get(self.kota_code)

    @cached_property
    def sellers(self) -> list[NearbySeller]:
        return sellers_in_kota(self.kota_code)


def home_page(kota_code: object = None) -> HomePage:
    """Everything the home page shows; an unknown ?kota= falls back to Kota Tangerang Selatan."""
    return HomePage(kota_code if kota_code in KOTA_CHOICES else DEFAULT_KOTA)


def featured_categories(limit: int = FEATURED_CATEGORIES_ON_HOME) -> list[Category]:
    """Featured top-level categories; every top-level one when none is featured yet."""
    top = select(Category).where(Category.parent_id.is_(None)).order_by(Category.position, Category.name)
    featured = list(db.session.scalars(top.where(Category.is_featured.is_(True)).limit(limit)))
    return featured or list(db.session.scalars(top.limit(limit)))


def all_categories() -> list[Category]:
    """The whole two-level tree (top level, children loaded in one more statement)."""
    stmt = (
        select(Category)
        .where(Category.parent_id.is_(None))
        .options(selectinload(Category.children))
        .order_by(Category.position, Category.name)
    )
    return list(db.session.scalars(stmt))


def newest_products(limit: int = NEWEST_ON_HOME) -> list[Product]:
    stmt = visible_products().order_by(*SORTS[SORT_NEWEST]).limit(limit)
    return list(db.session.scalars(stmt))


def sellers_in_kota(kota_code: str, limit: int = SELLERS_ON_HOME) -> list[NearbySeller]:
    """Verified sellers of one kota with their number of active products, most products first.

    One grouped statement (GROUP BY the seller's primary key, which PostgreSQL accepts for the
    seller's other columns) plus one for the kecamatan names."""
    product_count = func.count(Product.id)
    stmt = (
        select(Seller, product_count)
        .outerjoin(Product, and_(Product.seller_id == Seller.id, Product.status == PRODUCT_ACTIVE))
        .where(Seller.status == STATUS_VERIFIED, Seller.kota_code == kota_code)
        .group_by(Seller.id)
        .order_by(product_count.desc(), Seller.business_name, Seller.id)
        .limit(limit)
        .options(selectinload(Seller.kecamatan))
    )
    return [NearbySeller(seller=seller, product_count=count) for seller, count in db.session.execute(stmt)]


class CategoryListing:
    """A category, its chips and its page of products. Everything but the category itself is
    queried when the template first reads it, so a fragment-cached listing costs one statement."""

    def __init__(self, category: Category, *, sort: str, page: int, per_page: int):
        self.category = category
        self.sort, self.page, self.per_page = sort, page, per_page

    @cached_property
    def _family(self) -> list[Category]:
        """The top category and its children in one statement (the tree has two levels: the
        Dinas cannot put a category under a child, services/category_admin.py)."""
        top_id = self.category.parent_id or self.category.id
        return list(db.session.scalars(
            select(Category).where(or_(Category.id == top_id, Category.parent_id == top_id))
            .order_by(Category.position, Category.name)))

    @cached_property
    def parent(self) -> Category | None:
        return next((c for c in self._family if c.id == self.category.parent_id), None)

    @cached_property
    def chips(self) -> list[Category]:
        """Under the title: a top category's children, or a child's siblings."""
        top_id = self.category.parent_id or self.category.id
        return [c for c in self._family if c.parent_id == top_id]

    @cached_property
    def products(self) -> ProductPage:
        """A top category's products include its children's; a child has no children."""
        category_ids = [self.category.id] if self.category.parent_id else [self.category.id, *(c.id for c in self.chips)]
        return _paginate(Product.category_id.in_(category_ids), sort=self.sort, page=self.page, per_page=self.per_page)


def category_listing(slug: str, *, sort: object = None, page: object = None, per_page: int = 24) -> CategoryListing:
    """A category's visible products; a top-level category includes its children's products.

    Raises NotFound for an unknown slug."""
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound(_l("Kategori tidak ditemukan."))
    return CategoryListing(category, sort=sort_key(sort), page=page_number(page), per_page=per_page)


@dataclass
class ProductDetail:
    product: Product
    certificates: list[SellerDocument]
    more_from_seller: list[Product] = field(default_factory=list)
    reviews: list[ShownReview] = field(default_factory=list)  # the latest, newest first


def product_detail(slug: str) -> ProductDetail:
    """A visible product with everything its page shows, options and combinations included. Raises NotFound for an unknown slug,
    a draft or archived product, or a seller who is not (or no longer) verified."""
    stmt = (
        select(Product)
        .join(Product.seller)
        .where(Product.slug == slug, visible_product_clause())
        .options(
            contains_eager(Product.seller).joinedload(Seller.kecamatan),
            contains_eager(Product.seller).joinedload(Seller.kota),
            joinedload(Product.category).joinedload(Category.parent),
            selectinload(Product.images),
            selectinload(Product.certificates),
            # The option picker: options, their values and the combinations, three statements
            # however many combinations (none for the values of a product without options).
            selectinload(Product.options).selectinload(ProductOption.values),
            selectinload(Product.variants),
        )
    )
    product = db.session.scalar(stmt)
    if product is None:
        raise NotFound(_l("Produk tidak ditemukan."))
    # Expired or revoked certificates stay attached for the seller to renew, but buyers only
    # see the ones that still hold today.
    certificates = [doc for doc in product.certificates if doc.kind in CERTIFICATE_KINDS and doc.is_valid]
    more = list(
        db.session.scalars(
            visible_products()
            .where(Product.seller_id == product.seller_id, Product.id != product.id)
            .order_by(*SORTS[SORT_NEWEST])
            .limit(MORE_FROM_SELLER)
        )
    )
    # No statement at all for the many products nobody has rated yet.
    latest = reviews.latest_for_product(product.id) if product.rating_count else []
    return ProductDetail(product=product, certificates=certificates, more_from_seller=more, reviews=latest)


@dataclass
class SearchResults:
    query: str
    products: ProductPage | None  # None when nothing was asked


def search_products(raw_query: object, *, sort: object = None, page: object = None, per_page: int = 24) -> SearchResults:
    """Basic search until the full-text engine arrives: every word of the query must appear,
    case-insensitively, in the product title or the seller's business name."""
    query = clean_query(raw_query)
    if not query:
        return SearchResults(query="", products=None)
    criteria = [
        or_(Product.title.ilike(pattern, escape="\\"), Seller.business_name.ilike(pattern, escape="\\"))
        for pattern in map(_like_pattern, query.split()[:MAX_QUERY_TERMS])
    ]
    products = _paginate(*criteria, sort=sort_key(sort), page=page_number(page), per_page=per_page)
    return SearchResults(query=query, products=products)
