"""The seller's quotation form: per line of the RFQ a unit price (empty: not supplied), delivery
days and a note, plus a note for the whole quotation. The rules (at least one line, at least Rp1,
at most the ceiling, 0–365 days) are services/procurement/rfq.py's; its messages come back beside
the line they name."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField
from wtforms.validators import Optional

from catalog.services.procurement import rfq as rfqs
from catalog.web.fields import QuantityField, RupiahField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class QuoteLineForm(Form):
    line_id = HiddenField()
    unit_price = RupiahField(_l("Harga per satuan"), validators=[Optional()],
                             description=_l("Kosongkan bila Anda tidak menyediakan barang ini."))
    delivery_days = QuantityField(_l("Lama pengiriman (hari)"), validators=[Optional()])
    notes = StringField(_l("Catatan (opsional)"), filters=[_strip],
                        render_kw={"maxlength": rfqs.LINE_NOTES_MAX, "autocomplete": "off"})


class QuotationForm(FlaskForm):
    lines = FieldList(FormField(QuoteLineForm), max_entries=rfqs.MAX_LINES)
    notes = TextAreaField(_l("Catatan untuk instansi (opsional)"), filters=[_strip],
                          description=_l("Merek, masa berlaku harga, syarat pengiriman."),
                          render_kw={"rows": 3, "maxlength": rfqs.NOTES_MAX})

    @classmethod
    def for_rfq(cls, rfq, quotation):
        """A blank form for the RFQ's lines, filled with the seller's earlier quotation if any."""
        mine = {q.rfq_line_id: q for q in quotation.lines} if quotation else {}
        data = {"notes": quotation.notes if quotation else "", "lines": [
            {"line_id": str(line.id), "unit_price": mine[line.id].unit_price if line.id in mine else None,
             "delivery_days": mine[line.id].delivery_days if line.id in mine else None,
             "notes": mine[line.id].notes if line.id in mine else ""} for line in rfq.lines]}
        return cls(formdata=None, data=data)

    def to_lines(self) -> dict:
        return {entry.form.line_id.data: (entry.form.unit_price.data, entry.form.delivery_days.data,
                                          entry.form.notes.data) for entry in self.lines}

    def add_error(self, error) -> None:
        """A refusal naming a line (price-<id>, days-<id>, notes-<id>) goes beside that field."""
        kind, _dash, line_id = (error.field or "").partition("-")
        target = {"price": "unit_price", "days": "delivery_days", "notes": "notes"}.get(kind)
        for entry in self.lines:
            if target and entry.form.line_id.data == line_id:
                field = entry.form[target]
                field.errors = [*field.errors, error.message]
                return
        if error.field == "notes":
            self.notes.errors = [*self.notes.errors, error.message]
        else:
            self.form_errors.append(error.message)
