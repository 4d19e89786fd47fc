"""The shopper's orders: "Pesanan Saya", one checkout's page (payment box, timeline, actions),
the transfer proof, lazy expiry, cancelling, confirming receipt and the invoice; ownership (404)
and CSRF. The builders at the top are shared by the other order test modules."""

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from PIL import Image
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import AuditEvent, DeliveryOption, Order, OrderGroup, ProductVariant
from catalog.models.base import utcnow
from catalog.services import cart, checkout, orders, payments
from tests.conftest import csrf_token_from
from tests.factories import gen_address, gen_product, gen_seller, gen_user
from tests.querycount import count_queries

# --- builders (used by the other order test modules too) -------------------------------------------


def log_in(client, user):
    """Logged in as Flask-Login does it, without depending on the /masuk form."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def courier_seller(**kw):
    """A verified seller whose only delivery is a JNE courier to every kota (so orders ship
    with a tracking number)."""
    seller = gen_seller(**kw)
    db.session.add(DeliveryOption(seller_id=seller.id, kind="courier", name="JNE Reguler", fee=10_000))
    db.session.flush()
    return seller


def buy(user, *lines, method="transfer") -> OrderGroup:
    """A checkout of (product, quantity) pairs by `user`, through the cart and checkout services
    exactly as the pages do it."""
    for product, quantity in lines:
        cart.add_item(user_id=user.id, token=None, variant_id=product.variants[0].id, quantity=quantity)
    address = gen_address(user)
    the_cart = cart.cart_for(user_id=user.id)
    total = checkout.quote(the_cart, address).total
    return checkout.place_order(user=user, cart=the_cart, address=address, chosen={}, method=method,
                                expected_total=total, checkout_token=checkout.new_checkout_token())


def pay(group: OrderGroup) -> None:
    admin = gen_user(role="admin")
    payments.confirm_transfer(group.payment, admin)


def paid(user, *lines) -> OrderGroup:
    """A checkout by transfer that the Dinas has confirmed: its orders are "new"."""
    group = buy(user, *lines)
    pay(group)
    return group


def ship(order: Order, tracking="JNE0012345") -> None:
    seller = order.seller
    orders.accept(order, seller, actor_id=seller.user_id)
    orders.ship(order, seller, actor_id=seller.user_id, courier="JNE", tracking_number=tracking)


def complete(order: Order) -> None:
    ship(order)
    orders.confirm_receipt(order, order.user)


def stock_of(product) -> int:
    return db.session.scalar(select(ProductVariant.stock).where(ProductVariant.product_id == product.id))


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


# --- fixtures --------------------------------------------------------------------------------------


@pytest.fixture
def shop(app):
    """A shopper, two sellers (one ships by courier), a product each with 10 in stock."""
    shopper = gen_user(name="Siti Rahma")
    snacks = courier_seller(business_name="Keripik Bu Sari", npwp="0123456789012345")
    batik = gen_seller(business_name="Batik Serpong")
    keripik = gen_product(seller=snacks, title="Keripik Singkong Balado", price=15_000, stock=10)
    kemeja = gen_product(seller=batik, title="Kemeja Batik Tulis", price=250_000, stock=10)
    db.session.commit()
    return shopper, keripik, kemeja


@pytest.fixture
def shopper_client(client, shop):
    log_in(client, shop[0])
    return client


# --- Pesanan Saya ----------------------------------------------------------------------------------


def test_my_orders_lists_only_my_own_checkouts(shopper_client, shop):
    shopper, keripik, kemeja = shop
    mine = buy(shopper, (keripik, 2))
    other = gen_user()
    theirs = buy(other, (kemeja, 1))
    html = shopper_client.get("/pesanan").get_data(as_text=True)
    text = text_of(html)
    assert mine.number in text and "Keripik Bu Sari" in text and "Rp 40.000" in text
    assert theirs.number not in text and "Kemeja Batik Tulis" not in text


def test_my_orders_are_newest_first_with_tabs_that_filter(shopper_client, shop):
    shopper, keripik, kemeja = shop
    older = paid(shopper, (keripik, 1))
    newer = buy(shopper, (kemeja, 1))
    text = text_of(shopper_client.get("/pesanan").get_data(as_text=True))
    assert text.index(newer.number) < text.index(older.number)
    assert "Belum dibayar 1" in text and "Diproses 1" in text and "Semua 2" in text

    unpaid = text_of(shopper_client.get("/pesanan?status=belum-dibayar").get_data(as_text=True))
    assert newer.number in unpaid and older.number not in unpaid
    processing = text_of(shopper_client.get("/pesanan?status=diproses").get_data(as_text=True))
    assert older.number in processing and newer.number not in processing
    assert "Tidak ada pesanan dengan status ini." in text_of(shopper_client.get("/pesanan?status=selesai").get_data(as_text=True))
    # Garbage parameters fall back to the defaults.
    assert shopper_client.get("/pesanan?status=%00&hal=-4").status_code == 200


def test_my_orders_page_costs_the_same_statements_for_more_checkouts(app, shopper_client, shop):
    shopper, keripik, kemeja = shop
    buy(shopper, (keripik, 1), (kemeja, 1))
    shopper_client.get("/pesanan")
    with count_queries(app) as few:
        shopper_client.get("/pesanan")
    for _ in range(4):
        buy(shopper, (keripik, 1), (kemeja, 1))
    with count_queries(app) as many:
        assert shopper_client.get("/pesanan").status_code == 200
    assert few.count == many.count, many


def test_a_checkouts_page_costs_the_same_statements_for_more_sellers(app, shopper_client, shop):
    shopper, keripik, kemeja = shop
    one = paid(shopper, (keripik, 1))
    two = paid(shopper, (keripik, 1), (kemeja, 1))
    counts = []
    for group in (one, two):
        shopper_client.get(f"/pesanan/{group.number}")
        with count_queries(app) as counted:
            assert shopper_client.get(f"/pesanan/{group.number}").status_code == 200
        counts.append(counted.count)
    assert counts[0] == counts[1], counts


def test_my_orders_needs_a_login(client):
    response = client.get("/pesanan")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


# --- ownership ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/pesanan/{group}", "/pesanan/{order}/faktur", "/pesanan/{order}/ulasan",
                                  "/pesanan/{group}/bukti-transfer"])
def test_another_shoppers_pages_answer_404(shopper_client, shop, path):
    _shopper, keripik, _kemeja = shop
    other = gen_user()
    group = buy(other, (keripik, 1))
    payments.upload_proof(group.payment, other, png_bytes())
    pay(group)
    order = group.orders[0]
    complete(order)  # every page exists for its owner: a proof, an invoice, a review form
    assert shopper_client.get(path.format(group=group.number, order=order.number)).status_code == 404


@pytest.mark.parametrize("path", ["/pesanan/{order}/batalkan", "/pesanan/{order}/diterima", "/pesanan/{group}/bukti-transfer"])
def test_another_shoppers_order_cannot_be_changed(shopper_client, shop, path):
    _shopper, keripik, _kemeja = shop
    other = gen_user()
    group = buy(other, (keripik, 1))
    order = group.orders[0]
    data = {"proof": (io.BytesIO(png_bytes()), "bukti.png")} if path.endswith("transfer") else {}
    response = shopper_client.post(path.format(group=group.number, order=order.number), data=data)
    assert response.status_code == 404
    db.session.expire_all()
    assert order.status == "awaiting_payment" and group.payment.proof_key is None


def test_unknown_numbers_answer_404(shopper_client):
    for path in ("/pesanan/KU-000000-XXXXX", "/pesanan/KU-000000-XXXXX-1/faktur", "/pesanan/KU-1/bukti-transfer"):
        assert shopper_client.get(path).status_code == 404, path


# --- paying by transfer ---------------------------------------------------------------------------


def test_a_pending_transfer_shows_the_account_amount_reference_and_deadline(app, shopper_client, shop):
    shopper, keripik, _kemeja = shop
    group = buy(shopper, (keripik, 2))
    text = text_of(shopper_client.get(f"/pesanan/{group.number}").get_data(as_text=True))
    assert app.config["PLATFORM_BANK_ACCOUNT"] in text and app.config["PLATFORM_BANK_NAME"] in text
    assert app.config["PLATFORM_BANK_HOLDER"] in text
    assert "Jumlah tepat Rp 40.000" in text
    assert f"Berita transfer {group.payment.reference}" in text
    assert "Batas waktu" in text and "WIB" in text
    assert "Unggah bukti transfer" in text


@pytest.mark.parametrize("name, data, content_type", [("struk.png", png_bytes(), "image/jpeg"),
                                                      ("mutasi.pdf", PDF, "application/pdf")])
def test_a_photo_or_pdf_proof_is_accepted_and_served_to_the_shopper(shopper_client, shop, name, data, content_type):
    shopper, keripik, _kemeja = shop
    group = buy(shopper, (keripik, 1))
    response = shopper_client.post(f"/pesanan/{group.number}/bukti-transfer",
                                   data={"proof": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert group.payment.proof_key and group.payment.proof_content_type == content_type
    page = text_of(shopper_client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Bukti transfer terkirim" in page and "Menunggu konfirmasi transfer" in page
    served = shopper_client.get(f"/pesanan/{group.number}/bukti-transfer", buffered=True)
    assert served.status_code == 200 and served.mimetype == content_type
    assert served.headers["Cache-Control"] == "private, no-store"
    assert ("attachment" in served.headers.get("Content-Disposition", "")) == (content_type == "application/pdf")


def test_a_text_file_named_png_is_refused_and_nothing_changes(shopper_client, shop):
    shopper, keripik, _kemeja = shop
    group = buy(shopper, (keripik, 1))
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    response = shopper_client.post(f"/pesanan/{group.number}/bukti-transfer",
                                   data={"proof": (io.BytesIO(b"ini bukan gambar, hanya teks"), "bukti.png")},
                                   content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Berkas harus berupa PDF atau foto (JPG, PNG atau WebP)." in text_of(response.get_data(as_text=True))
    db.session.expire_all()
    assert group.payment.proof_key is None and group.payment.status == "pending"
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events


def test_a_proof_for_a_paid_checkout_is_refused_with_a_message(shopper_client, shop):
    shopper, keripik, _kemeja = shop
    group = paid(shopper, (keripik, 1))
    response = shopper_client.post(f"/pesanan/{group.number}/bukti-transfer",
                                   data={"proof": (io.BytesIO(png_bytes()), "b.png")}, follow_redirects=True)
    assert "sudah tidak menunggu bukti transfer" in text_of(response.get_data(as_text=True))
    db.session.expire_all()
    assert group.payment.proof_key is None


def test_viewing_an_unpaid_checkout_past_its_deadline_expires_it_and_returns_the_stock(shopper_client, shop):
    shopper, keripik, _kemeja = shop
    group = buy(shopper, (keripik, 3))
    assert stock_of(keripik) == 7
    group.payment.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    text = text_of(shopper_client.get(f"/pesanan/{group.number}").get_data(as_text=True))
    assert "Pembayaran tidak kami terima sebelum" in text and "Lewat batas waktu" in text
    assert "Dibatalkan: Batas waktu pembayaran terlewati." in text
    db.session.expire_all()
    assert group.payment.status == "expired" and group.orders[0].status == "cancelled"
    assert stock_of(keripik) == 10
    # A second view changes nothing more (the stock is returned once).
    shopper_client.get(f"/pesanan/{group.number}")
    assert stock_of(keripik) == 10


def test_my_orders_expires_due_checkouts_before_listing_them(shopper_client, shop):
    shopper, keripik, _kemeja = shop
    group = buy(shopper, (keripik, 2))
    group.payment.expires_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    text = text_of(shopper_client.get("/pesanan").get_data(as_text=True))
    assert "Dibatalkan 1" in text and "Belum dibayar 0" in text
    assert stock_of(keripik) == 10


def test_a_card_checkout_offers_the_card_button_only_when_that_page_exists(make_app):
    app = make_app(STRIPE_SECRET_KEY="sk_test_contoh")
    with app.app_context():
        shopper = gen_user()
        product = gen_product(price=20_000)
        db.session.commit()
        group = buy(shopper, (product, 1), method="card")
        client = app.test_client()
        log_in(client, shopper)
        text = text_of(client.get(f"/pesanan/{group.number}").get_data(as_text=True))
        assert "Nomor rekening" not in text
        assert ("Bayar dengan kartu" in text) == ("shop.card_retry" in app.view_functions)


# --- cancelling and confirming -----------------------------------------------------------------------


def test_cancelling_an_unpaid_order_cancels_the_whole_checkout_and_returns_all_stock(shopper_client, shop):
    shopper, keripik, kemeja = shop
    group = buy(shopper, (keripik, 2), (kemeja, 1))
    first = group.orders[0]
    page = text_of(shopper_client.get(f"/pesanan/{group.number}").get_data(as_text=True))
    assert f"membatalkan seluruh checkout {group.number}" in page
    response = shopper_client.post(f"/pesanan/{first.number}/batalkan", data={"reason": "Salah pilih ukuran"},
                                   follow_redirects=True)
    assert f"Checkout {group.number} dibatalkan seluruhnya." in text_of(response.get_data(as_text=True))
    db.session.expire_all()
    assert group.payment.status == "cancelled"
    assert [o.status for o in group.orders] == ["cancelled", "cancelled"]
    assert stock_of(keripik) == 10 and stock_of(kemeja) == 10


def test_cancelling_a_paid_transfer_order_records_the_refund_and_returns_the_stock(shopper_client, shop):
    shopper, keripik, kemeja = shop
    group = paid(shopper, (keripik, 2), (kemeja, 1))
    snacks_order = next(o for o in group.orders if o.items[0].title.startswith("Keripik"))
    response = shopper_client.post(f"/pesanan/{snacks_order.number}/batalkan", data={"reason": ""},
                                   follow_redirects=True)
    text = text_of(response.get_data(as_text=True))
    assert "Dana Anda dikembalikan" in text
    history = text[text.index("Riwayat"):]
    assert history.index("Dibatalkan oleh Anda") < history.index("Dana dikembalikan Rp 40.000")
    db.session.expire_all()
    assert snacks_order.status == "cancelled" and snacks_order.refunded_amount == 40_000
    assert group.payment.status == "partially_refunded" and group.payment.refunded_amount == 40_000
    assert stock_of(keripik) == 10 and stock_of(kemeja) == 9
    assert [o.status for o in group.orders if o.id != snacks_order.id] == ["new"]


def test_cancelling_after_shipping_is_refused_and_changes_nothing(shopper_client, shop):
    shopper, keripik, _kemeja = shop
    group = paid(shopper, (keripik, 2))
    order = group.orders[0]
    ship(order)
    page = shopper_client.get(f"/pesanan/{group.number}").get_data(as_text=True)
    assert f"/pesanan/{order.number}/batalkan" not in page
    response = shopper_client.post(f"/pesanan/{order.number}/batalkan", follow_redirects=True)
    assert "Pesanan yang sudah dikirim tidak dapat dibatalkan." in text_of(response.get_data(as_text=True))
    db.session.expire_all()
    assert order.status == "shipped" and group.payment.refunded_amount == 0 and stock_of(keripik) == 8


def test_a_too_long_cancel_reason_is_refused(shopper_client, shop):
    shopper, keripik, _kemeja = shop
    group = buy(shopper, (keripik, 1))
    response = shopper_client.post(f"/pesanan/{group.orders[0].number}/batalkan", data={"reason": "x" * 501},
                                   follow_redirects=True)
    assert "Alasan paling banyak 500 karakter." in text_of(response.get_data(as_text=True))
    db.session.expire_all()
    assert group.payment.status == "pending"


def test_confirming_receipt_completes_the_order_and_opens_the_review(shopper_client, shop):
    shopper, keripik, _kemeja = shop
    group = paid(shopper, (keripik, 1))
    order = group.orders[0]
    ship(order)
    page = shopper_client.get(f"/pesanan/{group.number}").get_data(as_text=True)
    assert "Pesanan diterima" in page
    response = shopper_client.post(f"/pesanan/{order.number}/diterima")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/pesanan/{order.number}/ulasan")
    db.session.expire_all()
    assert order.status == "completed" and order.completed_at is not None
    page = text_of(shopper_client.get(f"/pesanan/{group.number}").get_data(as_text=True))
    assert "Beri ulasan" in page and "Selesai" in page


def test_a_completed_order_counts_its_units_as_sold_and_an_open_one_does_not(shopper_client, shop):
    shopper, keripik, kemeja = shop
    first = paid(shopper, (keripik, 2), (kemeja, 1))
    second = paid(gen_user(), (keripik, 3))
    for order in first.orders:
        complete(order)
    ship(second.orders[0])  # shipped, not yet received: not sold yet
    db.session.commit()
    db.session.expire_all()
    assert (keripik.sold_count, kemeja.sold_count) == (2, 1)
    orders.confirm_receipt(second.orders[0], second.orders[0].user)
    db.session.expire_all()
    assert keripik.sold_count == 5
    assert "5 terjual" in text_of(shopper_client.get(f"/produk/{keripik.slug}").get_data(as_text=True))


def test_the_timeline_tells_each_step_in_order(shopper_client, shop):
    shopper, keripik, _kemeja = shop
    group = buy(shopper, (keripik, 1))
    payments.upload_proof(group.payment, shopper, png_bytes())
    pay(group)
    order = group.orders[0]
    complete(order)
    text = text_of(shopper_client.get(f"/pesanan/{group.number}").get_data(as_text=True))
    sentences = ["Pesanan dibuat", "Bukti transfer diunggah", "Pembayaran diterima", "Diterima penjual",
                 "Dikirim dengan JNE, resi JNE0012345", "Selesai"]
    history = text[text.index("Riwayat"):]
    positions = [history.index(s) for s in sentences]
    assert positions == sorted(positions)


# --- invoice ---------------------------------------------------------------------------------------


def test_the_invoice_shows_seller_ids_buyer_lines_and_totals(shopper_client, shop):
    shopper, keripik, _kemeja = shop
    group = paid(shopper, (keripik, 2))
    order = group.orders[0]
    html = shopper_client.get(f"/pesanan/{order.number}/faktur").get_data(as_text=True)
    text = text_of(html)
    assert "Katalog UMKM Tangerang Raya" in text and "Keripik Bu Sari" in text
    assert f"NIB {order.seller.nib}" in text and "NPWP 0123456789012345" in text
    assert "Siti Rahma" in text and "Keripik Singkong Balado" in text
    assert "Ongkos kirim (JNE Reguler) Rp 10.000" in text and "Total Rp 40.000" in text
    assert "Lunas" in text and order.number in text
    assert "css/orders.css" in html  # the @media print rules


def test_the_invoice_leaves_npwp_out_when_the_seller_has_none(shopper_client, shop):
    shopper, _keripik, kemeja = shop
    group = buy(shopper, (kemeja, 1))
    text = text_of(shopper_client.get(f"/pesanan/{group.orders[0].number}/faktur").get_data(as_text=True))
    assert "Batik Serpong" in text and "NPWP" not in text


# --- CSRF ------------------------------------------------------------------------------------------


def test_cancel_without_the_csrf_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        shopper = gen_user()
        product = gen_product(stock=5)
        db.session.commit()
        group = buy(shopper, (product, 2))
        client = app.test_client()
        log_in(client, shopper)
        number = group.orders[0].number
        response = client.post(f"/pesanan/{number}/batalkan", data={"reason": "tanpa token"})
        assert response.status_code == 400
        db.session.expire_all()
        assert group.payment.status == "pending" and stock_of(product) == 3

        token = csrf_token_from(client.get(f"/pesanan/{group.number}").get_data(as_text=True))
        response = client.post(f"/pesanan/{number}/batalkan", data={"reason": "", "csrf_token": token})
        assert response.status_code == 302
        db.session.expire_all()
        assert group.payment.status == "cancelled" and stock_of(product) == 5
