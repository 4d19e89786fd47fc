"""The variants service without HTTP: options and their combinations, the seller's grid, switching
a combination off, what a shopper may pick, and copying a listing with options. Every refused
change gives an Indonesian message and leaves every row as it was."""

from dataclasses import replace

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import Product, ProductImage, ProductVariant
from catalog.models.audit import AuditEvent
from catalog.models.products import InventoryLog, OptionValue, ProductOption
from catalog.services import inventory, listings, variants
from catalog.services.audit import verify_chain
from catalog.services.errors import NotFound, ValidationFailed
from catalog.services.variants import OptionSpec, VariantRow, VariantsInvalid
from tests.factories import gen_product, gen_seller, gen_user, gen_variant_product

SIZES = ["S", "M", "L", "XL"]
COLOURS = ["Biru", "Merah"]
SHIRT = (("Ukuran", SIZES), ("Warna", COLOURS))
SHIRT_LABELS = [f"{size} / {colour}" for size in SIZES for colour in COLOURS]
TABLES = (Product, ProductOption, OptionValue, ProductVariant, ProductImage, InventoryLog, AuditEvent)


def specs(*options):
    """specs(("Ukuran", ["S", "M"]), ("Warna", ["Biru"])) → OptionSpec list."""
    return [OptionSpec(name, list(values)) for name, values in options]


def state():
    """Every row a change of options or variants could touch, read from the database."""
    db.session.expire_all()
    return {
        model.__tablename__: [tuple(row) for row in db.session.execute(
            select(*model.__table__.columns).order_by(model.__table__.c.id)).all()]
        for model in TABLES
    }


def by_label(product):
    return {v.label: v for v in product.variants}


def grid(product, **changes):
    """The grid as the form would send it back unchanged, with `changes` per label:
    grid(p, **{"XL / Biru": {"price": 165000}})."""
    rows = []
    for v in product.variants:
        values = {"variant_id": v.id, "price": v.price, "stock": v.stock, "sku": v.sku,
                  "weight_grams": v.weight_grams, "image_id": v.image_id, "active": v.active, "stock_seen": v.stock}
        values.update(changes.get(v.label, {}))
        rows.append(VariantRow(**values))
    return rows


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def logs(product_id):
    return db.session.scalars(select(InventoryLog).where(InventoryLog.product_id == product_id)
                              .order_by(InventoryLog.id)).all()


def add_image(product, position=0, key=None):
    image = ProductImage(product=product, key=key or f"foto-{product.id}-{position}", width=960, height=960,
                         position=position, alt=product.title)
    db.session.add(image)
    db.session.flush()
    return image


def assert_product_follows_variants(product):
    """The product row carries the lowest and highest active price and the active stock together."""
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    active = [v for v in product.variants if v.active]
    assert active, "a product always keeps one active variant"
    assert product.price == min(v.price for v in active)
    assert product.price_max == max(v.price for v in active)
    assert product.stock == sum(v.stock for v in active)


@pytest.fixture
def seller(app):
    return gen_seller()


@pytest.fixture
def shirt(seller):
    """Kemeja Batik: Ukuran S–XL × Warna Biru, Merah; every combination Rp150.000, stock 5."""
    return gen_variant_product(seller=seller, options=SHIRT, price=150_000, stock=5,
                               title="Kemeja Batik Tulis Motif Kembang")


# --- set_options ----------------------------------------------------------------------------------


