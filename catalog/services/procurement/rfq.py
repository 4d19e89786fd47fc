"""Requests for quotation (permintaan penawaran): the officer opens one for needs the catalogue
does not cover, eligible sellers quote per line, the officer compares them in a sellers × lines
grid, may send one counter-offer per quotation, and awards per line or whole; the award turns
the request into lines that go to the PPK (or are ordered directly by the Pejabat Pengadaan up to
Rp200 juta) exactly like a catalogue request. An RFQ that nobody awards within 3 working days
after its deadline (or after the last step of a negotiation) expires, and so does a counter-offer
the seller leaves unanswered for 3 working days.

One transaction per public function; every change is audited with the agency.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from catalog.extensions import db
from catalog.formatting import rupiah, tanggal_waktu
from catalog.models import (
    Category,
    CounterOffer,
    Product,
    PurchaseRequest,
    PurchaseRequestLine,
    Quotation,
    QuotationLine,
    Rfq,
    RfqLine,
    Seller,
    User,
)
from catalog.models.agencies import DUTY_PP, DUTY_PPK
from catalog.models.base import utcnow
from catalog.models.procurement import (
    COUNTER_ACCEPTED,
    COUNTER_DECLINED,
    COUNTER_EXPIRED,
    COUNTER_PENDING,
    METHOD_RFQ,
    PR_EXPIRED,
    PR_NEGOTIATING,
    PR_QUOTING,
    QUOTE_AWARDED,
    QUOTE_NOT_AWARDED,
    QUOTE_SUBMITTED,
    RFQ_AWARDED,
    RFQ_CANCELLED,
    RFQ_EXPIRED,
    RFQ_OPEN,
)
from catalog.models.products import PRODUCT_ACTIVE
from catalog.models.regions import LEVEL_KECAMATAN, LEVEL_KOTA
from catalog.models.sellers import SCALE_KECIL, SCALE_MIKRO, STATUS_VERIFIED
from catalog.services import audit, notifications, regions, states, workdays
from catalog.services.errors import NotFound, PermissionDenied, ValidationFailed
from catalog.services.procurement import officers, requests

MAX_LINES = 50
MAX_DEADLINE_DAYS = 30
MIN_DEADLINE_MINUTES = 60  # sellers need some time to answer
MAX_QUANTITY = 1_000_000_000
MAX_PRICE = 10**12  # per unit: far above any sensible purchase, well inside BIGINT with quantities
MAX_DELIVERY_DAYS = 365
DESCRIPTION_MAX = 300
UNIT_MAX = 30
LINE_NOTES_MAX = 300
NOTES_MAX = 2000
MESSAGE_MAX = 500
# Negotiations that stall are cancelled automatically after 3 working days (e-Katalog practice).
EXPIRY_WORKING_DAYS = 3


class RfqClosed(ValidationFailed):
    """The RFQ is no longer open (expired, cancelled or already awarded)."""


# --- who may see what -----------------------------------------------------------------------

def _umkk_seller():
    return or_(Seller.is_koperasi.is_(True), Seller.scale.in_((SCALE_MIKRO, SCALE_KECIL)))


def _category_and_children(category_id: int):
    return select(Category.id).where(or_(Category.id == category_id, Category.parent_id == category_id))


def _eligibility(category_id: int | None, kota_code: str | None, umkk_only: bool) -> list:
    """The conditions on Seller that make it eligible for an RFQ with these filters."""
    conditions = [Seller.status == STATUS_VERIFIED]
    if category_id is not None:
        conditions.append(exists().where(Product.seller_id == Seller.id, Product.status == PRODUCT_ACTIVE,
                                         Product.category_id.in_(_category_and_children(category_id))))
    if kota_code:
        conditions.append(Seller.kota_code == kota_code)
    if umkk_only:
        conditions.append(_umkk_seller())
    return conditions


def _eligible_select(rfq: Rfq):
    return select(Seller).where(*_eligibility(rfq.category_id, rfq.kota_code, rfq.umkk_only))


def eligible_sellers(rfq: Rfq) -> list[Seller]:
    """The verified sellers who may quote, in one query (with their users, for notifying)."""
    return list(db.session.scalars(_eligible_select(rfq).options(joinedload(Seller.user)).order_by(Seller.id)))


def eligible_count(rfq: Rfq) -> int:
    return db.session.scalar(select(func.count()).select_from(_eligible_select(rfq).subquery())) or 0


def is_eligible(rfq: Rfq, seller: Seller) -> bool:
    return bool(db.session.scalar(select(_eligible_select(rfq).where(Seller.id == seller.id).exists())))


def _seller_matches_rfq(seller: Seller):
    """The conditions on Rfq under which this seller is eligible (the mirror of _eligibility,
    for listing many RFQs at once)."""
    if seller.status != STATUS_VERIFIED:
        return false()
    in_category = exists().where(
        Product.seller_id == seller.id, Product.status == PRODUCT_ACTIVE,
        Product.category_id == Category.id, or_(Category.id == Rfq.category_id, Category.parent_id == Rfq.category_id))
    umkk = seller.is_koperasi or seller.scale in (SCALE_MIKRO, SCALE_KECIL)
    return and_(
        or_(Rfq.category_id.is_(None), in_category),
        or_(Rfq.kota_code.is_(None), Rfq.kota_code == seller.kota_code),
        true() if umkk else Rfq.umkk_only.is_(False),
    )


def agency_rfq(user: User, rfq_id: int) -> Rfq:
    """An RFQ of the officer's own agency; another agency's is "not found"."""
    member = officers.membership(user)
    rfq = db.session.get(Rfq, rfq_id)
    if rfq is None or rfq.agency_id != member.agency_id:
        raise NotFound(_l("Permintaan penawaran tidak ditemukan."))
    return rfq


def seller_rfq(seller: Seller, rfq_id: int) -> Rfq:
    """An RFQ the seller may see: one it is eligible for, or one it has quoted; else not found."""
    rfq = db.session.get(Rfq, rfq_id)
    if rfq is None or not (_quotation_of(rfq, seller) is not None or is_eligible(rfq, seller)):
        raise NotFound(_l("Permintaan penawaran tidak ditemukan."))
    return rfq


def _quotation_of(rfq: Rfq, seller: Seller) -> Quotation | None:
    return db.session.scalar(select(Quotation).where(Quotation.rfq_id == rfq.id, Quotation.seller_id == seller.id))


def own_quotation(rfq: Rfq, seller: Seller) -> Quotation | None:
    return _quotation_of(rfq, seller)


@dataclass
class SellerRfqRow:
    rfq: Rfq
    line_count: int
    quotation: Quotation | None


def open_rfqs_for(seller: Seller, now: datetime | None = None) -> list[SellerRfqRow]:
    """The seller's RFQ list: open RFQs still taking quotations that it is eligible for, and every
    RFQ it has quoted — in two queries whatever the number."""
    now = now or utcnow()
    quoted = select(Quotation.rfq_id).where(Quotation.seller_id == seller.id)
    line_count = select(func.count(RfqLine.id)).where(RfqLine.rfq_id == Rfq.id).correlate(Rfq).scalar_subquery()
    rows = db.session.execute(
        select(Rfq, line_count)
        .where(or_(and_(Rfq.status == RFQ_OPEN, Rfq.deadline > now, _seller_matches_rfq(seller)),
                   Rfq.id.in_(quoted)))
        .options(joinedload(Rfq.request).joinedload(PurchaseRequest.agency),
                 joinedload(Rfq.request).joinedload(PurchaseRequest.delivery_kecamatan))
        .order_by(Rfq.deadline.desc(), Rfq.id.desc())
        .limit(200)
    ).unique().all()
    ids = [rfq.id for rfq, _count in rows]
    quotations = {q.rfq_id: q for q in db.session.scalars(
        select(Quotation).where(Quotation.seller_id == seller.id, Quotation.rfq_id.in_(ids)))} if ids else {}
    return [SellerRfqRow(rfq=rfq, line_count=count, quotation=quotations.get(rfq.id)) for rfq, count in rows]


@dataclass
class AgencyRfqRow:
    rfq: Rfq
    quotation_count: int


def agency_rfqs(user: User) -> list[AgencyRfqRow]:
    """The officer's agency's RFQs, newest first, with how many quotations came in (one query)."""
    member = officers.membership(user)
    count = select(func.count(Quotation.id)).where(Quotation.rfq_id == Rfq.id).correlate(Rfq).scalar_subquery()
    rows = db.session.execute(
        select(Rfq, count).where(Rfq.agency_id == member.agency_id)
        .options(joinedload(Rfq.request))
        .order_by(Rfq.created_at.desc(), Rfq.id.desc()).limit(200)
    ).all()
    return [AgencyRfqRow(rfq=rfq, quotation_count=n) for rfq, n in rows]


# --- opening an RFQ -------------------------------------------------------------------------

@dataclass(frozen=True)
class LineInput:
    description: str | None
    quantity: int | None
    unit: str | None
    ceiling_price: int | None = None


def _clean_lines(lines) -> list[LineInput]:
    cleaned = []
    for entry in lines:
        line = entry if isinstance(entry, LineInput) else LineInput(*entry)
        cleaned.append(line)
    if not cleaned:
        raise ValidationFailed(_l("Isi paling sedikit satu baris kebutuhan."), field="lines")
    if len(cleaned) > MAX_LINES:
        raise ValidationFailed(_l("Paling banyak %(n)s baris dalam satu permintaan penawaran.", n=MAX_LINES),
                               field="lines")
    result = []
    for n, line in enumerate(cleaned, start=1):
        description = " ".join((line.description or "").split())
        unit = (line.unit or "").strip()
        if not description:
            raise ValidationFailed(_l("Baris %(n)s: isi uraian barang atau jasa.", n=n), field="lines")
        if len(description) > DESCRIPTION_MAX:
            raise ValidationFailed(_l("Baris %(n)s: uraian paling banyak %(max)s karakter.", n=n, max=DESCRIPTION_MAX),
                                   field="lines")
        if not unit or len(unit) > UNIT_MAX:
            raise ValidationFailed(_l("Baris %(n)s: isi satuan (misalnya pcs, kotak, paket), paling banyak "
                                      "%(max)s karakter.", n=n, max=UNIT_MAX), field="lines")
        if not isinstance(line.quantity, int) or isinstance(line.quantity, bool) or line.quantity < 1:
            raise ValidationFailed(_l("Baris %(n)s: jumlah paling sedikit 1.", n=n), field="lines")
        if line.quantity > MAX_QUANTITY:
            raise ValidationFailed(_l("Baris %(n)s: jumlah terlalu besar.", n=n), field="lines")
        ceiling = line.ceiling_price
        if ceiling is not None and (not isinstance(ceiling, int) or isinstance(ceiling, bool) or ceiling < 1):
            raise ValidationFailed(_l("Baris %(n)s: harga tertinggi paling sedikit Rp1, atau kosongkan.", n=n),
                                   field="lines")
        if ceiling is not None and ceiling > MAX_PRICE:
            raise ValidationFailed(_l("Baris %(n)s: harga tertinggi terlalu besar.", n=n), field="lines")
        result.append(LineInput(description, line.quantity, unit, ceiling))
    return result


def _check_deadline(deadline: datetime | None, now: datetime) -> datetime:
    if deadline is None:
        raise ValidationFailed(_l("Isi batas waktu penawaran."), field="deadline")
    if deadline.tzinfo is None:
        raise ValueError("deadline must be timezone-aware")
    if deadline < now + timedelta(minutes=MIN_DEADLINE_MINUTES):
        raise ValidationFailed(_l("Batas waktu penawaran paling cepat satu jam dari sekarang."), field="deadline")
    if deadline > now + timedelta(days=MAX_DEADLINE_DAYS):
        raise ValidationFailed(_l("Batas waktu penawaran paling lama %(n)s hari dari sekarang.", n=MAX_DEADLINE_DAYS),
                               field="deadline")
    return deadline


def create_rfq(user: User, *, title: str | None, rup_code: str | None = None, needed_by: date | None = None,
               delivery_address: str | None, delivery_kecamatan_code: str | None, notes: str | None = None,
               ppk_id: int | None = None, lines, deadline: datetime | None, category_id: int | None = None,
               kota_code: str | None = None, umkk_only: bool = True, now: datetime | None = None) -> Rfq:
    """Open a request for quotation and publish it at once (request draft → quoting); every
    eligible seller is told. A Pejabat Pengadaan or PPK of the agency. Commits."""
    now = now or utcnow()
    member = officers.require_duty(user, DUTY_PP, DUTY_PPK)
    clean = _clean_lines(lines)
    deadline = _check_deadline(deadline, now)
    if not delivery_kecamatan_code:
        raise ValidationFailed(_l("Pilih kecamatan tujuan pengiriman."), field="delivery_kecamatan_code")
    ref = regions.get(delivery_kecamatan_code)
    if ref is None or ref.level != LEVEL_KECAMATAN:
        raise ValidationFailed(_l("Pilih kecamatan di Tangerang Raya."), field="delivery_kecamatan_code")
    if category_id is not None and db.session.get(Category, category_id) is None:
        raise ValidationFailed(_l("Pilih kategori dari daftar."), field="category_id")
    if kota_code:
        kota = regions.get(kota_code)
        if kota is None or kota.level != LEVEL_KOTA:
            raise ValidationFailed(_l("Pilih kota atau kabupaten dari daftar."), field="kota_code")
    pr = requests.new_request(member, user, method=METHOD_RFQ)
    requests.fill_details(pr, title=title, rup_code=rup_code, needed_by=needed_by, delivery_address=delivery_address,
                          delivery_kecamatan_code=delivery_kecamatan_code, notes=notes, ppk_id=ppk_id)
    rfq = Rfq(request=pr, agency_id=pr.agency_id, status=RFQ_OPEN, deadline=deadline,
              delivery_kecamatan_code=delivery_kecamatan_code, category_id=category_id, kota_code=kota_code or None,
              umkk_only=bool(umkk_only),
              lines=[RfqLine(position=n, description=line.description, quantity=line.quantity, unit=line.unit,
                             ceiling_price=line.ceiling_price) for n, line in enumerate(clean, start=1)])
    db.session.add_all([pr, rfq])
    db.session.flush()
    audit.record("purchase_request.created", pr, actor_id=user.id, agency_id=pr.agency_id,
                 after={"number": pr.number, "method": METHOD_RFQ, "lines": len(clean)})
    audit.record("rfq.created", rfq, actor_id=user.id, agency_id=pr.agency_id,
                 after={"request": pr.number, "deadline": deadline, "category_id": category_id,
                        "kota_code": rfq.kota_code, "umkk_only": rfq.umkk_only,
                        "lines": [[line.description, line.quantity, line.unit, line.ceiling_price] for line in clean]})
    states.transition("purchase_request", pr, PR_QUOTING, actor_id=user.id, agency_id=pr.agency_id,
                      extra={"rfq_id": rfq.id})
    for seller in eligible_sellers(rfq):
        notifications.notify(
            seller.user, "rfq_opened", _l("Permintaan penawaran baru: %(title)s", title=pr.title),
            _l("%(agency)s meminta penawaran untuk %(n)s baris. Batas waktu %(when)s.", agency=pr.agency.name,
               n=len(clean), when=tanggal_waktu(deadline)),
            link=f"/penjual/rfq/{rfq.id}")
    db.session.commit()
    return rfq


# --- quotations -----------------------------------------------------------------------------

def _require_open(rfq: Rfq, now: datetime) -> None:
    if rfq.status == RFQ_EXPIRED or (rfq.status == RFQ_OPEN and is_due(rfq, now)):
        raise RfqClosed(_l("Permintaan penawaran ini sudah kedaluwarsa."))
    if rfq.status == RFQ_CANCELLED:
        raise RfqClosed(_l("Permintaan penawaran ini sudah dibatalkan."))
    if rfq.status == RFQ_AWARDED:
        raise RfqClosed(_l("Pemenang permintaan penawaran ini sudah dipilih."))


def _line_label(line: RfqLine) -> str:
    return f"{line.position} ({line.description[:60]})"


@dataclass(frozen=True)
class QuoteInput:
    unit_price: int | None
    delivery_days: int | None
    notes: str | None = ""


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def submit_quotation(rfq: Rfq, seller: Seller, lines: dict, notes: str | None = "",
                     now: datetime | None = None) -> Quotation:
    """The seller's quotation: a unit price (and delivery days) for the lines it can supply, at
    least one. Before the deadline a second submission replaces the first. Commits."""
    now = now or utcnow()
    _require_open(rfq, now)
    if now >= rfq.deadline:
        raise RfqClosed(_l("Batas waktu penawaran sudah lewat (%(when)s).", when=tanggal_waktu(rfq.deadline)))
    if not is_eligible(rfq, seller):
        raise PermissionDenied(_l("Toko Anda tidak termasuk penjual yang dapat menawar permintaan ini."))
    by_id = {line.id: line for line in rfq.lines}
    quoted: dict[int, QuoteInput] = {}
    for key, raw in (lines or {}).items():
        entry = raw if isinstance(raw, QuoteInput) else QuoteInput(*raw)
        try:
            line = by_id[int(key)]
        except (KeyError, TypeError, ValueError):
            raise ValidationFailed(_l("Baris penawaran tidak dikenal; muat ulang halaman.")) from None
        if entry.unit_price is None:
            continue  # the seller does not supply this line
        label = _line_label(line)
        if not _int(entry.unit_price) or entry.unit_price < 1:
            raise ValidationFailed(_l("Baris %(line)s: harga satuan harus lebih dari Rp0.", line=label),
                                   field=f"price-{line.id}")
        if entry.unit_price > MAX_PRICE:
            raise ValidationFailed(_l("Baris %(line)s: harga terlalu besar.", line=label), field=f"price-{line.id}")
        if line.ceiling_price is not None and entry.unit_price > line.ceiling_price:
            raise ValidationFailed(
                _l("Baris %(line)s: harga %(price)s di atas harga tertinggi %(ceiling)s.", line=label,
                   price=rupiah(entry.unit_price), ceiling=rupiah(line.ceiling_price)), field=f"price-{line.id}")
        if not _int(entry.delivery_days) or not 0 <= entry.delivery_days <= MAX_DELIVERY_DAYS:
            raise ValidationFailed(_l("Baris %(line)s: lama pengiriman 0 sampai %(max)s hari.", line=label,
                                      max=MAX_DELIVERY_DAYS), field=f"days-{line.id}")
        line_notes = (entry.notes or "").strip()
        if len(line_notes) > LINE_NOTES_MAX:
            raise ValidationFailed(_l("Baris %(line)s: catatan paling banyak %(max)s karakter.", line=label,
                                      max=LINE_NOTES_MAX), field=f"notes-{line.id}")
        quoted[line.id] = QuoteInput(entry.unit_price, entry.delivery_days, line_notes)
    if not quoted:
        raise ValidationFailed(_l("Isi harga untuk paling sedikit satu baris."))
    text = (notes or "").strip()
    if len(text) > NOTES_MAX:
        raise ValidationFailed(_l("Catatan paling banyak %(n)s karakter.", n=NOTES_MAX), field="notes")

    quotation = _quotation_of(rfq, seller)
    after = {str(k): [v.unit_price, v.delivery_days] for k, v in sorted(quoted.items())}
    if quotation is None:
        quotation = Quotation(rfq=rfq, seller_id=seller.id, status=QUOTE_SUBMITTED, notes=text, submitted_at=now,
                              lines=[QuotationLine(rfq_line_id=k, unit_price=v.unit_price, delivery_days=v.delivery_days,
                                                   notes=v.notes) for k, v in sorted(quoted.items())])
        db.session.add(quotation)
        db.session.flush()
        audit.record("quotation.submitted", quotation, actor_id=seller.user_id, agency_id=rfq.agency_id,
                     after={"rfq_id": rfq.id, "lines": after, "notes": text})
    else:
        before = {str(q.rfq_line_id): [q.unit_price, q.delivery_days] for q in quotation.lines}
        existing = {q.rfq_line_id: q for q in quotation.lines}
        # Update in place (a delete and a re-insert of the same line would collide on the
        # unique (quotation, rfq line) before the delete is flushed).
        for line_id, q in existing.items():
            if line_id not in quoted:
                quotation.lines.remove(q)
        for line_id, entry in quoted.items():
            q = existing.get(line_id)
            if q is None:
                quotation.lines.append(QuotationLine(rfq_line_id=line_id, unit_price=entry.unit_price,
                                                     delivery_days=entry.delivery_days, notes=entry.notes))
            else:
                q.unit_price, q.delivery_days, q.notes = entry.unit_price, entry.delivery_days, entry.notes
        before_notes = quotation.notes
        quotation.notes, quotation.submitted_at = text, now
        audit.record("quotation.replaced", quotation, actor_id=seller.user_id, agency_id=rfq.agency_id,
                     before={"lines": before, "notes": before_notes}, after={"lines": after, "notes": text})
    db.session.commit()
    return quotation


# --- the comparison grid --------------------------------------------------------------------

@dataclass
class GridCell:
    quotation_line: QuotationLine
    subtotal: int
    cheapest: bool = False


@dataclass
class GridRow:
    quotation: Quotation
    cells: dict[int, GridCell]  # by rfq line id; a line the seller did not quote is missing
    total: int
    complete: bool
    counter: CounterOffer | None

    @property
    def seller(self) -> Seller:
        return self.quotation.seller


@dataclass
class Grid:
    lines: list[RfqLine]
    rows: list[GridRow]
    cheapest: dict[int, GridRow] = field(default_factory=dict)  # rfq line id → row with the lowest price
    best_complete: GridRow | None = None  # the cheapest quotation that quotes every line

    @property
    def pending_counter(self) -> bool:
        return any(r.counter is not None and r.counter.status == COUNTER_PENDING for r in self.rows)


def _quotations(rfq: Rfq) -> list[Quotation]:
    return list(db.session.scalars(
        select(Quotation).where(Quotation.rfq_id == rfq.id)
        .options(selectinload(Quotation.lines), joinedload(Quotation.seller), selectinload(Quotation.counter_offer))
        .order_by(Quotation.submitted_at, Quotation.id)))


def comparison(rfq: Rfq) -> Grid:
    """The sellers × lines grid: per quotation its unit prices and subtotals, its total, whether
    it quotes every line; the cheapest per line (a tie goes to the earlier quotation) and the
    cheapest complete quotation."""
    lines = list(rfq.lines)
    quantity = {line.id: line.quantity for line in lines}
    rows = []
    for quotation in _quotations(rfq):  # earliest first: ties keep the first seen
        cells = {q.rfq_line_id: GridCell(q, q.unit_price * quantity[q.rfq_line_id]) for q in quotation.lines
                 if q.rfq_line_id in quantity}
        rows.append(GridRow(quotation=quotation, cells=cells, total=sum(c.subtotal for c in cells.values()),
                            complete=len(cells) == len(lines), counter=quotation.counter_offer))
    grid = Grid(lines=lines, rows=rows)
    for line in lines:
        best = None
        for row in rows:
            cell = row.cells.get(line.id)
            if cell is not None and (best is None or cell.quotation_line.unit_price
                                     < best.cells[line.id].quotation_line.unit_price):
                best = row
        if best is not None:
            best.cells[line.id].cheapest = True
            grid.cheapest[line.id] = best
    for row in rows:
        if row.complete and (grid.best_complete is None or row.total < grid.best_complete.total):
            grid.best_complete = row
    return grid


# --- counter-offers -------------------------------------------------------------------------

def _officer_for(rfq: Rfq, user: User):
    member = officers.require_duty(user, DUTY_PP, DUTY_PPK)
    if rfq.agency_id != member.agency_id:
        raise NotFound(_l("Permintaan penawaran tidak ditemukan."))
    return member


def _move_request(pr: PurchaseRequest, target: str, *, actor_id: int | None, reason: str | None = None,
                  **extra) -> None:
    states.transition("purchase_request", pr, target, actor_id=actor_id, reason=reason, agency_id=pr.agency_id,
                      extra=extra or None)


def counter_offer(rfq: Rfq, quotation: Quotation, user: User, prices: dict, message: str | None = "",
                  now: datetime | None = None) -> CounterOffer:
    """The officer's one counter-offer to a quotation, after the deadline and before the award:
    a lower unit price for one or more of its lines. Request quoting → negotiating. Commits."""
    now = now or utcnow()
    _officer_for(rfq, user)
    if quotation.rfq_id != rfq.id:
        raise NotFound(_l("Penawaran tidak ditemukan."))
    _require_open(rfq, now)
    if now < rfq.deadline:
        raise ValidationFailed(_l("Penawaran balik baru dapat dikirim setelah batas waktu penawaran (%(when)s).",
                                  when=tanggal_waktu(rfq.deadline)))
    if quotation.counter_offer is not None:
        raise ValidationFailed(_l("Penawaran balik untuk %(seller)s sudah pernah dikirim; hanya satu kali per penjual.",
                                  seller=quotation.seller.business_name))
    quoted = {q.rfq_line_id: q for q in quotation.lines}
    clean: dict[str, int] = {}
    for key, price in (prices or {}).items():
        try:
            q = quoted[int(key)]
        except (KeyError, TypeError, ValueError):
            raise ValidationFailed(_l("Baris penawaran balik tidak dikenal; muat ulang halaman.")) from None
        if price is None:
            continue
        label = _line_label(q.rfq_line)
        if not _int(price) or price < 1:
            raise ValidationFailed(_l("Baris %(line)s: harga tawaran balik harus lebih dari Rp0.", line=label))
        if price >= q.unit_price:
            raise ValidationFailed(_l("Baris %(line)s: harga tawaran balik harus di bawah harga penawaran %(price)s.",
                                      line=label, price=rupiah(q.unit_price)))
        clean[str(q.rfq_line_id)] = price
    if not clean:
        raise ValidationFailed(_l("Isi harga tawaran balik untuk paling sedikit satu baris."))
    text = (message or "").strip()
    if len(text) > MESSAGE_MAX:
        raise ValidationFailed(_l("Pesan paling banyak %(n)s karakter.", n=MESSAGE_MAX), field="message")
    counter = CounterOffer(quotation=quotation, status=COUNTER_PENDING, prices=clean, message=text,
                           created_by_id=user.id, created_at=now)
    db.session.add(counter)
    db.session.flush()
    pr = rfq.request
    audit.record("counter_offer.sent", counter, actor_id=user.id, agency_id=rfq.agency_id,
                 before={str(k): q.unit_price for k, q in quoted.items() if str(k) in clean},
                 after={"quotation_id": quotation.id, "prices": clean, "message": text})
    if pr.status == PR_QUOTING:
        _move_request(pr, PR_NEGOTIATING, actor_id=user.id, quotation_id=quotation.id)
    notifications.notify(
        quotation.seller.user, "rfq_counter_offer", _l("Penawaran balik untuk %(title)s", title=pr.title),
        _l("%(agency)s menawar harga Anda. Terima atau tolak dalam %(n)s hari kerja.", agency=pr.agency.name,
           n=EXPIRY_WORKING_DAYS),
        link=f"/penjual/rfq/{rfq.id}")
    db.session.commit()
    return counter


def _back_to_quoting_if_settled(rfq: Rfq, *, actor_id: int | None) -> None:
    pr = rfq.request
    pending = db.session.scalar(
        select(func.count(CounterOffer.id)).join(Quotation, Quotation.id == CounterOffer.quotation_id)
        .where(Quotation.rfq_id == rfq.id, CounterOffer.status == COUNTER_PENDING))
    if not pending and pr.status == PR_NEGOTIATING:
        _move_request(pr, PR_QUOTING, actor_id=actor_id)


def answer_counter_offer(counter: CounterOffer, seller: Seller, accept: bool, now: datetime | None = None) -> None:
    """The seller accepts (its quotation takes the new prices) or declines a counter-offer.
    When none is pending any more the request goes back to quoting, ready for the award. Commits."""
    now = now or utcnow()
    quotation = counter.quotation
    if quotation.seller_id != seller.id:
        raise NotFound(_l("Penawaran balik tidak ditemukan."))
    if counter.status == COUNTER_EXPIRED:
        raise ValidationFailed(_l("Penawaran balik ini sudah kedaluwarsa."))
    if counter.status != COUNTER_PENDING:
        raise ValidationFailed(_l("Penawaran balik ini sudah dijawab."))
    rfq = quotation.rfq
    _require_open(rfq, now)
    if is_counter_due(counter, now):
        raise ValidationFailed(_l("Penawaran balik ini sudah kedaluwarsa."))
    counter.answered_at = now
    if accept:
        before, after = {}, {}
        for q in quotation.lines:
            new = counter.prices.get(str(q.rfq_line_id))
            if new is not None:
                before[str(q.rfq_line_id)], after[str(q.rfq_line_id)] = q.unit_price, new
                q.unit_price = new
        counter.status = COUNTER_ACCEPTED
        audit.record("counter_offer.accepted", counter, actor_id=seller.user_id, agency_id=rfq.agency_id,
                     before={"status": COUNTER_PENDING, "prices": before},
                     after={"status": COUNTER_ACCEPTED, "prices": after})
    else:
        counter.status = COUNTER_DECLINED
        audit.record("counter_offer.declined", counter, actor_id=seller.user_id, agency_id=rfq.agency_id,
                     before={"status": COUNTER_PENDING}, after={"status": COUNTER_DECLINED})
    db.session.flush()
    _back_to_quoting_if_settled(rfq, actor_id=seller.user_id)
    pr = rfq.request
    notifications.notify(
        pr.requester, "rfq_counter_answered",
        (_l("%(seller)s menerima penawaran balik", seller=seller.business_name) if accept
         else _l("%(seller)s menolak penawaran balik", seller=seller.business_name)),
        _l("Permintaan penawaran %(title)s.", title=pr.title), link=f"/pengadaan/rfq/{rfq.id}")
    db.session.commit()


# --- award ----------------------------------------------------------------------------------

def _chosen_lines(rfq: Rfq, choice: dict | None, quotation_id: int | None) -> list[QuotationLine]:
    """The quotation lines the officer picked, checked against this RFQ (forged ids refused)."""
    forged = ValidationFailed(_l("Pilihan pemenang tidak sah. Muat ulang halaman dan pilih lagi."))
    line_ids = {line.id for line in rfq.lines}
    if quotation_id is not None:
        quotation = db.session.get(Quotation, quotation_id) if _int(quotation_id) else None
        if quotation is None or quotation.rfq_id != rfq.id:
            raise forged
        return list(quotation.lines)
    chosen = []
    for key, value in (choice or {}).items():
        if value is None:
            continue
        try:
            rfq_line_id, q_line_id = int(key), int(value)
        except (TypeError, ValueError):
            raise forged from None
        q_line = db.session.get(QuotationLine, q_line_id)
        if (rfq_line_id not in line_ids or q_line is None or q_line.rfq_line_id != rfq_line_id
                or q_line.quotation.rfq_id != rfq.id):
            raise forged
        chosen.append(q_line)
    return chosen


def award(rfq: Rfq, user: User, *, choice: dict | None = None, quotation_id: int | None = None, direct: bool,
          ppk_id: int | None = None, now: datetime | None = None) -> PurchaseRequest:
    """Choose the winners — per line ({rfq line id: quotation line id}) or one whole quotation —
    after the deadline, while the RFQ is open and no counter-offer waits. The request gets a line
    per awarded line at the quoted price and goes on like a catalogue request: to the PPK, or
    ordered directly by the Pejabat Pengadaan up to Rp200 juta (requests.submit). The award and
    that step commit together or not at all."""
    now = now or utcnow()
    _officer_for(rfq, user)
    _require_open(rfq, now)
    if now < rfq.deadline:
        raise ValidationFailed(_l("Pemenang baru dapat dipilih setelah batas waktu penawaran (%(when)s).",
                                  when=tanggal_waktu(rfq.deadline)))
    quotations = _quotations(rfq)
    if any(q.counter_offer is not None and q.counter_offer.status == COUNTER_PENDING for q in quotations):
        raise ValidationFailed(_l("Masih ada penawaran balik yang menunggu jawaban penjual."))
    chosen = _chosen_lines(rfq, choice, quotation_id)
    if not chosen:
        raise ValidationFailed(_l("Pilih pemenang untuk paling sedikit satu baris."))
    pr = rfq.request
    try:
        if ppk_id is not None:
            pr.ppk_id = requests._ppk(pr.agency_id, ppk_id).id
        winners = {q.quotation_id for q in chosen}
        chosen_ids = {q.id for q in chosen}
        for quotation in quotations:
            for q in quotation.lines:
                q.awarded = q.id in chosen_ids
            quotation.status = QUOTE_AWARDED if quotation.id in winners else QUOTE_NOT_AWARDED
        by_line = {line.id: line for line in rfq.lines}
        for q in sorted(chosen, key=lambda q: by_line[q.rfq_line_id].position):
            line = by_line[q.rfq_line_id]
            pr.lines.append(PurchaseRequestLine(
                seller_id=q.quotation.seller_id, description=line.description, unit=line.unit,
                quantity=line.quantity, unit_price=q.unit_price, category_id=rfq.category_id, rfq_line_id=line.id))
        pr.total = sum(line.subtotal for line in pr.lines)
        rfq.awarded_at = now
        states.transition("rfq", rfq, RFQ_AWARDED, actor_id=user.id, agency_id=rfq.agency_id,
                          extra={"total": pr.total, "lines": {str(q.rfq_line_id): q.id for q in chosen},
                                 "direct": bool(direct)})
        db.session.flush()
        for quotation in quotations:
            won = quotation.id in winners
            notifications.notify(
                quotation.seller.user, "rfq_awarded" if won else "rfq_not_awarded",
                (_l("Penawaran Anda terpilih: %(title)s", title=pr.title) if won
                 else _l("Penawaran Anda belum terpilih: %(title)s", title=pr.title)),
                (_l("Surat Pesanan dari %(agency)s akan muncul di dasbor Anda setelah disetujui.", agency=pr.agency.name)
                 if won else _l("Terima kasih sudah mengajukan penawaran kepada %(agency)s.", agency=pr.agency.name)),
                link=f"/penjual/rfq/{rfq.id}")
        requests.submit(pr, user, direct=direct)  # commits the award with it
    except Exception:
        db.session.rollback()
        raise
    return pr


def cancel(rfq: Rfq, user: User, *, reason: str | None) -> None:
    """Call the RFQ and its request off (requests.cancel), telling the sellers who quoted. Commits."""
    _officer_for(rfq, user)
    pr = rfq.request
    try:
        if rfq.status == RFQ_OPEN:
            for quotation in _quotations(rfq):
                notifications.notify(quotation.seller.user, "rfq_cancelled",
                                     _l("Permintaan penawaran dibatalkan: %(title)s", title=pr.title),
                                     _l("%(agency)s membatalkan permintaan ini.", agency=pr.agency.name),
                                     link=f"/penjual/rfq/{rfq.id}")
        requests.cancel(pr, user, reason=reason)
    except Exception:
        db.session.rollback()
        raise


# --- expiry ---------------------------------------------------------------------------------

def counter_expires_at(counter: CounterOffer) -> datetime:
    return workdays.after_working_days(counter.created_at, EXPIRY_WORKING_DAYS)


def is_counter_due(counter: CounterOffer, now: datetime) -> bool:
    return counter.status == COUNTER_PENDING and counter_expires_at(counter) <= now


def _last_step(rfq: Rfq) -> datetime:
    """The deadline, or the last answer to (or expiry of) a counter-offer when later: the officer
    has 3 working days from there to award."""
    moments = [rfq.deadline]
    for quotation in rfq.quotations:
        counter = quotation.counter_offer
        if counter is not None:
            moments.append(counter.answered_at or counter.created_at)
    return max(moments)


def expires_at(rfq: Rfq) -> datetime:
    return workdays.after_working_days(_last_step(rfq), EXPIRY_WORKING_DAYS)


def is_due(rfq: Rfq, now: datetime) -> bool:
    """An open RFQ nobody awarded within 3 working days of its deadline (or of the last step of
    a negotiation) and with no counter-offer still waiting."""
    if rfq.status != RFQ_OPEN or now < rfq.deadline:
        return False
    # A waiting counter-offer runs on its own clock; when it expires the officer gets 3 more days.
    if any(q.counter_offer is not None and q.counter_offer.status == COUNTER_PENDING for q in rfq.quotations):
        return False
    return expires_at(rfq) <= now


def _expire_counter(counter: CounterOffer, now: datetime) -> None:
    rfq = counter.quotation.rfq
    counter.status, counter.answered_at = COUNTER_EXPIRED, now
    audit.record("counter_offer.expired", counter, actor_id=None, agency_id=rfq.agency_id,
                 before={"status": COUNTER_PENDING}, after={"status": COUNTER_EXPIRED},
                 reason=f"{EXPIRY_WORKING_DAYS} hari kerja tanpa jawaban")
    db.session.flush()
    _back_to_quoting_if_settled(rfq, actor_id=None)
    notifications.notify(rfq.request.requester, "rfq_counter_expired",
                         _l("Penawaran balik kepada %(seller)s kedaluwarsa", seller=counter.quotation.seller.business_name),
                         _l("Penjual tidak menjawab dalam %(n)s hari kerja; harga penawarannya tetap berlaku.",
                            n=EXPIRY_WORKING_DAYS), link=f"/pengadaan/rfq/{rfq.id}")


def _expire_rfq(rfq: Rfq) -> None:
    reason = f"{EXPIRY_WORKING_DAYS} hari kerja setelah batas waktu tanpa pemenang"
    states.transition("rfq", rfq, RFQ_EXPIRED, actor_id=None, agency_id=rfq.agency_id, reason=reason)
    pr = rfq.request
    if pr.status in (PR_QUOTING, PR_NEGOTIATING):
        _move_request(pr, PR_EXPIRED, actor_id=None, reason=reason)
    notifications.notify(pr.requester, "rfq_expired", _l("Permintaan penawaran kedaluwarsa: %(title)s", title=pr.title),
                         _l("Tidak ada pemenang yang dipilih dalam %(n)s hari kerja setelah batas waktu.",
                            n=EXPIRY_WORKING_DAYS), link=f"/pengadaan/rfq/{rfq.id}")


def _expire_one(rfq: Rfq, now: datetime) -> tuple[int, int]:
    """Expire what is due on one RFQ (its stalled counter-offers, then itself); no commit."""
    counters = 0
    if rfq.status != RFQ_OPEN:
        return 0, 0
    for quotation in rfq.quotations:
        counter = quotation.counter_offer
        if counter is not None and is_counter_due(counter, now):
            _expire_counter(counter, now)
            counters += 1
    if is_due(rfq, now):
        _expire_rfq(rfq)
        return 1, counters
    return 0, counters


def expire_if_due(rfq: Rfq, now: datetime | None = None) -> bool:
    """Run the expiry for one RFQ when its page is viewed (the cron may not have run yet).
    Commits only when something expired; returns whether anything did."""
    now = now or utcnow()
    if rfq.status != RFQ_OPEN or now < rfq.deadline + timedelta(days=EXPIRY_WORKING_DAYS):
        return False  # 3 working days are at least 3 calendar days: nothing can be due yet
    rfqs, counters = _expire_one(rfq, now)
    if rfqs or counters:
        db.session.commit()
        return True
    return False


@dataclass(frozen=True)
class ExpiryCounts:
    rfqs: int
    counter_offers: int


def expire_due(now: datetime | None = None, *, batch: int = 200) -> ExpiryCounts:
    """Expire every stalled counter-offer and every RFQ past its award window (`flask
    procurement expire`, from cron). One commit per RFQ, each RFQ locked first; running it again
    changes nothing."""
    now = now or utcnow()
    # Working days are never fewer than calendar days: only rows at least 3 days old can be due.
    horizon = now - timedelta(days=EXPIRY_WORKING_DAYS)
    candidates = select(Rfq.id).where(Rfq.status == RFQ_OPEN, or_(
        Rfq.deadline <= horizon,
        exists().where(Quotation.rfq_id == Rfq.id, CounterOffer.quotation_id == Quotation.id,
                       CounterOffer.status == COUNTER_PENDING, CounterOffer.created_at <= horizon)))
    rfq_total = counter_total = 0
    last_id = 0
    while True:
        ids = db.session.scalars(candidates.where(Rfq.id > last_id).order_by(Rfq.id).limit(batch)).all()
        if not ids:
            break
        last_id = ids[-1]
        for rfq_id in ids:
            rfq = db.session.get(Rfq, rfq_id, with_for_update=True, populate_existing=True)
            if rfq is None or rfq.status != RFQ_OPEN:
                db.session.rollback()
                continue
            rfqs, counters = _expire_one(rfq, now)
            if rfqs or counters:
                db.session.commit()
            else:
                db.session.rollback()
            rfq_total += rfqs
            counter_total += counters
        if len(ids) < batch:
            break
    return ExpiryCounts(rfqs=rfq_total, counter_offers=counter_total)
