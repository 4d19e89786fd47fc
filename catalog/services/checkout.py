"""Checkout: the delivery choices each seller offers for an address, the quote the shopper sees,
and place_order(), which turns the cart into one order group (one payment) with one order per
seller and reserves the stock, all in one transaction."""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.extensions import db
from catalog.models import Address, Cart, DeliveryOption, Order, OrderGroup, OrderItem, Payment, Seller, User
from catalog.models.base import utcnow
from catalog.models.orders import (
    DELIVERY_COURIER,
    DELIVERY_OWN,
    DELIVERY_PICKUP,
    ORDER_AWAITING_PAYMENT,
    PAY_PENDING,
    PAYMENT_CARD,
    PAYMENT_METHODS,
    PAYMENT_TRANSFER,
)
from catalog.services import audit, inventory, notifications
from catalog.services import cart as carts
from catalog.services.delivery import MAX_ID
from catalog.services.errors import NotFound, OutOfStock, ValidationFailed

PICKUP_KEY = "ambil"  # the pickup a seller without delivery options still offers
NOTE_MAX = 500
NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


@dataclass(frozen=True)
class DeliveryChoice:
    key: str  # the option id, or PICKUP_KEY
    kind: str
    name: str
    fee: int
    eta_days: int | None = None
    option_id: int | None = None


@dataclass
class SellerQuote:
    lines: carts.SellerLines
    choices: list[DeliveryChoice]
    chosen: DeliveryChoice | None
    note: str = ""

    @property
    def seller(self) -> Seller:
        return self.lines.seller

    @property
    def items_total(self) -> int:
        return self.lines.items_total

    @property
    def shipping_fee(self) -> int:
        return self.chosen.fee if self.chosen else 0

    @property
    def total(self) -> int:
        return self.items_total + self.shipping_fee


@dataclass
class Quote:
    review: carts.CartReview
    sellers: list[SellerQuote] = field(default_factory=list)

    @property
    def items_total(self) -> int:
        return sum(s.items_total for s in self.sellers)

    @property
    def shipping_total(self) -> int:
        return sum(s.shipping_fee for s in self.sellers)

    @property
    def total(self) -> int:
        return self.items_total + self.shipping_total

    @property
    def complete(self) -> bool:
        """Every seller has a delivery choice and no line has a problem."""
        return self.review.can_checkout and all(s.chosen is not None for s in self.sellers)


# --- delivery ------------------------------------------------------------------------------------

def delivery_choices(seller: Seller, options: list[DeliveryOption], address: Address | None) -> list[DeliveryChoice]:
    """What `seller` offers for `address`: couriers to the address's kota (a fee for that kota
    wins over one for every kota of the same courier name), its own delivery when the address
    is in the seller's kecamatan, pickup. A seller that set up nothing still offers pickup."""
    active = [o for o in options if o.active and o.seller_id == seller.id]
    choices: list[DeliveryChoice] = []
    couriers: dict[str, DeliveryOption] = {}
    for option in active:
        if option.kind != DELIVERY_COURIER or address is None:
            continue
        if option.kota_code == address.kota_code or (option.kota_code is None and option.name not in couriers):
            couriers[option.name] = option
    for option in sorted(couriers.values(), key=lambda o: (o.fee, o.name)):
        choices.append(_choice(option))
    for option in active:
        if option.kind == DELIVERY_OWN and address is not None and address.kecamatan_code == seller.kecamatan_code:
            choices.append(_choice(option))
    pickups = [o for o in active if o.kind == DELIVERY_PICKUP]
    if pickups:
        choices.extend(_choice(o) for o in pickups[:1])
    elif not active:
        choices.append(DeliveryChoice(key=PICKUP_KEY, kind=DELIVERY_PICKUP, name=str(_l("Ambil di toko")), fee=0))
    return choices


def _choice(option: DeliveryOption) -> DeliveryChoice:
    return DeliveryChoice(key=str(option.id), kind=option.kind, name=option.name, fee=option.fee,
                          eta_days=option.eta_days, option_id=option.id)


