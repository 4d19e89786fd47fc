"""Stock: every change of a variant's stock goes through here, as one conditional UPDATE, logged in
InventoryLog and audited.

Stock lives on the variant (a product without options has one default variant). Stock never
goes below zero: the database checks it in the same statement that changes it
(`stock = stock + :delta WHERE stock + :delta >= 0`), so two concurrent changes cannot both pass a
check made in Python and oversell.

The product row carries the stock of its active variants together (for "in stock" filters and
cards). It moves by the same delta in a second UPDATE (`stock = stock + :delta`), which is
correct under concurrency because PostgreSQL re-reads a row another transaction changed before
applying an increment. When several variants change in one transaction (an order, an import),
all variant rows are touched first in id order, then all product rows in id order, so two such
transactions can never wait on each other in a circle (deadlock).
"""

from collections import defaultdict
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from catalog.extensions import db
from catalog.models.products import InventoryLog, Product, ProductVariant
from catalog.search import hooks as search_hooks
from catalog.services import audit
from catalog.services.errors import OutOfStock, ValidationFailed
from catalog.services.money import MAX_QUANTITY

REASON_MANUAL = "manual"
REASON_IMPORT = "import"
REASON_CREATED = "created"
REASON_VARIANTS = "variants"  # options changed: combinations added, removed or merged
REASON_ORDER = "order"  # the shop issue (5) reserves stock with this reason
REASON_ORDER_CANCELLED = "order_cancelled"
REASONS = (REASON_MANUAL, REASON_IMPORT, REASON_CREATED, REASON_VARIANTS, REASON_ORDER, REASON_ORDER_CANCELLED)

NOTE_MAX = 200

MSG_BELOW_ZERO = _l("Stok tidak boleh kurang dari nol.")
MSG_TOO_LARGE = _l("Stok terlalu besar.")


def _stock_of(variant_id: int) -> int:
    return db.session.execute(select(ProductVariant.stock).where(ProductVariant.id == variant_id)).scalar_one()


def _move_products(deltas: dict[int, int]) -> None:
    """Add each delta to its product's stock total, in product id order.

    These are Core UPDATEs, which the search index hooks do not see, so they are told here —
    but only of products whose stock crossed zero: the index keeps "in stock", not the count,
    and reindexing every product on every order cost a Whoosh write per checkout."""
    crossed = []
    for product_id in sorted(deltas):
        delta = deltas[product_id]
        if not delta:
            continue
        after = db.session.execute(
            update(Product).where(Product.id == product_id).values(stock=Product.stock + delta)
            .returning(Product.stock).execution_options(synchronize_session=False)
        ).scalar_one()
        if (after - delta > 0) != (after > 0):
            crossed.append(product_id)
        product = db.session.identity_map.get((Product, (product_id,), None))
        if product is not None:
            # Keep a loaded product in step without marking it dirty (a later flush must not
            # write an old value over a concurrent change).
            set_committed_value(product, "stock", after)
    search_hooks.mark_products(db.session(), crossed)


