"""The seller registration wizard and the profile page through real form posts: who may open
them, every step saved as it is sent, the region drop-downs without JavaScript, submission for
verification, the profile edit with renames and pictures, and every kind of bad input."""

import io
import re
import struct
import zlib
from html import unescape

import pytest
from PIL import Image
from sqlalchemy import func, select

from catalog import storage
from catalog.extensions import db
from catalog.models import AuditEvent, Notification, Seller, SellerDocument, SellerSlugRedirect, User
from catalog.models.base import utcnow
from tests.conftest import csrf_token_from
from tests.factories import KEC_PAMULANG, KOTA_TANGSEL, PASSWORD, gen_officer, gen_seller, gen_user

NEW_PASSWORD = "kopi-gula-aren-7"
NIB = "1234567890123"
KEC_BALARAJA = "36.03.01"  # in Kabupaten Tangerang, not in Tangerang Selatan
KEL_BENDA_BARU = "36.74.06.1002"
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"


# --- helpers ---------------------------------------------------------------------------------


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def field_errors(response) -> list[str]:
    return [unescape(m).strip() for m in re.findall(r'class="field-error"[^>]*>([^<]*)<', response.get_data(as_text=True))]


def business(**overrides) -> dict:
    data = {
        "business_name": "Keripik Bu Sari",
        "owner_name": "Sari Wulandari",
        "whatsapp": "0812-3456-7890",
        "nib": NIB,
        "scale": "mikro",
        "is_koperasi": "tidak",
    }
    data.update(overrides)
    return data


def account(**overrides) -> dict:
    data = {"name": "Sari Wulandari", "email": "sari@contoh.id", "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD}
    data.update(overrides)
    return data


def location(**overrides) -> dict:
    data = {"kota": KOTA_TANGSEL, "kecamatan": KEC_PAMULANG, "kelurahan": KEL_BENDA_BARU,
            "street": "Jl. Merpati Raya No. 12", "rt": "3", "rw": "7"}
    data.update(overrides)
    return data


def tax(**overrides) -> dict:
    data = {"npwp": "", "is_pkp": "tidak", "bank": "BRI", "bank_other": "", "account_number": "0123 4567 8901",
            "account_name": "SARI WULANDARI"}
    data.update(overrides)
    return data


def log_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def fresh(model, ident):
    """The row as committed now (ends the test's own read transaction first)."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(model, ident)


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def audit_actions(object_type: str, object_id) -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id)).order_by(AuditEvent.id)))


def draft_seller(**kw) -> Seller:
    """A seller in the middle of the wizard: step 1 done, nothing after it."""
    kw.setdefault("kota", None)
    kw.setdefault("kecamatan", None)
    kw.setdefault("owner_name", "Sari Wulandari")  # the payout account must be in the owner's name
    return gen_seller(status="pending", submitted_at=None, **kw)


def complete_seller(**kw) -> Seller:
    """A seller who filled every step but has not sent the wizard yet."""
    kw.setdefault("owner_name", "Sari Wulandari")
    seller = gen_seller(status=kw.pop("status", "pending"), submitted_at=kw.pop("submitted_at", None),
                        address="Jl. Merpati Raya No. 12", bank_name="BRI", bank_account_number="012345678901",
                        bank_account_name="SARI WULANDARI", **kw)
    db.session.add(SellerDocument(seller=seller, kind="nib", number=seller.nib, file_key="d/contohnib.pdf"))
    db.session.flush()
    return seller


def png_bytes(size=(64, 64), color=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header (with a correct CRC) claims another size: a decompression bomb's shape."""
    data = bytearray(png_bytes((8, 8)))
    ihdr = bytes(data[12:16]) + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr))
    return bytes(data)


@pytest.fixture
def seller_client(app, client):
    """A client logged in as a seller who has finished step 1 only."""
    seller = draft_seller(business_name="Keripik Bu Sari", slug="keripik-bu-sari")
    db.session.commit()
    log_in(client, seller.user)
    client.seller_id = seller.id
    return client


# --- who may open the wizard ------------------------------------------------------------------


