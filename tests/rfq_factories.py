"""Builders for requests for quotation: a market of sellers that do and do not qualify, an RFQ
opened through the service, quotations, all at a frozen time passed as `now`."""

from datetime import datetime, timedelta

from catalog.extensions import db
from catalog.formatting import JAKARTA
from catalog.services.procurement import rfq as rfqs
from tests.factories import (
    KAB_TANGERANG,
    KEC_PAMULANG,
    KEC_SERPONG,
    KOTA_TANGSEL,
    gen_category,
    gen_product,
    gen_seller,
)

# Monday 7 December 2026, 09.00 WIB: a plain working week (no holiday until 25 December).
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=JAKARTA)
# Friday 4 December 2026, 15.00 WIB: a deadline right before a weekend.
FRIDAY_3PM = datetime(2026, 12, 4, 15, 0, tzinfo=JAKARTA)

LINES = [("Nasi kotak rapat", 100, "kotak", 40_000), ("Snack kotak", 100, "kotak", None)]


class Market:
    """A two-level category (Makanan › Katering) and sellers that do and do not qualify."""

    def __init__(self):
        self.makanan = gen_category(name="Makanan Siap Saji")
        self.katering = gen_category(name="Katering Rapat", parent=self.makanan)
        self.kerajinan = gen_category(name="Kerajinan")
        self.mikro = gen_seller(scale="mikro", business_name="Dapur Bu Sari")
        self.kecil = gen_seller(scale="kecil", business_name="Katering Serpong", kecamatan=KEC_SERPONG)
        self.koperasi = gen_seller(scale="menengah", is_koperasi=True, business_name="Koperasi Warga Pamulang")
        self.menengah = gen_seller(scale="menengah", business_name="Boga Besar")
        self.kabupaten = gen_seller(scale="mikro", business_name="Nasi Uduk Balaraja", kota=KAB_TANGERANG,
                                    kecamatan="36.03.01")
        self.crafts = gen_seller(scale="mikro", business_name="Anyaman Pamulang")
        self.pending = gen_seller(scale="mikro", status="pending", business_name="Belum Terverifikasi")
        self.archived_only = gen_seller(scale="mikro", business_name="Katering Tutup")
        for seller in (self.mikro, self.kecil, self.koperasi, self.menengah, self.kabupaten, self.pending):
            gen_product(seller=seller, category=self.katering, title=f"Nasi kotak {seller.business_name}")
        gen_product(seller=self.crafts, category=self.kerajinan, title="Tas anyaman")
        gen_product(seller=self.archived_only, category=self.katering, title="Nasi kotak lama", status="archived")
        db.session.commit()


def open_rfq(officer, *, now=MONDAY, deadline=None, lines=LINES, title="Konsumsi rapat koordinasi",
             category=None, kota=None, umkk_only=True, ppk=None):
    """An RFQ opened by `officer` through the service (commits)."""
    return rfqs.create_rfq(
        officer, title=title, delivery_address="Jl. Maruga No. 1, Serua, Ciputat",
        delivery_kecamatan_code=KEC_PAMULANG, notes="", ppk_id=ppk.id if ppk else None, lines=lines,
        deadline=deadline or now + timedelta(days=2), category_id=category.id if category else None,
        kota_code=kota, umkk_only=umkk_only, now=now)


def quote(rfq, seller, prices, *, days=2, now=MONDAY):
    """`prices` by line position (1-based): {1: 35_000, 2: None}."""
    by_position = {line.position: line.id for line in rfq.lines}
    return rfqs.submit_quotation(rfq, seller, {by_position[p]: (price, days, "") for p, price in prices.items()},
                                 notes="", now=now)


__all__ = ["FRIDAY_3PM", "KOTA_TANGSEL", "LINES", "MONDAY", "Market", "open_rfq", "quote"]