def adjust_stock(variant: ProductVariant, delta: int, *, actor_id: int | None, reason: str, note: str = "") -> int:
    """Add `delta` (may be negative) to the variant's stock and return its new stock.

    Runs in the caller's transaction (the caller commits). Raises OutOfStock for an order that
    asks for more than there is, ValidationFailed for any other change that would go below zero;
    in both cases nothing is changed.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown stock reason {reason!r}")
    if delta == 0:
        return variant.stock
    # The session may hold pending changes (a new variant row): the UPDATE below must see them.
    db.session.flush()
    result = db.session.execute(
        update(ProductVariant)
        .where(ProductVariant.id == variant.id, ProductVariant.stock + delta >= 0,
               ProductVariant.stock + delta <= MAX_QUANTITY)
        .values(stock=ProductVariant.stock + delta)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        if _stock_of(variant.id) + delta > MAX_QUANTITY:
            raise ValidationFailed(MSG_TOO_LARGE, field="stock")
        if reason == REASON_ORDER:
            raise OutOfStock(_l("Stok tidak mencukupi."), field="stock")
        raise ValidationFailed(MSG_BELOW_ZERO, field="stock")
    stock_after = _stock_of(variant.id)
    set_committed_value(variant, "stock", stock_after)
    if variant.active:
        _move_products({variant.product_id: delta})
    _log(variant, delta, stock_after, actor_id=actor_id, reason=reason, note=note)
    return stock_after


def set_stock(variant: ProductVariant, new_stock: int, *, actor_id: int | None, reason: str, note: str = "") -> int:
    """Make the variant's stock `new_stock` (what the seller counted on the shelf): the
    difference from the stored stock, read now under a row lock, goes through adjust_stock so it
    is logged as a delta."""
    _check_level(new_stock)
    db.session.flush()
    current = db.session.execute(
        select(ProductVariant.stock).where(ProductVariant.id == variant.id).with_for_update()
    ).scalar_one()
    return adjust_stock(variant, new_stock - current, actor_id=actor_id, reason=reason, note=note)


def _check_level(stock: int) -> None:
    if stock < 0:
        raise ValidationFailed(MSG_BELOW_ZERO, field="stock")
    if stock > MAX_QUANTITY:
        raise ValidationFailed(MSG_TOO_LARGE, field="stock")


def record_initial_stocks(variants: Iterable[ProductVariant], *, actor_id: int | None, reason: str,
                          note: str = "") -> None:
    """Log the opening stock of variants just added and flushed (nobody else can see their rows
    yet, so there is nothing to race with). Writes no audit event: the event that created the
    product or the variants already carries their stock."""
    rows = []
    for variant in variants:
        _check_level(variant.stock)
        if variant.stock:
            rows.append(InventoryLog(product_id=variant.product_id, variant_id=variant.id, actor_id=actor_id,
                                     delta=variant.stock, stock_after=variant.stock, reason=reason,
                                     note=note[:NOTE_MAX]))
    db.session.add_all(rows)


def set_stocks(moves: list[tuple[ProductVariant, int, int]], *, actor_id: int | None,
               reason: str) -> list[tuple[ProductVariant, int, int]]:
    """Set many stocks at once: each move is (variant, the stock the caller read, the new stock).

    One compare-and-set UPDATE per variant (`WHERE id = :id AND stock = :expected`), sent as a
    single batch; when any variant's stock changed since it was read (an order came in), nothing
    is applied and ValidationFailed asks to try again. Each change is logged in InventoryLog;
    returns (variant, before, after) for the caller's single audit event (a CSV import audits
    the whole file as one event instead of one event per row).
    """
    moves = [move for move in moves if move[1] != move[2]]
    if not moves:
        return []
    for _variant, _expected, new in moves:
        _check_level(new)
    db.session.flush()
    table = ProductVariant.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("vid"), table.c.stock == bindparam("expected"))
        .values(stock=bindparam("new"))
    )
    ordered = sorted(moves, key=lambda move: move[0].id)
    params = [{"vid": v.id, "expected": expected, "new": new} for v, expected, new in ordered]
    result = db.session.connection().execute(statement, params)
    if result.rowcount != len(params):
        raise ValidationFailed(
            _l("Stok sebagian produk berubah saat impor berjalan (ada pesanan masuk). Silakan impor ulang."),
            field="stock",
        )
    deltas: dict[int, int] = defaultdict(int)
    for variant, expected, new in ordered:
        set_committed_value(variant, "stock", new)
        if variant.active:
            deltas[variant.product_id] += new - expected
    _move_products(deltas)
    db.session.add_all(
        InventoryLog(product_id=v.product_id, variant_id=v.id, actor_id=actor_id, delta=after - before,
                     stock_after=after, reason=reason, note="")
        for v, before, after in ordered
    )
    return ordered


def reserve(lines: Iterable[tuple[ProductVariant, int]], *, actor_id: int | None, note: str = "") -> None:
    """Take the ordered quantities out of stock, all or nothing, in the caller's transaction.

    One conditional UPDATE per variant (`stock = stock - :q WHERE id = :id AND stock >= :q`), in
    variant id order; then the product totals in product id order. Raises OutOfStock naming the
    first variant that has too little: the caller must roll back (earlier lines were already
    taken inside the same transaction). Made-to-order products are not reserved: they need no
    stock (the seller makes them within the lead time), so checkout leaves them out.
    """
    _apply_lines(_merged(lines), sign=-1, actor_id=actor_id, reason=REASON_ORDER, note=note)


def release(lines: Iterable[tuple[ProductVariant, int]], *, actor_id: int | None, note: str = "") -> None:
    """Put reserved quantities back (an order cancelled, rejected or left unpaid)."""
    _apply_lines(_merged(lines), sign=1, actor_id=actor_id, reason=REASON_ORDER_CANCELLED, note=note)


def release_order(order, *, actor_id: int | None) -> None:
    """Put back what one order reserved (cancelled, rejected or never paid). Lines whose variant
    was deleted since have nothing to return to; made-to-order lines took nothing."""
    lines = [(item.variant, item.quantity) for item in order.items if item.variant is not None and item.stock_reserved]
    release(lines, actor_id=actor_id, note=order.number)


def _merged(lines: Iterable[tuple[ProductVariant, int]]) -> list[tuple[ProductVariant, int]]:
    quantities: dict[int, int] = defaultdict(int)
    variants: dict[int, ProductVariant] = {}
    for variant, quantity in lines:
        if quantity <= 0:
            raise ValidationFailed(_l("Jumlah harus lebih dari nol."), field="quantity")
        quantities[variant.id] += quantity
        variants[variant.id] = variant
    return [(variants[vid], quantities[vid]) for vid in sorted(variants)]


def _apply_lines(lines: list[tuple[ProductVariant, int]], *, sign: int, actor_id: int | None, reason: str,
                 note: str) -> None:
    if not lines:
        return
    db.session.flush()
    deltas: dict[int, int] = defaultdict(int)
    for variant, quantity in lines:
        delta = sign * quantity
        result = db.session.execute(
            update(ProductVariant)
            .where(ProductVariant.id == variant.id, ProductVariant.stock + delta >= 0,
                   ProductVariant.stock + delta <= MAX_QUANTITY)
            .values(stock=ProductVariant.stock + delta)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            if sign < 0:
                error = OutOfStock(_l("Stok tidak mencukupi."), field="stock")
                error.variant_id = variant.id
                raise error
            raise ValidationFailed(MSG_TOO_LARGE, field="stock")
        if variant.active:
            deltas[variant.product_id] += delta
    after = dict(db.session.execute(
        select(ProductVariant.id, ProductVariant.stock).where(ProductVariant.id.in_([v.id for v, _ in lines]))
    ).all())
    for variant, _quantity in lines:
        set_committed_value(variant, "stock", after[variant.id])
    _move_products(deltas)
    db.session.add_all(
        InventoryLog(product_id=v.product_id, variant_id=v.id, actor_id=actor_id, delta=sign * q,
                     stock_after=after[v.id], reason=reason, note=(note or "")[:NOTE_MAX])
        for v, q in lines
    )
    audit.record(
        "stock.reserved" if sign < 0 else "stock.released",
        object_type="variant", object_id=lines[0][0].id, actor_id=actor_id,
        after={"lines": [{"variant_id": v.id, "delta": sign * q, "stock": after[v.id]} for v, q in lines]},
        reason=note or None,
    )


def recount_product(product: Product) -> None:
    """Set the product's stock total from its active variants, after variants were added,
    removed, switched on or off (the deltas above cannot express that).

    Locks the product row first: a concurrent order's increment waits until this commits and is
    then applied on top of the fresh total, so the total never loses an order.
    """
    db.session.flush()
    db.session.execute(select(Product.id).where(Product.id == product.id).with_for_update()).all()
    total = db.session.execute(
        select(func.coalesce(func.sum(ProductVariant.stock), 0))
        .where(ProductVariant.product_id == product.id, ProductVariant.active.is_(True))
    ).scalar_one()
    db.session.execute(update(Product).where(Product.id == product.id).values(stock=total)
                       .execution_options(synchronize_session=False))
    search_hooks.mark_products(db.session(), [product.id])
    set_committed_value(product, "stock", int(total))


def _log(variant: ProductVariant, delta: int, stock_after: int, *, actor_id: int | None, reason: str,
         note: str) -> None:
    note = (note or "").strip()[:NOTE_MAX]
    db.session.add(
        InventoryLog(product_id=variant.product_id, variant_id=variant.id, actor_id=actor_id, delta=delta,
                     stock_after=stock_after, reason=reason, note=note)
    )
    audit.record(
        "product.stock_changed",
        object_type="product",
        object_id=variant.product_id,
        actor_id=actor_id,
        before={"stock": stock_after - delta},
        after={"stock": stock_after, "delta": delta, "reason": reason, "variant_id": variant.id},
        reason=note or None,
    )


def stock_history(product: Product, limit: int = 20) -> list[tuple[InventoryLog, str | None, str]]:
    """The newest `limit` stock changes of a product's variants, each with the name of who made
    it and the variant's label ("M / Biru", "" for the default variant), in one query."""
    from catalog.models.users import User

    rows = db.session.execute(
        select(InventoryLog, User.name, ProductVariant)
        .outerjoin(User, User.id == InventoryLog.actor_id)
        .join(ProductVariant, ProductVariant.id == InventoryLog.variant_id)
        .where(InventoryLog.product_id == product.id)
        .order_by(InventoryLog.created_at.desc(), InventoryLog.id.desc())
        .limit(limit)
    ).all()
    return [(log, name, variant.label) for log, name, variant in rows]