def test_first_step_shows_progress_help_and_pp7_limits_beside_each_scale(client):
    response = client.get("/penjual/daftar")

    page = text_of(response)
    assert response.status_code == 200
    assert "Langkah 1 dari 5" in page
    assert "NIB ada di dokumen OSS Anda, 13 angka." in page
    assert "Modal usaha maks. Rp1 miliar atau penjualan maks. Rp2 miliar setahun" in page
    assert "Rp1–5 miliar" in page and "Rp2–15 miliar" in page
    assert "Rp5–10 miliar" in page and "Rp15–50 miliar" in page
    html = response.get_data(as_text=True)
    assert re.search(r'<input[^>]*id="nib"[^>]*inputmode="numeric"|<input[^>]*inputmode="numeric"[^>]*id="nib"', html)
    assert 'autocomplete="new-password"' in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline script or style


def test_visitor_registers_account_and_business_on_the_first_step(client):
    response = client.post("/penjual/daftar", data={**account(), **business()})

    assert response.status_code == 302
    assert response.headers["Location"] == "/penjual/daftar/lokasi"
    user = db.session.scalars(select(User).where(User.email == "sari@contoh.id")).one()
    assert user.role == "seller" and user.check_password(NEW_PASSWORD)
    seller = user.seller
    assert (seller.status, seller.submitted_at) == ("pending", None)
    assert seller.slug == "keripik-bu-sari"
    assert seller.whatsapp == "+6281234567890"
    assert (seller.nib, seller.scale, seller.is_koperasi) == (NIB, "mikro", False)
    # Logged in straight away: the next step opens.
    assert client.get("/penjual/daftar/lokasi").status_code == 200


def test_koperasi_choice_is_saved(client):
    client.post("/penjual/daftar", data={**account(), **business(is_koperasi="ya", scale="kecil")})

    seller = db.session.scalars(select(Seller)).one()
    assert seller.is_koperasi is True and seller.scale == "kecil"


def test_shopper_who_opens_a_shop_becomes_a_seller_and_the_change_is_audited(app, client):
    shopper = gen_user(role="shopper")
    db.session.commit()
    log_in(client, shopper)

    page = text_of(client.get("/penjual/daftar"))
    assert "akan menjadi akun penjual" in page
    assert "Kata sandi" not in page  # no account fields for someone already logged in
    response = client.post("/penjual/daftar", data=business())

    assert response.headers["Location"] == "/penjual/daftar/lokasi"
    user = fresh(User, shopper.id)
    assert user.role == "seller"
    assert user.seller is not None and user.seller.nib == NIB
    assert "user.role_changed" in audit_actions("user", shopper.id)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.role_changed")).one()
    assert (event.before, event.after) == ({"role": "shopper"}, {"role": "seller"})


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_cannot_open_a_shop(app, client, role):
    user = gen_officer() if role == "officer" else gen_user(role="admin")
    db.session.commit()
    log_in(client, user)

    assert client.get("/penjual/daftar").status_code == 403
    assert client.post("/penjual/daftar", data=business()).status_code == 403
    assert count(Seller) == 0
    assert fresh(User, user.id).role == role


def test_seller_who_started_is_sent_to_the_next_unfinished_step(app, client):
    seller = draft_seller()
    db.session.commit()
    log_in(client, seller.user)
    assert client.get("/penjual/daftar").headers["Location"] == "/penjual/daftar/lokasi"

    seller = fresh(Seller, seller.id)
    seller.kota_code, seller.kecamatan_code, seller.address = KOTA_TANGSEL, KEC_PAMULANG, "Jl. Melati 1"
    db.session.commit()
    assert client.get("/penjual/daftar").headers["Location"] == "/penjual/daftar/pajak-rekening"

    seller = fresh(Seller, seller.id)
    seller.bank_name, seller.bank_account_number, seller.bank_account_name = "BCA", "1234567", "SARI"
    db.session.commit()
    assert client.get("/penjual/daftar").headers["Location"] == "/penjual/daftar/dokumen"

    db.session.add(SellerDocument(seller_id=seller.id, kind="nib", number=seller.nib, file_key="d/x.pdf"))
    db.session.commit()
    assert client.get("/penjual/daftar").headers["Location"] == "/penjual/daftar/periksa"
    # ?ubah=1 opens step 1 again to correct it, filled in.
    page = client.get("/penjual/daftar?ubah=1").get_data(as_text=True)
    assert f'value="{seller.nib}"' in page


