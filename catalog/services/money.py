"""Reading numbers as Indonesians write them: Rupiah amounts and whole quantities (stock, orders).

The Indonesian convention is that "." groups thousands and "," is the decimal mark, so
"Rp 1.250.000" is one and a quarter million and "15.000,00" is fifteen thousand. Rupiah amounts
on this site are whole numbers (no sen), which decides the unclear cases:

- "15.000", "15000", "Rp15.000", "Rp 15.000", "rp. 1.250.000", "IDR 15.000", "15 000" → 15000
- "15.000,-", "15.000,00", "15.000,0" → 15000 (a zero decimal part or the ",-" of price tags)
- "15,5", "15,50" → refused: Rupiah has no cents here
- "15,000" → refused with a hint, not guessed: by the Indonesian rule it is fifteen, but whoever
  typed it almost surely meant fifteen thousand; silently storing either could be a costly error
- "1.50.000", "15.00" → refused: groups after a dot must have exactly three digits
- negatives, empty input, letters, and anything above 10^13 (ten trillion) → refused

Every refusal raises ValidationFailed with an Indonesian message that shows the expected form.
"""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from catalog.services.errors import ValidationFailed

MAX_RUPIAH = 10**13
MAX_QUANTITY = 10**9
_MAX_INPUT_LENGTH = 40  # longer than any sensible amount; refused before any regex runs

_CURRENCY = re.compile(r"^(?:rp\.?|idr)\s*", re.I)
_ZERO_DECIMALS = re.compile(r",(?:-|0{1,2})$")
_PLAIN = re.compile(r"[0-9]+")
_DOT_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_SPACE_GROUPED = re.compile(r"[0-9]{1,3}(?: [0-9]{3})+")
_COMMA_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_HAS_DECIMALS = re.compile(r"[0-9.]*[0-9][.,][0-9]{1,2}")
_MINUS = ("-", "−", "–")  # hyphen-minus, the minus sign, and the en dash phones substitute


@dataclass(frozen=True)
class _Messages:
    empty: object
    invalid: object
    negative: object
    decimals: object
    comma_thousands: object
    too_large: object


RUPIAH_MESSAGES = _Messages(
    empty=_l("Nominal wajib diisi, misalnya 15.000."),
    invalid=_l("Nominal tidak dikenali. Tulis angka Rupiah, misalnya 15.000 atau Rp 1.250.000."),
    negative=_l("Nominal tidak boleh negatif."),
    decimals=_l("Rupiah tidak memakai sen. Tulis angka bulat, misalnya 15.000."),
    comma_thousands=_l("Gunakan titik untuk ribuan, misalnya 15.000 (bukan 15,000)."),
    too_large=_l("Nominal terlalu besar."),
)
QUANTITY_MESSAGES = _Messages(
    empty=_l("Jumlah wajib diisi, misalnya 10."),
    invalid=_l("Jumlah harus berupa angka bulat, misalnya 10 atau 1.000."),
    negative=_l("Jumlah tidak boleh negatif."),
    decimals=_l("Jumlah harus berupa angka bulat, tanpa koma."),
    comma_thousands=_l("Gunakan titik untuk ribuan, misalnya 1.000 (bukan 1,000)."),
    too_large=_l("Jumlah terlalu besar."),
)


def parse_rupiah(value: str | int | None, *, maximum: int = MAX_RUPIAH) -> int:
    """Integer Rupiah from what a seller or officer typed; see the module docstring for the rules."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _in_range(value, maximum, RUPIAH_MESSAGES)
    text = _prepare(value, RUPIAH_MESSAGES)
    text = _CURRENCY.sub("", text)
    if text.startswith(_MINUS):
        raise ValidationFailed(RUPIAH_MESSAGES.negative)
    text = _ZERO_DECIMALS.sub("", text.strip())
    return _in_range(_grouped_integer(text, RUPIAH_MESSAGES), maximum, RUPIAH_MESSAGES)


def parse_quantity(value: str | int | None, *, maximum: int = MAX_QUANTITY) -> int:
    """A whole, non-negative count (stock, minimum order): "12", "1.000" and "1 000" are fine;
    decimals, negatives and words are refused."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _in_range(value, maximum, QUANTITY_MESSAGES)
    text = _prepare(value, QUANTITY_MESSAGES)
    return _in_range(_grouped_integer(text, QUANTITY_MESSAGES), maximum, QUANTITY_MESSAGES)


def _prepare(value: object, messages: _Messages) -> str:
    """Trim, turn the non-breaking spaces phones and spreadsheets insert into plain spaces, and
    refuse empty, overlong or negative input (and anything that is not text, such as a bool)."""
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(messages.invalid)
    text = " ".join((value or "").replace("\u00a0", " ").replace("\u202f", " ").split())
    if not text:
        raise ValidationFailed(messages.empty)
    if len(text) > _MAX_INPUT_LENGTH:
        raise ValidationFailed(messages.invalid)
    if text.startswith(_MINUS):
        raise ValidationFailed(messages.negative)
    return text


def _grouped_integer(text: str, messages: _Messages) -> int:
    """Digits written plainly or in groups of three separated by "." (or by spaces)."""
    if _PLAIN.fullmatch(text):
        return int(text)
    if _DOT_GROUPED.fullmatch(text):
        return int(text.replace(".", ""))
    if _SPACE_GROUPED.fullmatch(text):
        return int(text.replace(" ", ""))
    if _COMMA_THOUSANDS.fullmatch(text):
        raise ValidationFailed(messages.comma_thousands)
    if _HAS_DECIMALS.fullmatch(text):
        raise ValidationFailed(messages.decimals)
    raise ValidationFailed(messages.invalid)


def _in_range(number: int, maximum: int, messages: _Messages) -> int:
    if number < 0:
        raise ValidationFailed(messages.negative)
    if number > maximum:
        raise ValidationFailed(messages.too_large)
    return number
