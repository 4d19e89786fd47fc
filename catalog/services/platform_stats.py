"""Platform statistics for the Dinas console and the public transparency page: UMKM by region,
scale and category, listings, shopper orders and GMV by month, government spend with UMK-K,
verification times and overdue government invoices.

Every figure is a grouped SQL statement (GROUP BY, window functions for medians), never a loop
over rows in Python; each function returns plain frozen dataclasses so the result can be kept
in Flask-Caching (SimpleCache, or Redis when REDIS_URL is set) for STATS_TIMEOUT seconds.
Months are counted on the Jakarta calendar with a CASE over each month's first instant, which
reads the same on SQLite and PostgreSQL."""

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, distinct, extract, func, literal, select
from sqlalchemy.orm import aliased

from catalog.extensions import cache, db
from catalog.formatting import JAKARTA
from catalog.models import Category, Order, Product, PurchaseOrder, Region, Seller
from catalog.models.orders import ORDER_ACCEPTED, ORDER_COMPLETED, ORDER_DELIVERED, ORDER_NEW, ORDER_SHIPPED
from catalog.models.procurement import PO_COMMITTED
from catalog.models.products import PRODUCT_ACTIVE, PRODUCT_ARCHIVED, PRODUCT_DRAFT, PRODUCT_HIDDEN
from catalog.models.regions import LEVEL_KECAMATAN, LEVEL_KOTA
from catalog.models.sellers import STATUS_VERIFIED
from catalog.services import compliance
from catalog.services.certificates import jakarta_today
from catalog.services.compliance_export import Pct, Rp, Table, month_name, ranking_tables, scale_label
from catalog.services.errors import NotFound
from catalog.services.procurement import orders as gov_orders

STATS_TIMEOUT = 120  # seconds: figures for people, not for a ledger
MONTHS_SHOWN = 12
SLOWEST_SHOWN = 10

# A shopper's order counts as paid once it leaves "awaiting payment" (models/orders.py: the
# payment confirms every order of the checkout) and until it is rejected or cancelled, when
# the money goes back.
PAID_ORDER_STATUSES = (ORDER_NEW, ORDER_ACCEPTED, ORDER_SHIPPED, ORDER_DELIVERED, ORDER_COMPLETED)
LISTING_STATUSES = (PRODUCT_ACTIVE, PRODUCT_DRAFT, PRODUCT_ARCHIVED, PRODUCT_HIDDEN)
SCALE_ORDER = compliance.SCALE_ORDER  # mikro, kecil, koperasi, menengah


# --- rows -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RegionCount:
    """Sellers of one kota or kecamatan: every registered one and the verified ones."""

    code: str
    name: str
    kota_code: str
    kota_name: str
    registered: int
    verified: int


@dataclass(frozen=True)
class ScaleCount:
    key: str  # mikro, kecil, koperasi (whatever its scale), menengah
    registered: int
    verified: int
    counts_as_umkk: bool


@dataclass(frozen=True)
class CategoryCount:
    """One top-level category: verified sellers with an active product in it (or its children)
    and its listed products (active, from a verified seller)."""

    category_id: int
    name: str
    name_en: str
    sellers: int
    listings: int


@dataclass(frozen=True)
class StatusCount:
    status: str
    products: int


@dataclass(frozen=True)
class MonthOrders:
    year: int
    month: int
    orders: int  # every seller order placed that month
    paid_orders: int
    gmv: int  # the totals of the paid ones, integer Rupiah


@dataclass(frozen=True)
class SlowVerification:
    seller_id: int
    business_name: str
    submitted_at: datetime
    verified_at: datetime
    hours: float

    @property
    def days(self) -> float:
        return self.hours / 24


@dataclass(frozen=True)
class MonthMedian:
    year: int
    month: int
    verified: int
    median_hours: float | None

    @property
    def median_days(self) -> float | None:
        return None if self.median_hours is None else self.median_hours / 24


@dataclass(frozen=True)
class OverdueInvoice:
    number: str
    order_number: str
    agency_name: str
    seller_name: str
    total: int
    due_on: date
    days_late: int


@dataclass(frozen=True)
class AgencySellers:
    """How many distinct sellers an agency's committed Surat Pesanan of a year went to."""

    sellers: int
    umkk_sellers: int


