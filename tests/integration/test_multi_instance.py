"""Two app servers behind one load balancer: two gunicorn instances on their own ports, one
PostgreSQL database, one Redis. What a shopper or seller does on one instance holds on the other:
scarce stock is sold exactly once across both, a log-in limit reached on one refuses on the
other, a product saved on one is found by search on the other at once. Nothing either instance
needs lives on its local disk (each has its own INSTANCE_DIR).

The instances are started with `gunicorn -c gunicorn.conf.py wsgi:app` (tests/multi_instance.py);
a failing test's report ends with both gunicorn logs. PostgreSQL and Redis are required (the
test makes its own database whichever database the rest of the suite uses); under CI=true their
absence fails the test instead of skipping it.
"""

import re
import secrets
import string
import threading
import time

import pytest
import sqlalchemy as sa

from tests import multi_instance
from tests.multi_instance import Browser

LOGIN_LIMIT = 5  # per client address and per account, both counted in Redis
STOCK = 5
SHOPPERS = 20
PASSWORD = "rahasia-123"  # tests/factories.py's
STOCK_REFUSALS = ("Stok habis", "tidak mencukupi")  # cart review / stock reservation messages
TOO_MANY = "Terlalu banyak percobaan"
WRONG_LOGIN = "Email atau kata sandi salah"
SEARCH_DEADLINE = 1.0  # seconds
# /cari's notice when the index cannot answer and the basic search (straight from the product
# table) stands in: a hit then says nothing about the shared index.
BASIC_SEARCH_NOTICE = "hasil di bawah dari pencarian sederhana"


def _seed() -> dict:
    from catalog.extensions import db
    from tests.factories import gen_address, gen_category, gen_product, gen_seller, gen_user

    seller = gen_seller(business_name="Dapur Bu Tini")
    leaf = gen_category(name="Kue Basah", parent=gen_category(name="Makanan"))
    scarce = gen_product(seller=seller, category=leaf, title="Kue Lapis Legit Loyang Kecil", price=20_000, stock=STOCK)
    shoppers = []
    for n in range(SHOPPERS):
        user = gen_user(email=f"pembeli{n}@multi.contoh.id", name=f"Pembeli {n}")
        gen_address(user, is_default=True)
        shoppers.append(user.email)
    locked = gen_user(email="terkunci@multi.contoh.id", name="Akun Dicoba")
    db.session.commit()
    return {"seller_email": seller.user.email, "category_id": leaf.id, "scarce_slug": scarce.slug,
            "scarce_product_id": scarce.id, "scarce_variant_id": scarce.variants[0].id, "shoppers": shoppers,
            "locked_email": locked.email}


@pytest.fixture(scope="module")
def pair(tmp_path_factory, request):
    multi_instance.require_services()
    work = tmp_path_factory.mktemp("multi")
    with multi_instance.cluster(work, _seed, config=request.config,
                                extra_env={"LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute"}) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def engine(pair):
    engine = pair.engine()
    yield engine
    engine.dispose()


def _run_in_threads(work, count: int) -> list:
    """work(i, barrier) in `count` threads; their results in order. One thread's failure breaks
    the barrier (nobody waits for it) and is raised here."""
    barrier = threading.Barrier(count, timeout=60)
    results: list = [None] * count
    errors: list = []

    def run(i):
        try:
            results[i] = work(i, barrier)
        except BaseException as error:  # noqa: BLE001 (re-raised in the test's thread)
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i,), name=f"shopper-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a shopper thread hung"
    real = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
    if real or errors:
        raise (real or errors)[0]
    return results


def test_both_instances_are_ready_and_keep_nothing_on_local_disk(pair):
    with Browser("127.0.5.1") as operator:
        for instance in pair.instances:
            response = operator.get(instance, "/readyz")
            assert response.status_code == 200, (instance.name, response.status_code, response.text[:500])
            body = response.json()
            assert body["status"] == "ready", body  # not "degraded": the shared Redis answers
            assert body["checks"]["redis"]["ok"] and body["checks"]["search"]["detail"].startswith("postgres")
    # Search lives in PostgreSQL, sessions in signed cookies, limits and cache in Redis, uploads
    # in the shared UPLOAD_DIR: an instance's own directory stays empty (no search index there).
    for instance in pair.instances:
        assert instance.instance_dir.is_dir()
        assert sorted(p.name for p in instance.instance_dir.iterdir()) == []
    assert pair.a.instance_dir != pair.b.instance_dir


