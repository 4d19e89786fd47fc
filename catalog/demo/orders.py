"""Demo delivery options and orders: every seller offers pickup, its own delivery and a
"JNE Reguler" courier with a fee per kota; the demo seller gets a handful of orders in every
fulfilment state, made through the same services a shopper, the Dinas and a seller use (cart,
checkout, transfer confirmation, accept, ship, …), so `make run` shows a seller with orders.

Only the dates are moved afterwards (orders spread over the last weeks, so the dashboard's sales
chart has something to show); everything else is what the services wrote.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from catalog.demo import accounts
from catalog.extensions import db
from catalog.models import Address, DeliveryOption, Order, OrderGroup, Product, ProductVariant, Seller, User
from catalog.models.base import utcnow
from catalog.models.orders import (
    DELIVERY_COURIER,
    DELIVERY_OWN,
    DELIVERY_PICKUP,
    ORDER_ACCEPTED,
    ORDER_AWAITING_PAYMENT,
    ORDER_CANCELLED,
    ORDER_COMPLETED,
    ORDER_DELIVERED,
    ORDER_NEW,
    ORDER_REJECTED,
    ORDER_SHIPPED,
    PAYMENT_TRANSFER,
)
from catalog.models.products import PRODUCT_ACTIVE
from catalog.models.sellers import STATUS_VERIFIED
from catalog.services import cart as carts
from catalog.services import checkout, notifications, orders, payments, regions

COURIER_NAME = "JNE Reguler"
OWN_NAME = "Kurir toko"
PICKUP_NAME = "Ambil di toko"
OWN_FEE = 5_000
# A courier's flat fee: cheapest within the seller's own kota, dearer to the next one, dearest
# to or from the wide Kabupaten Tangerang.
SAME_KOTA_FEE = 9_000
NEXT_KOTA_FEE = 12_000
KABUPATEN_FEE = 16_000
KABUPATEN = "36.03"
KOTA_CODES = ("36.74", "36.71", "36.03")

DELIVERY_OPTION = DeliveryOption.__table__


# --- delivery options ----------------------------------------------------------------------------

def courier_fee(seller_kota: str, destination_kota: str) -> int:
    if seller_kota == destination_kota:
        return SAME_KOTA_FEE
    if KABUPATEN in (seller_kota, destination_kota):
        return KABUPATEN_FEE
    return NEXT_KOTA_FEE


def delivery_rows(seller_id: int, seller_kota: str) -> list[dict]:
    """One seller's options: pickup, own delivery, and the courier to each of the three kota."""
    rows = [
        {"seller_id": seller_id, "kind": DELIVERY_PICKUP, "name": PICKUP_NAME, "fee": 0, "kota_code": None,
         "eta_days": 0, "active": True},
        {"seller_id": seller_id, "kind": DELIVERY_OWN, "name": OWN_NAME, "fee": OWN_FEE, "kota_code": None,
         "eta_days": 1, "active": True},
    ]
    for kota in KOTA_CODES:
        rows.append({"seller_id": seller_id, "kind": DELIVERY_COURIER, "name": COURIER_NAME,
                     "fee": courier_fee(seller_kota, kota), "kota_code": kota,
                     "eta_days": 2 if kota == seller_kota else 3, "active": True})
    return rows


def add_delivery_options(sellers: Sequence[Seller]) -> int:
    """Delivery options for every seller, in one bulk insert; returns how many were written."""
    rows = [row for seller in sellers for row in delivery_rows(seller.id, seller.kota_code)]
    if rows:
        now = utcnow()
        for row in rows:
            row["created_at"] = row["updated_at"] = now
        db.session.execute(insert(DELIVERY_OPTION), rows)
    return len(rows)


# --- placing an order as a shopper would ---------------------------------------------------------

