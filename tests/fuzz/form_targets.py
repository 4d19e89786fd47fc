"""Where each WTForms form of catalog/ is posted, by whom, and what must exist first.

Every form class defined under catalog/web is either a Target here (built fresh for its test by
`build(app)`: the rows the route needs, the user to log in as, the URL and a valid submission)
or listed in NOT_POSTED with the reason. test_forms_fuzz.py fails when a new form is in neither.
"""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from PIL import Image

from catalog.demo.orders import advance, place
from catalog.extensions import db
from catalog.models import Invoice, PayoutBatch, User
from catalog.models.agencies import MEMBERSHIP_PENDING
from catalog.models.base import utcnow
from catalog.services import accounts, delivery, payouts
from catalog.services import cart as carts
from catalog.services.delivery import OptionInput
from catalog.services.procurement import cart as gov_cart
from catalog.services.procurement import orders as gov_orders
from catalog.web.admin import audit as admin_audit
from catalog.web.admin import catalogue_forms, forms_agencies, forms_jobs, forms_payouts, forms_queues, forms_users
from catalog.web.admin import forms as admin_forms
from catalog.web.auth import forms as auth_forms
from catalog.web.orders import forms as order_forms
from catalog.web.procurement import forms as gov_forms
from catalog.web.procurement import forms_rfq as gov_rfq_forms
from catalog.web.procurement import onboarding as officer_onboarding
from catalog.web.public import report as public_report
from catalog.web.seller import (
    forms_gov_orders,
    forms_imports,
    forms_listings,
    forms_money,
    forms_onboarding,
    forms_orders,
    forms_rfq,
    forms_variants,
)
from catalog.web.shop import forms as shop_forms
from tests.console_factories import MINIMAL_PDF, VALID_NIP, gen_report, jpeg_bytes
from tests.factories import (
    KEC_PAMULANG,
    KOTA_TANGSEL,
    gen_address,
    gen_agency,
    gen_agency_team,
    gen_category,
    gen_officer,
    gen_product,
    gen_seller,
    gen_user,
    gen_variant_product,
)
from tests.fuzz.strategies import Upload
from tests.gov_documents_factories import gen_gov_order
from tests.payouts_factories import banked_seller
from tests.rfq_factories import Market, open_rfq, quote

KEL_BENDA_BARU = "36.74.06.1001"
PDF = Upload(MINIMAL_PDF, "surat.pdf")


@dataclass(frozen=True)
class Post:
    """A form's route as its test uses it: the URL, the user logged in (None: a visitor) and a
    valid submission (inputs not named take the defaults strategies.slots_of gives each field)."""

    url: str
    user: User | None
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    form: type
    build: Callable[..., Post]
    init: dict = field(default_factory=dict)  # how the view makes the form (a prefix)
    accepts: bool = True  # whether the baseline submission is accepted (False: every path refuses)

    @property
    def id(self) -> str:
        return f"{self.form.__module__.removeprefix('catalog.web.')}.{self.form.__name__}"


def _admin() -> User:
    return gen_user(role="admin", name="Admin Dinas")


def _done(post: Post) -> Post:
    db.session.commit()
    return post


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


# --- shop orders ---------------------------------------------------------------------------------

def _shop_order(state: str, kind: str = "courier"):
    """A checkout by transfer from one seller, moved to `state`: (order, seller, shopper)."""
    seller = gen_seller(business_name="Keripik Bu Rina")
    product = gen_product(seller=seller, title="Keripik Singkong", price=15_000, stock=500)
    shopper = gen_user(name="Putri Anggraini")
    address = gen_address(shopper, kelurahan_code=KEL_BENDA_BARU, postal_code="15417")
    admin = _admin()
    db.session.commit()
    delivery.add_option(seller, OptionInput(kind="courier", name="JNE Reguler", fee="10.000"))
    delivery.add_option(seller, OptionInput(kind="pickup"))
    group = place(shopper, address, [(product.variants[0].id, 2)], delivery={seller.id: kind})
    order = group.orders[0]
    advance(order, state, seller=seller, shopper=shopper, admin=admin)
    db.session.commit()
    return order, seller, shopper


# --- auth ----------------------------------------------------------------------------------------

def login_post(app):
    gen_user(email="ani@contoh.id")
    return _done(Post("/masuk", None, {"email": "ani@contoh.id", "password": "rahasia-123", "next": "/"}))


