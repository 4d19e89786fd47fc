"""Forms of the agency side (/pengadaan): the request made from the procurement cart, the PPK's
approval, rejection and cancellation, the BAST, the rating and the Bendahara's payment.

The forms carry what was typed; the rules (a reason is required, a BAST never above the order,
paying twice, a PPK of another agency) are the services' in services/procurement/, whose
messages come back beside the field they name. Field names match those `field` names. The
cart's own forms (add, quantity) are the shop's: the same fields, the same messages."""

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from catalog.extensions import db
from catalog.models.procurement import PAY_BANK_TRANSFER, PAY_GOV_CARD, PAY_STRIPE, PAY_VIRTUAL_ACCOUNT
from catalog.services.errors import DomainError
from catalog.services.procurement import orders, requests
from catalog.web.seller.forms_onboarding import LocalDateField, options
from catalog.web.shop.forms import AddToCartForm, QuantityForm, parse_id

__all__ = ["AddToCartForm", "ApproveForm", "PaymentForm", "QuantityForm", "RatingForm", "ReasonForm",
           "ReceiptForm", "RequestForm", "attach_error", "first_error", "parse_id", "run_and_flash"]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _max(n: int):
    return Length(max=n, message=_l("Paling banyak %(max)d karakter.", max=n))


def attach_error(form, error: DomainError) -> None:
    """A service's refusal beside the field it names, or flashed on top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash(str(error.message), "error")


def run_and_flash(act, done) -> bool:
    """Run one service call: flash `done`, or the refusal with the transaction rolled back (so
    nothing it began stays). The views' buttons that carry no other input use it."""
    try:
        act()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return False
    flash(done, "success")
    return True


def first_error(form) -> str:
    return next((str(message) for field in form for message in field.errors),
                str(_l("Formulir tidak lengkap. Coba lagi.")))


class RequestForm(FlaskForm):
    """The procurement cart → a purchase request (services/procurement/requests.create_from_cart)."""

    title = StringField(
        _l("Judul permintaan"), filters=[_strip],
        description=_l("Contoh: Konsumsi rapat koordinasi Mei, ATK triwulan II."),
        validators=[Optional(), _max(requests.TITLE_MAX)], render_kw={"maxlength": requests.TITLE_MAX},
    )
    rup_code = StringField(
        _l("Kode RUP (boleh dikosongkan)"), filters=[_strip],
        description=_l("Kode paket di SiRUP, bila sudah ada."),
        validators=[Optional(), _max(requests.RUP_MAX)],
        render_kw={"maxlength": requests.RUP_MAX, "inputmode": "numeric", "autocomplete": "off"},
    )
    needed_by = LocalDateField(_l("Dibutuhkan paling lambat (boleh dikosongkan)"), validators=[Optional()])
    delivery_address = TextAreaField(
        _l("Alamat pengiriman"), filters=[_strip],
        validators=[Optional(), _max(requests.ADDRESS_MAX)], render_kw={"rows": 2, "maxlength": requests.ADDRESS_MAX},
    )
    delivery_kecamatan_code = SelectField(_l("Kecamatan pengiriman"), validate_choice=False)
    notes = TextAreaField(
        _l("Catatan (boleh dikosongkan)"), filters=[_strip],
        validators=[Optional(), _max(requests.NOTES_MAX)], render_kw={"rows": 3, "maxlength": requests.NOTES_MAX},
    )
    ppk_id = SelectField(
        _l("PPK yang menyetujui"),
        description=_l("Wajib bila diajukan ke PPK (di atas Rp200 juta). Pemesanan langsung tidak memerlukannya."),
        validate_choice=False,
    )

    def set_choices(self, kecamatan_groups: dict[str, list[tuple[str, str]]], ppks) -> None:
        self.delivery_kecamatan_code.choices = {
            "": options([("", _l("— Pilih kecamatan —"))]), **{kota: options(rows) for kota, rows in kecamatan_groups.items()}}
        self.ppk_id.choices = options([("", _l("— Pilih PPK —"))] + [(str(u.id), u.name) for u in ppks])

    def details(self) -> dict:
        """The keyword arguments of requests.create_from_cart. A PPK value that is not an id
        (a forged form) becomes 0, which the service refuses like any foreign PPK."""
        raw_ppk = (self.ppk_id.data or "").strip()
        ppk_id = parse_id(raw_ppk) if raw_ppk else None
        if raw_ppk and ppk_id is None:
            ppk_id = 0
        return {"title": self.title.data, "rup_code": self.rup_code.data, "needed_by": self.needed_by.data,
                "delivery_address": self.delivery_address.data,
                "delivery_kecamatan_code": self.delivery_kecamatan_code.data or None,
                "notes": self.notes.data, "ppk_id": ppk_id}


