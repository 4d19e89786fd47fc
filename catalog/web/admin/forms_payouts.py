"""Admin forms for seller money: a payout batch's sellers, the bank's answer (a reference, or a
failure reason), the platform fee rates and a balance adjustment.

The rules (minimum, 24-hour hold, reference and reason required, rate range, a reason for every
adjustment) live in services/payouts.py and services/ledger.py; these forms read what was typed
(amounts like "Rp 25.000" or "-25000", rates like "0,5") and carry the refusal back to its box."""

import re

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from catalog.models.ledger import FEE_KOPERASI
from catalog.models.sellers import SCALES
from catalog.services.errors import ValidationFailed
from catalog.services.money import MAX_RUPIAH
from catalog.services.payouts import REASON_MAX, REFERENCE_MAX
from catalog.web.auth.forms import AccountBaseForm

FEE_KEYS = (*SCALES, FEE_KOPERASI)
FEE_LABELS = {"mikro": _l("Usaha mikro"), "kecil": _l("Usaha kecil"), "menengah": _l("Usaha menengah"),
              FEE_KOPERASI: _l("Koperasi (apa pun skalanya)")}
PERCENT = re.compile(r"^(\d{1,3})(?:[.,](\d{1,2}))?$")
SELLER_ID = re.compile(r"[0-9]{1,9}")
AMOUNT = re.compile(r"^([+-])?\s*(?:rp\.?)?\s*(\d{1,3}(?:\.\d{3})+|\d+)$", re.IGNORECASE)
MSG_REASON_LONG = _l("Alasan terlalu panjang: maksimal %(max)d karakter.", max=REASON_MAX)


class ActionForm(AccountBaseForm):
    """A button that changes state (export, cancel): only the CSRF token."""


class PayoutBatchForm(AccountBaseForm):
    """The sellers ticked on the payout page (checkboxes named `seller_id`)."""

    def seller_ids(self) -> list[int]:
        # ASCII digits within the id column ("²³" is a digit to str.isdigit, 10**30 overflows it).
        return [int(value) for value in request.form.getlist("seller_id") if SELLER_ID.fullmatch(value)]


class ReferenceForm(AccountBaseForm):
    bank_reference = StringField(_l("Nomor referensi bank"), validators=[Length(max=REFERENCE_MAX, message=_l(
        "Nomor referensi terlalu panjang: maksimal %(max)d karakter."))])


class FailureForm(AccountBaseForm):
    reason = TextAreaField(_l("Alasan gagal (wajib)"), validators=[Length(max=REASON_MAX, message=MSG_REASON_LONG)])


def parse_percent(text: str | None) -> int:
    """ "0,5" or "1.25" (percent, up to 2 decimals) → basis points (50, 125)."""
    match = PERCENT.match((text or "").strip().rstrip("%").strip())
    if not match:
        raise ValidationFailed(_l("Tulis persen dengan paling banyak 2 angka desimal, misalnya 0 atau 1,5."))
    whole, fraction = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(fraction)


def percent_text(basis_points: int) -> str:
    whole, fraction = divmod(basis_points, 100)
    return f"{whole},{fraction:02d}".rstrip("0").rstrip(",") if fraction else str(whole)


class FeeRateForm(AccountBaseForm):
    mikro = StringField(FEE_LABELS["mikro"])
    kecil = StringField(FEE_LABELS["kecil"])
    menengah = StringField(FEE_LABELS["menengah"])
    koperasi = StringField(FEE_LABELS[FEE_KOPERASI])

    @classmethod
    def for_rates(cls, rates: dict[str, int]) -> "FeeRateForm":
        return cls(formdata=None, data={key: percent_text(rates.get(key, 0)) for key in FEE_KEYS})

    def rates(self, maximum_bp: int) -> dict[str, int] | None:
        """Every rate in basis points, or None with the message on each bad box."""
        parsed: dict[str, int] = {}
        for key in FEE_KEYS:
            field = self[key]
            try:
                parsed[key] = parse_percent(field.data)
                if parsed[key] > maximum_bp:
                    del parsed[key]
                    raise ValidationFailed(_l("Tarif paling tinggi %(max)s%%.", max=percent_text(maximum_bp)))
            except ValidationFailed as error:
                field.errors = [*field.errors, error.message]
        return parsed if len(parsed) == len(FEE_KEYS) else None


def parse_amount(text: str | None) -> int:
    """ "25.000", "-25000", "Rp 25.000", "+1.500" → signed integer Rupiah."""
    match = AMOUNT.match(" ".join((text or "").split()))
    if not match:
        raise ValidationFailed(_l("Tulis jumlah dalam Rupiah bulat, misalnya 25.000 atau -25.000."), field="amount")
    amount = int(match.group(2).replace(".", ""))
    if amount > MAX_RUPIAH:  # past any real balance, and past the BIGINT column
        raise ValidationFailed(_l("Jumlah terlalu besar."), field="amount")
    return -amount if match.group(1) == "-" else amount


class AdjustmentForm(AccountBaseForm):
    amount = StringField(_l("Jumlah (Rp)"), description=_l(
        "Positif menambah saldo, negatif (dengan tanda minus) mengurangi. Misalnya 25.000 atau -25.000."))
    reason = TextAreaField(_l("Alasan (wajib)"), description=_l("Penjual melihat alasan ini di riwayat saldonya."),
                           validators=[Length(max=REASON_MAX, message=MSG_REASON_LONG)])

    def signed_amount(self) -> int:
        return parse_amount(self.amount.data)