def test_two_options_generate_every_combination_in_order(seller):
    product = gen_product(seller=seller, price=150_000, stock=0)
    db.session.commit()
    actor = gen_user(role="seller")
    variants.set_options(product, specs(*SHIRT), actor.id)

    product = variants.load(product.id)
    assert [o.name for o in product.options] == ["Ukuran", "Warna"]
    assert [[v.value for v in o.values] for o in product.options] == [SIZES, COLOURS]
    assert [v.label for v in product.variants] == SHIRT_LABELS
    assert [v.position for v in product.variants] == list(range(8))
    assert len({v.combo_key for v in product.variants}) == 8
    assert all(v.active and v.price == 150_000 and v.stock == 0 for v in product.variants)
    assert not any(v.is_default for v in product.variants)
    assert variants.has_options(product)
    assert (product.price, product.price_max, product.stock) == (150_000, 150_000, 0)

    event = events("product.options_changed")[-1]
    assert event.actor_id == actor.id and event.object_id == str(product.id)
    assert event.after["options"] == [{"name": "Ukuran", "values": SIZES}, {"name": "Warna", "values": COLOURS}]
    assert [v["label"] for v in event.after["variants"]] == SHIRT_LABELS
    assert verify_chain().ok


def test_option_names_and_values_are_tidied(seller):
    product = gen_product(seller=seller)
    db.session.commit()
    variants.set_options(product, specs(("  Ukuran ", variants.parse_values(" S ,  M\nL ;  XL  "))), None)
    product = variants.load(product.id)
    assert product.options[0].name == "Ukuran"
    assert [v.label for v in product.variants] == SIZES


def test_adding_a_value_keeps_every_existing_combination(shirt):
    rows = grid(shirt, **{label: {"price": 150_000 + i * 1000, "stock": i, "sku": f"KMJ-{i}"}
                          for i, label in enumerate(SHIRT_LABELS)})
    variants.update_variants(shirt, rows, None)
    before = {v.label: (v.id, v.price, v.stock, v.sku) for v in variants.load(shirt.id).variants}

    variants.set_options(shirt, specs(("Ukuran", SIZES + ["XXL"]), ("Warna", COLOURS)), None)

    product = variants.load(shirt.id)
    assert [v.label for v in product.variants] == SHIRT_LABELS + ["XXL / Biru", "XXL / Merah"]
    assert {v.label: (v.id, v.price, v.stock, v.sku) for v in product.variants[:8]} == before
    new = product.variants[8:]
    # New combinations start at the lowest price, with no stock and no SKU yet.
    assert all(v.price == 150_000 and v.stock == 0 and v.sku is None and v.active for v in new)
    assert [v.position for v in product.variants] == list(range(10))
    assert product.stock == sum(range(8))
    assert_product_follows_variants(product)


def test_a_new_colour_slots_into_the_grid_order(shirt):
    variants.set_options(shirt, specs(("Ukuran", SIZES), ("Warna", ["Biru", "Hijau", "Merah"])), None)
    product = variants.load(shirt.id)
    assert [v.label for v in product.variants] == [f"{s} / {c}" for s in SIZES for c in ("Biru", "Hijau", "Merah")]
    assert [v.position for v in product.variants] == list(range(12))


def test_removing_a_value_removes_its_combinations_and_recounts_stock(shirt):
    variants.update_variants(shirt, grid(shirt, **{"L / Biru": {"stock": 9}, "L / Merah": {"stock": 7}}), None)
    kept = {v.label: v.id for v in shirt.variants if not v.label.startswith("L ")}
    assert variants.load(shirt.id).stock == 6 * 5 + 9 + 7

    variants.set_options(shirt, specs(("Ukuran", ["S", "M", "XL"]), ("Warna", COLOURS)), None)

    product = variants.load(shirt.id)
    assert {v.label: v.id for v in product.variants} == kept
    assert [v.position for v in product.variants] == list(range(6))
    assert product.stock == 30
    assert [v.value for v in product.options[0].values] == ["S", "M", "XL"]
    assert db.session.scalar(select(OptionValue).where(OptionValue.value == "L")) is None
    # The audit event keeps what the removed combinations held.
    removed = [v for v in events("product.options_changed")[-1].before["variants"] if v["label"].startswith("L ")]
    assert sorted(v["stock"] for v in removed) == [7, 9]
    assert_product_follows_variants(product)


