"""The cart through real form posts: adding from the product page (guest or logged in), changing
and removing lines, every bad input refused with a message and nothing changed, what the cart
says when a price, the stock or the product changed, the guest cart merged at log-in, the
header's count, and CSRF on the cart's forms."""

import re

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import Cart, CartItem, ProductVariant
from catalog.services import cart as carts
from tests.conftest import csrf_token_from
from tests.factories import KEC_SERPONG, gen_product, gen_seller, gen_user, gen_variant_product
from tests.querycount import count_queries


def text(response) -> str:
    return response.get_data(as_text=True)


def lines() -> list[tuple[int, int]]:
    """Every cart line in the database as (variant id, quantity), whoever's cart it is."""
    db.session.rollback()  # see what the requests committed
    return sorted(tuple(row) for row in db.session.execute(select(CartItem.variant_id, CartItem.quantity)))


def variant_of(product) -> ProductVariant:
    return product.variants[0]


@pytest.fixture
def keripik(app):
    seller = gen_seller(business_name="Keripik Bu Sri")
    product = gen_product(seller=seller, title="Keripik Singkong Pedas", slug="keripik-singkong", price=15_000,
                          stock=10, min_order=2, unit="bungkus")
    db.session.commit()
    return product


def add(client, product, quantity="2", variant_id=None, follow=True):
    variant_id = variant_of(product).id if variant_id is None else variant_id
    return client.post("/keranjang/tambah", data={"variant_id": str(variant_id), "quantity": quantity,
                                                  "next": f"/produk/{product.slug}"}, follow_redirects=follow)


# --- adding ---------------------------------------------------------------------------------------


def test_a_guest_adds_from_the_product_page_and_returns_to_it(client, keripik):
    page = text(client.get("/produk/keripik-singkong"))
    assert 'action="/keranjang/tambah"' in page
    # The quantity starts at the product's minimum order.
    assert re.search(r'name="quantity"[^>]*value="2"', page)
    response = add(client, keripik, follow=False)
    assert response.status_code == 302 and response.headers["Location"] == "/produk/keripik-singkong"
    page = text(client.get(response.headers["Location"]))
    assert "Ditambahkan ke keranjang." in page and 'href="/keranjang">Lihat keranjang' in page
    assert lines() == [(variant_of(keripik).id, 2)]
    # Adding again adds to the line.
    add(client, keripik, quantity="3")
    assert lines() == [(variant_of(keripik).id, 5)]
    cart = db.session.scalar(select(Cart))
    assert cart.user_id is None and cart.token


def test_the_cart_groups_lines_by_seller_with_totals(client, keripik):
    batik = gen_product(seller=gen_seller(business_name="Batik Serpong", kecamatan=KEC_SERPONG),
                        title="Kemeja Batik Tulis", price=250_000, stock=3)
    db.session.commit()
    add(client, keripik, quantity="4")
    add(client, batik, quantity="1")
    page = text(client.get("/keranjang"))
    assert page.index("Keripik Bu Sri") < page.index("Keripik Singkong Pedas") < page.index("Batik Serpong")
    assert "Kec. Pamulang" in page and "Kec. Serpong" in page
    assert "Rp 15.000" in page and "Rp 60.000" in page  # unit price and line total
    assert "Rp 250.000" in page
    assert "Rp 310.000" in page  # the total of both
    assert 'href="/checkout"' in page


def test_an_empty_cart_says_so_with_a_way_to_browse(client):
    page = text(client.get("/keranjang"))
    assert "Keranjang Anda masih kosong." in page and 'href="/kategori"' in page
    assert 'href="/checkout"' not in page


def test_a_product_with_options_offers_its_combinations_without_javascript(client):
    product = gen_variant_product(options=(("Ukuran", ("S", "M")),), stock=4, slug="kaos-umkm", title="Kaos UMKM")
    db.session.commit()
    medium = next(v for v in product.variants if v.label == "M")
    page = text(client.get("/produk/kaos-umkm"))
    assert 'name="variant_id"' in page and f'<option value="{medium.id}">M' in page
    # The combination chosen with ?varian= is already chosen in the cart's list.
    page = text(client.get(f"/produk/kaos-umkm?varian={medium.id}"))
    assert f'<option value="{medium.id}" selected>M' in page
    page = text(add(client, product, quantity="1", variant_id=medium.id))
    assert "Ditambahkan ke keranjang." in page
    assert lines() == [(medium.id, 1)]
    # No combination chosen: a message, nothing added.
    page = text(client.post("/keranjang/tambah", data={"variant_id": "", "quantity": "1", "next": "/produk/kaos-umkm"},
                            follow_redirects=True))
    assert "Pilih kombinasi produk dulu." in page
    assert lines() == [(medium.id, 1)]


