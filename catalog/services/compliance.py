"""Inpres 2/2022 figures for an agency and fiscal year, from Surat Pesanan (committed) and
payments (realised), with SQL aggregates. UMK-K = mikro, kecil or koperasi, as copied onto
each Surat Pesanan when it was issued; menengah never counts (DOMAIN.md).

Every figure is a grouped SQL statement (GROUP BY), never a loop over Surat Pesanan rows: the
dashboard reads a constant number of statements whatever the agency bought. Python only adds
up the handful of grouped rows (a few scales, months, categories, kecamatan)."""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from catalog.extensions import db
from catalog.formatting import JAKARTA
from catalog.models import (
    Agency,
    Budget,
    Category,
    Invoice,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    Seller,
)
from catalog.models.procurement import INVOICE_PAID, PO_COMMITTED
from catalog.models.products import PRODUCT_ACTIVE
from catalog.models.sellers import STATUS_VERIFIED
from catalog.services import regions
from catalog.services.certificates import jakarta_today

DEFAULT_TARGET_PCT = 40  # Inpres 2/2022
FIRST_YEAR = 2022  # the Inpres is from March 2022: no dashboard before it
TKDN_PREFERRED = 25  # Perpres 46/2025 Pasal 66: TKDN ≥ 25 % preferred …
TKDN_HIGH = 40  # … when one with TKDN + BMP ≥ 40 % exists
SUGGESTED_SELLERS = 10
TOP_CATEGORIES = 3

SCALE_MIKRO = "mikro"
SCALE_KECIL = "kecil"
SCALE_KOPERASI = "koperasi"  # a koperasi counts once here, whatever its scale
SCALE_MENENGAH = "menengah"  # shown, never counted
SCALE_ORDER = (SCALE_MIKRO, SCALE_KECIL, SCALE_KOPERASI, SCALE_MENENGAH)


def umkk_condition():
    """The SQL test for "this Surat Pesanan counts toward the 40 %"."""
    return or_(PurchaseOrder.seller_is_koperasi.is_(True), PurchaseOrder.seller_scale.in_(("mikro", "kecil")))


@dataclass(frozen=True)
class ShareChange:
    pagu: int
    before_pct: float | None  # UMK-K committed / pagu, in percent; None without a pagu
    after_pct: float | None


def committed_totals(agency_id: int, year: int) -> tuple[int, int]:
    """(all committed, UMK-K committed) for the agency's fiscal year."""
    total, umkk = db.session.execute(
        select(func.coalesce(func.sum(PurchaseOrder.total), 0),
               func.coalesce(func.sum(case((umkk_condition(), PurchaseOrder.total), else_=0)), 0))
        .where(PurchaseOrder.agency_id == agency_id, PurchaseOrder.fiscal_year == year,
               PurchaseOrder.status.in_(PO_COMMITTED))).one()
    return int(total), int(umkk)


def share_change(agency_id: int, year: int, umkk_amount: int) -> ShareChange:
    """How a purchase of `umkk_amount` with UMK-K sellers moves the agency's share of its pagu
    (the procurement cart's note: "dari 31,2% menjadi 33,0%")."""
    pagu = db.session.scalar(select(Budget.pagu).where(Budget.agency_id == agency_id, Budget.fiscal_year == year))
    if not pagu:
        return ShareChange(pagu=0, before_pct=None, after_pct=None)
    _total, umkk = committed_totals(agency_id, year)
    return ShareChange(pagu=pagu, before_pct=100 * umkk / pagu, after_pct=100 * (umkk + umkk_amount) / pagu)


# --- the dashboard's figures ---------------------------------------------------------------------

def pct(part: int, whole: int) -> float | None:
    """part / whole in percent; None when there is nothing to divide by."""
    return 100 * part / whole if whole else None