def _options_of(seller_ids: list[int]) -> list[DeliveryOption]:
    if not seller_ids:
        return []
    return list(db.session.scalars(
        select(DeliveryOption).where(DeliveryOption.seller_id.in_(seller_ids)).order_by(DeliveryOption.id)
    ).all())


# --- the quote -----------------------------------------------------------------------------------

def quote(cart: Cart | None, address: Address | None, chosen: dict[int, str] | None = None,
          notes: dict[int, str] | None = None) -> Quote:
    """The checkout as the shopper sees it: per seller the orderable lines, the delivery choices
    for the address, the chosen one (the only one when there is just one), and the totals."""
    review = carts.review(cart)
    options = _options_of([g.seller.id for g in review.groups])
    result = Quote(review=review)
    for group in review.groups:
        choices = delivery_choices(group.seller, options, address)
        key = (chosen or {}).get(group.seller.id)
        pick = next((c for c in choices if c.key == key), None)
        if pick is None and len(choices) == 1:
            pick = choices[0]
        note = ((notes or {}).get(group.seller.id) or "").strip()
        result.sellers.append(SellerQuote(lines=group, choices=choices, chosen=pick, note=note))
    return result


# --- placing the order ---------------------------------------------------------------------------

def new_checkout_token() -> str:
    return secrets.token_urlsafe(32)


