"""A government purchase from request for quotation to payment, in five browsers: the Pejabat
Pengadaan opens an RFQ, two sellers quote, the officer compares the sealed-then-opened prices
and awards the cheapest, the PPK approves and the Surat Pesanan is issued, the seller accepts and
delivers, the PPK records the BAST, the seller invoices, the Bendahara records the payment, and
the Inpres 2/2022 dashboard's UMK-K share of the pagu moves by exactly the awarded amount.

The factories make the agency with its team (gen_agency_team), the two sellers with a catering
product each, and one earlier Surat Pesanan so that the share does not start at zero. The one
step no person does is the clock: the RFQ's deadline is moved an hour into the past once both
quotations are in (prices stay sealed until the deadline, which is at least an hour away)."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import Rfq
from catalog.models.base import utcnow
from tests.e2e.conftest import log_in
from tests.e2e.gov_steps import flash, menu, open_gov_order, open_rfq, quote, row, umkk_share
from tests.factories import KEC_SERPONG, gen_agency_team, gen_category, gen_ordered_request, gen_product, gen_seller

PAGU = 100_000_000
EARLIER = (50_000, 200)  # an earlier UMK-K Surat Pesanan: Rp10.000.000, 10,0% of the pagu
TITLE = "Konsumsi rapat koordinasi Desember"
LINES = [("Nasi kotak rapat", 200, "kotak"), ("Snack kotak", 200, "kotak")]
BU_SARI = "Dapur Bu Sari"  # mikro, Pamulang
SERPONG = "Katering Serpong"  # kecil, Serpong: the cheaper on both lines
PRICES = {BU_SARI: [("36.000", "3"), ("13.000", "3")], SERPONG: [("34.000", "2"), ("12.500", "2")]}
AWARDED = 200 * 34_000 + 200 * 12_500  # Rp9.300.000
PPH22 = AWARDED * 15 // 1000  # 1,5% of the DPP (a seller that is not PKP: DPP = total)


def rp(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def prepare(live) -> dict:
    with live.context():
        agency, pp, ppk, bendahara = gen_agency_team(name="Dinas Kominfo Tangsel", code="DISKOMINFO-TGSL",
                                                     pagu=PAGU)
        makanan = gen_category(name="Makanan Siap Saji")
        katering = gen_category(name="Katering Rapat", parent=makanan)
        minuman = gen_category(name="Minuman")
        bank = {"bank_name": "BRI", "bank_account_number": "002101000123456"}
        sari = gen_seller(scale="mikro", business_name=BU_SARI, bank_account_name="Sari", **bank)
        serpong = gen_seller(scale="kecil", business_name=SERPONG, kecamatan=KEC_SERPONG,
                             bank_account_name="Katering Serpong", **bank)
        kopi = gen_seller(scale="mikro", business_name="Kopi Pamulang")
        for seller in (sari, serpong):
            gen_product(seller=seller, category=katering, title=f"Nasi kotak {seller.business_name}")
        earlier = gen_product(seller=kopi, category=minuman, title="Kopi Robusta 250gr", price=EARLIER[0], stock=500)
        db.session.commit()
        gen_ordered_request(pp, ppk, [(earlier, EARLIER[1])], title="Kopi untuk tamu")
        return {"pp": pp.email, "ppk": ppk.email, "bendahara": bendahara.email,
                "sari": sari.user.email, "serpong": serpong.user.email}


def close_bidding(live) -> None:
    """The clock: the deadline passes."""
    with live.context():
        rfq = db.session.scalar(select(Rfq))
        rfq.deadline = utcnow() - timedelta(hours=1)
        db.session.commit()


def test_an_rfq_is_quoted_awarded_approved_delivered_invoiced_paid_and_counted(live, new_page, shot):
    emails = prepare(live)
    pp, ppk, bendahara, sari, serpong = (new_page() for _ in range(5))
    for page, who in ((pp, "pp"), (ppk, "ppk"), (bendahara, "bendahara"), (sari, "sari"), (serpong, "serpong")):
        log_in(page, emails[who])

    # The Pejabat Pengadaan reads the share, then asks for quotations.
    pp.goto("/")
    before = umkk_share(pp)
    assert before == 100 * EARLIER[0] * EARLIER[1] / PAGU
    shot(pp, "dashboard-before")
    open_rfq(pp, title=TITLE, lines=LINES, category="Katering Rapat", ppk_name="PPK Instansi")
    expect(flash(pp)).to_contain_text("2 penjual yang memenuhi syarat sudah diberi tahu")
    expect(pp.locator("h1")).to_have_text(TITLE)
    rfq_url = pp.url

    # Two sellers quote; the officer sees that two came in, not the prices.
    quote(sari, TITLE, PRICES[BU_SARI])
    quote(serpong, TITLE, PRICES[SERPONG])
    shot(serpong, "seller-quoted")
    pp.reload()
    expect(pp.locator(".order-next")).to_contain_text("Sudah masuk: 2 penawaran")
    expect(pp.locator("main")).not_to_contain_text("34.000")

    close_bidding(live)
    pp.goto(rfq_url)
    grid = pp.locator("table.rfq-grid")
    cheapest = grid.locator("tr", has_text=SERPONG)
    expect(cheapest.locator(".rfq-total-cell")).to_contain_text(rp(AWARDED))
    expect(cheapest.locator(".rfq-total-cell")).to_contain_text("Termurah untuk semua baris")
    expect(cheapest.locator("td.is-cheapest")).to_have_count(3)  # both lines and the total
    expect(grid.locator("tr", has_text=BU_SARI).locator(".rfq-total-cell")).to_contain_text(rp(9_800_000))
    shot(pp, "rfq-compare")
    award = pp.locator("#pemenang")
    for line in LINES:  # each line starts on the cheapest offer
        expect(award.locator("fieldset", has_text=line[0]).locator("input:checked")).to_have_count(1)
        expect(award.locator("fieldset", has_text=line[0]).locator("label.rfq-choice", has_text=SERPONG)
               .locator("input")).to_be_checked()
    award.get_by_label("Ajukan ke PPK untuk disetujui").check()
    award.locator("#ppk_id").select_option(label="PPK Instansi")
    award.get_by_role("button", name="Tetapkan pemenang").click()
    expect(flash(pp)).to_contain_text("dikirim ke PPK untuk disetujui")
    expect(pp.locator(".order-next")).to_contain_text(f"Total {rp(AWARDED)}")

    # The PPK approves: the Surat Pesanan is issued to Katering Serpong.
    ppk.goto("/")
    menu(ppk, "Permintaan")
    row(ppk, TITLE).locator("a.order-number").click()
    expect(ppk.get_by_role("heading", name="Menunggu persetujuan PPK")).to_be_visible()
    expect(ppk.locator(".budget-facts")).to_contain_text(rp(PAGU))
    expect(ppk.locator(".budget-ok")).to_contain_text("Cukup")
    shot(ppk, "ppk-approve")
    ppk.get_by_role("button", name="Setujui dan terbitkan Surat Pesanan").click()
    expect(flash(ppk)).to_contain_text("Permintaan disetujui. Surat Pesanan sudah dikirim ke penjual.")
    menu(ppk, "Surat Pesanan")
    order_row = row(ppk, SERPONG)
    expect(order_row).to_contain_text(rp(AWARDED))
    sp_number = order_row.locator("a.order-number").inner_text().strip()
    assert sp_number.startswith("SP/DISKOMINFO-TGSL/")

    # The losing seller is told; the winner accepts and delivers everything.
    sari.goto("/penjual/rfq")
    sari.get_by_role("link", name=TITLE).first.click()
    expect(sari.locator(".order-next")).to_contain_text("Instansi sudah memilih penjual lain")
    open_gov_order(serpong, sp_number)
    expect(serpong.locator(".order-head")).to_contain_text("Dinas Kominfo Tangsel")
    serpong.get_by_role("button", name="Terima Surat Pesanan").click()
    expect(flash(serpong)).to_contain_text("Surat Pesanan diterima")
    for description, quantity, _unit in LINES:
        serpong.locator(".gov-qty-row", has_text=description).locator("input").fill(str(quantity))
    serpong.fill("#note", "Diantar Pak Budi")
    serpong.get_by_role("button", name="Catat pengiriman").click()
    expect(flash(serpong)).to_contain_text("Pengiriman dicatat")
    expect(serpong.locator(".order-next")).to_contain_text("Menunggu PPK instansi memeriksa barang")
    shot(serpong, "seller-delivered")

    # The PPK records the BAST for what arrived (the form is filled with what was shipped).
    ppk.get_by_role("link", name=sp_number).first.click()
    bast = ppk.locator("#bast")
    for description, quantity, _unit in LINES:
        expect(bast.locator(".bast-line", has_text=description).locator("input")).to_have_value(str(quantity))
    bast.locator("#number").fill("BAST/027/2026")
    bast.get_by_role("button", name="Simpan BAST").click()
    expect(flash(ppk)).to_contain_text("BAST dicatat")
    shot(ppk, "bast")

    # The seller issues the invoice after checking the tax preview.
    serpong.reload()
    expect(serpong.locator(".order-next")).to_contain_text("PPK sudah mencatat BAST")
    tax = serpong.locator(".gov-tax")
    expect(tax).to_contain_text(rp(AWARDED))
    expect(tax.locator(".totals-grand")).to_contain_text(rp(AWARDED - PPH22))
    serpong.get_by_role("button", name="Terbitkan tagihan").click()
    expect(serpong.locator(".order-next")).to_contain_text("menunggu pembayaran Bendahara")
    shot(serpong, "seller-invoiced")

    # The Bendahara records the payment.
    bendahara.goto("/")
    menu(bendahara, "Tagihan")
    row(bendahara, SERPONG).locator("a.order-number").click()
    expect(bendahara.locator(".order-head")).to_contain_text("Belum dibayar")
    expect(bendahara.locator(".totals")).to_contain_text(rp(AWARDED))
    expect(bendahara.get_by_text(f"Yang dibayarkan: {rp(AWARDED - PPH22)}.")).to_be_visible()
    bendahara.get_by_label("Transfer bank").check()
    bendahara.fill("#reference", "SP2D-00123/2026")
    shot(bendahara, "payment-form")
    bendahara.get_by_role("button", name="Catat pembayaran").click()
    expect(flash(bendahara)).to_contain_text("dicatat")
    expect(bendahara.locator(".order-head")).to_contain_text("Dibayar")
    expect(bendahara.get_by_role("heading", name="Sudah dibayar")).to_be_visible()

    serpong.reload()
    expect(serpong.locator(".gov-paid-note")).to_contain_text("ref. SP2D-00123/2026")
    expect(serpong.locator(".gov-paid-note")).to_contain_text(rp(AWARDED - PPH22))
    shot(serpong, "seller-paid")

    # The share of the pagu moved by the awarded amount, and the realised spend shows the payment.
    after = umkk_share(pp)
    assert round(after - before, 1) == round(100 * AWARDED / PAGU, 1) == 9.3, (before, after)
    realised = pp.locator(".inpres-card", has_text="Realisasi (tagihan dibayar)")
    expect(realised.locator(".stat-number")).to_have_text(rp(AWARDED))
    shot(pp, "dashboard-after")
    for page in (pp, ppk, bendahara, sari, serpong):
        assert not page.js_errors
