"""What an agency's officers read as lists, without HTTP: the start page's tasks by duty, purchase
requests with state tabs (a PPK's "menunggu persetujuan saya" first), Surat Pesanan, invoices
(unpaid first by due date, so the most overdue lead) and the agency's audit trail.

Every function takes the agency explicitly and reads only rows of that agency. Each runs a fixed
number of statements whatever the rows (a count per tab in one statement, one page, and its
selectinloads). A page past the end shows the last one; an unknown tab falls back to the default."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import ceil

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import selectinload

from catalog.extensions import db
from catalog.formatting import JAKARTA
from catalog.models import AuditEvent, Invoice, PurchaseOrder, PurchaseRequest, User
from catalog.models.agencies import DUTY_BENDAHARA, DUTY_PP, DUTY_PPK
from catalog.models.procurement import (
    INVOICE_ISSUED,
    INVOICE_PAID,
    PO_ACCEPTED,
    PO_INVOICED,
    PO_PAID,
    PO_RECEIVED,
    PO_SHIPPED,
    PR_DRAFT,
    PR_EXPIRED,
    PR_REJECTED,
    PR_SUBMITTED,
)
from catalog.services.catalogue import ProductPage
from catalog.services.certificates import jakarta_today
from catalog.services.procurement import cart as carts
from catalog.services.procurement.orders import days_overdue

PER_PAGE = 20
AUDIT_PER_PAGE = 50
HOME_ROWS = 10  # rows per task list on the start page; the lists link to the full pages

# ?status= tabs of the requests list.
REQUEST_TAB_MINE = "menunggu-saya"  # a PPK's: submitted to them
REQUEST_TAB_ALL = "semua"
REQUEST_TABS = {
    "draf": ("draft",),
    "menunggu-ppk": ("submitted",),
    "penawaran": ("quoting", "negotiating"),
    "berjalan": ("approved", "ordered", "shipped", "received", "invoiced"),
    "selesai": ("paid", "closed"),
    "batal": ("rejected", "cancelled", "expired"),
}

# ?status= tabs of the Surat Pesanan list.
ORDER_TAB_ALL = "semua"
ORDER_TABS = {
    "menunggu-penjual": ("issued",),
    "perlu-bast": ("accepted", "shipped"),
    "ditagih": ("received", "invoiced"),
    "lunas": ("paid",),
    "batal": ("declined", "cancelled"),
}

# ?status= tabs of the invoice list.
INVOICE_TAB_UNPAID = "belum-dibayar"
INVOICE_TAB_PAID = "lunas"
INVOICE_TAB_ALL = "semua"
INVOICE_TABS = (INVOICE_TAB_UNPAID, INVOICE_TAB_PAID, INVOICE_TAB_ALL)

# ?jenis= of the audit trail: the object kinds an agency's events are about.
AUDIT_KINDS = ("purchase_request", "purchase_order", "invoice", "rfq")


@dataclass
class ListPage(ProductPage):
    """One page of a list, with its tab and the rows per tab (for the chips)."""

    tab: str = ""
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class InvoicePage(ListPage):
    overdue: dict[int, int] = field(default_factory=dict)  # invoice id → days overdue


@dataclass
class AuditPage(ListPage):
    kind: str = ""  # one of AUDIT_KINDS, or "" for every kind


def _counts(model, agency_id: int, tabs: dict[str, ColumnElement[bool] | None]) -> dict[str, int]:
    """The agency's rows of `model` per tab (None: every row), in one statement."""
    columns = [func.count(model.id) if condition is None else func.count(case((condition, model.id)))
               for condition in tabs.values()]
    row = db.session.execute(select(*columns).where(model.agency_id == agency_id)).one()
    return dict(zip(tabs, row, strict=True))


def _page(stmt: Select, total: int, page: int, per_page: int, cls: type[ListPage] = ListPage, **extra):
    """Clamp `page` into range and fetch it (nothing when there are no rows), as a `cls`."""
    number = min(max(page, 1), max(ceil(total / per_page), 1))
    items = list(db.session.scalars(stmt.limit(per_page).offset((number - 1) * per_page))) if total else []
    return cls(items=items, total=total, page=number, per_page=per_page, sort="terbaru", **extra)


# --- the start page ------------------------------------------------------------------------------

@dataclass
class Tasks:
    """What waits for the officer, by duty (lists hold at most HOME_ROWS rows each)."""

    cart: carts.CartView | None = None
    drafts: list[PurchaseRequest] = field(default_factory=list)
    turned_down: list[PurchaseRequest] = field(default_factory=list)
    to_approve: list[PurchaseRequest] = field(default_factory=list)
    to_receive: list[PurchaseOrder] = field(default_factory=list)
    to_rate: list[PurchaseOrder] = field(default_factory=list)
    to_pay: list[Invoice] = field(default_factory=list)
    overdue: dict[int, int] = field(default_factory=dict)  # invoice id → days overdue


