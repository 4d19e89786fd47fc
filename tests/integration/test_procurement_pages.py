"""The agency's procurement pages (/pengadaan): the start page by duty, the procurement cart with
the UMK-K note and the request form, requests with direct order / PPK approval / rejection /
cancellation, Surat Pesanan with BAST and rating, invoices with the Bendahara's payment, the
agency's audit trail. Who may see what (duty, confirmation, agency scope), each refused input
(a clear message, nothing changed, audit untouched), CSRF, and bounded queries."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import (
    AuditEvent,
    Budget,
    Invoice,
    ProcurementCart,
    ProcurementCartItem,
    PurchaseOrder,
    PurchaseRequest,
)
from catalog.models.agencies import MEMBERSHIP_PENDING
from catalog.services.certificates import jakarta_today
from catalog.services.procurement import cart, orders, requests
from tests.conftest import csrf_token_from
from tests.factories import (
    gen_agency,
    gen_agency_team,
    gen_officer,
    gen_ordered_request,
    gen_product,
    gen_seller,
    gen_user,
)
from tests.integration.test_seller_dashboard import log_in, text_of
from tests.integration.test_seller_orders import quick_password_hashes  # noqa: F401  (autouse fixture)
from tests.querycount import count_queries

KEC_CIPUTAT = "36.74.01"


class World:
    """An agency team (PP, PPK, Bendahara) with a pagu of Rp100 juta, another agency's team, a
    mikro coffee seller and a menengah PKP garment maker with one product each."""

    def __init__(self):
        self.agency, self.pp, self.ppk, self.bendahara = gen_agency_team(
            code="DISKOMINFO-TGSL", name="Dinas Kominfo Tangsel", pagu=100_000_000)
        self.other_agency, self.other_pp, self.other_ppk, self.other_bendahara = gen_agency_team(code="DISDIK-KAB")
        self.mikro = gen_seller(scale="mikro", business_name="Kopi Pamulang")
        self.menengah = gen_seller(scale="menengah", business_name="Konveksi Besar", is_pkp=True)
        self.kopi = gen_product(seller=self.mikro, title="Kopi Robusta 250gr", price=50_000, stock=100, tkdn_pct=60)
        self.kaos = gen_product(seller=self.menengah, title="Kaos Seragam", price=120_000, stock=500)
        db.session.commit()

    def ordered(self, items=None, agency_team=None):
        pp, ppk = agency_team or (self.pp, self.ppk)
        return gen_ordered_request(pp, ppk, items or [(self.kopi, 10)])

    def received(self, items=None, agency_team=None):
        """An ordered request whose (first) Surat Pesanan is accepted, delivered and received."""
        pr = self.ordered(items, agency_team)
        po = pr.purchase_orders[0]
        orders.accept(po, po.seller, actor_id=po.seller.user_id)
        orders.record_receipt(po, agency_team[1] if agency_team else self.ppk, number="BAST/1", received_on=None,
                              quantities={line.id: line.quantity for line in po.lines})
        return pr, po

    def invoiced(self, agency_team=None):
        pr, po = self.received(agency_team=agency_team)
        invoice = orders.issue_invoice(po, po.seller, actor_id=po.seller.user_id)
        return pr, po, invoice


@pytest.fixture
def world(app):
    return World()


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def as_user(client, user):
    log_in(client, user)
    return client


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def fresh(obj):
    kind, key = type(obj), obj.id
    db.session.expire_all()
    return db.session.get(kind, key)


REQUEST_FORM = {"title": "Konsumsi rapat koordinasi", "rup_code": "", "needed_by": "",
                "delivery_address": "Jl. Maruga Raya No. 1, Serua", "delivery_kecamatan_code": KEC_CIPUTAT,
                "notes": "Antar sebelum jam 9", "ppk_id": ""}


# --- who may see what ---------------------------------------------------------------------------

PAGES = ["/pengadaan/", "/pengadaan/permintaan", "/pengadaan/sp", "/pengadaan/tagihan", "/pengadaan/audit"]


@pytest.mark.parametrize("duty", ["pp", "ppk", "bendahara"])
@pytest.mark.parametrize("url", PAGES)
def test_every_officer_of_the_agency_sees_the_agency_pages(client, world, duty, url):
    as_user(client, getattr(world, duty))
    page(client, url)


def test_the_cart_is_for_the_pejabat_pengadaan_and_the_ppk_not_the_bendahara(client, world):
    page(as_user(client, world.pp), "/pengadaan/keranjang")
    page(as_user(client, world.ppk), "/pengadaan/keranjang")
    page(as_user(client, world.bendahara), "/pengadaan/keranjang", 403)
    assert client.post("/pengadaan/keranjang/tambah", data={"variant_id": world.kopi.variants[0].id,
                                                             "quantity": "1"}).status_code == 403
    assert db.session.scalar(select(func.count(ProcurementCart.id))) == 0


@pytest.mark.parametrize("role", ["shopper", "seller", "admin"])
def test_other_roles_get_403(client, world, role):
    as_user(client, gen_user(role=role))
    db.session.commit()
    for url in [*PAGES, "/pengadaan/keranjang"]:
        page(client, url, 403)


def test_an_officer_the_dinas_has_not_confirmed_gets_403_with_the_reason(client, world):
    waiting = gen_officer(world.agency, duty="pejabat_pengadaan", status=MEMBERSHIP_PENDING)
    db.session.commit()
    as_user(client, waiting)
    for url in [*PAGES, "/pengadaan/keranjang"]:
        page(client, url, 403)
    pr = world.ordered()
    page(client, f"/pengadaan/permintaan/{pr.id}", 403)


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get("/pengadaan/")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_duties_gate_the_actions(client, world):
    pr = world.ordered()
    po = pr.purchase_orders[0]
    as_user(client, world.bendahara)
    assert client.post(f"/pengadaan/permintaan/{pr.id}/setujui").status_code == 403
    assert client.post(f"/pengadaan/sp/{po.id}/bast", data={"number": "X"}).status_code == 403
    as_user(client, world.pp)
    assert client.post(f"/pengadaan/sp/{po.id}/nilai", data={"on_time": "5"}).status_code == 403
    assert client.post(f"/pengadaan/permintaan/{pr.id}/tolak", data={"reason": "x"}).status_code == 403
    as_user(client, world.ppk)
    assert client.post(f"/pengadaan/permintaan/{pr.id}/pesan").status_code == 403
    _, _, invoice = world.invoiced()
    assert client.post(f"/pengadaan/tagihan/{invoice.id}/bayar", data={"method": "transfer"}).status_code == 403
    assert fresh(invoice).status == "issued"


def test_another_agencys_request_order_and_invoice_answer_404_for_get_and_post(client, world):
    other_team = (world.other_pp, world.other_ppk)
    theirs_pr, theirs_po, theirs_invoice = world.invoiced(agency_team=other_team)
    draft_owner = world.other_pp
    cart.add(draft_owner, world.kopi.variants[0].id, 2)
    theirs_draft = requests.create_from_cart(draft_owner, title="Draf mereka", rup_code=None, needed_by=None,
                                             delivery_address="Tigaraksa", delivery_kecamatan_code=None, notes="",
                                             ppk_id=world.other_ppk.id)
    before = audit_count()
    for user in (world.pp, world.ppk, world.bendahara):
        as_user(client, user)
        for url in (f"/pengadaan/permintaan/{theirs_pr.id}", f"/pengadaan/sp/{theirs_po.id}",
                    f"/pengadaan/tagihan/{theirs_invoice.id}", f"/pengadaan/permintaan/{theirs_draft.id}"):
            page(client, url, 404)
    as_user(client, world.pp)
    assert client.post(f"/pengadaan/permintaan/{theirs_draft.id}/pesan").status_code == 404
    assert client.post(f"/pengadaan/permintaan/{theirs_draft.id}/batalkan", data={"reason": "x"}).status_code == 404
    as_user(client, world.ppk)
    assert client.post(f"/pengadaan/permintaan/{theirs_draft.id}/ajukan").status_code == 404
    assert client.post(f"/pengadaan/sp/{theirs_po.id}/nilai", data={"on_time": "5", "quantity": "5",
                                                                   "quality": "5"}).status_code == 404
    as_user(client, world.bendahara)
    assert client.post(f"/pengadaan/tagihan/{theirs_invoice.id}/bayar",
                       data={"method": "transfer", "reference": "TRX", "paid_on": ""}).status_code == 404
    assert audit_count() == before
    assert fresh(theirs_draft).status == "draft" and fresh(theirs_invoice).status == "issued"


# --- the start page ------------------------------------------------------------------------------

def test_start_page_shows_each_duty_its_own_tasks(client, world):
    pr_waiting = world.ordered([(world.kaos, 10)])  # ordered directly
    _, po_received = world.received()
    _, _, invoice = world.invoiced()
    cart.add(world.pp, world.kopi.variants[0].id, 3)  # last: each request above empties the cart
    invoice.due_on = jakarta_today() - timedelta(days=4)
    db.session.commit()

    html = page(as_user(client, world.pp), "/pengadaan/")
    text = text_of(html)
    assert "Keranjang pengadaan" in text and "1 barang dari 1 penjual" in text
    assert "Menunggu persetujuan saya" not in text and "Tagihan yang perlu dibayar" not in text

    text = text_of(page(as_user(client, world.ppk), "/pengadaan/"))
    assert "Menunggu persetujuan saya" in text and "Surat Pesanan menunggu BAST" in text
    assert pr_waiting.purchase_orders[0].number not in text  # issued, not accepted yet: no BAST possible
    assert po_received.number in text  # received, not rated yet

    text = text_of(page(as_user(client, world.bendahara), "/pengadaan/"))
    assert invoice.number in text and "terlambat 4 hari" in text


def test_start_page_links_the_inpres_dashboard_only_when_it_exists(client, world, app):
    html = page(as_user(client, world.pp), "/pengadaan/")
    if "procurement.dashboard" in app.view_functions:
        assert "Buka dasbor Inpres 2/2022" in html
    else:
        assert "Buka dasbor Inpres 2/2022" not in html


# --- the cart ------------------------------------------------------------------------------------

def test_product_page_offers_the_procurement_cart_to_officers_only(client, world):
    url = f"/produk/{world.kopi.slug}"
    assert "Tambah ke keranjang pengadaan" not in page(client, url)
    assert "Tambah ke keranjang pengadaan" in page(as_user(client, world.pp), url)
    assert "Tambah ke keranjang pengadaan" not in page(as_user(client, world.bendahara), url)
    assert "Tambah ke keranjang" in page(as_user(client, world.pp), url)  # the shopper's form stays


def test_cart_groups_by_seller_with_scale_tkdn_and_the_umkk_note(client, world):
    as_user(client, world.pp)
    response = client.post("/pengadaan/keranjang/tambah", data={
        "variant_id": world.kopi.variants[0].id, "quantity": "100", "next": f"/produk/{world.kopi.slug}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/produk/{world.kopi.slug}")
    client.post("/pengadaan/keranjang/tambah", data={"variant_id": world.kaos.variants[0].id, "quantity": "10",
                                                      "next": "//evil.example/x"})
    text = text_of(page(client, "/pengadaan/keranjang"))
    assert "Kopi Pamulang" in text and "Konveksi Besar" in text
    assert "Mikro" in text and "Menengah" in text
    assert "dihitung UMK-K" in text and "tidak dihitung (menengah)" in text
    assert "TKDN 60%" in text
    # Rp5.000.000 with a mikro seller on a Rp100 juta pagu: 0,0 % → 5,0 %; the menengah part does not count.
    assert "Pembelian ini menambah porsi UMK-K Anda dari 0,0% menjadi 5,0%" in text
    assert "Rp 6.200.000" in text


def test_cart_says_when_the_agency_has_no_pagu(client, world):
    db.session.execute(Budget.__table__.delete().where(Budget.agency_id == world.agency.id))
    db.session.commit()
    cart.add(world.pp, world.kopi.variants[0].id, 1)
    text = text_of(page(as_user(client, world.pp), "/pengadaan/keranjang"))
    assert "belum diisi untuk instansi Anda" in text and "menambah porsi" not in text


def test_cart_quantity_update_and_remove_and_their_refusals(client, world):
    item = cart.add(world.pp, world.kopi.variants[0].id, 2)
    as_user(client, world.pp)
    client.post(f"/pengadaan/keranjang/{item.id}", data={"quantity": "7"})
    assert fresh(item).quantity == 7
    response = client.post(f"/pengadaan/keranjang/{item.id}", data={"quantity": "0"}, follow_redirects=True)
    assert "Jumlah minimal 1." in text_of(response.get_data(as_text=True)) and fresh(item).quantity == 7
    response = client.post(f"/pengadaan/keranjang/{item.id}", data={"quantity": "abc"}, follow_redirects=True)
    assert fresh(item).quantity == 7
    # Another officer's line: not theirs to touch.
    theirs = cart.add(world.ppk, world.kopi.variants[0].id, 3)
    response = client.post(f"/pengadaan/keranjang/{theirs.id}/hapus", follow_redirects=True)
    assert "Baris keranjang tidak ditemukan." in text_of(response.get_data(as_text=True))
    assert fresh(theirs) is not None
    item_id = item.id
    client.post(f"/pengadaan/keranjang/{item_id}/hapus")
    db.session.expire_all()
    assert db.session.get(ProcurementCartItem, item_id) is None


def test_adding_something_not_sold_is_refused(client, world):
    as_user(client, world.pp)
    response = client.post("/pengadaan/keranjang/tambah", data={"variant_id": "999999", "quantity": "1"},
                           follow_redirects=True)
    assert "Produk tidak ditemukan." in text_of(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(ProcurementCartItem.id))) == 0


# --- the click path: cart → request → direct order → BAST → invoice → payment → rating -------------

def test_the_whole_way_through_the_forms(client, world):
    as_user(client, world.pp)
    client.post("/pengadaan/keranjang/tambah", data={"variant_id": world.kopi.variants[0].id, "quantity": "20"})
    html = page(client, "/pengadaan/keranjang")
    assert "PPK Instansi" in html and "Ciputat" in html  # the PPK choice and the kecamatan list
    response = client.post("/pengadaan/keranjang/permintaan", data={**REQUEST_FORM, "ppk_id": str(world.ppk.id)})
    assert response.status_code == 302
    pr = db.session.scalar(select(PurchaseRequest))
    assert response.headers["Location"].endswith(f"/pengadaan/permintaan/{pr.id}")
    assert pr.status == "draft" and pr.total == 1_000_000 and pr.delivery_kecamatan_code == KEC_CIPUTAT
    text = text_of(page(client, f"/pengadaan/permintaan/{pr.id}"))
    assert "Pesan langsung" in text and "Ajukan ke PPK" in text and "Kopi Robusta 250gr" in text
    assert "Permintaan dibuat" in text  # the timeline

    client.post(f"/pengadaan/permintaan/{pr.id}/pesan")
    pr = fresh(pr)
    assert pr.status == "ordered" and len(pr.purchase_orders) == 1
    po = pr.purchase_orders[0]
    text = text_of(page(client, f"/pengadaan/permintaan/{pr.id}"))
    assert po.number in text and "Surat Pesanan terbit" in text

    # The seller accepts and ships part of it.
    orders.accept(po, po.seller, actor_id=po.seller.user_id)
    orders.record_delivery(po, po.seller, actor_id=po.seller.user_id, quantities={po.lines[0].id: 15})
    as_user(client, world.ppk)
    html = page(client, f"/pengadaan/sp/{po.id}")
    line_id = po.lines[0].id
    assert re.search(rf'name="line-{line_id}"[^>]*value="15"', html)  # shipped, not yet received
    response = client.post(f"/pengadaan/sp/{po.id}/bast", data={"number": "BAST/027/2026", "received_on": "",
                                                                f"line-{line_id}": "15"})
    assert response.status_code == 302
    assert fresh(po).lines[0].quantity_received == 15 and fresh(po).status == "shipped"
    orders.record_delivery(fresh(po), fresh(po).seller, actor_id=po.seller.user_id, quantities={line_id: 5})
    client.post(f"/pengadaan/sp/{po.id}/bast", data={"number": "BAST/028/2026", f"line-{line_id}": "5"})
    po = fresh(po)
    assert po.status == "received" and len(po.receipts) == 2

    invoice = orders.issue_invoice(po, po.seller, actor_id=po.seller.user_id)
    as_user(client, world.bendahara)
    text = text_of(page(client, f"/pengadaan/tagihan/{invoice.id}"))
    assert "PPh 22 (0,0%)" in text or "PPh 22" in text
    assert "Stripe" not in text  # not configured
    response = client.post(f"/pengadaan/tagihan/{invoice.id}/bayar",
                           data={"method": "kkp", "reference": "KKP-7781", "paid_on": jakarta_today().isoformat()})
    assert response.status_code == 302
    invoice = fresh(invoice)
    assert invoice.status == "paid" and invoice.payment.reference == "KKP-7781"
    text = text_of(page(client, f"/pengadaan/tagihan/{invoice.id}"))
    assert "Sudah dibayar" in text and "KKP-7781" in text and "Kartu Kredit Pemerintah" in text

    as_user(client, world.ppk)
    response = client.post(f"/pengadaan/sp/{po.id}/nilai", data={"on_time": "5", "quantity": "4", "quality": "5",
                                                                 "comment": "Tepat waktu"})
    assert response.status_code == 302
    assert fresh(pr).status == "closed"
    text = text_of(page(client, f"/pengadaan/permintaan/{pr.id}"))
    assert "selesai" in text and "penjual dinilai" in text


def test_submit_to_the_ppk_who_sees_the_budget_and_approves(client, world):
    cart.add(world.pp, world.kopi.variants[0].id, 40)  # Rp2.000.000
    pr = requests.create_from_cart(world.pp, title="Kopi rapat", rup_code="RUP-1", needed_by=None,
                                   delivery_address="Kantor", delivery_kecamatan_code=None, notes="", ppk_id=world.ppk.id)
    world.ordered([(world.kaos, 100)])  # Rp12.000.000 already committed
    as_user(client, world.pp)
    client.post(f"/pengadaan/permintaan/{pr.id}/ajukan")
    assert fresh(pr).status == "submitted"

    as_user(client, world.ppk)
    text = text_of(page(client, "/pengadaan/permintaan"))  # the PPK starts on their own queue
    assert "Menunggu persetujuan saya 1" in text and pr.number in text
    text = text_of(page(client, f"/pengadaan/permintaan/{pr.id}"))
    assert "Rp 100.000.000" in text and "Rp 12.000.000" in text and "Rp 88.000.000" in text
    assert "Cukup" in text
    client.post(f"/pengadaan/permintaan/{pr.id}/setujui", data={"reason": "Sesuai RUP"})
    pr = fresh(pr)
    assert pr.status == "ordered" and pr.decided_by_id == world.ppk.id


def test_the_ppk_sees_a_request_over_the_remaining_pagu_and_approval_is_refused(client, world):
    cart.add(world.pp, world.kaos.variants[0].id, 900)  # Rp108.000.000 > Rp100 juta
    pr = requests.create_from_cart(world.pp, title="Seragam", rup_code=None, needed_by=None, delivery_address="Kantor",
                                   delivery_kecamatan_code=None, notes="", ppk_id=world.ppk.id)
    requests.submit(pr, world.pp, direct=False)
    before = audit_count()
    as_user(client, world.ppk)
    assert "persetujuan akan ditolak" in text_of(page(client, f"/pengadaan/permintaan/{pr.id}"))
    response = client.post(f"/pengadaan/permintaan/{pr.id}/setujui", data={"reason": ""})
    assert response.status_code == 422
    assert "Sisa pagu tahun" in text_of(response.get_data(as_text=True))
    assert fresh(pr).status == "submitted" and audit_count() == before
    assert db.session.scalar(select(func.count(PurchaseOrder.id))) == 0


# --- refused input: a message, nothing changed -----------------------------------------------------

def test_a_forged_or_foreign_ppk_is_refused_and_the_cart_stays(client, world):
    cart.add(world.pp, world.kopi.variants[0].id, 5)
    before = audit_count()
    as_user(client, world.pp)
    for forged in (str(world.other_ppk.id), str(world.bendahara.id), "abc"):
        response = client.post("/pengadaan/keranjang/permintaan", data={**REQUEST_FORM, "ppk_id": forged})
        assert response.status_code == 422
        assert "Pilih PPK dari instansi Anda sendiri." in text_of(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(PurchaseRequest.id))) == 0
    assert cart.cart_for(world.pp) is not None and audit_count() == before


@pytest.mark.parametrize("changes, message", [
    ({"title": ""}, "Isi judul permintaan."),
    ({"delivery_address": ""}, "Isi alamat pengiriman."),
    ({"delivery_kecamatan_code": "99.99.99"}, "Pilih kecamatan di Tangerang Raya."),
    ({"needed_by": "2001-01-01"}, "Tanggal dibutuhkan tidak boleh sebelum hari ini."),
    ({"needed_by": "besok"}, "Tanggal tidak valid."),
])
def test_request_form_refusals_keep_what_was_typed(client, world, changes, message):
    cart.add(world.pp, world.kopi.variants[0].id, 5)
    before = audit_count()
    as_user(client, world.pp)
    response = client.post("/pengadaan/keranjang/permintaan", data={**REQUEST_FORM, **changes})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in text_of(html)
    assert "Antar sebelum jam 9" in html  # what was typed comes back
    assert db.session.scalar(select(func.count(PurchaseRequest.id))) == 0 and audit_count() == before


def test_an_empty_cart_makes_no_request(client, world):
    as_user(client, world.pp)
    response = client.post("/pengadaan/keranjang/permintaan", data=REQUEST_FORM)
    assert response.status_code == 422
    assert "Keranjang pengadaan masih kosong." in text_of(response.get_data(as_text=True))


def test_direct_order_above_200_juta_is_refused(client, world):
    budget = db.session.scalar(select(Budget).where(Budget.agency_id == world.agency.id))
    budget.pagu = 1_000_000_000
    db.session.commit()
    cart.add(world.pp, world.kaos.variants[0].id, 1_700)  # Rp204.000.000
    pr = requests.create_from_cart(world.pp, title="Seragam", rup_code=None, needed_by=None, delivery_address="Kantor",
                                   delivery_kecamatan_code=None, notes="", ppk_id=None)
    before = audit_count()
    as_user(client, world.pp)
    assert "Pesan langsung" not in text_of(page(client, f"/pengadaan/permintaan/{pr.id}"))
    response = client.post(f"/pengadaan/permintaan/{pr.id}/pesan", follow_redirects=True)
    assert "Di atas Rp200.000.000 pesanan harus disetujui PPK." in text_of(response.get_data(as_text=True))
    response = client.post(f"/pengadaan/permintaan/{pr.id}/ajukan", follow_redirects=True)
    assert "Pilih PPK yang akan menyetujui." in text_of(response.get_data(as_text=True))
    assert fresh(pr).status == "draft" and audit_count() == before


def test_reject_and_cancel_need_a_reason(client, world):
    cart.add(world.pp, world.kopi.variants[0].id, 5)
    pr = requests.create_from_cart(world.pp, title="Kopi", rup_code=None, needed_by=None, delivery_address="Kantor",
                                   delivery_kecamatan_code=None, notes="", ppk_id=world.ppk.id)
    requests.submit(pr, world.pp, direct=False)
    before = audit_count()
    as_user(client, world.ppk)
    response = client.post(f"/pengadaan/permintaan/{pr.id}/tolak", data={"reason": "  "})
    assert response.status_code == 422 and "Tuliskan alasan penolakan." in text_of(response.get_data(as_text=True))
    as_user(client, world.pp)
    response = client.post(f"/pengadaan/permintaan/{pr.id}/batalkan", data={"reason": ""})
    assert response.status_code == 422 and "Tuliskan alasan pembatalan." in text_of(response.get_data(as_text=True))
    assert fresh(pr).status == "submitted" and audit_count() == before

    as_user(client, world.ppk)
    client.post(f"/pengadaan/permintaan/{pr.id}/tolak", data={"reason": "Belum ada di RUP"})
    assert fresh(pr).status == "rejected"
    text = text_of(page(as_user(client, world.pp), "/pengadaan/"))
    assert "Ditolak atau kedaluwarsa" in text and "Belum ada di RUP" in text


def test_a_bast_over_the_order_or_wrongly_written_is_refused(client, world):
    pr = world.ordered([(world.kopi, 10)])
    po = pr.purchase_orders[0]
    orders.accept(po, po.seller, actor_id=po.seller.user_id)
    line_id = po.lines[0].id
    before = audit_count()
    as_user(client, world.ppk)
    for data, message in (
        ({"number": "BAST/1", f"line-{line_id}": "11"}, "BAST tidak boleh melebihi pesanan"),
        ({"number": "", f"line-{line_id}": "10"}, "Isi nomor BAST instansi."),
        ({"number": "BAST/1", f"line-{line_id}": "sepuluh"}, ""),
        ({"number": "BAST/1", f"line-{line_id}": ""}, "Isi jumlah untuk sedikitnya satu barang."),
        ({"number": "BAST/1", f"line-{line_id}": "5", "received_on": "2999-01-01"}, "tidak boleh setelah hari ini"),
    ):
        response = client.post(f"/pengadaan/sp/{po.id}/bast", data=data)
        assert response.status_code == 422, data
        assert message in text_of(response.get_data(as_text=True))
    po = fresh(po)
    assert po.lines[0].quantity_received == 0 and not po.receipts and audit_count() == before


def test_paying_twice_and_bad_payments_are_refused(client, world):
    _, _, invoice = world.invoiced()
    as_user(client, world.bendahara)
    before = audit_count()
    for data, message in (
        ({"method": "", "reference": "TRX-1"}, "Pilih cara pembayaran."),
        ({"method": "stripe", "reference": "TRX-1"}, "Pilih cara pembayaran."),  # Stripe not configured
        ({"method": "transfer", "reference": ""}, "Isi nomor referensi pembayaran."),
        ({"method": "transfer", "reference": "TRX-1", "paid_on": "2999-01-01"}, "tidak boleh setelah hari ini"),
    ):
        response = client.post(f"/pengadaan/tagihan/{invoice.id}/bayar", data=data)
        assert response.status_code == 422, data
        assert message in text_of(response.get_data(as_text=True))
    assert fresh(invoice).status == "issued" and audit_count() == before

    client.post(f"/pengadaan/tagihan/{invoice.id}/bayar", data={"method": "transfer", "reference": "TRX-1"})
    assert fresh(invoice).status == "paid"
    before = audit_count()
    response = client.post(f"/pengadaan/tagihan/{invoice.id}/bayar", data={"method": "transfer", "reference": "TRX-2"})
    assert response.status_code == 422 and "sudah dibayar" in text_of(response.get_data(as_text=True))
    assert fresh(invoice).payment.reference == "TRX-1" and audit_count() == before


def test_stripe_is_offered_only_when_configured(make_app):
    app = make_app(STRIPE_SECRET_KEY="sk_test_x")
    client = app.test_client()
    with app.app_context():
        world = World()
        _, _, invoice = world.invoiced()
        log_in(client, world.bendahara)
        assert 'value="stripe"' in page(client, f"/pengadaan/tagihan/{invoice.id}")


def test_a_rating_needs_scores_from_1_to_5_and_only_once(client, world):
    _, po = world.received()
    as_user(client, world.ppk)
    before = audit_count()
    response = client.post(f"/pengadaan/sp/{po.id}/nilai", data={"on_time": "9", "quantity": "5", "quality": "5"})
    assert response.status_code == 422 and "Beri nilai 1 sampai 5." in text_of(response.get_data(as_text=True))
    assert fresh(po).rating is None and audit_count() == before
    client.post(f"/pengadaan/sp/{po.id}/nilai", data={"on_time": "4", "quantity": "5", "quality": "5"})
    response = client.post(f"/pengadaan/sp/{po.id}/nilai", data={"on_time": "1", "quantity": "1", "quality": "1"})
    assert response.status_code == 422 and "sudah dinilai" in text_of(response.get_data(as_text=True))
    assert fresh(po).rating.on_time == 4


# --- invoices and the audit trail ------------------------------------------------------------------

def test_invoices_list_puts_overdue_first_with_the_days(client, world):
    _, _, early = world.invoiced()
    _, _, late = world.invoiced()
    late.due_on = jakarta_today() - timedelta(days=12)
    early.due_on = jakarta_today() + timedelta(days=5)
    db.session.commit()
    text = text_of(page(as_user(client, world.bendahara), "/pengadaan/tagihan"))
    assert text.index(late.number) < text.index(early.number)
    assert "terlambat 12 hari" in text


def test_audit_trail_shows_only_the_agencys_events_with_filters(client, world):
    pr = world.ordered()
    theirs = world.ordered(agency_team=(world.other_pp, world.other_ppk))
    as_user(client, world.bendahara)
    text = text_of(page(client, "/pengadaan/audit"))
    assert "purchase_request.ordered" in text and pr.purchase_orders[0].number in text
    assert theirs.purchase_orders[0].number not in text and theirs.number not in text
    ours = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.agency_id == world.agency.id))
    assert f"dari {ours} catatan" in text

    text = text_of(page(client, "/pengadaan/audit?jenis=purchase_order"))
    assert "purchase_order.issued" in text and "purchase_request.created" not in text
    today = jakarta_today()
    assert "purchase_request.created" in text_of(page(client, f"/pengadaan/audit?dari={today}&sampai={today}"))
    tomorrow = today + timedelta(days=1)
    assert "Tidak ada catatan" in text_of(page(client, f"/pengadaan/audit?dari={tomorrow}"))
    page(client, "/pengadaan/audit?jenis=apa&dari=kemarin&hal=x")  # garbage is ignored, never 500


# --- CSRF ----------------------------------------------------------------------------------------

def test_procurement_forms_need_the_pages_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        world = World()
        log_in(client, world.pp)
        data = {"variant_id": world.kopi.variants[0].id, "quantity": "2"}
        assert client.post("/pengadaan/keranjang/tambah", data=data).status_code == 400
        assert client.post("/pengadaan/keranjang/tambah", data={**data, "csrf_token": "palsu"}).status_code == 400
        assert db.session.scalar(select(func.count(ProcurementCartItem.id))) == 0
        token = csrf_token_from(page(client, f"/produk/{world.kopi.slug}"))
        assert client.post("/pengadaan/keranjang/tambah", data={**data, "csrf_token": token}).status_code == 302
        assert db.session.scalar(select(func.count(ProcurementCartItem.id))) == 1


# --- bounded queries -----------------------------------------------------------------------------

def statements(app, client, url) -> int:
    page(client, url)  # warm up
    with count_queries(app) as counter:
        page(client, url)
    return counter.count


def _waiting_and_invoiced(world, n):
    for _ in range(n):
        cart.add(world.pp, world.kopi.variants[0].id, 1)
        pr = requests.create_from_cart(world.pp, title="Kopi", rup_code=None, needed_by=None,
                                       delivery_address="Kantor", delivery_kecamatan_code=None, notes="",
                                       ppk_id=world.ppk.id)
        requests.submit(pr, world.pp, direct=False)
        world.invoiced()


@pytest.mark.parametrize("who, url", [("ppk", "/pengadaan/"), ("bendahara", "/pengadaan/"), ("pp", "/pengadaan/"),
                                      ("ppk", "/pengadaan/permintaan?status=semua"), ("pp", "/pengadaan/sp"),
                                      ("bendahara", "/pengadaan/tagihan"), ("pp", "/pengadaan/audit")])
def test_pages_run_the_same_number_of_queries_for_2_and_10_rows(app, client, world, who, url):
    as_user(client, getattr(world, who))
    _waiting_and_invoiced(world, 2)
    cart.add(world.pp, world.kaos.variants[0].id, 1)  # after: each request above empties the cart
    small = statements(app, client, url)
    _waiting_and_invoiced(world, 8)
    cart.add(world.pp, world.kaos.variants[0].id, 1)
    cart.add(world.pp, world.kopi.variants[0].id, 1)
    assert statements(app, client, url) == small
    assert db.session.scalar(select(func.count(Invoice.id))) == 10


def test_foreign_agency_pagu_is_not_used(client, world):
    """The cart's note uses the officer's own agency's pagu, never another's."""
    gen_agency(code="LAIN", pagu=1)
    db.session.commit()
    cart.add(world.pp, world.kopi.variants[0].id, 200)  # Rp10.000.000 of Rp100 juta
    assert "menjadi 10,0%" in text_of(page(as_user(client, world.pp), "/pengadaan/keranjang"))