def test_changing_the_case_of_a_value_keeps_its_combinations(seller):
    product = gen_variant_product(seller=seller, options=(("Ukuran", ("S", "m", "L")),), price=50_000, stock=3)
    medium = by_label(product)["m"]
    medium_id = medium.id
    variants.update_variants(product, grid(product, m={"price": 55_000, "sku": "KAOS-M"}), None)

    variants.set_options(product, specs(("ukuran", ["S", "M", "L"])), None)

    product = variants.load(product.id)
    assert product.options[0].name == "ukuran"
    variant = by_label(product)["M"]
    assert (variant.id, variant.price, variant.stock, variant.sku) == (medium_id, 55_000, 3, "KAOS-M")
    assert len(product.variants) == 3


def test_putting_warna_before_ukuran_keeps_every_combination(shirt):
    rows = grid(shirt, **{label: {"price": 150_000 + i * 1000, "stock": i, "sku": f"KMJ-{i}"}
                          for i, label in enumerate(SHIRT_LABELS)})
    variants.update_variants(shirt, rows, None)
    before = {v.label: (v.id, v.price, v.stock, v.sku) for v in variants.load(shirt.id).variants}

    variants.set_options(shirt, specs(("Warna", COLOURS), ("Ukuran", SIZES)), None)

    product = variants.load(shirt.id)
    assert [v.label for v in product.variants] == [f"{c} / {s}" for c in COLOURS for s in SIZES]
    flipped = {" / ".join(reversed(v.label.split(" / "))): (v.id, v.price, v.stock, v.sku) for v in product.variants}
    assert flipped == before
    assert len({v.combo_key for v in product.variants}) == 8
    picked = variants.find_variant(product, value_ids=[product.options[0].values[1].id,
                                                       product.options[1].values[0].id])
    assert picked.label == "Merah / S" and picked.stock == before["S / Merah"][2]
    assert_product_follows_variants(product)


def test_dropping_an_option_type_replaces_the_combinations(shirt):
    variants.set_options(shirt, specs(("Ukuran", SIZES)), None)
    product = variants.load(shirt.id)
    assert [o.name for o in product.options] == ["Ukuran"]
    assert [v.label for v in product.variants] == SIZES
    assert all(v.stock == 0 and v.price == 150_000 for v in product.variants)
    assert db.session.scalar(select(OptionValue).where(OptionValue.value == "Biru")) is None
    assert product.stock == 0
    assert sum(v["stock"] for v in events("product.options_changed")[-1].before["variants"]) == 40


def test_a_simple_product_gets_options_and_starts_at_its_price_with_no_stock(seller):
    product = gen_product(seller=seller, price=85_000, stock=20, sku="BATIK-1")
    db.session.commit()

    variants.set_options(product, specs(*SHIRT), None)

    product = variants.load(product.id)
    assert len(product.variants) == 8
    assert not any(v.is_default for v in product.variants)
    assert all(v.sku is None for v in product.variants)
    assert all(v.price == 85_000 and v.stock == 0 for v in product.variants)
    assert (product.price, product.price_max, product.stock) == (85_000, 85_000, 0)
    # The 20 the default variant held are on record in the audit trail.
    before = events("product.options_changed")[-1].before
    assert before["options"] == [] and before["variants"][0]["stock"] == 20
    assert verify_chain().ok


def test_removing_every_option_brings_back_one_default_variant_with_the_active_stock(shirt):
    rows = grid(shirt, **{"S / Biru": {"stock": 3, "price": 140_000}, "M / Biru": {"stock": 4},
                          "XL / Merah": {"stock": 50, "price": 120_000, "active": False}})
    variants.update_variants(shirt, rows, None)
    active_stock = 3 + 4 + 5 * 5  # XL / Merah is switched off: its stock is not on sale
    assert variants.load(shirt.id).stock == active_stock

    actor = gen_user(role="seller")
    variants.set_options(shirt, [], actor.id)

    product = variants.load(shirt.id)
    assert product.options == []
    assert len(product.variants) == 1
    default = variants.default_variant(product)
    assert (default.price, default.stock, default.active) == (140_000, active_stock, True)
    assert (product.price, product.price_max, product.stock) == (140_000, 140_000, active_stock)
    assert db.session.scalar(select(OptionValue.id)) is None
    log = logs(product.id)[-1]
    assert (log.variant_id, log.delta, log.stock_after, log.reason, log.actor_id) == (
        default.id, active_stock, active_stock, "variants", actor.id)
    assert verify_chain().ok


