"""A seller's listings through real form posts: list, create, edit, duplicate, archive, restore,
delete, quick stock; bad input; ownership, roles and CSRF on every product route."""

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import Product, SellerDocument
from catalog.models.audit import AuditEvent
from catalog.models.products import InventoryLog
from tests.conftest import csrf_token_from
from tests.factories import gen_category, gen_officer, gen_product, gen_seller, gen_user
from tests.querycount import count_queries


def text(response) -> str:
    return response.get_data(as_text=True)


def fresh(model, id_):
    db.session.rollback()  # end the test's read transaction: see what the requests committed
    return db.session.get(model, id_)


@pytest.fixture
def leaf(app):
    top = gen_category("Makanan", slug="makanan")
    leaf = gen_category("Keripik & Camilan", parent=top, slug="keripik")
    db.session.commit()
    return leaf


@pytest.fixture
def seller(app, client, auth):
    """A logged-in, verified seller."""
    user = gen_user(email="warung@contoh.id", role="seller", name="Bu Sari")
    seller = gen_seller(user=user, business_name="Warung Bu Sari")
    db.session.commit()
    assert auth.login("warung@contoh.id").status_code == 302
    return seller


@pytest.fixture
def other_product(app, leaf):
    product = gen_product(category=leaf, title="Punya Penjual Lain")
    db.session.commit()
    return product


