"""Hostile files on every upload: product photos, seller documents, the transfer proof, the
officer's letter, the seller's logo and the CSV import. Polyglots, HTML named .jpg, SVG with a
script, decompression bombs, empty files and files over MAX_CONTENT_LENGTH are refused with an
Indonesian message and nothing is saved; path-traversal names never choose where a file lands;
what is served carries a fixed, safe Content-Type and nosniff."""

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from catalog.extensions import db
from catalog.models import OfficerMembership, ProductImage, SellerDocument
from catalog.services import cart, checkout, sellers
from catalog.services.errors import ValidationFailed
from tests.admin_accounts_factories import log_in
from tests.console_factories import VALID_NIP
from tests.factories import gen_address, gen_agency, gen_product, gen_seller, gen_user
from tests.security.attack_payloads import (
    HOSTILE_FILES,
    HTML_PAYLOAD,
    MINIMAL_PDF,
    POLYGLOT_JPEG,
    REFUSALS,
    TRAVERSAL_NAMES,
    files_under,
    jpeg_bytes,
    page_text,
)

MAX_CONTENT = 512 * 1024
SAFE_IMAGE_TYPES = {"image/jpeg", "image/webp", "image/png"}


@dataclass
class Endpoint:
    path: str
    data: Callable[[str, bytes], dict]  # the form for one file (name, bytes)
    saved: Callable[[], int]  # how many rows hold an upload


@pytest.fixture
def world(make_app):
    """One app (MAX_CONTENT_LENGTH 512 KiB) with a seller, a product, a pending transfer and an
    open agency; a logged-in client for each upload."""
    app = make_app(MAX_CONTENT_LENGTH=MAX_CONTENT)
    with app.app_context():
        seller = gen_seller(status="pending", submitted_at=None)
        product = gen_product(seller=seller)
        shopper = gen_user(name="Siti Rahma")
        db.session.commit()
        on_sale = gen_product()
        db.session.commit()
        cart.add_item(user_id=shopper.id, token=None, variant_id=on_sale.variants[0].id, quantity=1)
        address = gen_address(shopper)
        the_cart = cart.cart_for(user_id=shopper.id)
        group = checkout.place_order(user=shopper, cart=the_cart, address=address, chosen={}, method="transfer",
                                     expected_total=checkout.quote(the_cart, address).total,
                                     checkout_token=checkout.new_checkout_token())
        applicant = gen_user(name="Calon Pejabat")
        agency = gen_agency()
        db.session.commit()
        ids = {"product": product.id, "seller": seller.id, "group": group.number, "payment": group.payment.id,
               "agency": agency.id}
        users = {"seller": seller.user, "shopper": shopper, "applicant": applicant}
        clients = {}
        for role, user in users.items():
            clients[role] = app.test_client()
            log_in(clients[role], user)

    def count(model, *where):
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

    def proof_saved():
        from catalog.models import Payment

        with app.app_context():
            return int(bool(db.session.get(Payment, ids["payment"]).proof_key))

    endpoints = {
        "photos": ("seller", Endpoint(
            f"/penjual/produk/{ids['product']}/foto", lambda name, data: {"photos": [(io.BytesIO(data), name)]},
            lambda: count(ProductImage, ProductImage.product_id == ids["product"]))),
        "documents": ("seller", Endpoint(
            "/penjual/dokumen", lambda name, data: {"unggah": "nib", "nib-file": (io.BytesIO(data), name)},
            lambda: count(SellerDocument, SellerDocument.seller_id == ids["seller"]))),
        "transfer_proof": ("shopper", Endpoint(
            f"/pesanan/{ids['group']}/bukti-transfer", lambda name, data: {"proof": (io.BytesIO(data), name)},
            proof_saved)),
        "officer_letter": ("applicant", Endpoint(
            "/pengadaan/daftar", lambda name, data: {"agency_id": str(ids["agency"]), "duty": "pejabat_pengadaan",
                                                     "employee_number": VALID_NIP, "letter": (io.BytesIO(data), name)},
            lambda: count(OfficerMembership))),
    }
    return app, clients, endpoints, ids