def _requests(*conditions, load=()) -> list[PurchaseRequest]:
    return list(db.session.scalars(
        select(PurchaseRequest).where(*conditions)
        .order_by(PurchaseRequest.created_at.desc(), PurchaseRequest.id.desc()).limit(HOME_ROWS)
        .options(*load)))


def _orders(agency_id: int, *conditions) -> list[PurchaseOrder]:
    return list(db.session.scalars(
        select(PurchaseOrder).where(PurchaseOrder.agency_id == agency_id, *conditions)
        .order_by(PurchaseOrder.issued_at, PurchaseOrder.id).limit(HOME_ROWS)
        .options(selectinload(PurchaseOrder.seller))))


def tasks_for(agency_id: int, user: User, duty: str) -> Tasks:
    """The start page's lists for an officer of `agency_id` with `duty`: the Pejabat Pengadaan's
    (and PPK's) cart, own drafts and turned-down requests; the PPK's requests submitted to them,
    Surat Pesanan waiting for a BAST and ratings due; the Bendahara's unpaid invoices by due date.
    A fixed number of statements whatever the rows: each list one query plus its selectinloads."""
    tasks = Tasks()
    if duty in (DUTY_PP, DUTY_PPK):
        tasks.cart = carts.review(carts.cart_for(user))
        mine = (PurchaseRequest.agency_id == agency_id, PurchaseRequest.requester_id == user.id)
        tasks.drafts = _requests(*mine, PurchaseRequest.status == PR_DRAFT)
        tasks.turned_down = _requests(*mine, PurchaseRequest.status.in_((PR_REJECTED, PR_EXPIRED)))
    if duty == DUTY_PPK:
        tasks.to_approve = _requests(*_request_conditions(agency_id, REQUEST_TAB_MINE, user.id),
                                     load=(selectinload(PurchaseRequest.requester),))
        tasks.to_receive = _orders(agency_id, PurchaseOrder.status.in_((PO_ACCEPTED, PO_SHIPPED)))
        tasks.to_rate = _orders(agency_id, PurchaseOrder.status.in_((PO_RECEIVED, PO_INVOICED, PO_PAID)),
                                ~PurchaseOrder.rating.has())
    if duty == DUTY_BENDAHARA:
        tasks.to_pay = list(db.session.scalars(
            select(Invoice).where(Invoice.agency_id == agency_id, Invoice.status == INVOICE_ISSUED)
            .order_by(Invoice.due_on, Invoice.id).limit(HOME_ROWS)
            .options(selectinload(Invoice.seller), selectinload(Invoice.purchase_order))))
        tasks.overdue = {invoice.id: days_overdue(invoice) for invoice in tasks.to_pay}
    return tasks


# --- purchase requests ---------------------------------------------------------------------------

def request_tabs(duty: str) -> list[str]:
    """The tabs an officer sees, in order: a PPK's own "menunggu persetujuan saya" first."""
    return ([REQUEST_TAB_MINE] if duty == DUTY_PPK else []) + [REQUEST_TAB_ALL, *REQUEST_TABS]


def default_request_tab(duty: str) -> str:
    return REQUEST_TAB_MINE if duty == DUTY_PPK else REQUEST_TAB_ALL


def request_tab(raw: object, duty: str) -> str:
    """?status= as one of the officer's tabs; anything else is their default."""
    return raw if isinstance(raw, str) and raw in request_tabs(duty) else default_request_tab(duty)


def _request_conditions(agency_id: int, tab: str, user_id: int) -> list[ColumnElement[bool]]:
    conditions = [PurchaseRequest.agency_id == agency_id]
    if tab == REQUEST_TAB_MINE:
        conditions += [PurchaseRequest.status == PR_SUBMITTED, PurchaseRequest.ppk_id == user_id]
    elif tab in REQUEST_TABS:
        conditions.append(PurchaseRequest.status.in_(REQUEST_TABS[tab]))
    return conditions


def request_tab_counts(agency_id: int, user_id: int) -> dict[str, int]:
    """The agency's requests per tab, in one statement (the PPK's own tab counts those submitted
    to `user_id`)."""
    return _counts(PurchaseRequest, agency_id, {
        REQUEST_TAB_ALL: None,
        REQUEST_TAB_MINE: and_(PurchaseRequest.status == PR_SUBMITTED, PurchaseRequest.ppk_id == user_id),
        **{key: PurchaseRequest.status.in_(statuses) for key, statuses in REQUEST_TABS.items()},
    })


