"""Writes the demo data: categories, demo accounts, agencies with budgets and officers, sellers
(verified by the admin, with an audit trail), placeholder photos and products.

Products, their photos, certificate links, and the options, values and combinations of the
products sold in options go in with Core bulk inserts in batches (no ORM object per product), so
`--products 100000` takes a minute or two, not hours. Like a product's opening stock, a
combination's opening stock is not written to the inventory log: the log starts with the first
change a seller or an order makes.
"""

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, insert, select, text

from catalog.demo import accounts, agencies, console, procurement
from catalog.demo import orders as demo_orders
from catalog.demo import payouts as demo_payouts
from catalog.demo.pictures import ensure_pictures
from catalog.demo.plan import (
    PRODUCTS_PER_SELLER,
    CataloguePlan,
    CategoryRef,
    Kecamatan,
    ProductPlan,
    SellerPlan,
    Taken,
    plan_catalogue,
)
from catalog.extensions import db
from catalog.models import (
    Agency,
    Budget,
    Category,
    OfficerMembership,
    OptionValue,
    Product,
    ProductImage,
    ProductOption,
    ProductVariant,
    Region,
    Seller,
    SellerDocument,
    User,
    product_certificate,
)
from catalog.models.agencies import MEMBERSHIP_CONFIRMED
from catalog.models.base import utcnow
from catalog.models.products import MAX_OPTIONS, PRODUCT_ACTIVE
from catalog.models.regions import LEVEL_KECAMATAN, LEVEL_KELURAHAN, LEVEL_KOTA
from catalog.models.sellers import CERTIFICATE_KINDS, STATUS_PENDING, STATUS_VERIFIED
from catalog.models.users import ROLE_ADMIN, ROLE_SELLER, new_session_token
from catalog.services.categories import ensure_default_categories
from catalog.services.states import transition

PRODUCT = Product.__table__
PRODUCT_VARIANT = ProductVariant.__table__
PRODUCT_IMAGE = ProductImage.__table__
PRODUCT_OPTION = ProductOption.__table__
OPTION_VALUE = OptionValue.__table__

DEFAULT_PRODUCTS = 800
BATCH_SIZE = 5000
JAKARTA = ZoneInfo("Asia/Jakarta")

Log = Callable[[str], None]


@dataclass
class SeedReport:
    categories_created: int
    sellers_verified: int
    sellers_pending: int
    kecamatan_covered: int
    products_active: int
    products_draft: int
    pictures: int
    pictures_drawn: int
    agencies: int
    fiscal_year: int
    orders: int = 0  # the demo seller's orders (seed_demo only)


def database_has_users() -> bool:
    return db.session.execute(select(User.id).limit(1)).first() is not None


def jakarta_today() -> date:
    return datetime.now(JAKARTA).date()


def seed_demo(*, seed: int = 42, products: int = DEFAULT_PRODUCTS, sellers: int | None = None,
              today: date | None = None, log: Log | None = None) -> SeedReport:
    """Fill an empty database with the whole demo: categories, the demo accounts, three agencies,
    verified sellers in every kecamatan, one pending seller, and `products` active products."""
    log = log or (lambda _msg: None)
    today = today or jakarta_today()
    created = ensure_default_categories()
    categories, category_ids = load_categories()
    plan = plan_catalogue(seed=seed, kecamatan=load_kecamatan(), categories=categories, products=products,
                          sellers=sellers, today=today)
    log(f"Rencana: {len(plan.sellers)} penjual, {len(plan.products)} produk, {len(plan.pictures)} foto.")

    now = utcnow()
    users = create_demo_accounts()
    admin = users[accounts.ADMIN.email]
    create_agencies(users, admin, today, now)
    written = write_catalogue(plan, category_ids, users, admin.id, today, now, log)
    db.session.commit()
    # Orders go through the cart, checkout and fulfilment services, which commit on their own.
    orders = demo_orders.seed_orders()
    log(f"Pesanan demo untuk {accounts.SELLER.email}: {orders}.")
    log(f"Riwayat pengadaan demo: {procurement.seed_history(seed=seed)} permintaan pembelian.")
    queues = console.seed_console_queues()
    log(f"Antrean konsol Dinas: {queues['pending']} pejabat menunggu, {queues['rejected']} ditolak, "
        f"{queues['reports']} laporan produk.")
    paid_out = demo_payouts.seed_payouts()
    log(f"Pencairan dana demo: {paid_out['batches']} batch, {paid_out['paid']} baris dibayar, "
        f"{paid_out['failed']} gagal.")
    report = _report(plan, created, written, agency_count=len(agencies.AGENCIES), fiscal_year=today.year)
    report.orders = orders
    analyze()
    return report


