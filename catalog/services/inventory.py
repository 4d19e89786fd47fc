"""Stock: every change goes through here, as one conditional UPDATE, logged in InventoryLog and audited.

Stock never goes below zero: the database checks it in the same statement that changes it
(`stock = stock + :delta WHERE stock + :delta >= 0`), so two concurrent changes cannot both pass
a check made in Python and oversell. When variants arrive (issue 11) these functions move from
the product row to the variant row; callers keep the same shape (object, delta, actor, reason).
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from catalog.extensions import db
from catalog.models.products import InventoryLog, Product
from catalog.services import audit
from catalog.services.errors import OutOfStock, ValidationFailed
from catalog.services.money import MAX_QUANTITY

REASON_MANUAL = "manual"
REASON_IMPORT = "import"
REASON_CREATED = "created"
REASON_ORDER = "order"  # the shop issue (5) reserves stock with this reason
REASON_ORDER_CANCELLED = "order_cancelled"
REASONS = (REASON_MANUAL, REASON_IMPORT, REASON_CREATED, REASON_ORDER, REASON_ORDER_CANCELLED)

NOTE_MAX = 200

MSG_BELOW_ZERO = _l("Stok tidak boleh kurang dari nol.")
MSG_TOO_LARGE = _l("Stok terlalu besar.")


def adjust_stock(product: Product, delta: int, *, actor_id: int | None, reason: str, note: str = "") -> int:
    """Add `delta` (may be negative) to the product's stock and return the new stock.

    Runs in the caller's transaction (the caller commits). Raises OutOfStock for an order that
    asks for more than there is, ValidationFailed for any other change that would go below zero;
    in both cases nothing is changed.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown stock reason {reason!r}")
    if delta == 0:
        return product.stock
    # The session may hold pending changes to this product (a new row, an edited title): the
    # UPDATE below must see the row, and the ORM must not later overwrite the new stock.
    db.session.flush()
    result = db.session.execute(
        update(Product)
        .where(Product.id == product.id, Product.stock + delta >= 0, Product.stock + delta <= MAX_QUANTITY)
        .values(stock=Product.stock + delta)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        current = db.session.execute(select(Product.stock).where(Product.id == product.id)).scalar_one()
        if current + delta > MAX_QUANTITY:
            raise ValidationFailed(MSG_TOO_LARGE, field="stock")
        if reason == REASON_ORDER:
            raise OutOfStock(_l("Stok tidak mencukupi."), field="stock")
        raise ValidationFailed(MSG_BELOW_ZERO, field="stock")
    stock_after = db.session.execute(select(Product.stock).where(Product.id == product.id)).scalar_one()
    # Keep the loaded object in step without marking it dirty (a later flush must not write an
    # old value back over a concurrent change).
    set_committed_value(product, "stock", stock_after)
    _log(product, delta, stock_after, actor_id=actor_id, reason=reason, note=note)
    return stock_after


def set_stock(product: Product, new_stock: int, *, actor_id: int | None, reason: str, note: str = "") -> int:
    """Make the stock `new_stock` (what the seller counted on the shelf): the difference from
    the stored stock, read now, is applied through adjust_stock so it is logged as a delta."""
    if new_stock < 0:
        raise ValidationFailed(MSG_BELOW_ZERO, field="stock")
    if new_stock > MAX_QUANTITY:
        raise ValidationFailed(MSG_TOO_LARGE, field="stock")
    db.session.flush()
    current = db.session.execute(
        select(Product.stock).where(Product.id == product.id).with_for_update()
    ).scalar_one()
    return adjust_stock(product, new_stock - current, actor_id=actor_id, reason=reason, note=note)


def record_initial_stock(product: Product, *, actor_id: int | None, reason: str = REASON_CREATED, note: str = "") -> None:
    """Log the opening stock of a product just added to the session (nobody else can see the
    row yet, so there is nothing to race with). Writes no audit event of its own: the
    "product.created" event already carries the stock."""
    if product.stock < 0:
        raise ValidationFailed(MSG_BELOW_ZERO, field="stock")
    if product.stock:
        db.session.flush()
        db.session.add(
            InventoryLog(product_id=product.id, actor_id=actor_id, delta=product.stock,
                         stock_after=product.stock, reason=reason, note=note[:NOTE_MAX])
        )


def record_initial_stocks(products: list[Product], *, actor_id: int | None, reason: str) -> None:
    """record_initial_stock for many products already flushed (a CSV import), in one batch."""
    db.session.add_all(
        InventoryLog(product_id=p.id, actor_id=actor_id, delta=p.stock, stock_after=p.stock, reason=reason, note="")
        for p in products if p.stock
    )


def set_stocks(moves: list[tuple[Product, int, int]], *, actor_id: int | None, reason: str) -> list[tuple[int, int, int]]:
    """Set many stocks at once: each move is (product, the stock the caller read, the new stock).

    One compare-and-set UPDATE per product (`WHERE id = :id AND stock = :expected`), sent as a
    single batch; when any product's stock changed since it was read (an order came in), nothing
    is applied and ValidationFailed asks to try again. Each change is logged in InventoryLog;
    returns (product id, before, after) for the caller's single audit event (a CSV import audits
    the whole file as one event instead of one event per row).
    """
    if not moves:
        return []
    for _product, _expected, new in moves:
        if new < 0:
            raise ValidationFailed(MSG_BELOW_ZERO, field="stock")
        if new > MAX_QUANTITY:
            raise ValidationFailed(MSG_TOO_LARGE, field="stock")
    table = Product.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("pid"), table.c.stock == bindparam("expected"))
        .values(stock=bindparam("new"))
    )
    # Rows in id order, so two imports touching the same products cannot deadlock.
    ordered = sorted(moves, key=lambda move: move[0].id)
    params = [{"pid": p.id, "expected": expected, "new": new} for p, expected, new in ordered]
    result = db.session.connection().execute(statement, params)
    if result.rowcount != len(params):
        raise ValidationFailed(
            _l("Stok sebagian produk berubah saat impor berjalan (ada pesanan masuk). Silakan impor ulang."),
            field="stock",
        )
    out = []
    for product, expected, new in ordered:
        set_committed_value(product, "stock", new)
        out.append((product.id, expected, new))
    db.session.add_all(
        InventoryLog(product_id=pid, actor_id=actor_id, delta=after - before, stock_after=after, reason=reason,
                     note="")
        for pid, before, after in out
    )
    return out


def _log(product: Product, delta: int, stock_after: int, *, actor_id: int | None, reason: str, note: str) -> None:
    note = (note or "").strip()[:NOTE_MAX]
    db.session.add(
        InventoryLog(product_id=product.id, actor_id=actor_id, delta=delta, stock_after=stock_after,
                     reason=reason, note=note)
    )
    audit.record(
        "product.stock_changed",
        object_type="product",
        object_id=product.id,
        actor_id=actor_id,
        before={"stock": stock_after - delta},
        after={"stock": stock_after, "delta": delta, "reason": reason},
        reason=note or None,
    )


def stock_history(product: Product, limit: int = 20) -> list[tuple[InventoryLog, str | None]]:
    """The newest `limit` stock changes of a product with the name of who made each (one query)."""
    from catalog.models.users import User

    rows = db.session.execute(
        select(InventoryLog, User.name)
        .outerjoin(User, User.id == InventoryLog.actor_id)
        .where(InventoryLog.product_id == product.id)
        .order_by(InventoryLog.created_at.desc(), InventoryLog.id.desc())
        .limit(limit)
    ).all()
    return [(log, name) for log, name in rows]