def form_data(leaf, **overrides):
    data = {
        "title": "Keripik Singkong Balado",
        "category_id": str(leaf.id),
        "description": "Renyah, pedas manis.\n\n- Tanpa pengawet\n- Berat 250 g",
        "price": "15.000",
        "unit": "pcs",
        "min_order": "1",
        "stock": "12",
        "lead_time_days": "",
        "weight_grams": "250",
        "tkdn_pct": "",
        "status": "active",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def only_product():
    db.session.rollback()
    return db.session.scalars(select(Product)).one_or_none()


# --- the list -------------------------------------------------------------------------------


def test_listings_page_shows_products_with_price_stock_and_status(client, seller, leaf):
    gen_product(seller=seller, category=leaf, title="Sambal Roa Pedas", price=35000, stock=2)
    gen_product(seller=seller, category=leaf, title="Kopi Bubuk Robusta", price=50000, stock=40, status="draft")
    gen_product(category=leaf, title="Produk Toko Lain")
    db.session.commit()
    page = text(client.get("/penjual/produk"))
    assert "Sambal Roa Pedas" in page and "Rp 35.000" in page
    assert "Stok menipis: 2" in page  # threshold 5
    assert "Kopi Bubuk Robusta" in page and "Draf" in page
    assert "Produk Toko Lain" not in page


def test_listings_filter_by_status_and_search(client, seller, leaf):
    gen_product(seller=seller, category=leaf, title="Sambal Roa Pedas")
    gen_product(seller=seller, category=leaf, title="Kopi Bubuk Robusta", status="draft")
    gen_product(seller=seller, category=leaf, title="Teh Melati Lama", status="archived")
    db.session.commit()
    drafts = text(client.get("/penjual/produk?status=draf"))
    assert "Kopi Bubuk Robusta" in drafts and "Sambal Roa Pedas" not in drafts
    archived = text(client.get("/penjual/produk?status=arsip"))
    assert "Teh Melati Lama" in archived and "Pulihkan" in archived
    found = text(client.get("/penjual/produk?q=sambal"))
    assert "Sambal Roa Pedas" in found and "Kopi Bubuk Robusta" not in found
    assert client.get("/penjual/produk?status=ngawur&hal=abc").status_code == 200


def test_made_to_order_product_is_not_flagged_low_stock(client, seller, leaf):
    gen_product(seller=seller, category=leaf, title="Nasi Kotak Katering", stock=0, made_to_order=True,
                lead_time_days=2)
    db.session.commit()
    page = text(client.get("/penjual/produk"))
    assert "Sesuai pesanan · 2 hari" in page and "Stok habis" not in page


def test_listings_page_is_paginated_with_a_bounded_number_of_queries(app, client, seller, leaf):
    for n in range(45):
        product = gen_product(seller=seller, category=leaf, title=f"Produk nomor {n:02d}")
        product.images  # noqa: B018
    db.session.commit()
    with count_queries(app) as q:
        response = client.get("/penjual/produk?hal=2")
    assert response.status_code == 200
    assert "Menampilkan 21–40 dari 45 produk" in text(response)
    assert q.count <= 8, q


def test_empty_listings_page_invites_the_first_product(client, seller):
    assert "Tambah produk pertama" in text(client.get("/penjual/produk"))


# --- create ---------------------------------------------------------------------------------


def test_new_listing_form_groups_leaf_categories_under_their_parent(client, seller, leaf):
    page = text(client.get("/penjual/produk/baru"))
    assert '<optgroup label="Makanan">' in page
    assert f'<option value="{leaf.id}">Keripik &amp; Camilan</option>' in page
    assert f'<option value="{leaf.parent_id}"' not in page


def test_create_listing_publishes_it_and_goes_to_photos(client, seller, leaf):
    response = client.post("/penjual/produk/baru", data=form_data(leaf, price="Rp15.000"))
    product = only_product()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/penjual/produk/{product.id}/foto")
    assert (product.title, product.price, product.stock, product.status) == ("Keripik Singkong Balado", 15000, 12,
                                                                             "active")
    assert product.description == "<p>Renyah, pedas manis.</p><ul><li>Tanpa pengawet</li><li>Berat 250 g</li></ul>"
    assert product.slug == "keripik-singkong-balado" and product.published_at is not None
    assert db.session.scalars(select(AuditEvent.action)).all()[-1] == "product.created"


def test_save_as_draft_button_keeps_it_unpublished(client, seller, leaf):
    client.post("/penjual/produk/baru", data=form_data(leaf, status="draft"))
    product = only_product()
    assert product.status == "draft" and product.published_at is None


def test_made_to_order_needs_a_lead_time_but_no_stock(client, seller, leaf):
    response = client.post("/penjual/produk/baru", data=form_data(leaf, stock="", made_to_order="y"))
    assert "Isi lama pembuatan" in text(response) and only_product() is None
    client.post("/penjual/produk/baru", data=form_data(leaf, stock="", made_to_order="y", lead_time_days="3"))
    product = only_product()
    assert product.made_to_order and product.lead_time_days == 3 and product.stock == 0


def test_certificates_can_be_attached(client, seller, leaf):
    halal = SellerDocument(seller_id=seller.id, kind="halal", number="ID00110012345")
    db.session.add(halal)
    db.session.commit()
    assert "Halal · ID00110012345" in text(client.get("/penjual/produk/baru"))
    client.post("/penjual/produk/baru", data=form_data(leaf, certificate_ids=[str(halal.id)]))
    assert [d.number for d in only_product().certificates] == ["ID00110012345"]


def test_pending_seller_can_prepare_listings_and_sees_a_banner(client, auth, leaf):
    user = gen_user(email="baru@contoh.id", role="seller")
    gen_seller(user=user, status="pending")
    db.session.commit()
    auth.login("baru@contoh.id")
    page = text(client.get("/penjual/produk/baru"))
    assert "belum tampil untuk pembeli" in page
    assert client.post("/penjual/produk/baru", data=form_data(leaf)).status_code == 302
    assert only_product().status == "active"
    assert client.get("/produk/keripik-singkong-balado").status_code == 404  # not public until verified


# --- bad input: a message on the same form, fields kept, nothing saved ---------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price": "abc"}, "Nominal tidak dikenali"),
        ({"price": "-5000"}, "tidak boleh negatif"),
        ({"price": "50"}, "Harga minimal"),
        ({"price": ""}, "Harga wajib diisi"),
        ({"stock": "-3"}, "tidak boleh negatif"),
        ({"stock": "dua"}, "angka bulat"),
        ({"stock": ""}, "Stok wajib diisi"),
        ({"title": "Kue"}, "minimal 5 karakter"),
        ({"category_id": ""}, "Pilih kategori"),
        ({"category_id": "999999"}, "Kategori tidak ditemukan"),
        ({"category_id": "abc"}, "Kategori tidak ditemukan"),
        ({"unit": "ton"}, "Pilih satuan"),
        ({"tkdn_pct": "150"}, "TKDN harus antara 0 dan 100"),
        ({"min_order": "0"}, "Minimal pembelian paling sedikit 1"),
        ({"made_to_order": "y", "lead_time_days": "120"}, "Lama pembuatan harus 1 sampai 90 hari"),
        ({"description": "kata " * 1200}, "Deskripsi terlalu panjang"),
        ({"status": "published"}, "Status produk tidak dikenal"),
    ],
)
def test_bad_input_shows_a_message_and_saves_nothing(client, seller, leaf, overrides, message):
    response = client.post("/penjual/produk/baru", data=form_data(leaf, **overrides))
    assert response.status_code == 200
    page = text(response)
    assert message in page
    kept = overrides.get("title", "Keripik Singkong Balado")
    assert f'value="{kept}"' in page  # what was typed is kept
    assert only_product() is None


