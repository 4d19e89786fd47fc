"""Listing moderation in the Dinas console through the pages: the search with status tabs, one
product's page with seller, reason and history, hiding and restoring with their audit events,
and every refusal (no reason, hidden twice, restore a product that is not hidden, unknown ids,
non-admins, a missing CSRF token)."""

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import AuditEvent, Product
from catalog.services import moderation
from tests.catalogue_care_factories import REASON, log_in, text_of
from tests.conftest import csrf_token_from
from tests.factories import gen_category, gen_product, gen_seller, gen_user
from tests.querycount import count_queries


@pytest.fixture
def listings(app):
    sri = gen_seller(business_name="Dapur Bu Sri")
    batik = gen_seller(business_name="Batik Cisadane")
    snacks = gen_category("Keripik")
    chips = gen_product(seller=sri, category=snacks, title="Keripik Singkong Balado", price=12_000)
    draft = gen_product(seller=sri, category=snacks, title="Rempeyek Kacang", status="draft")
    cloth = gen_product(seller=batik, title="Kain Batik Tulis Motif Kembang", price=450_000)
    db.session.commit()
    return {"chips": chips.id, "draft": draft.id, "cloth": cloth.id, "sri": sri.id}


def status_of(product_id) -> str:
    db.session.expire_all()
    return db.session.get(Product, product_id).status


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def hide(client, product_id, reason=REASON):
    return client.post(f"/admin/produk/{product_id}/sembunyikan", data={"reason": reason})


def restore(client, product_id, reason=""):
    return client.post(f"/admin/produk/{product_id}/tampilkan", data={"reason": reason})


# --- the search --------------------------------------------------------------------------------------


def test_search_by_title_or_seller_name(admin_client, listings):
    text = text_of(admin_client.get("/admin/produk?q=bu+sri").get_data(as_text=True))
    assert "Keripik Singkong Balado" in text and "Rempeyek Kacang" in text
    assert "Kain Batik" not in text
    text = text_of(admin_client.get("/admin/produk?q=batik").get_data(as_text=True))
    assert "Kain Batik Tulis Motif Kembang" in text and "Keripik" not in text


def test_hidden_tab_lists_hidden_products_with_their_reason(admin_client, listings, admin):
    moderation.hide_product(listings["chips"], admin.id, REASON)
    text = text_of(admin_client.get("/admin/produk?status=disembunyikan").get_data(as_text=True))
    assert "Keripik Singkong Balado" in text and REASON in text
    assert "Rempeyek" not in text and "Kain Batik" not in text


def test_search_pages_and_never_fails_on_odd_parameters(admin_client, listings):
    for n in range(25):
        gen_product(title=f"Produk Halaman {n}")
    db.session.commit()
    first = text_of(admin_client.get("/admin/produk?q=halaman").get_data(as_text=True))
    assert "Menampilkan 1–20 dari 25 produk" in first
    second = text_of(admin_client.get("/admin/produk?q=halaman&hal=2").get_data(as_text=True))
    assert "Menampilkan 21–25 dari 25 produk" in second
    for url in ("/admin/produk?hal=abc", "/admin/produk?status=%00", "/admin/produk?q=%25_%5C", "/admin/produk?hal=999"):
        assert admin_client.get(url).status_code == 200


def test_search_page_queries_do_not_grow_with_rows(app, admin_client, listings):
    admin_client.get("/admin/produk")
    with count_queries(app) as few:
        admin_client.get("/admin/produk")
    for _ in range(8):
        gen_product()
    db.session.commit()
    with count_queries(app) as many:
        admin_client.get("/admin/produk")
    assert many.count == few.count


# --- one product ---------------------------------------------------------------------------------------


def test_product_page_shows_seller_status_and_links_to_the_seller(admin_client, listings):
    page = admin_client.get(f"/admin/produk/{listings['chips']}").get_data(as_text=True)
    text = text_of(page)
    assert "Keripik Singkong Balado" in text and "Dapur Bu Sri" in text and "Aktif" in text
    assert f'href="/admin/penjual/{listings["sri"]}"' in page
    assert "Sembunyikan" in text and "Tampilkan kembali" not in text