@dataclass(frozen=True)
class GovernmentSpend:
    year: int
    agencies: list  # compliance.AgencyRank, ranked by UMK-K share of the pagu
    pagu: int
    committed: int
    umkk_committed: int
    realised: int
    sellers: int  # distinct sellers behind `committed`, every agency together
    umkk_sellers: int

    @property
    def share_of_pagu_pct(self) -> float | None:
        return compliance.pct(self.umkk_committed, self.pagu)

    @property
    def share_of_committed_pct(self) -> float | None:
        return compliance.pct(self.umkk_committed, self.committed)


def _rows(statement):
    return db.session.execute(statement).all()


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# --- months on the Jakarta calendar ------------------------------------------------------------------

def last_months(today: date, count: int = MONTHS_SHOWN) -> list[tuple[int, int]]:
    """(year, month) of the `count` months up to and including today's, oldest first."""
    index = today.year * 12 + today.month - 1 - (count - 1)
    return [((index + k) // 12, (index + k) % 12 + 1) for k in range(count)]


def _month_start(year: int, month: int) -> datetime:
    """The first instant of a Jakarta month, in UTC (how timestamps are stored)."""
    return datetime.combine(date(year, month, 1), time(0), tzinfo=JAKARTA).astimezone(timezone.utc)


def _month_window(months: list[tuple[int, int]]) -> tuple[datetime, datetime]:
    last_year, last_month = months[-1]
    after = (last_year + 1, 1) if last_month == 12 else (last_year, last_month + 1)
    return _month_start(*months[0]), _month_start(*after)


def _month_index(column, months: list[tuple[int, int]]):
    """A CASE giving 0 … len(months)-1 for the month of `column` (only meaningful inside
    _month_window): compared with each following month's first instant."""
    whens = [(column < _month_start(*months[k + 1]), k) for k in range(len(months) - 1)]
    return case(*whens, else_=len(months) - 1)


# --- UMKM ---------------------------------------------------------------------------------------------

def _seller_counts(key):
    """(key, registered, verified) per value of `key`, as a subquery."""
    verified = func.sum(case((Seller.status == STATUS_VERIFIED, 1), else_=0))
    return (select(key.label("code"), func.count(Seller.id).label("registered"), verified.label("verified"))
            .where(key.is_not(None)).group_by(key).subquery())


@cache.memoize(timeout=STATS_TIMEOUT)
def umkm_by_kecamatan() -> list[RegionCount]:
    """Every kecamatan of Tangerang Raya (those without a seller too), by kota then name."""
    counts = _seller_counts(Seller.kecamatan_code)
    kota = aliased(Region)
    rows = _rows(
        select(Region.code, Region.name, kota.code, kota.name, func.coalesce(counts.c.registered, 0),
               func.coalesce(counts.c.verified, 0))
        .join(kota, kota.code == Region.parent_code)
        .outerjoin(counts, counts.c.code == Region.code)
        .where(Region.level == LEVEL_KECAMATAN)
        .order_by(kota.name, Region.name))
    return [RegionCount(code=r[0], name=r[1], kota_code=r[2], kota_name=r[3], registered=int(r[4]),
                        verified=int(r[5])) for r in rows]


@cache.memoize(timeout=STATS_TIMEOUT)
def umkm_by_kota() -> list[RegionCount]:
    """Every kota/kabupaten of Tangerang Raya, by name."""
    counts = _seller_counts(Seller.kota_code)
    rows = _rows(
        select(Region.code, Region.name, func.coalesce(counts.c.registered, 0), func.coalesce(counts.c.verified, 0))
        .outerjoin(counts, counts.c.code == Region.code)
        .where(Region.level == LEVEL_KOTA)
        .order_by(Region.name))
    return [RegionCount(code=r[0], name=r[1], kota_code=r[0], kota_name=r[1], registered=int(r[2]),
                        verified=int(r[3])) for r in rows]


def _scale_key():
    # A koperasi counts once, as koperasi, whatever its scale (as compliance does for spend).
    return case((Seller.is_koperasi.is_(True), literal(compliance.SCALE_KOPERASI)), else_=Seller.scale)


@cache.memoize(timeout=STATS_TIMEOUT)
def umkm_by_scale() -> list[ScaleCount]:
    """Mikro, kecil, koperasi and menengah, each shown even when empty."""
    key = _scale_key().label("key")
    verified = func.sum(case((Seller.status == STATUS_VERIFIED, 1), else_=0))
    found = {k: (int(n), int(v or 0)) for k, n, v in _rows(select(key, func.count(Seller.id), verified).group_by(key))}
    return [ScaleCount(key=scale, registered=found.get(scale, (0, 0))[0], verified=found.get(scale, (0, 0))[1],
                       counts_as_umkk=scale != compliance.SCALE_MENENGAH) for scale in SCALE_ORDER]


def _listed():
    """A product the public sees: active, from a verified seller."""
    return and_(Product.status == PRODUCT_ACTIVE, Seller.status == STATUS_VERIFIED)


@cache.memoize(timeout=STATS_TIMEOUT)
def by_category() -> list[CategoryCount]:
    """Every top-level category (empty ones too), the busiest first."""
    child = aliased(Category)
    top_id = func.coalesce(child.parent_id, child.id).label("top_id")
    counts = (select(top_id, func.count(distinct(Product.seller_id)).label("sellers"),
                     func.count(Product.id).label("listings"))
              .select_from(Product).join(Seller, Seller.id == Product.seller_id)
              .join(child, child.id == Product.category_id)
              .where(_listed()).group_by(top_id).subquery())
    rows = _rows(
        select(Category.id, Category.name, Category.name_en, func.coalesce(counts.c.sellers, 0),
               func.coalesce(counts.c.listings, 0))
        .outerjoin(counts, counts.c.top_id == Category.id)
        .where(Category.parent_id.is_(None)))
    found = [CategoryCount(category_id=r[0], name=r[1], name_en=r[2] or "", sellers=int(r[3]), listings=int(r[4]))
             for r in rows]
    return sorted(found, key=lambda c: (-c.listings, -c.sellers, c.name))


@cache.memoize(timeout=STATS_TIMEOUT)
def listings_by_status() -> list[StatusCount]:
    """Every product by status: active, draft, archived, hidden by the Dinas."""
    found = dict(_rows(select(Product.status, func.count(Product.id)).group_by(Product.status)))
    return [StatusCount(status=s, products=int(found.get(s, 0))) for s in LISTING_STATUSES]


@cache.memoize(timeout=STATS_TIMEOUT)
def listed_products() -> int:
    """Products the public can open: active, from a verified seller."""
    return int(db.session.scalar(select(func.count(Product.id)).join(Seller, Seller.id == Product.seller_id)
                                 .where(_listed())) or 0)


# --- shopper orders ----------------------------------------------------------------------------------

@cache.memoize(timeout=STATS_TIMEOUT)
def orders_by_month(today: date) -> list[MonthOrders]:
    """The last twelve months up to today's (Jakarta), by the month the order was placed:
    orders, paid orders and GMV (the totals of the paid ones)."""
    months = last_months(today)
    start, end = _month_window(months)
    index = _month_index(Order.created_at, months).label("m")
    paid = Order.status.in_(PAID_ORDER_STATUSES)
    rows = _rows(
        select(index, func.count(Order.id), func.sum(case((paid, 1), else_=0)),
               func.coalesce(func.sum(case((paid, Order.total), else_=0)), 0))
        .where(Order.created_at >= start, Order.created_at < end).group_by(index))
    found = {int(m): (int(n), int(p or 0), int(g)) for m, n, p, g in rows}
    return [MonthOrders(year=y, month=mo, orders=found.get(k, (0, 0, 0))[0], paid_orders=found.get(k, (0, 0, 0))[1],
                        gmv=found.get(k, (0, 0, 0))[2]) for k, (y, mo) in enumerate(months)]


# --- government spend (compliance.py computes the Inpres 2/2022 figures) ------------------------------

def _umkk_po():
    return compliance.umkk_condition()


def _seller_count_columns():
    umkk_seller = case((_umkk_po(), PurchaseOrder.seller_id), else_=None)
    return func.count(distinct(PurchaseOrder.seller_id)), func.count(distinct(umkk_seller))


def _committed_in(year: int):
    return and_(PurchaseOrder.fiscal_year == year, PurchaseOrder.status.in_(PO_COMMITTED))


@cache.memoize(timeout=STATS_TIMEOUT)
def agency_sellers(year: int) -> dict[int, AgencySellers]:
    """Distinct sellers behind each agency's committed spend of `year` (all, and UMK-K)."""
    rows = _rows(select(PurchaseOrder.agency_id, *_seller_count_columns())
                 .where(_committed_in(year)).group_by(PurchaseOrder.agency_id))
    return {agency_id: AgencySellers(int(n), int(u)) for agency_id, n, u in rows}


def sellers_behind(year: int, agency_ids: list[int] | None = None) -> AgencySellers:
    """Distinct sellers behind the committed spend of `year` of these agencies together (of
    every agency when None)."""
    statement = select(*_seller_count_columns()).where(_committed_in(year))
    if agency_ids is not None:
        statement = statement.where(PurchaseOrder.agency_id.in_(agency_ids))
    sellers, umkk_sellers = db.session.execute(statement).one()
    return AgencySellers(int(sellers), int(umkk_sellers))


@cache.memoize(timeout=STATS_TIMEOUT)
def government_spend(year: int) -> GovernmentSpend:
    """Every agency's Inpres figures for `year` (compliance.all_agencies) and their sum, with the
    number of distinct sellers behind the sum."""
    ranks = compliance.all_agencies(year)
    behind = sellers_behind(year)
    return GovernmentSpend(
        year=year, agencies=ranks, pagu=sum(r.pagu for r in ranks), committed=sum(r.committed for r in ranks),
        umkk_committed=sum(r.umkk_committed for r in ranks), realised=sum(r.realised for r in ranks),
        sellers=behind.sellers, umkk_sellers=behind.umkk_sellers)


# --- verification times --------------------------------------------------------------------------------

def _verification_hours():
    """Hours from the seller's submission to its verification, in SQL."""
    if _dialect() == "sqlite":
        return (func.julianday(Seller.verified_at) - func.julianday(Seller.submitted_at)) * 24.0
    return extract("epoch", Seller.verified_at - Seller.submitted_at) / 3600.0


def _timed():
    return and_(Seller.submitted_at.is_not(None), Seller.verified_at.is_not(None),
                Seller.verified_at >= Seller.submitted_at)


@cache.memoize(timeout=STATS_TIMEOUT)
def slowest_verifications(limit: int = SLOWEST_SHOWN) -> list[SlowVerification]:
    """The verified sellers that waited longest between submitting and being verified."""
    hours = _verification_hours().label("hours")
    rows = _rows(select(Seller.id, Seller.business_name, Seller.submitted_at, Seller.verified_at, hours)
                 .where(_timed()).order_by(hours.desc(), Seller.id).limit(limit))
    return [SlowVerification(seller_id=r[0], business_name=r[1], submitted_at=r[2], verified_at=r[3],
                             hours=float(r[4])) for r in rows]


@cache.memoize(timeout=STATS_TIMEOUT)
def verification_median_by_month(today: date) -> list[MonthMedian]:
    """For each of the last twelve months (by the month of verification): how many sellers were
    verified and the median wait, with window functions (the middle one or two rows)."""
    months = last_months(today)
    start, end = _month_window(months)
    index = _month_index(Seller.verified_at, months)
    hours = _verification_hours()
    ranked = (select(index.label("m"), hours.label("hours"),
                     func.row_number().over(partition_by=index, order_by=hours).label("rn"),
                     func.count(Seller.id).over(partition_by=index).label("n"))
              .where(_timed(), Seller.verified_at >= start, Seller.verified_at < end).subquery())
    middle = and_(ranked.c.rn * 2 >= ranked.c.n, ranked.c.rn * 2 <= ranked.c.n + 2)
    rows = _rows(select(ranked.c.m, func.max(ranked.c.n), func.avg(ranked.c.hours))
                 .where(middle).group_by(ranked.c.m))
    found = {int(m): (int(n), float(h)) for m, n, h in rows}
    return [MonthMedian(year=y, month=mo, verified=found.get(k, (0, None))[0], median_hours=found.get(k, (0, None))[1])
            for k, (y, mo) in enumerate(months)]


# --- overdue government invoices (procurement/orders.py finds them) -----------------------------------

def overdue_invoices(today: date | None = None) -> list[OverdueInvoice]:
    """Unpaid invoices past their due date, the longest overdue first, as plain rows."""
    today = today or jakarta_today()
    return [OverdueInvoice(number=i.number, order_number=i.purchase_order.number, agency_name=i.agency.name,
                           seller_name=i.seller.business_name, total=int(i.total), due_on=i.due_on,
                           days_late=gov_orders.days_overdue(i, today))
            for i in gov_orders.overdue_invoices(today=today)]


# --- the tables as CSV (/admin/statistik/<name>.csv) ---------------------------------------------------

def _region_table(title: str, place: str, rows: list[RegionCount], with_kota: bool) -> Table:
    header = [_("Kota/Kabupaten"), place] if with_kota else [place]
    return Table(title, [*header, _("UMKM terdaftar"), _("UMKM terverifikasi")],
                 [[*([r.kota_name, r.name] if with_kota else [r.name]), r.registered, r.verified] for r in rows])


def _month_label(year: int, month: int) -> str:
    return f"{month_name(month)} {year}"


def _hours_as_days(hours: float | None) -> Pct | None:
    # Pct: one decimal with a decimal comma, as the percentages are written.
    return None if hours is None else Pct(round(hours / 24, 1))


def _kota_table(year: int, today: date) -> Table:
    return _region_table(_("UMKM per kota"), _("Kota/Kabupaten"), umkm_by_kota(), with_kota=False)


def _kecamatan_table(year: int, today: date) -> Table:
    return _region_table(_("UMKM per kecamatan"), _("Kecamatan"), umkm_by_kecamatan(), with_kota=True)


def _scale_table(year: int, today: date) -> Table:
    return Table(_("UMKM per skala usaha"), [_("Skala"), _("Dihitung UMK-K"), _("UMKM terdaftar"), _("UMKM terverifikasi")],
                 [[scale_label(s.key), s.counts_as_umkk, s.registered, s.verified] for s in umkm_by_scale()])


def _category_table(year: int, today: date) -> Table:
    return Table(_("Per kategori"), [_("Kategori"), _("Penjual terverifikasi dengan produk aktif"), _("Produk tayang")],
                 [[c.name, c.sellers, c.listings] for c in by_category()])


def _status_table(year: int, today: date) -> Table:
    return Table(_("Produk per status"), [_("Status"), _("Produk")],
                 [[listing_status_label(s.status), s.products] for s in listings_by_status()])


def _orders_table(year: int, today: date) -> Table:
    return Table(_("Pesanan belanja warga per bulan"),
                 [_("Bulan"), _("Pesanan"), _("Pesanan dibayar"), _("GMV (Rp)")],
                 [[_month_label(m.year, m.month), m.orders, m.paid_orders, Rp(m.gmv)] for m in orders_by_month(today)])


def _spend_table(year: int, today: date) -> Table:
    return ranking_tables(year, government_spend(year).agencies)[0]


def _slowest_table(year: int, today: date) -> Table:
    return Table(_("Verifikasi terlama"),
                 [_("Penjual"), _("Dikirim"), _("Diverifikasi"), _("Lama (hari)")],
                 [[s.business_name, s.submitted_at, s.verified_at, _hours_as_days(s.hours)]
                  for s in slowest_verifications()])


def _median_table(year: int, today: date) -> Table:
    return Table(_("Median lama verifikasi per bulan"),
                 [_("Bulan"), _("Penjual diverifikasi"), _("Median lama (hari)")],
                 [[_month_label(m.year, m.month), m.verified, _hours_as_days(m.median_hours)]
                  for m in verification_median_by_month(today)])


def _overdue_table(year: int, today: date) -> Table:
    return Table(_("Tagihan pemerintah terlambat"),
                 [_("Tagihan"), _("Surat Pesanan"), _("Instansi"), _("Penjual"), _("Jumlah (Rp)"), _("Jatuh tempo"),
                  _("Terlambat (hari)")],
                 [[i.number, i.order_number, i.agency_name, i.seller_name, Rp(i.total), i.due_on, i.days_late]
                  for i in overdue_invoices(today)])


# The names a CSV may be asked for; anything else is a 404.
CSV_TABLES = {
    "umkm-kota": _kota_table,
    "umkm-kecamatan": _kecamatan_table,
    "umkm-skala": _scale_table,
    "kategori": _category_table,
    "produk-status": _status_table,
    "pesanan-bulanan": _orders_table,
    "belanja-pemerintah": _spend_table,
    "verifikasi-terlama": _slowest_table,
    "verifikasi-median": _median_table,
    "tagihan-terlambat": _overdue_table,
}


def csv_table(name: str, year: int, today: date) -> Table:
    """The table behind one section of the statistics page. Raises NotFound for a name that is
    not in CSV_TABLES."""
    builder = CSV_TABLES.get(name)
    if builder is None:
        raise NotFound(_l("Tabel statistik tidak ditemukan."))
    return builder(year, today)


def listing_status_label(status: str) -> str:
    return {
        PRODUCT_ACTIVE: _("Aktif"),
        PRODUCT_DRAFT: _("Draf"),
        PRODUCT_ARCHIVED: _("Diarsipkan"),
        PRODUCT_HIDDEN: _("Disembunyikan Dinas"),
    }.get(status, status)