def test_verified_seller_is_sent_from_the_wizard_to_the_dashboard_and_profile(app, client):
    seller = complete_seller(status="verified")
    db.session.commit()
    log_in(client, seller.user)

    assert client.get("/penjual/daftar").headers["Location"] == "/penjual"
    assert client.get("/penjual/daftar/lokasi").headers["Location"] == "/penjual/profil"
    assert client.get("/penjual/daftar/periksa").headers["Location"] == "/penjual"


def test_anonymous_visitor_is_sent_to_log_in_from_later_steps(client):
    for path in ("/penjual/daftar/lokasi", "/penjual/daftar/pajak-rekening", "/penjual/daftar/dokumen",
                 "/penjual/daftar/periksa", "/penjual/profil", "/penjual/dokumen"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/masuk"), path


# --- step 1: bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nib", "12345", "NIB harus 13 digit angka."),
        ("nib", "12345678901234", "NIB harus 13 digit angka."),
        ("nib", "12345678901AB", "NIB harus 13 digit angka."),
        ("whatsapp", "021-555-1234", "Nomor WhatsApp harus nomor HP Indonesia"),
        ("whatsapp", "bukan nomor", "Nomor WhatsApp harus nomor HP Indonesia"),
        ("scale", "raksasa", "Pilih skala usaha"),
        ("business_name", "   ", "Nama usaha wajib diisi."),
    ],
)
def test_bad_business_data_is_refused_on_the_form_and_nothing_is_created(client, field, value, message):
    response = client.post("/penjual/daftar", data={**account(), **business(**{field: value})})

    assert response.status_code == 200
    assert any(message in error for error in field_errors(response)), field_errors(response)
    assert count(User) == 0 and count(Seller) == 0
    # What was typed is kept.
    assert 'value="sari@contoh.id"' in response.get_data(as_text=True)


def test_duplicate_nib_is_refused_with_message_and_no_account_is_created(app, client):
    gen_seller(nib=NIB)
    db.session.commit()
    users_before = count(User)

    response = client.post("/penjual/daftar", data={**account(), **business(nib="1234-5678-9012-3")})

    assert "NIB ini sudah terdaftar." in field_errors(response)
    assert count(User) == users_before and count(Seller) == 1


def test_duplicate_nib_is_refused_for_a_shopper_who_stays_a_shopper(app, client):
    gen_seller(nib=NIB)
    shopper = gen_user(role="shopper")
    db.session.commit()
    log_in(client, shopper)

    response = client.post("/penjual/daftar", data=business())

    assert "NIB ini sudah terdaftar." in field_errors(response)
    assert fresh(User, shopper.id).role == "shopper"


def test_registered_email_is_refused_with_a_hint_to_log_in(app, client):
    gen_user(email="sari@contoh.id")
    db.session.commit()

    response = client.post("/penjual/daftar", data={**account(), **business()})

    assert any("Email ini sudah terdaftar" in e for e in field_errors(response))
    assert count(Seller) == 0


def test_weak_password_is_refused(client):
    response = client.post("/penjual/daftar", data={**account(password="12345678", password_confirm="12345678"),
                                                    **business()})
    assert any("Kata sandi" in e for e in field_errors(response))
    assert count(User) == 0


def test_same_business_name_gets_a_unique_slug(app, client):
    gen_seller(slug="keripik-bu-sari")
    db.session.commit()

    client.post("/penjual/daftar", data={**account(), **business()})

    db.session.rollback()
    assert db.session.scalars(select(Seller.slug).where(Seller.nib == NIB)).one() == "keripik-bu-sari-2"


# --- step 2: location ---------------------------------------------------------------------------


