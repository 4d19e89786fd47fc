"""What the search index knows about a product, read from the database in bulk.

The database is the truth; an index document is a flat copy of what search matches on (title,
description, options, category, seller) and filters on (category, region, scale, certificates,
price, TKDN, stock). Only products the public may see are indexed: an active product of a
verified seller. Everything else is removed from the index.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.extensions import db
from catalog.models import Category, Product, Seller
from catalog.models.base import utcnow
from catalog.models.products import PRODUCT_ACTIVE, OptionValue, ProductOption, product_certificate
from catalog.models.sellers import CERTIFICATE_KINDS, SCALE_KECIL, SCALE_MIKRO, STATUS_VERIFIED, SellerDocument
from catalog.services.richtext import plain_text

BATCH = 2_000


@dataclass(frozen=True)
class SearchDocument:
    id: int
    title: str
    body: str  # description, option values, category names, unit: matched below the title
    seller_name: str
    seller_id: int
    category_id: int
    parent_category_id: int  # the top category (equals category_id for a top category)
    kota_code: str
    kecamatan_code: str
    scale: str
    is_koperasi: bool
    certificates: frozenset[str]
    price: int
    price_max: int
    in_stock: bool
    tkdn_pct: int
    rating: float  # 0 when unrated
    created: int  # unix seconds, for "newest"

    @property
    def counts_as_umkk(self) -> bool:
        return self.is_koperasi or self.scale in (SCALE_MIKRO, SCALE_KECIL)


def _rows(session: Session, product_ids: list[int]):
    parent = Category.__table__.alias("parent")
    statement = (
        select(
            Product.status, Seller.status,
            Product.id, Product.title, Product.description, Product.unit, Product.price, Product.price_max,
            Product.stock, Product.made_to_order, Product.tkdn_pct, Product.rating_sum, Product.rating_count,
            Product.created_at, Product.seller_id, Product.category_id,
            Seller.business_name, Seller.kota_code, Seller.kecamatan_code, Seller.scale, Seller.is_koperasi,
            Category.name, Category.parent_id, parent.c.name,
        )
        .join(Seller, Seller.id == Product.seller_id)
        .join(Category, Category.id == Product.category_id)
        .outerjoin(parent, parent.c.id == Category.parent_id)
        .where(Product.id.in_(product_ids))
        .order_by(Product.id)
    )
    # Visibility is checked here rather than in SQL: with "status = 'active'" in the WHERE,
    # SQLite walks the status index (every active product) instead of the id list.
    return [row[2:] for row in session.execute(statement).all()
            if row[0] == PRODUCT_ACTIVE and row[1] == STATUS_VERIFIED]


def _certificates(session: Session, product_ids: list[int], today: date) -> dict[int, set[str]]:
    rows = session.execute(
        select(product_certificate.c.product_id, SellerDocument.kind, SellerDocument.expired, SellerDocument.expires_on)
        .join(SellerDocument, SellerDocument.id == product_certificate.c.document_id)
        .where(product_certificate.c.product_id.in_(product_ids), SellerDocument.kind.in_(CERTIFICATE_KINDS))
    ).all()
    found: dict[int, set[str]] = defaultdict(set)
    for product_id, kind, expired, expires_on in rows:
        if not expired and (expires_on is None or expires_on >= today):
            found[product_id].add(kind)
    return found


def _option_words(session: Session, product_ids: list[int]) -> dict[int, list[str]]:
    rows = session.execute(
        select(ProductOption.product_id, ProductOption.name, OptionValue.value)
        .join(OptionValue, OptionValue.option_id == ProductOption.id)
        .where(ProductOption.product_id.in_(product_ids))
        .order_by(ProductOption.product_id, ProductOption.position, OptionValue.position)
    ).all()
    words: dict[int, list[str]] = defaultdict(list)
    for product_id, name, value in rows:
        if not words[product_id] or words[product_id][-1] != name:
            words[product_id].append(name)
        words[product_id].append(value)
    return words


def _build(session: Session, rows) -> list[SearchDocument]:
    if not rows:
        return []
    ids = [row[0] for row in rows]
    today = utcnow().date()
    certificates = _certificates(session, ids, today)
    options = _option_words(session, ids)
    documents = []
    for (pid, title, description, unit, price, price_max, stock, made_to_order, tkdn, rating_sum, rating_count,
         created_at, seller_id, category_id, seller_name, kota, kecamatan, scale, koperasi,
         category_name, parent_id, parent_name) in rows:
        body = " ".join(filter(None, (plain_text(description or ""), " ".join(options.get(pid, ())),
                                      category_name, parent_name or "", unit)))
        documents.append(SearchDocument(
            id=pid, title=title, body=body, seller_name=seller_name, seller_id=seller_id,
            category_id=category_id, parent_category_id=parent_id or category_id,
            kota_code=kota or "", kecamatan_code=kecamatan or "", scale=scale, is_koperasi=bool(koperasi),
            certificates=frozenset(certificates.get(pid, ())), price=int(price), price_max=int(price_max),
            in_stock=bool(made_to_order or stock > 0), tkdn_pct=int(tkdn or 0),
            rating=round(rating_sum / rating_count, 2) if rating_count else 0.0,
            created=int(created_at.timestamp()),
        ))
    return documents


def documents_for(product_ids: Iterable[int], session: Session | None = None) -> tuple[list[SearchDocument], set[int]]:
    """The documents of those products that are visible, and the ids of those that are not
    (deleted, draft, archived, or of a seller who is not verified): the index removes those."""
    session = session or db.session
    ids = sorted(set(product_ids))
    documents: list[SearchDocument] = []
    for start in range(0, len(ids), BATCH):
        documents += _build(session, _rows(session, ids[start : start + BATCH]))
    return documents, set(ids) - {d.id for d in documents}


def all_documents(batch: int = BATCH) -> Iterator[list[SearchDocument]]:
    """Every visible product, in batches by id. The ids come first from the primary key alone
    (keyset pagination: no deep OFFSET); filtering by visibility inside that query made SQLite
    scan every active product for each batch."""
    after = 0
    while True:
        ids = list(db.session.scalars(select(Product.id).where(Product.id > after).order_by(Product.id).limit(batch)))
        if not ids:
            return
        yield _build(db.session, _rows(db.session, ids))
        after = ids[-1]


def product_ids_of_seller(seller_id: int, session: Session | None = None) -> list[int]:
    return list((session or db.session).scalars(select(Product.id).where(Product.seller_id == seller_id)))


def count_visible() -> int:
    return db.session.scalar(
        select(func.count(Product.id)).join(Seller, Seller.id == Product.seller_id)
        .where(Product.status == PRODUCT_ACTIVE, Seller.status == STATUS_VERIFIED)
    ) or 0
