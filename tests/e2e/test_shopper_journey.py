"""A shopper's whole purchase in the browser, as people do it: Siti searches "keripik" from the
search bar, narrows to sellers in Kecamatan Pamulang, adds keripik from two sellers, logs in at
checkout, adds her address, pays by bank transfer and uploads the receipt; the Dinas confirms
the transfer (a checkout with two sellers is the Dinas's to confirm, services/payments.py), Bu
Sari accepts and ships with a tracking number, Siti confirms receipt and rates the keripik, and
her review is on the product page."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.shop_steps import (
    ADMIN,
    BALADO,
    PISANG,
    SARI,
    SHOPPER,
    TEMPE,
    add_to_cart,
    keripik_market,
    receipt_photo,
    search_from_bar,
    snap,
    value_of,
)
from tests.factories import PASSWORD

REVIEW = "Renyah, pedasnya pas, kemasan rapi."


def seller_box(page, business_name):
    """One seller's part of the checkout on the shopper's order page."""
    return page.locator("section.seller-order").filter(has=page.get_by_role("heading", name=business_name))


def test_shopper_buys_from_two_sellers_pays_by_transfer_and_reviews(live, new_page, shot):
    market = keripik_market(live)
    page = new_page()

    # --- search, filter, open a product -----------------------------------------------------
    page.goto("/")
    search_from_bar(page, "keripik")
    summary = page.locator("#search-summary")
    expect(summary).to_have_text("Menampilkan 1–3 dari 3 produk untuk “keripik”")
    page.get_by_label("Kota Tangerang Selatan").check()  # wide screens apply a filter at once
    expect(page).to_have_url(re.compile(r"kota=36\.74"))
    page.get_by_label("Kecamatan").select_option(label="Pamulang (2)")
    expect(page).to_have_url(re.compile(r"kecamatan=36\.74\.06"))
    expect(page.locator(".filter-chips")).to_contain_text("Kec. Pamulang")
    expect(summary).to_have_text("Menampilkan 1–2 dari 2 produk untuk “keripik”")
    expect(page.get_by_role("link", name=PISANG)).to_have_count(0)
    snap(shot, page, "search-keripik-in-pamulang")

    page.get_by_role("link", name=BALADO).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(BALADO)
    expect(page.locator(".product-price")).to_contain_text("Rp 15.000")
    add_to_cart(page)
    expect(page.locator(".nav-cart .bell-count")).to_have_text("1 barang")
    snap(shot, page, "product-added")

    search_from_bar(page, "keripik tempe")
    page.get_by_role("link", name=TEMPE).click()
    add_to_cart(page, quantity=2)
    page.get_by_role("link", name="Lihat keranjang").click()

    # --- cart, log in, address, checkout -----------------------------------------------------
    expect(page).to_have_url(re.compile(r"/keranjang$"))
    cart_summary = page.locator(".shop-summary")  # one cart, grouped by seller
    expect(value_of(cart_summary, "Keripik Bu Sari")).to_have_text("Rp 15.000")
    expect(value_of(cart_summary, "Dapur Pamulang")).to_have_text("Rp 24.000")
    expect(value_of(cart_summary, "Total harga barang")).to_have_text("Rp 39.000")
    snap(shot, page, "cart-two-sellers")
    page.get_by_role("link", name="Lanjut ke checkout").click()

    expect(page).to_have_url(re.compile(r"/masuk\?next="))
    expect(page.locator(".flash")).to_contain_text("Silakan masuk untuk membuka halaman ini.")
    page.get_by_label("Email").fill(SHOPPER)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/checkout$"))
    expect(page.locator(".flashes")).to_contain_text("sudah digabung ke keranjang akun ini")
    # No address yet: the courier seller asks for one instead of claiming not to deliver there.
    expect(page.get_by_text("Isi alamat pengiriman.")).to_be_visible()
    expect(page.get_by_text("tidak mengirim ke alamat yang dipilih")).to_have_count(0)
    page.get_by_role("link", name="Tambah alamat pengiriman").click()

    page.get_by_label("Nama penerima").fill("Siti Rahma")
    page.get_by_label("Nomor HP penerima").fill("0812 3456 7890")
    page.get_by_label("Kota/kabupaten").select_option(label="Kota Tangerang Selatan")
    page.get_by_label("Kecamatan").select_option(label="Pamulang")  # filled by region-select.js
    page.get_by_label("Alamat lengkap").fill("Jl. Surya Kencana No. 12, RT 03/RW 05")
    page.locator(".form-actions").get_by_role("button", name="Simpan alamat").click()

    expect(page).to_have_url(re.compile(r"/checkout"))
    expect(page.locator(".flash")).to_contain_text("Alamat tersimpan.")
    expect(page.get_by_label("JNE Reguler · Rp 10.000")).to_be_checked()
    expect(page.get_by_label("Transfer bank")).to_be_checked()
    checkout_summary = page.locator(".shop-summary")
    expect(value_of(checkout_summary, "Keripik Bu Sari")).to_have_text("Rp 25.000")  # with the courier
    expect(value_of(checkout_summary, "Dapur Pamulang")).to_have_text("Rp 24.000")  # picked up: free
    expect(value_of(checkout_summary, "Total ongkos kirim")).to_have_text("Rp 10.000")
    expect(value_of(checkout_summary, "Total bayar")).to_have_text("Rp 49.000")
    snap(shot, page, "checkout")
    page.get_by_role("button", name="Buat pesanan").click()

    # --- the order page: pay by transfer, upload the receipt -----------------------------------
    expect(page.locator(".flash-success")).to_contain_text("sudah dibuat")
    number = page.locator("h1 .mono").inner_text()
    assert re.fullmatch(r"KU-\d{6}-[A-Z0-9]{5}", number), number
    expect(page.locator(".order-page-meta")).to_contain_text("Belum dibayar")
    payment = page.locator(".payment-box")
    expect(value_of(payment, "Jumlah tepat")).to_have_text("Rp 49.000")
    expect(value_of(payment, "Berita transfer")).to_have_text(number)
    for seller in ("Keripik Bu Sari", "Dapur Pamulang"):
        expect(seller_box(page, seller)).to_contain_text("Menunggu pembayaran")
    page.get_by_label("Unggah bukti transfer").set_input_files(receipt_photo())
    page.get_by_role("button", name="Kirim bukti transfer").click()
    expect(page.locator(".flash-success")).to_contain_text("Bukti transfer terkirim.")
    expect(page.locator(".order-page-meta")).to_contain_text("Menunggu konfirmasi transfer")
    expect(page.locator(".proof-status")).to_contain_text("Dinas sedang mencocokkannya dengan rekening.")
    snap(shot, page, "receipt-uploaded")

    # --- the Dinas sees the money arrive and confirms -----------------------------------------
    admin = new_page()
    log_in(admin, ADMIN)
    admin.get_by_role("link", name="Konsol Dinas").click()
    admin.get_by_role("link", name="Pembayaran transfer").first.click()
    row = admin.locator("tr").filter(has_text=number)
    expect(row).to_contain_text("Rp 49.000")
    expect(row).to_contain_text("Keripik Bu Sari, Dapur Pamulang")
    row.get_by_role("link", name="Lihat bukti").click()
    receipt = admin.locator("img")
    expect(receipt).to_be_visible()
    assert admin.evaluate("document.images[0].naturalWidth") == 64  # the receipt Siti sent
    admin.go_back()
    snap(shot, admin, "dinas-transfer-queue")
    admin.locator("tr").filter(has_text=number).get_by_role("button", name="Konfirmasi diterima").click()
    expect(admin.locator(".flash-success")).to_contain_text(f"Pembayaran {number} dikonfirmasi.")
    expect(admin.locator("main")).to_contain_text("Tidak ada transfer yang menunggu.")

    # --- Bu Sari accepts and ships -------------------------------------------------------------
    seller = new_page()
    log_in(seller, SARI)
    seller.get_by_role("link", name="Toko Saya").click()
    seller.get_by_role("link", name="1 pesanan baru menunggu").click()
    seller.get_by_role("link", name=f"{number}-1").click()
    expect(seller.locator("main")).to_contain_text("Pembayaran sudah diterima.")
    seller.get_by_role("button", name="Terima pesanan").click()
    expect(seller.locator(".flash-success")).to_contain_text("Pesanan diterima.")
    expect(seller.get_by_label("Kurir")).to_have_value("JNE Reguler")  # the delivery Siti chose
    seller.get_by_label("Nomor resi").fill("JNE0012345678")
    seller.get_by_role("button", name="Tandai dikirim").click()
    expect(seller.locator(".flash-success")).to_contain_text("Pesanan ditandai dikirim.")
    snap(shot, seller, "seller-shipped")

    # --- Siti follows her order, confirms receipt and reviews ----------------------------------
    page.get_by_role("navigation", name="Menu akun").get_by_role("link", name="Pesanan Saya").click()
    expect(page.locator("main")).to_contain_text(f"{number}")
    page.get_by_role("link", name="Lihat rincian").click()
    expect(page.locator(".order-page-meta")).to_contain_text("Lunas")
    sari_order, dapur_order = seller_box(page, "Keripik Bu Sari"), seller_box(page, "Dapur Pamulang")
    expect(sari_order).to_contain_text("Dikirim")
    expect(value_of(sari_order, "Kurir")).to_have_text("JNE Reguler · resi JNE0012345678")
    expect(dapur_order).to_contain_text("Menunggu konfirmasi penjual")
    expect(dapur_order.get_by_role("button", name="Pesanan diterima")).to_have_count(0)
    snap(shot, page, "order-shipped")
    sari_order.get_by_role("button", name="Pesanan diterima").click()

    expect(page.locator(".flash-success")).to_contain_text(f"Pesanan {number}-1 selesai.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beri ulasan")
    product_part = page.locator("section.review-line").filter(has_text=BALADO)
    product_part.locator("label.star-label").nth(4).click()  # the fifth star
    product_part.get_by_label("Ulasan (boleh dikosongkan)").fill(REVIEW)
    page.locator("section.review-line").filter(has_text="Bintang untuk penjual").locator("label.star-label").nth(3).click()
    snap(shot, page, "review")
    page.get_by_role("button", name="Kirim ulasan").click()
    expect(page.locator(".flash-success")).to_contain_text("Terima kasih atas ulasan Anda!")
    expect(sari_order).to_contain_text("Selesai")
    expect(sari_order.get_by_role("link", name="Beri ulasan")).to_have_count(0)

    # --- the review is on the product page ------------------------------------------------------
    search_from_bar(page, "keripik singkong")
    page.get_by_role("link", name=BALADO).click()
    expect(page).to_have_url(re.compile(rf"/produk/{market.balado_slug}$"))
    reviews = page.locator("#ulasan")
    expect(reviews.get_by_role("heading", name="Ulasan pembeli")).to_be_visible()
    review = reviews.locator(".review").filter(has_text=REVIEW)
    expect(review.get_by_role("img", name="5 dari 5 bintang")).to_be_visible()
    expect(review.locator(".review-author")).to_contain_text("Siti")
    expect(page.locator(".product-rating")).to_contain_text("5,0")
    expect(page.locator(".product-rating")).to_contain_text("1 terjual")  # counted when the order completed
    snap(shot, page, "product-with-review")

    for person in (page, admin, seller):
        assert person.js_errors == []
