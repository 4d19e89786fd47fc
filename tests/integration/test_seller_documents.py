"""Seller documents (the NIB proof and certificates) in the wizard and on /penjual/dokumen:
upload checked by content, statuses by expiry, private downloads for the owner only, deletion."""

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from PIL import Image
from sqlalchemy import select

from catalog import storage
from catalog.extensions import db
from catalog.models import SellerDocument
from catalog.models.base import utcnow
from tests.conftest import csrf_token_from
from tests.factories import gen_officer, gen_seller, gen_user

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
PDF_WITH_JAVASCRIPT = MINIMAL_PDF.replace(
    b"trailer", b"2 0 obj<< /S /JavaScript /JS (app.alert(1)) >>endobj\ntrailer")
HALAL_NUMBER = "ID32110000123450923"


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def field_errors(response) -> list[str]:
    return [unescape(m).strip() for m in re.findall(r'class="field-error"[^>]*>([^<]*)<', response.get_data(as_text=True))]


def log_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def documents_of(seller_id) -> list[SellerDocument]:
    db.session.rollback()
    return list(db.session.scalars(select(SellerDocument).where(SellerDocument.seller_id == seller_id)
                                   .order_by(SellerDocument.id)))


def stored_files(app) -> list[str]:
    root = storage.path_for("d/x").parent
    return sorted(p.name for p in root.glob("*")) if root.exists() else []


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (230, 230, 220)).save(buffer, "JPEG")
    return buffer.getvalue()


def nib_upload(content=MINIMAL_PDF, name="nib.pdf") -> dict:
    return {"unggah": "nib", "nib-file": (io.BytesIO(content), name)}


def certificate(**overrides) -> dict:
    data = {"unggah": "sertifikat", "cert-kind": "halal", "cert-number": HALAL_NUMBER, "cert-issuer": "BPJPH",
            "cert-expires_on": (utcnow().date() + timedelta(days=365)).isoformat(),
            "cert-file": (io.BytesIO(MINIMAL_PDF), "halal.pdf")}
    data.update(overrides)
    return data


def post_multipart(client, path, data):
    return client.post(path, data=data, content_type="multipart/form-data")


@pytest.fixture
def seller(app):
    seller = gen_seller(status="pending", submitted_at=None)
    db.session.commit()
    return seller


@pytest.fixture
def seller_client(app, client, seller):
    log_in(client, seller.user)
    return client


# --- uploads -----------------------------------------------------------------------------------


def test_nib_document_uploaded_in_the_wizard_is_listed_and_stored_privately(app, seller_client, seller):
    response = post_multipart(seller_client, "/penjual/daftar/dokumen", nib_upload())

    assert response.headers["Location"] == "/penjual/daftar/dokumen"
    [document] = documents_of(seller.id)
    assert (document.kind, document.number) == ("nib", seller.nib)
    assert document.file_key.startswith("d/") and document.file_key.endswith(".pdf")
    assert storage.path_for(document.file_key).read_bytes() == MINIMAL_PDF
    page = text_of(seller_client.get("/penjual/daftar/dokumen"))
    assert "Langkah 4 dari 5" in page and "Dokumen NIB" in page and "Berlaku" in page
    # Never reachable through the public media route.
    assert seller_client.get(f"/media/{document.file_key}").status_code == 404


def test_photo_of_the_nib_is_accepted_and_re_encoded(seller_client, seller):
    post_multipart(seller_client, "/penjual/dokumen", nib_upload(jpeg_bytes(), "foto-nib.jpg"))

    [document] = documents_of(seller.id)
    assert document.file_key.endswith(".jpg")


def test_a_new_nib_upload_replaces_the_old_one_and_its_file(app, seller_client, seller):
    post_multipart(seller_client, "/penjual/dokumen", nib_upload())
    [old] = documents_of(seller.id)
    old_id, old_key = old.id, old.file_key

    post_multipart(seller_client, "/penjual/dokumen", nib_upload(jpeg_bytes(), "nib.jpg"))

    [new] = documents_of(seller.id)
    assert new.id != old_id and new.file_key != old_key
    assert not storage.exists(old_key) and storage.exists(new.file_key)


