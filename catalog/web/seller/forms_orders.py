"""Forms for the seller's orders (reject, cancel, ship) and delivery options. The buttons that
carry nothing but the CSRF token (accept, delivered, confirm a transfer) need no form class.

The forms only carry what was typed; the rules (a reason is required, a courier delivery needs a
tracking number, fees and kota) are the services' (services/orders.py, services/delivery.py),
whose messages come back to the page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from catalog.models.orders import DELIVERY_COURIER, DELIVERY_OWN, DELIVERY_PICKUP
from catalog.services import delivery
from catalog.services.orders import REASON_MAX, TRACKING_MAX


class ReasonForm(FlaskForm):
    """Reject or cancel: the reason the shopper will read."""

    reason = TextAreaField(
        _l("Alasan untuk pembeli"),
        validators=[Optional(), Length(max=REASON_MAX, message=_l("Alasan paling banyak %(max)d karakter."))],
        render_kw={"rows": 3, "maxlength": REASON_MAX},
    )


class ShipForm(FlaskForm):
    courier = StringField(
        _l("Kurir"),
        validators=[Optional(), Length(max=TRACKING_MAX, message=_l("Nama kurir paling banyak %(max)d karakter."))],
        render_kw={"maxlength": TRACKING_MAX, "autocomplete": "off"},
    )
    tracking_number = StringField(
        _l("Nomor resi"),
        validators=[Optional(), Length(max=TRACKING_MAX, message=_l("Nomor resi paling banyak %(max)d karakter."))],
        render_kw={"maxlength": TRACKING_MAX, "autocomplete": "off", "autocapitalize": "characters",
                   "spellcheck": "false"},
    )


KIND_LABELS = {
    DELIVERY_COURIER: _l("Kurir (tarif tetap per kota)"),
    DELIVERY_PICKUP: _l("Ambil di toko"),
    DELIVERY_OWN: _l("Antar sendiri (dalam kecamatan Anda)"),
}


class DeliveryOptionForm(FlaskForm):
    """One delivery option. The fee and days stay text here: services/delivery.py reads them the
    Indonesian way ("15.000") and says what is wrong."""

    kind = SelectField(_l("Jenis pengiriman"), choices=[SelectChoice(k, label) for k, label in KIND_LABELS.items()],
                       validate_choice=False)
    name = StringField(
        _l("Nama layanan"),
        description=_l("Contoh: JNE Reguler, SiCepat, Kurir toko. Boleh dikosongkan untuk ambil di toko "
                       "dan antar sendiri."),
        render_kw={"maxlength": delivery.NAME_MAX, "autocomplete": "off"},
    )
    fee = StringField(
        _l("Ongkos kirim (Rp)"),
        description=_l("Tarif tetap, misalnya 12.000; 0 untuk gratis ongkir. Ambil di toko selalu gratis."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    kota_code = SelectField(
        _l("Kota tujuan"),
        description=_l("Hanya untuk kurir: satu tarif per kota tujuan, atau satu tarif untuk semua kota."),
        validate_choice=False,
    )
    eta_days = StringField(
        _l("Perkiraan tiba (hari)"),
        description=_l("Boleh dikosongkan. 0 berarti hari yang sama."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 3},
    )
    active = BooleanField(_l("Tawarkan saat checkout"), default=True)

    def set_kota_choices(self, kota: list[tuple[str, str]]) -> None:
        self.kota_code.choices = [SelectChoice("", _l("Semua kota"))] + [SelectChoice(code, name) for code, name in kota]

    def to_input(self) -> delivery.OptionInput:
        return delivery.OptionInput(kind=self.kind.data or "", name=self.name.data or "", fee=self.fee.data,
                                    kota_code=self.kota_code.data or "", eta_days=self.eta_days.data,
                                    active=bool(self.active.data))

    def add_errors(self, errors: dict) -> None:
        for name, message in errors.items():
            field = getattr(self, name, None)
            if field is not None:
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(message)