def test_location_works_without_javascript_by_posting_the_chosen_kota_then_kecamatan(seller_client):
    page = seller_client.get("/penjual/daftar/lokasi").get_data(as_text=True)
    assert "Langkah 2 dari 5" in page and "Pilih kecamatan" in page
    assert 'value="36.74.06"' not in page  # no kecamatan before a kota is chosen

    response = seller_client.post("/penjual/daftar/lokasi", data={"kota": KOTA_TANGSEL, "street": "Jl. Kenanga 3",
                                                                  "pilih": "pilih-kota"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<option[^>]*value="36.74.06"[^>]*>Pamulang</option>', html)
    assert KEC_BALARAJA not in html  # only Tangerang Selatan's kecamatan
    assert 'value="Jl. Kenanga 3"' in html  # typed values are kept
    assert fresh(Seller, seller_client.seller_id).kota_code is None  # nothing saved yet

    response = seller_client.post("/penjual/daftar/lokasi", data={"kota": KOTA_TANGSEL, "kecamatan": KEC_PAMULANG,
                                                                  "pilih": "pilih-kecamatan"})
    html = response.get_data(as_text=True)
    assert re.search(r'<option[^>]*value="36.74.06.1002"[^>]*>Benda Baru</option>', html)
    assert re.search(r'<option selected value="36.74.06"|<option[^>]*value="36.74.06"[^>]*selected', html)


def test_location_step_saves_region_and_address_then_goes_to_step_three(seller_client):
    response = seller_client.post("/penjual/daftar/lokasi", data=location())

    assert response.headers["Location"] == "/penjual/daftar/pajak-rekening"
    seller = fresh(Seller, seller_client.seller_id)
    assert (seller.kota_code, seller.kecamatan_code, seller.kelurahan_code) == (
        KOTA_TANGSEL, KEC_PAMULANG, KEL_BENDA_BARU)
    assert seller.address == "Jl. Merpati Raya No. 12, RT 003/RW 007"
    # Coming back shows what was saved, RT/RW split out again.
    html = seller_client.get("/penjual/daftar/lokasi").get_data(as_text=True)
    assert 'value="Jl. Merpati Raya No. 12"' in html and 'value="003"' in html and 'value="007"' in html


def test_kelurahan_may_be_left_empty(seller_client):
    response = seller_client.post("/penjual/daftar/lokasi", data=location(kelurahan=""))
    assert response.status_code == 302
    assert fresh(Seller, seller_client.seller_id).kelurahan_code is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kecamatan": KEC_BALARAJA}, "Kecamatan yang dipilih tidak ada di Kota Tangerang Selatan"),
        ({"kecamatan": "99.99.99"}, "Kecamatan yang dipilih tidak ada"),
        ({"kelurahan": "36.74.01.1001"}, "Kelurahan/desa yang dipilih tidak ada di Kecamatan Pamulang"),
        ({"kota": "36.74.06"}, "Pilih kota atau kabupaten dari daftar."),
        ({"street": ""}, "Alamat jalan wajib diisi."),
        ({"rt": "12a"}, "Tulis angka saja"),
    ],
)
def test_forged_or_missing_location_is_refused_and_nothing_saved(seller_client, overrides, message):
    response = seller_client.post("/penjual/daftar/lokasi", data=location(**overrides))

    assert response.status_code == 200
    assert any(message in e for e in field_errors(response)), field_errors(response)
    seller = fresh(Seller, seller_client.seller_id)
    assert (seller.kota_code, seller.kecamatan_code, seller.address) == (None, None, "")


# --- step 3: tax and bank -------------------------------------------------------------------------


def test_tax_and_bank_step_saves_and_goes_to_documents(seller_client):
    response = seller_client.post("/penjual/daftar/pajak-rekening",
                                  data=tax(npwp="01.234.567.8-901.000", is_pkp="ya"))

    assert response.headers["Location"] == "/penjual/daftar/dokumen"
    seller = fresh(Seller, seller_client.seller_id)
    assert (seller.npwp, seller.is_pkp) == ("0012345678901000", True)
    assert (seller.bank_name, seller.bank_account_number, seller.bank_account_name) == (
        "BRI", "012345678901", "SARI WULANDARI")


