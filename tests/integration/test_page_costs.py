"""What the five benchmarked pages (bench/http.py) cost in SQL statements, pinned exactly so the
cost cannot creep up unnoticed; what the fragment cache saves; and the seller view counter,
which counts in memory and writes in batches instead of a write transaction per page view.

Changing a pinned number is fine when a page shows more: say why in the commit."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import ProductImage
from catalog.models.sellers import SellerViewWeek
from catalog.services import seller_stats
from tests.factories import gen_category, gen_product, gen_seller
from tests.querycount import count_queries

BROWSER = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"}

# Statements per request with the cache off (the test configuration's NullCache).
PINNED = {
    "/": 6,  # regions, featured categories, newest products, their photos, sellers of the kota, their kecamatan
    "/kategori/makanan": 5,  # category, its children, count, page, photos
    "/kategori/keripik": 5,  # a child: category, its top category and siblings, count, page, photos
    "/produk/keripik-0": 8,  # product, photos, certificates, options, combinations, more from seller, photos,
    # and the view (tests write every view at once: VIEW_COUNT_FLUSH_VIEWS = 1)
    "/cari?q=keripik&kota=36.74&urut=termurah": 3,  # filter labels, hits, photos
}
ADD_TO_CART = 6


def build_catalogue(products: int = 6):
    top = gen_category("Makanan", slug="makanan", is_featured=True)
    child = gen_category("Keripik", slug="keripik", parent=top)
    seller = gen_seller(business_name="Toko Utama", kota="36.74", kecamatan="36.74.01")
    made = []
    for n in range(products):
        product = gen_product(seller=seller, category=top if n % 2 else child, title=f"Keripik Nomor {n}",
                              slug=f"keripik-{n}", price=10_000 + n)
        db.session.add(ProductImage(product=product, key=f"foto{n}", width=800, height=800, position=0))
        made.append(product)
    db.session.commit()
    return seller, made


def visible_text(response) -> str:
    return re.sub(r"<[^>]+>", "", response.get_data(as_text=True))


def statements(app, client, url) -> tuple[int, str]:
    with count_queries(app) as counter:
        response = client.get(url, headers=BROWSER)
    assert response.status_code == 200, url
    return counter.count, visible_text(response)


def views_this_week(seller_id) -> int:
    db.session.rollback()  # a fresh read: the writes happened on their own connection
    row = db.session.get(SellerViewWeek, (seller_id, seller_stats.week_start(seller_stats.today_in_jakarta())))
    return row.views if row else 0


@pytest.mark.parametrize("url", list(PINNED))
def test_page_statements_are_pinned(app, url):
    build_catalogue()
    client = app.test_client()
    client.get(url, headers=BROWSER)  # warm up: templates compiled, first connection
    count, text = statements(app, client, url)
    assert "Keripik Nomor" in text, url
    assert count == PINNED[url], f"{url}: {count} statements, pinned at {PINNED[url]}"


def test_add_to_cart_statements_are_pinned(app):
    _seller, products = build_catalogue()
    client = app.test_client()
    variants = [product.variants[0].id for product in products]
    assert client.post("/keranjang/tambah", data={"variant_id": variants[0], "quantity": 1}).status_code == 302
    with count_queries(app) as counter:
        response = client.post("/keranjang/tambah", data={"variant_id": variants[1], "quantity": 1})
    assert response.status_code == 302
    assert counter.count == ADD_TO_CART, counter


def test_the_product_page_writes_no_view_row_while_views_are_buffered(make_app):
    app = make_app(VIEW_COUNT_FLUSH_VIEWS=100, VIEW_COUNT_FLUSH_SECONDS=3600)
    with app.app_context():
        build_catalogue()
    client = app.test_client()
    client.get("/produk/keripik-0", headers=BROWSER)
    with count_queries(app) as counter:
        assert client.get("/produk/keripik-0", headers=BROWSER).status_code == 200
    assert not [s for s in counter.statements if "seller_view_week" in s], counter
    assert counter.count == PINNED["/produk/keripik-0"] - 1
    with app.app_context():
        assert seller_stats.flush_views() == 2


def test_cached_listings_run_no_product_query_and_show_the_same(make_app):
    app = make_app(CACHE_TYPE="SimpleCache")
    with app.app_context():
        build_catalogue()
    client = app.test_client()
    for url, cached_count in (("/", 0), ("/kategori/makanan", 1), ("/kategori/makanan?urut=termurah", 1), ("/kategori/keripik", 1)):
        first_count, first = statements(app, client, url)
        again_count, again = statements(app, client, url)
        assert first_count == PINNED.get(url, PINNED["/kategori/makanan"])
        assert again_count == cached_count, url  # the category itself is still read (404, title)
        assert again == first, url
    # The cache keeps one copy per sort: the cheapest first here, the newest first above.
    cheapest = statements(app, client, "/kategori/makanan?urut=termurah")[1]
    newest = statements(app, client, "/kategori/makanan")[1]
    assert cheapest.index("Keripik Nomor 1") < cheapest.index("Keripik Nomor 5")
    assert newest.index("Keripik Nomor 5") < newest.index("Keripik Nomor 1")


def test_cached_home_varies_by_kota(make_app):
    app = make_app(CACHE_TYPE="SimpleCache")
    with app.app_context():
        build_catalogue(products=2)
        gen_seller(business_name="Toko Kota Tangerang", kota="36.71", kecamatan="36.71.01")
        db.session.commit()
    client = app.test_client()
    for _ in range(2):
        assert "Toko Kota Tangerang" not in statements(app, client, "/")[1]
        assert "Toko Kota Tangerang" in statements(app, client, "/?kota=36.71")[1]


def test_buffered_views_reach_the_database_after_a_flush(make_app):
    app = make_app(VIEW_COUNT_FLUSH_VIEWS=3, VIEW_COUNT_FLUSH_SECONDS=3600)
    with app.app_context():
        seller, _products = build_catalogue(products=1)
        seller_id = seller.id
    client = app.test_client()
    with app.app_context():
        for _ in range(2):
            client.get("/produk/keripik-0", headers=BROWSER)
        assert views_this_week(seller_id) == 0
        assert seller_stats.pending_views() == 2
        client.get("/produk/keripik-0", headers=BROWSER)  # the third: due, written in one statement
        assert views_this_week(seller_id) == 3
        assert seller_stats.pending_views() == 0

        client.get("/produk/keripik-0", headers=BROWSER)
        client.get("/produk/keripik-0", headers={"User-Agent": "Googlebot/2.1"})  # never counted
        assert views_this_week(seller_id) == 3
        assert seller_stats.flush_views() == 1
        assert views_this_week(seller_id) == 4
        assert seller_stats.flush_views() == 0  # nothing pending: no statement

        # The seller's dashboard chart writes what this process holds before reading.
        client.get("/produk/keripik-0", headers=BROWSER)
        assert seller_stats.weekly_views(seller_id)[-1].views == 5


def test_a_flush_writes_every_seller_and_week_in_one_statement(make_app):
    app = make_app(VIEW_COUNT_FLUSH_VIEWS=100, VIEW_COUNT_FLUSH_SECONDS=3600)
    with app.app_context():
        first, second = gen_seller(), gen_seller()
        db.session.commit()
        for _ in range(3):
            seller_stats.count_view(first.id, today=date(2026, 11, 24))
        seller_stats.count_view(first.id, today=date(2026, 12, 1))
        seller_stats.count_view(second.id, today=date(2026, 11, 24))
        seller_stats.record_view(second.id, today=date(2026, 11, 25))  # an earlier row adds up
        with count_queries(app) as counter:
            assert seller_stats.flush_views() == 5
        assert counter.count == 1, counter
        db.session.rollback()
        rows = db.session.execute(select(SellerViewWeek.seller_id, SellerViewWeek.week_start, SellerViewWeek.views)
                                  .order_by(SellerViewWeek.seller_id, SellerViewWeek.week_start)).all()
        assert [tuple(row) for row in rows] == [
            (first.id, date(2026, 11, 23), 3), (first.id, date(2026, 11, 30), 1), (second.id, date(2026, 11, 23), 2)]


def test_a_refused_row_loses_only_its_own_views(make_app, caplog):
    app = make_app(VIEW_COUNT_FLUSH_VIEWS=100, VIEW_COUNT_FLUSH_SECONDS=3600)
    with app.app_context():
        seller = gen_seller()
        db.session.commit()
        seller_stats.count_view(seller.id, today=date(2026, 11, 24))
        seller_stats.count_view(999_999, today=date(2026, 11, 24))  # no such seller: the foreign key refuses
        assert seller_stats.flush_views() == 1
        assert "could not record" in caplog.text
        assert views_this_week(seller.id) == 0  # the row is for 23 November, not this week
        assert db.session.get(SellerViewWeek, (seller.id, date(2026, 11, 23))).views == 1
