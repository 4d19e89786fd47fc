"""Stock changes per variant: one conditional UPDATE, never below zero, each one logged and
audited; the product row's stock total follows its active variants."""

import threading

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import Product, ProductVariant
from catalog.models.audit import AuditEvent
from catalog.models.products import InventoryLog
from catalog.services import inventory, variants
from catalog.services.audit import verify_chain
from catalog.services.errors import OutOfStock, ValidationFailed
from tests.factories import gen_product, gen_user, gen_variant_product


@pytest.fixture
def product(app):
    product = gen_product(stock=10)
    db.session.commit()
    return product


@pytest.fixture
def variant(product):
    return product.variants[0]


def logs(product_id):
    return db.session.scalars(select(InventoryLog).where(InventoryLog.product_id == product_id)
                              .order_by(InventoryLog.id)).all()


def test_adjust_adds_and_removes_and_logs_who_why_and_after(product, variant):
    actor = gen_user()
    assert inventory.adjust_stock(variant, 5, actor_id=actor.id, reason="manual", note="barang datang") == 15
    assert inventory.adjust_stock(variant, -3, actor_id=actor.id, reason="manual") == 12
    db.session.commit()
    assert product.stock == 12
    rows = logs(product.id)
    assert [(r.delta, r.stock_after, r.reason, r.actor_id) for r in rows] == [
        (5, 15, "manual", actor.id), (-3, 12, "manual", actor.id)]
    assert rows[0].note == "barang datang" and rows[0].created_at is not None
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "product.stock_changed")
                                .order_by(AuditEvent.id)).all()
    assert [(e.before, e.after["stock"], e.after["delta"]) for e in events] == [
        ({"stock": 10}, 15, 5), ({"stock": 15}, 12, -3)]
    assert verify_chain().ok


def test_going_below_zero_is_refused_and_changes_nothing(product, variant):
    with pytest.raises(ValidationFailed, match="tidak boleh kurang dari nol"):
        inventory.adjust_stock(variant, -11, actor_id=None, reason="manual")
    db.session.rollback()
    assert db.session.get(Product, product.id).stock == 10 and logs(product.id) == []


def test_an_order_asking_for_too_much_is_out_of_stock(variant):
    with pytest.raises(OutOfStock):
        inventory.adjust_stock(variant, -11, actor_id=None, reason="order")


def test_stock_can_reach_exactly_zero(product, variant):
    assert inventory.adjust_stock(variant, -10, actor_id=None, reason="manual") == 0


def test_set_stock_logs_the_difference(product, variant):
    assert inventory.set_stock(variant, 4, actor_id=None, reason="manual") == 4
    assert inventory.set_stock(variant, 4, actor_id=None, reason="manual") == 4  # no change, no row
    db.session.commit()
    assert [(r.delta, r.stock_after) for r in logs(product.id)] == [(-6, 4)]


def test_set_stock_refuses_negative_and_absurd_numbers(product, variant):
    with pytest.raises(ValidationFailed):
        inventory.set_stock(variant, -1, actor_id=None, reason="manual")
    with pytest.raises(ValidationFailed):
        inventory.set_stock(variant, 10**10, actor_id=None, reason="manual")
    assert logs(product.id) == []


def test_unknown_reason_is_a_programming_error(variant):
    with pytest.raises(ValueError):
        inventory.adjust_stock(variant, 1, actor_id=None, reason="lupa")


def test_set_stock_reads_the_stored_stock_not_a_stale_copy(app, product, variant):
    # Someone else's change lands after this session loaded the product.
    with app.app_context():
        other = db.session.get(ProductVariant, variant.id)
        inventory.adjust_stock(other, -4, actor_id=None, reason="order")
        db.session.commit()
    inventory.set_stock(variant, 9, actor_id=None, reason="manual")
    db.session.commit()
    assert [(r.delta, r.stock_after, r.reason) for r in logs(product.id)] == [(-4, 6, "order"), (3, 9, "manual")]