def analyze() -> None:
    """Fresh planner statistics after a bulk load. Without them SQLite guessed that "status =
    'active'" picks few products and read all 100,000 through that index to find a search
    page's 24 ids (13 ms instead of 0.3 ms by primary key); PostgreSQL's autovacuum would
    catch up only later."""
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def add_products(*, seed: int = 42, products: int, sellers: int | None = None, today: date | None = None,
                 log: Log | None = None) -> SeedReport:
    """Add `products` products and new sellers for them (one per 100) to a database that already
    has data, e.g. for benchmarks on top of the demo. Nothing existing is changed."""
    log = log or (lambda _msg: None)
    today = today or jakarta_today()
    created = ensure_default_categories()
    categories, category_ids = load_categories()
    taken = Taken(
        seller_slugs=set(db.session.scalars(select(Seller.slug))),
        emails=set(db.session.scalars(select(User.email))),
        nibs=set(db.session.scalars(select(Seller.nib))),
    )
    serial_start = db.session.scalar(select(func.max(Product.id))) or 0
    count = sellers if sellers is not None else max(1, math.ceil(products / PRODUCTS_PER_SELLER))
    plan = plan_catalogue(seed=seed, kecamatan=load_kecamatan(), categories=categories, products=products,
                          sellers=count, today=today, serial_start=serial_start, taken=taken,
                          with_demo_sellers=False)
    log(f"Rencana: {len(plan.sellers)} penjual baru, {len(plan.products)} produk, {len(plan.pictures)} foto.")
    admin_id = db.session.scalar(select(User.id).where(User.role == ROLE_ADMIN).order_by(User.id).limit(1))
    written = write_catalogue(plan, category_ids, {}, admin_id, today, utcnow(), log)
    db.session.commit()
    analyze()
    return _report(plan, created, written, agency_count=0, fiscal_year=today.year)


def _report(plan: CataloguePlan, categories_created: int, pictures_drawn: int, *, agency_count: int,
            fiscal_year: int) -> SeedReport:
    verified = [s for s in plan.sellers if s.status == STATUS_VERIFIED]
    active = sum(1 for p in plan.products if p.status == PRODUCT_ACTIVE)
    return SeedReport(
        categories_created=categories_created,
        sellers_verified=len(verified),
        sellers_pending=len(plan.sellers) - len(verified),
        kecamatan_covered=len({s.kecamatan_code for s in verified}),
        products_active=active,
        products_draft=len(plan.products) - active,
        pictures=len(plan.pictures),
        pictures_drawn=pictures_drawn,
        agencies=agency_count,
        fiscal_year=fiscal_year,
    )


# --- reference data ----------------------------------------------------------------------------

def load_kecamatan() -> list[Kecamatan]:
    """The 49 kecamatan with their kota and kelurahan, from the region table (one query)."""
    rows = db.session.execute(select(Region.code, Region.level, Region.name, Region.parent_code)
                              .order_by(Region.code)).all()
    kota_names = {r.code: r.name for r in rows if r.level == LEVEL_KOTA}
    kelurahan: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        if r.level == LEVEL_KELURAHAN:
            kelurahan.setdefault(r.parent_code, []).append((r.code, r.name))
    return [
        Kecamatan(code=r.code, name=r.name, kota_code=r.parent_code, kota_name=kota_names.get(r.parent_code, ""),
                  kelurahan=tuple(kelurahan.get(r.code, ())))
        for r in rows if r.level == LEVEL_KECAMATAN
    ]