def valid_year(value, today: date | None = None) -> int:
    """The fiscal year asked for in ?tahun=, or the current one when it is missing, not a
    number or out of range (2022 … next year)."""
    today = today or jakarta_today()
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return today.year
    return year if FIRST_YEAR <= year <= today.year + 1 else today.year


def year_choices(today: date | None = None) -> list[int]:
    """Fiscal years a dashboard may show, newest first."""
    today = today or jakarta_today()
    return list(range(today.year + 1, FIRST_YEAR - 1, -1))


@dataclass(frozen=True)
class Slice:
    """One row of a breakdown (a scale, a category, a kecamatan)."""

    key: str
    label: str
    committed: int
    realised: int
    umkk_committed: int
    orders: int = 0
    counted: bool = True  # False for menengah: shown, never in the share
    label_en: str = ""


@dataclass(frozen=True)
class MonthRow:
    month: int  # 1 … 12
    committed: int
    umkk_committed: int
    realised: int
    umkk_realised: int
    cumulative_umkk: int  # UMK-K committed from January to this month
    cumulative_share_pct: float | None  # of the pagu
    future: bool = False  # a month not yet begun (the current year)


@dataclass(frozen=True)
class TkdnCoverage:
    line_value: int  # committed value of every Surat Pesanan line
    at_least_25: int
    at_least_40: int
    unknown: int  # lines without a TKDN figure

    @property
    def pct_25(self) -> float | None:
        return pct(self.at_least_25, self.line_value)

    @property
    def pct_40(self) -> float | None:
        return pct(self.at_least_40, self.line_value)


@dataclass(frozen=True)
class SuggestedSeller:
    seller_id: int
    business_name: str
    slug: str
    scale: str
    is_koperasi: bool
    kota_code: str | None
    kecamatan_name: str
    kota_name: str
    products: int  # active products in the agency's top categories
    in_agency_kota: bool


class Shares:
    """The shares and the target of an agency-year, from its pagu, target and spend (mixed into
    AgencyFigures and AgencyRank, which hold those fields). Percentages are None without a pagu
    or without spend. Needs: has_budget, pagu, target_pct, committed, realised, umkk_committed,
    umkk_realised."""

    @property
    def share_of_pagu_pct(self) -> float | None:
        return pct(self.umkk_committed, self.pagu)

    @property
    def realised_share_of_pagu_pct(self) -> float | None:
        return pct(self.umkk_realised, self.pagu)

    @property
    def share_of_committed_pct(self) -> float | None:
        return pct(self.umkk_committed, self.committed)

    @property
    def share_of_realised_pct(self) -> float | None:
        return pct(self.umkk_realised, self.realised)

    @property
    def target_amount(self) -> int:
        """The Rupiah the target share of the pagu means (40 % of Rp10 M = Rp4 M)."""
        return self.pagu * self.target_pct // 100

    @property
    def needed(self) -> int:
        """UMK-K Rupiah still to commit to reach the target share of the pagu (0 once reached)."""
        return max(0, self.target_amount - self.umkk_committed)

    @property
    def target_reached(self) -> bool:
        return self.has_budget and self.pagu > 0 and self.needed == 0


