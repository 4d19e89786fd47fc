"""How numbers, money and dates read on the page (Indonesian conventions, both locales)."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask_babel import get_locale

JAKARTA = ZoneInfo("Asia/Jakarta")

MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def angka(value: int | None) -> str:
    """12345678 → "12.345.678" (the dot groups thousands in Indonesia, in both locales here)."""
    if value is None:
        return "–"
    sign = "-" if value < 0 else ""
    return sign + f"{abs(int(value)):,}".replace(",", ".")


def rupiah(value: int | None) -> str:
    """Integer Rupiah → "Rp 1.250.000"."""
    if value is None:
        return "–"
    if value < 0:
        return "-Rp " + angka(-value)
    return "Rp " + angka(value)


def persen(value: float | int | None, digits: int = 1) -> str:
    """31.25 → "31,3%" (decimal comma)."""
    if value is None:
        return "–"
    # Half up, as people round by hand (31,25 → 31,3), not the float's banker's rounding.
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{rounded:f}".replace(".", ",") + "%"


def _locale() -> str:
    try:
        return str(get_locale() or "id")
    except (RuntimeError, AttributeError):
        return "id"


def tanggal(value: date | datetime | None) -> str:
    """A date as "23 November 2026" (in Jakarta time when a timestamp is given)."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(JAKARTA) if value.tzinfo else value
    months = MONTHS.get(_locale(), MONTHS["id"])
    return f"{value.day} {months[value.month - 1]} {value.year}"


def tanggal_waktu(value: datetime | None) -> str:
    """A timestamp as "23 November 2026 14.05 WIB"."""
    if value is None:
        return "–"
    local = value.astimezone(JAKARTA) if value.tzinfo else value
    return f"{tanggal(local)} {local:%H.%M} WIB"


def image_url(key: str | None, width: int = 320, ext: str = "webp") -> str | None:
    """URL of a stored photo rendition (see services/images.py); None when there is no photo."""
    if not key:
        return None
    from flask import url_for

    return url_for("media.file", key=f"p/{key}-{width}.{ext}")
