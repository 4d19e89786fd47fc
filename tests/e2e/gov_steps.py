"""Steps of the government journey as the people do them in their browsers: the Pejabat Pengadaan
opens a request for quotation, sellers quote, the officer compares and awards, the PPK approves,
the seller accepts and delivers, the PPK records the BAST, the seller invoices, the Bendahara
pays; and reading the Inpres 2/2022 dashboard's UMK-K share as a number."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from catalog.formatting import JAKARTA
from catalog.models.base import utcnow


def flash(page):
    return page.locator(".flash").first


def menu(page, label: str) -> None:
    """A tab of the procurement menu (Tugas saya, Permintaan penawaran, Surat Pesanan, …), from
    the header's "Pengadaan" link on pages without the menu."""
    if not page.locator("nav.proc-nav").count():
        page.locator("header").get_by_role("link", name="Pengadaan", exact=True).click()
    page.locator("nav.proc-nav").get_by_role("link", name=label, exact=True).click()


def row(page, text: str):
    """The one row of a procurement list (requests, Surat Pesanan, invoices) that mentions `text`."""
    return page.locator(".order-row", has_text=text)


def umkk_share(page) -> float:
    """The dashboard's "Porsi UMK-K terhadap pagu", e.g. "19,3%" → 19.3."""
    menu(page, "Dasbor Inpres")
    card = page.locator(".inpres-card-share")
    expect(card.locator(".stat-label")).to_have_text("Porsi UMK-K terhadap pagu")
    text = card.locator(".stat-number").inner_text().strip()
    match = re.fullmatch(r"(\d+(?:\.\d{3})*),(\d)%", text)
    assert match, f"not a share: {text!r}"
    return float(f"{match.group(1).replace('.', '')}.{match.group(2)}")


def open_rfq(page, *, title, lines, category, ppk_name) -> None:
    """The Pejabat Pengadaan fills /pengadaan/rfq/baru: `lines` are (description, quantity, unit)."""
    menu(page, "Permintaan penawaran")
    page.locator("a[href$='/pengadaan/rfq/baru']").first.click()
    expect(page.get_by_role("heading", name="Permintaan penawaran baru")).to_be_visible()
    page.fill("#title", title)
    deadline = (utcnow() + timedelta(days=2)).astimezone(JAKARTA).replace(hour=15, minute=0)
    page.fill("#deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    for n, (description, quantity, unit) in enumerate(lines):
        page.fill(f"#lines-{n}-description", description)
        page.fill(f"#lines-{n}-quantity", str(quantity))
        page.fill(f"#lines-{n}-unit", unit)
    page.select_option("#category_id", label=category)
    page.select_option("#kota_code", label="Kota Tangerang Selatan")
    expect(page.locator("#umkk_only")).to_be_checked()
    page.select_option("#delivery_kecamatan_code", label="Ciputat")
    page.fill("#delivery_address", "Jl. Maruga No. 1, Serua, Ciputat")
    page.select_option("#ppk_id", label=ppk_name)
    page.get_by_role("button", name="Terbitkan permintaan penawaran").click()


def quote(page, title: str, prices: list[tuple[str, str]]) -> None:
    """A seller answers the RFQ `title` from /penjual/rfq with (unit price, days) per line."""
    page.goto("/penjual/rfq")
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_text("Ajukan penawaran sebelum")).to_be_visible()
    for n, (price, days) in enumerate(prices):
        page.fill(f"#lines-{n}-unit_price", price)
        page.fill(f"#lines-{n}-delivery_days", days)
    page.get_by_role("button", name="Kirim penawaran").click()
    expect(flash(page)).to_contain_text("Penawaran Anda terkirim")


def open_gov_order(page, number: str):
    """The seller's Surat Pesanan `number`, from the list of government orders."""
    page.goto("/penjual/pesanan-pemerintah")
    page.get_by_role("link", name=number).first.click()
    expect(page.locator("h1")).to_contain_text(number)