def test_parallel_orders_never_oversell(app, product, variant):
    """Eight buyers each take 3 of 10 at the same moment: exactly three succeed, stock ends at 1."""
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy():
        with app.app_context():
            mine = db.session.get(ProductVariant, variant.id)
            barrier.wait()
            try:
                inventory.adjust_stock(mine, -3, actor_id=None, reason="order")
                db.session.commit()
                result = "ok"
            except OutOfStock:
                db.session.rollback()
                result = "habis"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=buy) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["habis"] * 5 + ["ok"] * 3
    db.session.rollback()
    assert db.session.get(Product, product.id).stock == 1
    assert db.session.get(ProductVariant, variant.id).stock == 1
    assert sum(r.delta for r in logs(product.id)) == -9
    assert verify_chain().ok


# --- orders across variants and products ---------------------------------------------------------


@pytest.fixture
def shirt(app):
    """Ukuran S, M, L × Warna Biru, Merah, each combination 5 in stock."""
    return gen_variant_product(options=(("Ukuran", ("S", "M", "L")), ("Warna", ("Biru", "Merah"))),
                               price=150_000, stock=5)


@pytest.fixture
def snack(app):
    """Rasa Original, Pedas × Berat 100 g, 250 g, each combination 10 in stock."""
    return gen_variant_product(options=(("Rasa", ("Original", "Pedas")), ("Berat", ("100 g", "250 g"))),
                               price=12_000, stock=10)


def by_label(product):
    return {v.label: v for v in product.variants}


def stocks():
    """Every variant's and product's stock, the stock log and the audit trail, as stored."""
    db.session.expire_all()
    return (
        db.session.execute(select(ProductVariant.id, ProductVariant.stock).order_by(ProductVariant.id)).all(),
        db.session.execute(select(Product.id, Product.stock).order_by(Product.id)).all(),
        db.session.execute(select(InventoryLog.id).order_by(InventoryLog.id)).all(),
        db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).all(),
    )


def assert_totals_follow_variants(*products):
    db.session.expire_all()
    for product in products:
        product = db.session.get(Product, product.id)
        assert product.stock == sum(v.stock for v in product.variants if v.active), product


def test_an_order_takes_every_line_merged_per_variant(shirt, snack):
    m_blue, l_red = by_label(shirt)["M / Biru"], by_label(shirt)["L / Merah"]
    pedas = by_label(snack)["Pedas / 250 g"]
    buyer = gen_user()
    inventory.reserve([(m_blue, 2), (pedas, 4), (m_blue, 1), (l_red, 5)], actor_id=buyer.id, note="pesanan A-1")
    db.session.commit()

    assert (m_blue.stock, l_red.stock, pedas.stock) == (2, 0, 6)
    assert db.session.get(Product, shirt.id).stock == 6 * 5 - 3 - 5
    assert db.session.get(Product, snack.id).stock == 4 * 10 - 4
    rows = db.session.scalars(select(InventoryLog).where(InventoryLog.reason == "order").order_by(InventoryLog.id)).all()
    assert sorted((r.variant_id, r.product_id, r.delta, r.stock_after) for r in rows) == sorted([
        (m_blue.id, shirt.id, -3, 2), (l_red.id, shirt.id, -5, 0), (pedas.id, snack.id, -4, 6)])
    assert all(r.actor_id == buyer.id and r.note == "pesanan A-1" for r in rows)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stock.reserved")).one()
    assert sorted((line["variant_id"], line["delta"]) for line in event.after["lines"]) == sorted([
        (m_blue.id, -3), (l_red.id, -5), (pedas.id, -4)])
    assert verify_chain().ok

    inventory.release([(m_blue, 3), (pedas, 4)], actor_id=buyer.id, note="pesanan A-1 dibatalkan")
    db.session.commit()
    assert (m_blue.stock, pedas.stock) == (5, 10)
    returned = db.session.scalars(select(InventoryLog).where(InventoryLog.reason == "order_cancelled")).all()
    assert sorted((r.variant_id, r.delta) for r in returned) == sorted([(m_blue.id, 3), (pedas.id, 4)])
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stock.released")).one()
    assert_totals_follow_variants(shirt, snack)
    assert verify_chain().ok


