"""The Dinas console's transfers: the pending list (newest proof first) with the proof file,
confirming a transfer (the orders go to their sellers), the refunds to send back, and who may
see any of it."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import AuditEvent
from catalog.models.base import utcnow
from catalog.services import orders, payments
from tests.conftest import csrf_token_from
from tests.factories import gen_product, gen_seller, gen_user
from tests.integration.test_shopper_orders import PDF, buy, log_in, pay, png_bytes, text_of


@pytest.fixture
def transfers(app):
    """Three pending transfers (one without proof) and one card checkout, from two shoppers."""
    ani = gen_user(name="Ani Wulandari")
    budi = gen_user(name="Budi Hartono")
    keripik = gen_product(seller=gen_seller(business_name="Keripik Pamulang"), price=25_000, stock=20)
    batik = gen_product(seller=gen_seller(business_name="Batik Serpong"), price=150_000, stock=20)
    db.session.commit()
    early = buy(ani, (keripik, 1))
    late = buy(budi, (keripik, 1), (batik, 1))
    no_proof = buy(ani, (batik, 1))
    payments.upload_proof(early.payment, ani, png_bytes())
    payments.upload_proof(late.payment, budi, PDF)
    return {"early": early, "late": late, "no_proof": no_proof, "ani": ani, "budi": budi}


def test_pending_transfers_are_listed_newest_proof_first_with_what_is_needed_to_match(admin_client, transfers):
    html = admin_client.get("/admin/pembayaran").get_data(as_text=True)
    text = text_of(html)
    late, early, no_proof = transfers["late"], transfers["early"], transfers["no_proof"]
    assert text.index(late.number) < text.index(early.number) < text.index(no_proof.number)
    assert "Rp 175.000" in text and late.payment.reference in text
    assert "Budi Hartono" in text and "Keripik Pamulang, Batik Serpong" in text
    assert f"/pesanan/{late.number}/bukti-transfer" in html and "Lihat bukti (PDF)" in text
    assert "Belum diunggah" in text
    assert html.count("Konfirmasi diterima") == 3
    assert 'href="/admin/pembayaran"' in html  # the console's section bar


def test_an_admin_opens_the_proof_file(admin_client, transfers):
    response = admin_client.get(f"/pesanan/{transfers['late'].number}/bukti-transfer", buffered=True)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]


def test_confirming_a_transfer_sends_the_orders_to_their_sellers(admin_client, transfers):
    group = transfers["late"]
    response = admin_client.post(f"/admin/pembayaran/{group.payment.id}/konfirmasi", follow_redirects=True)
    text = text_of(response.get_data(as_text=True))
    assert f"Pembayaran {group.number} dikonfirmasi." in text
    db.session.expire_all()
    assert group.payment.status == "paid" and group.payment.confirmed_by_id is not None
    assert [o.status for o in group.orders] == ["new", "new"]
    assert group.number not in text.split("Dana transfer yang harus dikembalikan")[0].split("dikonfirmasi.")[1]


def test_a_second_confirmation_is_refused_and_changes_nothing(admin_client, transfers):
    group = transfers["early"]
    admin_client.post(f"/admin/pembayaran/{group.payment.id}/konfirmasi")
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    response = admin_client.post(f"/admin/pembayaran/{group.payment.id}/konfirmasi", follow_redirects=True)
    assert "sudah tidak menunggu konfirmasi" in text_of(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events


def test_a_transfer_past_its_deadline_is_not_confirmed_but_expired(admin_client, transfers):
    group = transfers["early"]
    group.payment.expires_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    response = admin_client.post(f"/admin/pembayaran/{group.payment.id}/konfirmasi", follow_redirects=True)
    assert "Batas waktu pembayaran sudah lewat" in text_of(response.get_data(as_text=True))
    db.session.expire_all()
    assert group.payment.status == "expired" and group.orders[0].status == "cancelled"


def test_an_unknown_payment_is_404(admin_client):
    assert admin_client.post("/admin/pembayaran/999999/konfirmasi").status_code == 404


def test_paid_then_cancelled_transfers_are_listed_as_refunds_to_send(admin_client, transfers):
    group = transfers["late"]
    pay(group)
    batik_order = group.orders[1]
    orders.cancel_by_shopper(batik_order, transfers["budi"], reason="Ukuran tidak cocok")
    orders.cancel_by_shopper(transfers["no_proof"].orders[0], transfers["ani"])  # unpaid: nothing to return
    text = text_of(admin_client.get("/admin/pembayaran").get_data(as_text=True))
    refunds = text.split("Dana transfer yang harus dikembalikan")[1]
    assert "Rp 150.000 · Budi Hartono" in refunds and batik_order.number in refunds and "Ukuran tidak cocok" in refunds
    assert transfers["no_proof"].number not in refunds and "Ani Wulandari" not in refunds


@pytest.mark.parametrize("role", ["shopper", "seller", "officer"])
def test_other_roles_get_403(client, transfers, role):
    user = gen_user(role=role)
    db.session.commit()
    log_in(client, user)
    assert client.get("/admin/pembayaran").status_code == 403
    assert client.post(f"/admin/pembayaran/{transfers['early'].payment.id}/konfirmasi").status_code == 403
    db.session.expire_all()
    assert transfers["early"].payment.status == "pending"


def test_a_seller_of_the_checkout_cannot_open_the_proof(client, transfers):
    seller_user = transfers["early"].orders[0].seller.user
    log_in(client, seller_user)
    assert client.get(f"/pesanan/{transfers['early'].number}/bukti-transfer").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/admin/pembayaran")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_confirming_needs_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        shopper, admin = gen_user(), gen_user(role="admin")
        product = gen_product(stock=3)
        db.session.commit()
        group = buy(shopper, (product, 1))
        client = app.test_client()
        log_in(client, admin)
        assert client.post(f"/admin/pembayaran/{group.payment.id}/konfirmasi").status_code == 400
        db.session.expire_all()
        assert group.payment.status == "pending"
        token = csrf_token_from(client.get("/admin/pembayaran").get_data(as_text=True))
        response = client.post(f"/admin/pembayaran/{group.payment.id}/konfirmasi", data={"csrf_token": token})
        assert response.status_code == 302
        db.session.expire_all()
        assert group.payment.status == "paid"


def test_the_proof_upload_form_is_for_the_shopper_only(client, transfers):
    """A shopper's upload on someone else's checkout is 404 even when it is a valid photo."""
    log_in(client, transfers["ani"])
    response = client.post(f"/pesanan/{transfers['late'].number}/bukti-transfer",
                           data={"proof": (io.BytesIO(png_bytes()), "b.png")}, content_type="multipart/form-data")
    assert response.status_code == 404