def test_bank_is_saved_from_the_list_and_shown_again(seller_client):
    seller_client.post("/penjual/daftar/pajak-rekening", data=tax(bank="Bank DKI"))

    assert fresh(Seller, seller_client.seller_id).bank_name == "Bank DKI"
    html = seller_client.get("/penjual/daftar/pajak-rekening").get_data(as_text=True)
    assert '<option selected value="Bank DKI">' in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"npwp": "12345678901"}, "NPWP harus 16 digit angka"),
        ({"npwp": "", "is_pkp": "ya"}, "Status PKP hanya untuk usaha yang punya NPWP"),
        ({"account_number": "12345"}, "Nomor rekening harus 6–20 digit angka."),
        ({"account_number": "0123-ABCD-99"}, "Nomor rekening harus 6–20 digit angka."),
        ({"bank": "Bank Palsu"}, "Pilih bank dari daftar."),
        ({"bank": "lainnya"}, "Pilih bank dari daftar."),
        ({"account_name": "Budi Santoso"}, "Nama pemilik rekening harus sama dengan nama usaha"),
        ({"account_name": ""}, "Nama pemilik rekening wajib diisi."),
    ],
)
def test_bad_tax_or_bank_data_is_refused_and_nothing_saved(seller_client, overrides, message):
    response = seller_client.post("/penjual/daftar/pajak-rekening", data=tax(**overrides))

    assert response.status_code == 200
    assert any(message in e for e in field_errors(response)), field_errors(response)
    seller = fresh(Seller, seller_client.seller_id)
    assert (seller.npwp, seller.bank_account_number) == (None, None)


# --- step 5: review and submission ---------------------------------------------------------------


def test_review_lists_what_is_missing_with_links_and_refuses_to_submit(seller_client):
    page = seller_client.get("/penjual/daftar/periksa")
    html = page.get_data(as_text=True)

    assert "Langkah 5 dari 5" in text_of(page)
    assert 'href="/penjual/daftar/lokasi"' in html and 'href="/penjual/daftar/pajak-rekening"' in html
    response = seller_client.post("/penjual/daftar/periksa")
    assert "Masih ada yang perlu dilengkapi" in text_of(response)
    assert fresh(Seller, seller_client.seller_id).submitted_at is None


def test_submitting_sets_submitted_at_audits_and_notifies_every_admin(app, client):
    seller = complete_seller()
    admins = [gen_user(role="admin"), gen_user(role="admin")]
    gen_user(role="admin", active=False)
    db.session.commit()
    log_in(client, seller.user)

    response = client.post("/penjual/daftar/periksa")

    assert response.headers["Location"] == "/penjual/daftar/periksa"
    assert fresh(Seller, seller.id).submitted_at is not None
    assert "seller.submitted" in audit_actions("seller", seller.id)
    notes = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
    assert [n.user_id for n in notes] == [a.id for a in admins]
    assert all(n.link == f"/admin/penjual/{seller.id}" for n in notes)
    outbox = app.extensions.get("mail_outbox", [])
    assert {m["to"] for m in outbox} >= {a.email for a in admins}
    page = text_of(client.get("/penjual/daftar/periksa"))
    assert "Menunggu verifikasi" in page and "Kelengkapan profil" in page
    assert "Kirim untuk verifikasi" not in page


def test_submitting_twice_is_refused_without_a_second_notification(app, client):
    seller = complete_seller(submitted_at=utcnow())
    gen_user(role="admin")
    db.session.commit()
    log_in(client, seller.user)

    client.post("/penjual/daftar/periksa")

    assert count(Notification) == 0


def test_rejected_seller_sees_the_reason_fixes_and_resubmits(app, client):
    seller = complete_seller(status="rejected", submitted_at=utcnow(),
                             status_reason="Foto NIB tidak terbaca, mohon unggah ulang.")
    gen_user(role="admin")
    db.session.commit()
    log_in(client, seller.user)

    page = text_of(client.get("/penjual/daftar/periksa"))
    assert "Foto NIB tidak terbaca, mohon unggah ulang." in page
    assert "Kirim ulang untuk verifikasi" in page

    client.post("/penjual/daftar/periksa")

    seller = fresh(Seller, seller.id)
    assert seller.status == "pending" and seller.status_reason is None
    assert audit_actions("seller", seller.id)[-2:] == ["seller.pending", "seller.submitted"]
    assert count(Notification) == 1