def test_every_problem_is_shown_at_once(client, seller, leaf):
    page = text(client.post("/penjual/produk/baru", data=form_data(leaf, title="Kue", price="abc", stock="-3",
                                                                    category_id="")))
    for message in ("minimal 5 karakter", "Nominal tidak dikenali", "tidak boleh negatif", "Pilih kategori"):
        assert message in page
    assert only_product() is None


def test_top_level_category_is_refused(client, seller, leaf):
    response = client.post("/penjual/produk/baru", data=form_data(leaf, category_id=str(leaf.parent_id)))
    assert "Pilih subkategori" in text(response) and only_product() is None


def test_script_in_description_is_stored_sanitised(client, seller, leaf):
    payload = '<p onclick="steal()">Enak <b>sekali</b><script>alert(1)</script><img src=x onerror=alert(2)></p>'
    client.post("/penjual/produk/baru", data=form_data(leaf, description=payload))
    product = only_product()
    assert product.description == "<p>Enak <b>sekali</b></p>"


def test_forged_certificate_of_another_seller_is_refused(client, seller, leaf):
    foreign = SellerDocument(seller_id=gen_seller().id, kind="halal", number="ID-ASING")
    db.session.add(foreign)
    db.session.commit()
    response = client.post("/penjual/produk/baru", data=form_data(leaf, certificate_ids=[str(foreign.id)]))
    assert "Sertifikat tidak ditemukan" in text(response) and only_product() is None


# --- edit -----------------------------------------------------------------------------------


def test_edit_form_is_filled_and_saving_keeps_slug_and_logs_stock(client, seller, leaf):
    product = gen_product(seller=seller, category=leaf, title="Sambal Roa Pedas", price=35000, stock=4,
                          slug="sambal-roa-pedas", description="<p>Pedas.</p><ul><li>Tanpa MSG</li></ul>")
    db.session.commit()
    page = text(client.get(f"/penjual/produk/{product.id}"))
    assert 'value="Sambal Roa Pedas"' in page and 'value="35.000"' in page
    assert "Pedas.\n\n- Tanpa MSG</textarea>" in page  # the description as the seller types it
    assert "Simpan perubahan" in page
    response = client.post(f"/penjual/produk/{product.id}", data=form_data(
        leaf, title="Sambal Roa Super Pedas", price="37.500", stock="10", stock_seen="4"))
    assert response.status_code == 302
    product = fresh(Product, product.id)
    assert (product.title, product.price, product.stock, product.slug) == ("Sambal Roa Super Pedas", 37500, 10,
                                                                           "sambal-roa-pedas")
    history = text(client.get(f"/penjual/produk/{product.id}"))
    assert "Riwayat stok" in history and "+6" in history and "Diubah penjual" in history and "Bu Sari" in history


def test_invalid_edit_changes_nothing(client, seller, leaf):
    product = gen_product(seller=seller, category=leaf, title="Sambal Roa Pedas", price=35000)
    db.session.commit()
    response = client.post(f"/penjual/produk/{product.id}", data=form_data(leaf, title="Nama Baru Produk",
                                                                            price="-1"))
    assert response.status_code == 200 and "tidak boleh negatif" in text(response)
    assert fresh(Product, product.id).title == "Sambal Roa Pedas"


