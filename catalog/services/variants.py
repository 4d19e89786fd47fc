"""Product variants: the option types of a product (Ukuran, Warna, Rasa), their values, and the
combinations that are sold, each with its own price, stock, SKU, weight and photo.

A product without options has exactly one default variant (combo_key ""), so carts, orders and
stock always point at a variant. This module is the one place that changes options and variants,
and it keeps the product row in step: `price`/`price_max` are the lowest and highest active
price, `stock` the active stock together (see services/inventory.py for stock changes).

Every function runs the checks first and raises VariantsInvalid (nothing written) or writes in
the caller's session; the public ones commit, the `_`-prefixed ones are for listings.py and
imports that commit themselves.
"""

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from catalog.extensions import db
from catalog.models.products import MAX_OPTIONS, OptionValue, Product, ProductImage, ProductOption, ProductVariant
from catalog.services import audit, inventory
from catalog.services.errors import DomainError, NotFound, ValidationFailed
from catalog.services.money import MAX_QUANTITY

PRICE_MIN = 100
PRICE_MAX = 10**12
OPTION_NAME_MAX = 30
VALUE_MAX = 40
MAX_VALUES = 20  # per option type
MAX_COMBINATIONS = 100  # a grid a seller can still fill on a phone
SKU_MAX = 40
WEIGHT_MAX_GRAMS = 1_000_000
SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")

MSG_NOT_AVAILABLE = _l("Kombinasi ini tidak tersedia. Silakan pilih kombinasi lain.")


class VariantsInvalid(ValidationFailed):
    """Options or variant rows broke one or more rules; nothing was changed. `errors` maps a key
    ("options", "option-0", "value-1-2", or a variant id) to a message or to {field: message}."""

    def __init__(self, errors: dict[Any, Any]):
        first = next(iter(errors.values()))
        message = next(iter(first.values())) if isinstance(first, dict) else first
        super().__init__(message)
        self.errors = errors


# --- reading --------------------------------------------------------------------------------------


def load(product_id: int) -> Product | None:
    """A product with its options, values, variants and photos, in four queries."""
    return db.session.scalars(
        select(Product).where(Product.id == product_id).options(
            selectinload(Product.options).selectinload(ProductOption.values),
            selectinload(Product.variants),
            selectinload(Product.images),
        )
    ).one_or_none()


def has_options(product: Product) -> bool:
    return bool(product.options)


def default_variant(product: Product) -> ProductVariant:
    """The single variant of a product without options."""
    for variant in product.variants:
        if variant.is_default:
            return variant
    raise NotFound(_l("Varian produk tidak ditemukan."))


def active_variants(product: Product) -> list[ProductVariant]:
    return [v for v in product.variants if v.active]


def find_variant(product: Product, *, variant_id: int | None = None,
                 value_ids: Sequence[int] | None = None) -> ProductVariant:
    """The active variant a shopper picked, by its id (the no-JavaScript list) or by one value
    per option (the buttons). A product without options always gives its default variant.
    Raises ValidationFailed when the combination does not exist or is switched off (a form
    edited by hand, or a combination the seller just deactivated)."""
    if not product.options:
        variant = default_variant(product)
    elif variant_id is not None:
        variant = next((v for v in product.variants if v.id == variant_id), None)
    elif value_ids is not None and len(value_ids) == len(product.options):
        key = ProductVariant.key_for(list(value_ids))
        variant = next((v for v in product.variants if v.combo_key == key), None)
    else:
        variant = None
    if variant is None or not variant.active:
        raise ValidationFailed(MSG_NOT_AVAILABLE, field="variant")
    return variant


@dataclass(frozen=True)
class PickerValue:
    id: int
    value: str


@dataclass(frozen=True)
class PickerOption:
    name: str
    values: list[PickerValue]


@dataclass(frozen=True)
class PickerVariant:
    id: int
    label: str
    value_ids: tuple[int, ...]
    price: int
    stock: int
    in_stock: bool
    image_key: str | None


@dataclass(frozen=True)
class Picker:
    """What the product page needs to let a shopper choose: the options with their values and
    the active combinations (inactive ones are simply not offered)."""

    options: list[PickerOption]
    variants: list[PickerVariant]

    def as_json(self) -> dict[str, Any]:
        return {
            "options": [{"name": o.name, "values": [{"id": v.id, "value": v.value} for v in o.values]}
                        for o in self.options],
            "variants": [{"id": v.id, "values": list(v.value_ids), "price": v.price, "stock": v.stock,
                          "in_stock": v.in_stock, "image": v.image_key} for v in self.variants],
        }