def place(shopper: User, address: Address, lines: Sequence[tuple[int, int]], *,
          delivery: dict[int, str] | None = None, notes: dict[int, str] | None = None,
          method: str = PAYMENT_TRANSFER) -> OrderGroup:
    """Put (variant id, quantity) lines in the shopper's cart and check out as the checkout page
    does: per seller the delivery choice of the wanted kind (courier, own, pickup; else the
    first offered), the total the shopper would have seen. Returns the order group."""
    for variant_id, quantity in lines:
        carts.add_item(user_id=shopper.id, token=None, variant_id=variant_id, quantity=quantity)
    cart = carts.cart_for(user_id=shopper.id)
    quote = checkout.quote(cart, address)
    chosen = {}
    for seller_quote in quote.sellers:
        wanted = (delivery or {}).get(seller_quote.seller.id)
        pick = next((c for c in seller_quote.choices if c.kind == wanted), None) or seller_quote.choices[0]
        chosen[seller_quote.seller.id] = pick.key
    quote = checkout.quote(cart, address, chosen, notes)
    return checkout.place_order(user=shopper, cart=cart, address=address, chosen=chosen, method=method,
                                expected_total=quote.total, checkout_token=checkout.new_checkout_token(),
                                notes=notes)


# --- the demo seller's orders --------------------------------------------------------------------

@dataclass(frozen=True)
class DemoOrder:
    state: str
    days_ago: int
    lines: tuple[tuple[int, int], ...]  # (index into the seller's orderable variants, quantity)
    delivery: str = DELIVERY_COURIER
    note: str = ""
    with_other_seller: bool = False  # one checkout with a second seller: each sees only its part


REJECT_REASON = "Bahan baku singkong sedang kosong minggu ini, mohon maaf."
CANCEL_REASON = "Mesin pengemas rusak; kami tidak bisa mengirim minggu ini. Dana dikembalikan penuh."

# Completed orders spread over the last eleven weeks, then the open ones of this week and last.
DEMO_ORDERS: tuple[DemoOrder, ...] = (
    *(DemoOrder(ORDER_COMPLETED, days, ((n % 5, 2 + n % 3), ((n + 2) % 5, 1 + n % 2)),
                delivery=(DELIVERY_COURIER, DELIVERY_OWN, DELIVERY_PICKUP)[n % 3])
      for n, days in enumerate((76, 71, 64, 57, 50, 44, 36, 29, 23, 16, 11, 9))),
    DemoOrder(ORDER_REJECTED, 6, ((3, 4),)),
    DemoOrder(ORDER_CANCELLED, 5, ((1, 2),), delivery=DELIVERY_OWN),
    DemoOrder(ORDER_DELIVERED, 3, ((0, 3), (2, 1)), delivery=DELIVERY_OWN),
    DemoOrder(ORDER_SHIPPED, 2, ((4, 2),), note="Tolong dibungkus rapat, untuk oleh-oleh."),
    DemoOrder(ORDER_ACCEPTED, 1, ((1, 1), (3, 2)), delivery=DELIVERY_PICKUP),
    DemoOrder(ORDER_NEW, 0, ((0, 2),), note="Yang pedas ya, Bu. Terima kasih!"),
    DemoOrder(ORDER_NEW, 0, ((2, 3),), with_other_seller=True),
    DemoOrder(ORDER_AWAITING_PAYMENT, 0, ((4, 1), (0, 1))),
)


@contextmanager
def _without_email() -> Iterator[None]:
    """The demo's notifications stay in the site (the bell) but send no email: a demo seeded
    where SMTP is configured must not write to the demo addresses."""

    def drop(session: Session) -> None:
        session.info.pop(notifications.OUTBOX_KEY, None)

    event.listen(Session, "before_commit", drop)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", drop)


def _orderable_variants(seller_id: int, limit: int = 5) -> list[int]:
    """Variants a shopper can order a few of: active, in stock, minimum order 1."""
    return list(db.session.scalars(
        select(ProductVariant.id).join(Product, Product.id == ProductVariant.product_id)
        .where(Product.seller_id == seller_id, Product.status == PRODUCT_ACTIVE, Product.made_to_order.is_(False),
               Product.min_order <= 1, ProductVariant.active.is_(True), ProductVariant.stock >= 40)
        .order_by(ProductVariant.id).limit(limit)
    ))


def _demo_address(shopper: User, seller: Seller) -> Address:
    """The demo shopper lives in the demo seller's kecamatan, so its own delivery is offered."""
    kelurahan = regions.children(seller.kecamatan_code)
    address = Address(user_id=shopper.id, label="Rumah", recipient=shopper.name, phone="+6281298765432",
                      kota_code=seller.kota_code, kecamatan_code=seller.kecamatan_code,
                      kelurahan_code=kelurahan[0].code if kelurahan else None,
                      detail="Jl. Pinang Raya No. 12, RT 03/RW 05, dekat masjid", postal_code="15417",
                      is_default=True)
    db.session.add(address)
    db.session.commit()
    return address