def test_removing_options_from_a_product_without_options_changes_nothing_but_the_trail(seller):
    product = gen_product(seller=seller, price=20_000, stock=7)
    db.session.commit()
    default_id = variants.default_variant(product).id
    variants.set_options(product, [], None)
    product = variants.load(product.id)
    assert [(v.id, v.stock, v.price) for v in product.variants] == [(default_id, 7, 20_000)]
    assert product.stock == 7


@pytest.mark.parametrize(
    ("new_specs", "key", "message"),
    [
        ([("Ukuran", SIZES), ("Warna", COLOURS), ("Bahan", ["Katun"]), ("Lengan", ["Pendek"])],
         "options", "Maksimal 3 jenis opsi"),
        ([("Ukuran", SIZES), ("  ", COLOURS)], "option-1", "Nama opsi wajib diisi"),
        ([("Ukuran", ["S", "", "L"]), ("Warna", COLOURS)], "values-0", "Nilai opsi tidak boleh kosong"),
        ([("Ukuran", SIZES), ("Warna", [])], "values-1", "Isi paling sedikit satu nilai"),
        ([("Ukuran", ["S", "M", "m"]), ("Warna", COLOURS)], "values-0", "ditulis dua kali"),
        ([("Ukuran", SIZES), ("ukuran", COLOURS)], "option-1", "dipakai dua kali"),
        ([("Ukuran", [str(n) for n in range(11)]), ("Warna", [f"Warna {n}" for n in range(10)])],
         "options", "Terlalu banyak kombinasi (110)"),
        ([("Ukuran", SIZES), ("W" * 31, COLOURS)], "option-1", "maksimal 30 karakter"),
    ],
    ids=["fourth-option", "empty-name", "empty-value", "no-values", "value-twice", "name-twice",
         "over-100-combinations", "long-name"],
)
def test_bad_options_are_refused_and_change_nothing(shirt, new_specs, key, message):
    before = state()
    with pytest.raises(VariantsInvalid) as refused:
        variants.set_options(shirt, specs(*new_specs), None)
    assert key in refused.value.errors
    assert message in str(refused.value.errors[key])
    assert message in str(refused.value.message)
    db.session.commit()  # whatever the session still held would be written now
    assert state() == before


def test_exactly_one_hundred_combinations_are_allowed(seller):
    product = gen_product(seller=seller)
    db.session.commit()
    variants.set_options(product, specs(("Ukuran", [str(n) for n in range(10)]),
                                        ("Warna", [f"Warna {n}" for n in range(10)])), None)
    assert len(variants.load(product.id).variants) == 100


# --- the grid ---------------------------------------------------------------------------------------


