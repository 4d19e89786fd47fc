"""Government buying: an officer's procurement cart, the purchase request (from the catalogue or
through a request for quotation with quotations and counter-offers), the Surat Pesanan per
seller, deliveries, the BAST, the invoice (kuitansi), the Bendahara's payment record and the
PPK's rating of the seller.

What decides the Inpres 2/2022 share is copied onto the Surat Pesanan when it is issued (the
seller's scale, koperasi, kecamatan) and onto its lines (category, TKDN): a seller who grows into
"menengah" later does not rewrite an agency's past spend. Lifecycles live in services/states.py.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base, TimestampMixin, UTCDateTime

if TYPE_CHECKING:
    from catalog.models.agencies import Agency
    from catalog.models.products import Category, Product, ProductVariant
    from catalog.models.regions import Region
    from catalog.models.sellers import Seller
    from catalog.models.users import User

# The Pejabat Pengadaan orders alone up to this total; above it the PPK approves (Perpres 12/2021).
DIRECT_PURCHASE_LIMIT = 200_000_000

METHOD_CATALOGUE = "catalogue"  # e-purchasing straight from the catalogue (the procurement cart)
METHOD_RFQ = "rfq"  # a request for quotation: sellers quote, the officer compares and awards
METHODS = (METHOD_CATALOGUE, METHOD_RFQ)

# Purchase request (services/states.py PURCHASE_REQUEST).
PR_DRAFT = "draft"
PR_SUBMITTED = "submitted"  # waiting for the PPK
PR_QUOTING = "quoting"  # its RFQ is open to sellers
PR_NEGOTIATING = "negotiating"  # a counter-offer waits for a seller
PR_APPROVED = "approved"
PR_ORDERED = "ordered"  # Surat Pesanan issued
PR_SHIPPED = "shipped"
PR_RECEIVED = "received"  # every live Surat Pesanan has its BAST
PR_INVOICED = "invoiced"
PR_PAID = "paid"
PR_CLOSED = "closed"
PR_REJECTED = "rejected"
PR_CANCELLED = "cancelled"
PR_EXPIRED = "expired"
PR_STATUSES = (PR_DRAFT, PR_SUBMITTED, PR_QUOTING, PR_NEGOTIATING, PR_APPROVED, PR_ORDERED, PR_SHIPPED,
               PR_RECEIVED, PR_INVOICED, PR_PAID, PR_CLOSED, PR_REJECTED, PR_CANCELLED, PR_EXPIRED)

# Request for quotation (services/states.py RFQ).
RFQ_OPEN = "open"
RFQ_AWARDED = "awarded"
RFQ_CANCELLED = "cancelled"
RFQ_EXPIRED = "expired"

# A seller's quotation.
QUOTE_SUBMITTED = "submitted"
QUOTE_AWARDED = "awarded"  # some or all of its lines won
QUOTE_NOT_AWARDED = "not_awarded"
QUOTE_WITHDRAWN = "withdrawn"

# A counter-offer (one per seller and RFQ).
COUNTER_PENDING = "pending"
COUNTER_ACCEPTED = "accepted"
COUNTER_DECLINED = "declined"
COUNTER_EXPIRED = "expired"

# Surat Pesanan (services/states.py PURCHASE_ORDER).
PO_ISSUED = "issued"  # waiting for the seller
PO_ACCEPTED = "accepted"
PO_DECLINED = "declined"
PO_SHIPPED = "shipped"  # at least one delivery sent
PO_RECEIVED = "received"  # BAST for every ordered unit
PO_INVOICED = "invoiced"
PO_PAID = "paid"
PO_CANCELLED = "cancelled"
# Spend the agency has committed itself to (Inpres 2/2022 "committed").
PO_COMMITTED = (PO_ISSUED, PO_ACCEPTED, PO_SHIPPED, PO_RECEIVED, PO_INVOICED, PO_PAID)

# Invoice (kuitansi).
INVOICE_ISSUED = "issued"
INVOICE_PAID = "paid"

# How the Bendahara paid.
PAY_BANK_TRANSFER = "transfer"
PAY_VIRTUAL_ACCOUNT = "virtual_account"
PAY_GOV_CARD = "kkp"  # Kartu Kredit Pemerintah (KKP/KKPD), up to Rp200 juta per payee
PAY_STRIPE = "stripe"
GOV_PAYMENT_METHODS = (PAY_BANK_TRANSFER, PAY_VIRTUAL_ACCOUNT, PAY_GOV_CARD, PAY_STRIPE)
GOV_CARD_LIMIT = 200_000_000


class DocumentCounter(Base):
    """The last number given per agency, fiscal year and kind of document ("PR", "SP", "INV"):
    taken with one UPDATE … RETURNING, so two officers issuing at once never get the same number."""

    __tablename__ = "document_counter"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(4), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class ProcurementCart(TimestampMixin, Base):
    """An officer's cart for government buying, apart from any shopper cart they might have."""

    __tablename__ = "procurement_cart"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)

    items: Mapped[list["ProcurementCartItem"]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="ProcurementCartItem.id")


