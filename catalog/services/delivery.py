"""A seller's delivery options (what checkout offers its shoppers): list, add, edit, switch on
or off and delete, with the rules each option must meet.

Checkout (services/checkout.py delivery_choices) reads these rows as they are: a courier's flat
fee for one destination kota (or for every kota, kota_code NULL), one "ambil di toko", and the
seller's own delivery within its kecamatan. Orders copy the kind, name and fee, so editing or
deleting an option never changes an order already placed.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import DeliveryOption, Seller
from catalog.models.orders import DELIVERY_COURIER, DELIVERY_KINDS, DELIVERY_OWN, DELIVERY_PICKUP
from catalog.models.regions import LEVEL_KOTA
from catalog.services import regions
from catalog.services.errors import NotFound, ValidationFailed
from catalog.services.money import parse_quantity, parse_rupiah

NAME_MAX = 60
FEE_MAX = 10_000_000
ETA_MAX_DAYS = 30
MAX_ID = 2**31 - 1
# Names an option gets when the seller leaves the name empty (couriers must be named).
DEFAULT_NAMES = {DELIVERY_PICKUP: _l("Ambil di toko"), DELIVERY_OWN: _l("Antar sendiri")}


class OptionInvalid(ValidationFailed):
    """An option broke one or more rules; `errors` maps a field of OptionInput to its message
    (`message`/`field` name the first, for callers that show one message)."""

    def __init__(self, errors: dict[str, object]):
        field_name, message = next(iter(errors.items()))
        super().__init__(message, field=field_name)
        self.errors = errors


@dataclass
class OptionInput:
    """What the seller typed: the fee and days as text (read the Indonesian way), kota_code ""
    for every kota."""

    kind: str
    name: str = ""
    fee: str | int | None = None
    kota_code: str | None = None
    eta_days: str | int | None = None
    active: bool = True


@dataclass(frozen=True)
class _Clean:
    kind: str
    name: str
    fee: int
    kota_code: str | None
    eta_days: int | None


# --- reading -------------------------------------------------------------------------------------

def seller_options(seller: Seller) -> list[DeliveryOption]:
    """The seller's options, grouped by kind (courier, own, pickup), then name and kota."""
    options = db.session.scalars(select(DeliveryOption).where(DeliveryOption.seller_id == seller.id)).all()
    order = {kind: n for n, kind in enumerate(DELIVERY_KINDS)}
    kota_names = dict(regions.kota_choices())
    return sorted(options, key=lambda o: (order.get(o.kind, 9), o.name.lower(),
                                          kota_names.get(o.kota_code or "", ""), o.id))


def seller_option(seller: Seller, option_id: object) -> DeliveryOption:
    """One of the seller's own options; another seller's id (or nonsense) is NotFound."""
    try:
        ident = int(option_id)
    except (TypeError, ValueError):
        ident = 0
    # Beyond the integer column's range PostgreSQL refuses the query itself.
    option = db.session.get(DeliveryOption, ident) if 0 < ident <= MAX_ID else None
    if option is None or option.seller_id != seller.id:
        raise NotFound(_l("Opsi pengiriman tidak ditemukan."))
    return option


def kota_without_delivery(seller: Seller, options: list[DeliveryOption]) -> list[str]:
    """Names of the kota whose shoppers would find no way to get the goods: no active courier
    fee for that kota (or for every kota) and no active pickup. Checkout offers a free pickup
    only to a seller that set up nothing at all, so a seller with only a courier to one kota
    is unreachable from the other two."""
    active = [o for o in options if o.active and o.seller_id == seller.id]
    if not active or any(o.kind == DELIVERY_PICKUP for o in active):
        return []
    couriers = [o for o in active if o.kind == DELIVERY_COURIER]
    if any(o.kota_code is None for o in couriers):
        return []
    served = {o.kota_code for o in couriers}
    return [name for code, name in regions.kota_choices() if code not in served]


# --- the rules -----------------------------------------------------------------------------------

