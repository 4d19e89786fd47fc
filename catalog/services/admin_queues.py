"""The console home's queue cards: how much is waiting in each Dinas queue and since when,
computed in one statement of scalar subqueries whatever the number of rows."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import Invoice, JobFailure, OfficerMembership, Payment, Seller
from catalog.models.agencies import MEMBERSHIP_PENDING
from catalog.models.base import utcnow
from catalog.models.moderation import REPORT_OPEN, ProductReport
from catalog.models.orders import PAY_PENDING, PAYMENT_TRANSFER
from catalog.models.procurement import INVOICE_ISSUED
from catalog.models.sellers import STATUS_PENDING


@dataclass
class QueueCard:
    key: str
    count: int
    oldest: datetime | date | None  # when the longest-waiting item arrived (a due date for invoices)
    waiting_days: int | None

    @property
    def is_empty(self) -> bool:
        return self.count == 0


def _days(since: datetime | date | None, now: datetime, today: date) -> int | None:
    if since is None:
        return None
    if isinstance(since, datetime):
        return max((now - since).days, 0)
    return max((today - since).days, 0)


def queue_cards(today: date, now: datetime | None = None) -> dict[str, QueueCard]:
    """Sellers waiting for verification, officers waiting for confirmation, products with open
    reports, bank transfers waiting for the Dinas and government invoices past due (`today` is
    the Jakarta date the invoice pages use)."""
    now = now or utcnow()
    pending_seller = (Seller.status == STATUS_PENDING, Seller.submitted_at.is_not(None))
    pending_officer = (OfficerMembership.status == MEMBERSHIP_PENDING,)
    open_report = (ProductReport.status == REPORT_OPEN,)
    pending_transfer = (Payment.method == PAYMENT_TRANSFER, Payment.status == PAY_PENDING)
    overdue = (Invoice.status == INVOICE_ISSUED, Invoice.due_on < today)
    columns = {
        "sellers": (func.count(Seller.id), func.min(Seller.submitted_at), pending_seller),
        "officers": (func.count(OfficerMembership.id), func.min(OfficerMembership.updated_at), pending_officer),
        "reports": (func.count(func.distinct(ProductReport.product_id)), func.min(ProductReport.created_at),
                    open_report),
        "transfers": (func.count(Payment.id), func.min(Payment.created_at), pending_transfer),
        "invoices": (func.count(Invoice.id), func.min(Invoice.due_on), overdue),
        # background jobs that failed after their retries (catalog/jobs, /admin/tugas)
        "jobs": (func.count(JobFailure.id), func.min(JobFailure.first_failed_at), (JobFailure.resolved_at.is_(None),)),
    }
    subqueries = []
    for count, oldest, where in columns.values():
        subqueries.append(select(count).where(*where).scalar_subquery())
        subqueries.append(select(oldest).where(*where).scalar_subquery())
    values = db.session.execute(select(*subqueries)).one()
    cards = {}
    for index, key in enumerate(columns):
        count, oldest = values[2 * index], values[2 * index + 1]
        if isinstance(oldest, datetime) and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=now.tzinfo)  # SQLite hands back naive UTC from aggregates
        cards[key] = QueueCard(key=key, count=int(count or 0), oldest=oldest, waiting_days=_days(oldest, now, today))
    return cards
