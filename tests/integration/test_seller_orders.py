"""The seller's orders (/penjual/pesanan): the list with state tabs, one order with the actions
its state allows, the packing slip, the transfer confirmation, who may see what (a seller only
its own orders, never another seller's part of the same checkout), CSRF, bounded queries, and
the sales section of the dashboard. Orders are made the way shoppers make them: cart, checkout,
payment, then the seller's and shopper's moves through the services."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from catalog.demo.orders import advance, place
from catalog.extensions import db
from catalog.models import Order, Payment
from catalog.models.base import utcnow
from catalog.services import delivery
from catalog.services.delivery import OptionInput
from tests.conftest import csrf_token_from
from tests.factories import gen_address, gen_officer, gen_product, gen_seller, gen_user
from tests.integration.test_seller_dashboard import log_in, text_of
from tests.querycount import count_queries

REASON = "Bahan baku habis minggu ini."


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """scrypt is slow on purpose, and these tests make several accounts each (most never log in
    with their password): a one-round hash keeps the suite quick; checking still works."""
    from catalog.models import users

    monkeypatch.setattr(users, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, method="pbkdf2:sha256:1"))


class World:
    """Two sellers (Pamulang) with products and every kind of delivery, a shopper in Pamulang
    with an address, and an admin who confirms transfers."""

    def __init__(self):
        self.seller = gen_seller(business_name="Keripik Bu Rina")
        self.other = gen_seller(business_name="Batik Pak Darto")
        self.keripik = gen_product(seller=self.seller, title="Keripik Singkong Balado", price=15_000, stock=500,
                                   sku="KRP-BLD-250")
        self.sambal = gen_product(seller=self.seller, title="Sambal Roa", price=30_000, stock=500)
        self.batik = gen_product(seller=self.other, title="Kemeja Batik Tulis", price=250_000, stock=50)
        self.shopper = gen_user(name="Putri Anggraini")
        self.address = gen_address(self.shopper, recipient="Putri Anggraini", phone="+6281298765432",
                                   kelurahan_code="36.74.06.1001", postal_code="15417",
                                   detail="Jl. Pinang Raya No. 12, RT 03/RW 05")
        self.admin = gen_user(role="admin")
        db.session.commit()
        for seller in (self.seller, self.other):
            delivery.add_option(seller, OptionInput(kind="courier", name="JNE Reguler", fee="10.000"))
            delivery.add_option(seller, OptionInput(kind="own", name="Kurir toko", fee="5.000"))
            delivery.add_option(seller, OptionInput(kind="pickup"))

    def order(self, state="new", kind="courier", lines=None, shopper=None, with_other=False, note=None) -> str:
        """The number of a fresh order of the seller in `state`, delivered by `kind`."""
        shopper = shopper or self.shopper
        address = self.address if shopper is self.shopper else gen_address(shopper)
        lines = lines or [(self.keripik, 2), (self.sambal, 1)]
        wanted = [(p.variants[0].id, q) for p, q in lines]
        if with_other:
            wanted.append((self.batik.variants[0].id, 1))
        group = place(shopper, address, wanted, delivery={self.seller.id: kind, self.other.id: kind},
                      notes={self.seller.id: note} if note else None)
        order = next(o for o in group.orders if o.seller_id == self.seller.id)
        advance(order, state, seller=self.seller, shopper=shopper, admin=self.admin)
        return order.number


@pytest.fixture
def world(app):
    return World()


@pytest.fixture
def seller_client(client, world):
    log_in(client, world.seller.user)
    return client


def status_of(number: str) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Order.status).where(Order.number == number))


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def statements(app, client, url) -> int:
    page(client, url)  # warm up: first connection, template compilation
    with count_queries(app) as counter:
        page(client, url)
    return counter.count


# --- the list ------------------------------------------------------------------------------------

def test_list_shows_only_the_sellers_own_orders_newest_first(seller_client, world):
    older = world.order("completed")
    newer = world.order("new")
    theirs = gen_seller()
    db.session.commit()
    html = page(seller_client, "/penjual/pesanan")
    text = text_of(html)
    assert text.index(newer) < text.index(older)
    assert "Putri Anggraini" in text and "3 barang" in text
    assert "Rp 70.000" in text  # 2 × 15.000 + 30.000 + 10.000 shipping: this seller's order total
    assert "Selesai" in text and "Baru" in text
    log_in(seller_client, theirs.user)
    assert "Belum ada pesanan" in text_of(page(seller_client, "/penjual/pesanan"))


def test_tabs_filter_by_state_and_show_counts(seller_client, world):
    numbers = {state: world.order(state) for state in
               ("awaiting_payment", "new", "accepted", "shipped", "delivered", "completed", "rejected", "cancelled")}
    text = text_of(page(seller_client, "/penjual/pesanan"))
    for label, count in (("Semua", 8), ("Menunggu pembayaran", 1), ("Baru", 1), ("Diproses", 1), ("Dikirim", 2),
                         ("Selesai", 1), ("Dibatalkan/Ditolak", 2)):
        assert f"{label} {count}" in text, label
    shipped = text_of(page(seller_client, "/penjual/pesanan?status=dikirim"))
    assert numbers["shipped"] in shipped and numbers["delivered"] in shipped
    assert numbers["new"] not in shipped and numbers["completed"] not in shipped
    closed = text_of(page(seller_client, "/penjual/pesanan?status=dibatalkan"))
    assert numbers["rejected"] in closed and numbers["cancelled"] in closed and numbers["new"] not in closed
    # A tab nobody offers shows every order instead of an error.
    assert numbers["new"] in text_of(page(seller_client, "/penjual/pesanan?status=%3Cx%3E&hal=abc"))


def test_list_is_paginated(seller_client, world, monkeypatch):
    from catalog.services import sales

    monkeypatch.setattr(sales, "PER_PAGE", 2)
    numbers = [world.order("new") for _ in range(5)]
    first = text_of(page(seller_client, "/penjual/pesanan"))
    third = text_of(page(seller_client, "/penjual/pesanan?hal=3"))
    assert numbers[4] in first and numbers[3] in first and numbers[0] not in first
    assert numbers[0] in third and numbers[4] not in third
    assert "dari 5 pesanan" in first and "Berikutnya" in first


def test_the_list_issues_a_bounded_number_of_queries(app, seller_client, world):
    for _ in range(2):
        world.order("new", shopper=gen_user())
    few = statements(app, seller_client, "/penjual/pesanan")
    for _ in range(10):
        world.order("completed", shopper=gen_user())  # a different buyer on every row
    assert statements(app, seller_client, "/penjual/pesanan") == few
    # user, seller, counts per state, the page, its buyers, its units, unread notifications
    assert few <= 8, few


# --- one order -----------------------------------------------------------------------------------

def test_order_page_shows_lines_totals_address_note_and_payment(seller_client, world):
    number = world.order("new", note="Yang pedas ya, Bu.")
    text = text_of(page(seller_client, f"/penjual/pesanan/{number}"))
    for expected in ("Keripik Singkong Balado", "SKU KRP-BLD-250", "2 pcs × Rp 15.000", "Rp 30.000", "Sambal Roa",
                     "Subtotal barang Rp 60.000", "Ongkos kirim Rp 10.000", "Total pesanan Rp 70.000",
                     "Putri Anggraini", "+6281298765432", "Jl. Pinang Raya No. 12, RT 03/RW 05", "Pamulang",
                     "Kota Tangerang Selatan 15417", "JNE Reguler", "Yang pedas ya, Bu.", "Transfer bank", "Lunas",
                     "Terima pesanan", "Tolak pesanan"):
        assert expected in text, expected


def test_a_seller_never_sees_the_other_sellers_part_of_the_checkout(seller_client, world):
    number = world.order("new", with_other=True)
    other_number = db.session.scalar(select(Order.number).where(Order.seller_id == world.other.id))
    group_total = db.session.scalar(select(Payment.amount))
    for url in (f"/penjual/pesanan/{number}", f"/penjual/pesanan/{number}/label", "/penjual/pesanan"):
        text = text_of(page(seller_client, url))
        assert "Kemeja Batik Tulis" not in text and "Batik Pak Darto" not in text, url
        assert other_number not in text, url
        assert f"Rp {group_total:,}".replace(",", ".") not in text, url


@pytest.mark.parametrize("kind, button", [("courier", "Tandai dikirim"), ("own", "Tandai sedang diantar"),
                                          ("pickup", "Tandai siap diambil")])
def test_accepted_order_offers_shipping_for_its_delivery_kind(seller_client, world, kind, button):
    number = world.order("accepted", kind=kind)
    text = text_of(page(seller_client, f"/penjual/pesanan/{number}"))
    assert button in text and "Batalkan pesanan" in text and "Cetak label pengiriman" in text
    assert ("Nomor resi" in text) == (kind == "courier")


# --- actions allowed by state --------------------------------------------------------------------

ACTIONS = {
    # path: (the state it is allowed in, the state it leads to, the form)
    "terima": ("new", "accepted", {}),
    "tolak": ("new", "rejected", {"reason": REASON}),
    "kirim": ("accepted", "shipped", {"courier": "JNE Reguler", "tracking_number": "CGK1234567890"}),
    "sampai": ("shipped", "delivered", {}),
    "batalkan": ("accepted", "cancelled", {"reason": REASON}),
}
STATES = ("awaiting_payment", "new", "accepted", "shipped", "delivered", "completed", "rejected", "cancelled")


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_each_action_works_only_in_its_state(seller_client, world, action, state):
    allowed_in, leads_to, form = ACTIONS[action]
    number = world.order(state)
    response = seller_client.post(f"/penjual/pesanan/{number}/{action}", data=form, follow_redirects=True)
    html = response.get_data(as_text=True)
    if state == allowed_in:
        assert response.status_code == 200
        assert status_of(number) == leads_to
        assert "flash-success" in html
    else:
        assert response.status_code in (200, 422)
        assert status_of(number) == state
        assert "flash-danger" in html
        assert "tidak dapat" in text_of(html)


def test_accepting_and_shipping_record_the_courier_and_tracking_number(seller_client, world):
    number = world.order("new")
    seller_client.post(f"/penjual/pesanan/{number}/terima")
    seller_client.post(f"/penjual/pesanan/{number}/kirim", data={"courier": "JNE Reguler",
                                                                  "tracking_number": " CGK1234567890 "})
    order = db.session.scalar(select(Order).where(Order.number == number))
    db.session.refresh(order)
    assert (order.status, order.courier, order.tracking_number) == ("shipped", "JNE Reguler", "CGK1234567890")
    assert order.accepted_at and order.shipped_at
    assert "CGK1234567890" in text_of(page(seller_client, f"/penjual/pesanan/{number}"))


def test_courier_delivery_cannot_ship_without_a_tracking_number(seller_client, world):
    number = world.order("accepted", kind="courier")
    response = seller_client.post(f"/penjual/pesanan/{number}/kirim", data={"courier": "JNE", "tracking_number": " "})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Isi nomor resi dari kurir." in text_of(html)
    assert 'aria-invalid="true"' in html
    assert status_of(number) == "accepted"


@pytest.mark.parametrize("kind", ["own", "pickup"])
def test_own_delivery_and_pickup_ship_without_a_tracking_number(seller_client, world, kind):
    number = world.order("accepted", kind=kind)
    response = seller_client.post(f"/penjual/pesanan/{number}/kirim", data={})
    assert response.status_code == 302
    assert status_of(number) == "shipped"


@pytest.mark.parametrize("action, state", [("tolak", "new"), ("batalkan", "accepted")])
@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_or_cancelling_needs_a_reason(seller_client, world, action, state, reason):
    number = world.order(state)
    response = seller_client.post(f"/penjual/pesanan/{number}/{action}", data={"reason": reason})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tuliskan alasannya agar pembeli mengerti." in text_of(html)
    assert "<details class=\"action-more\" open>" in html  # the form stays open with the message
    assert status_of(number) == state


def test_a_reason_longer_than_500_characters_is_refused(seller_client, world):
    number = world.order("new")
    response = seller_client.post(f"/penjual/pesanan/{number}/tolak", data={"reason": "x" * 501})
    assert response.status_code == 422
    assert "500" in text_of(response.get_data(as_text=True))
    assert status_of(number) == "new"


def test_rejecting_returns_the_stock_and_shows_the_reason(seller_client, world):
    number = world.order("new")
    db.session.refresh(world.keripik.variants[0])
    before = world.keripik.variants[0].stock
    seller_client.post(f"/penjual/pesanan/{number}/tolak", data={"reason": REASON})
    db.session.refresh(world.keripik.variants[0])
    assert world.keripik.variants[0].stock == before + 2
    text = text_of(page(seller_client, f"/penjual/pesanan/{number}"))
    assert "Ditolak" in text and REASON in text and "Dana Rp 70.000 dikembalikan" in text


# --- the transfer ----------------------------------------------------------------------------------

def test_the_only_seller_of_a_checkout_confirms_the_transfer(seller_client, world):
    number = world.order("awaiting_payment")
    text = text_of(page(seller_client, f"/penjual/pesanan/{number}"))
    assert "Konfirmasi pembayaran diterima" in text and "Belum diunggah" in text
    response = seller_client.post(f"/penjual/pesanan/{number}/konfirmasi-pembayaran", follow_redirects=True)
    assert "Pembayaran dikonfirmasi" in text_of(response.get_data(as_text=True))
    assert status_of(number) == "new"
    payment = db.session.scalar(select(Payment))
    assert (payment.status, payment.confirmed_by_id) == ("paid", world.seller.user_id)


def test_a_checkout_shared_with_another_seller_is_confirmed_by_the_dinas_only(seller_client, world):
    number = world.order("awaiting_payment", with_other=True)
    text = text_of(page(seller_client, f"/penjual/pesanan/{number}"))
    assert "Konfirmasi pembayaran diterima" not in text
    assert "dikonfirmasi Dinas" in text
    response = seller_client.post(f"/penjual/pesanan/{number}/konfirmasi-pembayaran", follow_redirects=True)
    assert "Anda tidak dapat mengonfirmasi pembayaran ini." in text_of(response.get_data(as_text=True))
    assert status_of(number) == "awaiting_payment"


def test_a_paid_order_has_nothing_to_confirm(seller_client, world):
    number = world.order("new")
    response = seller_client.post(f"/penjual/pesanan/{number}/konfirmasi-pembayaran", follow_redirects=True)
    assert "sudah tidak menunggu konfirmasi" in text_of(response.get_data(as_text=True))
    assert status_of(number) == "new"


def test_an_unpaid_transfer_past_its_deadline_expires_when_the_seller_opens_it(seller_client, world):
    number = world.order("awaiting_payment")
    payment = db.session.scalar(select(Payment))
    payment.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    text = text_of(page(seller_client, f"/penjual/pesanan/{number}"))
    assert status_of(number) == "cancelled"
    assert "Konfirmasi pembayaran diterima" not in text and "Dibatalkan" in text


# --- the packing slip ----------------------------------------------------------------------------

def test_packing_slip_has_what_the_courier_and_packer_need(seller_client, world):
    number = world.order("accepted", note="Bungkus rapat")
    html = page(seller_client, f"/penjual/pesanan/{number}/label")
    text = text_of(html)
    for expected in (number, "Putri Anggraini", "+6281298765432", "Jl. Pinang Raya No. 12, RT 03/RW 05",
                     "Kel. Pamulang Barat", "Kec. Pamulang", "Kota Tangerang Selatan 15417", "Keripik Singkong Balado",
                     "KRP-BLD-250", "2 pcs", "Sambal Roa", "1 pcs", "Keripik Bu Rina", "JNE Reguler", "Bungkus rapat"):
        assert expected in text, expected
    assert "Rp " not in text  # a packing slip shows no prices
    assert "css/seller-orders.css" in html  # the print rules


def test_packing_slip_warns_when_the_order_must_not_be_sent(seller_client, world):
    number = world.order("new")
    assert "Jangan kirim barang sebelum menerimanya" in text_of(page(seller_client, f"/penjual/pesanan/{number}/label"))


# --- who may see what ----------------------------------------------------------------------------

SELLER_URLS = ["/penjual/pesanan/{n}", "/penjual/pesanan/{n}/label"]
SELLER_POSTS = ["terima", "tolak", "kirim", "sampai", "batalkan", "konfirmasi-pembayaran"]


@pytest.mark.parametrize("state", ["awaiting_payment", "new", "accepted", "shipped"])
def test_another_sellers_order_is_not_found_for_every_page_and_action(client, world, state):
    number = world.order(state)
    log_in(client, world.other.user)
    for url in SELLER_URLS:
        assert client.get(url.format(n=number)).status_code == 404
    for action in SELLER_POSTS:
        data = {"reason": REASON, "courier": "JNE", "tracking_number": "X1"}
        assert client.post(f"/penjual/pesanan/{number}/{action}", data=data).status_code == 404, action
    assert status_of(number) == state
    assert client.get("/penjual/pesanan/KU-000000-NOPE-1").status_code == 404


@pytest.mark.parametrize("url", ["/penjual/pesanan", "/penjual/pesanan/{n}", "/penjual/pesanan/{n}/label"])
def test_anonymous_visitors_are_sent_to_log_in(client, world, url):
    number = world.order("new")
    response = client.get(url.format(n=number))
    assert response.status_code == 302 and urlsplit(response.location).path == "/masuk"
    response = client.post(f"/penjual/pesanan/{number}/terima")
    assert response.status_code == 302 and urlsplit(response.location).path == "/masuk"
    assert status_of(number) == "new"


@pytest.mark.parametrize("make_user", [lambda w: w.shopper, lambda w: gen_officer(), lambda w: gen_user(role="admin")])
def test_other_roles_get_403_even_the_shopper_of_the_order(client, world, make_user):
    number = world.order("new")
    user = make_user(world)
    db.session.commit()
    log_in(client, user)
    for url in ("/penjual/pesanan", f"/penjual/pesanan/{number}", f"/penjual/pesanan/{number}/label"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/penjual/pesanan/{number}/terima").status_code == 403
    assert status_of(number) == "new"


# --- CSRF ----------------------------------------------------------------------------------------

def test_order_actions_need_the_pages_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        world = World()
        world.seller.user.email = "csrf.penjual@contoh.id"
        db.session.commit()
        number = world.order("new")
        login_page = client.get("/masuk").get_data(as_text=True)
        response = client.post("/masuk", data={"email": "csrf.penjual@contoh.id", "password": "rahasia-123",
                                               "csrf_token": csrf_token_from(login_page)})
        assert response.status_code == 302

        assert client.post(f"/penjual/pesanan/{number}/terima").status_code == 400
        assert client.post(f"/penjual/pesanan/{number}/tolak", data={"reason": REASON,
                                                                      "csrf_token": "palsu"}).status_code == 400
        assert status_of(number) == "new"

        order_page = client.get(f"/penjual/pesanan/{number}").get_data(as_text=True)
        token = csrf_token_from(order_page[order_page.index("/terima"):])
        assert client.post(f"/penjual/pesanan/{number}/terima", data={"csrf_token": token}).status_code == 302
        assert status_of(number) == "accepted"


# --- the dashboard's sales section ---------------------------------------------------------------

def test_dashboard_points_to_new_orders_and_shows_sales_and_best_sellers(seller_client, world):
    world.order("new", lines=[(world.keripik, 4)])
    world.order("new", lines=[(world.sambal, 1)])
    world.order("completed", lines=[(world.keripik, 2), (world.sambal, 1)])
    world.order("rejected", lines=[(world.sambal, 9)])
    html = page(seller_client, "/penjual")
    text = text_of(html)
    assert '<a href="/penjual/pesanan?status=baru">2 pesanan baru menunggu</a>' in html
    assert "Pesanan dibayar" in text and "Rp 150.000" in text  # 60.000 + 30.000 + 60.000, without shipping
    assert "minggu ini 3 Rp 150.000" in text  # this week's row: orders, then sales
    best = text[text.index("Produk terlaris"):]
    assert best.index("Keripik Singkong Balado") < best.index("Sambal Roa")
    assert "6 terjual · Rp 90.000" in best and "2 terjual · Rp 60.000" in best
    assert 'href="/penjual/pesanan"' in html and 'href="/penjual/pengiriman"' in html
    assert "style=" not in html[html.index('id="sales-title"'):html.index('id="top-title"')]


def test_dashboard_statements_do_not_grow_with_orders(app, seller_client, world):
    world.order("new")
    few = statements(app, seller_client, "/penjual")
    for state in ("completed", "shipped", "accepted", "rejected", "new"):
        world.order(state, shopper=gen_user())
    assert statements(app, seller_client, "/penjual") == few
    # the dashboard's own (10 with government sales and the balance, see test_seller_dashboard.py)
    # + orders per state and week + best sellers
    assert few <= 12, few


def test_dashboard_without_orders_says_so(seller_client, world):
    text = text_of(page(seller_client, "/penjual"))
    assert "pesanan baru menunggu" not in text
    assert "Belum ada pesanan dibayar dalam 12 minggu terakhir" in text
    assert "Belum ada produk terjual" in text