def _clean(seller: Seller, data: OptionInput, *, editing: DeliveryOption | None) -> _Clean:
    errors: dict[str, object] = {}
    kind = (data.kind or "").strip()
    if kind not in DELIVERY_KINDS:
        errors["kind"] = _l("Pilih jenis pengiriman: kurir, ambil di toko, atau antar sendiri.")
    name = " ".join((data.name or "").split())
    if not name and kind in DEFAULT_NAMES:
        name = str(DEFAULT_NAMES[kind])
    if not name:
        errors["name"] = _l("Tulis nama layanan kurir, misalnya JNE Reguler.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("Nama paling banyak %(n)s karakter.", n=NAME_MAX)

    fee = 0
    if kind != DELIVERY_PICKUP:  # collecting at the shop is free: a pickup fee is ignored
        if data.fee is None or (isinstance(data.fee, str) and not data.fee.strip()):
            if kind == DELIVERY_COURIER:
                errors["fee"] = _l("Isi ongkos kirim, boleh 0 untuk gratis ongkir.")
        else:
            try:
                fee = parse_rupiah(data.fee, maximum=FEE_MAX)
            except ValidationFailed as error:
                errors["fee"] = error.message

    kota_code = (data.kota_code or "").strip() or None
    if kind != DELIVERY_COURIER:
        kota_code = None  # pickup is at the shop; own delivery stays in the seller's kecamatan
    elif kota_code is not None:
        ref = regions.get(kota_code)
        if ref is None or ref.level != LEVEL_KOTA:
            errors["kota_code"] = _l("Pilih kota tujuan dari daftar, atau “Semua kota”.")

    eta_days = None
    if data.eta_days is not None and str(data.eta_days).strip():
        try:
            eta_days = parse_quantity(data.eta_days, maximum=ETA_MAX_DAYS)
        except ValidationFailed:
            errors["eta_days"] = _l("Perkiraan tiba diisi angka hari, 0 sampai %(n)s.", n=ETA_MAX_DAYS)

    if not errors:
        clash = _clash(seller, kind, name, kota_code, editing)
        if clash:
            errors[clash[0]] = clash[1]
    if errors:
        raise OptionInvalid(errors)
    return _Clean(kind=kind, name=name, fee=fee, kota_code=kota_code, eta_days=eta_days)


def _clash(seller: Seller, kind: str, name: str, kota_code: str | None,
           editing: DeliveryOption | None) -> tuple[str, object] | None:
    """Checkout uses one pickup and one fee per courier name and kota: a second one would be
    silently ignored there, so it is refused here."""
    others = [o for o in seller_options(seller) if editing is None or o.id != editing.id]
    if kind == DELIVERY_PICKUP and any(o.kind == DELIVERY_PICKUP for o in others):
        return "kind", _l("Opsi “Ambil di toko” sudah ada. Ubah yang sudah ada saja.")
    if kind == DELIVERY_COURIER:
        for other in others:
            if other.kind == DELIVERY_COURIER and other.name.lower() == name.lower() and other.kota_code == kota_code:
                where = regions.get(kota_code).name if kota_code else _l("semua kota")
                return "kota_code", _l("Tarif %(name)s untuk %(where)s sudah ada. Ubah tarif yang sudah ada.",
                                       name=other.name, where=where)
    return None


# --- writing -------------------------------------------------------------------------------------

def add_option(seller: Seller, data: OptionInput) -> DeliveryOption:
    """A new option for the seller. Raises OptionInvalid (nothing written). Commits."""
    clean = _clean(seller, data, editing=None)
    option = DeliveryOption(seller_id=seller.id, kind=clean.kind, name=clean.name, fee=clean.fee,
                            kota_code=clean.kota_code, eta_days=clean.eta_days, active=bool(data.active))
    db.session.add(option)
    db.session.commit()
    return option


def update_option(seller: Seller, option: DeliveryOption, data: OptionInput) -> DeliveryOption:
    """Change one of the seller's options (orders already placed keep what they copied).
    Raises NotFound for another seller's option, OptionInvalid on bad input. Commits."""
    _own(seller, option)
    clean = _clean(seller, data, editing=option)
    option.kind, option.name, option.fee = clean.kind, clean.name, clean.fee
    option.kota_code, option.eta_days, option.active = clean.kota_code, clean.eta_days, bool(data.active)
    db.session.commit()
    return option


def set_active(seller: Seller, option: DeliveryOption, active: bool) -> DeliveryOption:
    """Offer the option at checkout again, or stop offering it without losing its settings. Commits."""
    _own(seller, option)
    option.active = bool(active)
    db.session.commit()
    return option


def delete_option(seller: Seller, option: DeliveryOption) -> None:
    """Remove the option; orders that used it keep its name and fee (the link is cleared). Commits."""
    _own(seller, option)
    db.session.delete(option)
    db.session.commit()


def option_input_from(option: DeliveryOption) -> OptionInput:
    """An existing option as the edit form shows it."""
    return OptionInput(kind=option.kind, name=option.name, fee=option.fee, kota_code=option.kota_code or "",
                       eta_days=option.eta_days, active=option.active)


def _own(seller: Seller, option: DeliveryOption) -> None:
    if option.seller_id != seller.id:
        raise NotFound(_l("Opsi pengiriman tidak ditemukan."))


__all__ = [
    "ETA_MAX_DAYS", "FEE_MAX", "NAME_MAX", "OptionInput", "OptionInvalid", "add_option", "delete_option",
    "kota_without_delivery", "option_input_from", "seller_option", "seller_options", "set_active", "update_option",
]
