"""An agency's pagu for a fiscal year and how much of it Surat Pesanan already commit."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.formatting import rupiah
from catalog.models import Budget, PurchaseOrder
from catalog.models.procurement import PO_COMMITTED
from catalog.services.errors import BudgetExceeded


@dataclass(frozen=True)
class BudgetCheck:
    pagu: int
    committed: int
    amount: int
    policy: str

    @property
    def remaining(self) -> int:
        return self.pagu - self.committed

    @property
    def over(self) -> bool:
        return self.amount > self.remaining


def budget_for(agency_id: int, year: int, *, lock: bool = False) -> Budget | None:
    query = select(Budget).where(Budget.agency_id == agency_id, Budget.fiscal_year == year)
    if lock:  # two approvals at once must not both spend the same remaining pagu
        query = query.with_for_update()
    return db.session.scalar(query)


def committed(agency_id: int, year: int) -> int:
    # int(): PostgreSQL sums a bigint into a numeric (Decimal), which the audit trail cannot hash.
    return int(db.session.scalar(
        select(func.coalesce(func.sum(PurchaseOrder.total), 0))
        .where(PurchaseOrder.agency_id == agency_id, PurchaseOrder.fiscal_year == year,
               PurchaseOrder.status.in_(PO_COMMITTED))) or 0)


def check(agency_id: int, year: int, amount: int) -> BudgetCheck:
    """Lock the year's budget and compare `amount` with what is left. Raises BudgetExceeded when
    there is no budget, or when the amount does not fit and the agency refuses overspending;
    a "warn" agency gets the check back with over=True."""
    budget = budget_for(agency_id, year, lock=True)
    if budget is None:
        raise BudgetExceeded(_l("Pagu belanja barang/jasa tahun %(year)s belum diisi untuk instansi ini. "
                                "Minta admin Dinas mengisinya.", year=year))
    result = BudgetCheck(pagu=budget.pagu, committed=committed(agency_id, year), amount=amount,
                         policy=budget.overspend_policy)
    if result.over and budget.overspend_policy != "warn":
        raise BudgetExceeded(_l("Sisa pagu tahun %(year)s tidak cukup: sisa %(remaining)s, dibutuhkan %(amount)s.",
                                year=year, remaining=rupiah(result.remaining), amount=rupiah(amount)))
    return result