@pytest.mark.parametrize("quantity, message", [
    ("0", "Jumlah minimal 1"),
    ("-1", "tidak boleh negatif"),
    ("abc", "Jumlah harus berupa angka bulat"),
    ("1,5", "tanpa koma"),
    ("", "Isi jumlah yang ingin dibeli."),
    ("11", "Stok tersisa 10 bungkus."),
    ("1", "Pembelian minimal 2 bungkus."),
    ("99999999999999999999", "Jumlah terlalu besar."),
])
def test_bad_quantities_are_refused_with_a_message_and_nothing_changes(client, keripik, quantity, message):
    response = add(client, keripik, quantity=quantity)
    assert response.status_code == 200
    assert message in text(response)
    assert "Ditambahkan ke keranjang" not in text(response)
    assert lines() == []


def test_adding_beyond_the_stock_counts_what_is_already_in_the_cart(client, keripik):
    add(client, keripik, quantity="8")
    page = text(add(client, keripik, quantity="3"))
    assert "Stok tersisa 10 bungkus." in page
    assert lines() == [(variant_of(keripik).id, 8)]


@pytest.mark.parametrize("change, message", [
    (lambda p: setattr(p, "status", "archived"), "Produk ini sedang tidak dijual."),
    (lambda p: setattr(p.seller, "status", "suspended"), "Produk ini sedang tidak dijual."),
    (lambda p: setattr(p.variants[0], "active", False), "Pilihan ini sedang tidak dijual."),
    (lambda p: setattr(p.variants[0], "stock", 0), "Stok habis."),
])
def test_products_that_cannot_be_sold_are_not_added(client, keripik, change, message):
    change(keripik)
    db.session.commit()
    response = client.post("/keranjang/tambah", data={"variant_id": str(variant_of(keripik).id), "quantity": "2",
                                                      "next": "/produk/keripik-singkong"})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert [(c, str(m)) for c, m in session["_flashes"]] == [("error", message)]
    assert lines() == []