def register_post(app):
    return Post("/daftar", None, {"name": "Budi Santoso", "email": "budi.santoso@contoh.id", "next": "/"})


def account_post(app):
    return _done(Post("/akun", gen_user(), {"name": "Ani Lestari", "locale": "en"}))


def change_password_post(app):
    return _done(Post("/akun/kata-sandi", gen_user(), {"current_password": "rahasia-123"}))


def forgot_password_post(app):
    gen_user(email="ani@contoh.id")
    return _done(Post("/lupa-kata-sandi", None, {"email": "ani@contoh.id"}))


def reset_password_post(app):
    user = gen_user(email="ani@contoh.id")
    db.session.commit()
    return Post(f"/atur-ulang-kata-sandi/{accounts.make_reset_token(user)}", None)


def language_post(app):
    return Post("/bahasa", None, {"lang": "en", "next": "/masuk"})


# --- public, shop, shopper orders ----------------------------------------------------------------

def report_post(app):
    product = gen_product(slug="keripik-ajaib")
    return _done(Post(f"/produk/{product.slug}/laporkan", gen_user(),
                      {"reason": "misleading", "message": "Klaim palsu."}))


def add_to_cart_post(app):
    product = gen_product(price=15_000, stock=50)
    return _done(Post("/keranjang/tambah", gen_user(), {"variant_id": str(product.variants[0].id), "quantity": "2",
                                                        "next": "/keranjang"}))


def quantity_post(app):
    shopper = gen_user()
    product = gen_product(price=15_000, stock=50)
    db.session.commit()
    item = carts.add_item(user_id=shopper.id, token=None, variant_id=product.variants[0].id, quantity=1)
    return _done(Post(f"/keranjang/{item.id}", shopper, {"quantity": "3"}))


def address_post(app):
    return _done(Post("/akun/alamat/baru", gen_user(), {
        "recipient": "Rina Wati", "kota": KOTA_TANGSEL, "kecamatan": KEC_PAMULANG, "kelurahan": KEL_BENDA_BARU,
        "detail": "Jl. Merpati Raya No. 12, RT 03/RW 07", "postal_code": "15416", "label": "Rumah",
        "is_default": "y", "next": "/checkout"}))


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    return match.group(1) if match else ""


def checkout_post(app):
    from tests.admin_accounts_factories import log_in

    seller = gen_seller(business_name="Keripik Bu Sri")
    product = gen_product(seller=seller, price=15_000, stock=100)
    shopper = gen_user(name="Rina")
    home = gen_address(shopper, is_default=True)
    db.session.commit()
    pickup = delivery.add_option(seller, OptionInput(kind="pickup"))
    carts.add_item(user_id=shopper.id, token=None, variant_id=product.variants[0].id, quantity=2)
    client = app.test_client()
    log_in(client, shopper)
    page = client.get("/checkout").get_data(as_text=True)
    return _done(Post("/checkout", shopper, {
        "address": str(home.id), f"kirim-{seller.id}": str(pickup.id), f"catatan-{seller.id}": "Pedas sedang",
        "method": "transfer", "expected_total": _hidden(page, "expected_total"),
        "checkout_token": _hidden(page, "checkout_token"), "aksi": "pesan"}))


def proof_post(app):
    order, _seller, shopper = _shop_order("awaiting_payment")
    return Post(f"/pesanan/{order.group.number}/bukti-transfer", shopper, {"proof": Upload(_png(), "bukti.png")})


def cancel_post(app):
    order, _seller, shopper = _shop_order("awaiting_payment")
    return Post(f"/pesanan/{order.number}/batalkan", shopper, {"reason": "Salah pilih ukuran"})


def review_post(app):
    order, _seller, shopper = _shop_order("completed")
    item = order.items[0]
    return Post(f"/pesanan/{order.number}/ulasan", shopper, {
        f"rating_{item.id}": "5", f"body_{item.id}": "Renyah, gurih.", "seller_rating": "4",
        "seller_body": "Cepat dan rapi."})


# --- seller: orders, delivery, money -------------------------------------------------------------

def seller_reason_post(app):
    order, seller, _shopper = _shop_order("new")
    return Post(f"/penjual/pesanan/{order.number}/tolak", seller.user, {"reason": "Stok habis"})


def ship_post(app):
    order, seller, _shopper = _shop_order("accepted")
    return Post(f"/penjual/pesanan/{order.number}/kirim", seller.user,
                {"courier": "JNE Reguler", "tracking_number": "CGK1234567890"})