# --- profile ------------------------------------------------------------------------------------


def profile_form(seller: Seller, **overrides) -> dict:
    data = {
        **business(business_name=seller.business_name, owner_name=seller.owner_name, nib=seller.nib,
                   whatsapp=seller.whatsapp, scale=seller.scale),
        **location(kelurahan=""), **tax(),
        "description": "Keripik singkong renyah buatan rumah.", "low_stock_threshold": "5",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["shopper", "officer", "admin"])
def test_profile_and_documents_are_forbidden_to_other_roles(app, client, role):
    user = gen_officer() if role == "officer" else gen_user(role=role)
    db.session.commit()
    log_in(client, user)

    assert client.get("/penjual/profil").status_code == 403
    assert client.post("/penjual/profil", data={"business_name": "x"}).status_code == 403
    assert client.get("/penjual/dokumen").status_code == 403


def test_seller_without_a_profile_is_sent_to_step_one(app, client):
    user = gen_user(role="seller")
    db.session.commit()
    log_in(client, user)

    assert client.get("/penjual/profil").headers["Location"] == "/penjual/daftar"


def test_profile_saves_everything_and_sanitises_the_description(app, client):
    seller = complete_seller(business_name="Keripik Bu Sari", slug="keripik-bu-sari")
    db.session.commit()
    log_in(client, seller.user)

    response = client.post("/penjual/profil", data=profile_form(
        seller, description='<p>Renyah</p><script>alert(1)</script><img src=x onerror="alert(2)">',
        low_stock_threshold="12", whatsapp="+62 857 1111 2222", npwp="1234567890123456"))

    assert response.headers["Location"] == "/penjual/profil"
    seller = fresh(Seller, seller.id)
    assert seller.description == "<p>Renyah</p>"
    assert (seller.low_stock_threshold, seller.whatsapp, seller.npwp) == (12, "+6285711112222", "1234567890123456")


def test_renaming_a_verified_seller_moves_the_slug_and_keeps_the_old_one(app, client):
    seller = complete_seller(status="verified", business_name="Keripik Bu Sari", slug="keripik-bu-sari")
    db.session.commit()
    log_in(client, seller.user)

    client.post("/penjual/profil", data=profile_form(seller, business_name="Keripik Sari Rasa"))

    seller = fresh(Seller, seller.id)
    assert (seller.business_name, seller.slug) == ("Keripik Sari Rasa", "keripik-sari-rasa")
    redirect_row = db.session.scalars(select(SellerSlugRedirect)).one()
    assert (redirect_row.slug, redirect_row.seller_id) == ("keripik-bu-sari", seller.id)
    # A new seller cannot take the old address: it keeps pointing at this shop.
    other = gen_user(role="shopper")
    db.session.commit()
    other_client = app.test_client()
    log_in(other_client, other)
    other_client.post("/penjual/daftar", data=business(business_name="Keripik Bu Sari", nib="9999999999999"))
    db.session.rollback()
    assert db.session.scalars(select(Seller.slug).where(Seller.nib == "9999999999999")).one() == "keripik-bu-sari-2"


def test_changing_nib_or_scale_of_a_verified_seller_is_recorded_with_before_and_after(app, client):
    seller = complete_seller(status="verified", nib="1111111111111", scale="mikro")
    db.session.commit()
    log_in(client, seller.user)

    client.post("/penjual/profil", data=profile_form(seller, nib="2222222222222", scale="kecil"))

    seller = fresh(Seller, seller.id)
    assert (seller.nib, seller.scale, seller.status) == ("2222222222222", "kecil", "verified")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "seller.identity_changed")).one()
    assert event.before == {"nib": "1111111111111", "scale": "mikro"}
    assert event.after == {"nib": "2222222222222", "scale": "kecil"}
    assert event.actor_id == seller.user_id