def test_the_grid_saves_price_stock_sku_weight_photo_and_on_off(shirt):
    photo = add_image(shirt, position=0)
    blue = add_image(shirt, position=1)
    db.session.commit()
    actor = gen_user(role="seller")
    rows = grid(shirt, **{
        "XL / Biru": {"price": 165_000, "stock": 8, "sku": "KMJ-XL-B", "weight_grams": 420, "image_id": blue.id},
        "XL / Merah": {"price": 165_000, "sku": "KMJ-XL-M"},
        "S / Merah": {"active": False},
        "M / Biru": {"image_id": photo.id},
    })
    variants.update_variants(shirt, rows, actor.id)

    product = variants.load(shirt.id)
    xl_blue = by_label(product)["XL / Biru"]
    assert (xl_blue.price, xl_blue.stock, xl_blue.sku, xl_blue.weight_grams, xl_blue.image_id) == (
        165_000, 8, "KMJ-XL-B", 420, blue.id)
    assert by_label(product)["M / Biru"].image_id == photo.id
    assert not by_label(product)["S / Merah"].active
    assert (product.price, product.price_max) == (150_000, 165_000)
    assert product.has_price_range
    assert product.stock == 5 * 6 + 8  # S / Merah's 5 are not on sale
    stock_logs = logs(product.id)
    assert [(log.variant_id, log.delta, log.stock_after, log.reason, log.actor_id) for log in stock_logs[-1:]] == [
        (xl_blue.id, 3, 8, "manual", actor.id)]
    changes = events("product.variants_updated")[-1].after["changes"]
    assert changes[str(xl_blue.id)]["after"] == {"price": 165_000, "sku": "KMJ-XL-B", "weight_grams": 420,
                                                 "image_id": blue.id}
    assert verify_chain().ok
    assert_product_follows_variants(product)


def test_extra_large_costing_more_sets_the_highest_price(shirt):
    rows = grid(shirt, **{"XL / Biru": {"price": 165_000}, "XL / Merah": {"price": 165_000}})
    variants.update_variants(shirt, rows, None)
    product = variants.load(shirt.id)
    assert (product.price, product.price_max) == (150_000, 165_000)
    # Switching both XL rows off brings the range back to one price.
    for label in ("XL / Biru", "XL / Merah"):
        variants.set_variant_active(product, by_label(product)[label].id, False, None)
    product = variants.load(shirt.id)
    assert (product.price, product.price_max) == (150_000, 150_000)
    assert not product.has_price_range


def test_two_rows_may_swap_their_skus(shirt):
    variants.update_variants(shirt, grid(shirt, **{"S / Biru": {"sku": "KMJ-A"}, "S / Merah": {"sku": "KMJ-B"}}),
                             None)
    product = variants.load(shirt.id)
    variants.update_variants(product, grid(product, **{"S / Biru": {"sku": "KMJ-B"},
                                                       "S / Merah": {"sku": "KMJ-A"}}), None)
    product = variants.load(shirt.id)
    assert (by_label(product)["S / Biru"].sku, by_label(product)["S / Merah"].sku) == ("KMJ-B", "KMJ-A")


def test_a_sku_of_another_seller_is_fine(shirt):
    other = gen_product(sku="KMJ-S-B")  # another seller's catalogue
    db.session.commit()
    variants.update_variants(shirt, grid(shirt, **{"S / Biru": {"sku": "KMJ-S-B"}}), None)
    assert by_label(variants.load(shirt.id))["S / Biru"].sku == "KMJ-S-B"
    assert other.seller_id != shirt.seller_id


def bad_grid_cases():
    """(changes per label, the key in errors, the field, a piece of the message)."""
    return [
        ({"S / Biru": {"sku": "KMJ-1"}, "M / Biru": {"sku": "kmj-1"}}, "M / Biru", "sku", "dipakai dua kali"),
        ({"S / Biru": {"sku": "LAMA-1"}}, "S / Biru", "sku", "sudah dipakai produk lain"),
        ({"S / Biru": {"sku": "lama-1"}}, "S / Biru", "sku", "sudah dipakai produk lain"),
        ({"S / Biru": {"sku": "KMJ 1"}}, "S / Biru", "sku", "hanya boleh berisi"),
        ({"S / Biru": {"price": 99}}, "S / Biru", "price", "Harga minimal"),
        ({"S / Biru": {"price": None}}, "S / Biru", "price", "Harga wajib diisi"),
        ({"S / Biru": {"stock": -1}}, "S / Biru", "stock", "tidak boleh kurang dari nol"),
        ({"S / Biru": {"stock": None}}, "S / Biru", "stock", "Stok wajib diisi"),
        ({"S / Biru": {"weight_grams": 0}}, "S / Biru", "weight_grams", "Berat harus antara"),
        ({label: {"active": False} for label in SHIRT_LABELS}, "grid", "active", "Minimal satu kombinasi"),
    ]