class ProcurementCartItem(TimestampMixin, Base):
    __tablename__ = "procurement_cart_item"
    __table_args__ = (UniqueConstraint("cart_id", "variant_id", name="uq_procurement_cart_item_variant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("procurement_cart.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variant.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)

    cart: Mapped[ProcurementCart] = relationship(back_populates="items")
    variant: Mapped["ProductVariant"] = relationship()


class PurchaseRequest(TimestampMixin, Base):
    """One need of an agency, from draft to closed. Its lines become Surat Pesanan per seller."""

    __tablename__ = "purchase_request"
    __table_args__ = (UniqueConstraint("agency_id", "number", name="uq_purchase_request_agency_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))  # PR/<agency code>/<year>/<seq>
    fiscal_year: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(10), default=METHOD_CATALOGUE)
    status: Mapped[str] = mapped_column(String(12), default=PR_DRAFT, index=True)
    title: Mapped[str] = mapped_column(String(200))
    rup_code: Mapped[str | None] = mapped_column(String(30))  # Kode RUP (SiRUP), optional
    needed_by: Mapped[date | None] = mapped_column(Date)
    delivery_address: Mapped[str] = mapped_column(String(500), default="")
    delivery_kecamatan_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    notes: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[int] = mapped_column(BigInteger, default=0)  # sum of the lines, integer Rupiah
    requester_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    ppk_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    # Set when approval went over the remaining budget under a "warn" policy.
    over_budget: Mapped[bool] = mapped_column(Boolean, default=False)

    agency: Mapped["Agency"] = relationship()
    requester: Mapped["User"] = relationship(foreign_keys=[requester_id])
    ppk: Mapped[Optional["User"]] = relationship(foreign_keys=[ppk_id])
    decided_by: Mapped[Optional["User"]] = relationship(foreign_keys=[decided_by_id])
    delivery_kecamatan: Mapped[Optional["Region"]] = relationship()
    lines: Mapped[list["PurchaseRequestLine"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="PurchaseRequestLine.id")
    rfq: Mapped[Optional["Rfq"]] = relationship(back_populates="request", uselist=False)
    purchase_orders: Mapped[list["PurchaseOrder"]] = relationship(
        back_populates="request", order_by="PurchaseOrder.id")


class PurchaseRequestLine(TimestampMixin, Base):
    """What will be bought from whom at what price: from the catalogue (variant set) or from an
    awarded quotation line (rfq_line set)."""

    __tablename__ = "purchase_request_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("purchase_request.id", ondelete="CASCADE"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("product_variant.id"))
    rfq_line_id: Mapped[int | None] = mapped_column(ForeignKey("rfq_line.id"))
    description: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(30))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    tkdn_pct: Mapped[int | None] = mapped_column(Integer)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))

    request: Mapped[PurchaseRequest] = relationship(back_populates="lines")
    seller: Mapped["Seller"] = relationship()
    product: Mapped[Optional["Product"]] = relationship()
    variant: Mapped[Optional["ProductVariant"]] = relationship()

    @property
    def subtotal(self) -> int:
        return self.quantity * self.unit_price


