"""A year of government buying for the demo agencies, so the Inpres 2/2022 dashboard shows real
charts on first run: purchase requests from the procurement cart, the PP's direct orders and the
PPK's approvals, Surat Pesanan accepted (one declined), deliveries, BASTs, invoices (one
overdue), the Bendahara's payments and the PPK's ratings — every step through the same services
the officers and sellers use (services/procurement), so the audit trail holds each move.

Only the dates are moved afterwards (requests spread over the months of the year so far), on
the domain rows; the audit rows keep the time they were written, so `flask audit verify` still
passes. Deterministic: the same seed and the same day give the same requests and totals.

Besides the demo accounts' Diskominfo, the two other demo agencies get their own (demo-password)
officers, so the Dinas's ranking compares three agencies: one above the target, one short of it
(the demo agency, about 30 % of its pagu) and one far behind.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update

from catalog.demo import accounts
from catalog.demo.orders import _without_email
from catalog.extensions import db
from catalog.formatting import JAKARTA
from catalog.models import (
    Agency,
    Category,
    Notification,
    OfficerMembership,
    Product,
    ProductVariant,
    PurchaseRequest,
    Seller,
    User,
)
from catalog.models.agencies import DUTY_BENDAHARA, DUTY_PP, DUTY_PPK, MEMBERSHIP_CONFIRMED
from catalog.models.base import utcnow
from catalog.models.procurement import (
    DIRECT_PURCHASE_LIMIT,
    PAY_BANK_TRANSFER,
    PAY_GOV_CARD,
    PAY_VIRTUAL_ACCOUNT,
)
from catalog.models.products import PRODUCT_ACTIVE
from catalog.models.sellers import STATUS_VERIFIED
from catalog.models.users import ROLE_ADMIN, ROLE_OFFICER
from catalog.services.certificates import jakarta_today
from catalog.services.money import MAX_QUANTITY
from catalog.services.procurement import cart, orders, requests, rfq

MIKRO, KECIL, KOPERASI, MENENGAH = "mikro", "kecil", "koperasi", "menengah"
UMKK_CLASSES = (MIKRO, KECIL, KOPERASI)
# How the UMK-K value splits between the classes (menengah is planned apart).
UMKK_WEIGHTS = {MIKRO: 0.5, KECIL: 0.32, KOPERASI: 0.18}

# Where a request stops (the demo agency shows every state; the others are mostly done).
DRAFT, SUBMITTED, ORDERED, ACCEPTED, SHIPPED, RECEIVED = "draft", "submitted", "ordered", "accepted", "shipped", "received"
INVOICED, OVERDUE, PAID, CLOSED, DECLINED, REJECTED = "invoiced", "overdue", "paid", "closed", "declined", "rejected"

# The open requests of the demo agency, newest first: (where it stops, days ago it started).
OPEN_REQUESTS = ((DRAFT, 0), (SUBMITTED, 1), (ORDERED, 3), (SHIPPED, 6), (RECEIVED, 9),
                 (INVOICED, 14), (PAID, 21), (REJECTED, 26), (DECLINED, 33), (OVERDUE, 50))
OTHER_OPEN_REQUESTS = ((INVOICED, 12),)
# The demo seller (penjual@) fills these open requests of the demo agency, so its "Pesanan
# pemerintah" page shows a Surat Pesanan to answer, one to invoice and one paid.
DEMO_SELLER_STOPS = (ORDERED, RECEIVED, PAID)
# Requests that commit nothing (no live Surat Pesanan): sized apart, at this share of the pagu a line.
UNCOMMITTED = (DRAFT, SUBMITTED, REJECTED, DECLINED)
UNCOMMITTED_SHARE = 0.004


@dataclass(frozen=True)
class Officer:
    duty: str
    name: str
    employee_number: str


@dataclass(frozen=True)
class AgencyPlan:
    code: str
    umkk_share: float  # UMK-K committed by year end, as a share of the pagu
    menengah_share: float  # menengah committed, as a share of the pagu (never counted)
    every_months: int  # one done request every this many months
    categories: dict[str, int]  # top-level category slug → weight
    officers: tuple[Officer, ...] = ()  # made here (the demo agency's come from accounts.py)
    shows_every_state: bool = False


PLANS: tuple[AgencyPlan, ...] = (
    AgencyPlan("DISKOMINFO-TGSL", umkk_share=0.31, menengah_share=0.12, every_months=1,
               categories={"katering": 30, "atk": 20, "percetakan": 20, "jasa": 10, "fashion-batik": 10,
                           "kerajinan": 5, "minuman": 5},
               shows_every_state=True),
    AgencyPlan("TIRTABENTENG", umkk_share=0.43, menengah_share=0.08, every_months=3,
               categories={"katering": 25, "rumah-tangga": 25, "atk": 20, "percetakan": 15, "fashion-batik": 15},
               officers=(Officer(DUTY_PP, "Rudi Hartono", "198811232014021001"),
                         Officer(DUTY_PPK, "Ir. Wahyu Nugroho", "197402161999031003"),
                         Officer(DUTY_BENDAHARA, "Siti Aminah", "199203172019032005"))),
    AgencyPlan("DISDIK-KABTGR", umkk_share=0.17, menengah_share=0.1, every_months=3,
               categories={"fashion-batik": 35, "atk": 25, "katering": 20, "percetakan": 10, "rumah-tangga": 10},
               officers=(Officer(DUTY_PP, "Hendra Saputra", "198506102009011004"),
                         Officer(DUTY_PPK, "Drs. Bambang Sutrisno", "196912041995031002"),
                         Officer(DUTY_BENDAHARA, "Lina Marlina", "199307222020122006"))),
)

TITLES = {
    "katering": ("Konsumsi rapat koordinasi", "Nasi box kegiatan sosialisasi", "Snack rapat pimpinan",
                 "Konsumsi pelatihan pegawai"),
    "atk": ("ATK triwulan", "Kertas dan map arsip", "Alat tulis kegiatan bimtek"),
    "percetakan": ("Cetak spanduk sosialisasi", "Cetak undangan dan kartu nama", "Banner kegiatan hari jadi"),
    "jasa": ("Jasa desain publikasi", "Servis perangkat kantor", "Laundry taplak dan seragam"),
    "fashion-batik": ("Seragam batik pegawai", "Kaos kegiatan", "Seragam lapangan"),
    "kerajinan": ("Cendera mata tamu", "Souvenir kegiatan"),
    "minuman": ("Kopi dan teh pantry", "Minuman kemasan kegiatan"),
    "rumah-tangga": ("Perlengkapan kebersihan kantor", "Peralatan pantry"),
    "makanan": ("Kudapan tamu", "Oleh-oleh tamu dinas"),
}
RATING_COMMENTS = ("Tepat waktu, barang sesuai.", "Rapi dan sesuai pesanan.", "Pengiriman cepat.",
                   "Kualitas baik, sedikit terlambat.")
KKP_UP_TO = 50_000_000  # small invoices go on the government credit card, larger ones by transfer or VA
DECLINE_REASON = "Kapasitas produksi bulan ini sudah penuh, mohon maaf."
REJECT_REASON = "Belum ada di RUP tahun ini; ajukan lagi setelah revisi anggaran."


@dataclass(frozen=True)
class Item:
    """An orderable catalogue item: the first active variant of an active product."""

    variant_id: int
    price: int
    min_order: int
    seller_id: int
    seller_class: str
    category: str  # top-level slug


@dataclass
class Line:
    item: Item
    weight: float
    quantity: int = 0


@dataclass
class Planned:
    day: date
    stop: str
    lines: list[Line]


# --- people ---------------------------------------------------------------------------------

def _officer_email(code: str, duty: str) -> str:
    prefix = {DUTY_PP: "pp", DUTY_PPK: "ppk", DUTY_BENDAHARA: "bendahara"}[duty]
    return f"{prefix}.{code.lower()}@{accounts.SELLER_EMAIL_DOMAIN}"


def _team(agency: Agency, plan: AgencyPlan, admin_id: int, password_hash: str) -> dict[str, User]:
    """The agency's PP, PPK and Bendahara: the demo accounts for the demo agency, new ones for
    the others (confirmed by the admin)."""
    if not plan.officers:
        rows = db.session.execute(select(OfficerMembership.duty, User).join(User, User.id == OfficerMembership.user_id)
                                  .where(OfficerMembership.agency_id == agency.id,
                                         OfficerMembership.status == MEMBERSHIP_CONFIRMED)).all()
        return {duty: user for duty, user in rows}
    team = {}
    now = utcnow()
    for officer in plan.officers:
        user = User(email=_officer_email(agency.code, officer.duty), name=officer.name, role=ROLE_OFFICER,
                    locale="id", active=True, password_hash=password_hash)
        db.session.add(user)
        db.session.add(OfficerMembership(user=user, agency=agency, duty=officer.duty, status=MEMBERSHIP_CONFIRMED,
                                         employee_number=officer.employee_number, confirmed_by_id=admin_id,
                                         confirmed_at=now))
        team[officer.duty] = user
    db.session.commit()
    return team


# --- what can be bought ----------------------------------------------------------------------

def _catalogue() -> tuple[dict[tuple[str, str], list[Item]], dict[int, list[Item]]]:
    """Orderable items by (top-level category, seller class) and by seller, in id order."""
    child = db.aliased(Category)
    top = db.aliased(Category)
    rows = db.session.execute(
        select(ProductVariant.id, ProductVariant.price, Product.id, Product.min_order, Seller.id, Seller.scale,
               Seller.is_koperasi, top.slug)
        .join(Product, Product.id == ProductVariant.product_id)
        .join(Seller, Seller.id == Product.seller_id)
        .join(child, child.id == Product.category_id)
        .join(top, top.id == func.coalesce(child.parent_id, child.id))
        .where(Product.status == PRODUCT_ACTIVE, Seller.status == STATUS_VERIFIED, ProductVariant.active.is_(True),
               ProductVariant.price > 0)
        .order_by(Product.id, ProductVariant.position, ProductVariant.id)).all()
    pools: dict[tuple[str, str], list[Item]] = {}
    by_seller: dict[int, list[Item]] = {}
    seen = set()
    for variant_id, price, product_id, min_order, seller_id, scale, koperasi, slug in rows:
        if product_id in seen:
            continue
        seen.add(product_id)
        item = Item(variant_id=variant_id, price=price, min_order=max(1, min_order), seller_id=seller_id,
                    seller_class=KOPERASI if koperasi else scale, category=slug)
        pools.setdefault((slug, item.seller_class), []).append(item)
        by_seller.setdefault(seller_id, []).append(item)
    return pools, by_seller


def _pick(rng: random.Random, pools: dict[tuple[str, str], list[Item]], category: str, seller_class: str) -> Item | None:
    """An item of the class in the category; else of the class anywhere; else anything UMK-K
    for an UMK-K line (so a small demo catalogue still gets history)."""
    if pools.get((category, seller_class)):
        return rng.choice(pools[(category, seller_class)])
    same_class = sorted(k for k in pools if k[1] == seller_class)
    if same_class:
        return rng.choice(pools[rng.choice(same_class)])
    if seller_class != MENENGAH:
        umkk = sorted(k for k in pools if k[1] in UMKK_CLASSES)
        if umkk:
            return rng.choice(pools[rng.choice(umkk)])
    return None


# --- the plan of one agency's year -------------------------------------------------------------

def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


def _plan_year(rng: random.Random, plan: AgencyPlan, pagu: int, today: date, catalogue,
               demo_seller_id: int | None = None) -> list[Planned]:
    """The agency's requests of the year so far: the open ones of the last weeks, then one done
    request every `plan.every_months` months before them, each with its lines sized."""
    pools, by_seller = catalogue
    start = date(today.year, 1, 1)
    elapsed = (today - start).days
    # The year so far: about 30 % of the pagu by December, less earlier in the year.
    pace = min(1.0, 0.35 + 0.65 * (elapsed + 1) / 365)
    planned = [Planned(day=max(start, today - timedelta(days=days_ago)), stop=stop, lines=[])
               for stop, days_ago in (OPEN_REQUESTS if plan.shows_every_state else OTHER_OPEN_REQUESTS)]
    last_closed = max(start, today - timedelta(days=40))
    for month in range(1, last_closed.month + 1, plan.every_months):
        first = date(today.year, month, 1)
        last = min(last_closed, date(today.year, month, 28))
        if first <= last:
            planned.append(Planned(day=first + timedelta(days=rng.randrange((last - first).days + 1)), stop=CLOSED,
                                   lines=[]))
    planned.sort(key=lambda p: (p.day, p.stop))
    for p in planned:
        demo_items = by_seller.get(demo_seller_id, []) if plan.shows_every_state else []
        if p.stop in DEMO_SELLER_STOPS and demo_items:
            p.lines += [Line(item=item, weight=rng.uniform(0.5, 1.5)) for item in demo_items[:2]]
            continue
        # Mostly one seller (one Surat Pesanan) with one to three items, sometimes two sellers.
        for _seller in range(1 if p.stop == DECLINED or rng.random() < 0.85 else 2):
            category = _weighted(rng, plan.categories)
            seller_class = MENENGAH if rng.random() < 0.2 else _weighted(rng, UMKK_WEIGHTS)
            first_item = _pick(rng, pools, category, seller_class)
            if first_item is None:
                continue
            items = {first_item}
            others = [i for i in by_seller[first_item.seller_id] if i != first_item]
            items.update(rng.sample(others, min(len(others), rng.choice((0, 1, 1, 2)))))
            p.lines += [Line(item=item, weight=rng.uniform(0.5, 1.5)) for item in sorted(items, key=lambda i: i.variant_id)]
    _size(planned, pagu, plan, pace)
    return planned


def _size(planned: list[Planned], pagu: int, plan: AgencyPlan, pace: float) -> None:
    """Quantities so the UMK-K and menengah totals come near the plan's shares of the pagu."""
    lines = [line for p in planned if p.stop not in UNCOMMITTED for line in p.lines]
    for group, share in ((UMKK_CLASSES, plan.umkk_share), ((MENENGAH,), plan.menengah_share)):
        chosen = [line for line in lines if line.item.seller_class in group]
        weight = sum(line.weight for line in chosen)
        for line in chosen:
            _quantity(line, pagu * share * pace * line.weight / weight)
    # Drafts, requests waiting for the PPK and refused ones are ordinary small purchases.
    for line in (line for p in planned if p.stop in UNCOMMITTED for line in p.lines):
        _quantity(line, pagu * UNCOMMITTED_SHARE * line.weight)