@dataclass(frozen=True)
class AgencyFigures(Shares):
    """Everything the Inpres 2/2022 dashboard and its exports show for one agency-year."""

    agency_id: int
    agency_name: str
    agency_code: str
    agency_kota_code: str
    year: int
    as_of: date  # "today" the figures were computed for (Jakarta)
    has_budget: bool
    pagu: int
    target_pct: int
    committed: int
    realised: int
    umkk_committed: int
    umkk_realised: int
    orders: int
    by_scale: list[Slice] = field(default_factory=list)
    by_category: list[Slice] = field(default_factory=list)
    by_kecamatan: list[Slice] = field(default_factory=list)
    by_month: list[MonthRow] = field(default_factory=list)
    tkdn: TkdnCoverage = field(default_factory=lambda: TkdnCoverage(0, 0, 0, 0))
    sellers: list[SuggestedSeller] = field(default_factory=list)

    # The projection to 31 December at the current pace.
    @property
    def is_past_year(self) -> bool:
        return self.year < self.as_of.year

    @property
    def days_in_year(self) -> int:
        return 366 if calendar.isleap(self.year) else 365

    @property
    def days_elapsed(self) -> int:
        if self.year < self.as_of.year:
            return self.days_in_year
        if self.year > self.as_of.year:
            return 0
        return (self.as_of - date(self.year, 1, 1)).days + 1

    @property
    def projection(self) -> int | None:
        """UMK-K committed by 31 December if the pace so far holds (for a past year the actual
        figure; None for a year not yet begun)."""
        if self.is_past_year:
            return self.umkk_committed
        if not self.days_elapsed:
            return None
        return self.umkk_committed * self.days_in_year // self.days_elapsed

    @property
    def projection_pct(self) -> float | None:
        return pct(self.projection, self.pagu) if self.projection is not None else None

    @property
    def projection_short(self) -> int:
        """What the projection still misses of the target (0 when it reaches it)."""
        return max(0, self.target_amount - (self.projection or 0))


def _month_bucket(column, year: int, *, dates: bool):
    """A CASE giving the month (1 … 12) of `column` in Jakarta time, portable to SQLite and
    PostgreSQL: compared with each month's first instant (UTC) or first day."""
    whens = []
    for month in range(2, 13):
        start = date(year, month, 1)
        bound = start if dates else datetime.combine(start, time(0), tzinfo=JAKARTA).astimezone(timezone.utc)
        whens.append((column < bound, month - 1))
    return case(*whens, else_=12)


def _po_scope(agency_id: int, year: int):
    return and_(PurchaseOrder.agency_id == agency_id, PurchaseOrder.fiscal_year == year,
                PurchaseOrder.status.in_(PO_COMMITTED))


def _paid_total():
    return func.coalesce(func.sum(case((Invoice.status == INVOICE_PAID, Invoice.total), else_=0)), 0)


def _umkk_sum(value):
    return func.coalesce(func.sum(case((umkk_condition(), value), else_=0)), 0)


def _scale_key():
    return case((PurchaseOrder.seller_is_koperasi.is_(True), literal(SCALE_KOPERASI)),
                else_=PurchaseOrder.seller_scale)


def _by_scale(agency_id: int, year: int) -> list[Slice]:
    key = _scale_key().label("key")
    rows = db.session.execute(
        select(key, func.coalesce(func.sum(PurchaseOrder.total), 0), _paid_total(), func.count(PurchaseOrder.id))
        .select_from(PurchaseOrder).outerjoin(Invoice, Invoice.purchase_order_id == PurchaseOrder.id)
        .where(_po_scope(agency_id, year)).group_by(key)).all()
    found = {k: (int(c), int(r), n) for k, c, r, n in rows}
    slices = []
    for scale in SCALE_ORDER:
        committed, realised, orders = found.get(scale, (0, 0, 0))
        counted = scale != SCALE_MENENGAH
        slices.append(Slice(key=scale, label=scale, committed=committed, realised=realised,
                            umkk_committed=committed if counted else 0, orders=orders, counted=counted))
    return slices


def _by_category(agency_id: int, year: int) -> list[Slice]:
    """Committed line value per top-level category (lines without one: "Lainnya"), biggest first."""
    child = aliased(Category)
    top = aliased(Category)
    subtotal = PurchaseOrderLine.quantity * PurchaseOrderLine.unit_price
    rows = db.session.execute(
        select(top.id, top.slug, top.name, top.name_en, func.coalesce(func.sum(subtotal), 0),
               func.coalesce(func.sum(case((Invoice.status == INVOICE_PAID, subtotal), else_=0)), 0),
               _umkk_sum(subtotal), func.count(func.distinct(PurchaseOrder.id)))
        .select_from(PurchaseOrderLine)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .outerjoin(Invoice, Invoice.purchase_order_id == PurchaseOrder.id)
        .outerjoin(child, child.id == PurchaseOrderLine.category_id)
        .outerjoin(top, top.id == func.coalesce(child.parent_id, child.id))
        .where(_po_scope(agency_id, year))
        .group_by(top.id, top.slug, top.name, top.name_en)).all()
    slices = [Slice(key=slug or "", label=name or "", label_en=name_en or "", committed=int(c), realised=int(r),
                    umkk_committed=int(u), orders=n)
              for _id, slug, name, name_en, c, r, u, n in rows]
    # Biggest first; "Lainnya" (no category) last whatever its size.
    return sorted(slices, key=lambda s: (not s.key, -s.committed, s.label))