def test_scarce_stock_sold_exactly_once_across_both_instances(pair, engine):
    data = pair.data
    instances = pair.instances

    def shopper(i: int, barrier: threading.Barrier):
        here, there = instances[i % 2], instances[1 - i % 2]
        # Its own address: the log-in limit per client address must not be what refuses anyone.
        with Browser(f"127.0.1.{i + 1}") as browser:
            login = browser.log_in(here, data["shoppers"][i], PASSWORD)
            assert login.status_code == 302, f"shopper {i} log-in on {here.name}: {login.status_code}"
            # Signed-cookie session: the cart and the checkout page are served by the other instance.
            added = browser.submit(there, f"/produk/{data['scarce_slug']}", "/keranjang/tambah", {"quantity": "1"})
            assert added.status_code == 302, f"shopper {i} add to cart on {there.name}: {added.status_code}"
            page = browser.get(there, "/checkout", allow_redirects=False)
            assert page.status_code == 200, f"shopper {i} checkout page on {there.name}: {page.status_code}"
            form = {**multi_instance.form_fields(page.text, "/checkout"), "method": "transfer", "aksi": "pesan"}
            barrier.wait()  # every cart is full and every checkout page shown: now all order at once
            placed = browser.post(here, "/checkout", form)
            return here.name, placed.status_code, placed.headers.get("Location", ""), placed.text

    outcomes = _run_in_threads(shopper, SHOPPERS)

    statuses = [status for _name, status, _loc, _body in outcomes]
    assert all(status < 500 for status in statuses), statuses
    ordered = [o for o in outcomes if o[1] == 302]
    refused = [o for o in outcomes if o[1] != 302]
    assert len(ordered) == STOCK, statuses
    assert all(re.search(r"/pesanan/KU-", location) for _n, _s, location, _b in ordered)
    for name, status, _location, body in refused:
        assert status == 422, (name, status)
        assert any(message in body for message in STOCK_REFUSALS), f"refusal on {name} without a stock message"

    with engine.connect() as conn:
        sold = conn.execute(sa.text(
            "SELECT coalesce(sum(quantity), 0), count(DISTINCT o.user_id) FROM order_item i "
            "JOIN seller_order o ON o.id = i.order_id WHERE i.variant_id = :v"), {"v": data["scarce_variant_id"]}).one()
        stock = conn.execute(sa.text("SELECT stock FROM product_variant WHERE id = :v"),
                             {"v": data["scarce_variant_id"]}).scalar_one()
        product_stock = conn.execute(sa.text("SELECT stock FROM product WHERE id = :p"),
                                     {"p": data["scarce_product_id"]}).scalar_one()
    assert tuple(sold) == (STOCK, STOCK)
    assert stock == 0 and product_stock == 0


def test_login_limit_reached_on_one_instance_refuses_on_the_other(pair):
    email = pair.data["locked_email"]
    # Per account: wrong passwords from many addresses on A, then the right one on B.
    for n in range(LOGIN_LIMIT):
        with Browser(f"127.0.2.{n + 1}") as guesser:
            response = guesser.log_in(pair.a, email, f"salah-{n}")
            assert response.status_code == 200 and WRONG_LOGIN in response.text, response.status_code
    with Browser("127.0.2.200") as owner:
        refused = owner.log_in(pair.b, email, PASSWORD)
        assert refused.status_code == 429
        assert TOO_MANY in refused.text
        assert refused.headers.get("Retry-After")
        assert owner.get(pair.b, "/akun", allow_redirects=False).status_code == 302  # not logged in

    # Per client address: one address trying many accounts on A, then another account on B.
    with Browser("127.0.3.1") as scanner:
        for n in range(LOGIN_LIMIT):
            response = scanner.log_in(pair.a, f"tebakan{n}@multi.contoh.id", "rahasia-123")
            assert response.status_code == 200 and WRONG_LOGIN in response.text, response.status_code
        refused = scanner.log_in(pair.b, "tebakan-lagi@multi.contoh.id", "rahasia-123")
        assert refused.status_code == 429
        assert TOO_MANY in refused.text


def test_product_saved_on_one_instance_is_found_by_search_on_the_other_at_once(pair, engine):
    word = "lapis" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    title = f"Bolu {word.capitalize()} Pandan"
    with Browser("127.0.4.1") as seller, Browser("127.0.4.2") as shopper:
        before = shopper.get(pair.b, f"/cari?q={word}")
        assert before.status_code == 200
        assert title not in before.text

        assert seller.log_in(pair.a, pair.data["seller_email"], PASSWORD).status_code == 302
        saved = seller.submit(pair.a, "/penjual/produk/baru", "/penjual/produk/baru", {
            "title": title, "category_id": str(pair.data["category_id"]), "description": "Bolu lembut.",
            "price": "35.000", "unit": "pcs", "min_order": "1", "stock": "12", "status": "active",
        })
        assert saved.status_code == 302, saved.text[-2000:]
        product_id = int(re.search(r"/penjual/produk/(\d+)/foto", saved.headers["Location"]).group(1))
        saved_at = time.monotonic()
        with engine.connect() as conn:
            slug, status = conn.execute(sa.text("SELECT slug, status FROM product WHERE id = :p"),
                                        {"p": product_id}).one()
        assert status == "active"

        link = f'href="/produk/{slug}"'
        while True:
            found = shopper.get(pair.b, f"/cari?q={word}")
            assert found.status_code == 200
            if link in found.text or time.monotonic() - saved_at > SEARCH_DEADLINE:
                break
            time.sleep(0.05)
        assert BASIC_SEARCH_NOTICE not in found.text
        assert link in found.text, f"instance B's search did not find the product within {SEARCH_DEADLINE} s"
