"""Forms for a seller's listings: the listing form, the quick stock form, photo upload and order.

The forms only read what was typed (Rupiah and quantities the Indonesian way, through
RupiahField/QuantityField); the listing rules themselves live in services/listings.py, whose
messages are attached back to the fields, so a form and a CSV import can never disagree.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields import TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from catalog.models.products import UNITS
from catalog.services.delivery import MAX_ID
from catalog.services.listings import ListingData
from catalog.services.uploads import ACCEPT_IMAGES
from catalog.web.fields import QuantityField, RupiahField

# Human names for the units (the stored value is the short code).
UNIT_LABELS = {
    "pcs": _l("pcs (buah)"), "kg": _l("kg"), "gram": _l("gram"), "liter": _l("liter"), "paket": _l("paket"),
    "porsi": _l("porsi"), "lusin": _l("lusin"), "box": _l("box"), "pak": _l("pak"), "botol": _l("botol"),
    "lembar": _l("lembar"), "rim": _l("rim"), "set": _l("set"), "meter": _l("meter"), "jam": _l("jam"),
    "hari": _l("hari"), "orang": _l("orang"),
}


DESCRIPTION_HELP = _l("Pisahkan paragraf dengan baris kosong. Awali baris dengan “- ” untuk daftar. "
                      "Untuk huruf tebal, tulis <b>kata</b>.")


def _int_or_zero(value) -> int:
    """Coerce a submitted id; anything that is not a number becomes 0, which matches nothing, so
    the service answers with its own (Indonesian) message instead of WTForms' English one."""
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID else 0


