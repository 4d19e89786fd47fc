"""Builders for the statistics, audit and transparency tests: shopper orders with a chosen
status, total and time, sellers with known verification times, and a request whose Surat
Pesanan go to chosen sellers (through the procurement services)."""

import itertools
from datetime import datetime

from catalog.extensions import db
from catalog.models import Order, OrderGroup, Seller, User
from tests.factories import KEC_PAMULANG, KOTA_TANGSEL, gen_agency_team, gen_ordered_request, gen_product, gen_seller

_seq = itertools.count(1)


def gen_shop_order(seller: Seller, shopper: User, *, status: str, total: int, created_at: datetime,
                   recipient: str = "Penerima Contoh", phone: str = "+6281200000000") -> Order:
    """One checkout with one seller's order (no payment row: the order's status says it)."""
    n = next(_seq)
    group = OrderGroup(number=f"KU-T{n:06d}", user_id=shopper.id, checkout_token=f"tok-stats-{n}", recipient=recipient,
                       phone=phone, kota_code=KOTA_TANGSEL, kecamatan_code=KEC_PAMULANG,
                       address_detail="Jl. Contoh No. 1", items_total=total, shipping_total=0, total=total)
    db.session.add(group)
    db.session.flush()
    order = Order(number=f"{group.number}-1", group=group, seller_id=seller.id, user_id=shopper.id, status=status,
                  items_total=total, shipping_fee=0, total=total, delivery_kind="pickup", delivery_name="Ambil di toko")
    db.session.add(order)
    db.session.flush()
    order.created_at = created_at
    db.session.flush()
    return order


def gen_timed_seller(submitted_at: datetime, verified_at: datetime, **kw) -> Seller:
    seller = gen_seller(**kw)
    seller.submitted_at = submitted_at
    seller.verified_at = verified_at
    db.session.flush()
    return seller


def gen_gov_spend(sellers: list[Seller], *, price: int = 100_000, quantity: int = 1, agency=None, **agency_kw):
    """An agency (with its team) whose one request issues a Surat Pesanan to each seller.
    Returns (agency, purchase request). Commits."""
    agency, pp, ppk, _bendahara = gen_agency_team(agency, **agency_kw)
    products = [(gen_product(seller=s, price=price, stock=100), quantity) for s in sellers]
    db.session.commit()
    return agency, gen_ordered_request(pp, ppk, products)