def load_categories() -> tuple[list[CategoryRef], dict[str, int]]:
    """Child categories (what products are filed under) and every category's id by slug."""
    rows = db.session.execute(select(Category.id, Category.slug, Category.name, Category.parent_id,
                                     Category.position)).all()
    slug_by_id = {r.id: r.slug for r in rows}
    refs = [CategoryRef(slug=r.slug, name=r.name, parent_slug=slug_by_id[r.parent_id], position=r.position)
            for r in sorted(rows, key=lambda r: r.slug) if r.parent_id is not None]
    return refs, {r.slug: r.id for r in rows}


# --- people and agencies -------------------------------------------------------------------------

def create_demo_accounts() -> dict[str, User]:
    users = {}
    for account in accounts.DEMO_ACCOUNTS:
        user = User(email=account.email, name=account.name, role=account.role, locale="id", active=True)
        user.set_password(accounts.DEMO_PASSWORD)
        db.session.add(user)
        users[account.email] = user
    db.session.flush()
    return users


def create_agencies(users: dict[str, User], admin: User, today: date, now: datetime) -> None:
    kecamatan = {(k.kota_code, k.name): k.code for k in load_kecamatan()}
    by_code = {}
    for spec in agencies.AGENCIES:
        agency = Agency(name=spec.name, code=spec.code, type=spec.type, kota_code=spec.kota_code,
                        kecamatan_code=kecamatan.get((spec.kota_code, spec.kecamatan_name)), address=spec.address)
        agency.budgets = [
            Budget(fiscal_year=today.year - 1, pagu=spec.pagu_last_year, target_share_pct=agencies.TARGET_SHARE_PCT,
                   payment_term_days=agencies.PAYMENT_TERM_DAYS),
            Budget(fiscal_year=today.year, pagu=spec.pagu, target_share_pct=agencies.TARGET_SHARE_PCT,
                   payment_term_days=agencies.PAYMENT_TERM_DAYS),
        ]
        db.session.add(agency)
        by_code[spec.code] = agency
    for account in accounts.DEMO_ACCOUNTS:
        if account.duty:
            db.session.add(OfficerMembership(
                user=users[account.email], agency=by_code[accounts.DEMO_AGENCY_CODE], duty=account.duty,
                status=MEMBERSHIP_CONFIRMED, employee_number=account.employee_number,
                confirmed_by_id=admin.id, confirmed_at=now,
            ))
    db.session.flush()


# --- sellers and products ------------------------------------------------------------------------

def write_catalogue(plan: CataloguePlan, category_ids: dict[str, int], users: dict[str, User],
                    admin_id: int | None, today: date, now: datetime, log: Log) -> int:
    """Sellers, pictures, products; returns how many pictures had to be drawn."""
    sellers = write_sellers(plan.sellers, users, admin_id, today, now)
    log(f"Penjual tersimpan: {len(sellers)}.")
    demo_orders.add_delivery_options(sellers)
    stored, drawn = ensure_pictures(list(plan.pictures.values()))
    log(f"Foto produk: {len(stored)} ({drawn} baru dibuat).")
    write_products(plan, sellers, category_ids, stored, today, now, log)
    return drawn