def _by_kecamatan(agency_id: int, year: int) -> list[Slice]:
    code = PurchaseOrder.seller_kecamatan_code
    rows = db.session.execute(
        select(code, func.coalesce(func.sum(PurchaseOrder.total), 0), _paid_total(),
               _umkk_sum(PurchaseOrder.total), func.count(PurchaseOrder.id))
        .select_from(PurchaseOrder).outerjoin(Invoice, Invoice.purchase_order_id == PurchaseOrder.id)
        .where(_po_scope(agency_id, year)).group_by(code)).all()
    slices = []
    for kecamatan_code, c, r, u, n in rows:
        ref = regions.get(kecamatan_code)
        kota = regions.get(ref.parent_code) if ref else None
        label = f"{ref.name}, {kota.name}" if ref and kota else (ref.name if ref else "")
        slices.append(Slice(key=kecamatan_code or "", label=label, committed=int(c), realised=int(r),
                            umkk_committed=int(u), orders=n))
    return sorted(slices, key=lambda s: (not s.key, -s.committed, s.label))


def _by_month(agency_id: int, year: int, pagu: int, as_of: date) -> list[MonthRow]:
    """Committed by the month the Surat Pesanan was issued (Jakarta time), realised by the month
    the invoice was paid; with the cumulative UMK-K share of the pagu month by month."""
    issued = _month_bucket(PurchaseOrder.issued_at, year, dates=False).label("month")
    committed_rows = db.session.execute(
        select(issued, func.coalesce(func.sum(PurchaseOrder.total), 0), _umkk_sum(PurchaseOrder.total))
        .where(_po_scope(agency_id, year)).group_by(issued)).all()
    paid = _month_bucket(Invoice.paid_on, year, dates=True).label("month")
    realised_rows = db.session.execute(
        select(paid, func.coalesce(func.sum(Invoice.total), 0), _umkk_sum(Invoice.total))
        .select_from(Invoice).join(PurchaseOrder, PurchaseOrder.id == Invoice.purchase_order_id)
        .where(_po_scope(agency_id, year), Invoice.status == INVOICE_PAID, Invoice.paid_on.is_not(None))
        .group_by(paid)).all()
    committed = {int(m): (int(c), int(u)) for m, c, u in committed_rows}
    realised = {int(m): (int(r), int(u)) for m, r, u in realised_rows}
    months, running = [], 0
    for month in range(1, 13):
        c, cu = committed.get(month, (0, 0))
        r, ru = realised.get(month, (0, 0))
        running += cu
        future = year > as_of.year or (year == as_of.year and month > as_of.month)
        months.append(MonthRow(month=month, committed=c, umkk_committed=cu, realised=r, umkk_realised=ru,
                                cumulative_umkk=running, cumulative_share_pct=pct(running, pagu), future=future))
    return months


def _tkdn(agency_id: int, year: int) -> TkdnCoverage:
    subtotal = PurchaseOrderLine.quantity * PurchaseOrderLine.unit_price
    tkdn = PurchaseOrderLine.tkdn_pct

    def share(condition):
        return func.coalesce(func.sum(case((condition, subtotal), else_=0)), 0)

    total, p25, p40, unknown = db.session.execute(
        select(func.coalesce(func.sum(subtotal), 0), share(tkdn >= TKDN_PREFERRED), share(tkdn >= TKDN_HIGH),
               share(tkdn.is_(None)))
        .select_from(PurchaseOrderLine).join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(_po_scope(agency_id, year))).one()
    return TkdnCoverage(int(total), int(p25), int(p40), int(unknown))