def picker(product: Product) -> Picker:
    images = {image.id: image.key for image in product.images}
    return Picker(
        options=[PickerOption(o.name, [PickerValue(v.id, v.value) for v in o.values]) for o in product.options],
        variants=[
            PickerVariant(v.id, v.label, v.value_ids, v.price, v.stock, v.in_stock, images.get(v.image_id))
            for v in product.variants if v.active
        ],
    )


# --- the product row follows its variants ---------------------------------------------------------


def sync_product(product: Product) -> None:
    """Lowest and highest active price onto the product, and its stock total recounted."""
    db.session.flush()
    low, high = db.session.execute(
        select(func.min(ProductVariant.price), func.max(ProductVariant.price))
        .where(ProductVariant.product_id == product.id, ProductVariant.active.is_(True))
    ).one()
    if low is not None:
        product.price, product.price_max = int(low), int(high)
    inventory.recount_product(product)


def new_default_variant(product: Product, *, price: int, stock: int, sku: str | None = None) -> ProductVariant:
    variant = ProductVariant(product=product, seller_id=product.seller_id, combo_key="", price=price, stock=stock,
                             sku=sku or None, active=True, position=0)
    product.price = product.price_max = price
    product.stock = stock
    return variant


# --- options ---------------------------------------------------------------------------------------


@dataclass
class OptionSpec:
    """One option type as a seller typed it: "Ukuran" with values "S, M, L, XL"."""

    name: str
    values: list[str] = field(default_factory=list)


def parse_values(text: str) -> list[str]:
    """"S, M, L" or one value per line → ["S", "M", "L"] (blank pieces kept out; the caller
    decides whether an empty list is an error)."""
    return [" ".join(piece.split()) for piece in re.split(r"[,\n;]", text or "") if piece.strip()]