@pytest.mark.parametrize("variant_id", ["999999", "abc", "-3", "1.5", "9" * 40])
def test_unknown_combinations_are_refused(client, keripik, variant_id):
    response = client.post("/keranjang/tambah", data={"variant_id": variant_id, "quantity": "2"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Produk tidak ditemukan." in text(response)
    assert lines() == []


def test_the_back_link_never_leaves_the_site(client, keripik):
    response = client.post("/keranjang/tambah", data={"variant_id": str(variant_of(keripik).id), "quantity": "2",
                                                      "next": "//evil.example/x"})
    assert response.headers["Location"] == "/produk/keripik-singkong"


# --- changing and removing ---------------------------------------------------------------------------


def line_id() -> int:
    db.session.rollback()
    return db.session.scalar(select(CartItem.id))


def test_changing_and_removing_a_line(client, keripik):
    add(client, keripik, quantity="2")
    item_id = line_id()
    page = text(client.post(f"/keranjang/{item_id}", data={"quantity": "5"}, follow_redirects=True))
    assert "Jumlah diperbarui." in page and "Rp 75.000" in page
    assert lines() == [(variant_of(keripik).id, 5)]
    page = text(client.post(f"/keranjang/{item_id}/hapus", follow_redirects=True))
    assert "Barang dikeluarkan dari keranjang." in page and "Keranjang Anda masih kosong." in page
    assert lines() == []


@pytest.mark.parametrize("quantity, message", [
    ("0", "Jumlah minimal 1"),
    ("-2", "tidak boleh negatif"),
    ("dua", "Jumlah harus berupa angka bulat"),
    ("", "Isi jumlah yang ingin dibeli."),
    ("11", "Stok tersisa 10 bungkus."),
    ("1", "Pembelian minimal 2 bungkus."),
])
def test_bad_quantity_changes_are_refused(client, keripik, quantity, message):
    add(client, keripik, quantity="3")
    response = client.post(f"/keranjang/{line_id()}", data={"quantity": quantity}, follow_redirects=True)
    assert response.status_code == 200 and message in text(response)
    assert lines() == [(variant_of(keripik).id, 3)]


def test_another_carts_line_cannot_be_changed_or_removed(client, app, keripik):
    stranger = gen_user()
    db.session.commit()
    carts.add_item(user_id=stranger.id, token=None, variant_id=variant_of(keripik).id, quantity=4)
    theirs = line_id()
    add(client, keripik, quantity="2")  # the guest's own cart exists too
    for path, data in ((f"/keranjang/{theirs}", {"quantity": "9"}), (f"/keranjang/{theirs}/hapus", {})):
        response = client.post(path, data=data, follow_redirects=True)
        assert response.status_code == 200
        assert "Barang ini tidak ada di keranjang Anda." in text(response)
    assert lines() == [(variant_of(keripik).id, 2), (variant_of(keripik).id, 4)]
    # Without any cart at all, the same message.
    fresh_client = app.test_client()
    response = fresh_client.post(f"/keranjang/{theirs}/hapus", follow_redirects=True)
    assert "Barang ini tidak ada di keranjang Anda." in text(response)


# --- what changed since -----------------------------------------------------------------------------


def test_a_changed_price_is_pointed_out_until_the_shopper_accepts_it(client, keripik):
    add(client, keripik, quantity="2")
    variant_of(keripik).price = 17_500
    db.session.commit()
    page = text(client.get("/keranjang"))
    assert "Harga berubah dari Rp 15.000 menjadi Rp 17.500." in page
    assert "Rp 35.000" in page  # the total uses the new price
    assert "OK, saya mengerti" in page
    page = text(client.post("/keranjang/harga-baru", follow_redirects=True))
    assert "Harga berubah" not in page and "OK, saya mengerti" not in page


def test_lines_that_cannot_be_ordered_are_shown_with_the_reason(client, keripik):
    other = gen_product(title="Dodol Betawi", price=20_000, stock=5)
    gone = gen_product(title="Kue Lapis Legit", price=30_000, stock=5)
    db.session.commit()
    add(client, keripik, quantity="6")
    add(client, other, quantity="1")
    add(client, gone, quantity="1")
    variant_of(keripik).stock = 4
    gone.status = "archived"
    db.session.commit()
    page = text(client.get("/keranjang"))
    assert "Stok tinggal 4 bungkus: kurangi jumlahnya." in page
    assert "Produk ini sudah tidak dijual." in page
    assert 'href="/checkout"' not in page and "Ubah jumlah atau hapus barang yang ditandai" in page
    # A product no longer sold keeps only its "Hapus" button (no quantity to change, no link).
    gone_line = page[page.index("Kue Lapis Legit") - 2000:page.index("Produk ini sudah tidak dijual.") + 800]
    assert "/hapus" in gone_line and 'name="quantity"' not in gone_line.split("Kue Lapis Legit", 1)[1]
    # Only the orderable line counts towards the total.
    assert "Rp 20.000" in page
    variant_of(keripik).stock = 10
    db.session.commit()
    page = text(client.get("/keranjang"))
    assert "Stok tinggal" not in page


def test_a_line_below_the_minimum_order_says_so(client, keripik):
    add(client, keripik, quantity="2")
    keripik.min_order = 5
    db.session.commit()
    assert "Pembelian minimal 5 bungkus." in text(client.get("/keranjang"))


# --- guests, log-in and the header ---------------------------------------------------------------------


def test_a_guest_cart_merges_into_the_users_cart_at_login(client, auth, keripik):
    user = gen_user(email="rina@contoh.id")
    other = gen_product(title="Dodol Betawi", price=20_000, stock=5)
    db.session.commit()
    carts.add_item(user_id=user.id, token=None, variant_id=variant_of(keripik).id, quantity=7)
    add(client, keripik, quantity="6")
    add(client, other, quantity="2")
    response = client.post("/masuk", data={"email": "rina@contoh.id", "password": "rahasia-123"},
                           follow_redirects=True)
    assert "digabung ke keranjang akun ini" in text(response)
    db.session.rollback()
    cart = carts.cart_for(user_id=user.id)
    # 7 + 6 is capped at the stock of 10; the other line moves over.
    assert sorted((i.variant_id, i.quantity) for i in cart.items) == [
        (variant_of(keripik).id, 10), (variant_of(other).id, 2)]
    assert db.session.scalar(select(func.count(Cart.id))) == 1  # the guest cart is gone
    with client.session_transaction() as session:
        assert "cart_token" not in session


def test_a_guest_who_registers_keeps_the_cart(client, keripik):
    add(client, keripik, quantity="3")
    response = client.post("/daftar", data={"name": "Budi Santoso", "email": "budi@contoh.id", "phone": "0812 3456 7890",
                                            "password": "Kopi-Susu-2026", "password_confirm": "Kopi-Susu-2026"})
    assert response.status_code == 302
    # The header counts the guest cart at once; the cart page moves it into the new account.
    assert re.search(r'class="bell-count">3<', text(client.get("/")))
    assert "Keripik Singkong Pedas" in text(client.get("/keranjang"))
    db.session.rollback()
    cart = db.session.scalar(select(Cart))
    assert cart.user_id is not None and [(i.variant_id, i.quantity) for i in cart.items] == [(variant_of(keripik).id, 3)]


def test_logging_in_without_a_guest_cart_says_nothing_extra(client, auth, keripik):
    gen_user(email="rina@contoh.id")
    db.session.commit()
    page = text(client.post("/masuk", data={"email": "rina@contoh.id", "password": "rahasia-123"},
                            follow_redirects=True))
    assert "Selamat datang" in page and "digabung" not in page


def test_a_logged_in_user_adds_to_the_accounts_cart(client, auth, keripik):
    user = gen_user(email="rina@contoh.id")
    db.session.commit()
    auth.login("rina@contoh.id")
    add(client, keripik, quantity="2")
    db.session.rollback()
    assert [(i.variant_id, i.quantity) for i in carts.cart_for(user_id=user.id).items] == [(variant_of(keripik).id, 2)]


def test_the_header_counts_the_units_in_the_cart(client, app, keripik):
    assert "nav-cart" in text(client.get("/"))
    add(client, keripik, quantity="3")
    page = text(client.get("/"))
    assert re.search(r'class="bell-count">3<span class="visually-hidden"> barang', page)
    # One statement for the count, none for a visitor without a cart.
    with count_queries(app) as with_cart:
        client.get("/tentang")
    with count_queries(app) as without_cart:
        app.test_client().get("/tentang")
    assert with_cart.count - without_cart.count == 1


# --- CSRF --------------------------------------------------------------------------------------------


def test_cart_forms_need_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        product = gen_product(title="Keripik Singkong Pedas", slug="keripik-csrf", stock=5)
        db.session.commit()
        variant_id = variant_of(product).id
        response = client.post("/keranjang/tambah", data={"variant_id": str(variant_id), "quantity": "1"})
        assert response.status_code == 400
        assert lines() == []
        token = csrf_token_from(text(client.get("/produk/keripik-csrf")))
        response = client.post("/keranjang/tambah", data={"variant_id": str(variant_id), "quantity": "1",
                                                          "csrf_token": token})
        assert response.status_code == 302
        assert lines() == [(variant_id, 1)]
        item_id = line_id()
        for path in (f"/keranjang/{item_id}", f"/keranjang/{item_id}/hapus", "/keranjang/harga-baru"):
            assert client.post(path, data={"quantity": "3"}).status_code == 400
        assert lines() == [(variant_id, 1)]


def test_the_cart_page_needs_no_query_per_line(client, app):
    """Lines from ever more sellers (each with its own kecamatan and photos) cost no extra
    statements: everything the page shows is loaded up front."""
    from catalog.models import ProductImage, Region
    from catalog.models.regions import LEVEL_KECAMATAN

    places = db.session.execute(select(Region.code, Region.parent_code).where(Region.level == LEVEL_KECAMATAN)
                                .order_by(Region.code)).all()

    def grow(n):
        for i in range(n):
            kecamatan, kota = places[(len(lines()) + i) % len(places)]
            product = gen_product(seller=gen_seller(kota=kota, kecamatan=kecamatan), price=10_000, stock=9)
            db.session.add(ProductImage(product=product, key=f"foto-{product.id}", width=800, height=800))
            db.session.commit()
            add(client, product, quantity="1")

    def statements():
        client.get("/keranjang")
        with count_queries(app) as counter:
            assert client.get("/keranjang").status_code == 200
        return counter.count

    grow(2)
    few = statements()
    grow(6)
    assert statements() == few


# --- two requests of one visitor at once ----------------------------------------------------------


def _racing(monkeypatch, name):
    """Make the first call of carts.<name> miss what a parallel request has just committed."""
    real, calls = getattr(carts, name), []

    def late(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(carts, name, late)


def test_a_guest_cart_created_meanwhile_by_a_parallel_request_is_added_to(app, keripik, monkeypatch):
    token = "t" * 43
    db.session.add(Cart(token=token))
    db.session.commit()
    _racing(monkeypatch, "cart_for")  # this request read "no cart" just before the other committed one
    carts.add_item(user_id=None, token=token, variant_id=variant_of(keripik).id, quantity=2)
    assert db.session.scalar(select(func.count(Cart.id)).where(Cart.token == token)) == 1
    assert lines() == [(variant_of(keripik).id, 2)]
