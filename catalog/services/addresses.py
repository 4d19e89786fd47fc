"""The shopper's address book: delivery addresses in Tangerang Raya (kota → kecamatan →
kelurahan from the region table), one of them the default that checkout picks first."""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import selectinload

from catalog.extensions import db
from catalog.models import Address, User
from catalog.services import regions
from catalog.services.errors import ValidationFailed
from catalog.services.identifiers import normalise_whatsapp
from catalog.services.sellers import clean_required

LABEL_MAX = 40
RECIPIENT_MAX = 120
DETAIL_MAX = 255
MAX_ADDRESSES = 20  # a book, not a mailing list
PHONE_MESSAGE = _l("Nomor HP penerima harus nomor HP Indonesia, misalnya 0812-3456-7890.")
_POSTAL_CODE = re.compile(r"[0-9]{5}")


@dataclass(frozen=True)
class AddressData:
    recipient: str | None
    phone: str | None
    kota: str | None
    kecamatan: str | None
    kelurahan: str | None
    detail: str | None
    postal_code: str | None = None
    label: str | None = None


def clean_phone(raw: str | None) -> str:
    """The recipient's mobile number as +62… (couriers call or WhatsApp it)."""
    try:
        return normalise_whatsapp(raw)
    except ValidationFailed:
        raise ValidationFailed(PHONE_MESSAGE, field="phone") from None


def clean_postal_code(raw: str | None) -> str | None:
    value = (raw or "").strip().replace(" ", "")
    if not value:
        return None
    if not _POSTAL_CODE.fullmatch(value):
        raise ValidationFailed(_l("Kode pos harus 5 angka, misalnya 15417."), field="postal_code")
    return value


def clean_label(raw: str | None) -> str:
    value = " ".join((raw or "").split())
    if len(value) > LABEL_MAX:
        raise ValidationFailed(_l("Paling banyak %(max)d karakter.", max=LABEL_MAX), field="label")
    return value


def _clean(data: AddressData) -> AddressData:
    regions.validate_region(data.kota, data.kecamatan, data.kelurahan or None)
    return AddressData(
        recipient=clean_required(data.recipient, field="recipient", max_len=RECIPIENT_MAX,
                                 label_required=_l("Nama penerima wajib diisi.")),
        phone=clean_phone(data.phone),
        kota=data.kota, kecamatan=data.kecamatan, kelurahan=data.kelurahan or None,
        detail=clean_required(data.detail, field="detail", max_len=DETAIL_MAX,
                              label_required=_l("Alamat lengkap wajib diisi: jalan, nomor rumah, RT/RW.")),
        postal_code=clean_postal_code(data.postal_code),
        label=clean_label(data.label),
    )


def _apply(address: Address, data: AddressData) -> None:
    address.label = data.label or ""
    address.recipient = data.recipient
    address.phone = data.phone
    address.kota_code = data.kota
    address.kecamatan_code = data.kecamatan
    address.kelurahan_code = data.kelurahan
    address.detail = data.detail
    address.postal_code = data.postal_code


# --- reading -------------------------------------------------------------------------------------

def book(user_id: int) -> list[Address]:
    """The user's addresses, the default first, then the newest."""
    return list(db.session.scalars(
        select(Address).where(Address.user_id == user_id)
        .order_by(Address.is_default.desc(), Address.id.desc())
        .options(selectinload(Address.kota), selectinload(Address.kecamatan), selectinload(Address.kelurahan))
    ).all())


def pick(addresses: list[Address], address_id: object = None) -> Address | None:
    """The address chosen by id among `addresses` (the user's own), else the default, else the
    first; an id that is not among them counts as no choice."""
    wanted = str(address_id or "")
    chosen = next((a for a in addresses if str(a.id) == wanted), None)
    return chosen or next((a for a in addresses if a.is_default), None) or (addresses[0] if addresses else None)


# --- changing ------------------------------------------------------------------------------------

def create(user: User, data: AddressData, *, make_default: bool = False) -> Address:
    """Add an address; the first one becomes the default. Commits."""
    cleaned = _clean(data)
    count = db.session.scalar(select(func.count(Address.id)).where(Address.user_id == user.id)) or 0
    if count >= MAX_ADDRESSES:
        raise ValidationFailed(_l("Paling banyak %(n)s alamat. Hapus alamat yang tidak dipakai lagi.",
                                  n=MAX_ADDRESSES))
    address = Address(user_id=user.id, is_default=False)
    _apply(address, cleaned)
    db.session.add(address)
    db.session.flush()
    if make_default or count == 0:
        _make_default(address)
    db.session.commit()
    return address


def update(address: Address, data: AddressData, *, make_default: bool = False) -> Address:
    """Change an address (orders already placed keep their own copy). Commits."""
    cleaned = _clean(data)
    _apply(address, cleaned)
    if make_default:
        _make_default(address)
    db.session.commit()
    return address


def set_default(address: Address) -> None:
    """Make this the address checkout picks first. Commits."""
    _make_default(address)
    db.session.commit()


def delete(address: Address) -> None:
    """Remove an address; when it was the default, the newest other one takes its place.
    Orders keep their copy of it. Commits."""
    user_id, was_default = address.user_id, address.is_default
    db.session.delete(address)
    db.session.flush()
    if was_default:
        successor = db.session.scalar(
            select(Address).where(Address.user_id == user_id).order_by(Address.id.desc()).limit(1)
        )
        if successor is not None:
            successor.is_default = True
    db.session.commit()


def _make_default(address: Address) -> None:
    db.session.execute(
        sql_update(Address).where(Address.user_id == address.user_id, Address.id != address.id)
        .values(is_default=False).execution_options(synchronize_session="fetch")
    )
    address.is_default = True