def write_sellers(plans: list[SellerPlan], users: dict[str, User], admin_id: int | None, today: date,
                  now: datetime) -> list[Seller]:
    # Every seller account has the demo password: hash it once (scrypt is slow on purpose) and
    # give each account its own session token.
    template = User()
    template.set_password(accounts.DEMO_PASSWORD)
    sellers = []
    for plan in plans:
        joined = now - timedelta(days=plan.joined_days_ago)
        user = users.get(plan.email)
        if user is None:
            user = User(email=plan.email, name=plan.owner_name, role=ROLE_SELLER, locale="id", active=True,
                        password_hash=template.password_hash, session_token=new_session_token(),
                        created_at=joined, updated_at=joined)
        user.phone = plan.whatsapp
        seller = Seller(
            user=user, business_name=plan.business_name, slug=plan.slug, owner_name=plan.owner_name,
            nib=plan.nib, npwp=plan.npwp, is_pkp=plan.is_pkp, scale=plan.scale, is_koperasi=plan.is_koperasi,
            kota_code=plan.kota_code, kecamatan_code=plan.kecamatan_code, kelurahan_code=plan.kelurahan_code,
            address=plan.address, whatsapp=plan.whatsapp, description=plan.description,
            bank_name=plan.bank_name, bank_account_number=plan.bank_account_number,
            bank_account_name=plan.bank_account_name, status=STATUS_PENDING,
            # The demo's pending seller sent the wizard three days ago (an age the queue shows).
            submitted_at=joined if plan.status != STATUS_PENDING else now - timedelta(days=3),
            created_at=joined, updated_at=joined,
            documents=[
                SellerDocument(kind=d.kind, number=d.number, issuer=d.issuer, expires_on=d.expires_on,
                               expired=not d.is_valid_on(today), created_at=joined, updated_at=joined)
                for d in plan.documents
            ],
        )
        db.session.add(seller)
        sellers.append(seller)
    db.session.flush()
    # Verification goes through the seller state machine, so the audit chain records each one.
    # Without autoflush: each audit write would otherwise flush, and a flush scans every object
    # in the session (quadratic with 1,000 sellers). The events are flushed in the order they
    # were added, so their ids follow the chain.
    with db.session.no_autoflush:
        for seller, plan in zip(sellers, plans, strict=True):
            if plan.status != STATUS_VERIFIED:
                continue
            reviewed = now - timedelta(days=plan.joined_days_ago - 2)
            seller.reviewed_by_id = admin_id
            seller.reviewed_at = seller.verified_at = reviewed
            transition("seller", seller, STATUS_VERIFIED, actor_id=admin_id,
                       extra={"business_name": seller.business_name, "nib": seller.nib})
    db.session.flush()
    return sellers


