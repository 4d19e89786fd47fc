"""The bulk import of listings (a CSV file's rows, already grouped per product): every entry is
checked first, then everything is written in one transaction, in batches.

An entry is one listing with, when it has options, its combinations: a new listing names its
options and lists its combinations (those it leaves out are created switched off with stock 0);
an existing listing lists the combinations it changes, found by the caller. Options of an
existing listing are never restructured here: that is the Varian page's job (services/variants.py),
which keeps price, stock and SKU of the combinations that stay.

No query per entry: thousands of rows take seconds. Stock changes of existing combinations go
through one compare-and-set batch (inventory.set_stocks), so an order that lands while the
import runs makes it refuse instead of overwriting the stock the order took.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from catalog.extensions import db
from catalog.models.products import PRODUCT_DRAFT, PRODUCT_HIDDEN, Product, ProductOption, ProductVariant
from catalog.models.sellers import Seller, SellerDocument
from catalog.services import audit, inventory, listings, variants
from catalog.services.errors import DomainError, NotFound, ValidationFailed
from catalog.services.identifiers import slugify, unique_slug
from catalog.services.listings import ListingData, ListingRules
from catalog.services.money import MAX_QUANTITY

MSG_SKU_TWICE = _l("SKU %(sku)s dipakai dua kali di daftar ini.")
MSG_SKU_TAKEN = _l("SKU ini sudah dipakai produk lain di toko Anda. Gunakan SKU yang berbeda.")
MSG_ONE_ACTIVE = _l("Minimal satu kombinasi harus aktif. Arsipkan produk bila tidak dijual lagi.")
MSG_CHANGED_MEANWHILE = _l("Ada SKU atau alamat produk yang baru saja dipakai di tempat lain saat impor berjalan. "
                           "Tidak ada yang disimpan; silakan impor ulang.")
MSG_NO_OPTIONS = _l("Produk ini belum punya varian. Tambahkan opsi di halaman Varian; impor CSV tidak mengubah "
                    "susunan opsi produk yang sudah ada.")


@dataclass
class VariantEntry:
    """One combination in an import.

    For a new listing: `values` (one per option, in option order), price, opening stock (None =
    0), SKU and on/off. For an existing listing: `variant` is the combination it changes, and
    price, sku and active are the values it should have (the caller copies the current ones for
    what the row leaves alone); stock None leaves the stock as it is."""

    values: tuple[str, ...] = ()
    price: int | None = None
    stock: int | None = None
    sku: str | None = None
    active: bool = True
    variant: ProductVariant | None = None


@dataclass
class ImportEntry:
    """One listing to create (product None) or update. A listing without options takes price,
    stock and SKU from `data` (its default variant). A new listing with options names them in
    `option_names` and lists its combinations in `variants`; an existing listing with options
    lists the combinations it changes (none: only the listing's own fields change)."""

    product: Product | None
    data: ListingData
    option_names: list[str] = field(default_factory=list)
    variants: list[VariantEntry] = field(default_factory=list)

    @property
    def has_options(self) -> bool:
        return bool(self.product.options) if self.product is not None else bool(self.option_names)


class ImportInvalid(ValidationFailed):
    """Some entries broke the rules; nothing was written. `errors` maps an entry's index to its
    problems: a ListingData field name → message; "variants" → {index in entry.variants:
    {"values"|"price"|"stock"|"sku": message}}; "option-<k>"/"values-<k>"/"options" (from
    variants.validate_options) and "active" for the options of a new listing."""

    def __init__(self, errors: dict[int, dict[str, Any]]):
        super().__init__(_l("Ada baris yang belum benar. Tidak ada produk yang disimpan."))
        self.errors = errors


@dataclass
class ImportOutcome:
    products: list[Product]  # in entry order
    created: list[Product]
    changed_ids: set[int]  # existing listings that changed (fields, prices, SKUs, stock, on/off)
    filled: int  # combinations a new listing left out, created switched off


# --- checking ---------------------------------------------------------------------------------------


def option_specs(entry: ImportEntry) -> list[variants.OptionSpec]:
    """A new listing's options with their values in order of first appearance among its
    combinations (the same value in another case or spacing counts once, as first typed)."""
    specs = [variants.OptionSpec(" ".join(name.split()), []) for name in entry.option_names]
    seen: list[set[str]] = [set() for _ in specs]
    for combination in entry.variants:
        for k, raw in enumerate(combination.values[: len(specs)]):
            value = " ".join(raw.split())
            if value and value.casefold() not in seen[k]:
                seen[k].add(value.casefold())
                specs[k].values.append(value)
    return specs


def check_entries(seller: Seller, entries: Sequence[ImportEntry], *,
                  rules: ListingRules | None = None) -> dict[int, dict[str, Any]]:
    """Every problem of every entry (see ImportInvalid for the shape); empty when all may be
    saved. One query (the SKUs in use) besides `rules` when not given."""
    rules = rules or listings.listing_rules(seller)
    errors: dict[int, dict[str, Any]] = {}
    for index, entry in enumerate(entries):
        data, hidden_problem = _status_of_hidden(entry)
        problems = listings.validate_listing(seller, data, rules=rules, has_options=entry.has_options)
        if hidden_problem:
            problems["status"] = hidden_problem
        if entry.product is None and entry.option_names:
            problems.update(_new_combination_problems(entry))
        elif entry.product is not None and entry.product.options:
            problems.update(_changed_combination_problems(entry))
        elif entry.variants or entry.option_names:
            problems["options"] = MSG_NO_OPTIONS
        if problems:
            errors[index] = problems
    _check_skus(seller, entries, errors)
    return errors


def _status_of_hidden(entry: ImportEntry) -> tuple[ListingData, Any]:
    """A listing the Dinas hid keeps its status through an import: a row that leaves the status
    as it is (empty, or "disembunyikan" as exported) is checked with the status it returns to;
    a row asking for another status is refused, so an import never republishes it."""
    product = entry.product
    if product is None or not product.is_hidden:
        return entry.data, None
    problem = None
    if entry.data.status != PRODUCT_HIDDEN:
        problem = _l("Produk ini disembunyikan oleh Dinas, jadi statusnya tidak dapat diubah lewat impor. "
                     "Kosongkan kolom status atau isi “disembunyikan”. Alasan Dinas: %(reason)s",
                     reason=product.moderation_reason or "-")
    return replace(entry.data, status=listings.kept_status(product)), problem


def _label(values: Iterable[str]) -> str:
    return " / ".join(" ".join(v.split()) for v in values)


def _price_stock_sku_problems(combination: VariantEntry) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    if combination.price is None:
        problems["price"] = _l("Harga wajib diisi, misalnya 15.000.")
    elif combination.price < variants.PRICE_MIN:
        problems["price"] = _l("Harga minimal Rp%(min)s.", min="100")
    elif combination.price > variants.PRICE_MAX:
        problems["price"] = _l("Harga terlalu besar.")
    if combination.stock is not None and combination.stock < 0:
        problems["stock"] = inventory.MSG_BELOW_ZERO
    elif combination.stock is not None and combination.stock > MAX_QUANTITY:
        problems["stock"] = inventory.MSG_TOO_LARGE
    sku_problem = variants.validate_sku(variants.clean_sku(combination.sku))
    if sku_problem:
        problems["sku"] = sku_problem
    return problems


def _new_combination_problems(entry: ImportEntry) -> dict[str, Any]:
    names = ", ".join(entry.option_names)
    count = len(entry.option_names)
    by_combination: dict[int, dict[str, Any]] = {}
    seen: set[tuple[str, ...]] = set()
    for j, combination in enumerate(entry.variants):
        problems = {}
        values = [" ".join(v.split()) for v in combination.values]
        if len(values) != count or not all(values):
            problems["values"] = _l("Isi satu nilai untuk setiap opsi (%(names)s).", names=names)
        elif any(len(v) > variants.VALUE_MAX for v in values):
            problems["values"] = _l("Nilai opsi maksimal %(max)d karakter.", max=variants.VALUE_MAX)
        else:
            key = tuple(v.casefold() for v in values)
            if key in seen:
                problems["values"] = _l("Kombinasi %(label)s muncul dua kali.", label=_label(values))
            seen.add(key)
        problems.update(_price_stock_sku_problems(combination))
        if problems:
            by_combination[j] = problems
    out: dict[str, Any] = variants.validate_options(option_specs(entry))
    if any("values" in p for p in by_combination.values()):
        # The combination's own message says which value is wrong; "values-<k>" would repeat it.
        out = {k: v for k, v in out.items() if not k.startswith("values-")}
    if by_combination:
        out["variants"] = by_combination
    if not any(c.active for c in entry.variants):
        out["active"] = MSG_ONE_ACTIVE
    return out


def _changed_combination_problems(entry: ImportEntry) -> dict[str, Any]:
    product = entry.product
    assert product is not None
    own = {v.id for v in product.variants}
    by_combination: dict[int, dict[str, Any]] = {}
    seen: set[int] = set()
    active = {v.id: v.active for v in product.variants}
    for j, combination in enumerate(entry.variants):
        problems = {}
        variant = combination.variant
        if variant is None or variant.id not in own:
            problems["values"] = _l("Kombinasi ini tidak ada di produk ini.")
        elif variant.id in seen:
            problems["values"] = _l("Kombinasi %(label)s muncul dua kali.", label=variant.label)
        else:
            seen.add(variant.id)
            active[variant.id] = combination.active
        problems.update(_price_stock_sku_problems(combination))
        if problems:
            by_combination[j] = problems
    out: dict[str, Any] = {}
    if by_combination:
        out["variants"] = by_combination
    if not any(active.values()):
        out["active"] = MSG_ONE_ACTIVE
    return out


def _sku_error(errors: dict[int, dict[str, Any]], index: int, j: int | None, message: Any) -> None:
    problems = errors.setdefault(index, {})
    if j is not None:
        problems = problems.setdefault("variants", {}).setdefault(j, {})
    problems.setdefault("sku", message)  # a format problem already named stays the one shown


def _check_skus(seller: Seller, entries: Sequence[ImportEntry], errors: dict[int, dict[str, Any]]) -> None:
    """SKUs stay unique within the seller's catalogue: against the unchanged SKUs of the listings
    in the list, against each other, and (one query) against the seller's other listings."""
    kept: set[str] = set()  # SKUs the listings in the list keep
    wanted: list[tuple[int, int | None, str]] = []  # SKUs the list gives: (entry, combination or None, sku)
    own_variant_ids: list[int] = []
    for index, entry in enumerate(entries):
        product = entry.product
        if product is None:
            if entry.has_options:
                wanted.extend((index, j, sku) for j, c in enumerate(entry.variants)
                              if (sku := variants.clean_sku(c.sku)))
            elif sku := variants.clean_sku(entry.data.sku):
                wanted.append((index, None, sku))
            continue
        own_variant_ids.extend(v.id for v in product.variants)
        given: dict[int, tuple[int | None, str | None]] = {}
        if product.options:
            given = {c.variant.id: (j, variants.clean_sku(c.sku)) for j, c in enumerate(entry.variants)
                     if c.variant is not None}
        elif product.variants:
            given = {variants.default_variant(product).id: (None, variants.clean_sku(entry.data.sku))}
        for variant in product.variants:
            j, sku = given.get(variant.id, (None, variant.sku))
            if sku != variant.sku:
                if sku:
                    wanted.append((index, j, sku))
            elif sku:
                kept.add(sku.casefold())
    seen: set[str] = set()
    valid: list[tuple[int, int | None, str]] = []
    for index, j, sku in wanted:
        if variants.validate_sku(sku):
            continue  # refused for its form already
        key = sku.casefold()
        if key in kept:
            _sku_error(errors, index, j, MSG_SKU_TAKEN)
        elif key in seen:
            _sku_error(errors, index, j, _l(MSG_SKU_TWICE, sku=sku))
        else:
            valid.append((index, j, sku))
        seen.add(key)
    taken = variants.taken_skus(seller.id, [sku for _i, _j, sku in valid], except_variant_ids=own_variant_ids)
    for index, j, sku in valid:
        if sku.casefold() in taken:
            _sku_error(errors, index, j, MSG_SKU_TAKEN)


# --- writing ----------------------------------------------------------------------------------------


def import_listings(seller: Seller, entries: Sequence[ImportEntry], actor_id: int | None) -> ImportOutcome:
    """Create (product None) or update (one of the seller's products) many listings at once:
    every entry is checked first, and when any is wrong ImportInvalid lists the problems per
    entry and nothing is written. Otherwise all are saved in one transaction.

    Written in batches: the new listings, their options and values in one flush, their
    combinations in a second; stock changes of existing combinations in one compare-and-set
    batch (logged in InventoryLog with reason "import"), opening stock logged likewise. One
    "product.imported" audit event carries the created ids and, per changed listing, the
    before/after of its fields, stock and combinations; an import that changes nothing writes
    no event.
    """
    existing = [entry.product for entry in entries if entry.product is not None]
    for product in existing:
        if product.seller_id != seller.id:
            raise NotFound(_l("Produk tidak ditemukan."))
    _load_for_update(existing)
    rules = listings.listing_rules(seller)
    errors = check_entries(seller, entries, rules=rules)
    if errors:
        raise ImportInvalid(errors)

    checked = [listings._normalised(entry.data) for entry in entries]
    documents = _documents_by_id(rules.certificate_ids)
    taken = _taken_slugs(data.title for entry, data in zip(entries, checked, strict=True) if entry.product is None)
    writer = _Writer(seller, actor_id)
    try:
        with db.session.no_autoflush:
            for entry, data in zip(entries, checked, strict=True):
                if entry.product is None:
                    slug = unique_slug(data.title, taken.__contains__, fallback=listings.SLUG_FALLBACK)
                    taken.add(slug)
                    writer.create(entry, data, slug, documents)
                else:
                    writer.update(entry, data, documents)
            writer.lock_variants()
            writer.park_skus()
        db.session.flush()  # the new listings with their options and values, and the updates
        writer.finish()
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    except IntegrityError:
        # Checked above; only another request taking the same SKU or slug meanwhile lands here.
        db.session.rollback()
        raise ValidationFailed(MSG_CHANGED_MEANWHILE) from None
    return ImportOutcome(products=writer.saved, created=writer.created, changed_ids=set(writer.changes),
                         filled=writer.filled)


class _Writer:
    """What one import writes, collected per entry and then sent in batches."""

    def __init__(self, seller: Seller, actor_id: int | None):
        self.seller = seller
        self.actor_id = actor_id
        self.saved: list[Product] = []
        self.created: list[Product] = []
        self.new_variants: list[ProductVariant] = []
        self.with_options: list[tuple[Product, list[variants.NewCombination]]] = []
        self.stock_moves: list[tuple[ProductVariant, int, int]] = []
        self.sku_moves: list[tuple[ProductVariant, str | None]] = []
        self.touched: set[int] = set()  # existing variants whose row changes
        self.recount: list[Product] = []  # listings whose set of active combinations changed
        self.changes: dict[int, dict[str, Any]] = {}
        self.filled = 0

    def create(self, entry: ImportEntry, data: ListingData, slug: str, documents: dict[int, SellerDocument]) -> None:
        product = Product(seller_id=self.seller.id, status=PRODUCT_DRAFT, slug=slug)
        listings._apply(product, data, documents)
        listings._set_status(product, data.status)
        db.session.add(product)
        if entry.option_names:
            combinations = [variants.NewCombination(values=tuple(" ".join(v.split()) for v in c.values),
                                                    price=c.price or 0, stock=c.stock or 0,
                                                    sku=variants.clean_sku(c.sku), active=c.active)
                            for c in entry.variants]
            variants._start_new_options(product, option_specs(entry), combinations)
            self.with_options.append((product, combinations))
        else:
            self.new_variants.append(variants.new_default_variant(product, price=data.price, stock=data.stock or 0,
                                                                  sku=data.sku))
            db.session.add(self.new_variants[-1])
        self.created.append(product)
        self.saved.append(product)

    def update(self, entry: ImportEntry, data: ListingData, documents: dict[int, SellerDocument]) -> None:
        product = entry.product
        assert product is not None
        before = listings._snapshot(product)
        listings._apply(product, data, documents)
        if not product.is_hidden:  # only the Dinas lifts a hiding (services/moderation.py)
            listings._set_status(product, data.status)
        combination_changes: dict[str, dict] = {}
        if not product.options:
            variant = variants.default_variant(product)
            self._set(variant, price=data.price, sku=data.sku, active=True, stock=data.stock)
            listings._set_changed(product, {"price": data.price, "price_max": data.price})
        else:
            was_active = {v.id for v in product.variants if v.active}
            for combination in entry.variants:
                variant = combination.variant
                assert variant is not None
                old = _variant_state(variant)
                self._set(variant, price=combination.price, sku=variants.clean_sku(combination.sku),
                          active=combination.active, stock=combination.stock)
                new = _variant_state(variant)
                changed = [k for k in ("price", "sku", "active") if old[k] != new[k]]
                if changed:
                    combination_changes[str(variant.id)] = {"label": variant_label(product, variant),
                                                            "before": {k: old[k] for k in changed},
                                                            "after": {k: new[k] for k in changed}}
            active = [v for v in product.variants if v.active]
            listings._set_changed(product, {"price": min(v.price for v in active),
                                            "price_max": max(v.price for v in active)})
            if {v.id for v in active} != was_active:
                self.recount.append(product)
        old, new = listings._changes(before, listings._snapshot(product))
        if old or new or combination_changes:
            self.changes[product.id] = {"before": old, "after": new}
            if combination_changes:
                self.changes[product.id]["variants"] = combination_changes
        self.saved.append(product)

    def _set(self, variant: ProductVariant, *, price: int | None, sku: str | None, active: bool,
             stock: int | None) -> None:
        if price is not None and price != variant.price:
            variant.price = price
            self.touched.add(variant.id)
        if active != variant.active:
            variant.active = active
            self.touched.add(variant.id)
        if sku != variant.sku:
            variant.sku = sku
            self.sku_moves.append((variant, sku))
            self.touched.add(variant.id)
        if stock is not None and stock != variant.stock:
            self.stock_moves.append((variant, variant.stock, stock))
            self.touched.add(variant.id)

    def park_skus(self) -> None:
        """Clear the SKUs that change for the first flush and give them back after it: two
        combinations may swap SKUs, or a new listing take one another gives up, and the database
        checks uniqueness row by row (an UPDATE goes out before the INSERTs of its table)."""
        for variant, _sku in self.sku_moves:
            variant.sku = None

    def lock_variants(self) -> None:
        """Lock the existing combinations this import writes, in id order, before the listing rows
        (PostgreSQL; SQLite locks the whole file): an order locks its variants first too, so the
        two can never wait on each other in a circle."""
        ids = sorted(self.touched)
        for start in range(0, len(ids), 1000):
            db.session.execute(select(ProductVariant.id).where(ProductVariant.id.in_(ids[start : start + 1000]))
                               .order_by(ProductVariant.id).with_for_update()).all()

    def finish(self) -> None:
        """After the first flush: SKUs that moved, the combinations of new listings with options,
        the opening stock log, the stock changes, the totals of listings whose active
        combinations changed, and the audit event."""
        for variant, sku in self.sku_moves:
            variant.sku = sku
        for product, combinations in self.with_options:
            made = variants._add_new_combinations(product, combinations)
            self.filled += len(made) - len(combinations)
            self.new_variants.extend(made)
        db.session.flush()
        inventory.record_initial_stocks(self.new_variants, actor_id=self.actor_id, reason=inventory.REASON_IMPORT)
        for variant, before, after in inventory.set_stocks(self.stock_moves, actor_id=self.actor_id,
                                                           reason=inventory.REASON_IMPORT):
            entry = self.changes.setdefault(variant.product_id, {"before": {}, "after": {}})
            if variant.is_default:
                entry["before"]["stock"], entry["after"]["stock"] = before, after
            else:
                moved = entry.setdefault("variants", {}).setdefault(
                    str(variant.id), {"label": variant_label(variant.product, variant), "before": {}, "after": {}})
                moved["before"]["stock"], moved["after"]["stock"] = before, after
        for product in self.recount:
            inventory.recount_product(product)
        if self.created or self.changes:
            audit.record("product.imported", object_type="seller", object_id=self.seller.id, actor_id=self.actor_id,
                         after={"created": len(self.created), "updated": len(self.changes),
                                "created_ids": [p.id for p in self.created],
                                "changes": {str(k): v for k, v in self.changes.items()}})


def _variant_state(variant: ProductVariant) -> dict[str, Any]:
    return {"price": variant.price, "sku": variant.sku, "active": variant.active}


def variant_label(product: Product, variant: ProductVariant) -> str:
    """"M / Biru" from the product's loaded options (variant.label would load each value)."""
    names = {value.id: value.value for option in product.options for value in option.values}
    return " / ".join(names.get(value_id, "?") for value_id in variant.value_ids)


def _documents_by_id(ids: Iterable[int]) -> dict[int, SellerDocument]:
    ids = sorted(ids)
    if not ids:
        return {}
    return {d.id: d for d in db.session.scalars(select(SellerDocument).where(SellerDocument.id.in_(ids)))}


def _load_for_update(products: list[Product]) -> None:
    """Load the certificates, options with values, and variants of many products in a few
    queries (the import compares and changes them)."""
    missing = [p.id for p in products if {"certificates", "options", "variants"} & inspect(p).unloaded
               or any("values" in inspect(option).unloaded for option in p.options)]
    for start in range(0, len(missing), 1000):
        chunk = missing[start : start + 1000]
        db.session.scalars(select(Product).where(Product.id.in_(chunk)).options(*LOAD_FOR_UPDATE)).all()


LOAD_FOR_UPDATE = (
    selectinload(Product.certificates),
    selectinload(Product.options).selectinload(ProductOption.values),
    selectinload(Product.variants),
)


def _taken_slugs(titles: Iterable[str]) -> set[str]:
    """Every existing slug that a new slug for one of `titles` could collide with ("kopi",
    "kopi-2", …), in a few queries however many titles there are."""
    bases = sorted({slugify(t) or listings.SLUG_FALLBACK for t in titles})
    taken: set[str] = set()
    for start in range(0, len(bases), 200):
        chunk = bases[start : start + 200]
        clauses = [or_(Product.slug == b, Product.slug.like(b.replace("_", "\\_") + "-%", escape="\\"))
                   for b in chunk]
        taken.update(db.session.scalars(select(Product.slug).where(or_(*clauses))))
    return taken