def seed_orders(now: datetime | None = None) -> int:
    """The demo seller's orders in every state; returns how many were made (0 when the demo
    accounts or enough stock are missing, e.g. on a database the demo did not fill)."""
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(
        [accounts.SELLER.email, accounts.SHOPPER.email, accounts.ADMIN.email])))}
    seller_user, shopper, admin = (users.get(a.email) for a in (accounts.SELLER, accounts.SHOPPER, accounts.ADMIN))
    if not (seller_user and shopper and admin and seller_user.seller):
        return 0
    seller = seller_user.seller
    variants = _orderable_variants(seller.id)
    other = db.session.scalar(
        select(Seller).where(Seller.id != seller.id, Seller.status == STATUS_VERIFIED).order_by(Seller.id).limit(1))
    other_variants = _orderable_variants(other.id, 1) if other is not None else []
    if len(variants) < 5:
        return 0
    now = now or utcnow()
    address = _demo_address(shopper, seller)
    made = 0
    with _without_email():
        for n, spec in enumerate(DEMO_ORDERS):
            lines = [(variants[index], quantity) for index, quantity in spec.lines]
            if spec.with_other_seller and other_variants:
                lines.append((other_variants[0], 1))
            group = place(shopper, address, lines, delivery={seller.id: spec.delivery},
                          notes={seller.id: spec.note} if spec.note else None)
            order = next(o for o in group.orders if o.seller_id == seller.id)
            advance(order, spec.state, seller=seller, shopper=shopper, admin=admin,
                    tracking=f"CGK{880_100_000 + n * 7_919}")
            if spec.days_ago:
                _backdate(group, now - timedelta(days=spec.days_ago, hours=n % 7 + 2))
            made += 1
    return made


def advance(order: Order, state: str, *, seller: Seller, shopper: User, admin: User,
            tracking: str = "CGK880100000") -> None:
    """Move a fresh order (awaiting payment, by transfer) to `state` the way people would: the
    Dinas confirms the transfer, the seller accepts, ships (with `tracking` for a courier) and
    marks delivered or rejects or cancels, the shopper confirms receipt."""
    if state == ORDER_AWAITING_PAYMENT:
        return
    payments.confirm_transfer(order.group.payment, admin)
    if state == ORDER_NEW:
        return
    if state == ORDER_REJECTED:
        orders.reject(order, seller, actor_id=seller.user_id, reason=REJECT_REASON)
        return
    orders.accept(order, seller, actor_id=seller.user_id)
    if state == ORDER_CANCELLED:
        orders.cancel_by_seller(order, seller, actor_id=seller.user_id, reason=CANCEL_REASON)
        return
    if state == ORDER_ACCEPTED:
        return
    orders.ship(order, seller, actor_id=seller.user_id, courier=order.delivery_name,
                tracking_number=tracking if order.delivery_kind == DELIVERY_COURIER else None)
    if state in (ORDER_DELIVERED, ORDER_COMPLETED):
        orders.mark_delivered(order, seller, actor_id=seller.user_id)
    if state == ORDER_COMPLETED:
        orders.confirm_receipt(order, shopper)


def _backdate(group: OrderGroup, placed: datetime) -> None:
    """Move the checkout and what followed back to `placed`, keeping the steps' order."""
    group.created_at = placed
    payment = group.payment
    payment.created_at = placed
    if payment.paid_at:
        payment.paid_at = placed + timedelta(hours=1)
    steps = {"accepted_at": 3, "shipped_at": 20, "delivered_at": 60, "completed_at": 80, "closed_at": 5}
    for order in group.orders:
        order.created_at = placed
        for name, hours in steps.items():
            if getattr(order, name) is not None:
                setattr(order, name, placed + timedelta(hours=hours))
    db.session.commit()


__all__ = ["COURIER_NAME", "DEMO_ORDERS", "add_delivery_options", "advance", "courier_fee", "delivery_rows", "place",
           "seed_orders"]
