"""The demo catalogue as plain data, drawn from one random.Random(seed): sellers with their
documents, and products. No database here, so one seed always gives the same plan and tests can
compare plans directly; builder.py writes a plan to the database."""

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from markupsafe import escape

from catalog.demo import accounts, names
from catalog.demo.options import OptionPlan, VariantPlan, plan_options
from catalog.demo.pictures import PictureSpec, picture_key, picture_spec
from catalog.demo.products import CATALOGUE, CLOSINGS, DEFAULT_INTRO, INTRO_BY_TOP, Profile, Size, Template
from catalog.demo.sellers import TRADES, TRADES_BY_KEY, Trade
from catalog.models.products import PRODUCT_ACTIVE, PRODUCT_DRAFT
from catalog.models.sellers import (
    DOC_BPOM,
    DOC_HALAL,
    DOC_NIB,
    DOC_PIRT,
    DOC_SNI,
    DOC_SUKET_PP55,
    SCALE_KECIL,
    SCALE_MENENGAH,
    SCALE_MIKRO,
    STATUS_PENDING,
    STATUS_VERIFIED,
)
from catalog.services.identifiers import slugify

PRODUCTS_PER_SELLER = 100  # for big catalogues: one more seller per this many products
MIN_SELLERS = 80
PRODUCT_AGE_DAYS = 180  # products were listed over the last six months
OUT_OF_STOCK_SHARE = 0.04
RATED_SHARE = 0.55
# Kota weights for sellers beyond one per kecamatan: Tangsel first, where the Dinas sits.
KOTA_WEIGHTS = {"36.74": 45, "36.71": 30, "36.03": 25}
SCALE_WEIGHTS = ((SCALE_MIKRO, 70), (SCALE_KECIL, 22), (SCALE_MENENGAH, 8))
KOPERASI_SCALE_WEIGHTS = ((SCALE_MIKRO, 30), (SCALE_KECIL, 60), (SCALE_MENENGAH, 10))
PRODUCT_SHARE_BY_SCALE = {SCALE_MIKRO: 1.0, SCALE_KECIL: 1.6, SCALE_MENENGAH: 2.5}
# The multiplier that turns a serial number into a short, scattered, still unique slug suffix:
# odd and not a multiple of 3, so it is a bijection modulo 36**6.
SUFFIX_MULTIPLIER = 2_654_435_761
SUFFIX_SPACE = 36**6
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
DEMO_SELLER_NAME = "Keripik Singkong Bu Rina"
PENDING_SELLER_NAME = "Sambal Bawang Teh Nining"
PENDING_DRAFTS = 3


@dataclass(frozen=True)
class Kecamatan:
    code: str
    name: str
    kota_code: str
    kota_name: str
    kelurahan: tuple[tuple[str, str], ...]  # (code, name), sorted by code


@dataclass
class DocumentPlan:
    kind: str
    number: str
    issuer: str
    expires_on: date | None

    def is_valid_on(self, day: date) -> bool:
        return self.expires_on is None or self.expires_on >= day


@dataclass
class SellerPlan:
    business_name: str
    slug: str
    owner_name: str
    email: str
    nib: str
    npwp: str | None
    is_pkp: bool
    scale: str
    is_koperasi: bool
    kota_code: str
    kecamatan_code: str
    kelurahan_code: str | None
    address: str
    whatsapp: str
    description: str
    bank_name: str
    bank_account_number: str
    bank_account_name: str
    status: str
    joined_days_ago: int
    trade: str
    documents: list[DocumentPlan] = field(default_factory=list)


@dataclass
class ProductPlan:
    seller: int  # index into CataloguePlan.sellers
    category: str  # child category slug
    title: str
    slug: str
    description: str
    price: int
    unit: str
    min_order: int
    stock: int
    made_to_order: bool
    lead_time_days: int | None
    weight_grams: int | None
    tkdn_pct: int | None
    status: str
    age_seconds: int
    rating_sum: int
    rating_count: int
    sold_count: int
    picture: str  # PictureSpec key
    certificate_kinds: tuple[str, ...]
    # Sold in options (options.py): price/price_max are the lowest and highest active price and
    # stock the active stock together, as the variants service keeps them. Empty: one default
    # variant at `price` with `stock`.
    price_max: int = 0
    options: tuple[OptionPlan, ...] = ()
    variants: tuple[VariantPlan, ...] = ()