def delivery_option_post(app):
    seller = gen_seller()
    return _done(Post("/penjual/pengiriman", seller.user, {
        "kind": "courier", "name": "JNE Reguler", "fee": "12.000", "kota_code": KOTA_TANGSEL, "eta_days": "2",
        "active": "y"}))


def payout_account_post(app):
    seller = gen_seller()
    return _done(Post("/penjual/saldo/rekening", seller.user, {
        "bank": "BRI", "account_number": "0021 0100 0123 456", "account_name": "SITI RAHMAWATI"}))


# --- seller: onboarding and profile --------------------------------------------------------------

BUSINESS = {"business_name": "Keripik Bu Sari", "owner_name": "Sari Wulandari", "whatsapp": "0812-3456-7890",
            "nib": "9120001234567", "scale": "mikro", "is_koperasi": "tidak"}
LOCATION = {"kota": KOTA_TANGSEL, "kecamatan": KEC_PAMULANG, "kelurahan": KEL_BENDA_BARU,
            "street": "Jl. Kenanga 3", "rt": "03", "rw": "05"}
TAX = {"npwp": "", "is_pkp": "tidak", "bank": "BRI", "bank_other": "", "account_number": "0123 4567 8901",
       "account_name": "SARI WULANDARI"}


def business_post(app):
    return _done(Post("/penjual/daftar", gen_user(), dict(BUSINESS)))


def new_seller_post(app):
    return Post("/penjual/daftar", None, {**BUSINESS, "name": "Sari Wulandari", "email": "sari@contoh.id"})


def _wizard_seller():
    return gen_seller(status="pending", business_name="Keripik Bu Sari")


def location_post(app):
    return _done(Post("/penjual/daftar/lokasi", _wizard_seller().user, dict(LOCATION)))


def tax_post(app):
    return _done(Post("/penjual/daftar/pajak-rekening", _wizard_seller().user, dict(TAX)))


def nib_document_post(app):
    return _done(Post("/penjual/daftar/dokumen", _wizard_seller().user, {"unggah": "nib", "nib-file": PDF}))


def certificate_post(app):
    expires = (utcnow().date() + timedelta(days=365)).isoformat()
    return _done(Post("/penjual/dokumen", gen_seller().user, {
        "unggah": "sertifikat", "cert-kind": "halal", "cert-number": "ID31110000123450824", "cert-issuer": "BPJPH",
        "cert-expires_on": expires, "cert-file": PDF}))


def wizard_confirm_post(app):
    seller = _wizard_seller()
    return _done(Post("/penjual/daftar/periksa", seller.user))


def profile_post(app):
    seller = gen_seller(kecamatan=KEC_PAMULANG, kota=KOTA_TANGSEL)
    return _done(Post("/penjual/profil", seller.user, {
        **BUSINESS, **LOCATION, **TAX, "nib": seller.nib, "description": "Keripik renyah dari Pamulang.",
        "low_stock_threshold": "5"}))


# --- seller: listings ----------------------------------------------------------------------------

def _leaf():
    return gen_category(name="Keripik", parent=gen_category(name="Makanan Ringan"))


def listing_post(app):
    seller = gen_seller()
    leaf = _leaf()
    return _done(Post("/penjual/produk/baru", seller.user, {
        "title": "Keripik Singkong Balado", "category_id": str(leaf.id), "description": "Renyah, pedas manis.",
        "price": "15.000", "unit": "pcs", "min_order": "1", "stock": "12", "made_to_order": "",
        "lead_time_days": "", "weight_grams": "250", "tkdn_pct": "", "sku": "KRP-01", "status": "active"}))


def stock_post(app):
    product = gen_product(stock=10)
    return _done(Post(f"/penjual/produk/{product.id}/stok", product.seller.user,
                      {"stock": "1.250", "note": "Produksi baru", "next": "/penjual/produk"}))


def photo_post(app):
    product = gen_product()
    return _done(Post(f"/penjual/produk/{product.id}/foto", product.seller.user,
                      {"photos": Upload(jpeg_bytes(), "foto.jpg")}))


def listing_action_post(app):
    product = gen_product()
    return _done(Post(f"/penjual/produk/{product.id}/hapus", product.seller.user))