def _quantity(line: Line, value: float) -> None:
    line.quantity = min(MAX_QUANTITY, max(line.item.min_order, round(value / line.item.price)))



# --- making it happen through the services ---------------------------------------------------------

def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=JAKARTA)


def _run(p: Planned, n: int, team: dict[str, User], today: date, rng: random.Random) -> PurchaseRequest | None:
    pp, ppk, bendahara = team[DUTY_PP], team[DUTY_PPK], team[DUTY_BENDAHARA]
    if not p.lines:
        return None
    for line in p.lines:
        cart.add(pp, line.item.variant_id, line.quantity)
    title = rng.choice(TITLES.get(p.lines[0].item.category, ("Belanja kebutuhan kantor",)))
    pr = requests.create_from_cart(pp, title=f"{title} {p.day.strftime('%m/%Y')}", rup_code=f"{41_200_000 + n * 37}",
                                   needed_by=None, delivery_address=pp.membership.agency.address or "Kantor",
                                   delivery_kecamatan_code=None, notes="", ppk_id=ppk.id)
    if p.stop == DRAFT:
        return pr
    direct = pr.total <= DIRECT_PURCHASE_LIMIT and p.stop not in (SUBMITTED, REJECTED)
    requests.submit(pr, pp, direct=direct)
    if p.stop == SUBMITTED:
        return pr
    if p.stop == REJECTED:
        requests.reject(pr, ppk, reason=REJECT_REASON)
        return pr
    if not direct:
        requests.approve(pr, ppk, reason="Sesuai RUP dan sisa pagu.")
    day = lambda k: min(today, p.day + timedelta(days=k))  # noqa: E731 (a step k days after the start)
    for po in list(pr.purchase_orders):
        seller = po.seller
        if p.stop == ORDERED:
            continue
        if p.stop == DECLINED:
            orders.decline(po, seller, actor_id=seller.user_id, reason=DECLINE_REASON)
            continue
        orders.accept(po, seller, actor_id=seller.user_id)
        if p.stop == ACCEPTED:
            continue
        quantities = {line.id: line.quantity for line in po.lines}
        orders.record_delivery(po, seller, actor_id=seller.user_id, quantities=quantities, shipped_on=day(2),
                               note="Diantar kurir toko.")
        if p.stop == SHIPPED:
            continue
        orders.record_receipt(po, ppk, number=f"BAST/{po.sequence:03d}/{pr.fiscal_year}", received_on=day(3),
                              quantities=quantities, notes="Diterima lengkap dan baik.")
        if p.stop == RECEIVED:
            continue
        invoice = orders.issue_invoice(po, seller, actor_id=seller.user_id)
        if p.stop in (INVOICED, OVERDUE):
            continue
        method = PAY_GOV_CARD if invoice.total <= KKP_UP_TO else (
            PAY_VIRTUAL_ACCOUNT if rng.random() < 0.3 else PAY_BANK_TRANSFER)
        orders.record_payment(invoice, bendahara, method=method, paid_on=None,
                              reference=f"SP2D-{pr.fiscal_year}-{po.sequence:05d}")
        if p.stop == PAID:
            continue
        orders.rate(po, ppk, on_time=rng.choice((4, 5, 5)), quantity=5, quality=rng.choice((4, 5)),
                    comment=rng.choice(RATING_COMMENTS))
    return pr