def _seller_umkk():
    return or_(Seller.is_koperasi.is_(True), Seller.scale.in_((SCALE_MIKRO, SCALE_KECIL)))


def local_sellers(agency_kota_code: str, category_slugs: list[str],
                  limit: int = SUGGESTED_SELLERS) -> list[SuggestedSeller]:
    """Verified UMK-K sellers (mikro, kecil, koperasi) with active products in the given
    top-level categories; those in the agency's kota first, then by how many such products."""
    if not category_slugs:
        return []
    child = aliased(Category)
    top = aliased(Category)
    in_kota = case((Seller.kota_code == agency_kota_code, 1), else_=0)
    products = func.count(Product.id)
    rows = db.session.execute(
        select(Seller.id, Seller.business_name, Seller.slug, Seller.scale, Seller.is_koperasi, Seller.kota_code,
               Seller.kecamatan_code, products)
        .join(Product, Product.seller_id == Seller.id)
        .join(child, child.id == Product.category_id)
        .join(top, top.id == func.coalesce(child.parent_id, child.id))
        .where(Seller.status == STATUS_VERIFIED, _seller_umkk(), Product.status == PRODUCT_ACTIVE,
               top.slug.in_(category_slugs))
        .group_by(Seller.id, Seller.business_name, Seller.slug, Seller.scale, Seller.is_koperasi, Seller.kota_code,
                  Seller.kecamatan_code)
        .order_by(in_kota.desc(), products.desc(), Seller.business_name, Seller.id)
        .limit(limit)).all()
    found = []
    for seller_id, name, slug, scale, koperasi, kota_code, kecamatan_code, count in rows:
        kecamatan, kota = regions.get(kecamatan_code), regions.get(kota_code)
        found.append(SuggestedSeller(
            seller_id=seller_id, business_name=name, slug=slug, scale=scale, is_koperasi=koperasi,
            kota_code=kota_code, kecamatan_name=kecamatan.name if kecamatan else "",
            kota_name=kota.name if kota else "", products=count, in_agency_kota=kota_code == agency_kota_code))
    return found


def figures(agency: Agency, year: int, *, today: date | None = None, with_sellers: bool = True) -> AgencyFigures:
    """The Inpres 2/2022 figures of `agency` for fiscal `year` (a fixed number of statements)."""
    as_of = today or jakarta_today()
    budget = db.session.execute(select(Budget.pagu, Budget.target_share_pct)
                                .where(Budget.agency_id == agency.id, Budget.fiscal_year == year)).first()
    pagu = int(budget.pagu) if budget else 0
    target = int(budget.target_share_pct or DEFAULT_TARGET_PCT) if budget else DEFAULT_TARGET_PCT
    by_scale = _by_scale(agency.id, year)
    by_category = _by_category(agency.id, year)
    top_slugs = [s.key for s in by_category if s.key][:TOP_CATEGORIES]
    return AgencyFigures(
        agency_id=agency.id, agency_name=agency.name, agency_code=agency.code, agency_kota_code=agency.kota_code,
        year=year, as_of=as_of, has_budget=budget is not None, pagu=pagu, target_pct=target,
        committed=sum(s.committed for s in by_scale), realised=sum(s.realised for s in by_scale),
        umkk_committed=sum(s.committed for s in by_scale if s.counted),
        umkk_realised=sum(s.realised for s in by_scale if s.counted),
        orders=sum(s.orders for s in by_scale),
        by_scale=by_scale, by_category=by_category, by_kecamatan=_by_kecamatan(agency.id, year),
        by_month=_by_month(agency.id, year, pagu, as_of), tkdn=_tkdn(agency.id, year),
        sellers=local_sellers(agency.kota_code, top_slugs) if with_sellers else [],
    )