def options_post(app):
    product = gen_product(price=20_000, stock=5)
    return _done(Post(f"/penjual/produk/{product.id}/varian/opsi", product.seller.user, {
        "options-0-name": "Ukuran", "options-0-values": "S, M, L", "options-1-name": "Warna",
        "options-1-values": "Biru, Merah", "remove_all": "", "action": "simpan"}))


def variant_grid_post(app):
    product = gen_variant_product(options=(("Ukuran", ("S", "M")),), price=100_000, stock=5)
    data = {}
    for i, variant in enumerate(sorted(product.variants, key=lambda v: v.id)):
        data.update({f"rows-{i}-variant_id": str(variant.id), f"rows-{i}-stock_seen": str(variant.stock),
                     f"rows-{i}-price": "120.000", f"rows-{i}-stock": "7", f"rows-{i}-sku": f"SKU-{i}",
                     f"rows-{i}-weight_grams": "300", f"rows-{i}-image_id": ""})
    return _done(Post(f"/penjual/produk/{product.id}/varian/kombinasi", product.seller.user, data))


def bulk_post(app):
    product = gen_variant_product(options=(("Ukuran", ("S", "M")),), price=100_000, stock=5)
    return _done(Post(f"/penjual/produk/{product.id}/varian/semua", product.seller.user,
                      {"bulk_price": "90.000", "bulk_stock": "3"}))


def import_post(app):
    seller = gen_seller()
    leaf = _leaf()
    csv = ("judul,kategori,harga,stok,satuan,deskripsi\n"
           f"Keripik Pedas,{leaf.id},15000,10,pcs,Renyah\n").encode()
    return _done(Post("/penjual/produk/impor", seller.user, {"file": Upload(csv, "produk.csv")}))


def import_errors_post(app):
    from catalog.services.listing_csv import RowError
    from catalog.web.seller.imports import _errors_token

    seller = gen_seller()
    db.session.commit()
    token = _errors_token(seller.id, "produk.csv", [RowError(2, "harga", "Harga wajib diisi.")])
    return Post("/penjual/produk/impor/kesalahan.csv", seller.user, {"token": token})


# --- seller: government orders and RFQs ----------------------------------------------------------

def gov_decline_post(app):
    po, _team = gen_gov_order()
    return Post(f"/penjual/pesanan-pemerintah/{po.id}/tolak", po.seller.user, {"reason": "Kapasitas penuh"})


def gov_delivery_post(app):
    po, _team = gen_gov_order()
    gov_orders.accept(po, po.seller, actor_id=po.seller.user_id)
    db.session.commit()
    data = {"shipped_on": utcnow().date().isoformat(), "note": "Dikirim kurir toko"}
    data.update({f"line-{line.id}": str(line.quantity) for line in po.lines})
    return Post(f"/penjual/pesanan-pemerintah/{po.id}/kirim", po.seller.user, data)


def _rfq_world():
    agency, pp, ppk, _bendahara = gen_agency_team(code="DISKOMINFO-TGSL", name="Dinas Kominfo Tangsel")
    market = Market()
    db.session.commit()
    return pp, ppk, market


def quotation_post(app):
    pp, ppk, market = _rfq_world()
    rfq = open_rfq(pp, now=utcnow(), category=market.katering, kota=KOTA_TANGSEL, ppk=ppk)
    data = {"notes": "Harga termasuk antar"}
    for i, line in enumerate(sorted(rfq.lines, key=lambda line: line.position)):
        data.update({f"lines-{i}-line_id": str(line.id), f"lines-{i}-unit_price": "35.000",
                     f"lines-{i}-delivery_days": "2", f"lines-{i}-notes": ""})
    return Post(f"/penjual/rfq/{rfq.id}", market.mikro.user, data)


def _closed_rfq():
    pp, ppk, market = _rfq_world()
    start = utcnow() - timedelta(days=6)
    rfq = open_rfq(pp, now=start, deadline=start + timedelta(days=3), category=market.katering,
                   kota=KOTA_TANGSEL, ppk=ppk)
    quotation = quote(rfq, market.mikro, {1: 35_000, 2: 12_000}, now=start + timedelta(hours=2))
    return rfq, quotation, pp, ppk


def award_post(app):
    rfq, quotation, pp, ppk = _closed_rfq()
    by_line = {q.rfq_line_id: q.id for q in quotation.lines}
    data = {"route": "ppk", "ppk_id": str(ppk.id)}
    data.update({f"line-{line_id}": str(q_id) for line_id, q_id in by_line.items()})
    return _done(Post(f"/pengadaan/rfq/{rfq.id}/pemenang", pp, data))


