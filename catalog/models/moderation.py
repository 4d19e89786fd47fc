"""Reports about listings: a logged-in user flags a product; the Dinas upholds (and hides the
product) or dismisses the report."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base, TimestampMixin, UTCDateTime

if TYPE_CHECKING:
    from catalog.models.products import Product
    from catalog.models.users import User

REPORT_REASONS = ("prohibited", "counterfeit", "misleading", "wrong_category", "fraud", "other")

REPORT_OPEN = "open"
REPORT_UPHELD = "upheld"  # the product was hidden
REPORT_DISMISSED = "dismissed"
REPORT_STATUSES = (REPORT_OPEN, REPORT_UPHELD, REPORT_DISMISSED)


class ProductReport(TimestampMixin, Base):
    __tablename__ = "product_report"
    __table_args__ = (
        # One report per user and product: a second click says "already reported".
        UniqueConstraint("product_id", "reporter_id", name="uq_product_report_product_reporter"),
        Index("ix_product_report_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=REPORT_OPEN)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str | None] = mapped_column(String(500))

    product: Mapped["Product"] = relationship()
    reporter: Mapped["User"] = relationship(foreign_keys=[reporter_id])