class Rfq(TimestampMixin, Base):
    """A request for quotation (permintaan penawaran) attached to one purchase request."""

    __tablename__ = "rfq"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("purchase_request.id", ondelete="CASCADE"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=RFQ_OPEN, index=True)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    delivery_kecamatan_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    # Who may answer: sellers with an active product in this category (none: any), in this kota
    # (none: all of Tangerang Raya), UMK-K only (mikro, kecil or koperasi).
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    kota_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    umkk_only: Mapped[bool] = mapped_column(Boolean, default=True)
    awarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    request: Mapped[PurchaseRequest] = relationship(back_populates="rfq")
    category: Mapped[Optional["Category"]] = relationship()
    lines: Mapped[list["RfqLine"]] = relationship(back_populates="rfq", cascade="all, delete-orphan",
                                                  order_by="RfqLine.position")
    quotations: Mapped[list["Quotation"]] = relationship(back_populates="rfq", order_by="Quotation.id")


class RfqLine(Base):
    __tablename__ = "rfq_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    rfq_id: Mapped[int] = mapped_column(ForeignKey("rfq.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(30))
    ceiling_price: Mapped[int | None] = mapped_column(BigInteger)  # per unit, optional

    rfq: Mapped[Rfq] = relationship(back_populates="lines")


class Quotation(TimestampMixin, Base):
    """One seller's answer to an RFQ; one per seller (a second submission replaces the lines)."""

    __tablename__ = "quotation"
    __table_args__ = (UniqueConstraint("rfq_id", "seller_id", name="uq_quotation_rfq_seller"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rfq_id: Mapped[int] = mapped_column(ForeignKey("rfq.id", ondelete="CASCADE"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=QUOTE_SUBMITTED)
    notes: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())

    rfq: Mapped[Rfq] = relationship(back_populates="quotations")
    seller: Mapped["Seller"] = relationship()
    lines: Mapped[list["QuotationLine"]] = relationship(back_populates="quotation", cascade="all, delete-orphan",
                                                        order_by="QuotationLine.rfq_line_id")
    counter_offer: Mapped[Optional["CounterOffer"]] = relationship(back_populates="quotation", uselist=False)

    @property
    def total(self) -> int:
        return sum(line.subtotal for line in self.lines)


class QuotationLine(Base):
    __tablename__ = "quotation_line"
    __table_args__ = (UniqueConstraint("quotation_id", "rfq_line_id", name="uq_quotation_line_rfq_line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quotation_id: Mapped[int] = mapped_column(ForeignKey("quotation.id", ondelete="CASCADE"), index=True)
    rfq_line_id: Mapped[int] = mapped_column(ForeignKey("rfq_line.id", ondelete="CASCADE"), index=True)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    delivery_days: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(String(300), default="")
    awarded: Mapped[bool] = mapped_column(Boolean, default=False)  # this seller won this line

    quotation: Mapped[Quotation] = relationship(back_populates="lines")
    rfq_line: Mapped[RfqLine] = relationship(foreign_keys=[rfq_line_id])

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.rfq_line.quantity


class CounterOffer(TimestampMixin, Base):
    """The officer's one counter-offer to a seller's quotation: new unit prices per line
    (JSON {rfq_line_id: price}); the seller accepts (the quotation takes the prices) or declines."""

    __tablename__ = "counter_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    quotation_id: Mapped[int] = mapped_column(ForeignKey("quotation.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=COUNTER_PENDING, index=True)
    prices: Mapped[dict] = mapped_column(JSON)  # {"<rfq_line_id>": unit price}
    message: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    quotation: Mapped[Quotation] = relationship(back_populates="counter_offer")


class PurchaseOrder(TimestampMixin, Base):
    """A Surat Pesanan: one per seller of an approved request, numbered per agency and year."""

    __tablename__ = "purchase_order"
    __table_args__ = (
        UniqueConstraint("agency_id", "fiscal_year", "sequence", name="uq_purchase_order_agency_year_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("purchase_request.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(60), unique=True)  # SP/<code>/<year>/<seq:04>
    status: Mapped[str] = mapped_column(String(10), default=PO_ISSUED, index=True)
    total: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))  # PPK, or the PP up to the limit
    # Copied from the seller when issued: what the Inpres 2/2022 share counts.
    seller_scale: Mapped[str] = mapped_column(String(10))
    seller_is_koperasi: Mapped[bool] = mapped_column(Boolean)
    seller_kecamatan_code: Mapped[str | None] = mapped_column(String(13))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(String(500))

    request: Mapped[PurchaseRequest] = relationship(back_populates="purchase_orders")
    agency: Mapped["Agency"] = relationship()
    seller: Mapped["Seller"] = relationship()
    signed_by: Mapped["User"] = relationship()
    lines: Mapped[list["PurchaseOrderLine"]] = relationship(
        back_populates="purchase_order", cascade="all, delete-orphan", order_by="PurchaseOrderLine.id")
    deliveries: Mapped[list["GovDelivery"]] = relationship(back_populates="purchase_order",
                                                           order_by="GovDelivery.id")
    receipts: Mapped[list["Receipt"]] = relationship(back_populates="purchase_order", order_by="Receipt.id")
    invoice: Mapped[Optional["Invoice"]] = relationship(back_populates="purchase_order", uselist=False)
    rating: Mapped[Optional["SellerRating"]] = relationship(back_populates="purchase_order", uselist=False)

    @property
    def counts_as_umkk(self) -> bool:
        """Mikro, kecil or koperasi: what Inpres 2/2022 counts (menengah does not)."""
        return self.seller_is_koperasi or self.seller_scale in ("mikro", "kecil")


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id", ondelete="CASCADE"),
                                                   index=True)
    request_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_request_line.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    description: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(30))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    tkdn_pct: Mapped[int | None] = mapped_column(Integer)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    quantity_shipped: Mapped[int] = mapped_column(Integer, default=0)
    quantity_received: Mapped[int] = mapped_column(Integer, default=0)

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")

    @property
    def subtotal(self) -> int:
        return self.quantity * self.unit_price