def _batches(items: Sequence, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def reserve_ids(table: Table, count: int) -> list[int]:
    """Primary keys for `count` rows about to be inserted."""
    if db.session.get_bind().dialect.name == "postgresql":
        sequence = db.session.scalar(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name})
        return list(db.session.scalars(text("SELECT nextval(:seq) FROM generate_series(1, :n)"),
                                       {"seq": sequence, "n": count}))
    # SQLite: the seed has already written in this transaction, so it holds the database's only
    # write lock and nobody else can take these ids before the commit.
    start = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def write_products(plan: CataloguePlan, sellers: list[Seller], category_ids: dict[str, int], stored: dict,
                   today: date, now: datetime, log: Log) -> None:
    seller_ids = [s.id for s in sellers]
    # Certificates a product may show: the seller's documents of that kind that are still valid.
    valid_docs = [
        {d.kind: d.id for d in seller.documents if d.kind in CERTIFICATE_KINDS and d.is_valid_on(today)}
        for seller in sellers
    ]
    done = 0
    for batch in _batches(plan.products, BATCH_SIZE):
        rows = []
        for p in batch:
            created = now - timedelta(seconds=p.age_seconds)
            rows.append({
                "seller_id": seller_ids[p.seller], "category_id": category_ids[p.category], "title": p.title,
                "slug": p.slug, "description": p.description, "price": p.price, "price_max": p.price_max,
                "unit": p.unit, "min_order": p.min_order, "stock": p.stock, "made_to_order": p.made_to_order,
                "lead_time_days": p.lead_time_days, "weight_grams": p.weight_grams, "tkdn_pct": p.tkdn_pct,
                "status": p.status, "published_at": created if p.status == PRODUCT_ACTIVE else None,
                "rating_sum": p.rating_sum, "rating_count": p.rating_count, "sold_count": p.sold_count,
                "created_at": created, "updated_at": created,
            })
        # Core inserts on the table with ids chosen beforehand: the ORM's bulk path splits a
        # batch by which columns are None, and RETURNING makes PostgreSQL 5× slower.
        ids = reserve_ids(PRODUCT, len(rows))
        for product_id, row in zip(ids, rows, strict=True):
            row["id"] = product_id
        db.session.execute(insert(PRODUCT), rows)
        images = []
        certificates = []
        for product_id, p in zip(ids, batch, strict=True):
            picture = stored[p.picture]
            images.append({"product_id": product_id, "position": 0, "key": picture.key, "width": picture.width,
                           "height": picture.height, "alt": p.title[:160]})
            docs = valid_docs[p.seller]
            certificates += [{"product_id": product_id, "document_id": docs[kind]}
                             for kind in p.certificate_kinds if kind in docs]
        db.session.execute(insert(PRODUCT_IMAGE), images)
        simple = [(product_id, row) for product_id, row, p in zip(ids, rows, batch, strict=True) if not p.options]
        if simple:
            db.session.execute(insert(PRODUCT_VARIANT), [
                {"product_id": product_id, "seller_id": row["seller_id"], "combo_key": "", "position": 0,
                 "price": row["price"], "stock": row["stock"], "active": True}
                for product_id, row in simple
            ])
        write_options([(product_id, row["seller_id"], p) for product_id, row, p in zip(ids, rows, batch, strict=True)
                       if p.options])
        if certificates:
            db.session.execute(insert(product_certificate), certificates)
        done += len(batch)
        if len(plan.products) > BATCH_SIZE:
            log(f"Produk: {done}/{len(plan.products)}")


def write_options(products: list[tuple[int, int, ProductPlan]]) -> None:
    """Options, values and combinations of the products sold in options, as (product id, seller
    id, plan): three bulk inserts, with ids chosen beforehand so each combination can name its
    values (combo_key "valueid.valueid", value1_id…, in option order, as services/variants.py
    writes them)."""
    if not products:
        return
    option_ids = iter(reserve_ids(PRODUCT_OPTION, sum(len(p.options) for _pid, _sid, p in products)))
    value_ids = iter(reserve_ids(OPTION_VALUE, sum(len(o.values) for _pid, _sid, p in products for o in p.options)))
    options, values, variants = [], [], []
    for product_id, seller_id, p in products:
        ids_by_option = []
        for position, option in enumerate(p.options):
            option_id = next(option_ids)
            options.append({"id": option_id, "product_id": product_id, "position": position, "name": option.name})
            ids = [next(value_ids) for _ in option.values]
            values += [{"id": value_id, "option_id": option_id, "position": i, "value": value}
                       for i, (value_id, value) in enumerate(zip(ids, option.values, strict=True))]
            ids_by_option.append(ids)
        for position, v in enumerate(p.variants):
            chosen = [ids_by_option[o][index] for o, index in enumerate(v.values)]
            chosen += [None] * (MAX_OPTIONS - len(chosen))
            variants.append({
                "product_id": product_id, "seller_id": seller_id,
                "combo_key": ".".join(str(i) for i in chosen if i is not None),
                "value1_id": chosen[0], "value2_id": chosen[1], "value3_id": chosen[2], "position": position,
                "price": v.price, "stock": v.stock, "weight_grams": v.weight_grams, "active": v.active,
            })
    db.session.execute(insert(PRODUCT_OPTION), options)
    db.session.execute(insert(OPTION_VALUE), values)
    db.session.execute(insert(PRODUCT_VARIANT), variants)