def test_several_certificates_can_be_added_one_form_at_a_time(seller_client, seller):
    post_multipart(seller_client, "/penjual/daftar/dokumen", certificate())
    post_multipart(seller_client, "/penjual/daftar/dokumen", certificate(**{
        "cert-kind": "pirt", "cert-number": "2053674010123-24", "cert-issuer": "Dinkes Tangsel",
        "cert-file": (io.BytesIO(jpeg_bytes()), "pirt.jpg")}))

    kinds = [(d.kind, d.number, d.issuer) for d in documents_of(seller.id)]
    assert kinds == [("halal", HALAL_NUMBER, "BPJPH"), ("pirt", "2053674010123-24", "Dinkes Tangsel")]


def test_certificate_without_expiry_date_is_accepted(seller_client, seller):
    post_multipart(seller_client, "/penjual/dokumen", certificate(**{"cert-expires_on": ""}))

    [document] = documents_of(seller.id)
    assert document.expires_on is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cert-expires_on": (utcnow().date() - timedelta(days=1)).isoformat()}, "Tanggal berlaku sudah lewat"),
        ({"cert-expires_on": "31-31-2026"}, "Tanggal tidak valid"),
        ({"cert-file": (io.BytesIO(PDF_WITH_JAVASCRIPT), "halal.pdf")}, "PDF berisi skrip"),
        ({"cert-file": (io.BytesIO(b"<html><script>alert(1)</script></html>"), "halal.pdf")},
         "Berkas harus berupa PDF atau foto"),
        ({"cert-file": (io.BytesIO(b""), "")}, "Pilih berkas dokumennya"),
        ({"cert-kind": "ijazah"}, "Pilih jenis dokumen dari daftar."),
        ({"cert-number": ""}, "Nomor dokumen wajib diisi."),
        ({"cert-kind": "pirt", "cert-number": "PIRT-123"}, "Nomor P-IRT berisi paling sedikit 15 angka."),
    ],
    ids=["expired", "bad-date", "pdf-javascript", "html", "no-file", "unknown-kind", "no-number", "short-pirt"],
)
def test_bad_certificate_is_refused_with_message_and_nothing_is_stored(app, seller_client, seller, overrides,
                                                                       message):
    response = post_multipart(seller_client, "/penjual/dokumen", certificate(**overrides))

    assert response.status_code == 200
    assert any(message in e for e in field_errors(response)), field_errors(response)
    assert documents_of(seller.id) == []
    assert stored_files(app) == []
    # What was typed stays in the form.
    assert "BPJPH" in response.get_data(as_text=True)


def test_nib_pdf_with_javascript_is_refused(app, seller_client, seller):
    response = post_multipart(seller_client, "/penjual/daftar/dokumen", nib_upload(PDF_WITH_JAVASCRIPT))

    assert any("PDF berisi skrip" in e for e in field_errors(response))
    assert documents_of(seller.id) == [] and stored_files(app) == []


# --- statuses ------------------------------------------------------------------------------------


def test_documents_page_shows_valid_expiring_and_expired_certificates(app, seller_client, seller):
    today = utcnow().date()
    for number, expires in (("A-1", today + timedelta(days=200)), ("B-2", today + timedelta(days=10)),
                            ("C-3", today - timedelta(days=3))):
        db.session.add(SellerDocument(seller_id=seller.id, kind="sni", number=number, expires_on=expires,
                                      file_key=None))
    db.session.commit()

    page = text_of(seller_client.get("/penjual/dokumen"))

    assert re.search(r"SNI Berlaku Nomor: A-1", page)
    assert re.search(r"SNI Segera kedaluwarsa Nomor: B-2", page)
    assert re.search(r"SNI Kedaluwarsa Nomor: C-3", page)


# --- downloads and deletion ----------------------------------------------------------------------