def request_page(agency_id: int, user_id: int, duty: str, tab: object = None, page: int = 1,
                 per_page: int = PER_PAGE) -> ListPage:
    """One page of the agency's purchase requests in `tab` (see request_tab), newest first, with
    the requester and the PPK: three statements and the two loads."""
    tab = request_tab(tab, duty)
    counts = request_tab_counts(agency_id, user_id)
    stmt = (select(PurchaseRequest).where(*_request_conditions(agency_id, tab, user_id))
            .order_by(PurchaseRequest.created_at.desc(), PurchaseRequest.id.desc())
            .options(selectinload(PurchaseRequest.requester), selectinload(PurchaseRequest.ppk)))
    return _page(stmt, counts[tab], page, per_page, tab=tab, counts=counts)


# --- Surat Pesanan -------------------------------------------------------------------------------

def order_tab(raw: object) -> str:
    return raw if isinstance(raw, str) and raw in ORDER_TABS else ORDER_TAB_ALL


def order_page(agency_id: int, tab: object = None, page: int = 1, per_page: int = PER_PAGE) -> ListPage:
    """One page of the agency's Surat Pesanan in `tab` (?status=, else all), newest first, with
    the seller and the request."""
    tab = order_tab(tab)
    counts = _counts(PurchaseOrder, agency_id, {
        ORDER_TAB_ALL: None, **{key: PurchaseOrder.status.in_(statuses) for key, statuses in ORDER_TABS.items()}})
    conditions = [PurchaseOrder.agency_id == agency_id]
    if tab in ORDER_TABS:
        conditions.append(PurchaseOrder.status.in_(ORDER_TABS[tab]))
    stmt = (select(PurchaseOrder).where(*conditions)
            .order_by(PurchaseOrder.issued_at.desc(), PurchaseOrder.id.desc())
            .options(selectinload(PurchaseOrder.seller), selectinload(PurchaseOrder.request)))
    return _page(stmt, counts[tab], page, per_page, tab=tab, counts=counts)


# --- invoices ------------------------------------------------------------------------------------

def invoice_tab(raw: object) -> str:
    return raw if isinstance(raw, str) and raw in INVOICE_TABS else INVOICE_TAB_UNPAID


def invoice_page(agency_id: int, tab: object = None, page: int = 1, per_page: int = PER_PAGE,
                 today: date | None = None) -> InvoicePage:
    """One page of the agency's invoices in `tab` (unpaid by default): unpaid first by due date,
    so the most overdue lead (the paid tab: latest payment first), with the seller, the Surat
    Pesanan and each one's days overdue on `today` (Jakarta's by default)."""
    tab = invoice_tab(tab)
    statuses = {INVOICE_TAB_UNPAID: Invoice.status == INVOICE_ISSUED, INVOICE_TAB_PAID: Invoice.status == INVOICE_PAID}
    counts = _counts(Invoice, agency_id, {INVOICE_TAB_ALL: None, **statuses})
    conditions = [Invoice.agency_id == agency_id]
    if tab in statuses:
        conditions.append(statuses[tab])
    unpaid_first = case((Invoice.status == INVOICE_ISSUED, 0), else_=1)
    order = ((unpaid_first, Invoice.due_on, Invoice.id) if tab != INVOICE_TAB_PAID
             else (Invoice.paid_on.desc(), Invoice.id.desc()))
    stmt = (select(Invoice).where(*conditions).order_by(*order)
            .options(selectinload(Invoice.seller), selectinload(Invoice.purchase_order)))
    found = _page(stmt, counts[tab], page, per_page, InvoicePage, tab=tab, counts=counts)
    today = today or jakarta_today()
    found.overdue = {invoice.id: days_overdue(invoice, today) for invoice in found.items}
    return found


# --- the audit trail -----------------------------------------------------------------------------

def _start_of(day: date) -> datetime:
    """Midnight in Jakarta, as the UTC instant the trail stores."""
    return datetime.combine(day, time.min, tzinfo=JAKARTA)


def audit_page(agency_id: int, kind: object = None, since: date | None = None, until: date | None = None,
               page: int = 1, per_page: int = AUDIT_PER_PAGE) -> AuditPage:
    """One page of the events stamped with the agency, newest first, with who did each: of one
    kind (AUDIT_KINDS; anything else is every kind) and from `since` to `until` (Jakarta days,
    both included, either may be None)."""
    kind = kind if isinstance(kind, str) and kind in AUDIT_KINDS else ""
    conditions = [AuditEvent.agency_id == agency_id]
    if kind:
        conditions.append(AuditEvent.action.like(f"{kind}.%"))
    # The first and the last day there is bound nothing (and past them is out of datetime's range).
    if since and since > date.min:
        conditions.append(AuditEvent.created_at >= _start_of(since))
    if until and until < date.max:
        conditions.append(AuditEvent.created_at < _start_of(until + timedelta(days=1)))
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*conditions))
    stmt = select(AuditEvent).where(*conditions).order_by(AuditEvent.id.desc()).options(selectinload(AuditEvent.actor))
    return _page(stmt, total, page, per_page, AuditPage, kind=kind)