class GovDelivery(TimestampMixin, Base):
    """One shipment the seller sends against a Surat Pesanan (partial deliveries allowed)."""

    __tablename__ = "gov_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    shipped_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")  # courier, receipt number, driver
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="deliveries")
    lines: Mapped[list["GovDeliveryLine"]] = relationship(back_populates="delivery", cascade="all, delete-orphan")


class GovDeliveryLine(Base):
    __tablename__ = "gov_delivery_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("gov_delivery.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_line.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    delivery: Mapped[GovDelivery] = relationship(back_populates="lines")
    order_line: Mapped[PurchaseOrderLine] = relationship()


class Receipt(TimestampMixin, Base):
    """A BAST (Berita Acara Serah Terima) recorded by the PPK with the received quantities."""

    __tablename__ = "receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    number: Mapped[str] = mapped_column(String(80))  # the agency's own BAST number
    received_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="receipts")
    recorded_by: Mapped["User"] = relationship()
    lines: Mapped[list["ReceiptLine"]] = relationship(back_populates="receipt", cascade="all, delete-orphan")


class ReceiptLine(Base):
    __tablename__ = "receipt_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipt.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_line.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    receipt: Mapped[Receipt] = relationship(back_populates="lines")
    order_line: Mapped[PurchaseOrderLine] = relationship()


class Invoice(TimestampMixin, Base):
    """The seller's kuitansi for a received Surat Pesanan, with the tax preview it was issued with.

    Catalogue prices are what the agency pays: for a PKP seller they include PPN (dpp + ppn =
    total); pph22 is the Bendahara's withholding preview; the seller receives net."""

    __tablename__ = "invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=INVOICE_ISSUED, index=True)
    total: Mapped[int] = mapped_column(BigInteger)
    dpp: Mapped[int] = mapped_column(BigInteger)
    ppn: Mapped[int] = mapped_column(BigInteger)
    pph22: Mapped[int] = mapped_column(BigInteger)
    pph22_rate_permille: Mapped[int] = mapped_column(Integer)  # 15 = 1.5 %, 5 = 0.5 %, 0
    net: Mapped[int] = mapped_column(BigInteger)
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    paid_on: Mapped[date | None] = mapped_column(Date)

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="invoice")
    seller: Mapped["Seller"] = relationship()
    agency: Mapped["Agency"] = relationship()
    payment: Mapped[Optional["PaymentRecord"]] = relationship(back_populates="invoice", uselist=False)


class PaymentRecord(TimestampMixin, Base):
    """The Bendahara's record of paying one invoice (one per invoice: paying twice is refused)."""

    __tablename__ = "payment_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), unique=True)
    method: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(80))
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    invoice: Mapped[Invoice] = relationship(back_populates="payment")
    recorded_by: Mapped["User"] = relationship()


class SellerRating(TimestampMixin, Base):
    """The PPK's rating of a seller for one Surat Pesanan (1–5 each)."""

    __tablename__ = "seller_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), unique=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    on_time: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    quality: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(500), default="")
    rated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="rating")
