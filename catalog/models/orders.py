"""Buying: carts, delivery addresses and the sellers' delivery options, one checkout (OrderGroup,
one payment) split into one Order per seller, order lines, payments and Stripe events."""

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base, TimestampMixin, UTCDateTime, utcnow
from catalog.models.regions import Region

if TYPE_CHECKING:
    from catalog.models.products import Product, ProductVariant
    from catalog.models.sellers import Seller
    from catalog.models.users import User

# Delivery options a seller offers.
DELIVERY_COURIER = "courier"  # a flat-rate courier fee for one destination kota (or every kota)
DELIVERY_PICKUP = "pickup"  # "ambil di toko": the shopper collects at the seller's address
DELIVERY_OWN = "own"  # the seller delivers within its own kecamatan
DELIVERY_KINDS = (DELIVERY_COURIER, DELIVERY_PICKUP, DELIVERY_OWN)

PAYMENT_CARD = "card"  # Stripe Checkout
PAYMENT_TRANSFER = "transfer"  # bank transfer to the platform's account, confirmed by hand
PAYMENT_METHODS = (PAYMENT_CARD, PAYMENT_TRANSFER)

# Payment (per checkout): services/states.py PAYMENT holds the allowed moves.
PAY_PENDING = "pending"
PAY_PAID = "paid"
PAY_PARTIALLY_REFUNDED = "partially_refunded"
PAY_REFUNDED = "refunded"
PAY_EXPIRED = "expired"
PAY_FAILED = "failed"
PAY_CANCELLED = "cancelled"  # called off by the shopper before paying
PAYMENT_STATUSES = (PAY_PENDING, PAY_PAID, PAY_PARTIALLY_REFUNDED, PAY_REFUNDED, PAY_EXPIRED, PAY_FAILED,
                    PAY_CANCELLED)

# Fulfilment (per seller's order): services/states.py ORDER holds the allowed moves.
ORDER_AWAITING_PAYMENT = "awaiting_payment"
ORDER_NEW = "new"
ORDER_ACCEPTED = "accepted"
ORDER_SHIPPED = "shipped"
ORDER_DELIVERED = "delivered"
ORDER_COMPLETED = "completed"
ORDER_REJECTED = "rejected"
ORDER_CANCELLED = "cancelled"
ORDER_STATUSES = (ORDER_AWAITING_PAYMENT, ORDER_NEW, ORDER_ACCEPTED, ORDER_SHIPPED, ORDER_DELIVERED,
                  ORDER_COMPLETED, ORDER_REJECTED, ORDER_CANCELLED)
ORDER_OPEN = (ORDER_AWAITING_PAYMENT, ORDER_NEW, ORDER_ACCEPTED, ORDER_SHIPPED, ORDER_DELIVERED)
ORDER_CANCELLABLE_BY_SHOPPER = (ORDER_AWAITING_PAYMENT, ORDER_NEW, ORDER_ACCEPTED)  # before shipping


class Cart(TimestampMixin, Base):
    """A shopper's cart: a logged-in user's (user_id) or a guest's (token in the session cookie).
    A guest cart is merged into the user's at login."""

    __tablename__ = "cart"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str | None] = mapped_column(String(43), unique=True)

    items: Mapped[list["CartItem"]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id"
    )


class CartItem(Base):
    __tablename__ = "cart_item"
    __table_args__ = (UniqueConstraint("cart_id", "variant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variant.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    # The unit price when the item was put in the cart: the cart says so when it has changed.
    price_seen: Mapped[int] = mapped_column(BigInteger)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    cart: Mapped[Cart] = relationship(back_populates="items")
    variant: Mapped["ProductVariant"] = relationship()


class Address(TimestampMixin, Base):
    """A delivery address in the user's address book (kota → kecamatan → kelurahan of Tangerang
    Raya). Orders copy it, so editing or deleting it never changes an order."""

    __tablename__ = "address"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40), default="")  # "Rumah", "Kantor"
    recipient: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(16))  # normalised +62…
    kota_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    kelurahan_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    detail: Mapped[str] = mapped_column(String(255))  # street, number, RT/RW, landmarks
    postal_code: Mapped[str | None] = mapped_column(String(5))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    kota: Mapped[Region] = relationship(foreign_keys=[kota_code])
    kecamatan: Mapped[Region] = relationship(foreign_keys=[kecamatan_code])
    kelurahan: Mapped[Region | None] = relationship(foreign_keys=[kelurahan_code])


class DeliveryOption(TimestampMixin, Base):
    """One way a seller delivers: a courier's flat fee to one kota (kota_code) or to all
    (kota_code NULL), pickup at the shop (free), or the seller's own delivery within its
    kecamatan."""

    __tablename__ = "delivery_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(60))  # "JNE Reguler", "Ambil di toko", "Kurir toko"
    fee: Mapped[int] = mapped_column(BigInteger, default=0)
    kota_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    eta_days: Mapped[int | None] = mapped_column(Integer)  # usual days to arrive
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    seller: Mapped["Seller"] = relationship()
    kota: Mapped[Region | None] = relationship(foreign_keys=[kota_code])


