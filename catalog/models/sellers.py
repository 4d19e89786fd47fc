"""Sellers (UMKM and koperasi) with their region, payout account, documents and verification."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base, TimestampMixin, UTCDateTime, utcnow
from catalog.models.regions import Region

if TYPE_CHECKING:
    from catalog.models.products import Product
    from catalog.models.users import User

SCALE_MIKRO = "mikro"
SCALE_KECIL = "kecil"
SCALE_MENENGAH = "menengah"
SCALES = (SCALE_MIKRO, SCALE_KECIL, SCALE_MENENGAH)

STATUS_PENDING = "pending"
STATUS_VERIFIED = "verified"
STATUS_REJECTED = "rejected"
STATUS_SUSPENDED = "suspended"
SELLER_STATUSES = (STATUS_PENDING, STATUS_VERIFIED, STATUS_REJECTED, STATUS_SUSPENDED)

# Kinds of seller documents: the NIB proof and the certificates buyers look for.
DOC_NIB = "nib"
DOC_HALAL = "halal"
DOC_PIRT = "pirt"
DOC_BPOM = "bpom"
DOC_SNI = "sni"
DOC_SUKET_PP55 = "suket_pp55"
DOCUMENT_KINDS = (DOC_NIB, DOC_HALAL, DOC_PIRT, DOC_BPOM, DOC_SNI, DOC_SUKET_PP55)
CERTIFICATE_KINDS = (DOC_HALAL, DOC_PIRT, DOC_BPOM, DOC_SNI)


class Seller(TimestampMixin, Base):
    __tablename__ = "seller"
    __table_args__ = (
        Index("ix_seller_status_kecamatan", "status", "kecamatan_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    business_name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    owner_name: Mapped[str] = mapped_column(String(120))
    nib: Mapped[str] = mapped_column(String(13), unique=True)
    npwp: Mapped[str | None] = mapped_column(String(16))
    is_pkp: Mapped[bool] = mapped_column(Boolean, default=False)
    scale: Mapped[str] = mapped_column(String(10), index=True)
    is_koperasi: Mapped[bool] = mapped_column(Boolean, default=False)

    # Nullable while the registration wizard is unfinished; submitting requires all three levels
    # up to kecamatan (services/sellers.py), so every verified seller has them.
    kota_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    kecamatan_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    kelurahan_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    address: Mapped[str] = mapped_column(String(255), default="")
    whatsapp: Mapped[str] = mapped_column(String(16))  # normalised +62…
    description: Mapped[str] = mapped_column(Text, default="")
    logo_key: Mapped[str | None] = mapped_column(String(80))
    banner_key: Mapped[str | None] = mapped_column(String(80))

    bank_name: Mapped[str | None] = mapped_column(String(60))
    bank_account_number: Mapped[str | None] = mapped_column(String(30))
    bank_account_name: Mapped[str | None] = mapped_column(String(120))
    # When the payout account last changed: payouts wait 24 hours after a change (and the seller is
    # told by email), so a stolen password cannot redirect the next payout at once.
    bank_account_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    status: Mapped[str] = mapped_column(String(10), default=STATUS_PENDING, index=True)
    # When the seller last sent the wizard for verification; None while still filling it in.
    # The admin queue lists pending sellers with this set, oldest first.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=5)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Ratings kept as sum and count (integers) so the average is exact and cheap to show.
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped["User"] = relationship(back_populates="seller", foreign_keys=[user_id])
    reviewed_by: Mapped[Optional["User"]] = relationship(foreign_keys=[reviewed_by_id])
    kota: Mapped[Region | None] = relationship(foreign_keys=[kota_code])
    kecamatan: Mapped[Region | None] = relationship(foreign_keys=[kecamatan_code])
    kelurahan: Mapped[Region | None] = relationship(foreign_keys=[kelurahan_code])
    documents: Mapped[list["SellerDocument"]] = relationship(
        back_populates="seller", cascade="all, delete-orphan", order_by="SellerDocument.id"
    )
    products: Mapped[list["Product"]] = relationship(back_populates="seller", lazy="dynamic")

    @property
    def is_verified(self) -> bool:
        return self.status == STATUS_VERIFIED

    @property
    def counts_as_umkk(self) -> bool:
        """Micro and small businesses and cooperatives count toward Inpres 2/2022; menengah does not."""
        return self.is_koperasi or self.scale in (SCALE_MIKRO, SCALE_KECIL)

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    @property
    def whatsapp_link(self) -> str:
        return "https://wa.me/" + self.whatsapp.lstrip("+")

    def __repr__(self) -> str:
        return f"<Seller {self.id} {self.slug} {self.status}>"


class SellerDocument(TimestampMixin, Base):
    """The NIB proof or a certificate (halal, P-IRT, BPOM MD, SNI, Suket PP 55)."""

    __tablename__ = "seller_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    number: Mapped[str] = mapped_column(String(60))
    issuer: Mapped[str | None] = mapped_column(String(120))
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    file_key: Mapped[str | None] = mapped_column(String(120))
    expired: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the 30-days-before-expiry notice went out, so the daily check sends it once.
    expiry_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    seller: Mapped[Seller] = relationship(back_populates="documents")

    def is_valid_on(self, day: date) -> bool:
        return not self.expired and (self.expires_on is None or self.expires_on >= day)

    @property
    def is_valid(self) -> bool:
        return self.is_valid_on(utcnow().date())


class SellerSlugRedirect(Base):
    """An old storefront address kept after a rename, so shared links keep working."""

    __tablename__ = "seller_slug_redirect"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SellerViewWeek(Base):
    """Storefront and product page views per seller and ISO week (Monday), for the dashboard chart."""

    __tablename__ = "seller_view_week"

    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id", ondelete="CASCADE"), primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int] = mapped_column(Integer, default=0)