def test_edit_page_links_to_public_page_only_when_active_and_verified(client, seller, leaf):
    active = gen_product(seller=seller, category=leaf, slug="sambal-aktif")
    draft = gen_product(seller=seller, category=leaf, slug="sambal-draf", status="draft")
    db.session.commit()
    assert 'href="/produk/sambal-aktif"' in text(client.get(f"/penjual/produk/{active.id}"))
    assert "/produk/sambal-draf" not in text(client.get(f"/penjual/produk/{draft.id}"))


# --- actions ----------------------------------------------------------------------------------


def test_duplicate_makes_a_draft_copy_and_opens_it(client, seller, leaf):
    product = gen_product(seller=seller, category=leaf, title="Sambal Roa Pedas")
    db.session.commit()
    response = client.post(f"/penjual/produk/{product.id}/salin")
    db.session.rollback()
    copy = db.session.scalars(select(Product).where(Product.id != product.id)).one()
    assert response.headers["Location"].endswith(f"/penjual/produk/{copy.id}")
    assert copy.title == "Salinan – Sambal Roa Pedas" and copy.status == "draft"


def test_archive_hides_and_restore_brings_back_as_draft(client, seller, leaf):
    product = gen_product(seller=seller, category=leaf, slug="sambal-roa")
    db.session.commit()
    assert client.get("/produk/sambal-roa").status_code == 200
    client.post(f"/penjual/produk/{product.id}/arsipkan", data={"next": "/penjual/produk?status=arsip"})
    assert fresh(Product, product.id).status == "archived"
    assert client.get("/produk/sambal-roa").status_code == 404
    response = client.post(f"/penjual/produk/{product.id}/pulihkan", data={"next": "https://jahat.example/"})
    assert response.headers["Location"] == "/penjual/produk"  # an off-site next is ignored
    assert fresh(Product, product.id).status == "draft"


def test_delete_asks_first_then_removes(client, seller, leaf):
    product = gen_product(seller=seller, category=leaf, title="Sambal Roa Pedas")
    db.session.commit()
    assert "Ya, hapus produk" in text(client.get(f"/penjual/produk/{product.id}/hapus"))
    response = client.post(f"/penjual/produk/{product.id}/hapus")
    assert response.headers["Location"].endswith("/penjual/produk")
    assert fresh(Product, product.id) is None


def test_delete_of_an_ordered_product_is_refused(client, seller, leaf, monkeypatch):
    from catalog.services import listings

    product = gen_product(seller=seller, category=leaf)
    db.session.commit()
    monkeypatch.setattr(listings, "listing_has_orders", lambda p: True)
    assert "Arsipkan saja" in text(client.get(f"/penjual/produk/{product.id}/hapus"))
    client.post(f"/penjual/produk/{product.id}/hapus")
    assert fresh(Product, product.id) is not None


def test_quick_stock_change_is_logged(client, seller, leaf):
    product = gen_product(seller=seller, category=leaf, stock=3)
    db.session.commit()
    response = client.post(f"/penjual/produk/{product.id}/stok", data={"stock": "1.250", "next": "/penjual/produk"})
    assert response.status_code == 302
    assert fresh(Product, product.id).stock == 1250
    log = db.session.scalars(select(InventoryLog)).one()
    assert (log.delta, log.stock_after, log.reason, log.actor_id) == (1247, 1250, "manual", seller.user_id)
    assert "sekarang 1.250" in text(client.get("/penjual/produk"))


@pytest.mark.parametrize("value", ["-5", "abc", ""])
def test_quick_stock_refuses_bad_numbers(client, seller, leaf, value):
    product = gen_product(seller=seller, category=leaf, stock=3)
    db.session.commit()
    client.post(f"/penjual/produk/{product.id}/stok", data={"stock": value})
    assert fresh(Product, product.id).stock == 3
    assert "tidak diubah" in text(client.get("/penjual/produk"))


# --- who may do what --------------------------------------------------------------------------