def _backdate(pr: PurchaseRequest, p: Planned, today: date, rng: random.Random, first_note: int) -> None:
    """Move the request and what followed to the planned days (domain rows only: the audit
    trail keeps when each event was written)."""
    start = _at(p.day, 9, rng.randrange(0, 50))
    pr.created_at = start
    if pr.submitted_at:
        pr.submitted_at = start + timedelta(minutes=30)
    if pr.decided_at:
        pr.decided_at = start + timedelta(hours=2)
    last = start
    invoice_day = p.day + timedelta(days=4)
    if p.stop == OVERDUE:  # unpaid, and its due date has passed
        invoice_day = p.day + timedelta(days=5)
    invoice_day = min(today, invoice_day)
    for po in pr.purchase_orders:
        po.created_at = po.issued_at = start + timedelta(hours=2)
        last = max(last, po.issued_at)
        if po.answered_at:
            po.answered_at = start + timedelta(hours=20)
            last = max(last, po.answered_at)
        for delivery in po.deliveries:
            delivery.created_at = _at(delivery.shipped_on, 10)
            last = max(last, delivery.created_at)
        for receipt in po.receipts:
            receipt.created_at = _at(receipt.received_on, 14)
            last = max(last, receipt.created_at)
        invoice = po.invoice
        if invoice is not None:
            term = invoice.due_on - invoice.issued_on
            invoice.issued_on, invoice.due_on = invoice_day, invoice_day + term
            invoice.created_at = _at(invoice_day, 11)
            last = max(last, invoice.created_at)
            if invoice.paid_on is not None:
                paid = min(today, invoice_day + timedelta(days=rng.randrange(6, 27)))
                invoice.paid_on = paid
                invoice.payment.paid_on = paid
                invoice.payment.created_at = _at(paid, 13)
                last = max(last, invoice.payment.created_at)
        if po.rating is not None:
            po.rating.created_at = last + timedelta(hours=2)
    # The notifications the steps sent: dated with the last step; read when the request is done.
    finished = p.stop in (CLOSED, PAID, REJECTED, DECLINED)
    values = {"created_at": last} | ({"read_at": last + timedelta(hours=3)} if finished else {})
    db.session.execute(update(Notification).where(Notification.id > first_note).values(**values))
    db.session.commit()


