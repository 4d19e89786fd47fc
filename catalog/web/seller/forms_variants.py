"""Forms for a listing's variants: the option types (three fixed rows of name and values), the
grid of combinations, "set all prices/stocks".

Like forms_listings.py, the forms only read what was typed (Rupiah and quantities through
RupiahField/QuantityField); the rules live in services/variants.py, whose VariantsInvalid
messages are attached back to the fields here, so each message lands beside what it is about.
"""

from collections.abc import Callable, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, SelectChoice, SelectField, StringField

from catalog.models.products import MAX_OPTIONS, Product
from catalog.services import variants
from catalog.services.delivery import MAX_ID
from catalog.web.fields import QuantityField, RupiahField
from catalog.web.seller.forms_listings import _int_or_none

# Placeholders for the three option rows: the kinds of options UMKM sellers actually use.
OPTION_EXAMPLES = (
    (_l("mis. Ukuran"), _l("mis. S, M, L, XL")),
    (_l("mis. Warna"), _l("mis. Biru, Merah")),
    (_l("mis. Rasa"), _l("mis. Original, Pedas, Balado")),
)
# A forged post may carry more rows than the page shows; a few more than allowed are still read,
# so the service can say "at most 3" instead of them vanishing without a word.
OPTION_ROWS_READ = MAX_OPTIONS + 3


def _id_or_zero(value: Any) -> int:
    """A submitted variant id; anything that is not a number becomes 0, which matches no
    combination, so the service answers with its own message."""
    text = str(value or "").strip()
    # ASCII digits only ("²" is a digit to str.isdigit but not to int()), within the id column.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID else 0


def _count_or_none(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _attach(field, message, *, keep_existing: bool = False) -> None:
    if not (keep_existing and field.errors):
        field.errors = [*(field.errors or []), message]


# --- option types ---------------------------------------------------------------------------------


class OptionRowForm(Form):
    """One option type: its name and its values typed in one line ("S, M, L, XL")."""

    name = StringField(_l("Nama opsi"))
    values = StringField(_l("Nilai, pisahkan dengan koma"))


class OptionsForm(FlaskForm):
    """The option types of a product. All rows empty (or the remove button) turns the product
    back into one without variants, but only with `remove_all` ticked: the stock of the
    combinations is merged into one."""

    options = FieldList(FormField(OptionRowForm), min_entries=MAX_OPTIONS, max_entries=OPTION_ROWS_READ)
    remove_all = BooleanField(_l("Ya, hapus semua opsi"))
    action = HiddenField()  # the button pressed: "save" or "remove"

    @classmethod
    def for_product(cls, product: Product) -> "OptionsForm":
        data = [{"name": o.name, "values": ", ".join(v.value for v in o.values)} for o in product.options]
        return cls(formdata=None, data={"options": data})

    def filled_rows(self) -> list[tuple[int, variants.OptionSpec]]:
        """(row index, spec) for every row with a name or values; empty rows are left out."""
        filled = []
        for index, entry in enumerate(self.options):
            name = (entry.form.name.data or "").strip()
            values = variants.parse_values(entry.form.values.data or "")
            if name or values:
                filled.append((index, variants.OptionSpec(name, values)))
        return filled

    def add_service_errors(self, errors: dict, rows: Sequence[int]) -> None:
        """VariantsInvalid.errors of set_options onto the rows: "option-<i>"/"values-<i>" name
        the i-th spec, which is the row at `rows[i]` (empty rows were skipped)."""
        for key, message in errors.items():
            kind, _sep, index = str(key).partition("-")
            if kind in ("option", "values") and index.isdigit() and int(index) < len(rows):
                entry = self.options[rows[int(index)]].form
                _attach(entry.name if kind == "option" else entry.values, message)
            else:
                self.form_errors.append(message)


# --- the grid -------------------------------------------------------------------------------------


class VariantRowForm(Form):
    """One combination in the grid. Empty price or stock is left to the service, whose message
    says what to type ("Harga wajib diisi, misalnya 15.000.")."""

    variant_id = HiddenField()
    stock_seen = HiddenField()
    price = RupiahField(_l("Harga (Rp)"))
    stock = QuantityField(_l("Stok"))
    sku = StringField(_l("SKU"))
    weight_grams = QuantityField(_l("Berat (gram)"))
    image_id = SelectField(_l("Foto"), coerce=_int_or_none, validate_choice=False)


GRID_FIELDS = ("price", "stock", "sku", "weight_grams", "image_id")


class VariantGridForm(FlaskForm):
    rows = FieldList(FormField(VariantRowForm), max_entries=variants.MAX_COMBINATIONS)

    @classmethod
    def for_product(cls, product: Product) -> "VariantGridForm":
        data = [
            {"variant_id": v.id, "stock_seen": v.stock, "price": v.price, "stock": v.stock, "sku": v.sku or "",
             "weight_grams": v.weight_grams, "image_id": v.image_id}
            for v in product.variants
        ]
        return cls(formdata=None, data={"rows": data})

    def set_image_choices(self, product: Product) -> None:
        choices = [SelectChoice("", _l("Foto utama"))] + [
            SelectChoice(image.id, _l("Foto %(n)s", n=number)) for number, image in enumerate(product.images, 1)
        ]
        for entry in self.rows:
            entry.form.image_id.choices = choices

    def variant_id_of(self, entry) -> int:
        return _id_or_zero(entry.form.variant_id.data)

    def to_rows(self, active_of: Callable[[int], bool]) -> list[variants.VariantRow]:
        """The rows as submitted. On/off is not part of the grid (each row has its own button),
        so `active_of(variant id)` gives each row its current state."""
        rows = []
        for entry in self.rows:
            row = entry.form
            variant_id = self.variant_id_of(entry)
            rows.append(variants.VariantRow(
                variant_id=variant_id, price=row.price.data, stock=row.stock.data, sku=row.sku.data or "",
                weight_grams=row.weight_grams.data, image_id=row.image_id.data, active=active_of(variant_id),
                stock_seen=_count_or_none(row.stock_seen.data),
            ))
        return rows

    def add_service_errors(self, errors: dict, *, keep_existing: bool = False) -> None:
        """VariantsInvalid.errors of update_variants onto the rows ({variant id: {field:
        message}}); "grid" problems go to the whole form. With keep_existing a field that already
        shows why its input could not be read keeps only that message."""
        entries = {self.variant_id_of(entry): entry.form for entry in self.rows}
        for key, problems in errors.items():
            if not isinstance(problems, dict):
                self.form_errors.append(problems)
                continue
            row = entries.get(key) if key != "grid" else None
            for name, message in problems.items():
                if row is not None and name in GRID_FIELDS:
                    _attach(row[name], message, keep_existing=keep_existing)
                elif message not in self.form_errors:
                    self.form_errors.append(message)


# --- set all --------------------------------------------------------------------------------------


class BulkForm(FlaskForm):
    """"Set all prices/stocks": either or both, for every active combination."""

    bulk_price = RupiahField(_l("Harga semua kombinasi (Rp)"))
    bulk_stock = QuantityField(_l("Stok setiap kombinasi"))

    def add_service_errors(self, errors: dict) -> None:
        """bulk_set's errors name every row; the bulk form shows each distinct message once."""
        targets = {"price": self.bulk_price, "stock": self.bulk_stock}
        for problems in errors.values():
            problems = problems if isinstance(problems, dict) else {"": problems}
            for name, message in problems.items():
                field = targets.get(name)
                if field is not None:
                    if message not in field.errors:
                        _attach(field, message)
                elif message not in self.form_errors:
                    self.form_errors.append(message)