PRODUCT_ROUTES = [
    ("get", "/penjual/produk/{id}"),
    ("post", "/penjual/produk/{id}"),
    ("post", "/penjual/produk/{id}/salin"),
    ("post", "/penjual/produk/{id}/arsipkan"),
    ("post", "/penjual/produk/{id}/pulihkan"),
    ("get", "/penjual/produk/{id}/hapus"),
    ("post", "/penjual/produk/{id}/hapus"),
    ("post", "/penjual/produk/{id}/stok"),
    ("get", "/penjual/produk/{id}/foto"),
    ("post", "/penjual/produk/{id}/foto"),
    ("post", "/penjual/produk/{id}/foto/urutan"),
]


@pytest.mark.parametrize(("method", "path"), PRODUCT_ROUTES)
def test_another_sellers_product_answers_404_and_is_untouched(client, seller, leaf, other_product, method, path):
    before = (other_product.title, other_product.status, other_product.stock)
    response = getattr(client, method)(path.format(id=other_product.id), data=form_data(leaf, stock="0"))
    assert response.status_code == 404
    product = fresh(Product, other_product.id)
    assert product is not None and (product.title, product.status, product.stock) == before


ALL_ROUTES = [("get", "/penjual/produk"), ("get", "/penjual/produk/baru"), ("post", "/penjual/produk/baru"),
              *PRODUCT_ROUTES]


@pytest.mark.parametrize("role", ["shopper", "officer"])
@pytest.mark.parametrize(("method", "path"), ALL_ROUTES)
def test_shoppers_and_officers_get_403(client, auth, other_product, role, method, path):
    if role == "officer":
        gen_officer(email="petugas@contoh.id")
    else:
        gen_user(email="petugas@contoh.id")
    db.session.commit()
    auth.login("petugas@contoh.id")
    assert getattr(client, method)(path.format(id=other_product.id)).status_code == 403


@pytest.mark.parametrize(("method", "path"), ALL_ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(client, other_product, method, path):
    response = getattr(client, method)(path.format(id=other_product.id))
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_seller_without_a_profile_is_sent_to_the_wizard(client, auth):
    gen_user(email="calon@contoh.id", role="seller")
    db.session.commit()
    auth.login("calon@contoh.id")
    response = client.get("/penjual/produk")
    assert response.status_code == 302 and "/penjual/daftar" in response.headers["Location"]


# --- CSRF -------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(make_app):
    """A logged-in seller's client on an app with CSRF protection on, as in production; yields
    (client, product id, leaf category) with that app's context pushed."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        top = gen_category("Makanan", slug="makanan")
        leaf = gen_category("Keripik & Camilan", parent=top, slug="keripik")
        user = gen_user(email="csrf@contoh.id", role="seller")
        product = gen_product(seller=gen_seller(user=user), category=leaf, title="Sambal Roa Pedas", stock=3)
        db.session.commit()
        login_page = text(client.get("/masuk"))
        response = client.post("/masuk", data={"email": "csrf@contoh.id", "password": "rahasia-123",
                                               "csrf_token": csrf_token_from(login_page)})
        assert response.status_code == 302
        yield client, product.id, leaf


@pytest.mark.parametrize("path", ["/penjual/produk/baru", "/penjual/produk/{id}", "/penjual/produk/{id}/salin",
                                  "/penjual/produk/{id}/arsipkan", "/penjual/produk/{id}/hapus",
                                  "/penjual/produk/{id}/stok"])
def test_posts_without_a_csrf_token_are_refused(csrf_client, path):
    client, product_id, leaf = csrf_client
    response = client.post(path.format(id=product_id), data=form_data(leaf, title="Judul Palsu Sekali", stock="0",
                                                                      csrf_token="palsu"))
    assert response.status_code == 400
    db.session.rollback()
    products = db.session.scalars(select(Product)).all()
    assert [(p.title, p.status, p.stock) for p in products] == [("Sambal Roa Pedas", "active", 3)]


def test_a_post_with_the_pages_csrf_token_works(csrf_client):
    client, product_id, leaf = csrf_client
    page = text(client.get(f"/penjual/produk/{product_id}"))
    response = client.post(f"/penjual/produk/{product_id}", data=form_data(
        leaf, title="Sambal Roa Lebih Pedas", csrf_token=csrf_token_from(page)))
    assert response.status_code == 302
    assert fresh(Product, product_id).title == "Sambal Roa Lebih Pedas"