def test_owner_downloads_the_file_as_a_private_attachment(seller_client, seller):
    post_multipart(seller_client, "/penjual/dokumen", nib_upload())
    [document] = documents_of(seller.id)

    with seller_client.get(f"/penjual/dokumen/{document.id}/berkas") as response:
        assert response.status_code == 200
        assert response.data == MINIMAL_PDF
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "private" in response.headers["Cache-Control"]


def test_another_sellers_document_cannot_be_downloaded_or_deleted(app, client, seller):
    document = SellerDocument(seller_id=seller.id, kind="halal", number="H-1", file_key="d/milikoranglain.pdf")
    db.session.add(document)
    storage.save_bytes("d/milikoranglain.pdf", MINIMAL_PDF)
    intruder = gen_seller(status="verified")
    db.session.commit()
    log_in(client, intruder.user)

    assert client.get(f"/penjual/dokumen/{document.id}/berkas").status_code == 404
    assert client.post(f"/penjual/dokumen/{document.id}/hapus").status_code == 404
    assert client.get("/penjual/dokumen/999999/berkas").status_code == 404
    assert [d.id for d in documents_of(seller.id)] == [document.id]
    assert storage.exists("d/milikoranglain.pdf")


@pytest.mark.parametrize("role", ["shopper", "officer"])
def test_other_roles_cannot_download_a_sellers_document(app, client, seller, role):
    document = SellerDocument(seller_id=seller.id, kind="nib", number=seller.nib, file_key="d/nibsaja.pdf")
    db.session.add(document)
    user = gen_officer() if role == "officer" else gen_user(role="shopper")
    db.session.commit()
    log_in(client, user)

    assert client.get(f"/penjual/dokumen/{document.id}/berkas").status_code == 403
    assert client.post(f"/penjual/dokumen/{document.id}/hapus").status_code == 403


def test_owner_deletes_a_document_and_its_file(app, seller_client, seller):
    post_multipart(seller_client, "/penjual/daftar/dokumen", certificate())
    [document] = documents_of(seller.id)
    key = document.file_key
    assert storage.exists(key)

    response = seller_client.post(f"/penjual/dokumen/{document.id}/hapus", data={"next": "/penjual/daftar/dokumen"})

    assert response.headers["Location"] == "/penjual/daftar/dokumen"
    assert documents_of(seller.id) == [] and not storage.exists(key)


def test_delete_never_redirects_off_site(seller_client, seller):
    post_multipart(seller_client, "/penjual/dokumen", certificate())
    [document] = documents_of(seller.id)

    response = seller_client.post(f"/penjual/dokumen/{document.id}/hapus", data={"next": "//evil.example/"})

    assert response.headers["Location"] == "/penjual/dokumen"


def test_delete_without_csrf_token_changes_nothing_when_csrf_is_on(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        seller = gen_seller(status="pending")
        document = SellerDocument(seller_id=seller.id, kind="halal", number="H-1", file_key=None)
        db.session.add(document)
        db.session.commit()
        log_in(client, seller.user)

        client.post(f"/penjual/dokumen/{document.id}/hapus")
        response = client.post("/penjual/dokumen", data=certificate(), content_type="multipart/form-data")
        assert "Formulir sudah kedaluwarsa atau tidak sah" in text_of(response)
        assert [d.id for d in documents_of(seller.id)] == [document.id]

        token = csrf_token_from(client.get("/penjual/dokumen").get_data(as_text=True))
        client.post(f"/penjual/dokumen/{document.id}/hapus", data={"csrf_token": token})
        assert documents_of(seller.id) == []


def test_documents_page_lists_in_a_bounded_number_of_queries(app, seller_client, seller):
    from tests.querycount import count_queries

    for n in range(12):
        db.session.add(SellerDocument(seller_id=seller.id, kind="sni", number=f"SNI-{n}", file_key=None))
    db.session.commit()

    with count_queries(app) as queries:
        assert seller_client.get("/penjual/dokumen").status_code == 200
    assert queries.count <= 8, queries