def _new_number() -> str:
    """"KU-261123-7QX4P": the date, then five characters that are easy to read aloud."""
    return "KU-{:%y%m%d}-{}".format(utcnow(), "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(5)))


def payment_window(method: str) -> timedelta:
    config = current_app.config
    if method == PAYMENT_TRANSFER:
        return timedelta(hours=config["TRANSFER_EXPIRY_HOURS"])
    return timedelta(minutes=config["CARD_PAYMENT_MINUTES"])


def card_payments_enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _existing(token: str, user: User) -> OrderGroup | None:
    group = db.session.scalar(select(OrderGroup).where(OrderGroup.checkout_token == token))
    if group is not None and group.user_id != user.id:
        raise ValidationFailed(_l("Formulir checkout ini tidak berlaku. Muat ulang halaman checkout."))
    return group


def place_order(*, user: User, cart: Cart | None, address: Address | None, chosen: dict[int, str],
                method: str, expected_total: int, checkout_token: str,
                notes: dict[int, str] | None = None) -> OrderGroup:
    """Turn the cart into one order group, one order per seller, and reserve the stock.

    Nothing is taken from the form but the choices: prices, fees and totals are computed here.
    `expected_total` is the total the shopper saw; a different total now (a price or fee
    changed meanwhile) is refused with a message, so nobody pays what they did not see.
    `checkout_token` makes a replayed form return the order it already made. Stock is reserved
    with conditional UPDATEs in variant id order; a line that cannot be served aborts it all
    and the message names the product. Commits; the cart keeps only what was not ordered.
    """
    if not checkout_token:
        raise ValidationFailed(_l("Formulir checkout ini tidak berlaku. Muat ulang halaman checkout."))
    done = _existing(checkout_token, user)
    if done is not None:
        return done
    if address is None or address.user_id != user.id:
        raise ValidationFailed(_l("Pilih alamat pengiriman."), field="address")
    if method not in PAYMENT_METHODS or (method == PAYMENT_CARD and not card_payments_enabled()):
        raise ValidationFailed(_l("Pilih cara pembayaran."), field="method")
    if any(len(note or "") > NOTE_MAX for note in (notes or {}).values()):
        raise ValidationFailed(_l("Catatan untuk penjual paling banyak %(n)s karakter.", n=NOTE_MAX), field="note")

    q = quote(cart, address, chosen, notes)
    if q.review.is_empty:
        raise ValidationFailed(_l("Keranjang Anda kosong."))
    if q.review.problems:
        line = q.review.problems[0]
        raise ValidationFailed(_l("%(product)s: %(problem)s", product=line.product.title, problem=line.problem))
    missing = next((s for s in q.sellers if s.chosen is None), None)
    if missing is not None:
        raise ValidationFailed(_l("Pilih pengiriman untuk pesanan dari %(seller)s.", seller=missing.seller.business_name),
                               field="delivery")
    if q.total != expected_total:
        raise ValidationFailed(_l("Harga atau ongkos kirim berubah sejak halaman ini dibuka. Periksa total baru, "
                                  "lalu pesan lagi."), field="total")

    now = utcnow()
    group = OrderGroup(
        number=_new_number(), user_id=user.id, checkout_token=checkout_token, recipient=address.recipient,
        phone=address.phone, kota_code=address.kota_code, kecamatan_code=address.kecamatan_code,
        kelurahan_code=address.kelurahan_code, address_detail=address.detail, postal_code=address.postal_code,
        items_total=q.items_total, shipping_total=q.shipping_total, total=q.total,
    )
    db.session.add(group)
    reserved, ordered = [], []
    for index, seller_quote in enumerate(q.sellers, start=1):
        choice = seller_quote.chosen
        order = Order(
            number=f"{group.number}-{index}", group=group, seller_id=seller_quote.seller.id, user_id=user.id,
            status=ORDER_AWAITING_PAYMENT, items_total=seller_quote.items_total, shipping_fee=choice.fee,
            total=seller_quote.total, delivery_option_id=choice.option_id, delivery_kind=choice.kind,
            delivery_name=choice.name, note=seller_quote.note,
        )
        for line in seller_quote.lines.orderable:
            order.items.append(OrderItem(
                product_id=line.product.id, variant_id=line.variant.id, title=line.product.title,
                variant_label=line.variant.label, sku=line.variant.sku, unit=line.product.unit,
                unit_price=line.unit_price, quantity=line.item.quantity, line_total=line.line_total,
                stock_reserved=not line.product.made_to_order,
            ))
            ordered.append(line.variant)
            if not line.product.made_to_order:
                reserved.append((line.variant, line.item.quantity))
        db.session.add(order)
    group.payment = Payment(method=method, status=PAY_PENDING, amount=q.total, reference=group.number,
                            expires_at=now + payment_window(method))
    try:
        db.session.flush()
        inventory.reserve(reserved, actor_id=user.id, note=group.number)
    except OutOfStock as error:
        db.session.rollback()
        title = next((v.product.title for v, _q in reserved if v.id == getattr(error, "variant_id", None)), None)
        if title:
            raise OutOfStock(_l("Stok %(product)s tidak mencukupi: baru saja dibeli orang lain. Kurangi jumlahnya "
                                "atau hapus dari keranjang.", product=title), field="stock") from None
        raise
    except IntegrityError:
        # The same form sent twice at the same moment: the other request made the order.
        db.session.rollback()
        done = _existing(checkout_token, user)
        if done is not None:
            return done
        raise
    audit.record("order_group.placed", group, actor_id=user.id,
                 after={"total": group.total, "method": method, "orders": [o.number for o in group.orders]})
    for order in group.orders:
        audit.record("order.placed", order, actor_id=user.id,
                     after={"status": order.status, "total": order.total, "seller_id": order.seller_id})
    carts.remove_variants(cart, {v.id for v in ordered})
    if method == PAYMENT_TRANSFER:
        notifications.notify(
            user, "order_placed", _l("Pesanan %(number)s dibuat", number=group.number),
            _l("Selesaikan pembayaran sebelum batas waktu; pesanan batal otomatis bila belum dibayar."),
            link=f"/pesanan/{group.number}",
        )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        done = _existing(checkout_token, user)
        if done is not None:
            return done
        raise
    return group


def own_address(user: User, address_id: object) -> Address:
    """One of the user's own addresses; another user's id is NotFound."""
    try:
        ident = int(address_id)
    except (TypeError, ValueError):
        ident = 0
    # Beyond the id column's range the database refuses the query itself (a 500, not a 404).
    address = db.session.get(Address, ident) if 0 < ident <= MAX_ID else None
    if address is None or address.user_id != user.id:
        raise NotFound(_l("Alamat tidak ditemukan."))
    return address
