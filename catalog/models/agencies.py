"""Government buyers: agencies (OPD, BUMD, BUMN, vertical), their officers' duties and budgets."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base, TimestampMixin, UTCDateTime
from catalog.models.regions import Region

if TYPE_CHECKING:
    from catalog.models.users import User

AGENCY_TYPES = ("OPD", "BUMD", "BUMN", "vertical")

DUTY_PP = "pejabat_pengadaan"  # builds requests; may order alone up to Rp200 juta
DUTY_PPK = "ppk"  # approves, signs the Surat Pesanan and the BAST
DUTY_BENDAHARA = "bendahara"  # records payment
DUTIES = (DUTY_PP, DUTY_PPK, DUTY_BENDAHARA)

MEMBERSHIP_PENDING = "pending"
MEMBERSHIP_CONFIRMED = "confirmed"
MEMBERSHIP_REJECTED = "rejected"

OVERSPEND_REFUSE = "refuse"
OVERSPEND_WARN = "warn"


class Agency(TimestampMixin, Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    # Short code used in Surat Pesanan numbers: SP/<code>/<year>/<seq>.
    code: Mapped[str] = mapped_column(String(30), unique=True)
    type: Mapped[str] = mapped_column(String(10))
    kota_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    kecamatan_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    address: Mapped[str] = mapped_column(String(255), default="")
    # A closed agency keeps its history but takes no new officers and no new purchases.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())

    kota: Mapped[Region] = relationship(foreign_keys=[kota_code])
    kecamatan: Mapped[Region | None] = relationship(foreign_keys=[kecamatan_code])
    memberships: Mapped[list["OfficerMembership"]] = relationship(back_populates="agency")
    budgets: Mapped[list["Budget"]] = relationship(back_populates="agency", order_by="Budget.fiscal_year")


class OfficerMembership(TimestampMixin, Base):
    """An officer user's place in one agency, with a duty; confirmed by the Dinas."""

    __tablename__ = "officer_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    duty: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=MEMBERSHIP_PENDING, index=True)
    employee_number: Mapped[str | None] = mapped_column(String(30))  # NIP
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The letter of assignment (SK / surat tugas) the officer uploaded when registering: a private
    # file in storage (services/uploads.store_document), shown only to admins.
    letter_key: Mapped[str | None] = mapped_column(String(120))
    letter_kind: Mapped[str | None] = mapped_column(String(4))  # "pdf" or "jpg"
    # Why the Dinas rejected (or later revoked) the membership; the officer sees it.
    review_reason: Mapped[str | None] = mapped_column(String(500))

    user: Mapped["User"] = relationship(back_populates="membership", foreign_keys=[user_id])
    agency: Mapped[Agency] = relationship(back_populates="memberships")

    @property
    def is_confirmed(self) -> bool:
        return self.status == MEMBERSHIP_CONFIRMED


class Budget(TimestampMixin, Base):
    """An agency's goods/services ceiling (pagu) for one fiscal year, in integer Rupiah."""

    __tablename__ = "budget"
    __table_args__ = (UniqueConstraint("agency_id", "fiscal_year", name="uq_budget_agency_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    pagu: Mapped[int] = mapped_column(BigInteger)
    target_share_pct: Mapped[int] = mapped_column(Integer, default=40)
    overspend_policy: Mapped[str] = mapped_column(String(10), default=OVERSPEND_REFUSE)
    payment_term_days: Mapped[int] = mapped_column(Integer, default=30)

    agency: Mapped[Agency] = relationship(back_populates="budgets")