@dataclass
class CataloguePlan:
    sellers: list[SellerPlan]
    products: list[ProductPlan]
    pictures: dict[str, PictureSpec]


@dataclass
class Taken:
    """Values already in the database that new sellers must not reuse."""

    seller_slugs: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    nibs: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class CategoryRef:
    slug: str
    name: str
    parent_slug: str
    position: int


def seller_count_for(products: int) -> int:
    return max(MIN_SELLERS, math.ceil(products / PRODUCTS_PER_SELLER))


def slug_suffix(serial: int) -> str:
    """Serial 1, 2, 3… → six scattered base-36 characters, unique for the first 2 billion serials."""
    n = (serial * SUFFIX_MULTIPLIER) % SUFFIX_SPACE
    chars = []
    for _ in range(6):
        n, digit = divmod(n, 36)
        chars.append(BASE36[digit])
    return "".join(reversed(chars))


def round_price(value: int) -> int:
    """Shop prices: to Rp500 below Rp100.000, to Rp1.000 above."""
    step = 500 if value < 100_000 else 1000
    return max(step, round(value / step) * step)


class Planner:
    """Draws one catalogue from `rng`; every choice goes through it, in a fixed order."""

    def __init__(self, rng: random.Random, kecamatan: list[Kecamatan], categories: list[CategoryRef],
                 today: date, serial_start: int, taken: Taken, options_seed: str = ""):
        self.rng = rng
        self.options_seed = options_seed  # options draw from streams of their own (options.stream)
        self.kecamatan = sorted(kecamatan, key=lambda k: k.code)
        self.categories = {c.slug: c for c in categories}
        self.today = today
        self.serial = serial_start
        self.taken = taken
        self.pictures: dict[str, PictureSpec] = {}

    # --- sellers -----------------------------------------------------------------------------

    def person(self, women_share: float) -> tuple[str, str, str]:
        """(full name, first name, honorific)."""
        rng = self.rng
        if rng.random() < women_share:
            first = rng.choice(names.WOMEN_FIRST_NAMES)
            return f"{first} {rng.choice(names.WOMEN_SURNAMES)}", first, rng.choice(names.WOMEN_HONORIFICS)
        first = rng.choice(names.MEN_FIRST_NAMES)
        return f"{first} {rng.choice(names.MEN_SURNAMES)}", first, rng.choice(names.MEN_HONORIFICS)

    def unique(self, value: str, used: set[str]) -> str:
        candidate, n = value, 2
        while candidate in used:
            base, _, domain = value.partition("@")
            candidate = f"{base}-{n}@{domain}" if domain else f"{value}-{n}"
            n += 1
        used.add(candidate)
        return candidate

    def nib(self) -> str:
        while True:
            value = str(self.rng.randint(10**12, 10**13 - 1))
            if value not in self.taken.nibs:
                self.taken.nibs.add(value)
                return value

    def digits(self, count: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(count))

    def npwp(self, kec: Kecamatan, koperasi: bool, woman: bool) -> str:
        """Koperasi: a 16-digit business NPWP (0 + the old 15 digits). People: their NIK, which
        starts with the kecamatan code and the birth date (day + 40 for women)."""
        if koperasi:
            return "0" + self.digits(15)
        rng = self.rng
        day = rng.randint(1, 28) + (40 if woman else 0)
        birth = f"{day:02d}{rng.randint(1, 12):02d}{rng.randint(60, 99):02d}"
        return kec.code.replace(".", "") + birth + f"{rng.randint(1, 60):04d}"

    def whatsapp(self) -> str:
        return "+62" + self.rng.choice(names.MOBILE_PREFIXES) + self.digits(self.rng.choice((7, 8)))

    def address(self, kota_code: str) -> str:
        rng = self.rng
        if rng.random() < 0.2:
            return (f"Perumahan {rng.choice(names.HOUSING_ESTATES)} Blok {rng.choice('ABCDEFGH')}"
                    f"{rng.randint(1, 12)} No. {rng.randint(1, 40)}")
        main_roads = names.MAIN_ROADS.get(kota_code, names.MAIN_ROADS["36.74"])
        street = rng.choice(main_roads if rng.random() < 0.4 else names.LANE_NAMES)
        return f"{street} No. {rng.randint(1, 150)}, RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 9):03d}"

    def documents(self, trade: Trade, seller: SellerPlan, kec: Kecamatan) -> list[DocumentPlan]:
        rng, today = self.rng, self.today
        kota4 = kec.kota_code.replace(".", "")
        docs = [DocumentPlan(DOC_NIB, seller.nib, "Lembaga OSS (Kementerian Investasi/BKPM)", None)]
        if trade.food:
            if rng.random() < 0.8:
                issued = today - timedelta(days=rng.randint(30, 4 * 365))
                expires = issued + timedelta(days=5 * 365)
                number = (f"{rng.randint(1, 5)}{rng.randint(1, 16):02d}{kota4}{rng.randint(1, 9999):04d}"
                          f"{rng.randint(1, 3):02d}{expires.year % 100:02d}")
                docs.append(DocumentPlan(DOC_PIRT, number, f"DPMPTSP {kec.kota_name}", expires))
            if rng.random() < 0.65:
                issued = today - timedelta(days=rng.randint(30, 3 * 365))
                docs.append(DocumentPlan(DOC_HALAL, f"ID{kota4[:2]}{self.digits(14)}", "BPJPH Kementerian Agama RI",
                                         issued + timedelta(days=4 * 365)))
            bpom_chance = {SCALE_MIKRO: 0.05, SCALE_KECIL: 0.3, SCALE_MENENGAH: 0.8}[seller.scale]
            if rng.random() < bpom_chance:
                issued = today - timedelta(days=rng.randint(30, 4 * 365))
                docs.append(DocumentPlan(DOC_BPOM, f"BPOM RI MD {self.digits(12)}", "Badan POM RI",
                                         issued + timedelta(days=5 * 365)))
        if trade.sni and seller.scale != SCALE_MIKRO and rng.random() < 0.6:
            issued = today - timedelta(days=rng.randint(30, 3 * 365))
            lspro = rng.choice(("LSPro BBPK", "LSPro B4T", "LSPro Sucofindo"))
            docs.append(DocumentPlan(DOC_SNI, f"SPPT-SNI/{rng.randint(100, 9999):04d}/{lspro[6:]}/{issued.year}",
                                     lspro, issued + timedelta(days=4 * 365)))
        if seller.npwp and not seller.is_pkp and rng.random() < 0.5:
            office = rng.choice(names.TAX_OFFICES.get(kec.kota_code, names.TAX_OFFICES["36.74"]))
            docs.append(DocumentPlan(DOC_SUKET_PP55,
                                     f"KET-{rng.randint(10000, 99999)}/PP55/WPJ.08/KP.{rng.randint(400, 1099):04d}/{today.year}",
                                     office, date(today.year, 12, 31)))
        return docs

    def seller(self, trade: Trade, kec: Kecamatan, *, status: str = STATUS_VERIFIED, business_name: str | None = None,
               owner_name: str | None = None, email: str | None = None, scale: str | None = None) -> SellerPlan:
        rng = self.rng
        full_name, first, honorific = self.person(trade.women_share)
        woman = honorific in names.WOMEN_HONORIFICS
        if owner_name:
            full_name, first = owner_name, owner_name.split()[0]
            woman = first in names.WOMEN_FIRST_NAMES
        if business_name is None:
            business_name = rng.choice(trade.names).format(
                first=first, hon=honorific, word=rng.choice(names.BUSINESS_WORDS),
                flower=rng.choice(names.FLOWERS), place=kec.name)
        weights = KOPERASI_SCALE_WEIGHTS if trade.koperasi else SCALE_WEIGHTS
        scale = scale or rng.choices([s for s, _ in weights], [w for _, w in weights])[0]
        has_npwp = trade.koperasi or scale != SCALE_MIKRO or rng.random() < 0.35
        npwp = self.npwp(kec, trade.koperasi, woman) if has_npwp else None
        is_pkp = bool(npwp) and (scale == SCALE_MENENGAH or (scale == SCALE_KECIL and rng.random() < 0.15))
        bank, length = rng.choice(names.BANKS)
        kelurahan = rng.choice(kec.kelurahan)[0] if kec.kelurahan else None
        joined = rng.randint(PRODUCT_AGE_DAYS + 20, 900)
        since = self.today.year - rng.randint(2, 15)
        slug = self.unique(slugify(business_name, 120) or "usaha", self.taken.seller_slugs)
        email = email or self.unique(f"{slugify(full_name, 60)}@{accounts.SELLER_EMAIL_DOMAIN}", self.taken.emails)
        if trade.koperasi:
            description = (f"{business_name} adalah koperasi yang menghimpun pelaku usaha di Kecamatan {kec.name}. "
                           f"Anggota kami membuat {trade.makes} sejak {since}, dipasarkan bersama lewat koperasi.")
        else:
            description = (f"{business_name} adalah usaha {scale} milik {full_name} di Kecamatan {kec.name}, "
                           f"{kec.kota_name}. Sejak {since} kami membuat {trade.makes} untuk pelanggan "
                           f"perorangan, kantor dan instansi.")
        plan = SellerPlan(
            business_name=business_name, slug=slug, owner_name=full_name, email=email, nib=self.nib(), npwp=npwp,
            is_pkp=is_pkp, scale=scale, is_koperasi=trade.koperasi, kota_code=kec.kota_code,
            kecamatan_code=kec.code, kelurahan_code=kelurahan, address=self.address(kec.kota_code), whatsapp=self.whatsapp(),
            description=description, bank_name=bank, bank_account_number=self.digits(length),
            bank_account_name=business_name if trade.koperasi else full_name, status=status,
            joined_days_ago=joined, trade=trade.key,
        )
        plan.documents = self.documents(trade, plan, kec)
        return plan

    def find_kecamatan(self, kota_code: str, name: str) -> Kecamatan:
        for kec in self.kecamatan:
            if kec.kota_code == kota_code and kec.name == name:
                return kec
        return self.kecamatan[0]

    def random_kecamatan(self) -> Kecamatan:
        kotas = sorted({k.kota_code for k in self.kecamatan})
        kota = self.rng.choices(kotas, [KOTA_WEIGHTS.get(k, 10) for k in kotas])[0]
        return self.rng.choice([k for k in self.kecamatan if k.kota_code == kota])

    def usable_trades(self) -> list[Trade]:
        return [t for t in TRADES if any(c in self.categories for c in t.categories)]

    def sellers(self, count: int, with_demo_sellers: bool) -> list[SellerPlan]:
        rng = self.rng
        plans: list[SellerPlan] = []
        if with_demo_sellers:
            demo = self.seller(TRADES_BY_KEY["keripik"], self.find_kecamatan("36.74", "Pamulang"),
                               business_name=DEMO_SELLER_NAME, owner_name=accounts.SELLER.name,
                               email=accounts.SELLER.email, scale=SCALE_MIKRO)
            self.taken.emails.add(demo.email)
            plans.append(demo)
        trades = self.usable_trades()
        # Every trade once (so every category gets products), then by weight.
        trade_order = rng.sample(trades, len(trades))
        # Every kecamatan once (so each has a seller), then weighted by kota.
        kec_order = rng.sample(self.kecamatan, len(self.kecamatan))
        weights = [t.weight for t in trades]
        for i in range(count - len(plans)):
            trade = trade_order[i] if i < len(trade_order) else rng.choices(trades, weights)[0]
            kec = kec_order[i] if i < len(kec_order) else self.random_kecamatan()
            plans.append(self.seller(trade, kec))
        if with_demo_sellers:
            self.mark_expiring(plans)
        return plans

    def mark_expiring(self, plans: list[SellerPlan]) -> None:
        """Certificates to warn about: the demo seller's halal runs out in three weeks, and another
        food seller's P-IRT lapsed six weeks ago."""
        demo, rest = plans[0], plans[1:]
        kec = self.find_kecamatan(demo.kota_code, "Pamulang")
        kota4 = demo.kota_code.replace(".", "")
        demo.documents = [d for d in demo.documents if d.kind not in (DOC_HALAL, DOC_PIRT)]
        demo.documents += [
            DocumentPlan(DOC_PIRT, f"206{kota4}012301{(self.today.year + 3) % 100:02d}",
                         f"DPMPTSP {kec.kota_name}", self.today + timedelta(days=3 * 365)),
            DocumentPlan(DOC_HALAL, f"ID{kota4[:2]}{self.digits(14)}", "BPJPH Kementerian Agama RI",
                         self.today + timedelta(days=21)),
        ]
        for plan in rest:
            pirt = next((d for d in plan.documents if d.kind == DOC_PIRT), None)
            if pirt is not None:
                pirt.expires_on = self.today - timedelta(days=42)
                break

    # --- products ----------------------------------------------------------------------------

    def allocate(self, total: int, sellers: list[SellerPlan]) -> list[int]:
        """Split `total` products over sellers: bigger businesses list more, everyone lists some."""
        weights = [PRODUCT_SHARE_BY_SCALE[s.scale] * self.rng.uniform(0.6, 1.4) for s in sellers]
        base = 1 if total >= len(sellers) else 0
        rest = total - base * len(sellers)
        shares = [rest * w / sum(weights) for w in weights]
        counts = [base + int(s) for s in shares]
        leftover = total - sum(counts)
        by_fraction = sorted(range(len(sellers)), key=lambda i: (shares[i] - int(shares[i]), -i), reverse=True)
        for i in by_fraction[:leftover]:
            counts[i] += 1
        return counts

    def next_slug(self, title: str) -> str:
        self.serial += 1
        return f"{slugify(title, 150)}-{slug_suffix(self.serial)}"

    def picture_for(self, category: CategoryRef, template_index: int, template: Template) -> str:
        key = picture_key(category.slug, template_index)
        if key not in self.pictures:
            self.pictures[key] = picture_spec(category.parent_slug, category.slug, category.position, category.name,
                                              template_index, template.name)
        return key

    def describe(self, seller: SellerPlan, kec_name: str, template: Template, profile: Profile, size: Size,
                 min_order: int, unit: str, made_to_order: bool, lead_time: int | None, top_slug: str) -> str:
        rng = self.rng
        points = rng.sample(profile.points, 2)
        if min_order > 1:
            points.append(f"Minimal pemesanan {min_order} {unit}")
        elif made_to_order and lead_time:
            points.append(f"Dikerjakan dalam {lead_time} hari setelah pesanan dikonfirmasi")
        else:
            points.append(rng.choice([p for p in profile.points if p not in points]))
        maker = INTRO_BY_TOP.get(top_slug, DEFAULT_INTRO).format(seller=seller.business_name, place=kec_name)
        intro = f"{template.about} {maker}"
        closing = rng.choice(CLOSINGS.get(top_slug, ("Hubungi kami lewat WhatsApp untuk pertanyaan.",)))
        items = "".join(f"<li>{escape(p)}</li>" for p in points)
        return f"<p>{escape(intro)}</p><ul>{items}</ul><p>{escape(closing)}</p>"

    def product(self, seller_index: int, seller: SellerPlan, category: CategoryRef, kec_name: str,
                status: str, used_titles: set[str], *, always_options: bool = False) -> ProductPlan:
        rng = self.rng
        profile = CATALOGUE[category.slug]
        for _ in range(6):  # a seller rarely lists the same title twice
            template_index = rng.randrange(len(profile.templates))
            template = profile.templates[template_index]
            variant = rng.choice(template.variants)
            size = rng.choice(template.sizes)
            title = " ".join(part for part in (template.name, variant, size.label) if part)
            if title not in used_titles:
                break
        used_titles.add(title)
        unit = size.unit or template.unit or profile.unit
        min_order = size.min_order or template.min_order or profile.min_order
        made_to_order = profile.made_to_order
        lead_time = rng.randint(*profile.lead_time) if made_to_order else None
        if made_to_order:
            stock = rng.randint(*profile.stock)  # capacity per order period
        else:
            stock = 0 if rng.random() < OUT_OF_STOCK_SHARE else rng.randint(*profile.stock)
        tkdn = rng.randint(*profile.tkdn) if rng.random() < profile.tkdn_share else None
        rating_count = rating_sum = 0
        if status == PRODUCT_ACTIVE and rng.random() < RATED_SHARE:
            rating_count = min(250, int(rng.paretovariate(1.3) * 3))
            rating_sum = min(5 * rating_count, round(rng.uniform(4.0, 5.0) * rating_count))
        sold = rating_count * rng.randint(2, 6) + rng.randint(0, 20) if status == PRODUCT_ACTIVE else 0
        plan = ProductPlan(
            seller=seller_index, category=category.slug, title=title, slug=self.next_slug(title),
            description=self.describe(seller, kec_name, template, profile, size, min_order, unit, made_to_order,
                                      lead_time, category.parent_slug),
            price=round_price(rng.randint(size.low, size.high)), unit=unit, min_order=min_order, stock=stock,
            made_to_order=made_to_order, lead_time_days=lead_time, weight_grams=size.weight, tkdn_pct=tkdn,
            status=status, age_seconds=rng.randint(0, PRODUCT_AGE_DAYS * 86400),
            rating_sum=rating_sum, rating_count=rating_count, sold_count=sold,
            picture=self.picture_for(category, template_index, template),
            certificate_kinds=profile.certificates,
        )
        plan.price_max = plan.price
        if status == PRODUCT_ACTIVE:
            self.sell_in_options(plan, category, template, profile, variant, size, used_titles, always_options)
        return plan

    def sell_in_options(self, plan: ProductPlan, category: CategoryRef, template: Template, profile: Profile,
                        variant: str, size: Size, used_titles: set[str], always: bool) -> None:
        """Turn a drawn product into one sold in options (Ukuran × Warna, Rasa × Berat) when its
        template allows and its own stream says so; the title loses the words that became options."""
        options = plan_options(category.slug, template, profile, variant=variant, size=size, price=plan.price,
                               sold_out=plan.stock == 0, seed=self.options_seed, serial=self.serial, always=always)
        if options is None or (options.title != plan.title and options.title in used_titles):
            return
        used_titles.add(options.title)
        plan.title = options.title
        plan.slug = f"{slugify(options.title, 150)}-{slug_suffix(self.serial)}"
        plan.options, plan.variants = options.options, options.variants
        plan.price, plan.price_max, plan.stock = options.price, options.price_max, options.stock
        plan.weight_grams = options.weight_grams

    def products_for(self, seller_index: int, seller: SellerPlan, count: int, status: str) -> list[ProductPlan]:
        trade = TRADES_BY_KEY[seller.trade]
        categories = [self.categories[c] for c in trade.categories if c in self.categories and c in CATALOGUE]
        if not categories or count <= 0:
            return []
        kec_name = next((k.name for k in self.kecamatan if k.code == seller.kecamatan_code), "")
        # Each of the trade's categories first, then mostly the main one.
        weights = [3] + [1] * (len(categories) - 1)
        used_titles: set[str] = set()
        # The demo seller's account shows a product with options whenever one of theirs can have them.
        want_options = seller.email == accounts.SELLER.email
        plans = []
        for i in range(count):
            category = categories[i] if i < len(categories) else self.rng.choices(categories, weights)[0]
            plan = self.product(seller_index, seller, category, kec_name, status, used_titles,
                                always_options=want_options)
            want_options = want_options and not plan.options
            plans.append(plan)
        return plans


