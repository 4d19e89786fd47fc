"""Forms for the seller's government orders: declining a Surat Pesanan and recording a delivery.

They carry what was typed; the rules (a reason is required, never more than is left to ship, no
date in the future) are services/procurement/orders.py's, whose messages come back beside the
field they name. The quantity per line comes as line-<order line id>, the name the service uses
in its `field`."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from catalog.services.errors import ValidationFailed
from catalog.services.money import parse_quantity
from catalog.services.procurement import orders
from catalog.web.seller.forms_onboarding import LocalDateField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _max(n: int):
    return Length(max=n, message=_l("Paling banyak %(max)d karakter.", max=n))


def line_field(line) -> str:
    return f"line-{line.id}"


class DeclineForm(FlaskForm):
    """Declining a Surat Pesanan: the reason the agency will read (required by the service)."""

    reason = TextAreaField(_l("Alasan untuk instansi"), filters=[_strip],
                           validators=[Optional(), _max(orders.REASON_MAX)],
                           render_kw={"rows": 3, "maxlength": orders.REASON_MAX})


class DeliveryForm(FlaskForm):
    """A shipment: the date, a note (courier, receipt number, driver) and, outside WTForms, a
    quantity per line (see quantities())."""

    shipped_on = LocalDateField(_l("Tanggal kirim"), validators=[Optional()])
    note = StringField(_l("Catatan pengiriman (boleh dikosongkan)"), filters=[_strip],
                       description=_l("Contoh: diantar sendiri oleh Pak Budi, atau JNE resi 0123456789."),
                       validators=[Optional(), _max(orders.NOTE_MAX)],
                       render_kw={"maxlength": orders.NOTE_MAX, "autocomplete": "off"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_values: dict[str, str] = {}  # what was typed per line, to show it again
        self.line_errors: dict[str, str] = {}

    def prefill(self, lines, today) -> None:
        """What is left to ship per line, as the starting quantities, sent today."""
        self.shipped_on.data = today
        self.line_values = {line_field(line): str(max(line.quantity - line.quantity_shipped, 0)) for line in lines}

    def quantities(self, lines, formdata) -> dict[int, int] | None:
        """{order line id: quantity} read the Indonesian way ("1.000"); blank is 0. None when a
        quantity cannot be read (the message sits beside that line)."""
        result: dict[int, int] = {}
        for line in lines:
            name = line_field(line)
            raw = (formdata.get(name) or "").strip()
            self.line_values[name] = raw
            if not raw:
                result[line.id] = 0
                continue
            try:
                result[line.id] = parse_quantity(raw)
            except ValidationFailed as error:
                self.line_errors[name] = str(error.message)
        return None if self.line_errors else result

    def add_service_error(self, error) -> bool:
        """A refusal naming one line goes beside it; True when placed."""
        if error.field and error.field in self.line_values:
            self.line_errors[error.field] = str(error.message)
            return True
        return False