def test_hiding_from_the_page(admin_client, listings, admin):
    response = hide(admin_client, listings["chips"])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/produk/{listings['chips']}")
    assert status_of(listings["chips"]) == "hidden"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "product.hidden"))
    assert event.actor_id == admin.id and event.reason == REASON
    text = text_of(admin_client.get(f"/admin/produk/{listings['chips']}").get_data(as_text=True))
    assert "Disembunyikan oleh Bu Ratna (Dinas)" in text and REASON in text
    assert "Tampilkan kembali" in text
    assert "Disembunyikan Dinas" in text  # the history


def test_restoring_from_the_page_brings_back_the_earlier_status(admin_client, listings, admin):
    moderation.hide_product(listings["draft"], admin.id, REASON)
    response = restore(admin_client, listings["draft"], "Sudah diperbaiki.")
    assert response.status_code == 302
    assert status_of(listings["draft"]) == "draft"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "product.unhidden"))
    assert event.actor_id == admin.id and event.after == {"status": "draft"} and event.reason == "Sudah diperbaiki."


def test_hiding_without_a_reason_is_refused(admin_client, listings):
    response = hide(admin_client, listings["chips"], reason="  ")
    assert response.status_code == 400
    assert "Tuliskan alasannya" in text_of(response.get_data(as_text=True))
    assert status_of(listings["chips"]) == "active"
    assert audit_count() == 0


def test_hiding_an_already_hidden_product_is_refused(admin_client, listings, admin):
    moderation.hide_product(listings["chips"], admin.id, REASON)
    before = audit_count()
    response = hide(admin_client, listings["chips"], reason="Alasan kedua yang cukup panjang.")
    assert response.status_code == 409
    assert "Produk ini sudah disembunyikan." in text_of(response.get_data(as_text=True))
    assert audit_count() == before
    db.session.expire_all()
    assert db.session.get(Product, listings["chips"]).moderation_reason == REASON


def test_restoring_a_product_that_is_not_hidden_is_refused(admin_client, listings):
    response = restore(admin_client, listings["chips"])
    assert response.status_code == 409
    assert "Produk ini tidak sedang disembunyikan." in text_of(response.get_data(as_text=True))
    assert status_of(listings["chips"]) == "active"
    assert audit_count() == 0


def test_unknown_product_is_404(admin_client, listings):
    assert admin_client.get("/admin/produk/99999").status_code == 404
    assert hide(admin_client, 99999).status_code == 404
    assert hide(admin_client, 99999, reason="").status_code == 404
    assert restore(admin_client, 99999).status_code == 404


# --- who may -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["shopper", "seller"])
def test_non_admins_get_403(client, listings, role):
    user = gen_seller().user if role == "seller" else gen_user(role=role)
    db.session.commit()
    log_in(client, user)
    assert client.get("/admin/produk").status_code == 403
    assert client.get(f"/admin/produk/{listings['chips']}").status_code == 403
    assert hide(client, listings["chips"]).status_code == 403
    assert status_of(listings["chips"]) == "active"


def test_the_owner_of_the_product_cannot_restore_it_either(client, listings, admin):
    moderation.hide_product(listings["chips"], admin.id, REASON)
    db.session.expire_all()
    owner = db.session.get(Product, listings["chips"]).seller.user
    log_in(client, owner)
    assert restore(client, listings["chips"]).status_code == 403
    assert status_of(listings["chips"]) == "hidden"


def test_hiding_needs_the_pages_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = gen_user(role="admin")
        product_id = gen_product(title="Keripik Pedas").id
        db.session.commit()
        client = app.test_client()
        log_in(client, admin)
    assert hide(client, product_id).status_code == 400
    with app.app_context():
        assert db.session.get(Product, product_id).status == "active"
    page = client.get(f"/admin/produk/{product_id}").get_data(as_text=True)
    response = client.post(f"/admin/produk/{product_id}/sembunyikan",
                           data={"reason": REASON, "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Product, product_id).status == "hidden"