def plan_catalogue(*, seed: int, kecamatan: list[Kecamatan], categories: list[CategoryRef], products: int,
                   sellers: int | None = None, today: date, serial_start: int = 0, taken: Taken | None = None,
                   with_demo_sellers: bool = True) -> CataloguePlan:
    """The whole demo catalogue for `seed`: `sellers` verified sellers (default: at least 80, one
    per 100 products) sharing `products` active products, plus — with the demo sellers — the
    demo account's keripik seller in Pamulang and one pending seller with a few drafts.

    `serial_start` and `taken` let a later run add more without clashing with what exists."""
    # A top-up draws from its own stream, so it does not repeat the first run's sellers.
    rng = random.Random(seed if serial_start == 0 else f"{seed}/{serial_start}")  # noqa: S311 (reproducible, not secret)
    planner = Planner(rng, kecamatan, categories, today, serial_start, taken or Taken(),
                      options_seed=f"{seed}/{serial_start}")
    count = sellers if sellers is not None else seller_count_for(products)
    seller_plans = planner.sellers(count, with_demo_sellers)
    product_plans: list[ProductPlan] = []
    for index, (seller, n) in enumerate(zip(seller_plans, planner.allocate(products, seller_plans), strict=True)):
        product_plans += planner.products_for(index, seller, n, PRODUCT_ACTIVE)
    if with_demo_sellers:
        pending = planner.seller(TRADES_BY_KEY["sambal"], planner.find_kecamatan("36.74", "Ciputat Timur"),
                                 status=STATUS_PENDING, business_name=PENDING_SELLER_NAME,
                                 owner_name=accounts.PENDING_SELLER.name, email=accounts.PENDING_SELLER.email,
                                 scale=SCALE_MIKRO)
        seller_plans.append(pending)
        product_plans += planner.products_for(len(seller_plans) - 1, pending, PENDING_DRAFTS, PRODUCT_DRAFT)
    return CataloguePlan(sellers=seller_plans, products=product_plans, pictures=planner.pictures)