ENDPOINTS = ["photos", "documents", "transfer_proof", "officer_letter"]


def multipart(client, path, fields: dict):
    """A real multipart upload encoded in memory (the test client would spool a large body to a
    temporary file it never closes)."""
    def as_file(value):
        return FileStorage(value[0], filename=value[1]) if isinstance(value, tuple) else value

    boundary, body = encode_multipart(
        {key: [as_file(v) for v in value] if isinstance(value, list) else as_file(value) for key, value in fields.items()})
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def post(world, which, name, data):
    app, clients, endpoints, _ids = world
    role, endpoint = endpoints[which]
    return multipart(clients[role], endpoint.path, endpoint.data(name, data))


def saved(world, which) -> int:
    return world[2][which][1].saved()


@pytest.mark.parametrize("which", ENDPOINTS)
def test_hostile_files_are_refused_with_a_message_and_nothing_is_saved(world, which):
    app = world[0]
    assert saved(world, which) == 0
    problems = []
    for kind, (name, data) in HOSTILE_FILES.items():
        response = post(world, which, name, data)
        text = page_text(response)
        if response.status_code not in (200, 400) or not any(refusal in text for refusal in REFUSALS):
            problems.append((kind, response.status_code, text[:200]))
        if saved(world, which) or files_under(app.config["UPLOAD_DIR"]):
            problems.append((kind, "saved"))
    assert not problems


@pytest.mark.parametrize("which", ENDPOINTS)
def test_a_file_over_the_request_limit_is_refused_with_413_and_nothing_is_saved(world, which):
    app = world[0]
    big = jpeg_bytes() + b"\x00" * (MAX_CONTENT + 1)
    response = post(world, which, "besar.jpg", big)
    assert response.status_code == 413
    assert "Berkas terlalu besar" in page_text(response)
    assert saved(world, which) == 0 and files_under(app.config["UPLOAD_DIR"]) == []


@pytest.mark.parametrize("which", ENDPOINTS)
@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_a_path_traversal_name_never_chooses_where_the_file_lands(world, tmp_path, which, name):
    app = world[0]
    before = set(files_under(tmp_path))
    response = post(world, which, name, jpeg_bytes())
    assert response.status_code == 302, page_text(response)[:300]
    assert saved(world, which) == 1
    root = app.config["UPLOAD_DIR"]
    stored = files_under(root)
    assert stored
    for path in stored:
        assert path.resolve().is_relative_to(tmp_path.joinpath("uploads").resolve())
        assert not {"passwd", "etc", "x", ".."} & set(path.stem.split("-") + list(path.parts[-2:]))
        assert path.suffix in (".jpg", ".webp", ".pdf")
    # Nothing appeared anywhere else under the test's folder (the uploads folder's parent).
    outside = [p for p in set(files_under(tmp_path)) - before if not p.resolve().is_relative_to(
        tmp_path.joinpath("uploads").resolve()) and p.parent.name != "search-index"]
    assert outside == []


def test_served_product_photos_have_an_image_type_and_nosniff(world):
    app, clients, _endpoints, ids = world
    assert post(world, "photos", "foto.jpg", jpeg_bytes()).status_code == 302
    keys = [p.relative_to(app.config["UPLOAD_DIR"]).as_posix() for p in files_under(app.config["UPLOAD_DIR"])]
    assert keys
    for key in keys:
        response = app.test_client().get(f"/media/{key}", buffered=True)
        assert response.status_code == 200
        assert response.mimetype in SAFE_IMAGE_TYPES
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_media_route_serves_no_private_or_unknown_key(world):
    app, clients, _endpoints, ids = world
    assert post(world, "documents", "nib.pdf", MINIMAL_PDF).status_code == 302
    [document] = files_under(app.config["UPLOAD_DIR"])
    key = document.relative_to(app.config["UPLOAD_DIR"]).as_posix()
    client = app.test_client()
    for path in (f"/media/{key}", "/media/../config.py", "/media/p/..%2F..%2Fconfig.py", "/media/p/%2e%2e/d/x.pdf"):
        assert client.get(path).status_code == 404, path