def test_profile_refuses_another_sellers_nib(app, client):
    gen_seller(nib=NIB)
    seller = complete_seller()
    db.session.commit()
    log_in(client, seller.user)

    response = client.post("/penjual/profil", data=profile_form(seller, nib=NIB, description="Baru"))

    assert "NIB ini sudah terdaftar." in field_errors(response)
    assert fresh(Seller, seller.id).description == ""


def test_logo_and_banner_are_stored_as_renditions(app, client):
    seller = complete_seller()
    db.session.commit()
    log_in(client, seller.user)

    response = client.post("/penjual/profil", data={
        **profile_form(seller), "logo": (io.BytesIO(png_bytes()), "logo.png"),
        "banner": (io.BytesIO(png_bytes((1200, 400))), "sampul.png"),
    }, content_type="multipart/form-data")

    assert response.status_code == 302
    seller = fresh(Seller, seller.id)
    assert seller.logo_key and seller.banner_key
    assert storage.exists(f"p/{seller.logo_key}-320.webp") and storage.exists(f"p/{seller.banner_key}-960.jpg")
    with client.get(f"/media/p/{seller.logo_key}-320.webp") as media:
        assert media.status_code == 200


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (MINIMAL_PDF, "logo.jpg", "Berkas bukan foto yang valid"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg",
         "Berkas bukan foto yang valid"),
        (png_claiming(20_000, 20_000), "besar.png", "Foto terlalu besar"),
    ],
    ids=["pdf-renamed-jpg", "svg-with-script", "20000x20000"],
)
def test_bad_logo_is_refused_and_nothing_changes(app, client, content, name, message):
    seller = complete_seller()
    db.session.commit()
    log_in(client, seller.user)

    response = client.post("/penjual/profil", data={
        **profile_form(seller, description="Deskripsi baru"), "logo": (io.BytesIO(content), name),
    }, content_type="multipart/form-data")

    assert response.status_code == 200
    assert any(message in e for e in field_errors(response)), field_errors(response)
    seller = fresh(Seller, seller.id)
    assert seller.logo_key is None and seller.description == ""


# --- CSRF ---------------------------------------------------------------------------------------


def test_posts_without_csrf_token_change_nothing_when_csrf_is_on(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        seller = complete_seller(business_name="Keripik Bu Sari")
        seller_id, user = seller.id, seller.user
        db.session.commit()
        log_in(client, user)

        anonymous = app.test_client()
        response = anonymous.post("/penjual/daftar", data={**account(), **business(nib="5555555555555")})
        assert "Formulir sudah kedaluwarsa atau tidak sah" in text_of(response)
        assert 'value="sari@contoh.id"' in response.get_data(as_text=True)  # typed values kept

        client.post("/penjual/profil", data=profile_form(seller, business_name="Nama Palsu"))
        client.post("/penjual/daftar/periksa")
        client.post("/penjual/daftar/lokasi", data=location(street="Jl. Palsu"))

        seller = fresh(Seller, seller_id)
        assert seller.business_name == "Keripik Bu Sari" and seller.submitted_at is None
        assert seller.address == "Jl. Merpati Raya No. 12"
        assert db.session.scalar(select(func.count(User.id)).where(User.email == "sari@contoh.id")) == 0

        # With the page's token the same post goes through.
        token = csrf_token_from(client.get("/penjual/profil").get_data(as_text=True))
        response = client.post("/penjual/profil", data={**profile_form(seller, business_name="Nama Baru"),
                                                        "csrf_token": token})
        assert response.status_code == 302
        assert fresh(Seller, seller_id).business_name == "Nama Baru"


def test_login_form_password_still_works_for_a_seller_registered_in_the_wizard(client, auth):
    client.post("/penjual/daftar", data={**account(), **business()})
    client.post("/keluar")

    assert auth.login("sari@contoh.id", PASSWORD).status_code == 200  # wrong password: the form again
    assert auth.login("sari@contoh.id", NEW_PASSWORD).status_code == 302
