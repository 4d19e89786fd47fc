"""Forms of the cart, the address book and checkout. Every message is Indonesian (WTForms has no
Indonesian catalogue); field names match the `field` of the services' ValidationFailed, so a
refusal lands beside the right input."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields import TelField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from catalog.models.orders import PAYMENT_CARD, PAYMENT_TRANSFER
from catalog.services import addresses, regions
from catalog.services.checkout import NOTE_MAX
from catalog.services.delivery import MAX_ID
from catalog.web.fields import QuantityField
from catalog.web.seller.forms_onboarding import LocationForm, Rule, options

_ID = re.compile(r"[0-9]{1,18}")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _quantity_field():
    return QuantityField(_l("Jumlah"), validators=[InputRequired(message=_l("Isi jumlah yang ingin dibeli."))])


def parse_id(raw) -> int | None:
    """A row id typed into a form, or None for anything that is not one ("abc", "-1", "1e9")."""
    text = str(raw or "").strip()
    # Past the integer id column (2**31 - 1) PostgreSQL refuses the lookup itself: not an id either.
    return int(text) if _ID.fullmatch(text) and int(text) <= MAX_ID else None


# --- cart ---------------------------------------------------------------------------------------

class AddToCartForm(FlaskForm):
    """The product page's "Tambah ke keranjang": which combination and how many."""

    variant_id = StringField(validators=[DataRequired(message=_l("Pilih kombinasi produk dulu."))])
    quantity = _quantity_field()
    next = HiddenField()

    @property
    def variant(self) -> int | None:
        return parse_id(self.variant_id.data)


class QuantityForm(FlaskForm):
    """One cart line's quantity (its buttons say whether to change or remove it)."""

    quantity = _quantity_field()


# --- address book -------------------------------------------------------------------------------

class AddressForm(LocationForm):
    """Kota → kecamatan → kelurahan from the seller's location step, without its street/RT/RW
    (a delivery address has one free "detail" line), plus who receives the parcel."""

    street = rt = rw = None  # WTForms drops inherited fields set to None

    label = StringField(
        _l("Label alamat"), filters=[_strip],
        description=_l("Misalnya Rumah atau Kantor. Boleh dikosongkan."),
        validators=[Optional(), Length(max=addresses.LABEL_MAX, message=_l(
            "Paling banyak %(max)d karakter.", max=addresses.LABEL_MAX))],
    )
    recipient = StringField(
        _l("Nama penerima"), filters=[_strip],
        validators=[DataRequired(message=_l("Nama penerima wajib diisi.")),
                    Length(max=addresses.RECIPIENT_MAX, message=_l("Paling banyak %(max)d karakter.",
                                                                   max=addresses.RECIPIENT_MAX))],
    )
    phone = TelField(
        _l("Nomor HP penerima"), filters=[_strip],
        description=_l("Kurir menghubungi nomor ini. Contoh: 0812 3456 7890."),
        validators=[DataRequired(message=_l("Nomor HP penerima wajib diisi.")),
                    Length(max=30, message=addresses.PHONE_MESSAGE), Rule(addresses.clean_phone)],
    )
    detail = TextAreaField(
        _l("Alamat lengkap"), filters=[_strip],
        description=_l("Nama jalan, nomor rumah, RT/RW, blok, patokan (misalnya dekat masjid)."),
        validators=[DataRequired(message=_l("Alamat lengkap wajib diisi: jalan, nomor rumah, RT/RW.")),
                    Length(max=addresses.DETAIL_MAX, message=_l("Paling banyak %(max)d karakter.",
                                                                max=addresses.DETAIL_MAX))],
    )
    postal_code = StringField(
        _l("Kode pos"), filters=[_strip], description=_l("5 angka. Boleh dikosongkan."),
        validators=[Optional(), Length(max=10, message=_l("Kode pos harus 5 angka, misalnya 15417.")),
                    Rule(addresses.clean_postal_code, optional=True)],
    )
    is_default = BooleanField(_l("Jadikan alamat utama"))
    next = HiddenField()

    def address_data(self) -> addresses.AddressData:
        return addresses.AddressData(
            recipient=self.recipient.data, phone=self.phone.data, kota=self.kota.data,
            kecamatan=self.kecamatan.data, kelurahan=self.kelurahan.data or None, detail=self.detail.data,
            postal_code=self.postal_code.data, label=self.label.data,
        )

    def load_region_choices(self) -> None:
        """The lists filled from what is chosen so far (the page works without JavaScript)."""
        kecamatan_choices = regions.choices(self.kota.data) if regions.get(self.kota.data) else []
        kecamatan = self.kecamatan.data if self.kecamatan.data in dict(kecamatan_choices) else ""
        self.set_choices(regions.kota_choices(), kecamatan_choices, regions.choices(kecamatan))

    def fill_from(self, address) -> None:
        self.label.data = address.label
        self.recipient.data = address.recipient
        self.phone.data = address.phone
        self.kota.data = address.kota_code
        self.kecamatan.data = address.kecamatan_code
        self.kelurahan.data = address.kelurahan_code or ""
        self.detail.data = address.detail
        self.postal_code.data = address.postal_code or ""
        self.is_default.data = address.is_default


# --- checkout -----------------------------------------------------------------------------------

# The submit buttons of the checkout form: recompute the totals, or place the order.
ACTION_REFRESH = "hitung"
ACTION_PLACE = "pesan"
# Per-seller fields are named with the seller's id: "kirim-12", "catatan-12".
DELIVERY_PREFIX = "kirim-"
NOTE_PREFIX = "catatan-"


class CheckoutForm(FlaskForm):
    """The fixed part of checkout; the per-seller delivery radios and notes are read with
    seller_fields() because their number depends on the cart."""

    address = StringField()
    method = RadioField(_l("Cara pembayaran"), validate_choice=False, default=PAYMENT_TRANSFER,
                        choices=options([(PAYMENT_TRANSFER, _l("Transfer bank")), (PAYMENT_CARD, _l("Kartu"))]))
    # The total the shopper saw, and the form's one-time token (same form twice → one order).
    expected_total = HiddenField()
    checkout_token = HiddenField(validators=[
        DataRequired(message=_l("Formulir checkout ini tidak berlaku. Muat ulang halaman checkout.")),
        Regexp(r"^[A-Za-z0-9_-]{16,43}$", message=_l("Formulir checkout ini tidak berlaku. Muat ulang halaman checkout.")),
    ])

    @property
    def expected(self) -> int | None:
        return parse_id(self.expected_total.data)

    def seller_fields(self, formdata) -> tuple[dict[int, str], dict[int, str]]:
        """({seller id: delivery key}, {seller id: note}) from the posted form (notes cut at
        the limit plus one, so the service still sees that one was too long)."""
        chosen, notes = {}, {}
        for name, value in (formdata or {}).items():
            if name.startswith(DELIVERY_PREFIX) and (seller_id := parse_id(name[len(DELIVERY_PREFIX):])):
                chosen[seller_id] = str(value)[:40]
            elif name.startswith(NOTE_PREFIX) and (seller_id := parse_id(name[len(NOTE_PREFIX):])):
                notes[seller_id] = str(value)[:NOTE_MAX + 1]
        return chosen, notes