@pytest.mark.parametrize(("changes", "key", "field", "message"), bad_grid_cases(),
                         ids=["sku-twice", "sku-of-another-product", "sku-other-case", "sku-spaces",
                              "price-below-100", "price-missing", "stock-below-zero", "stock-missing",
                              "weight-zero", "all-off"])
def test_a_bad_grid_is_refused_and_changes_nothing(shirt, changes, key, field, message):
    gen_product(seller=shirt.seller, sku="LAMA-1")  # another product of the same seller
    db.session.commit()
    product = variants.load(shirt.id)
    rows = grid(product, **{label: {**change, "stock_seen": None} for label, change in changes.items()})
    # Good changes on other rows are not saved either.
    rows = [replace(row, price=175_000) if row.variant_id == by_label(product)["L / Merah"].id else row
            for row in rows]
    before = state()
    with pytest.raises(VariantsInvalid) as refused:
        variants.update_variants(product, rows, None)
    errors = refused.value.errors
    error_key = key if key == "grid" else by_label(product)[key].id
    assert message in str(errors[error_key][field])
    db.session.commit()
    assert state() == before


@pytest.mark.parametrize("whose", ["another-product", "missing"])
def test_a_variant_id_not_of_this_product_is_refused(shirt, whose):
    other = gen_variant_product(seller=shirt.seller, options=(("Rasa", ("Original", "Pedas")),), price=15_000)
    foreign_id = other.variants[0].id if whose == "another-product" else 999_999
    product = variants.load(shirt.id)
    rows = grid(product, **{"S / Biru": {"price": 200_000}})
    rows.append(VariantRow(variant_id=foreign_id, price=1_000, stock=0))
    before = state()
    with pytest.raises(VariantsInvalid, match="Kombinasi tidak ditemukan"):
        variants.update_variants(product, rows, None)
    db.session.commit()
    assert state() == before


def test_a_photo_of_another_product_is_refused(shirt):
    stranger = gen_product()
    foreign = add_image(stranger)
    db.session.commit()
    product = variants.load(shirt.id)
    before = state()
    with pytest.raises(VariantsInvalid) as refused:
        variants.update_variants(product, grid(product, **{"M / Merah": {"image_id": foreign.id}}), None)
    assert "Pilih salah satu foto produk ini" in str(refused.value.errors[by_label(product)["M / Merah"].id]["image_id"])
    db.session.commit()
    assert state() == before


def test_an_order_placed_while_the_grid_was_open_is_not_overwritten(app, shirt):
    product = variants.load(shirt.id)
    rows = grid(product, **{"M / Biru": {"price": 160_000}})  # the seller only changes a price
    target = by_label(product)["M / Biru"]
    with app.app_context():  # a shopper's order lands meanwhile
        mine = db.session.get(ProductVariant, target.id)
        inventory.reserve([(mine, 2)], actor_id=None)
        db.session.commit()
        db.session.remove()

    variants.update_variants(product, rows, None)

    product = variants.load(shirt.id)
    assert by_label(product)["M / Biru"].stock == 3
    assert by_label(product)["M / Biru"].price == 160_000
    assert product.stock == 8 * 5 - 2
    assert [log.reason for log in logs(product.id) if log.variant_id == target.id][-1] == "order"


def test_a_stock_the_seller_typed_wins_over_the_stock_the_form_showed(app, shirt):
    product = variants.load(shirt.id)
    target = by_label(product)["L / Merah"]
    rows = grid(product, **{"L / Merah": {"stock": 12}})
    with app.app_context():
        inventory.reserve([(db.session.get(ProductVariant, target.id), 1)], actor_id=None)
        db.session.commit()
        db.session.remove()
    variants.update_variants(product, rows, None)
    product = variants.load(shirt.id)
    assert by_label(product)["L / Merah"].stock == 12
    # Logged against what was really there (4 after the order), not what the form showed.
    assert [(log.delta, log.stock_after) for log in logs(product.id) if log.variant_id == target.id][-1] == (8, 12)
    assert_product_follows_variants(product)


