"""Plain builders (CTFd style): gen_user(), gen_seller(), gen_product(), … Each adds to the
session and flushes; the test commits when it needs the rows visible to a request."""

import itertools

from catalog.extensions import db
from catalog.models import (
    Address,
    Agency,
    Budget,
    Category,
    OfficerMembership,
    Product,
    ProductVariant,
    Seller,
    User,
)
from catalog.models.agencies import MEMBERSHIP_CONFIRMED
from catalog.models.base import utcnow

PASSWORD = "rahasia-123"
_seq = itertools.count(1)

# Real region codes from the reference table.
KOTA_TANGSEL = "36.74"
KEC_PAMULANG = "36.74.06"
KEC_SERPONG = "36.74.01"
KOTA_TANGERANG = "36.71"
KAB_TANGERANG = "36.03"


def _n() -> int:
    return next(_seq)


def gen_user(email=None, role="shopper", name=None, password=PASSWORD, **kw) -> User:
    n = _n()
    user = User(email=(email or f"user{n}@contoh.id").lower(), name=name or f"Pengguna {n}", role=role, **kw)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def gen_seller(user=None, status="verified", scale="mikro", kecamatan=KEC_PAMULANG, kota=KOTA_TANGSEL,
               business_name=None, **kw) -> Seller:
    n = _n()
    user = user or gen_user(role="seller")
    name = business_name or f"Usaha Contoh {n}"
    seller = Seller(
        user=user,
        business_name=name,
        slug=kw.pop("slug", None) or f"usaha-contoh-{n}",
        owner_name=kw.pop("owner_name", f"Pemilik {n}"),
        nib=kw.pop("nib", f"{9100000000000 + n:013d}"),
        scale=scale,
        kota_code=kota,
        kecamatan_code=kecamatan,
        whatsapp=kw.pop("whatsapp", f"+62812{n:08d}"),
        status=status,
        verified_at=utcnow() if status == "verified" else None,
        **kw,
    )
    db.session.add(seller)
    db.session.flush()
    return seller


def gen_category(name=None, parent=None, **kw) -> Category:
    n = _n()
    name = name or f"Kategori {n}"
    category = Category(name=name, name_en=kw.pop("name_en", name), slug=kw.pop("slug", f"kategori-{n}"),
                        parent=parent, **kw)
    db.session.add(category)
    db.session.flush()
    return category


def gen_product(seller=None, category=None, title=None, price=15000, stock=10, status="active", sku=None,
                **kw) -> Product:
    n = _n()
    seller = seller or gen_seller()
    category = category or gen_category()
    product = Product(
        seller=seller,
        category=category,
        title=title or f"Produk Contoh {n}",
        slug=kw.pop("slug", f"produk-contoh-{n}"),
        description=kw.pop("description", "<p>Deskripsi produk.</p>"),
        price=price,
        price_max=price,
        stock=stock,
        status=status,
        published_at=utcnow() if status == "active" else None,
        **kw,
    )
    db.session.add(product)
    db.session.add(ProductVariant(product=product, seller_id=seller.id, combo_key="", price=price, stock=stock,
                                  sku=sku, active=True))
    db.session.flush()
    return product


def gen_variant_product(seller=None, options=(("Ukuran", ("S", "M", "L")), ("Warna", ("Biru", "Merah"))),
                        price=100_000, stock=5, **kw) -> Product:
    """A product with options: every combination at `price` with `stock`, made through the
    variants service (so the product row's price and stock follow)."""
    from catalog.services import variants

    product = gen_product(seller=seller, price=price, stock=0, **kw)
    db.session.commit()
    variants.set_options(product, [variants.OptionSpec(name, list(values)) for name, values in options], None)
    variants.bulk_set(product, price=price, stock=stock, actor_id=None)
    return product


def gen_agency(name=None, code=None, kota=KOTA_TANGSEL, pagu=1_000_000_000, year=None, **kw) -> Agency:
    n = _n()
    agency = Agency(name=name or f"Dinas Contoh {n}", code=code or f"DINAS-{n}", type=kw.pop("type", "OPD"),
                    kota_code=kota, **kw)
    db.session.add(agency)
    db.session.flush()
    db.session.add(Budget(agency=agency, fiscal_year=year or utcnow().year, pagu=pagu))
    db.session.flush()
    return agency


def gen_officer(agency=None, duty="pejabat_pengadaan", status=MEMBERSHIP_CONFIRMED, **kw) -> User:
    agency = agency or gen_agency()
    user = gen_user(role="officer", **kw)
    db.session.add(OfficerMembership(user=user, agency=agency, duty=duty, status=status))
    db.session.flush()
    return user


def gen_address(user, kota=KOTA_TANGSEL, kecamatan=KEC_PAMULANG, **kw) -> Address:
    """A delivery address in `user`'s address book (Pamulang unless told otherwise)."""
    address = Address(user_id=user.id, label=kw.pop("label", "Rumah"), recipient=kw.pop("recipient", user.name),
                      phone=kw.pop("phone", "+6281234567890"), kota_code=kota, kecamatan_code=kecamatan,
                      detail=kw.pop("detail", "Jl. Contoh No. 1, RT 01/RW 02"), **kw)
    db.session.add(address)
    db.session.flush()
    return address


def gen_agency_team(agency=None, **agency_kw) -> tuple[Agency, User, User, User]:
    """An agency with a confirmed Pejabat Pengadaan, PPK and Bendahara: (agency, pp, ppk, bendahara)."""
    agency = agency or gen_agency(**agency_kw)
    return (agency, gen_officer(agency, duty="pejabat_pengadaan", name="Pejabat Pengadaan"),
            gen_officer(agency, duty="ppk", name="PPK Instansi"), gen_officer(agency, duty="bendahara", name="Bendahara"))


def gen_ordered_request(pp, ppk, items, *, direct=None, title="Pengadaan contoh"):
    """A purchase request made through the services from `items` [(product, quantity)]: ordered
    directly by the PP (up to Rp200 juta) or submitted to and approved by the PPK. Commits."""
    from catalog.services.procurement import cart, requests

    for product, quantity in items:
        cart.add(pp, product.variants[0].id, quantity)
    pr = requests.create_from_cart(pp, title=title, rup_code=None, needed_by=None,
                                   delivery_address="Jl. Maruga No. 1, Serua, Ciputat",
                                   delivery_kecamatan_code=None, notes="", ppk_id=ppk.id)
    if direct is None:
        direct = pr.total <= 200_000_000
    requests.submit(pr, pp, direct=direct)
    if not direct:
        requests.approve(pr, ppk)
    return pr