def test_served_documents_and_proofs_have_a_fixed_type_and_nosniff(world):
    app, clients, _endpoints, ids = world
    assert post(world, "transfer_proof", "bukti.jpg", jpeg_bytes()).status_code == 302
    proof = clients["shopper"].get(f"/pesanan/{ids['group']}/bukti-transfer", buffered=True)
    assert proof.status_code == 200 and proof.mimetype == "image/jpeg"
    assert proof.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in proof.headers["Content-Security-Policy"]

    assert post(world, "documents", "nib.pdf", MINIMAL_PDF).status_code == 302
    with app.app_context():
        document = db.session.scalars(select(SellerDocument)).one()
    served = clients["seller"].get(f"/penjual/dokumen/{document.id}/berkas", buffered=True)
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in served.headers["Content-Disposition"]


def test_a_polyglot_accepted_as_a_photo_would_be_re_encoded_without_its_payload(world):
    """Belt and braces: whatever passes as a photo is stored only as our own re-encoding."""
    app = world[0]
    assert post(world, "transfer_proof", "foto.jpg", POLYGLOT_JPEG).status_code == 400
    assert post(world, "transfer_proof", "foto.jpg", jpeg_bytes() + HTML_PAYLOAD).status_code == 302
    for path in files_under(app.config["UPLOAD_DIR"]):
        content = path.read_bytes()
        assert b"<script" not in content and b"<?php" not in content


@pytest.mark.parametrize("kind", list(HOSTILE_FILES))
def test_the_seller_logo_refuses_hostile_files(world, kind):
    app, _clients, _endpoints, ids = world
    name, data = HOSTILE_FILES[kind]
    with app.app_context():
        from catalog.models import Seller

        with pytest.raises(ValidationFailed) as refused:
            sellers._store_picture(FileStorage(io.BytesIO(data), filename=name), "logo")
        assert any(refusal in str(refused.value.message) for refusal in REFUSALS)
        db.session.rollback()
        assert db.session.get(Seller, ids["seller"]).logo_key is None
    assert files_under(app.config["UPLOAD_DIR"]) == []


# --- the CSV import ------------------------------------------------------------------------------

HOSTILE_CSVS = {
    "html": ("produk.csv", HTML_PAYLOAD),
    "polyglot": ("produk.csv", POLYGLOT_JPEG),
    "svg": ("produk.csv", HOSTILE_FILES["svg_script"][1]),
    "empty": ("produk.csv", b""),
    "traversal_name": ("../../etc/passwd.csv", HTML_PAYLOAD),
    "nul_name": ("produk\x00.php.csv", HTML_PAYLOAD),
}


def test_the_csv_import_refuses_hostile_files_and_creates_nothing(world):
    app, clients, _endpoints, ids = world
    from catalog.models import Product

    def products() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count(Product.id)))

    before = products()
    problems = []
    for kind, (name, data) in HOSTILE_CSVS.items():
        response = multipart(clients["seller"], "/penjual/produk/impor", {"file": (io.BytesIO(data), name)})
        if response.status_code not in (200, 400) or "<script>alert" in response.get_data(as_text=True):
            problems.append((kind, response.status_code))
        if products() != before:
            problems.append((kind, "created"))
    big = multipart(clients["seller"], "/penjual/produk/impor",
                    {"file": (io.BytesIO(b"a;b\n" * (MAX_CONTENT // 4 + 1)), "produk.csv")})
    assert big.status_code == 413 and "Berkas terlalu besar" in page_text(big)
    assert not problems
    assert files_under(app.config["UPLOAD_DIR"]) == []