def rfq_cancel_post(app):
    pp, ppk, market = _rfq_world()
    rfq = open_rfq(pp, now=utcnow(), category=market.katering, kota=KOTA_TANGSEL, ppk=ppk)
    return _done(Post(f"/pengadaan/rfq/{rfq.id}/batalkan", pp, {"reason": "Acara ditunda"}))


def rfq_new_post(app):
    pp, ppk, market = _rfq_world()
    deadline = (utcnow() + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT15:00")
    return _done(Post("/pengadaan/rfq/baru", pp, {
        "title": "Konsumsi rapat", "deadline": deadline, "needed_by": "", "delivery_kecamatan_code": KEC_PAMULANG,
        "delivery_address": "Jl. Maruga No. 1", "umkk_only": "y", "kota_code": KOTA_TANGSEL,
        "category_id": str(market.katering.id), "ppk_id": str(ppk.id), "rup_code": "",
        "lines-0-description": "Nasi kotak", "lines-0-quantity": "100", "lines-0-unit": "kotak",
        "lines-0-ceiling_price": "45.000", "lines-1-description": "Air mineral", "lines-1-quantity": "10",
        "lines-1-unit": "dus", "lines-1-ceiling_price": ""}))


# --- procurement ---------------------------------------------------------------------------------

def officer_application_post(app):
    agency = gen_agency(name="Dinas Kominfo Tangsel")
    return _done(Post("/pengadaan/daftar", gen_user(), {
        "agency_id": str(agency.id), "duty": "pejabat_pengadaan", "employee_number": VALID_NIP,
        "letter": Upload(MINIMAL_PDF, "sk.pdf")}))


def gov_add_to_cart_post(app):
    _agency, pp, _ppk, _bendahara = gen_agency_team()
    product = gen_product(price=50_000, stock=100)
    return _done(Post("/pengadaan/keranjang/tambah", pp, {"variant_id": str(product.variants[0].id),
                                                           "quantity": "5"}))


def gov_quantity_post(app):
    _agency, pp, _ppk, _bendahara = gen_agency_team()
    product = gen_product(price=50_000, stock=100)
    db.session.commit()
    item = gov_cart.add(pp, product.variants[0].id, 2)
    return _done(Post(f"/pengadaan/keranjang/{item.id}", pp, {"quantity": "7"}))


def request_post(app):
    _agency, pp, ppk, _bendahara = gen_agency_team()
    product = gen_product(price=50_000, stock=100)
    db.session.commit()
    gov_cart.add(pp, product.variants[0].id, 2)
    return _done(Post("/pengadaan/keranjang/permintaan", pp, {
        "title": "ATK kantor", "rup_code": "", "needed_by": "", "delivery_address": "Jl. Maruga No. 1",
        "delivery_kecamatan_code": KEC_PAMULANG, "notes": "", "ppk_id": str(ppk.id)}))


def _submitted_request():
    """A request above Rp200 juta, waiting for the PPK: (request, pp, ppk)."""
    from catalog.services.procurement import requests

    _agency, pp, ppk, _bendahara = gen_agency_team(pagu=10_000_000_000)
    product = gen_product(price=250_000_000, stock=10)
    db.session.commit()
    gov_cart.add(pp, product.variants[0].id, 1)
    pr = requests.create_from_cart(pp, title="Pengadaan server", rup_code=None, needed_by=None,
                                   delivery_address="Jl. Maruga No. 1", delivery_kecamatan_code=None, notes="",
                                   ppk_id=ppk.id)
    requests.submit(pr, pp, direct=False)
    db.session.commit()
    return pr, pp, ppk


def gov_reason_post(app):
    pr, _pp, ppk = _submitted_request()
    return Post(f"/pengadaan/permintaan/{pr.id}/tolak", ppk, {"reason": "Tidak ada di RUP"})


def approve_post(app):
    pr, _pp, ppk = _submitted_request()
    return Post(f"/pengadaan/permintaan/{pr.id}/setujui", ppk, {"reason": "Sesuai RUP"})


def _delivered_po():
    po, team = gen_gov_order(quantity=10, price=50_000)
    seller = po.seller
    quantities = {line.id: line.quantity for line in po.lines}
    gov_orders.accept(po, seller, actor_id=seller.user_id)
    gov_orders.record_delivery(po, seller, actor_id=seller.user_id, quantities=quantities)
    db.session.commit()
    return po, team, quantities


def receipt_post(app):
    po, (_agency, _pp, ppk, _bendahara), quantities = _delivered_po()
    data = {"number": "BAST/001", "received_on": utcnow().date().isoformat(), "notes": ""}
    data.update({f"line-{line_id}": str(quantity) for line_id, quantity in quantities.items()})
    return Post(f"/pengadaan/sp/{po.id}/bast", ppk, data)


def rating_post(app):
    po, (_agency, _pp, ppk, _bendahara), quantities = _delivered_po()
    gov_orders.record_receipt(po, ppk, number="BAST/001", received_on=None, quantities=quantities)
    db.session.commit()
    return Post(f"/pengadaan/sp/{po.id}/nilai", ppk,
                {"on_time": "5", "quantity": "4", "quality": "5", "comment": "Tepat waktu"})


def payment_post(app):
    po, (_agency, _pp, ppk, bendahara), quantities = _delivered_po()
    gov_orders.record_receipt(po, ppk, number="BAST/001", received_on=None, quantities=quantities)
    invoice = gov_orders.issue_invoice(po, po.seller, actor_id=po.seller.user_id)
    db.session.commit()
    assert isinstance(invoice, Invoice)
    return Post(f"/pengadaan/tagihan/{invoice.id}/bayar", bendahara,
                {"method": "transfer", "reference": "TRX-001", "paid_on": utcnow().date().isoformat()})


# --- the Dinas console ---------------------------------------------------------------------------

def chain_check_post(app):
    return _done(Post("/admin/audit/periksa-rantai", _admin()))


def category_post(app):
    parent = gen_category(name="Makanan")
    return _done(Post("/admin/kategori/baru", _admin(), {"name": "Kue Kering", "name_en": "Cookies",
                                                        "parent_id": str(parent.id), "is_featured": ""}))


def category_move_post(app):
    parent = gen_category(name="Makanan")
    gen_category(name="Kue", parent=parent)
    second = gen_category(name="Keripik", parent=parent)
    return _done(Post(f"/admin/kategori/{second.id}/urutan", _admin(), {"direction": "naik"}))


def category_merge_post(app):
    parent = gen_category(name="Makanan")
    source = gen_category(name="Kue", parent=parent)
    target = gen_category(name="Kue Kering", parent=parent)
    gen_product(category=source)
    return _done(Post(f"/admin/kategori/{source.id}/gabung", _admin(), {"target_id": str(target.id)}))


def category_delete_post(app):
    empty = gen_category(name="Kosong")
    return _done(Post(f"/admin/kategori/{empty.id}/hapus", _admin()))


def hide_post(app):
    product = gen_product()
    return _done(Post(f"/admin/produk/{product.id}/sembunyikan", _admin(),
                      {"reason": "Foto produk memuat nomor telepon pribadi."}))


def restore_post(app):
    from catalog.services import moderation

    product = gen_product()
    admin = _admin()
    db.session.commit()
    moderation.hide_product(product.id, admin.id, "Foto produk memuat nomor telepon pribadi.")
    return _done(Post(f"/admin/produk/{product.id}/tampilkan", admin, {"reason": "Foto sudah diganti."}))


def seller_decision_post(app):
    seller = gen_seller(status="pending", submitted_at=utcnow() - timedelta(days=1))
    return _done(Post(f"/admin/penjual/{seller.id}/keputusan", _admin(),
                      {"action": "reject", "reason": "Dokumen NIB tidak terbaca."}))


def officer_decision_post(app):
    officer = gen_officer(status=MEMBERSHIP_PENDING)
    return _done(Post(f"/admin/petugas/{officer.membership.id}/keputusan", _admin(),
                      {"action": "reject", "reason": "Surat tugas tidak terbaca."}))


def report_decision_post(app):
    product = gen_product()
    gen_report(product, gen_user())
    return _done(Post(f"/admin/laporan/produk/{product.id}/keputusan", _admin(),
                      {"action": "dismiss", "reason": "Laporan tidak terbukti."}))


def agency_post(app):
    return _done(Post("/admin/instansi/baru", _admin(), {
        "name": "Dinas Pendidikan Kota Tangerang Selatan", "type": "OPD", "code": "disdik-tangsel",
        "kota_code": KOTA_TANGSEL, "kecamatan_code": KEC_PAMULANG, "address": "Jl. Pajajaran No. 1"}))


def budget_post(app):
    agency = gen_agency()
    return _done(Post(f"/admin/instansi/{agency.id}/pagu", _admin(), {
        "fiscal_year": str(utcnow().year + 1), "pagu": "2.500.000.000", "target_share_pct": "40",
        "overspend_policy": "refuse", "payment_term_days": "30"}))


def agency_reason_post(app):
    agency = gen_agency()
    return _done(Post(f"/admin/instansi/{agency.id}/tutup", _admin(), {"reason": "Instansi digabung."}))


def duty_post(app):
    agency, pp, _ppk, _bendahara = gen_agency_team()
    return _done(Post(f"/admin/instansi/{agency.id}/anggota/{pp.membership.id}/tugas", _admin(),
                      {"duty": "bendahara", "reason": "Mutasi jabatan."}))


def reset_link_post(app):
    user = gen_user()
    return _done(Post(f"/admin/pengguna/{user.id}/reset-kata-sandi", _admin()))


def role_post(app):
    user = gen_user()
    return _done(Post(f"/admin/pengguna/{user.id}/peran", _admin(),
                      {"role": "officer", "reason": "Pegawai Dinas Kominfo."}))


def _batch(exported: bool):
    admin = _admin()
    db.session.commit()
    seller = banked_seller(150_000, admin_id=admin.id)
    batch = payouts.create_batch([seller.id], admin.id).batch
    if exported:
        payouts.export_csv(batch.id, admin.id)
    db.session.commit()
    return db.session.get(PayoutBatch, batch.id), admin


def payout_action_post(app):
    batch, admin = _batch(exported=False)
    return Post(f"/admin/pencairan/{batch.id}/ekspor", admin)


def payout_batch_post(app):
    admin = _admin()
    db.session.commit()
    seller = banked_seller(150_000, admin_id=admin.id)
    return _done(Post("/admin/pencairan", admin, {"seller_id": str(seller.id)}))


def reference_post(app):
    batch, admin = _batch(exported=True)
    return Post(f"/admin/pencairan/{batch.id}/dibayar", admin, {"bank_reference": "BRI-TRF-0001"})


def failure_post(app):
    batch, admin = _batch(exported=True)
    line = batch.lines[0]
    return Post(f"/admin/pencairan/{batch.id}/baris/{line.id}/gagal", admin, {"reason": "Rekening ditutup."})


def fee_rate_post(app):
    return _done(Post("/admin/biaya-layanan", _admin(),
                      {"mikro": "0", "kecil": "1,5", "menengah": "2,5", "koperasi": "0"}))


def _job_failure() -> int:
    from catalog.jobs import failures

    return failures.record("orders.expire", [], "RuntimeError: database is locked", 4).id


def job_rerun_post(app):
    return _done(Post("/admin/tugas/ulang", _admin(), {"failure_id": str(_job_failure())}))


def job_resolve_post(app):
    return _done(Post("/admin/tugas/selesai", _admin(),
                      {"failure_id": str(_job_failure()), "reason": "Sudah dijalankan manual."}))


def adjustment_post(app):
    seller = banked_seller(0)
    return _done(Post(f"/admin/saldo/{seller.id}/penyesuaian", _admin(),
                      {"amount": "-5.000", "reason": "Koreksi biaya layanan."}))


TARGETS = [
    # auth
    Target(auth_forms.LoginForm, login_post),
    Target(auth_forms.RegisterForm, register_post),
    Target(auth_forms.AccountForm, account_post),
    Target(auth_forms.ChangePasswordForm, change_password_post),
    Target(auth_forms.ForgotPasswordForm, forgot_password_post),
    Target(auth_forms.ResetPasswordForm, reset_password_post),
    Target(auth_forms.LanguageForm, language_post),
    # public, shop, shopper orders
    Target(public_report.ReportForm, report_post),
    Target(shop_forms.AddToCartForm, add_to_cart_post),
    Target(shop_forms.QuantityForm, quantity_post),
    Target(shop_forms.AddressForm, address_post),
    Target(shop_forms.CheckoutForm, checkout_post),
    Target(order_forms.ProofForm, proof_post),
    Target(order_forms.CancelForm, cancel_post),
    Target(order_forms.ReviewFormBase, review_post),
    # seller
    Target(forms_orders.ReasonForm, seller_reason_post),
    Target(forms_orders.ShipForm, ship_post),
    Target(forms_orders.DeliveryOptionForm, delivery_option_post),
    Target(forms_money.PayoutAccountForm, payout_account_post),
    Target(forms_onboarding.BusinessForm, business_post),
    Target(forms_onboarding.NewSellerForm, new_seller_post),
    Target(forms_onboarding.LocationForm, location_post),
    Target(forms_onboarding.TaxBankForm, tax_post),
    Target(forms_onboarding.NibDocumentForm, nib_document_post, init={"prefix": "nib"}),
    Target(forms_onboarding.CertificateForm, certificate_post, init={"prefix": "cert"}),
    Target(forms_onboarding.ConfirmForm, wizard_confirm_post),
    Target(forms_onboarding.ProfileForm, profile_post),
    Target(forms_listings.ListingForm, listing_post),
    Target(forms_listings.StockForm, stock_post),
    Target(forms_listings.PhotoUploadForm, photo_post),
    Target(forms_listings.ActionForm, listing_action_post),
    Target(forms_variants.OptionsForm, options_post),
    Target(forms_variants.VariantGridForm, variant_grid_post),
    Target(forms_variants.BulkForm, bulk_post),
    Target(forms_imports.ImportForm, import_post),
    Target(forms_imports.ImportErrorsForm, import_errors_post),
    Target(forms_gov_orders.DeclineForm, gov_decline_post),
    Target(forms_gov_orders.DeliveryForm, gov_delivery_post),
    Target(forms_rfq.QuotationForm, quotation_post),
    # procurement
    Target(officer_onboarding.OfficerApplicationForm, officer_application_post),
    Target(gov_rfq_forms.RfqForm, rfq_new_post),
    Target(gov_rfq_forms.ReasonForm, rfq_cancel_post),
    Target(gov_rfq_forms.AwardForm, award_post),
    Target(gov_forms.RequestForm, request_post),
    Target(gov_forms.ReasonForm, gov_reason_post),
    Target(gov_forms.ApproveForm, approve_post),
    Target(gov_forms.ReceiptForm, receipt_post),
    Target(gov_forms.RatingForm, rating_post),
    Target(gov_forms.PaymentForm, payment_post),
    # the Dinas console
    Target(admin_audit.ChainCheckForm, chain_check_post),
    Target(catalogue_forms.CategoryForm, category_post),
    Target(catalogue_forms.MoveForm, category_move_post),
    Target(catalogue_forms.MergeForm, category_merge_post),
    Target(catalogue_forms.ConfirmForm, category_delete_post),
    Target(catalogue_forms.HideForm, hide_post),
    Target(catalogue_forms.RestoreForm, restore_post),
    Target(admin_forms.SellerDecisionForm, seller_decision_post),
    Target(forms_queues.OfficerDecisionForm, officer_decision_post),
    Target(forms_queues.ReportDecisionForm, report_decision_post),
    Target(forms_agencies.AgencyForm, agency_post),
    Target(forms_agencies.BudgetForm, budget_post),
    Target(forms_agencies.ReasonForm, agency_reason_post),
    Target(forms_agencies.DutyForm, duty_post),
    Target(forms_users.ResetLinkForm, reset_link_post),
    Target(forms_users.RoleForm, role_post),
    Target(forms_payouts.ActionForm, payout_action_post),
    Target(forms_payouts.PayoutBatchForm, payout_batch_post),
    Target(forms_payouts.ReferenceForm, reference_post),
    Target(forms_payouts.FailureForm, failure_post),
    Target(forms_payouts.FeeRateForm, fee_rate_post),
    Target(forms_payouts.AdjustmentForm, adjustment_post),
    Target(forms_jobs.RerunForm, job_rerun_post),
    Target(forms_jobs.ResolveForm, job_resolve_post),
]

# Form classes no route posts by themselves, and why.
NOT_POSTED = {
    auth_forms.AccountBaseForm: "base class of the account and console forms (no fields of its own)",
    forms_onboarding.WizardForm: "base class of the seller wizard's step forms",
    forms_rfq.QuoteLineForm: "a row of QuotationForm.lines, fuzzed through QuotationForm",
    forms_variants.OptionRowForm: "a row of OptionsForm.options, fuzzed through OptionsForm",
    forms_variants.VariantRowForm: "a row of VariantGridForm.rows, fuzzed through VariantGridForm",
    gov_rfq_forms.RfqLineForm: "a row of RfqForm.lines, fuzzed through RfqForm",
}

__all__ = ["NOT_POSTED", "TARGETS", "Post", "Target"]
