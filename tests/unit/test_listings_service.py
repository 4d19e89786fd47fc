"""The listing rules and the listing service: validation, create/edit with audit and stock log,
duplicate, archive/restore, delete, bulk import, photos."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from catalog import storage
from catalog.extensions import db
from catalog.models import Product, ProductImage, SellerDocument
from catalog.models.audit import AuditEvent
from catalog.models.products import InventoryLog, ProductVariant
from catalog.services import listing_import, listings
from catalog.services.audit import verify_chain
from catalog.services.errors import NotFound, ValidationFailed
from catalog.services.images import rendition_key
from catalog.services.listing_import import ImportEntry, VariantEntry
from catalog.services.listings import ListingData, ListingInvalid
from tests.factories import gen_category, gen_product, gen_seller, gen_variant_product


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
    rows = [ImportEntry(None, data(leaf, title=f"Produk impor {n}")) for n in range(5)]
    rows[3] = ImportEntry(None, data(leaf, title="Produk impor 3", price=-1))
    with pytest.raises(listing_import.ImportInvalid) as caught:
        listing_import.import_listings(seller, rows, actor_id=None)
    assert list(caught.value.errors) == [3] and "price" in caught.value.errors[3]
    assert db.session.scalar(select(Product.id)) is None


def test_import_creates_and_updates_with_unique_slugs_and_import_stock_reason(seller, leaf):
    existing = listings.create_listing(seller, data(leaf, title="Kopi Bubuk Robusta", stock=5), actor_id=None)
    rows = [ImportEntry(None, data(leaf, title="Kopi Bubuk Robusta")),
            ImportEntry(None, data(leaf, title="Kopi Bubuk Robusta")),
            ImportEntry(existing, data(leaf, title="Kopi Bubuk Robusta", stock=9))]
    outcome = listing_import.import_listings(seller, rows, actor_id=seller.user_id)
    assert [p.slug for p in outcome.products] == ["kopi-bubuk-robusta-2", "kopi-bubuk-robusta-3", "kopi-bubuk-robusta"]
    assert (len(outcome.created), outcome.changed_ids) == (2, {existing.id})
    reasons = db.session.scalars(select(InventoryLog.reason).order_by(InventoryLog.id)).all()
    assert reasons == ["created", "import", "import", "import"]
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()[-1] == "product.imported"


def test_import_refuses_another_sellers_product(seller, leaf):
    foreign = gen_product(category=leaf)
    with pytest.raises(NotFound):
        listing_import.import_listings(seller, [ImportEntry(foreign, data(leaf))], actor_id=None)


# --- bulk import of listings with options --------------------------------------------------------


def kemeja(leaf, **kw) -> ListingData:
    return data(leaf, **{"title": "Kemeja Batik Tulis Motif Kembang", "price": None, "stock": None, **kw})


def by_label(product) -> dict:
    return {v.label: v for v in product.variants}


def test_import_creates_a_listing_with_options_and_switches_off_the_combinations_left_out(seller, leaf):
    combos = [VariantEntry(("Original", "100 g"), price=10000, stock=5, sku="KR-O-100"),
              VariantEntry(("original", "250 g"), price=22000, stock=2),  # same value, other case
              VariantEntry(("Pedas", "100 g"), price=11000, stock=0, active=False),
              VariantEntry(("Pedas", "250 g"), price=23000, stock=4),
              VariantEntry(("Balado", "100 g"), price=12000, stock=1)]
    entry = ImportEntry(None, data(leaf, title="Keripik Singkong Aneka Rasa", price=None),
                        option_names=["Rasa", "Berat"], variants=combos)
    outcome = listing_import.import_listings(seller, [entry], actor_id=seller.user_id)
    assert outcome.filled == 1

    db.session.expire_all()
    product = db.session.get(Product, outcome.created[0].id)
    assert [(o.name, [v.value for v in o.values]) for o in product.options] == [
        ("Rasa", ["Original", "Pedas", "Balado"]), ("Berat", ["100 g", "250 g"])]
    variants_ = by_label(product)
    assert list(variants_) == ["Original / 100 g", "Original / 250 g", "Pedas / 100 g", "Pedas / 250 g",
                               "Balado / 100 g", "Balado / 250 g"]
    assert [(v.price, v.stock, v.active) for v in variants_.values()] == [
        (10000, 5, True), (22000, 2, True), (11000, 0, False), (23000, 4, True), (12000, 1, True),
        (10000, 0, False)]  # Balado 250 g was not listed: off, no stock, at the lowest price
    assert variants_["Original / 100 g"].sku == "KR-O-100"
    assert (product.price, product.price_max, product.stock) == (10000, 23000, 12)
    logs = db.session.scalars(select(InventoryLog).order_by(InventoryLog.id)).all()
    assert sorted((log.variant_id, log.delta, log.reason) for log in logs) == sorted(
        (v.id, v.stock, "import") for v in product.variants if v.stock)
    assert verify_chain().ok


def test_import_changes_one_combination_and_leaves_the_others(app, seller, leaf):
    product = gen_variant_product(seller=seller, category=leaf, price=150_000, stock=5)
    combos = by_label(product)
    m_biru = combos["M / Biru"]
    entry = ImportEntry(product, listings.listing_data_from(product),
                        variants=[VariantEntry(variant=m_biru, price=165_000, stock=9, sku="KMJ-M-BIRU")])
    outcome = listing_import.import_listings(seller, [entry], actor_id=seller.user_id)
    assert outcome.changed_ids == {product.id}

    db.session.expire_all()
    product = db.session.get(Product, product.id)
    combos = by_label(product)
    assert (combos["M / Biru"].price, combos["M / Biru"].stock, combos["M / Biru"].sku) == (165_000, 9, "KMJ-M-BIRU")
    assert all((v.price, v.stock) == (150_000, 5) for label, v in combos.items() if label != "M / Biru")
    assert (product.price, product.price_max, product.stock) == (150_000, 165_000, 5 * 5 + 9)
    log = db.session.scalars(select(InventoryLog).order_by(InventoryLog.id.desc())).first()
    assert (log.variant_id, log.delta, log.stock_after, log.reason) == (m_biru.id, 4, 9, "import")
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "product.imported"
    assert event.after["changes"][str(product.id)]["variants"][str(m_biru.id)] == {
        "label": "M / Biru", "before": {"price": 150_000, "sku": None, "stock": 5},
        "after": {"price": 165_000, "sku": "KMJ-M-BIRU", "stock": 9}}


def test_switching_combinations_off_recounts_the_listing(seller, leaf):
    product = gen_variant_product(seller=seller, category=leaf, options=(("Ukuran", ("S", "M")),), price=50_000,
                                  stock=4)
    combos = by_label(product)
    entry = ImportEntry(product, listings.listing_data_from(product),
                        variants=[VariantEntry(variant=combos["S"], price=40_000, active=False)])
    listing_import.import_listings(seller, [entry], actor_id=None)
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert (product.price, product.price_max, product.stock) == (50_000, 50_000, 4)
    assert not by_label(product)["S"].active


def test_combinations_may_swap_skus_and_a_new_listing_may_take_one_given_up(seller, leaf):
    product = gen_variant_product(seller=seller, category=leaf, options=(("Ukuran", ("S", "M", "L")),))
    combos = by_label(product)
    combos["S"].sku, combos["M"].sku, combos["L"].sku = "SKU-A", "SKU-B", "SKU-C"
    db.session.commit()
    entries = [
        ImportEntry(product, listings.listing_data_from(product), variants=[
            VariantEntry(variant=combos["S"], price=combos["S"].price, sku="SKU-B"),
            VariantEntry(variant=combos["M"], price=combos["M"].price, sku="SKU-A"),
            VariantEntry(variant=combos["L"], price=combos["L"].price, sku=None)]),
        ImportEntry(None, data(leaf, title="Kemeja Polos Putih", sku="SKU-C")),
    ]
    outcome = listing_import.import_listings(seller, entries, actor_id=None)
    db.session.expire_all()
    assert [v.sku for v in db.session.get(Product, product.id).variants] == ["SKU-B", "SKU-A", None]
    assert db.session.get(Product, outcome.created[0].id).variants[0].sku == "SKU-C"


def test_import_refuses_when_a_combinations_stock_changed_while_it_ran(app, seller, leaf):
    from catalog.services import inventory

    product = gen_variant_product(seller=seller, category=leaf, options=(("Ukuran", ("S", "M")),), stock=5)
    combos = by_label(product)
    with app.app_context():  # an order lands after the import read the combinations
        inventory.adjust_stock(db.session.get(type(combos["S"]), combos["S"].id), -2, actor_id=None, reason="order")
        db.session.commit()
    entry = ImportEntry(product, listings.listing_data_from(product),
                        variants=[VariantEntry(variant=combos["S"], price=90_000, stock=9)])
    with pytest.raises(ValidationFailed, match="impor ulang"):
        listing_import.import_listings(seller, [entry], actor_id=None)
    db.session.expire_all()
    stored = by_label(db.session.get(Product, product.id))["S"]
    assert (stored.stock, stored.price) == (3, 100_000)


def test_an_import_that_changes_nothing_writes_no_event_and_no_stock_log(seller, leaf):
    product = gen_variant_product(seller=seller, category=leaf)
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    logs = db.session.scalar(select(func.count(InventoryLog.id)))
    entry = ImportEntry(product, listings.listing_data_from(product), variants=[
        VariantEntry(variant=v, price=v.price, stock=v.stock, sku=v.sku, active=v.active) for v in product.variants])
    outcome = listing_import.import_listings(seller, [entry], actor_id=None)
    assert outcome.changed_ids == set()
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events
    assert db.session.scalar(select(func.count(InventoryLog.id))) == logs


@pytest.mark.parametrize(
    ("combos", "key", "field"),
    [
        ([VariantEntry(("M", "Biru"), price=100), VariantEntry(("m", "BIRU"), price=100)], 1, "values"),
        ([VariantEntry(("M", ""), price=100)], 0, "values"),
        ([VariantEntry(("M",), price=100)], 0, "values"),
        ([VariantEntry(("M", "Biru"), price=-5)], 0, "price"),
        ([VariantEntry(("M", "Biru"), price=None)], 0, "price"),
        ([VariantEntry(("M", "Biru"), price=100, stock=-1)], 0, "stock"),
        ([VariantEntry(("M", "Biru"), price=100, sku="ada spasi")], 0, "sku"),
        ([VariantEntry(("M", "Biru"), price=100, sku="X-1"), VariantEntry(("L", "Biru"), price=100, sku="x-1")], 1,
         "sku"),
    ],
    ids=["duplicate", "empty-value", "missing-value", "negative-price", "no-price", "negative-stock", "sku-form",
         "sku-twice"],
)
def test_bad_combinations_of_a_new_listing_are_named_and_nothing_is_written(seller, leaf, combos, key, field):
    entry = ImportEntry(None, kemeja(leaf), option_names=["Ukuran", "Warna"], variants=combos)
    with pytest.raises(listing_import.ImportInvalid) as caught:
        listing_import.import_listings(seller, [entry], actor_id=None)
    assert field in caught.value.errors[0]["variants"][key]
    assert db.session.scalar(select(Product.id)) is None


def test_options_of_a_new_listing_follow_the_variant_rules(seller, leaf):
    many = [VariantEntry((f"U{n}", f"W{m}"), price=100) for n in range(11) for m in range(10)]
    errors = listing_import.check_entries(seller, [
        ImportEntry(None, kemeja(leaf), option_names=["Ukuran", "ukuran"],
                    variants=[VariantEntry(("M", "M"), price=100)]),
        ImportEntry(None, kemeja(leaf), option_names=["Ukuran", "Warna"], variants=many),
        ImportEntry(None, kemeja(leaf), option_names=["Ukuran"],
                    variants=[VariantEntry(("M",), price=100, active=False)]),
    ])
    assert "option-1" in errors[0]
    assert "Terlalu banyak kombinasi" in str(errors[1]["options"])
    assert "Minimal satu kombinasi harus aktif" in str(errors[2]["active"])


def test_sku_taken_by_another_listing_or_kept_by_one_in_the_list_is_refused(seller, leaf):
    gen_product(seller=seller, category=leaf, sku="LAIN-1")
    product = gen_variant_product(seller=seller, category=leaf, options=(("Ukuran", ("S", "M")),))
    combos = by_label(product)
    combos["S"].sku = "KEEP-1"
    db.session.commit()
    errors = listing_import.check_entries(seller, [
        ImportEntry(product, listings.listing_data_from(product),
                    variants=[VariantEntry(variant=combos["M"], price=100_000, sku="lain-1")]),
        ImportEntry(None, kemeja(leaf), option_names=["Ukuran"],
                    variants=[VariantEntry(("M",), price=100, sku="KEEP-1")]),
    ])
    assert "sudah dipakai produk lain" in str(errors[0]["variants"][0]["sku"])
    assert "sudah dipakai produk lain" in str(errors[1]["variants"][0]["sku"])


def test_an_existing_listing_without_options_gets_none_through_an_import(seller, leaf):
    product = gen_product(seller=seller, category=leaf)
    errors = listing_import.check_entries(seller, [ImportEntry(product, listings.listing_data_from(product),
                                                               option_names=["Ukuran"])])
    assert "belum punya varian" in str(errors[0]["options"])


def test_import_of_listings_with_options_does_not_query_per_listing(app, seller, leaf):
    from tests.querycount import count_queries

    def entries(count, start):
        return [ImportEntry(None, kemeja(leaf, title=f"Kemeja Batik Nomor {n}"), option_names=["Ukuran", "Warna"],
                            variants=[VariantEntry((size, colour), price=100_000, stock=2, sku=f"K{n}-{size}-{colour}")
                                      for size in ("S", "M", "L") for colour in ("Biru", "Merah")])
                for n in range(start, start + count)]

    counts = []
    for count, start in ((3, 0), (30, 100)):
        batch = entries(count, start)
        assert seller.id  # loaded again after the first batch's commit, outside the count
        with count_queries(app) as q:
            listing_import.import_listings(seller, batch, actor_id=None)
        inserts = sum(1 for statement in q.statements if statement.lstrip().upper().startswith("INSERT"))
        counts.append((q.count - inserts, inserts))
    # Reading, checking, locking, updating: the same few statements for 3 listings or 30 (give or
    # take one of the search index's own batched reads after the commit).
    assert abs(counts[0][0] - counts[1][0]) <= 1, counts
    if db.engine.dialect.name == "postgresql":
        # One INSERT per table however many rows (SQLite's driver cannot return the ids of a
        # multi-row INSERT in order, so SQLAlchemy sends its rows one by one, in process).
        assert counts[0][1] == counts[1][1], counts
    assert db.session.scalar(select(func.count(ProductVariant.id))) == 33 * 6


def test_a_sku_taken_by_another_request_meanwhile_refuses_the_import_cleanly(seller, leaf, monkeypatch):
    gen_product(seller=seller, category=leaf, sku="KR-1")
    db.session.commit()
    # The check ran before the other request committed its SKU: the database still refuses it.
    monkeypatch.setattr(listing_import.variants, "taken_skus", lambda *a, **kw: set())
    with pytest.raises(ValidationFailed, match="silakan impor ulang"):
        listing_import.import_listings(seller, [ImportEntry(None, data(leaf, title="Keripik Baru Sekali", sku="KR-1"))],
                                       actor_id=None)
    assert db.session.scalar(select(func.count(Product.id))) == 1


def test_stock_changes_of_many_combinations_do_not_query_per_listing(app, seller, leaf):
    from tests.querycount import count_queries

    products = [gen_variant_product(seller=seller, category=leaf, title=f"Kemeja Batik Nomor {n}") for n in range(33)]
    counts = []
    for batch in (products[:3], products[3:]):
        listing_import._load_for_update(products)  # as the CSV import loads them, outside the count
        entries = [ImportEntry(p, listings.listing_data_from(p),
                               variants=[VariantEntry(variant=v, price=v.price + 1000, stock=v.stock + 1, sku=v.sku)
                                         for v in p.variants]) for p in batch]
        with count_queries(app) as q:
            listing_import.import_listings(seller, entries, actor_id=None)
        inserts = sum(1 for statement in q.statements if statement.lstrip().upper().startswith("INSERT"))
        # inventory.set_stocks moves each listing's stock total with its own UPDATE (in id order).
        totals = sum(1 for statement in q.statements if statement.startswith("UPDATE product SET stock="))
        counts.append((q.count - inserts - totals, inserts))
    assert abs(counts[0][0] - counts[1][0]) <= 1, counts  # see the test above
    if db.engine.dialect.name == "postgresql":
        assert counts[0][1] == counts[1][1], counts


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
    listing_import.import_listings(
        seller, [ImportEntry(product, data(leaf, title="Kopi Bubuk Robusta", price=18000, stock=9))],
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
        listing_import.import_listings(seller, [ImportEntry(product, data(leaf, price=20000, stock=9))], actor_id=None)
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
