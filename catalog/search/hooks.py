"""The index follows the database: every committed change of a product (or of what a product's
document is made of: variants, options, photos, certificates) or of a seller is sent to the
search backend right after the commit, so a seller finds a saved product within a second and a
suspended seller's products disappear at once.

The SearchableMixin idea from Miguel Grinberg's microblog, done with session events: changed
objects are collected at each flush (ORM changes) or marked by the services that write with
Core UPDATEs (stock), kept in session.info, and handled once the committed transaction has
ended. A rollback forgets them. The session cannot run SQL of its own then, so documents are
read through a short-lived session of their own — after the session has given its connection
back to the pool: read from after_commit (which fires while the connection is still held),
threads that all committed at once each held one connection and waited for a second, and the
pool ran dry (bench/checkout_contention.py: 180 of 200 buyers timed out). A failure to update the index is logged and never fails the
request that saved the data: the database is the truth, and `flask search reindex` repairs.
"""

import logging
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from catalog.extensions import db
from catalog.jobs.search import queued_for_index
from catalog.models import OptionValue, Product, ProductImage, ProductOption, ProductVariant, Seller, SellerDocument
from catalog.models.sellers import CERTIFICATE_KINDS

log = logging.getLogger(__name__)

PRODUCTS = "search_products"
SELLERS = "search_sellers"
PAUSED = "search_paused"
COMMITTED = "search_committed"  # ids of a committed transaction, indexed when it has ended
# A seller's fields that appear in its products' documents: other changes (a phone number, a
# view count) need no reindexing.
SELLER_FIELDS = ("status", "business_name", "kota_code", "kecamatan_code", "scale", "is_koperasi")


@contextmanager
def paused():
    """Bulk loads (the demo seeder) write thousands of products; indexing them one commit at a
    time costs minutes. Inside this block nothing is sent to the index: the caller rebuilds it
    afterwards in one pass (search.rebuild())."""
    session = db.session()
    session.info[PAUSED] = True
    try:
        yield
    finally:
        session.info.pop(PAUSED, None)
        _after_rollback(session)


def mark_products(session: Session, product_ids) -> None:
    """For services that change products with Core UPDATEs, which the ORM does not see."""
    session.info.setdefault(PRODUCTS, set()).update(product_ids)


def mark_seller(session: Session, seller_id: int) -> None:
    session.info.setdefault(SELLERS, set()).add(seller_id)


def _product_id_of(obj) -> int | None:
    if isinstance(obj, Product):
        return obj.id
    if isinstance(obj, ProductVariant | ProductImage | ProductOption):
        return obj.product_id
    if isinstance(obj, OptionValue):
        return obj.option.product_id if obj.option is not None else None
    return None


def _seller_changed(seller: Seller) -> bool:
    from sqlalchemy import inspect

    state = inspect(seller)
    return any(state.attrs[name].history.has_changes() for name in SELLER_FIELDS)


def _after_flush(session: Session, _context) -> None:
    if session.info.get(PAUSED):
        return
    products = session.info.setdefault(PRODUCTS, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        product_id = _product_id_of(obj)
        if product_id is not None:
            products.add(product_id)
        elif isinstance(obj, Seller) and (obj in session.new or obj in session.deleted or _seller_changed(obj)):
            mark_seller(session, obj.id)
        elif isinstance(obj, SellerDocument) and obj.kind in CERTIFICATE_KINDS and obj.seller_id is not None:
            # A certificate marked expired (the daily check) or replaced changes the
            # "sertifikat" filter of the products it is attached to: reindex the seller's
            # products (helper fix: an expired halal certificate kept counting).
            mark_seller(session, obj.seller_id)


def _after_rollback(session: Session) -> None:
    session.info.pop(PRODUCTS, None)
    session.info.pop(SELLERS, None)
    session.info.pop(COMMITTED, None)


def _after_commit(session: Session) -> None:
    if session.info.get(PAUSED):
        return
    products = session.info.pop(PRODUCTS, set())
    sellers = session.info.pop(SELLERS, set())
    if products or sellers:
        done_products, done_sellers = session.info.setdefault(COMMITTED, (set(), set()))
        done_products.update(products)
        done_sellers.update(sellers)


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None:  # a savepoint or subtransaction: the outer one decides
        return
    committed = session.info.pop(COMMITTED, None)
    if committed and not queued_for_index(*committed):
        _index(*committed)


def index_now(products: set[int], sellers: set[int]) -> int:
    """Send these products' (and these sellers' products') documents to the backend; raises on
    failure (the background job retries)."""
    from catalog import search
    from catalog.search.documents import documents_for, product_ids_of_seller

    with Session(db.engine) as reading:
        for seller_id in sellers:
            products.update(product_ids_of_seller(seller_id, session=reading))
        documents, removed = documents_for(products, session=reading)
    search.backend().index(documents, removed)
    return len(products)


def _index(products: set[int], sellers: set[int]) -> None:
    from flask import current_app

    try:
        index_now(products, sellers)
    except Exception:  # the index is a copy: never lose the user's saved data over it
        log.exception("search index update failed for %d products", len(products))
        if current_app.testing and current_app.config.get("SEARCH_RAISE_ERRORS", True):
            raise


def register(app: Flask) -> None:
    if app.extensions.get("search_hooks"):
        return
    app.extensions["search_hooks"] = True
    if event.contains(db.session, "after_flush", _after_flush):
        return
    event.listen(db.session, "after_flush", _after_flush)
    event.listen(db.session, "after_commit", _after_commit)
    event.listen(db.session, "after_rollback", _after_rollback)
    event.listen(db.session, "after_transaction_end", _after_transaction_end)
