"""A hand-computed Inpres 2/2022 fixture for the compliance tests: one agency (pagu Rp10.000.000)
buying from a mikro, a kecil, a menengah, a koperasi of scale menengah and a mikro that declines,
through the procurement services, with the Surat Pesanan dates moved into known months.

What the figures must be (year Y, the current fiscal year):
  committed   3.800.000 = mikro 500.000 + kecil 2.000.000 + menengah 1.000.000 + koperasi 300.000
  UMK-K       2.800.000 (menengah never counts; the koperasi counts whatever its scale;
              the declined 280.000 counts nowhere)
  realised    1.500.000 = mikro 500.000 (paid 3 Feb) + menengah 1.000.000 (paid 20 Mar)
  UMK-K realised 500.000
  months      issued: Jan 500.000 (mikro), Mar 3.000.000 (kecil issued 1 Mar 01.00 WIB = 28 Feb
              18.00 UTC, menengah), Apr 300.000 (koperasi)
  TKDN        mikro 60 %, kecil 30 %, menengah none, koperasi 10 %
  categories  ATK 2.000.000, Fashion 1.000.000, Minuman 500.000, "Lainnya" 300.000 (line without one)
  kecamatan   Serpong 2.300.000 (kecil + koperasi), Pamulang 1.500.000 (mikro + menengah)
"""

from dataclasses import dataclass
from datetime import date, datetime, timezone

from catalog.extensions import db
from catalog.models import Agency, PurchaseOrder, User
from catalog.services.certificates import jakarta_today
from catalog.services.procurement import orders
from tests.factories import (
    KEC_PAMULANG,
    KEC_SERPONG,
    KOTA_TANGERANG,
    gen_agency_team,
    gen_category,
    gen_ordered_request,
    gen_product,
    gen_seller,
)

PAGU = 10_000_000
KEC_KOTA_TANGERANG = "36.71.01"


@dataclass
class World:
    year: int
    agency: Agency
    pp: User
    ppk: User
    bendahara: User
    by_name: dict[str, PurchaseOrder]


def _deliver_and_pay(po: PurchaseOrder, ppk: User, bendahara: User, paid_on: date) -> None:
    seller = po.seller
    quantities = {line.id: line.quantity for line in po.lines}
    orders.accept(po, seller, actor_id=seller.user_id)
    orders.record_delivery(po, seller, actor_id=seller.user_id, quantities=quantities)
    orders.record_receipt(po, ppk, number=f"BAST/{po.sequence}", received_on=None, quantities=quantities)
    invoice = orders.issue_invoice(po, seller, actor_id=seller.user_id)
    orders.record_payment(invoice, bendahara, method="transfer", reference=f"TRX-{po.sequence}", paid_on=None)
    invoice.issued_on = invoice.paid_on = invoice.payment.paid_on = paid_on
    db.session.commit()


def build_world(code: str = "DISKOMINFO-TGSL", formula_name: bool = False) -> World:
    year = jakarta_today().year
    agency, pp, ppk, bendahara = gen_agency_team(code=code, name="Dinas Kominfo Tangsel", pagu=PAGU)
    minuman, atk, fashion = gen_category(name="Minuman"), gen_category(name="ATK"), gen_category(name="Fashion")
    kopi_cat = gen_category(name="Kopi", parent=minuman)
    kertas_cat = gen_category(name="Kertas", parent=atk)
    kaos_cat = gen_category(name="Kaos", parent=fashion)
    mikro = gen_seller(scale="mikro", business_name="=HYPERLINK(\"http://x\")" if formula_name else "Kopi Pamulang",
                       kecamatan=KEC_PAMULANG)
    kecil = gen_seller(scale="kecil", business_name="Kertas Serpong", kecamatan=KEC_SERPONG)
    menengah = gen_seller(scale="menengah", business_name="Konveksi Besar", kecamatan=KEC_PAMULANG)
    koperasi = gen_seller(scale="menengah", is_koperasi=True, business_name="Koperasi Kopi Serpong",
                          kecamatan=KEC_SERPONG)
    decliner = gen_seller(scale="mikro", business_name="Kaos Sablon Mini", kecamatan=KEC_PAMULANG)
    # Sellers only the suggestions look at: another kota (after the agency's own), and a pending one.
    gen_product(seller=gen_seller(scale="kecil", business_name="ATK Kota Tangerang", kota=KOTA_TANGERANG,
                                  kecamatan=KEC_KOTA_TANGERANG), category=kertas_cat)
    gen_product(seller=gen_seller(scale="mikro", status="pending", business_name="Belum Terverifikasi"),
                category=kertas_cat)
    products = [
        (gen_product(seller=mikro, category=kopi_cat, price=50_000, stock=100, tkdn_pct=60), 10),
        (gen_product(seller=kecil, category=kertas_cat, price=100_000, stock=100, tkdn_pct=30), 20),
        (gen_product(seller=menengah, category=kaos_cat, price=200_000, stock=100), 5),
        (gen_product(seller=koperasi, category=kopi_cat, price=10_000, stock=100, tkdn_pct=10), 30),
        (gen_product(seller=decliner, category=kaos_cat, price=70_000, stock=100), 4),
    ]
    db.session.commit()
    pr = gen_ordered_request(pp, ppk, products)
    by_seller = {po.seller_id: po for po in pr.purchase_orders}
    by_name = {"mikro": by_seller[mikro.id], "kecil": by_seller[kecil.id], "menengah": by_seller[menengah.id],
               "koperasi": by_seller[koperasi.id], "declined": by_seller[decliner.id]}
    orders.decline(by_name["declined"], decliner, actor_id=decliner.user_id, reason="Kapasitas penuh")
    _deliver_and_pay(by_name["mikro"], ppk, bendahara, date(year, 2, 3))
    _deliver_and_pay(by_name["menengah"], ppk, bendahara, date(year, 3, 20))
    utc = timezone.utc
    by_name["mikro"].issued_at = datetime(year, 1, 15, 3, 0, tzinfo=utc)
    by_name["kecil"].issued_at = datetime(year, 2, 28, 18, 0, tzinfo=utc)  # 1 March 01.00 WIB
    by_name["menengah"].issued_at = datetime(year, 3, 10, 3, 0, tzinfo=utc)
    by_name["koperasi"].issued_at = datetime(year, 4, 2, 3, 0, tzinfo=utc)
    by_name["declined"].issued_at = datetime(year, 4, 5, 3, 0, tzinfo=utc)
    by_name["koperasi"].lines[0].category_id = None  # a line without a category: "Lainnya"
    db.session.commit()
    return World(year=year, agency=agency, pp=pp, ppk=ppk, bendahara=bendahara, by_name=by_name)