# --- on/off and bulk ---------------------------------------------------------------------------------


def test_switching_a_combination_off_takes_it_out_of_stock_and_price_range(shirt):
    variants.update_variants(shirt, grid(shirt, **{"XL / Merah": {"price": 165_000, "stock": 9}}), None)
    product = variants.load(shirt.id)
    xl_red = by_label(product)["XL / Merah"]
    actor = gen_user(role="seller")

    variants.set_variant_active(product, xl_red.id, False, actor.id)
    product = variants.load(shirt.id)
    assert (product.price, product.price_max, product.stock) == (150_000, 150_000, 7 * 5)
    assert by_label(product)["XL / Merah"].stock == 9  # its stock stays for when it comes back
    assert events("product.variant_deactivated")[-1].after == {"variant_id": xl_red.id, "label": "XL / Merah"}

    variants.set_variant_active(product, xl_red.id, True, actor.id)
    product = variants.load(shirt.id)
    assert (product.price, product.price_max, product.stock) == (150_000, 165_000, 7 * 5 + 9)
    assert events("product.variant_activated")
    assert verify_chain().ok


def test_the_last_active_combination_cannot_be_switched_off(seller):
    product = gen_variant_product(seller=seller, options=(("Rasa", ("Original", "Pedas")),), price=15_000)
    original, pedas = product.variants
    variants.set_variant_active(product, pedas.id, False, None)
    product = variants.load(product.id)
    before = state()
    with pytest.raises(VariantsInvalid, match="Minimal satu kombinasi harus aktif"):
        variants.set_variant_active(product, original.id, False, None)
    db.session.commit()
    assert state() == before


def test_switching_a_variant_of_another_product_is_not_found(shirt):
    other = gen_variant_product(seller=shirt.seller, options=(("Rasa", ("Original", "Pedas")),))
    before = state()
    with pytest.raises(NotFound):
        variants.set_variant_active(variants.load(shirt.id), other.variants[0].id, False, None)
    db.session.commit()
    assert state() == before


def test_bulk_set_changes_every_active_combination_only(shirt):
    off = by_label(shirt)["S / Biru"]
    variants.set_variant_active(shirt, off.id, False, None)
    product = variants.load(shirt.id)
    variants.bulk_set(product, price=99_000, actor_id=None)
    variants.bulk_set(variants.load(shirt.id), stock=12, actor_id=None)
    product = variants.load(shirt.id)
    assert [(v.price, v.stock) for v in product.variants if v.active] == [(99_000, 12)] * 7
    assert (by_label(product)["S / Biru"].price, by_label(product)["S / Biru"].stock) == (150_000, 5)
    assert (product.price, product.price_max, product.stock) == (99_000, 99_000, 84)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "Isi harga atau stok"),
    ({"price": 50}, "Harga minimal"),
    ({"stock": -3}, "tidak boleh kurang dari nol"),
])
def test_bad_bulk_set_is_refused_and_changes_nothing(shirt, kwargs, message):
    product = variants.load(shirt.id)
    before = state()
    with pytest.raises(VariantsInvalid, match=message):
        variants.bulk_set(product, actor_id=None, **kwargs)
    db.session.commit()
    assert state() == before


# --- what a shopper may pick -------------------------------------------------------------------------


def test_find_variant_by_id_and_by_values(shirt):
    product = variants.load(shirt.id)
    m_red = by_label(product)["M / Merah"]
    assert variants.find_variant(product, variant_id=m_red.id) is m_red
    assert variants.find_variant(product, value_ids=list(m_red.value_ids)) is m_red


def test_a_simple_product_always_gives_its_default_variant(seller):
    product = gen_product(seller=seller)
    db.session.commit()
    product = variants.load(product.id)
    default = variants.default_variant(product)
    assert variants.find_variant(product) is default
    assert variants.find_variant(product, variant_id=12345) is default


