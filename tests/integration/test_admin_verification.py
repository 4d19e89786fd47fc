"""The Dinas verification console through the browser's eyes: who may open it, the queue, one
seller's file with documents and history, each decision and each refusal, the private document
files, suspension hiding products everywhere, and the role navigation."""

import io
import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import func, select

from catalog import storage
from catalog.extensions import db
from catalog.models import AuditEvent, Notification, Seller, SellerDocument
from catalog.models.base import utcnow
from catalog.services import verification
from tests.conftest import csrf_token_from
from tests.factories import gen_category, gen_officer, gen_product, gen_seller, gen_user
from tests.querycount import count_queries

REASON = "Foto dokumen NIB tidak terbaca, mohon unggah ulang."


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def log_in(client, user):
    """Logged in as Flask-Login does it, without depending on the /masuk form."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def pending_seller(days_ago=3, **kw) -> Seller:
    return gen_seller(status="pending", submitted_at=utcnow() - timedelta(days=days_ago, hours=1), **kw)


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def status_of(seller_id) -> str:
    db.session.expire_all()
    return db.session.get(Seller, seller_id).status


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def decide(client, seller_id, action, reason="", **extra):
    return client.post(f"/admin/penjual/{seller_id}/keputusan", data={"action": action, "reason": reason, **extra})


# --- who may open the console ------------------------------------------------------------------

ADMIN_GETS = ["/admin/penjual", "/admin/penjual/{seller}", "/admin/penjual/dokumen/{document}"]


@pytest.fixture
def targets(app):
    seller = pending_seller()
    key = f"d/{storage.new_token()}.jpg"
    storage.save_bytes(key, jpeg_bytes())
    document = SellerDocument(seller=seller, kind="nib", number="9120001234567", file_key=key)
    db.session.add(document)
    db.session.commit()
    return {"seller": seller.id, "document": document.id}


@pytest.mark.parametrize("path", ADMIN_GETS)
def test_anonymous_visitors_are_sent_to_log_in(client, targets, path):
    response = client.get(path.format(**targets))
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/masuk"


def test_anonymous_decision_is_sent_to_log_in_and_changes_nothing(client, targets):
    response = decide(client, targets["seller"], "verify")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/masuk"
    assert status_of(targets["seller"]) == "pending"


@pytest.mark.parametrize("role", ["shopper", "seller", "officer"])
@pytest.mark.parametrize("path", ADMIN_GETS)
def test_other_roles_get_403(app, client, targets, role, path):
    user = gen_officer() if role == "officer" else (gen_seller().user if role == "seller" else gen_user(role=role))
    db.session.commit()
    log_in(client, user)
    response = client.get(path.format(**targets))
    assert response.status_code == 403
    assert "Akses ditolak" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["shopper", "seller", "officer"])
def test_other_roles_cannot_decide(app, client, targets, role):
    user = gen_officer() if role == "officer" else (gen_seller().user if role == "seller" else gen_user(role=role))
    db.session.commit()
    log_in(client, user)
    before = audit_count()
    assert decide(client, targets["seller"], "verify").status_code == 403
    assert status_of(targets["seller"]) == "pending"
    assert audit_count() == before


# --- the queue -------------------------------------------------------------------------------------

def test_queue_shows_pending_sellers_oldest_first_with_what_the_reviewer_needs(admin_client):
    older = pending_seller(days_ago=3, business_name="Keripik Bu Sari", nib="9120000000011", scale="kecil",
                           is_koperasi=True)
    for kind in ("nib", "halal"):
        db.session.add(SellerDocument(seller=older, kind=kind, number=f"{kind}-001"))
    pending_seller(days_ago=0, business_name="Sambal Pak Joko")
    gen_seller(status="pending", business_name="Masih Diisi")  # wizard unfinished
    gen_seller(status="verified", business_name="Toko Lama Aktif")
    db.session.commit()

    response = admin_client.get("/admin/penjual")
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))

    assert text.index("Keripik Bu Sari") < text.index("Sambal Pak Joko")
    assert "Masih Diisi" not in text and "Toko Lama Aktif" not in text
    assert "9120000000011" in text
    assert "Kecil" in text and "Koperasi" in text
    assert "Pamulang, Kota Tangerang Selatan" in text
    assert "3 hari" in text and "hari ini" in text
    row = text[text.index("Keripik Bu Sari"):text.index("Sambal Pak Joko")]
    assert " 2 " in row  # two documents
    assert "Menunggu verifikasi 2" in text and "Terverifikasi 1" in text


@pytest.mark.parametrize(("tab", "status"), [("terverifikasi", "verified"), ("ditolak", "rejected"),
                                             ("dibekukan", "suspended")])
def test_each_tab_lists_its_status(admin_client, tab, status):
    gen_seller(status=status, business_name="Yang Dicari", status_reason="Dokumen halal sudah kedaluwarsa.",
               reviewed_at=utcnow())
    pending_seller(business_name="Yang Lain")
    db.session.commit()
    text = text_of(admin_client.get(f"/admin/penjual?status={tab}").get_data(as_text=True))
    assert "Yang Dicari" in text and "Yang Lain" not in text


def test_queue_search_finds_by_name_and_nib(admin_client):
    pending_seller(business_name="Batik Cempaka Serpong", nib="9131111111111")
    pending_seller(business_name="Kopi Kebun Pak Ali", nib="9142222222222")
    db.session.commit()

    by_name = text_of(admin_client.get("/admin/penjual?q=cempaka").get_data(as_text=True))
    assert "Batik Cempaka Serpong" in by_name and "Kopi Kebun" not in by_name
    by_nib = text_of(admin_client.get("/admin/penjual?q=914222").get_data(as_text=True))
    assert "Kopi Kebun Pak Ali" in by_nib and "Batik Cempaka" not in by_nib
    nothing = text_of(admin_client.get("/admin/penjual?q=tidak-ada").get_data(as_text=True))
    assert "Tidak ada penjual yang cocok" in nothing


def test_forged_tab_and_page_values_fall_back_to_defaults(admin_client):
    pending_seller(business_name="Tetap Tampil")
    db.session.commit()
    for query in ("status=hapus-semua", "status=verified", "hal=-3", "hal=abc", "hal=999999999999", "q=%00%27"):
        response = admin_client.get(f"/admin/penjual?{query}")
        assert response.status_code == 200, query
    assert "Tetap Tampil" in admin_client.get("/admin/penjual?status=hapus-semua").get_data(as_text=True)


def test_queue_is_paginated(admin_client):
    for n in range(23):
        pending_seller(days_ago=40 - n, business_name=f"Usaha Antre {n:02d}")
    db.session.commit()

    first = text_of(admin_client.get("/admin/penjual").get_data(as_text=True))
    assert "Usaha Antre 00" in first and "Usaha Antre 19" in first and "Usaha Antre 20" not in first
    assert "Menampilkan 1–20 dari 23 penjual" in first
    second = admin_client.get("/admin/penjual?hal=2").get_data(as_text=True)
    assert "Usaha Antre 22" in second and "Usaha Antre 00" not in second


def test_queue_queries_do_not_grow_with_the_rows(app, admin_client):
    def queries_for(sellers: int) -> int:
        for _ in range(sellers):
            seller = pending_seller(kecamatan="36.74.01")
            db.session.add(SellerDocument(seller=seller, kind="nib", number="x"))
        db.session.commit()
        with count_queries(app) as q:
            assert admin_client.get("/admin/penjual").status_code == 200
        return q.count

    few = queries_for(2)
    many = queries_for(15)
    assert many == few, f"{few} queries for 2 rows, {many} for 17"
    assert many <= 10


# --- one seller's file -------------------------------------------------------------------------------

def test_detail_shows_the_registration_documents_and_history(app, admin_client, admin):
    seller = pending_seller(business_name="Dapur Bu Tini", owner_name="Tini Suhartini", nib="9120000000999",
                            npwp="0123456789012345", address="Jl. Siliwangi No. 12", bank_name="Bank BJB",
                            bank_account_number="0012345678", bank_account_name="Tini Suhartini",
                            kelurahan_code="36.74.06.1001")
    photo_key = f"d/{storage.new_token()}.jpg"
    storage.save_bytes(photo_key, jpeg_bytes())
    pdf_key = f"d/{storage.new_token()}.pdf"
    storage.save_bytes(pdf_key, b"%PDF-1.4\n%%EOF\n")
    photo = SellerDocument(seller=seller, kind="nib", number="9120000000999", file_key=photo_key)
    pdf = SellerDocument(seller=seller, kind="halal", number="ID3111000012", issuer="BPJPH",
                         expires_on=utcnow().date() + timedelta(days=400), file_key=pdf_key)
    db.session.add_all([photo, pdf])
    db.session.commit()
    other = gen_seller(status="verified")
    db.session.commit()
    verification.suspend_seller(other.id, admin.id, "Catatan untuk penjual lain saja.")
    verification.reject_seller(seller.id, admin.id, "Foto KTP pemilik belum ada.")
    db.session.execute(Seller.__table__.update().where(Seller.id == seller.id).values(
        status="pending", submitted_at=utcnow()))  # the seller fixed it and sent it again
    db.session.commit()

    html = admin_client.get(f"/admin/penjual/{seller.id}").get_data(as_text=True)
    text = text_of(html)

    for fact in ("Dapur Bu Tini", "Tini Suhartini", "9120000000999", "0123456789012345", "Jl. Siliwangi No. 12",
                 "Bank BJB", "0012345678", "Pamulang", "Kota Tangerang Selatan", seller.user.email, "BPJPH"):
        assert fact in text, fact
    assert f'<img src="/admin/penjual/dokumen/{photo.id}"' in html
    assert re.search(rf'href="/admin/penjual/dokumen/{pdf.id}"\s+download', html)
    assert "Riwayat" in text and "Foto KTP pemilik belum ada." in text and "Bu Ratna (Dinas)" in text
    assert "Catatan untuk penjual lain saja." not in text  # only this seller's events
    assert 'value="verify"' in html and 'value="reject"' in html
    assert 'value="suspend"' not in html


def test_history_names_the_sellers_own_steps_newest_first(admin_client):
    from catalog.services import audit

    seller = pending_seller()
    audit.record("seller.submitted", seller, actor_id=seller.user_id, after={"submitted_at": seller.submitted_at})
    audit.record("seller.document_added", seller, actor_id=seller.user_id,
                 after={"document_id": 1, "kind": "halal", "number": "ID31110000999"})
    audit.record("seller.identity_changed", seller, actor_id=seller.user_id, before={"nib": "9100000000001"},
                 after={"nib": "9100000000002"})
    db.session.commit()

    text = text_of(admin_client.get(f"/admin/penjual/{seller.id}").get_data(as_text=True))
    history = text[text.index("Riwayat"):]

    assert history.index("Data usaha diubah") < history.index("Dokumen ditambahkan") \
        < history.index("Mengirim pendaftaran untuk verifikasi")
    assert "Sertifikat Halal · ID31110000999" in history
    assert "nib: 9100000000001 → 9100000000002" in history


def test_unknown_seller_is_404(admin_client):
    assert admin_client.get("/admin/penjual/999999").status_code == 404
    assert decide(admin_client, 999999, "verify").status_code == 404
    assert decide(admin_client, 999999, "reject", REASON).status_code == 404


# --- the private document files -----------------------------------------------------------------------

def test_a_document_photo_is_shown_inline_and_never_cached_publicly(admin_client):
    seller = pending_seller()
    key = f"d/{storage.new_token()}.jpg"
    storage.save_bytes(key, jpeg_bytes())
    document = SellerDocument(seller=seller, kind="nib", number="1", file_key=key)
    db.session.add(document)
    db.session.commit()

    # buffered: the test client reads the file and closes it, as a server would.
    response = admin_client.get(f"/admin/penjual/dokumen/{document.id}", buffered=True)

    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert "no-store" in response.headers["Cache-Control"]
    assert response.data == jpeg_bytes()


def test_a_document_pdf_is_downloaded(admin_client):
    seller = pending_seller(slug="dapur-bu-tini")
    key = f"d/{storage.new_token()}.pdf"
    storage.save_bytes(key, b"%PDF-1.4\n%%EOF\n")
    document = SellerDocument(seller=seller, kind="halal", number="1", file_key=key)
    db.session.add(document)
    db.session.commit()

    response = admin_client.get(f"/admin/penjual/dokumen/{document.id}", buffered=True)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "dapur-bu-tini-halal.pdf" in response.headers["Content-Disposition"]


def test_document_without_a_file_or_unknown_is_404(admin_client):
    seller = pending_seller()
    no_file = SellerDocument(seller=seller, kind="nib", number="1")
    gone = SellerDocument(seller=seller, kind="pirt", number="2", file_key=f"d/{storage.new_token()}.jpg")
    db.session.add_all([no_file, gone])
    db.session.commit()
    assert admin_client.get(f"/admin/penjual/dokumen/{no_file.id}").status_code == 404
    assert admin_client.get(f"/admin/penjual/dokumen/{gone.id}").status_code == 404
    assert admin_client.get("/admin/penjual/dokumen/999999").status_code == 404


# --- decisions -------------------------------------------------------------------------------------------

def test_approving_verifies_the_seller_and_tells_them(admin_client, admin):
    seller = pending_seller(business_name="Keripik Bu Sari", slug="keripik-bu-sari")
    db.session.commit()

    response = decide(admin_client, seller.id, "verify")

    assert response.status_code == 302
    assert urlsplit(response.location).path == f"/admin/penjual/{seller.id}"
    assert status_of(seller.id) == "verified"
    page = text_of(admin_client.get(response.location).get_data(as_text=True))
    assert "Keripik Bu Sari sudah diverifikasi" in page
    assert "Terverifikasi oleh Bu Ratna (Dinas)" in page
    note = db.session.scalar(select(Notification).where(Notification.user_id == seller.user_id))
    assert note.title == "Toko Anda sudah terverifikasi" and note.link == "/toko/keripik-bu-sari"


def test_rejecting_with_a_reason_sends_it_to_the_seller(admin_client):
    seller = pending_seller()
    db.session.commit()

    response = decide(admin_client, seller.id, "reject", REASON)

    assert response.status_code == 302
    assert status_of(seller.id) == "rejected"
    note = db.session.scalar(select(Notification).where(Notification.user_id == seller.user_id))
    assert REASON in note.body
    text = text_of(admin_client.get(f"/admin/penjual/{seller.id}").get_data(as_text=True))
    assert REASON in text and "Ditolak" in text


def test_rejecting_without_a_reason_shows_the_message_on_the_form_and_changes_nothing(admin_client):
    seller = pending_seller()
    db.session.commit()
    before = audit_count()

    response = decide(admin_client, seller.id, "reject", "   ")

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Tuliskan alasannya" in text_of(html)
    assert re.search(r'id="reason-reject"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="reason-reject"', html)
    assert status_of(seller.id) == "pending"
    assert audit_count() == before
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_a_short_reason_is_kept_in_the_box_with_the_message(admin_client):
    seller = pending_seller()
    db.session.commit()
    response = decide(admin_client, seller.id, "reject", "Kurang")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "minimal 10 karakter" in text_of(html)
    assert re.search(r'<textarea[^>]*id="reason-reject"[^>]*>\s*Kurang</textarea>', html)
    assert status_of(seller.id) == "pending"


def test_suspending_an_already_suspended_seller_is_refused(admin_client):
    seller = gen_seller(status="suspended", status_reason="Alasan pembekuan pertama.")
    db.session.commit()
    before = audit_count()

    response = decide(admin_client, seller.id, "suspend", REASON)

    assert response.status_code == 409
    assert "Toko ini sudah dibekukan." in text_of(response.get_data(as_text=True))
    assert status_of(seller.id) == "suspended"
    assert db.session.get(Seller, seller.id).status_reason == "Alasan pembekuan pertama."
    assert audit_count() == before


def test_verifying_an_already_verified_seller_is_refused(admin_client):
    seller = gen_seller(status="verified")
    db.session.commit()
    before = audit_count()

    response = decide(admin_client, seller.id, "verify")

    assert response.status_code == 409
    assert "Penjual ini sudah terverifikasi." in text_of(response.get_data(as_text=True))
    assert audit_count() == before
    assert db.session.scalar(select(func.count(Notification.id))) == 0


@pytest.mark.parametrize("action", ["verified", "delete", "pending", "", "suspend' OR 1=1"])
def test_a_forged_action_is_refused_and_changes_nothing(admin_client, action):
    seller = pending_seller()
    db.session.commit()
    before = audit_count()

    response = decide(admin_client, seller.id, action, REASON)

    assert response.status_code == 400
    assert "Tindakan tidak dikenal" in text_of(response.get_data(as_text=True))
    assert status_of(seller.id) == "pending"
    assert audit_count() == before


def test_a_forged_status_field_cannot_choose_the_target(admin_client):
    seller = pending_seller()
    db.session.commit()
    response = decide(admin_client, seller.id, "reject", REASON, status="verified")
    assert response.status_code == 302
    assert status_of(seller.id) == "rejected"


def test_suspend_and_reinstate_through_the_page(admin_client):
    seller = gen_seller(status="verified")
    db.session.commit()

    assert decide(admin_client, seller.id, "suspend", "").status_code == 400
    assert status_of(seller.id) == "verified"
    assert decide(admin_client, seller.id, "suspend", REASON).status_code == 302
    assert status_of(seller.id) == "suspended"
    html = admin_client.get(f"/admin/penjual/{seller.id}").get_data(as_text=True)
    assert 'value="reinstate"' in html and 'value="suspend"' not in html
    assert decide(admin_client, seller.id, "reinstate").status_code == 302
    assert status_of(seller.id) == "verified"


# --- CSRF ------------------------------------------------------------------------------------------------

@pytest.fixture
def csrf_admin_client(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = gen_user(role="admin")
        seller = pending_seller()
        db.session.commit()
        ids = {"seller": seller.id}
        client = app.test_client()
        log_in(client, admin)
    return app, client, ids


def test_a_decision_without_the_csrf_token_is_refused(csrf_admin_client):
    app, client, ids = csrf_admin_client
    response = decide(client, ids["seller"], "verify")
    assert response.status_code == 400
    assert "Formulir sudah kedaluwarsa" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Seller, ids["seller"]).status == "pending"
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_a_decision_with_the_pages_csrf_token_goes_through(csrf_admin_client):
    app, client, ids = csrf_admin_client
    page = client.get(f"/admin/penjual/{ids['seller']}").get_data(as_text=True)
    response = decide(client, ids["seller"], "verify", csrf_token=csrf_token_from(page))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Seller, ids["seller"]).status == "verified"


# --- suspension hides every product at once ---------------------------------------------------------------

def test_suspending_hides_all_products_everywhere_and_reinstating_brings_them_back(app, client, admin):
    category = gen_category("Sambal", slug="sambal")
    seller = gen_seller(status="verified", business_name="Sambal Roa Bu Ani")
    products = [gen_product(seller=seller, category=category, title=f"Sambal Roa Pedas {n}") for n in range(2)]
    db.session.commit()
    product_url = f"/produk/{products[0].slug}"

    assert client.get(product_url).status_code == 200
    assert "Sambal Roa Pedas 1" in client.get("/kategori/sambal").get_data(as_text=True)
    assert f"/produk/{products[1].slug}" in client.get("/cari?q=sambal+roa").get_data(as_text=True)

    verification.suspend_seller(seller.id, admin.id, "Laporan pembeli sedang diperiksa.")

    assert client.get(product_url).status_code == 404
    assert client.get(f"/produk/{products[1].slug}").status_code == 404
    assert "Sambal Roa Pedas" not in client.get("/kategori/sambal").get_data(as_text=True)
    hidden = client.get("/cari?q=sambal+roa").get_data(as_text=True)
    assert f"/produk/{products[0].slug}" not in hidden and f"/produk/{products[1].slug}" not in hidden

    verification.reinstate_seller(seller.id, admin.id)

    assert client.get(product_url).status_code == 200
    assert "Sambal Roa Pedas 1" in client.get("/kategori/sambal").get_data(as_text=True)
    assert f"/produk/{products[1].slug}" in client.get("/cari?q=sambal+roa").get_data(as_text=True)


# --- navigation ------------------------------------------------------------------------------------------

def test_admin_sees_the_console_link_and_the_tab(admin_client):
    html = admin_client.get("/").get_data(as_text=True)
    assert re.search(r'<a class="nav-link nav-role" href="/admin/penjual"', html)
    assert "Konsol Dinas" in html
    assert 'class="tab-bar tab-bar-5"' in html
    assert 'href="/notifikasi"' in html


def test_seller_sees_my_shop_link(app, client):
    seller = gen_seller()
    db.session.commit()
    log_in(client, seller.user)
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<a class="nav-link nav-role" href="/penjual"', html)
    assert "Toko Saya" in html and "Konsol Dinas" not in html


def test_shoppers_get_my_orders_as_their_area(app, client):
    user = gen_user(role="shopper")
    db.session.commit()
    log_in(client, user)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/notifikasi"' in html
    assert re.search(r'<a class="nav-link nav-role" href="/pesanan/?"', html)
    assert "Pesanan Saya" in html and 'class="tab-bar tab-bar-5"' in html


def test_officers_get_the_bell_and_the_procurement_area(app, client):
    user = gen_officer()
    db.session.commit()
    log_in(client, user)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/notifikasi"' in html
    assert 'class="nav-link nav-role" href="/pengadaan/"' in html and "tab-bar-5" in html
    assert html.count('<nav class="tab-bar') == 1


def test_anonymous_visitors_get_no_bell_and_no_notification_query(app, client):
    with count_queries(app) as q:
        html = client.get("/").get_data(as_text=True)
    assert 'href="/notifikasi"' not in html
    assert not [s for s in q.statements if "notification" in s.lower()]