def _int_or_none(value):
    if value in (None, "") or isinstance(value, int):
        return value if value != "" else None
    text = str(value).strip()
    # ASCII digits only ("²" is a digit to str.isdigit but not to int()), within the id column.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID else 0


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ListingForm(FlaskForm):
    """One form for new and existing listings. The status comes from the button pressed."""

    title = StringField(
        _l("Nama produk"),
        validators=[InputRequired(message=_l("Nama produk wajib diisi.")),
                    Length(max=200, message=_l("Nama produk terlalu panjang."))],
        description=_l("Contoh: Keripik Singkong Balado 250 g"),
    )
    category_id = SelectField(_l("Kategori"), coerce=_int_or_none, validate_choice=False)
    description = TextAreaField(
        _l("Deskripsi"),
        validators=[Length(max=100_000, message=_l("Deskripsi terlalu panjang."))],
    )
    price = RupiahField(
        _l("Harga (Rp)"), validators=[InputRequired(message=_l("Harga wajib diisi, misalnya 15.000."))],
        description=_l("Contoh: 15.000"),
    )
    unit = SelectField(_l("Satuan"), choices=[SelectChoice(u, UNIT_LABELS.get(u, u)) for u in UNITS], validate_choice=False)
    min_order = QuantityField(
        _l("Minimal pembelian"), validators=[InputRequired(message=_l("Minimal pembelian wajib diisi."))],
    )
    stock = QuantityField(_l("Stok"), validators=[Optional()])
    stock_seen = HiddenField()
    made_to_order = BooleanField(
        _l("Dibuat sesuai pesanan"), description=_l("Tidak perlu mengisi stok; isi lama pembuatan.")
    )
    lead_time_days = QuantityField(_l("Lama pembuatan (hari)"), validators=[Optional()])
    weight_grams = QuantityField(
        _l("Berat (gram)"), validators=[Optional()], description=_l("Untuk menghitung ongkos kirim. Boleh dikosongkan.")
    )
    tkdn_pct = QuantityField(
        _l("TKDN (%)"), validators=[Optional()],
        description=_l("Tingkat Komponen Dalam Negeri, 0–100. Boleh dikosongkan."),
    )
    sku = StringField(
        _l("SKU (kode barang)"),
        description=_l("Kode Anda sendiri untuk mencatat barang, misalnya KRP-BLD-250. Boleh dikosongkan."),
    )
    certificate_ids = CheckboxListField(_l("Sertifikat produk"), coerce=_int_or_zero, validate_choice=False)
    status = StringField()

    def set_choices(self, groups, certificates) -> None:
        """Categories as (top name → its children) for a grouped select, and the seller's valid
        certificates as checkboxes."""
        # The help line shows a tag the seller may type; Babel's lazy strings count as safe
        # HTML in Jinja, so escape it here to show "<b>" as text rather than as bold.
        self.description.description = escape(str(DESCRIPTION_HELP))
        self.category_groups = groups  # the template renders the optgroups in this order
        self.category_id.choices = [SelectChoice("", _l("— Pilih kategori —"))] + [
            SelectChoice(child.id, child.name, optgroup=top.name) for top, children in groups for child in children
        ]
        self.certificate_ids.choices = [SelectChoice(doc.id, certificate_label(doc)) for doc in certificates]

    # Price, stock and SKU of a listing with options are set per combination (the Varian page).
    VARIANT_FIELDS = ("price", "stock", "stock_seen", "sku")

    def drop_variant_fields(self) -> None:
        """For a listing with options: no price, stock or SKU inputs, so none is required or read
        (a forged one is ignored)."""
        for name in self.VARIANT_FIELDS:
            del self[name]

    @property
    def has_variant_fields(self) -> bool:
        return "price" in self._fields

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.has_variant_fields:
            pass
        elif not self.made_to_order.data and self.stock.data is None and not self.stock.errors:
            self.stock.errors = [*self.stock.errors, _l("Stok wajib diisi (boleh 0), atau pilih “Dibuat sesuai pesanan”.")]
            valid = False
        if self.made_to_order.data and self.lead_time_days.data is None and not self.lead_time_days.errors:
            self.lead_time_days.errors = [*self.lead_time_days.errors, _l("Isi lama pembuatan dalam hari, misalnya 3.")]
            valid = False
        return valid

    def to_data(self, current_status: str | None) -> ListingData:
        variant_fields = self.has_variant_fields
        seen = self.stock_seen.data if variant_fields else None
        return ListingData(
            title=self.title.data or "",
            category_id=self.category_id.data,
            description=self.description.data or "",
            price=self.price.data if variant_fields else None,
            unit=self.unit.data or "",
            min_order=self.min_order.data,
            stock=self.stock.data if variant_fields else None,
            made_to_order=bool(self.made_to_order.data),
            lead_time_days=self.lead_time_days.data,
            weight_grams=self.weight_grams.data,
            tkdn_pct=self.tkdn_pct.data,
            status=(self.status.data or current_status or "draft"),
            certificate_ids=list(self.certificate_ids.data or []),
            stock_seen=int(seen) if seen and str(seen).isdigit() else None,
            sku=(self.sku.data or None) if variant_fields else None,
        )

    def add_errors(self, errors: dict, *, keep_existing: bool = False) -> None:
        """Attach the service's {field: message} to the fields (or to the form). With
        keep_existing, a field that already shows a message (from reading its input) keeps only
        that one."""
        for name, message in errors.items():
            field = self._fields.get(name)
            if field is None or name == "status":
                self.form_errors.append(message)
            elif not (keep_existing and field.errors):
                field.errors = [*(field.errors or []), message]


def certificate_label(doc) -> str:
    names = {"halal": _l("Halal"), "pirt": _l("P-IRT"), "bpom": _l("BPOM MD"), "sni": _l("SNI")}
    return f"{names.get(doc.kind, doc.kind)} · {doc.number}"


class StockForm(FlaskForm):
    """The quick stock change on the listings page: the new count on the shelf."""

    stock = QuantityField(_l("Stok baru"), validators=[InputRequired(message=_l("Isi jumlah stok, boleh 0."))])
    note = StringField(_l("Catatan"), validators=[Optional(), Length(max=200, message=_l("Catatan maksimal 200 karakter."))])


class PhotoUploadForm(FlaskForm):
    photos = MultipleFileField(_l("Tambah foto"), render_kw={"accept": ACCEPT_IMAGES})


class ActionForm(FlaskForm):
    """Buttons that only need the CSRF token: duplicate, archive, restore, delete, photo delete,
    photo order (the position numbers are read from the request by name)."""
