"""A seller's first day, in the browser: a visitor creates an account on the public registration
form, fills the seller wizard (business, location, tax and bank, documents) and sends it; an admin
verifies the shop in the Dinas console; the seller lists a product with two photos, publishes it,
and the product is found by the site's search box within one second of saving.

Only the admin account and the category tree are made with the factories; everything the seller
and the admin do goes through the pages by clicks and typing."""

import io
import re
import time

from playwright.sync_api import expect

from catalog.extensions import db
from tests.e2e.conftest import PHONE, log_in, no_horizontal_scroll
from tests.factories import gen_category, gen_user

SELLER_EMAIL = "sari.keripik@contoh.id"
SELLER_PASSWORD = "Keripik-Pamulang-77"
BUSINESS = "Keripik Singkong Bu Sari"
NIB = "9120304050607"
PRODUCT = "Keripik Singkong Balado Pedas Manis"
SEARCH_WORD = "balado"
SEARCH_BUDGET_S = 1.0


def pdf_bytes(text: str) -> bytes:
    """A small real PDF (fpdf2, as the app's own documents), like the NIB printout from OSS."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def jpeg_bytes(colour: tuple[int, int, int], size=(640, 480)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).ellipse((size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4),
                                  fill=(250, 220, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def upload(name: str, mime: str, data: bytes) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def flash(page):
    return page.locator(".flash").first


def register_account(page, shot) -> None:
    page.goto("/")
    page.get_by_role("link", name="Masuk").first.click()  # the header's way in, then "Daftar"
    page.locator("a[href$='/daftar']").first.click()
    expect(page.get_by_role("heading", name="Buat akun pembeli")).to_be_visible()
    page.fill("#name", "Sari Rahmawati")
    page.fill("#email", SELLER_EMAIL)
    page.fill("#phone", "0812 3456 7890")
    page.fill("#password", SELLER_PASSWORD)
    page.fill("#password_confirm", SELLER_PASSWORD)
    shot(page, "register")
    page.get_by_role("button", name="Daftar", exact=True).click()
    expect(flash(page)).to_contain_text("Akun Anda berhasil dibuat")


def fill_wizard(page, shot) -> None:
    page.locator("#main").get_by_role("link", name="Buka toko gratis").click()
    expect(page.get_by_text("Langkah 1 dari 5")).to_be_visible()
    expect(page.locator(".wizard-note")).to_contain_text(SELLER_EMAIL)  # the account becomes the seller's
    page.fill("#business_name", BUSINESS)
    page.fill("#owner_name", "Sari Rahmawati")
    page.fill("#whatsapp", "0812 3456 7890")
    page.fill("#nib", NIB)
    page.locator("label.choice-card", has_text="Kecil").click()
    shot(page, "wizard-business")
    page.get_by_role("button", name="Simpan & lanjut").click()

    expect(flash(page)).to_contain_text("Data usaha tersimpan")
    expect(page.get_by_text("Langkah 2 dari 5")).to_be_visible()
    page.select_option("#kota", label="Kota Tangerang Selatan")
    # region-select.js fills the kecamatan list from /api/wilayah once a kota is chosen
    expect(page.locator("#kecamatan option", has_text="Pamulang")).to_have_count(1)
    page.select_option("#kecamatan", label="Pamulang")
    expect(page.locator("#kelurahan option", has_text="Pamulang Barat")).to_have_count(1)
    page.select_option("#kelurahan", label="Pamulang Barat")
    page.fill("#street", "Jl. Merpati Raya No. 12")
    page.fill("#rt", "003")
    page.fill("#rw", "007")
    shot(page, "wizard-location")
    page.locator(".wizard-nav").get_by_role("button", name="Simpan & lanjut").click()

    expect(flash(page)).to_contain_text("Lokasi usaha tersimpan")
    expect(page.get_by_text("Langkah 3 dari 5")).to_be_visible()
    page.select_option("#bank", label="BRI")
    page.fill("#account_number", "002101000123456")
    page.fill("#account_name", "Sari Rahmawati")
    page.get_by_role("button", name="Simpan & lanjut").click()

    expect(flash(page)).to_contain_text("Data pajak dan rekening tersimpan")
    expect(page.get_by_text("Langkah 4 dari 5")).to_be_visible()
    page.set_input_files("#nib-file", upload("nib-oss.pdf", "application/pdf", pdf_bytes(f"NIB {NIB}")))
    page.get_by_role("button", name="Unggah NIB").click()
    expect(flash(page)).to_contain_text("Dokumen tersimpan")
    page.select_option("#cert-kind", label="Sertifikat halal")
    page.fill("#cert-number", "ID32110000123450524")
    page.fill("#cert-issuer", "BPJPH")
    page.set_input_files("#cert-file", upload("halal.jpg", "image/jpeg", jpeg_bytes((30, 120, 60))))
    page.get_by_role("button", name="Simpan sertifikat").click()
    expect(flash(page)).to_contain_text("Dokumen tersimpan")
    docs = page.locator(".doc-list .doc-item")
    expect(docs).to_have_count(2)
    expect(docs.filter(has_text="Dokumen NIB")).to_contain_text("Berlaku")
    expect(docs.filter(has_text="Sertifikat halal")).to_contain_text("ID32110000123450524")
    shot(page, "wizard-documents")

    page.get_by_role("link", name="Lanjut periksa").click()
    expect(page.get_by_text("Langkah 5 dari 5")).to_be_visible()
    summary = page.locator(".summary").first
    expect(summary).to_contain_text(BUSINESS)
    expect(summary).to_contain_text(NIB)
    expect(summary).to_contain_text("Kecil")
    expect(page.locator(".checklist .is-missing")).to_have_count(0)  # nothing required is left
    page.get_by_role("button", name="Kirim untuk verifikasi").click()
    expect(flash(page)).to_contain_text("sudah dikirim ke Dinas untuk diverifikasi")
    expect(page.get_by_role("heading", name="Menunggu verifikasi")).to_be_visible()
    shot(page, "wizard-sent")


def verify_in_console(admin, admin_email, shot) -> None:
    log_in(admin, admin_email)
    admin.goto("/admin/")
    admin.locator("a[href$='/admin/penjual']").first.click()
    expect(admin.get_by_role("heading", name="Verifikasi penjual")).to_be_visible()
    row = admin.locator("table.queue-table tbody tr", has_text=BUSINESS)
    expect(row).to_contain_text(NIB)
    expect(row).to_contain_text("Kecil")
    expect(row.locator("td.num")).to_have_text("2")  # both documents are there to check
    shot(admin, "admin-queue")
    row.get_by_role("link", name=BUSINESS).click()
    expect(admin.get_by_text("Dokumen NIB").first).to_be_visible()
    expect(admin.get_by_text("Sertifikat halal").first).to_be_visible()
    shot(admin, "admin-seller")
    admin.locator("#keputusan").get_by_role("button", name="Setujui").click()
    expect(flash(admin)).to_contain_text(f"{BUSINESS} sudah diverifikasi")


def list_product(page, shot) -> None:
    page.get_by_role("link", name="Toko Saya", exact=True).click()
    page.locator("a[href$='/penjual/produk/baru']").first.click()
    expect(page.get_by_role("heading", name="Tambah produk")).to_be_visible()
    page.fill("#title", PRODUCT)
    page.select_option("#category_id", label="Keripik & Camilan")
    page.fill("#description", "Keripik singkong renyah dengan bumbu balado pedas manis, tanpa pengawet. 250 gram.")
    page.fill("#price", "18.500")
    page.fill("#min_order", "1")
    page.fill("#stock", "40")
    page.get_by_role("button", name="Simpan sebagai draf").click()
    expect(flash(page)).to_contain_text(f"Produk “{PRODUCT}” tersimpan. Sekarang tambahkan fotonya.")

    page.set_input_files("#photos", [upload("keripik-1.jpg", "image/jpeg", jpeg_bytes((180, 60, 30))),
                                     upload("keripik-2.jpg", "image/jpeg", jpeg_bytes((200, 150, 40)))])
    page.get_by_role("button", name="Unggah foto").click()
    expect(flash(page)).to_contain_text("2 foto ditambahkan")
    expect(page.locator(".photo-grid .photo-item")).to_have_count(2)
    expect(page.locator(".photo-item").first.locator(".cover-flag")).to_have_text("Sampul")
    shot(page, "product-photos")
    page.locator(".breadcrumb").get_by_role("link", name=PRODUCT).click()
    expect(page.get_by_role("link", name="Kelola foto (2 dari 8)")).to_be_visible()
    expect(page.locator(".listings-head")).to_contain_text("Draf")


def search(page, words: str) -> None:
    """Type into the header's search box and press Enter; wait for the results' HTML."""
    page.fill("#site-search", words)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.press("#site-search", "Enter")


def publish_and_search(page, shot) -> float:
    """Press "Terbitkan", then search for the product with the header's search box until it shows
    or SEARCH_BUDGET_S has passed; returns the seconds from the saved page to the visible hit."""
    hit = page.locator(".search-hit", has_text=PRODUCT)
    search(page, SEARCH_WORD)  # a draft is nobody's search result
    expect(page.locator(".search-empty")).to_be_visible()
    assert hit.count() == 0
    page.go_back()
    with page.expect_navigation():
        page.get_by_role("button", name="Terbitkan").click()
    started = time.monotonic()  # the saved page is there: the clock runs from here
    expect(flash(page)).to_contain_text("Perubahan tersimpan")
    expect(page.locator(".listings-head")).to_contain_text("Aktif")
    while True:
        search(page, SEARCH_WORD)
        if hit.count():
            expect(hit).to_be_visible()
            break
        assert time.monotonic() - started <= SEARCH_BUDGET_S, "the saved product was not found within 1 s"
    elapsed = time.monotonic() - started
    shot(page, "search-hit")
    return elapsed


def test_a_new_seller_registers_is_verified_lists_a_product_and_is_found_by_search(live, new_page, shot):
    with live.context():
        admin_email = gen_user(role="admin", name="Petugas Dinas").email
        snacks = gen_category(name="Makanan & Minuman", slug="makanan-minuman")
        gen_category(name="Keripik & Camilan", slug="keripik-camilan", parent=snacks)
        db.session.commit()

    seller = new_page()
    register_account(seller, shot)
    fill_wizard(seller, shot)

    admin = new_page()
    verify_in_console(admin, admin_email, shot)

    seller.reload()
    expect(seller).to_have_url(f"{live.url}/penjual")  # the wizard is closed: the dashboard opens
    expect(seller.get_by_role("link", name="Pemberitahuan 1 belum dibaca")).to_be_visible()
    list_product(seller, shot)
    expect(seller).to_have_url(re.compile(r"/penjual/produk/\d+$"))  # the listing's edit page
    elapsed = publish_and_search(seller, shot)
    assert elapsed <= SEARCH_BUDGET_S, f"found after {elapsed:.2f} s"

    card = seller.locator(".search-hit", has_text=PRODUCT)
    expect(card).to_contain_text("Rp 18.500")
    expect(card).to_contain_text(BUSINESS)
    expect(card.locator("img")).to_have_count(1)  # the cover photo shows in the result
    card.get_by_role("link").first.click()
    expect(seller.get_by_role("heading", name=PRODUCT)).to_be_visible()
    expect(seller.locator("main img[src*='/media/']")).not_to_have_count(0)
    shot(seller, "product-page")

    phone = new_page(PHONE)
    phone.goto(f"/cari?q={SEARCH_WORD}")
    expect(phone.locator(".search-hit", has_text=PRODUCT)).to_be_visible()
    width, viewport = no_horizontal_scroll(phone)
    assert width <= viewport
    assert not seller.js_errors and not admin.js_errors