def test_unavailable_combinations_cannot_be_picked(shirt):
    other = gen_variant_product(seller=shirt.seller, options=(("Rasa", ("Original", "Pedas")),))
    product = variants.load(shirt.id)
    off = by_label(product)["L / Biru"]
    variants.set_variant_active(product, off.id, False, None)
    product = variants.load(shirt.id)
    size_s = product.options[0].values[0].id
    attempts = [
        {"variant_id": off.id},  # switched off
        {"value_ids": list(off.value_ids)},
        {"variant_id": other.variants[0].id},  # someone else's combination
        {"value_ids": [size_s, other.variants[0].value1_id]},
        {"variant_id": 999_999},
        {"value_ids": [size_s]},  # one value short
        {},
    ]
    for attempt in attempts:
        with pytest.raises(ValidationFailed, match="Kombinasi ini tidak tersedia"):
            variants.find_variant(product, **attempt)


def test_the_picker_offers_only_active_combinations(shirt):
    photo = add_image(shirt, key="kemeja-biru")
    db.session.commit()
    rows = grid(shirt, **{"S / Biru": {"image_id": photo.id, "stock": 0}})
    variants.update_variants(shirt, rows, None)
    product = variants.load(shirt.id)
    variants.set_variant_active(product, by_label(product)["XL / Merah"].id, False, None)
    data = variants.picker(variants.load(shirt.id)).as_json()
    assert [o["name"] for o in data["options"]] == ["Ukuran", "Warna"]
    assert len(data["variants"]) == 7
    first = data["variants"][0]
    assert (first["image"], first["stock"], first["in_stock"]) == ("kemeja-biru", 0, False)


# --- duplicating a listing with options ----------------------------------------------------------------


def test_a_duplicate_copies_options_prices_stock_weight_on_off_and_photos_not_skus(shirt):
    cover = add_image(shirt, position=0, key="kemeja-sampul")
    red = add_image(shirt, position=1, key="kemeja-merah")
    db.session.commit()
    rows = grid(shirt, **{
        "XL / Biru": {"price": 165_000, "stock": 2, "sku": "KMJ-XL-B", "weight_grams": 450},
        "XL / Merah": {"price": 165_000, "stock": 0, "sku": "KMJ-XL-M", "image_id": red.id},
        "S / Merah": {"active": False, "stock": 11, "image_id": cover.id},
    })
    variants.update_variants(shirt, rows, None)
    source = variants.load(shirt.id)
    expected = [(v.label, v.price, v.stock, v.weight_grams, v.active) for v in source.variants]

    copy = listings.duplicate_listing(source, None)

    copy = variants.load(copy.id)
    assert copy.id != source.id and copy.status == "draft"
    assert [(o.name, [v.value for v in o.values]) for o in copy.options] == [("Ukuran", SIZES), ("Warna", COLOURS)]
    assert [(v.label, v.price, v.stock, v.weight_grams, v.active) for v in copy.variants] == expected
    assert all(v.sku is None for v in copy.variants)
    images = {image.id: image.key for image in copy.images}
    assert images[by_label(copy)["XL / Merah"].image_id] == "kemeja-merah"
    assert images[by_label(copy)["S / Merah"].image_id] == "kemeja-sampul"
    assert by_label(copy)["M / Biru"].image_id is None
    assert set(images).isdisjoint({cover.id, red.id})  # the copy's own photo rows
    assert_product_follows_variants(copy)
    # The copy's opening stock is logged per combination, as for a new listing.
    opening = {log.variant_id: (log.delta, log.reason) for log in logs(copy.id)}
    assert opening == {v.id: (v.stock, "created") for v in copy.variants if v.stock}
    # The original is untouched.
    assert [v.sku for v in variants.load(shirt.id).variants if v.sku] == ["KMJ-XL-B", "KMJ-XL-M"]
    assert verify_chain().ok
