"""Checkout under contention: N buyers in parallel threads (each its own database connection)
check out one unit each of a product that has only S units left, through the same service the
checkout page calls (catalog.services.checkout.place_order).

    .venv/bin/python bench/checkout_contention.py \\
        --database postgresql://postgres@127.0.0.1:5432/katalog_contention   # 200 buyers, 20 units
    .venv/bin/python bench/checkout_contention.py --buyers 50 --stock 10     # SQLite file in bench/results

The database is emptied and migrated first (it must be a throwaway one). Correct means: exactly
S orders, every other buyer told the stock ran out, no other error, stock 0 and never negative,
the audit chain intact. Prints the outcome and p50/p95/p99 of one checkout (from the moment all
buyers start together to its commit or refusal), and writes bench/results/checkout-<db>.json.
The reference in the same run is one checkout with nobody else buying.
"""

import sys
from pathlib import Path

# bench/http.py would shadow the standard library's http package: drop this folder from the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from bench.search import machine, percentile  # noqa: E402

NO_LOGIN = "!"  # not a hash of anything: these accounts cannot log in  # noqa: S105


def prepare(app, buyers: int, stock: int) -> tuple[int, list[tuple[int, int]]]:
    """A fresh schema, one seller with one product of `stock` units, `buyers` shoppers each with
    an address and one unit in the cart. Returns the variant id and (user id, address id)s."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from catalog.extensions import db
    from catalog.models import Address, Cart, CartItem, Category, DeliveryOption, Product, ProductVariant, Seller, User
    from catalog.models.base import utcnow

    with app.app_context():
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            else:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}"'))
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=str(ROOT / "migrations"))
        seller_user = User(email="penjual@bench.id", name="Penjual", role="seller", password_hash=NO_LOGIN)
        seller = Seller(user=seller_user, business_name="Dodol Bench", slug="dodol-bench", owner_name="Bench",
                        nib="9200000000001", scale="mikro", kota_code="36.74", kecamatan_code="36.74.06",
                        whatsapp="+6281200000000", status="verified", verified_at=utcnow())
        category = Category(name="Makanan", name_en="Food", slug="makanan")
        product = Product(seller=seller, category=category, title="Dodol Betawi", slug="dodol-betawi",
                          price=20_000, price_max=20_000, stock=stock, status="active", published_at=utcnow())
        db.session.add_all([seller, product])
        db.session.flush()
        variant = ProductVariant(product_id=product.id, seller_id=seller.id, combo_key="", price=20_000, stock=stock,
                                 active=True)
        db.session.add_all([variant, DeliveryOption(seller_id=seller.id, kind="pickup", name="Ambil di toko", fee=0)])
        db.session.flush()
        pairs = []
        for i in range(buyers):
            user = User(email=f"pembeli{i}@bench.id", name=f"Pembeli {i}", role="shopper", password_hash=NO_LOGIN)
            db.session.add(user)
            db.session.flush()
            address = Address(user_id=user.id, recipient=user.name, phone="+6281234567890", kota_code="36.74",
                              kecamatan_code="36.74.06", detail="Jl. Bench 1")
            cart = Cart(user_id=user.id)
            db.session.add_all([address, cart])
            db.session.flush()
            db.session.add(CartItem(cart_id=cart.id, variant_id=variant.id, quantity=1, price_seen=20_000))
            pairs.append((user.id, address.id))
        db.session.commit()
        return variant.id, pairs


def checkout_one(app, user_id: int, address_id: int, start: threading.Barrier | None) -> tuple[str, float]:
    from catalog.extensions import db
    from catalog.models import Address, User
    from catalog.services import cart as carts
    from catalog.services import checkout
    from catalog.services.errors import OutOfStock, ValidationFailed

    with app.app_context():
        if start is not None:
            start.wait(timeout=120)
        began = time.perf_counter()
        try:
            user = db.session.get(User, user_id)
            address = db.session.get(Address, address_id)
            checkout.place_order(user=user, cart=carts.cart_for(user_id=user_id), address=address, chosen={},
                                 method="transfer", expected_total=20_000, checkout_token=f"bench-{user_id}")
            outcome = "terjual"
        except (OutOfStock, ValidationFailed) as error:
            db.session.rollback()
            outcome = "stok habis" if "tidak mencukupi" in str(error.message) or "Stok" in str(error.message) \
                else f"ditolak: {error.message}"
        except Exception as error:  # noqa: BLE001 - every other failure is counted and shown
            db.session.rollback()
            outcome = f"galat: {type(error).__name__}: {error}"[:200]
        finally:
            db.session.remove()
        return outcome, (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="a throwaway database URL (default: a SQLite file in bench/results)")
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--stock", type=int, default=20)
    parser.add_argument("--pool", type=int, default=20, help="connections in the pool (a server's pool, not one per buyer)")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    url = args.database or f"sqlite:///{RESULTS / 'checkout-contention.db'}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("INSTANCE_DIR", str(RESULTS / "checkout-instance"))
    os.environ["SEARCH_BACKEND"] = "whoosh"
    os.environ["SEARCH_INDEX_DIR"] = str(RESULTS / "checkout-search-index")
    logging_off()
    from catalog import create_app
    from config import DevelopmentConfig

    engine_options = dict(DevelopmentConfig.SQLALCHEMY_ENGINE_OPTIONS)
    engine_options.update(pool_size=args.pool, max_overflow=0, pool_timeout=120)
    app = create_app(type("BenchConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": create_url(url),
                                                                "SQLALCHEMY_ENGINE_OPTIONS": engine_options}))
    # +1 buyer: the reference checkout alone, before the crowd.
    variant_id, pairs = prepare(app, args.buyers + 1, args.stock + 1)
    alone_outcome, alone_ms = checkout_one(app, *pairs[0], None)
    if alone_outcome != "terjual":
        raise SystemExit(f"the reference checkout failed: {alone_outcome}")

    barrier = threading.Barrier(args.buyers)
    results: list[tuple[str, float]] = []
    lock = threading.Lock()

    def run(pair):
        outcome = checkout_one(app, *pair, barrier)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(pair,)) for pair in pairs[1:]]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started

    from sqlalchemy import func, select

    from catalog.extensions import db
    from catalog.models import Order, ProductVariant
    from catalog.services.audit import verify_chain

    with app.app_context():
        stock_left = db.session.get(ProductVariant, variant_id).stock
        orders = db.session.scalar(select(func.count(Order.id))) - 1  # minus the reference
        chain_ok = verify_chain().ok
    outcomes = Counter(o for o, _ms in results)
    times = [ms for _o, ms in results]
    correct = (outcomes["terjual"] == args.stock and outcomes["stok habis"] == args.buyers - args.stock
               and stock_left == 0 and orders == args.stock and chain_ok)
    summary = {
        "database": db_kind(url), "buyers": args.buyers, "stock": args.stock, "pool": args.pool,
        "outcomes": dict(outcomes), "orders": orders, "stock_left": stock_left, "audit_chain_ok": chain_ok,
        "correct": correct, "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
        "p99_ms": percentile(times, 99), "max_ms": max(times), "wall_s": wall, "alone_ms": alone_ms,
        "machine": machine(), "date": time.strftime("%Y-%m-%d"),
    }
    print(f"{args.buyers} pembeli, {args.stock} unit, {db_kind(url)}, pool {args.pool} — {machine()}")
    for outcome, count in outcomes.most_common():
        print(f"  {outcome:<40} {count}")
    print(f"pesanan {orders}, sisa stok {stock_left}, rantai audit {'utuh' if chain_ok else 'RUSAK'}: "
          f"{'BENAR' if correct else 'SALAH'}")
    print(f"checkout p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms, p99 {summary['p99_ms']:.0f} ms, "
          f"maks {summary['max_ms']:.0f} ms; semuanya {wall:.2f} s; satu checkout sendirian {alone_ms:.0f} ms")
    out = RESULTS / f"checkout-{db_kind(url)}.json"
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(f"Ditulis ke {out.relative_to(ROOT)}")
    if not correct:
        raise SystemExit(1)


def create_url(url: str) -> str:
    from config import normalise_database_url

    return normalise_database_url(url)


def db_kind(url: str) -> str:
    return "postgresql" if url.startswith("postgres") else "sqlite"


def logging_off() -> None:
    """The services print every email they would send in development; not 200 of them here."""
    import logging

    logging.getLogger("catalog.mail").setLevel(logging.WARNING)


if __name__ == "__main__":
    main()
