"""The listing rules and the listing service: validation, create/edit with audit and stock log,
duplicate, archive/restore, delete, bulk import, photos."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from catalog import storage
from catalog.extensions import db
from catalog.models import Product, ProductImage, SellerDocument
from catalog.models.audit import AuditEvent
from catalog.models.products import InventoryLog
from catalog.services import listings
from catalog.services.audit import verify_chain
from catalog.services.errors import NotFound, ValidationFailed
from catalog.services.images import rendition_key
from catalog.services.listings import ListingData, ListingInvalid
from tests.factories import gen_category, gen_product, gen_seller


@pytest.fixture
def seller(app):
    return gen_seller()


@pytest.fixture
def leaf(app):
    top = gen_category("Makanan")
    return gen_category("Keripik & Camilan", parent=top)


def data(leaf, **kw) -> ListingData:
    values = {"title": "Keripik Singkong Balado", "category_id": leaf.id, "description": "Renyah dan pedas.",
              "price": 15000, "unit": "pcs", "min_order": 1, "stock": 12, "status": "active"}
    values.update(kw)
    return ListingData(**values)


def certificate(seller, kind="halal", **kw):
    doc = SellerDocument(seller=seller, kind=kind, number=kw.pop("number", "ID-123"), **kw)
    db.session.add(doc)
    db.session.flush()
    return doc


def jpeg(size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(buffer, "JPEG")
    return buffer.getvalue()


# --- validation ----------------------------------------------------------------------------------


def test_a_complete_listing_has_no_errors(seller, leaf):
    assert listings.validate_listing(seller, data(leaf)) == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "Kue"}, "title"),
        ({"title": "x" * 141}, "title"),
        ({"price": 50}, "price"),
        ({"price": None}, "price"),
        ({"price": 10**12 + 1}, "price"),
        ({"unit": "ton"}, "unit"),
        ({"min_order": 0}, "min_order"),
        ({"stock": -1}, "stock"),
        ({"made_to_order": True, "lead_time_days": None}, "lead_time_days"),
        ({"made_to_order": True, "lead_time_days": 91}, "lead_time_days"),
        ({"tkdn_pct": 101}, "tkdn_pct"),
        ({"tkdn_pct": -1}, "tkdn_pct"),
        ({"weight_grams": 0}, "weight_grams"),
        ({"status": "published"}, "status"),
        ({"description": "kata " * 1200}, "description"),
        ({"category_id": None}, "category_id"),
        ({"category_id": 999_999}, "category_id"),
    ],
)
def test_each_broken_rule_is_named_by_its_field(seller, leaf, changes, field):
    errors = listings.validate_listing(seller, data(leaf, **changes))
    assert list(errors) == [field]
    assert str(errors[field])


def test_zero_stock_and_lead_time_only_when_made_to_order_are_fine(seller, leaf):
    assert listings.validate_listing(seller, data(leaf, stock=0)) == {}
    assert listings.validate_listing(seller, data(leaf, made_to_order=True, lead_time_days=7)) == {}
    # A lead time left over from an earlier edit is ignored when the product is stocked.
    assert listings.validate_listing(seller, data(leaf, made_to_order=False, lead_time_days=500)) == {}


def test_a_top_level_category_is_refused_with_a_hint(seller, leaf):
    errors = listings.validate_listing(seller, data(leaf, category_id=leaf.parent_id))
    assert "subkategori" in str(errors["category_id"])


def test_certificates_must_be_the_sellers_own_valid_ones(seller, leaf):
    own = certificate(seller)
    other = certificate(gen_seller())
    expired = certificate(seller, expired=True)
    nib = certificate(seller, kind="nib")
    assert listings.validate_listing(seller, data(leaf, certificate_ids=[own.id])) == {}
    for forged in (other, expired, nib):
        errors = listings.validate_listing(seller, data(leaf, certificate_ids=[own.id, forged.id]))
        assert list(errors) == ["certificate_ids"]


def test_rules_loaded_once_serve_many_rows(app, seller, leaf):
    from tests.querycount import count_queries

    rules = listings.listing_rules(seller)
    with count_queries(app) as q:
        for n in range(50):
            listings.validate_listing(seller, data(leaf, title=f"Produk nomor {n}"), rules=rules)
    assert q.count == 0


# --- create and update ---------------------------------------------------------------------------


def test_create_sanitises_sets_slug_publishes_logs_stock_and_audits(seller, leaf):
    product = listings.create_listing(
        seller, data(leaf, description="<p>Enak <b>sekali</b><script>alert(1)</script></p>"), actor_id=seller.user_id
    )
    assert product.slug == "keripik-singkong-balado"
    assert product.description == "<p>Enak <b>sekali</b></p>"
    assert product.published_at is not None
    assert product.stock == 12
    log = db.session.scalars(select(InventoryLog).where(InventoryLog.product_id == product.id)).one()
    assert (log.delta, log.stock_after, log.reason, log.actor_id) == (12, 12, "created", seller.user_id)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "product.created")).one()
    assert event.after["title"] == "Keripik Singkong Balado" and event.after["stock"] == 12
    assert verify_chain().ok


def test_same_title_gets_the_next_free_slug(seller, leaf):
    first = listings.create_listing(seller, data(leaf), actor_id=None)
    second = listings.create_listing(seller, data(leaf), actor_id=None)
    assert (first.slug, second.slug) == ("keripik-singkong-balado", "keripik-singkong-balado-2")


def test_invalid_listing_raises_with_every_error_and_writes_nothing(seller, leaf):
    with pytest.raises(ListingInvalid) as caught:
        listings.create_listing(seller, data(leaf, title="abc", price=-5), actor_id=None)
    assert isinstance(caught.value, ValidationFailed)
    assert set(caught.value.errors) == {"title", "price"}
    assert db.session.scalar(select(Product.id)) is None


def test_draft_is_not_published_until_activated(seller, leaf):
    product = listings.create_listing(seller, data(leaf, status="draft"), actor_id=None)
    assert product.published_at is None
    listings.update_listing(product, data(leaf, status="active"), actor_id=None)
    first_published = product.published_at
    assert first_published is not None
    listings.update_listing(product, data(leaf, status="draft"), actor_id=None)
    listings.update_listing(product, data(leaf, status="active"), actor_id=None)
    assert product.published_at == first_published


def test_update_keeps_slug_audits_only_changed_fields_and_logs_stock(seller, leaf):
    product = listings.create_listing(seller, data(leaf), actor_id=seller.user_id)
    listings.update_listing(product, data(leaf, title="Keripik Singkong Pedas Manis", price=17500, stock=20),
                            actor_id=seller.user_id)
    assert product.slug == "keripik-singkong-balado"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "product.updated")).one()
    assert event.before == {"title": "Keripik Singkong Balado", "price": 15000}
    assert event.after == {"title": "Keripik Singkong Pedas Manis", "price": 17500}
    logs = db.session.scalars(select(InventoryLog).order_by(InventoryLog.id)).all()
    assert [(log.delta, log.stock_after, log.reason) for log in logs] == [(12, 12, "created"), (8, 20, "manual")]
    assert verify_chain().ok


def test_unchanged_stock_field_does_not_overwrite_a_change_made_meanwhile(seller, leaf):
    from catalog.services import inventory

    product = listings.create_listing(seller, data(leaf, stock=10), actor_id=None)
    inventory.adjust_stock(product.variants[0], -3, actor_id=None, reason="order")  # while the form was open
    db.session.commit()
    listings.update_listing(product, data(leaf, price=16000, stock=10, stock_seen=10), actor_id=None)
    assert product.stock == 7


def test_invalid_update_changes_nothing(seller, leaf):
    product = listings.create_listing(seller, data(leaf), actor_id=None)
    with pytest.raises(ListingInvalid):
        listings.update_listing(product, data(leaf, title="Nama baru yang bagus", price=-1), actor_id=None)
    db.session.expire_all()
    assert db.session.get(Product, product.id).title == "Keripik Singkong Balado"


# --- duplicate, archive, delete ---------------------------------------------------------------------


def test_duplicate_is_a_draft_copy_sharing_photo_keys(seller, leaf):
    own = certificate(seller)
    product = listings.create_listing(seller, data(leaf, certificate_ids=[own.id]), actor_id=None)
    product.images.append(ProductImage(key="abc123", width=640, height=480, position=0))
    db.session.commit()
    copy = listings.duplicate_listing(product, actor_id=None)
    assert copy.title == "Salinan – Keripik Singkong Balado"
    assert copy.status == "draft" and copy.published_at is None
    assert copy.slug != product.slug
    assert [i.key for i in copy.images] == ["abc123"]
    assert [d.id for d in copy.certificates] == [own.id]
    assert copy.price == product.price and copy.stock == product.stock


def test_archive_and_restore_as_draft(seller, leaf):
    product = listings.create_listing(seller, data(leaf), actor_id=None)
    listings.archive_listing(product, actor_id=None)
    assert product.status == "archived"
    listings.restore_listing(product, actor_id=None)
    assert product.status == "draft"
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["product.archived", "product.restored"]


def test_delete_removes_the_product_and_its_photo_rows(seller, leaf):
    product = listings.create_listing(seller, data(leaf), actor_id=None)
    product.images.append(ProductImage(key="abc123", width=640, height=480, position=0))
    db.session.commit()
    product_id = product.id
    listings.delete_listing(product, actor_id=None)
    assert db.session.get(Product, product_id) is None
    assert db.session.scalar(select(ProductImage.id)) is None
    assert db.session.scalar(select(InventoryLog.id)) is None
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()[-1] == "product.deleted"


def test_delete_is_refused_once_ordered(seller, leaf, monkeypatch):
    product = listings.create_listing(seller, data(leaf), actor_id=None)
    monkeypatch.setattr(listings, "listing_has_orders", lambda p: True)
    with pytest.raises(ValidationFailed, match="Arsipkan"):
        listings.delete_listing(product, actor_id=None)
    assert db.session.get(Product, product.id) is not None


def test_listing_has_orders_is_false_before_the_shop_exists(seller, leaf):
    assert listings.listing_has_orders(listings.create_listing(seller, data(leaf), actor_id=None)) is False


# --- bulk import -----------------------------------------------------------------------------------


def test_import_with_one_bad_row_writes_nothing_and_names_the_row(seller, leaf):
    rows = [(None, data(leaf, title=f"Produk impor {n}")) for n in range(5)]
    rows[3] = (None, data(leaf, title="Produk impor 3", price=-1))
    with pytest.raises(listings.ImportInvalid) as caught:
        listings.import_listings(seller, rows, actor_id=None)
    assert list(caught.value.errors) == [3] and "price" in caught.value.errors[3]
    assert db.session.scalar(select(Product.id)) is None


def test_import_creates_and_updates_with_unique_slugs_and_import_stock_reason(seller, leaf):
    existing = listings.create_listing(seller, data(leaf, title="Kopi Bubuk Robusta", stock=5), actor_id=None)
    rows = [(None, data(leaf, title="Kopi Bubuk Robusta")), (None, data(leaf, title="Kopi Bubuk Robusta")),
            (existing, data(leaf, title="Kopi Bubuk Robusta", stock=9))]
    saved = listings.import_listings(seller, rows, actor_id=seller.user_id)
    assert [p.slug for p in saved] == ["kopi-bubuk-robusta-2", "kopi-bubuk-robusta-3", "kopi-bubuk-robusta"]
    reasons = db.session.scalars(select(InventoryLog.reason).order_by(InventoryLog.id)).all()
    assert reasons == ["created", "import", "import", "import"]
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()[-1] == "product.imported"


def test_import_refuses_another_sellers_product(seller, leaf):
    foreign = gen_product(category=leaf)
    with pytest.raises(NotFound):
        listings.import_listings(seller, [(foreign, data(leaf))], actor_id=None)


# --- photos ----------------------------------------------------------------------------------------


def test_photos_are_stored_as_renditions_and_appended_in_order(seller, leaf):
    product = listings.create_listing(seller, data(leaf), actor_id=None)
    added = listings.add_photos(product, [("a.jpg", jpeg()), ("b.jpg", jpeg((300, 300)))], actor_id=None)
    assert [i.position for i in added] == [0, 1]
    assert product.cover.id == added[0].id
    for image in added:
        assert storage.exists(rendition_key(image.key, 320, "webp"))
        assert storage.exists(rendition_key(image.key, 960, "jpg"))


def test_one_bad_photo_refuses_the_whole_upload(seller, leaf):
    product = listings.create_listing(seller, data(leaf), actor_id=None)
    with pytest.raises(listings.PhotosRejected) as caught:
        listings.add_photos(product, [("a.jpg", jpeg()), ("dok.jpg", b"%PDF-1.4 not a photo")], actor_id=None)
    assert len(caught.value.messages) == 1 and "dok.jpg" in str(caught.value.messages[0])
    assert db.session.scalar(select(ProductImage.id)) is None


def test_more_than_eight_photos_is_refused(seller, leaf):
    product = listings.create_listing(seller, data(leaf), actor_id=None)
    listings.add_photos(product, [(f"{n}.jpg", jpeg((40, 40))) for n in range(8)], actor_id=None)
    with pytest.raises(listings.PhotosRejected, match="8 foto"):
        listings.add_photos(product, [("9.jpg", jpeg((40, 40)))], actor_id=None)
    assert len(product.images) == 8


def test_reorder_follows_numbers_and_delete_renumbers(seller, leaf):
    product = listings.create_listing(seller, data(leaf), actor_id=None)
    a, b, c = listings.add_photos(product, [(f"{n}.jpg", jpeg((40, 40))) for n in range(3)], actor_id=None)
    listings.reorder_photos(product, {a.id: 3, b.id: 1, c.id: 2}, actor_id=None)
    assert [i.id for i in product.images] == [b.id, c.id, a.id]
    listings.delete_photo(product, c.id, actor_id=None)
    assert [(i.id, i.position) for i in product.images] == [(b.id, 0), (a.id, 1)]
    with pytest.raises(NotFound):
        listings.delete_photo(product, c.id, actor_id=None)


# --- the seller's list --------------------------------------------------------------------------


def test_seller_listings_filters_searches_counts_and_pages(seller, leaf):
    for n in range(3):
        gen_product(seller=seller, category=leaf, title=f"Sambal Bawang {n}", status="active")
    gen_product(seller=seller, category=leaf, title="Kopi Susu", status="draft")
    gen_product(category=leaf, title="Sambal milik orang lain")
    db.session.commit()
    page = listings.seller_listings(seller)
    assert page.total == 4 and page.counts == {"active": 3, "draft": 1, "all": 4}
    assert listings.seller_listings(seller, status="draft").total == 1
    assert {p.title for p in listings.seller_listings(seller, query="sambal").items} == {
        "Sambal Bawang 0", "Sambal Bawang 1", "Sambal Bawang 2"}
    second = listings.seller_listings(seller, page=2, per_page=3)
    assert (second.page, len(second.items), second.pages) == (2, 1, 2)
    assert listings.seller_listings(seller, query="100%_").total == 0


def test_low_stock_means_at_or_below_threshold_and_not_made_to_order(seller, leaf):
    product = gen_product(seller=seller, category=leaf, stock=5)
    assert listings.is_low_stock(product, 5)
    assert not listings.is_low_stock(product, 4)
    product.made_to_order = True
    assert not listings.is_low_stock(product, 5)


def test_import_audits_changed_fields_and_stock_in_one_event(seller, leaf):
    product = listings.create_listing(seller, data(leaf, title="Kopi Bubuk Robusta", stock=5), actor_id=None)
    listings.import_listings(seller, [(product, data(leaf, title="Kopi Bubuk Robusta", price=18000, stock=9))],
                             actor_id=seller.user_id)
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "product.imported"
    assert event.after["changes"][str(product.id)] == {"before": {"price": 15000, "stock": 5},
                                                       "after": {"price": 18000, "stock": 9}}
    assert verify_chain().ok


def test_import_refuses_when_stock_changed_while_it_ran(app, seller, leaf):
    from catalog.services import inventory

    product = listings.create_listing(seller, data(leaf, stock=5), actor_id=None)
    assert product.variants[0].stock == 5  # the import has read the products and their variants
    with app.app_context():  # an order lands between reading the file's products and writing
        other = db.session.get(Product, product.id)
        inventory.adjust_stock(other.variants[0], -2, actor_id=None, reason="order")
        db.session.commit()
    with pytest.raises(ValidationFailed, match="impor ulang"):
        listings.import_listings(seller, [(product, data(leaf, price=20000, stock=9))], actor_id=None)
    db.session.expire_all()
    stored = db.session.get(Product, product.id)
    assert (stored.stock, stored.price) == (3, 15000)


@pytest.mark.parametrize(
    "typed",
    [
        "Renyah, pedas manis.\n\n- Tanpa pengawet\n- Berat 250 g",
        "Satu\nDua baris\n\nParagraf <b>tebal</b> & 5 < 6",
        "1. Cuci\n2. Goreng\n\nSajikan <i>hangat</i>.",
    ],
)
def test_the_form_shows_a_description_as_typed_text_that_saves_back_unchanged(typed):
    from catalog.services.richtext import sanitise_description

    stored = sanitise_description(typed)
    shown = listings.description_as_text(stored)
    assert "<p>" not in shown and "<li>" not in shown
    assert sanitise_description(shown) == stored


def test_edit_form_data_has_the_typed_description(seller, leaf):
    product = listings.create_listing(seller, data(leaf, description="Enak.\n\n- Pedas\n- Manis"), actor_id=None)
    assert listings.listing_data_from(product).description == "Enak.\n\n- Pedas\n- Manis"