class ReasonForm(FlaskForm):
    """Reject (PPK) or cancel (requester or PPK): the reason the others will read."""

    reason = TextAreaField(_l("Alasan"), filters=[_strip], validators=[Optional(), _max(requests.REASON_MAX)],
                           render_kw={"rows": 3, "maxlength": requests.REASON_MAX})


class ApproveForm(FlaskForm):
    reason = TextAreaField(_l("Catatan persetujuan (boleh dikosongkan)"), filters=[_strip],
                           validators=[Optional(), _max(requests.REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": requests.REASON_MAX})


class ReceiptForm(FlaskForm):
    """The PPK's BAST; the quantity per line comes as line-<order line id> (see quantities())."""

    number = StringField(_l("Nomor BAST instansi"), filters=[_strip],
                         validators=[Optional(), _max(orders.BAST_NUMBER_MAX)],
                         render_kw={"maxlength": orders.BAST_NUMBER_MAX, "autocomplete": "off"})
    received_on = LocalDateField(_l("Tanggal diterima"), validators=[Optional()])
    notes = TextAreaField(_l("Catatan (boleh dikosongkan)"), filters=[_strip],
                          validators=[Optional(), _max(orders.NOTE_MAX)], render_kw={"rows": 2, "maxlength": orders.NOTE_MAX})


SCORES = options([(str(n), str(n)) for n in range(1, 6)])


def _score(label):
    return RadioField(label, choices=SCORES, validate_choice=False)


class RatingForm(FlaskForm):
    on_time = _score(_l("Ketepatan waktu"))
    quantity = _score(_l("Kesesuaian jumlah"))
    quality = _score(_l("Mutu barang"))
    comment = TextAreaField(_l("Komentar (boleh dikosongkan)"), filters=[_strip],
                            validators=[Optional(), _max(orders.NOTE_MAX)], render_kw={"rows": 2, "maxlength": orders.NOTE_MAX})

    def scores(self) -> dict:
        """1–5 each; anything else reaches the service as 0, which it refuses by name."""
        def read(field):
            value = parse_id(field.data)
            return value if value is not None else 0
        return {"on_time": read(self.on_time), "quantity": read(self.quantity), "quality": read(self.quality)}


METHOD_LABELS = {
    PAY_BANK_TRANSFER: _l("Transfer bank"),
    PAY_VIRTUAL_ACCOUNT: _l("Virtual account"),
    PAY_GOV_CARD: _l("Kartu Kredit Pemerintah (KKP/KKPD)"),
    PAY_STRIPE: _l("Stripe"),
}


class PaymentForm(FlaskForm):
    method = RadioField(_l("Cara pembayaran"), validate_choice=False)
    reference = StringField(_l("Nomor referensi"), filters=[_strip],
                            description=_l("Nomor transaksi bank, nomor virtual account, atau nomor otorisasi KKP."),
                            validators=[Optional(), _max(orders.REFERENCE_MAX)],
                            render_kw={"maxlength": orders.REFERENCE_MAX, "autocomplete": "off"})
    paid_on = LocalDateField(_l("Tanggal dibayar"), validators=[Optional()])

    def set_methods(self, with_stripe: bool) -> None:
        methods = [PAY_BANK_TRANSFER, PAY_VIRTUAL_ACCOUNT, PAY_GOV_CARD] + ([PAY_STRIPE] if with_stripe else [])
        self.method.choices = options([(m, METHOD_LABELS[m]) for m in methods])
        self.allowed_methods = methods