def seed_history(*, seed: int = 42) -> int:
    """A year of procurement for every demo agency with a plan and a budget for this year;
    returns how many purchase requests were made (0 when the demo agencies, the admin or the
    catalogue are missing). The year is the real one: the services date their steps by it."""
    today = jakarta_today()
    admin_id = db.session.scalar(select(User.id).where(User.role == ROLE_ADMIN).order_by(User.id).limit(1))
    agencies = dict(db.session.execute(select(Agency.code, Agency.id)).all())
    if admin_id is None or not agencies:
        return 0
    catalogue = _catalogue()
    if not catalogue[0]:
        return 0
    template = User()
    template.set_password(accounts.DEMO_PASSWORD)
    demo_seller_id = db.session.scalar(select(Seller.id).join(User, User.id == Seller.user_id)
                                       .where(User.email == accounts.SELLER.email))
    made = 0
    with _without_email():
        for plan in PLANS:
            db.session.expunge_all()
            agency = db.session.get(Agency, agencies[plan.code]) if plan.code in agencies else None
            budget = next((b for b in agency.budgets if b.fiscal_year == today.year), None) if agency else None
            if budget is None:
                continue
            team = _team(agency, plan, admin_id, template.password_hash)
            if not all(team.get(d) for d in (DUTY_PP, DUTY_PPK, DUTY_BENDAHARA)):
                continue
            rng = random.Random(f"{seed}-{plan.code}")  # noqa: S311 (reproducible, not secret)
            team_ids = {duty: user.id for duty, user in team.items()}
            for n, p in enumerate(_plan_year(rng, plan, budget.pagu, today, catalogue, demo_seller_id), start=1):
                # A small session per request: a flush looks at every object the session holds.
                db.session.expunge_all()
                team = {duty: db.session.get(User, user_id) for duty, user_id in team_ids.items()}
                first_note = db.session.scalar(select(func.max(Notification.id))) or 0
                pr = _run(p, n, team, today, rng)
                if pr is not None:
                    _backdate(pr, p, today, rng, first_note)
                    made += 1
            if plan.shows_every_state and demo_seller_id is not None:
                made += _open_rfq(team_ids, demo_seller_id)
    return made


def _open_rfq(team_ids: dict[str, int], seller_id: int) -> int:
    """One request for quotation still open for a few days, in the demo seller's top-level
    category, so penjual@ finds it under "Permintaan penawaran" and can quote."""
    db.session.expunge_all()
    pp = db.session.get(User, team_ids[DUTY_PP])
    seller = db.session.get(Seller, seller_id)
    category_id = db.session.scalar(
        select(Category.parent_id).join(Product, Product.category_id == Category.id)
        .where(Product.seller_id == seller_id, Product.status == PRODUCT_ACTIVE).order_by(Product.id).limit(1))
    agency = pp.membership.agency
    rfq.create_rfq(pp, title="Kudapan rapat koordinasi akhir tahun", delivery_address=agency.address or "Kantor",
                   delivery_kecamatan_code=agency.kecamatan_code or seller.kecamatan_code,
                   ppk_id=team_ids[DUTY_PPK], category_id=category_id, umkk_only=True,
                   deadline=utcnow() + timedelta(days=4),
                   lines=[("Kudapan kemasan untuk 120 peserta", 120, "kotak", 25_000),
                          ("Air mineral 600 ml", 10, "dus", 60_000)])
    return 1
