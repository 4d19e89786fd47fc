"""Identifiers people type: WhatsApp numbers, NIB, NPWP, and the slugs used in public URLs.

Each function accepts the forms people actually write (spaces, dots, dashes, country codes) and
returns one canonical form for storage, or raises ValidationFailed with an Indonesian message.
"""

import re
import secrets
import unicodedata
from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from catalog.services.errors import ValidationFailed

# Separators people put inside numbers: spaces, dots, dashes, slashes and brackets.
_SEPARATORS = re.compile(r"[\s.\-–/()]+")

# Indonesian mobile numbers are 08xx-… nationally, i.e. 8xx after the country code 62, with
# 9 to 12 digits after the 62 (10 to 13 digits written with the leading 0). Operator prefixes
# run 811–899; 80x is not allocated. Landlines (021-…, +62 21 …) cannot use WhatsApp-by-number
# reliably and are refused with a hint.
_MOBILE_NATIONAL = re.compile(r"8[1-9][0-9]{7,10}")
WHATSAPP_MESSAGE = _l("Nomor WhatsApp harus nomor HP Indonesia, misalnya 0812-3456-7890.")

NIB_LENGTH = 13
NIB_MESSAGE = _l("NIB harus 13 digit angka.")
NPWP_MESSAGE = _l("NPWP harus 16 digit angka (atau 15 digit format lama).")

SLUG_MAX_LENGTH = 80
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_UNIQUE_NUMBERED_TRIES = 50
_UNIQUE_RANDOM_TRIES = 20


def _digits_only(text: str | None) -> str | None:
    """The digits of `text` once separators are removed, or None when anything else is left."""
    compact = _SEPARATORS.sub("", text or "")
    return compact if compact.isascii() and compact.isdigit() else None


def normalise_whatsapp(text: str | None) -> str:
    """"0812-3456-7890", "62812…", "+62 812 …", "+62 (0)812 …", "0062812…" → "+628123456789…".

    The stored form is E.164, which is also what wa.me links need (without the "+").
    """
    raw = (text or "").strip()
    digits = _digits_only(raw[1:] if raw.startswith("+") else raw)
    if not digits:
        raise ValidationFailed(WHATSAPP_MESSAGE, field="whatsapp")
    national = _national_mobile_part(digits)
    if national is None or not _MOBILE_NATIONAL.fullmatch(national):
        raise ValidationFailed(WHATSAPP_MESSAGE, field="whatsapp")
    return "+62" + national


def _national_mobile_part(digits: str) -> str | None:
    """Strip the international prefix, country code or trunk zero; None for other countries."""
    if digits.startswith("00"):
        digits = digits[2:]
        if not digits.startswith("62"):
            return None
    if digits.startswith("62"):
        rest = digits[2:]
        return rest[1:] if rest.startswith("0") else rest  # "+62 (0)812…" written with the trunk zero
    if digits.startswith("0"):
        return digits[1:]
    if digits.startswith("8"):
        return digits  # "812-3456-7890" typed without the leading zero
    return None


def validate_nib(text: str | None) -> str:
    """The 13-digit Nomor Induk Berusaha from OSS, with spaces, dots or dashes removed."""
    digits = _digits_only(text)
    if not digits or len(digits) != NIB_LENGTH:
        raise ValidationFailed(NIB_MESSAGE, field="nib")
    return digits


def validate_npwp(text: str | None) -> str:
    """The 16-digit NPWP. The old 15-digit form ("01.234.567.8-901.000") is still printed on many
    cards: since 2024 DJP uses it with a leading "0" (PMK 112/PMK.03/2022), so that is how it is
    stored. Individuals' 16-digit NIK-based NPWP is kept as given."""
    digits = _digits_only(text)
    if digits and len(digits) == 15:
        return "0" + digits
    if not digits or len(digits) != 16:
        raise ValidationFailed(NPWP_MESSAGE, field="npwp")
    return digits


def slugify(text: str | None, max_length: int = SLUG_MAX_LENGTH) -> str:
    """"Kopi Susu Gula Aren — Spesial!" → "kopi-susu-gula-aren-spesial": ASCII letters and digits
    joined by single hyphens, accents folded ("Café" → "cafe"), cut at a word boundary when it
    can be. May return "" for text with no Latin letters or digits; unique_slug handles that."""
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_JUNK.sub("-", folded.lower()).strip("-")
    if len(slug) <= max_length:
        return slug
    cut = slug[:max_length]
    if slug[max_length] != "-" and "-" in cut:
        cut = cut[: cut.rfind("-")]
    return cut.strip("-")


def unique_slug(
    base: str | None,
    exists: Callable[[str], bool],
    *,
    max_length: int = SLUG_MAX_LENGTH,
    fallback: str = "item",
) -> str:
    """A slug from `base` that `exists` says is free: "kopi", then "kopi-2", "kopi-3", …

    After a few dozen taken numbers (a popular name such as "keripik-pisang") it switches to a
    short random suffix, so finding a free slug never needs hundreds of queries. Two requests can
    still pick the same slug at the same moment: the unique index decides, and the caller retries.
    """
    slug = slugify(base, max_length) or slugify(fallback, max_length) or "item"
    if not exists(slug):
        return slug
    for number in range(2, _UNIQUE_NUMBERED_TRIES + 2):
        candidate = _with_suffix(slug, str(number), max_length)
        if not exists(candidate):
            return candidate
    for _ in range(_UNIQUE_RANDOM_TRIES):
        candidate = _with_suffix(slug, secrets.token_hex(3), max_length)
        if not exists(candidate):
            return candidate
    raise RuntimeError(f"no free slug for {slug!r}")  # only when `exists` always says yes


def _with_suffix(slug: str, suffix: str, max_length: int) -> str:
    room = max_length - len(suffix) - 1
    return f"{slug[:room].rstrip('-')}-{suffix}"