def test_one_short_line_takes_nothing(shirt, snack):
    before = stocks()
    lines = [(by_label(shirt)["S / Biru"], 2), (by_label(snack)["Original / 100 g"], 3),
             (by_label(shirt)["M / Merah"], 4), (by_label(shirt)["M / Merah"], 2)]  # 6 of 5
    with pytest.raises(OutOfStock, match="Stok tidak mencukupi"):
        inventory.reserve(lines, actor_id=None)
    db.session.rollback()  # the caller's transaction ends here
    assert stocks() == before


@pytest.mark.parametrize("quantity", [0, -2])
def test_an_order_line_of_zero_or_less_is_refused(shirt, quantity):
    before = stocks()
    with pytest.raises(ValidationFailed, match="Jumlah harus lebih dari nol"):
        inventory.reserve([(by_label(shirt)["S / Biru"], 1), (by_label(shirt)["M / Biru"], quantity)], actor_id=None)
    db.session.rollback()
    assert stocks() == before


def test_stock_of_a_switched_off_combination_does_not_count_for_the_product(shirt):
    off = by_label(shirt)["L / Biru"]
    variants.set_variant_active(shirt, off.id, False, None)
    assert db.session.get(Product, shirt.id).stock == 25
    inventory.adjust_stock(off, 7, actor_id=None, reason="manual")
    inventory.set_stock(off, 3, actor_id=None, reason="manual")
    db.session.commit()
    assert off.stock == 3
    assert db.session.get(Product, shirt.id).stock == 25
    variants.set_variant_active(shirt, off.id, True, None)
    assert db.session.get(Product, shirt.id).stock == 28


def test_stock_history_names_the_combination(shirt):
    m_red = by_label(shirt)["M / Merah"]
    seller_user = shirt.seller.user
    inventory.adjust_stock(m_red, 4, actor_id=seller_user.id, reason="manual", note="jahitan baru")
    db.session.commit()
    newest, name, label = inventory.stock_history(shirt)[0]
    assert (newest.delta, name, label) == (4, seller_user.name, "M / Merah")


# --- concurrency -----------------------------------------------------------------------------------