# --- the Surat Pesanan behind the figures (for auditors) -------------------------------------------

@dataclass(frozen=True)
class OrderRow:
    number: str
    issued_at: datetime
    status: str
    seller_name: str
    nib: str
    scale: str
    is_koperasi: bool
    counts_as_umkk: bool
    total: int
    paid_on: date | None


def order_rows(agency_id: int, year: int) -> list[OrderRow]:
    """Every committed Surat Pesanan of the agency-year, oldest first (one statement)."""
    counted = case((umkk_condition(), True), else_=False)
    rows = db.session.execute(
        select(PurchaseOrder.number, PurchaseOrder.issued_at, PurchaseOrder.status, Seller.business_name, Seller.nib,
               PurchaseOrder.seller_scale, PurchaseOrder.seller_is_koperasi, counted, PurchaseOrder.total,
               case((Invoice.status == INVOICE_PAID, Invoice.paid_on), else_=None))
        .join(Seller, Seller.id == PurchaseOrder.seller_id)
        .outerjoin(Invoice, Invoice.purchase_order_id == PurchaseOrder.id)
        .where(_po_scope(agency_id, year))
        .order_by(PurchaseOrder.issued_at, PurchaseOrder.sequence)).all()
    return [OrderRow(number=r[0], issued_at=r[1], status=r[2], seller_name=r[3], nib=r[4], scale=r[5],
                     is_koperasi=bool(r[6]), counts_as_umkk=bool(r[7]), total=int(r[8]), paid_on=r[9]) for r in rows]


# --- every agency at once (the Dinas) ---------------------------------------------------------------

@dataclass(frozen=True)
class AgencyRank(Shares):
    """One agency's line in the Dinas's ranking."""

    agency_id: int
    name: str
    code: str
    type: str
    has_budget: bool
    pagu: int
    target_pct: int
    committed: int
    realised: int
    umkk_committed: int
    umkk_realised: int


def all_agencies(year: int) -> list[AgencyRank]:
    """Every agency's figures for `year` in one grouped statement, ranked by UMK-K share of the
    pagu (agencies without a pagu last, then by name)."""
    po_join = and_(PurchaseOrder.agency_id == Agency.id, PurchaseOrder.fiscal_year == year,
                   PurchaseOrder.status.in_(PO_COMMITTED))
    paid = case((Invoice.status == INVOICE_PAID, Invoice.total), else_=0)
    rows = db.session.execute(
        select(Agency.id, Agency.name, Agency.code, Agency.type, Budget.id, Budget.pagu, Budget.target_share_pct,
               func.coalesce(func.sum(PurchaseOrder.total), 0), func.coalesce(func.sum(paid), 0),
               _umkk_sum(PurchaseOrder.total), _umkk_sum(paid))
        .select_from(Agency)
        .outerjoin(Budget, and_(Budget.agency_id == Agency.id, Budget.fiscal_year == year))
        .outerjoin(PurchaseOrder, po_join)
        .outerjoin(Invoice, Invoice.purchase_order_id == PurchaseOrder.id)
        .group_by(Agency.id, Agency.name, Agency.code, Agency.type, Budget.id, Budget.pagu, Budget.target_share_pct)
    ).all()
    ranks = [AgencyRank(agency_id=r[0], name=r[1], code=r[2], type=r[3], has_budget=r[4] is not None,
                        pagu=int(r[5] or 0), target_pct=int(r[6] or DEFAULT_TARGET_PCT), committed=int(r[7]),
                        realised=int(r[8]), umkk_committed=int(r[9]), umkk_realised=int(r[10])) for r in rows]
    return sorted(ranks, key=lambda a: (a.share_of_pagu_pct is None, -(a.share_of_pagu_pct or 0), a.name, a.agency_id))
