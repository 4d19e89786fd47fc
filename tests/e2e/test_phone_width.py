"""A shopper on a phone (390 × 844): home, search with the filter panel (folded on phones, opened
by a tap, applied with its button), a product page, the cart and checkout all fit the screen —
nothing scrolls sideways — and the control each page is for (the search box, the add-to-cart
button, the checkout buttons) is on screen and answers a tap."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import no_horizontal_scroll
from tests.e2e.shop_steps import (
    BALADO,
    PISANG,
    SHOPPER,
    add_to_cart,
    keripik_market,
    search_from_bar,
    snap,
    value_of,
)
from tests.factories import PASSWORD


def fits_the_phone(page) -> None:
    """No sideways scrolling: the document is no wider than the phone's screen."""
    page.wait_for_load_state("load")
    width, viewport = no_horizontal_scroll(page)
    assert width <= viewport, f"{page.url} is {width}px wide on a {viewport}px phone"


def apply_filters(page) -> None:
    """Phones keep the panel folded and wait for "Terapkan filter" (one reload for several ticks)."""
    page.get_by_role("button", name="Terapkan filter").click()
    expect(page.locator("details#filter")).not_to_have_attribute("open", "")


def test_a_phone_shopper_searches_filters_buys_and_checks_out_without_sideways_scrolling(live, phone, shot):
    keripik_market(live, shopper_address=True)
    page = phone

    # --- home: the search box is the first thing on screen ------------------------------------
    page.goto("/")
    fits_the_phone(page)
    expect(page.locator("#site-search")).to_be_in_viewport()
    snap(shot, page, "home")

    # --- search, then the folded filter panel -------------------------------------------------
    search_from_bar(page, "keripik")
    fits_the_phone(page)
    summary = page.locator("#search-summary")
    expect(summary).to_have_text("Menampilkan 1–3 dari 3 produk untuk “keripik”")
    panel = page.locator("details#filter")
    expect(panel).not_to_have_attribute("open", "")
    expect(page.get_by_label("Kota Tangerang Selatan")).to_be_hidden()
    page.get_by_text("Filter", exact=True).click()
    expect(panel).to_have_attribute("open", "")
    page.get_by_label("Kota Tangerang Selatan").check()
    fits_the_phone(page)
    snap(shot, page, "filter-panel-open")
    expect(page).not_to_have_url(re.compile(r"kota="))  # nothing reloads under the thumb
    apply_filters(page)
    expect(page).to_have_url(re.compile(r"kota=36\.74"))

    page.locator("summary.filter-summary").click()
    page.get_by_label("Kecamatan").select_option(label="Pamulang (2)")
    apply_filters(page)
    expect(page).to_have_url(re.compile(r"kecamatan=36\.74\.06"))
    expect(page.locator("summary.filter-summary")).to_contain_text("2 aktif")
    expect(summary).to_have_text("Menampilkan 1–2 dari 2 produk untuk “keripik”")
    expect(page.get_by_role("link", name=PISANG)).to_have_count(0)
    fits_the_phone(page)
    snap(shot, page, "search-filtered")

    # --- the product page: the thumb's "+ Keranjang" ------------------------------------------
    page.get_by_role("link", name=BALADO).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(BALADO)
    fits_the_phone(page)
    expect(page.locator("form#cart-add").get_by_role("button", name="Tambah ke keranjang")).to_be_visible()
    thumb_button = page.locator(".action-bar").get_by_role("button", name="+ Keranjang")
    expect(thumb_button).to_be_in_viewport()
    snap(shot, page, "product")
    add_to_cart(page, quantity=2)
    thumb_button.click()  # a third one from the bar at the bottom of the screen
    expect(page.locator(".flash-success")).to_contain_text("Ditambahkan ke keranjang.")

    # --- the cart, reached from the search bar's cart icon ------------------------------------
    page.locator(".search-cart").click()
    expect(page).to_have_url(re.compile(r"/keranjang$"))
    fits_the_phone(page)
    expect(page.get_by_label("Jumlah")).to_have_value("3")
    checkout_bar = page.locator(".action-bar")
    expect(checkout_bar).to_contain_text("Rp 45.000")
    expect(checkout_bar.get_by_role("link", name="Checkout")).to_be_in_viewport()
    snap(shot, page, "cart")
    checkout_bar.get_by_role("link", name="Checkout").click()

    # --- log in, then checkout ------------------------------------------------------------------
    expect(page).to_have_url(re.compile(r"/masuk\?next="))
    fits_the_phone(page)
    page.get_by_label("Email").fill(SHOPPER)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/checkout$"))
    fits_the_phone(page)
    expect(page.get_by_label("JNE Reguler · Rp 10.000")).to_be_checked()
    expect(value_of(page.locator(".shop-summary"), "Total bayar")).to_have_text("Rp 55.000")
    place = page.get_by_role("button", name="Buat pesanan")
    expect(place).to_be_visible()
    expect(place).to_be_enabled()
    snap(shot, page, "checkout")
    place.click()

    expect(page.locator(".flash-success")).to_contain_text("sudah dibuat")
    fits_the_phone(page)
    expect(value_of(page.locator(".payment-box"), "Jumlah tepat")).to_have_text("Rp 55.000")
    snap(shot, page, "order")
    assert page.js_errors == []