def run_together(app, jobs):
    """Run each job (prepare() → act) in its own thread, app context and database session: every
    prepare() first (loading what the form or the cart showed), then every act at the same
    moment. Returns per job "ok", "habis" (out of stock) or the unexpected error."""
    barrier = threading.Barrier(len(jobs))
    outcomes: dict[int, str] = {}
    lock = threading.Lock()

    def run(index, prepare):
        with app.app_context():
            try:
                act = prepare()
                barrier.wait()
                act()
                db.session.commit()
                result = "ok"
            except OutOfStock:
                db.session.rollback()
                result = "habis"
            except Exception as exc:  # a deadlock or a lock timeout lands here, and fails the test
                db.session.rollback()
                result = f"{type(exc).__name__}: {exc}"
            finally:
                db.session.remove()
            with lock:
                outcomes[index] = result

    threads = [threading.Thread(target=run, args=(i, prepare)) for i, prepare in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "still waiting after a minute: deadlock"
    return [outcomes[i] for i in range(len(jobs))]


def buyer(index, lines):
    """A job that reserves `lines` (variant id, quantity) as one order."""
    def prepare():
        mine = [(db.session.get(ProductVariant, vid), quantity) for vid, quantity in lines]
        return lambda: inventory.reserve(mine, actor_id=None, note=f"pembeli {index}")
    return prepare


def run_buyers(app, orders):
    return run_together(app, [buyer(i, lines) for i, lines in enumerate(orders)])


def test_parallel_orders_of_different_combinations_of_one_product_never_oversell(app, shirt):
    """Twelve buyers, two per combination, each take 3 of the 5 at the same moment: one per
    combination gets them, and the product's total loses exactly what was sold."""
    ids = [v.id for v in shirt.variants]
    outcomes = run_buyers(app, [[(vid, 3)] for vid in ids * 2])
    assert sorted(outcomes) == ["habis"] * 6 + ["ok"] * 6
    db.session.rollback()
    assert [v.stock for v in db.session.get(Product, shirt.id).variants] == [2] * 6
    assert db.session.get(Product, shirt.id).stock == 12
    assert_totals_follow_variants(shirt)
    assert sum(r.delta for r in db.session.scalars(select(InventoryLog).where(InventoryLog.reason == "order"))) == -18
    assert verify_chain().ok


def test_parallel_orders_over_the_same_combinations_in_any_order_never_deadlock(app, shirt, snack):
    """Eight buyers each want 2 of the same three combinations of two products (8 of each in
    stock), listed in different orders, some with a line split in two: exactly four get
    everything, the others nothing, and nobody waits forever."""
    s_blue, m_red = by_label(shirt)["S / Biru"], by_label(shirt)["M / Merah"]
    pedas = by_label(snack)["Pedas / 100 g"]
    off = by_label(shirt)["L / Biru"]
    variants.set_variant_active(shirt, off.id, False, None)  # its 5 must stay out of the total
    for variant in (s_blue, m_red, pedas):
        inventory.set_stock(variant, 8, actor_id=None, reason="manual")
    db.session.commit()
    shapes = [
        [(s_blue.id, 2), (m_red.id, 2), (pedas.id, 2)],
        [(pedas.id, 2), (m_red.id, 2), (s_blue.id, 2)],
        [(m_red.id, 2), (pedas.id, 2), (s_blue.id, 2)],
        [(pedas.id, 1), (s_blue.id, 2), (m_red.id, 2), (pedas.id, 1)],
        [(m_red.id, 2), (s_blue.id, 2), (pedas.id, 2)],
        [(s_blue.id, 1), (pedas.id, 2), (m_red.id, 2), (s_blue.id, 1)],
    ]
    orders = [shapes[i % len(shapes)] for i in range(8)]
    outcomes = run_buyers(app, orders)
    assert sorted(outcomes) == ["habis"] * 4 + ["ok"] * 4
    db.session.rollback()
    assert [db.session.get(ProductVariant, v.id).stock for v in (s_blue, m_red, pedas)] == [0, 0, 0]
    assert db.session.get(ProductVariant, off.id).stock == 5
    assert_totals_follow_variants(shirt, snack)
    assert db.session.get(Product, shirt.id).stock == 5 * 3  # S / Merah, M / Biru, L / Merah
    assert verify_chain().ok


def test_saving_the_grid_while_orders_come_in_never_deadlocks(app, shirt):
    """The seller saves new prices and stocks for every combination while six buyers order
    several combinations. A colour added later puts newer rows between older ones in the grid,
    so the grid's order is not the order orders lock rows in: nobody may wait forever or be
    thrown out, and every stock ends where its log says."""
    variants.set_options(shirt, [variants.OptionSpec("Ukuran", ["S", "M", "L"]),
                                 variants.OptionSpec("Warna", ["Biru", "Hijau", "Merah"])], None)
    variants.bulk_set(variants.load(shirt.id), stock=50, actor_id=None)
    product = variants.load(shirt.id)
    ids = [v.id for v in product.variants]
    assert ids != sorted(ids)  # the case this test is about
    started = max(log.id for log in db.session.scalars(select(InventoryLog)))

    def seller():
        mine = variants.load(shirt.id)
        rows = [variants.VariantRow(v.id, v.price + 1000, v.stock + 10) for v in mine.variants]
        return lambda: variants.update_variants(mine, rows, None)

    orders = [buyer(i, [(vid, 1) for vid in ids[1:]]) for i in range(6)]
    outcomes = run_together(app, [seller, *orders])
    assert outcomes == ["ok"] * 7
    db.session.rollback()
    product = variants.load(shirt.id)
    assert all(v.price == 151_000 for v in product.variants)
    for variant in product.variants:
        moves = db.session.scalars(select(InventoryLog.delta).where(InventoryLog.variant_id == variant.id,
                                                                    InventoryLog.id > started)).all()
        assert 50 + sum(moves) == variant.stock
        assert 60 - 6 <= variant.stock <= 60
    assert_totals_follow_variants(shirt)
    assert verify_chain().ok
