"""Forms of the officer's requests for quotation: opening one (details, a fixed number of line
rows plus "tambah baris" without JavaScript, deadline, who may answer), the counter-offer and the
award. The forms only read what was typed; the rules are services/procurement/rfq.py's, whose
messages come back beside the field or on top of the form."""

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Form, RadioField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields import DateTimeLocalField, FieldList, FormField
from wtforms.validators import InputRequired, Length, Optional

from catalog.formatting import JAKARTA
from catalog.services import money, regions
from catalog.services.catalogue import all_categories
from catalog.services.delivery import MAX_ID
from catalog.services.errors import ValidationFailed
from catalog.services.procurement import requests
from catalog.services.procurement import rfq as rfqs
from catalog.web.fields import QuantityField, RupiahField
from catalog.web.seller.forms_onboarding import LocalDateField

EMPTY_ROWS = 5  # rows shown on a new form; "tambah baris" adds as many more
DIRECT, VIA_PPK = "langsung", "ppk"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class LocalDateTimeField(DateTimeLocalField):
    """A date-and-time input (the phone's own picker) read as Jakarta time; our message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Tanggal dan jam tidak valid. Pilih dari kalender."))) from None

    @property
    def aware(self) -> datetime | None:
        return self.data.replace(tzinfo=JAKARTA) if self.data else None


class RfqLineForm(Form):
    """One row of needs; a row left wholly empty is ignored."""

    description = StringField(_l("Uraian barang/jasa"), filters=[_strip],
                              render_kw={"maxlength": rfqs.DESCRIPTION_MAX, "autocomplete": "off"})
    quantity = QuantityField(_l("Jumlah"), validators=[Optional()])
    unit = StringField(_l("Satuan"), filters=[_strip],
                       render_kw={"maxlength": rfqs.UNIT_MAX, "autocomplete": "off", "placeholder": _l("mis. kotak")})
    ceiling_price = RupiahField(_l("Harga tertinggi/satuan (opsional)"), validators=[Optional()])

    @property
    def is_blank(self) -> bool:
        return not (self.description.data or self.unit.data or self.quantity.raw_data and self.quantity.raw_data[0]
                    or self.ceiling_price.raw_data and self.ceiling_price.raw_data[0])

    def to_input(self) -> rfqs.LineInput:
        return rfqs.LineInput(self.description.data, self.quantity.data, self.unit.data, self.ceiling_price.data)


def kecamatan_choices() -> list[SelectChoice]:
    """Every kecamatan of Tangerang Raya, grouped by kota."""
    choices = [SelectChoice("", _l("Pilih kecamatan"))]
    for kota in regions.children(None):
        choices += [SelectChoice(k.code, k.name, optgroup=kota.name) for k in regions.children(kota.code)]
    return choices


def category_choices() -> list[SelectChoice]:
    choices = [SelectChoice("", _l("Semua kategori"))]
    for top in all_categories():
        choices.append(SelectChoice(str(top.id), _l("Semua %(name)s", name=top.name), optgroup=top.name))
        choices += [SelectChoice(str(child.id), child.name, optgroup=top.name) for child in top.children]
    return choices


class RfqForm(FlaskForm):
    title = StringField(_l("Judul kebutuhan"), filters=[_strip],
                        description=_l("Contoh: Konsumsi rapat koordinasi Desember."),
                        validators=[InputRequired(message=_l("Isi judul permintaan.")),
                                    Length(max=requests.TITLE_MAX, message=_l("Paling banyak %(max)d karakter."))],
                        render_kw={"maxlength": requests.TITLE_MAX})
    rup_code = StringField(_l("Kode RUP (opsional)"), filters=[_strip], render_kw={"maxlength": requests.RUP_MAX,
                                                                                  "inputmode": "numeric"})
    deadline = LocalDateTimeField(_l("Batas waktu penawaran (WIB)"),
                                  description=_l("Penjual dapat menawar sampai saat ini; paling lama %(n)s hari.",
                                                 n=rfqs.MAX_DEADLINE_DAYS),
                                  validators=[InputRequired(message=_l("Isi batas waktu penawaran."))])
    needed_by = LocalDateField(_l("Dibutuhkan tanggal (opsional)"), validators=[Optional()])
    delivery_kecamatan_code = SelectField(_l("Kecamatan tujuan pengiriman"), validate_choice=False)
    delivery_address = TextAreaField(_l("Alamat pengiriman"), filters=[_strip],
                                     render_kw={"rows": 2, "maxlength": requests.ADDRESS_MAX})
    notes = TextAreaField(_l("Keterangan untuk penjual (opsional)"), filters=[_strip],
                          description=_l("Spesifikasi, jam pengantaran, syarat lain."),
                          render_kw={"rows": 3, "maxlength": requests.NOTES_MAX})
    category_id = SelectField(_l("Kategori penjual"), validate_choice=False,
                              description=_l("Hanya penjual dengan produk aktif di kategori ini yang diundang."))
    kota_code = SelectField(_l("Wilayah penjual"), validate_choice=False)
    umkk_only = BooleanField(_l("Hanya UMK-K (usaha mikro, kecil dan koperasi)"), default=True,
                             description=_l("Usaha menengah tidak dihitung dalam porsi 40% Inpres 2/2022."))
    ppk_id = SelectField(_l("PPK yang menyetujui (bisa dipilih nanti)"), validate_choice=False)
    lines = FieldList(FormField(RfqLineForm), min_entries=EMPTY_ROWS, max_entries=rfqs.MAX_LINES)
    more_rows = SubmitField(_l("Tambah baris"))

    def set_choices(self, ppks) -> None:
        self.delivery_kecamatan_code.choices = kecamatan_choices()
        self.category_id.choices = category_choices()
        self.kota_code.choices = [SelectChoice("", _l("Seluruh Tangerang Raya"))] + [
            SelectChoice(code, name) for code, name in regions.kota_choices()]
        self.ppk_id.choices = [SelectChoice("", _l("Pilih nanti"))] + [SelectChoice(str(u.id), u.name) for u in ppks]

    def filled_lines(self) -> list[RfqLineForm]:
        return [entry.form for entry in self.lines if not entry.form.is_blank]

    def add_rows(self, n: int = EMPTY_ROWS) -> None:
        while n > 0 and len(self.lines.entries) < rfqs.MAX_LINES:
            self.lines.append_entry()
            n -= 1

    def to_kwargs(self) -> dict:
        return {
            "title": self.title.data, "rup_code": self.rup_code.data, "needed_by": self.needed_by.data,
            "delivery_address": self.delivery_address.data,
            "delivery_kecamatan_code": self.delivery_kecamatan_code.data or None, "notes": self.notes.data,
            "ppk_id": _int_or_none(self.ppk_id.data), "lines": [line.to_input() for line in self.filled_lines()],
            "deadline": self.deadline.aware, "category_id": _int_or_none(self.category_id.data),
            "kota_code": self.kota_code.data or None, "umkk_only": bool(self.umkk_only.data),
        }

    def add_error(self, error: ValidationFailed) -> None:
        field = getattr(self, error.field, None) if error.field else None
        if field is not None and error.field != "lines":
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)


LINE_KEY = re.compile(r"^lines-(\d+)-(\w+)$")


def compact_formdata(formdata) -> MultiDict:
    """The posted form with wholly empty line rows dropped and the rest renumbered from 0, so
    that "Baris 2" in a message is the second row the officer sees when the form comes back."""
    rows: dict[int, dict[str, str]] = {}
    result = MultiDict()
    for key, value in formdata.items(multi=True):
        match = LINE_KEY.match(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = value
        else:
            result.add(key, value)
    filled = [row for _i, row in sorted(rows.items()) if any((v or "").strip() for v in row.values())]
    for n, row in enumerate(filled[:rfqs.MAX_LINES]):
        for name, value in row.items():
            result.add(f"lines-{n}-{name}", value)
    return result


def _int_or_none(value) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1  # a forged value: the service answers "pilih dari daftar"
    # Past the id column's range the database would refuse the lookup itself: forged too.
    return number if number is None or 0 <= number <= MAX_ID else -1


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Alasan pembatalan"), filters=[_strip],
                           render_kw={"rows": 2, "maxlength": requests.REASON_MAX})


def read_prices(formdata, prefix: str, line_ids) -> tuple[dict[int, int | None], list[str]]:
    """Rupiah amounts typed per line (`<prefix><line id>`), the Indonesian way; empty means none.
    Returns the prices and the messages of what could not be read."""
    prices, problems = {}, []
    for position, line_id in line_ids:
        raw = (formdata.get(f"{prefix}{line_id}") or "").strip()
        if not raw:
            prices[line_id] = None
            continue
        try:
            prices[line_id] = money.parse_rupiah(raw)
        except ValidationFailed as error:
            problems.append(str(_l("Baris %(n)s: %(problem)s", n=position, problem=error.message)))
    return prices, problems


class AwardForm(FlaskForm):
    """How the award goes on; the per-line choices are radio groups named line-<rfq line id>."""

    route = RadioField(_l("Setelah pemenang dipilih"), validate_choice=False, default=VIA_PPK,
                       choices=[SelectChoice(DIRECT, _l("Pesan langsung (Pejabat Pengadaan, sampai Rp200 juta)")),
                                SelectChoice(VIA_PPK, _l("Ajukan ke PPK untuk disetujui"))])
    ppk_id = SelectField(_l("PPK"), validate_choice=False)

    def set_choices(self, ppks, *, may_order_directly: bool) -> None:
        self.ppk_id.choices = [SelectChoice("", _l("Pilih PPK"))] + [SelectChoice(str(u.id), u.name) for u in ppks]
        if not may_order_directly:
            self.route.choices = [c for c in self.route.choices if c.value == VIA_PPK]

    @property
    def direct(self) -> bool:
        return self.route.data == DIRECT

    @property
    def chosen_ppk(self) -> int | None:
        return None if self.direct else _int_or_none(self.ppk_id.data)


def read_choice(formdata, line_ids) -> dict[int, str | None]:
    """{rfq line id: the quotation line id picked (as typed, checked by the service) or None}."""
    return {line_id: (formdata.get(f"line-{line_id}") or None) for line_id in line_ids}
