"""Home, category, product and search pages issue a fixed number of SQL statements, whatever the
number of products they show: a query per product card (a lazy seller, region or photo load)
makes the count grow with the catalogue and fails these tests."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import ProductImage, Region, SellerDocument
from catalog.models.regions import LEVEL_KECAMATAN
from tests.factories import gen_category, gen_product, gen_seller
from tests.querycount import count_queries

# A page may use this many statements at most (today: 4 to 7 depending on the page).
BOUND = 10
SMALL, LARGE = 5, 40
MAIN_SELLER_PRODUCTS = 8  # more than the product page's "more from this seller" row shows


class Catalogue:
    """Grows a catalogue in which every product has its own photos and (beyond the first few)
    its own seller in its own kecamatan, so per-row lazy loads cannot hide in the identity map."""

    def __init__(self):
        self.top = gen_category("Makanan", slug="makanan", is_featured=True, icon="makanan")
        self.child = gen_category("Keripik", slug="keripik", parent=self.top)
        gen_category("Minuman", slug="minuman", is_featured=True)
        self.regions = db.session.execute(
            select(Region.code, Region.parent_code).where(Region.level == LEVEL_KECAMATAN).order_by(Region.code)
        ).all()
        self.main_seller = gen_seller(business_name="Toko Utama", kota="36.74", kecamatan="36.74.01")
        # Every kota has a seller from the start: an empty list legitimately skips a statement.
        gen_seller(business_name="Toko Kota", kota="36.71", kecamatan="36.71.01")
        gen_seller(business_name="Toko Kabupaten", kota="36.03", kecamatan="36.03.01")
        self.certificate = SellerDocument(seller=self.main_seller, kind="halal", number="HALAL-1",
                                          expires_on=date.today() + timedelta(days=365))
        db.session.add(self.certificate)
        self.count = 0

    def grow_to(self, total: int) -> None:
        while self.count < total:
            n = self.count
            if n < MAIN_SELLER_PRODUCTS:
                seller = self.main_seller
            else:
                kecamatan, kota = self.regions[n % len(self.regions)]
                seller = gen_seller(business_name=f"Usaha {n}", kota=kota, kecamatan=kecamatan)
            # Half in the top category, half in its child: both show on /kategori/makanan.
            product = gen_product(seller=seller, category=self.top if n % 2 else self.child,
                                  title=f"Keripik Nomor {n}", slug=f"keripik-{n}", tkdn_pct=40,
                                  certificates=[self.certificate] if seller is self.main_seller else [])
            for position in range(2):
                db.session.add(ProductImage(product=product, key=f"foto{n}x{position}", width=800, height=800,
                                            position=position))
            self.count += 1
        db.session.commit()


def statements(app, client, url) -> int:
    client.get(url)  # warm up: first connection, template compilation
    with count_queries(app) as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    # Tags stripped: search results mark the matched words inside titles.
    assert "Keripik Nomor" in re.sub(r"<[^>]+>", "", response.get_data(as_text=True)), url
    return counter.count


@pytest.mark.parametrize("url", [
    "/",
    "/?kota=36.71",
    "/kategori/makanan",
    "/kategori/makanan?urut=termurah&hal=1",
    "/produk/keripik-0",
    "/cari?q=keripik",
])
def test_page_statement_count_does_not_grow_with_the_catalogue(app, url):
    catalogue = Catalogue()
    client = app.test_client()

    catalogue.grow_to(SMALL)
    small = statements(app, client, url)

    catalogue.grow_to(LARGE)
    large = statements(app, client, url)

    assert small == large, f"{url}: {small} statements with {SMALL} products, {large} with {LARGE}"
    assert large <= BOUND, f"{url}: {large} statements (bound {BOUND})"


def test_the_data_exposes_a_per_row_query(app):
    """The test data can catch a regression: touching a relation the listing does not load up
    front (each product's seller's user) costs more statements with more products."""
    from catalog.services.catalogue import newest_products

    catalogue = Catalogue()

    def per_row_statements() -> int:
        db.session.remove()  # start empty, as a request does
        with count_queries(app) as counter:
            [product.seller.user.email for product in newest_products()]
        return counter.count

    catalogue.grow_to(SMALL)
    small = per_row_statements()
    catalogue.grow_to(LARGE)
    assert per_row_statements() > small