def validate_options(specs: Sequence[OptionSpec]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if len(specs) > MAX_OPTIONS:
        errors["options"] = _l("Maksimal %(n)d jenis opsi per produk (misalnya Ukuran, Warna, Rasa).", n=MAX_OPTIONS)
        return errors
    names: set[str] = set()
    combinations = 1
    for i, spec in enumerate(specs):
        name = " ".join((spec.name or "").split())
        if not name:
            errors[f"option-{i}"] = _l("Nama opsi wajib diisi, misalnya Ukuran atau Rasa.")
        elif len(name) > OPTION_NAME_MAX:
            errors[f"option-{i}"] = _l("Nama opsi maksimal %(max)d karakter.", max=OPTION_NAME_MAX)
        elif name.casefold() in names:
            errors[f"option-{i}"] = _l("Nama opsi “%(name)s” dipakai dua kali.", name=name)
        names.add(name.casefold())
        values = [" ".join((v or "").split()) for v in spec.values]
        seen: set[str] = set()
        if not values:
            errors[f"values-{i}"] = _l("Isi paling sedikit satu nilai untuk opsi ini, misalnya S, M, L.")
        elif len(values) > MAX_VALUES:
            errors[f"values-{i}"] = _l("Maksimal %(n)d nilai per opsi.", n=MAX_VALUES)
        for value in values:
            if not value:
                errors[f"values-{i}"] = _l("Nilai opsi tidak boleh kosong.")
            elif len(value) > VALUE_MAX:
                errors[f"values-{i}"] = _l("Nilai opsi maksimal %(max)d karakter.", max=VALUE_MAX)
            elif value.casefold() in seen:
                errors[f"values-{i}"] = _l("Nilai “%(value)s” ditulis dua kali.", value=value)
            seen.add(value.casefold())
        combinations *= max(len(values), 1)
    if not errors and combinations > MAX_COMBINATIONS:
        errors["options"] = _l("Terlalu banyak kombinasi (%(n)d). Maksimal %(max)d kombinasi per produk.",
                               n=combinations, max=MAX_COMBINATIONS)
    return errors


def set_options(product: Product, specs: Sequence[OptionSpec], actor_id: int | None) -> Product:
    """Give the product these option types and values (or none) and generate the combinations.

    Options and values are matched to the existing ones by name (case-insensitive), so a
    combination that still exists keeps its price, stock, SKU and photo. New combinations start
    at the product's lowest price with stock 0 and are active. A combination that no longer
    exists is removed with its stock log (the audit event keeps what it held). Going from no
    options to options replaces the default variant (the seller enters stock per combination);
    removing every option brings back one default variant holding the active stock together.
    """
    errors = validate_options(specs)
    if errors:
        raise VariantsInvalid(errors)
    specs = [OptionSpec(" ".join(s.name.split()), [" ".join(v.split()) for v in s.values]) for s in specs]
    try:
        # Lock the product's variant rows first, in id order as reserve() does: the flushes
        # below delete and update them in an order of their own (deleted rows first), which
        # could hold one row while an order holds another and waits for the first.
        db.session.execute(select(ProductVariant.id).where(ProductVariant.product_id == product.id)
                           .order_by(ProductVariant.id).with_for_update()).all()
        before = _describe(product)
        if specs:
            _apply_options(product, specs)
        else:
            _remove_options(product, actor_id)
        sync_product(product)
        audit.record("product.options_changed", product, actor_id=actor_id, before=before,
                     after=_describe(product))
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return product


def _describe(product: Product) -> dict[str, Any]:
    """Options and combinations (with price and stock) for the audit trail: a removed
    combination's stock is recorded here, as its rows go with it."""
    return {
        "options": [{"name": o.name, "values": [v.value for v in o.values]} for o in product.options],
        "variants": [{"id": v.id, "label": v.label, "price": v.price, "stock": v.stock, "active": v.active}
                     for v in product.variants],
    }


def _apply_options(product: Product, specs: list[OptionSpec]) -> None:
    # 1. Match or add the options and values (nothing removed yet: variants still point at the
    #    old values). Positions move out of the way first, as (product_id, position) is unique.
    old_options = {o.name.casefold(): o for o in product.options}
    for option in product.options:
        option.position += 10
    db.session.flush()
    kept: list[tuple[ProductOption, list[OptionValue]]] = []
    for position, spec in enumerate(specs):
        option = old_options.pop(spec.name.casefold(), None)
        if option is None:
            option = ProductOption(product=product, name=spec.name, position=position)
            db.session.add(option)
        option.name, option.position = spec.name, position
        old_values = {v.value.casefold(): v for v in option.values}
        values = []
        for value_position, text in enumerate(spec.values):
            value = old_values.pop(text.casefold(), None)
            if value is None:
                value = OptionValue(option=option, value=text)
                db.session.add(value)
            value.value, value.position = text, value_position
            values.append(value)
        kept.append((option, values))
    db.session.flush()

    # 2. Remove the combinations that no longer exist (the default variant too, when options
    #    first arrive), then the options and values nothing points at any more.
    wanted = {
        ProductVariant.key_for([v.id for v in combo]): combo
        for combo in itertools.product(*(values for _option, values in kept))
    }
    # Fix (test_putting_warna_before_ukuran_keeps_every_combination): existing combinations are
    # matched by their set of values, not by the ordered combo_key, so putting Warna before
    # Ukuran keeps "M / Biru" as "Biru / M" with its price, stock and SKU instead of replacing
    # every row. Step 3 writes the new key (a new key never equals another row's old one: the
    # value at the first differing position belongs to another option).
    wanted_sets = {frozenset(v.id for v in combo) for combo in wanted.values()}
    existing = {frozenset(v.value_ids): v for v in product.variants}
    base_price = product.price
    for values_set, variant in existing.items():
        if values_set not in wanted_sets:
            product.variants.remove(variant)
    db.session.flush()
    for option, values in kept:
        option.values = values
    product.options = [option for option, _values in kept]
    db.session.flush()

    # 3. Add the new combinations (lowest current price, no stock yet), everything in order.
    for position, (key, combo) in enumerate(wanted.items()):
        variant = existing.get(frozenset(v.id for v in combo))
        if variant is None:
            variant = ProductVariant(product=product, seller_id=product.seller_id, combo_key=key, price=base_price,
                                     stock=0, active=True)
            db.session.add(variant)
        variant.combo_key, variant.position = key, position
        ids = [v.id for v in combo] + [None] * (MAX_OPTIONS - len(combo))
        variant.value1_id, variant.value2_id, variant.value3_id = ids
    db.session.flush()


def _remove_options(product: Product, actor_id: int | None) -> None:
    if not product.options:
        return
    active = active_variants(product)
    price = min((v.price for v in active), default=product.price)
    stock = sum(v.stock for v in active)
    product.variants = []
    db.session.flush()
    product.options = []
    db.session.flush()
    variant = new_default_variant(product, price=price, stock=0)
    db.session.add(variant)
    db.session.flush()
    if stock:
        inventory.adjust_stock(variant, stock, actor_id=actor_id, reason=inventory.REASON_VARIANTS,
                               note="stok kombinasi digabung")


def copy_options(source: Product, target: Product, actor_id: int | None) -> None:
    """Give `target` (a fresh copy of `source` with its photos, not yet seen by anyone) the same
    options, and per combination the same price, stock, weight, photo and on/off. SKUs are not
    copied: they are unique within the seller's catalogue."""
    if not source.options:
        return
    db.session.flush()
    _apply_options(target, [OptionSpec(o.name, [v.value for v in o.values]) for o in source.options])
    originals = {v.label: v for v in source.variants}
    position_of = {image.id: image.position for image in source.images}
    copied_images = {image.position: image.id for image in target.images}
    for variant in target.variants:
        original = originals.get(variant.label)
        if original is None:
            continue
        variant.price, variant.stock = original.price, original.stock
        variant.weight_grams, variant.active = original.weight_grams, original.active
        variant.image_id = copied_images.get(position_of.get(original.image_id, -1))
    db.session.flush()
    inventory.record_initial_stocks(target.variants, actor_id=actor_id, reason=inventory.REASON_CREATED)
    sync_product(target)


# --- the grid --------------------------------------------------------------------------------------


@dataclass
class VariantRow:
    """One row of the seller's grid as submitted. `stock_seen` is the stock the form showed:
    when the submitted stock equals it the seller did not touch it, and an order that changed
    the stock meanwhile is not overwritten."""

    variant_id: int
    price: int | None
    stock: int | None
    sku: str | None = None
    weight_grams: int | None = None
    image_id: int | None = None
    active: bool = True
    stock_seen: int | None = None


def clean_sku(sku: str | None) -> str | None:
    sku = (sku or "").strip()
    return sku or None


def taken_skus(seller_id: int, skus: Iterable[str], *, except_variant_ids: Iterable[int] = ()) -> set[str]:
    """Which of `skus` the seller already uses on another variant (case-insensitive), in one query."""
    wanted = {s.casefold() for s in skus if s}
    if not wanted:
        return set()
    rows = db.session.scalars(
        select(ProductVariant.sku).where(
            ProductVariant.seller_id == seller_id,
            func.lower(ProductVariant.sku).in_(wanted),
            ProductVariant.id.not_in(list(except_variant_ids) or [0]),
        )
    )
    return {sku.casefold() for sku in rows if sku}


def validate_sku(sku: str | None) -> Any | None:
    if sku is None:
        return None
    if len(sku) > SKU_MAX:
        return _l("SKU maksimal %(max)d karakter.", max=SKU_MAX)
    if not SKU_PATTERN.match(sku):
        return _l("SKU hanya boleh berisi huruf, angka, titik, garis miring, garis bawah dan tanda hubung.")
    return None


def validate_rows(product: Product, rows: Sequence[VariantRow]) -> dict[Any, dict[str, Any]]:
    """Every problem with the submitted grid as {variant id: {field: message}} ("grid" for the
    whole grid); empty when it may be saved."""
    errors: dict[Any, dict[str, Any]] = {}
    by_id = {v.id: v for v in product.variants}
    image_ids = {image.id for image in product.images}
    seen_ids: set[int] = set()
    skus: dict[str, int] = {}
    for row in rows:
        problems: dict[str, Any] = {}
        if row.variant_id not in by_id or row.variant_id in seen_ids:
            errors.setdefault("grid", {})["variant"] = _l(
                "Kombinasi tidak ditemukan. Muat ulang halaman lalu coba lagi.")
            continue
        seen_ids.add(row.variant_id)
        if row.price is None:
            problems["price"] = _l("Harga wajib diisi, misalnya 15.000.")
        elif row.price < PRICE_MIN:
            problems["price"] = _l("Harga minimal Rp%(min)s.", min="100")
        elif row.price > PRICE_MAX:
            problems["price"] = _l("Harga terlalu besar.")
        if row.stock is None:
            problems["stock"] = _l("Stok wajib diisi (boleh 0).")
        elif row.stock < 0:
            problems["stock"] = inventory.MSG_BELOW_ZERO
        elif row.stock > MAX_QUANTITY:
            problems["stock"] = inventory.MSG_TOO_LARGE
        sku = clean_sku(row.sku)
        sku_problem = validate_sku(sku)
        if sku_problem:
            problems["sku"] = sku_problem
        elif sku:
            if sku.casefold() in skus:
                problems["sku"] = _l("SKU %(sku)s dipakai dua kali di daftar ini.", sku=sku)
            skus[sku.casefold()] = row.variant_id
        if row.weight_grams is not None and not 1 <= row.weight_grams <= WEIGHT_MAX_GRAMS:
            problems["weight_grams"] = _l("Berat harus antara 1 dan 1.000.000 gram.")
        if row.image_id is not None and row.image_id not in image_ids:
            problems["image_id"] = _l("Foto tidak ditemukan. Pilih salah satu foto produk ini.")
        if problems:
            errors[row.variant_id] = problems
    taken = taken_skus(product.seller_id, skus, except_variant_ids=[v.id for v in product.variants])
    for sku, variant_id in skus.items():
        if sku in taken:
            errors.setdefault(variant_id, {})["sku"] = _l(
                "SKU ini sudah dipakai produk lain di toko Anda. Gunakan SKU yang berbeda.")
    # The rows not submitted keep their state; at least one combination must stay on sale.
    submitted = {row.variant_id: row.active for row in rows if row.variant_id in by_id}
    if not any(submitted.get(v.id, v.active) for v in product.variants):
        errors.setdefault("grid", {})["active"] = _l(
            "Minimal satu kombinasi harus aktif. Arsipkan produk bila tidak dijual lagi.")
    return errors


def update_variants(product: Product, rows: Sequence[VariantRow], actor_id: int | None) -> Product:
    """Save the seller's grid (prices, stocks, SKUs, weights, photos, on/off) and commit, or
    raise VariantsInvalid and change nothing."""
    errors = validate_rows(product, rows)
    if errors:
        raise VariantsInvalid(errors)
    by_id = {v.id: v for v in product.variants}
    changes: dict[str, dict[str, Any]] = {}
    # Fix (tests/unit/test_variants_service.py::test_two_rows_may_swap_their_skus): two rows
    # swapping SKUs, or one row taking the SKU another gives up, hit the (seller_id, sku) unique
    # index half-way through the loop below (IntegrityError, a 500). Snapshot first, then clear
    # the SKUs that change before any row takes its new one.
    befores = {row.variant_id: _variant_snapshot(by_id[row.variant_id]) for row in rows}
    try:
        # Fix (tests/unit/test_inventory.py::test_saving_the_grid_while_orders_come_in_never_deadlocks):
        # lock every submitted row first, in id order as reserve() does. Row by row, the loop
        # below takes the product row (a stock change) before the next variant row, while an
        # order holds that variant row and waits for the product: PostgreSQL aborted one.
        db.session.execute(select(ProductVariant.id).where(ProductVariant.id.in_(sorted(befores)))
                           .order_by(ProductVariant.id).with_for_update()).all()
        for row in rows:
            if by_id[row.variant_id].sku != clean_sku(row.sku):
                by_id[row.variant_id].sku = None
        db.session.flush()
        for row in rows:
            variant = by_id[row.variant_id]
            before = befores[row.variant_id]
            variant.price = row.price
            variant.sku = clean_sku(row.sku)
            variant.weight_grams = row.weight_grams
            variant.image_id = row.image_id
            variant.active = row.active
            db.session.flush()
            untouched = row.stock_seen is not None and row.stock == row.stock_seen
            if not untouched and row.stock != variant.stock:
                inventory.set_stock(variant, row.stock, actor_id=actor_id, reason=inventory.REASON_MANUAL)
            after = _variant_snapshot(variant)
            changed = {k for k in after if before[k] != after[k]} - {"stock"}
            if changed:
                changes[str(variant.id)] = {"before": {k: before[k] for k in changed},
                                            "after": {k: after[k] for k in changed}}
        sync_product(product)
        if changes:
            audit.record("product.variants_updated", product, actor_id=actor_id, after={"changes": changes})
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return product


def _variant_snapshot(variant: ProductVariant) -> dict[str, Any]:
    return {"price": variant.price, "sku": variant.sku, "weight_grams": variant.weight_grams,
            "image_id": variant.image_id, "active": variant.active, "stock": variant.stock}


def bulk_set(product: Product, *, price: int | None = None, stock: int | None = None,
             actor_id: int | None) -> Product:
    """"Set all prices/stocks": give every active combination this price and/or stock."""
    rows = [
        VariantRow(variant_id=v.id, price=price if price is not None and v.active else v.price,
                   stock=stock if stock is not None and v.active else v.stock, sku=v.sku,
                   weight_grams=v.weight_grams, image_id=v.image_id, active=v.active)
        for v in product.variants
    ]
    if price is None and stock is None:
        raise VariantsInvalid({"grid": {"bulk": _l("Isi harga atau stok untuk semua kombinasi.")}})
    return update_variants(product, rows, actor_id)


def set_variant_active(product: Product, variant_id: int, active: bool, actor_id: int | None) -> ProductVariant:
    """Switch one combination off (no longer offered; its stock stays) or on again."""
    variant = next((v for v in product.variants if v.id == variant_id), None)
    if variant is None:
        raise NotFound(_l("Kombinasi tidak ditemukan."))
    if variant.active == active:
        return variant
    if not active and not any(v.active for v in product.variants if v.id != variant.id):
        raise VariantsInvalid({"grid": {"active": _l(
            "Minimal satu kombinasi harus aktif. Arsipkan produk bila tidak dijual lagi.")}})
    try:
        variant.active = active
        sync_product(product)
        audit.record("product.variant_activated" if active else "product.variant_deactivated", product,
                     actor_id=actor_id, after={"variant_id": variant.id, "label": variant.label})
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return variant


def variant_image_choices(product: Product) -> list[ProductImage]:
    return list(product.images)


# --- new products with options, created in bulk (the CSV import) -----------------------------------


@dataclass
class NewCombination:
    """One combination of a product an import creates: its values in option order (matched to the
    option's values case-insensitively), price, opening stock, SKU and on/off."""

    values: tuple[str, ...]
    price: int
    stock: int = 0
    sku: str | None = None
    active: bool = True


def _start_new_options(product: Product, specs: Sequence[OptionSpec], combinations: Sequence[NewCombination]) -> None:
    """Give a product that is not flushed yet its options and values, and its price, price_max
    and stock from the active combinations. No queries: the caller has checked everything
    (validate_options, prices, stocks, SKUs, one active combination), flushes, then calls
    _add_new_combinations once the values have ids."""
    product.variants = []  # a known-empty collection: adding variants later loads nothing
    for position, spec in enumerate(specs):
        option = ProductOption(name=spec.name, position=position)
        option.values = [OptionValue(value=value, position=i) for i, value in enumerate(spec.values)]
        product.options.append(option)
    active = [c for c in combinations if c.active]
    product.price = min(c.price for c in active)
    product.price_max = max(c.price for c in active)
    product.stock = sum(c.stock for c in active)


def _add_new_combinations(product: Product, combinations: Sequence[NewCombination]) -> list[ProductVariant]:
    """One variant per combination of the product's values, in order: the listed ones as given,
    every other one switched off with stock 0 at the product's lowest price (a seller may list
    only the combinations that exist, e.g. no Balado in 250 g). Added to the session, not flushed."""
    listed = {tuple(v.casefold() for v in c.values): c for c in combinations}
    created = []
    for position, combo in enumerate(itertools.product(*(option.values for option in product.options))):
        given = listed.get(tuple(value.value.casefold() for value in combo))
        ids = [value.id for value in combo] + [None] * (MAX_OPTIONS - len(combo))
        created.append(ProductVariant(
            product=product, seller_id=product.seller_id, combo_key=ProductVariant.key_for([v.id for v in combo]),
            value1_id=ids[0], value2_id=ids[1], value3_id=ids[2], position=position,
            price=given.price if given else product.price, stock=given.stock if given else 0,
            sku=given.sku if given else None, active=given.active if given else False,
        ))
    db.session.add_all(created)
    return created