class OrderGroup(TimestampMixin, Base):
    """One checkout: the shopper, the delivery address (copied), the totals and one payment."""

    __tablename__ = "order_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # The checkout form's one-time token: the same form sent twice makes one order.
    checkout_token: Mapped[str] = mapped_column(String(43), unique=True)
    recipient: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(16))
    kota_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    kelurahan_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    address_detail: Mapped[str] = mapped_column(String(255))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    items_total: Mapped[int] = mapped_column(BigInteger)
    shipping_total: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)

    user: Mapped["User"] = relationship()
    kota: Mapped[Region] = relationship(foreign_keys=[kota_code])
    kecamatan: Mapped[Region] = relationship(foreign_keys=[kecamatan_code])
    kelurahan: Mapped[Region | None] = relationship(foreign_keys=[kelurahan_code])
    orders: Mapped[list["Order"]] = relationship(back_populates="group", order_by="Order.id")
    payment: Mapped["Payment"] = relationship(back_populates="group", uselist=False)


class Order(TimestampMixin, Base):
    """One seller's part of a checkout; its `status` is the fulfilment state. The seller sees
    only its own orders; the shopper sees all of the group."""

    __tablename__ = "seller_order"  # "order" is an SQL keyword
    __table_args__ = (
        Index("ix_seller_order_seller_status", "seller_id", "status"),
        Index("ix_seller_order_seller_created", "seller_id", "created_at"),
        Index("ix_seller_order_user_created", "user_id", "created_at"),
        Index("ix_seller_order_status_updated", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(28), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("order_group.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))  # the shopper (copied from the group)
    status: Mapped[str] = mapped_column(String(20), default=ORDER_AWAITING_PAYMENT)
    items_total: Mapped[int] = mapped_column(BigInteger)
    shipping_fee: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    delivery_option_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_option.id", ondelete="SET NULL"))
    delivery_kind: Mapped[str] = mapped_column(String(10))
    delivery_name: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(String(500), default="")  # the shopper's note to the seller
    courier: Mapped[str | None] = mapped_column(String(60))
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    status_reason: Mapped[str | None] = mapped_column(String(500))  # why rejected or cancelled
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # rejected or cancelled

    group: Mapped[OrderGroup] = relationship(back_populates="orders")
    seller: Mapped["Seller"] = relationship()
    user: Mapped["User"] = relationship()
    items: Mapped[list["OrderItem"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status in ORDER_OPEN


class OrderItem(Base):
    """One line, with the title, unit and price as they were when the order was placed."""

    __tablename__ = "order_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("seller_order.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("product_variant.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(140))
    variant_label: Mapped[str] = mapped_column(String(130), default="")  # "M / Biru"
    sku: Mapped[str | None] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(12))
    unit_price: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer)
    line_total: Mapped[int] = mapped_column(BigInteger)
    # Made-to-order products take no stock (the seller makes them within the lead time): only a
    # line that took stock gives it back when the order is cancelled.
    stock_reserved: Mapped[bool] = mapped_column(Boolean, default=True)

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Optional["Product"]] = relationship()
    variant: Mapped[Optional["ProductVariant"]] = relationship()


class Payment(TimestampMixin, Base):
    """The one payment of a checkout; `status` is the payment state (services/states.py)."""

    __tablename__ = "payment"
    __table_args__ = (Index("ix_payment_status_expires", "status", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("order_group.id"), unique=True)
    method: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default=PAY_PENDING)
    amount: Mapped[int] = mapped_column(BigInteger)
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    # Written in the transfer's description ("berita"), so the Dinas can match the bank statement.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stripe_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_payment_intent: Mapped[str | None] = mapped_column(String(255), index=True)
    last_error: Mapped[str | None] = mapped_column(String(300))
    proof_key: Mapped[str | None] = mapped_column(String(80))  # the uploaded transfer proof
    proof_content_type: Mapped[str | None] = mapped_column(String(40))
    proof_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    group: Mapped[OrderGroup] = relationship(back_populates="payment")
    confirmed_by: Mapped[Optional["User"]] = relationship(foreign_keys=[confirmed_by_id])

    @property
    def is_pending(self) -> bool:
        return self.status == PAY_PENDING


class StripeEvent(Base):
    """A Stripe event handled once: a replayed or repeated delivery finds its id here."""

    __tablename__ = "stripe_event"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(60))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProductReview(Base):
    """A shopper's rating of a product bought in a completed order (one per order line)."""

    __tablename__ = "product_review"
    __table_args__ = (Index("ix_product_review_product_created", "product_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_item_id: Mapped[int] = mapped_column(ForeignKey("order_item.id", ondelete="CASCADE"), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    rating: Mapped[int] = mapped_column(Integer)  # 1–5
    body: Mapped[str] = mapped_column(Text, default="")
    image_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped["User"] = relationship()
    order_item: Mapped[OrderItem] = relationship()


class SellerReview(Base):
    """A shopper's rating of the seller for one completed order."""

    __tablename__ = "seller_review"
    __table_args__ = (Index("ix_seller_review_seller_created", "seller_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("seller_order.id", ondelete="CASCADE"), unique=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped["User"] = relationship()
