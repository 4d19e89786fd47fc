"""What a shopper sees of product variants: the combination picker on the product page (the
no-JavaScript list, ?varian=, bad choices) and "mulai Rp…" on the product cards."""

import json
import re
from html import unescape

import pytest

from catalog.extensions import db
from catalog.models import ProductImage
from catalog.services import variants
from tests.factories import gen_category, gen_product, gen_seller, gen_variant_product
from tests.integration.test_public_pages import INLINE_CODE, page, text_of
from tests.querycount import count_queries

BATIK_OPTIONS = (("Ukuran", ("S", "M", "L", "XL")), ("Warna", ("Biru", "Merah")))
MSG_NOT_AVAILABLE = "Kombinasi ini tidak tersedia. Silakan pilih kombinasi lain."


def by_label(product):
    return {v.label: v for v in product.variants}


def rows_with(product, changes):
    """Every combination as the grid would submit it, with `changes` {label: {field: value}}."""
    rows = []
    for v in product.variants:
        fields = {"price": v.price, "stock": v.stock, "sku": v.sku, "weight_grams": v.weight_grams,
                  "image_id": v.image_id, "active": v.active, **changes.get(v.label, {})}
        rows.append(variants.VariantRow(variant_id=v.id, **fields))
    return rows


@pytest.fixture
def batik():
    """Kemeja Batik, Ukuran × Warna: XL costs Rp15.000 more, M / Biru has 3 left, S / Merah is
    sold out, L / Merah is switched off, XL / Merah has its own photo (the second one)."""
    seller = gen_seller(business_name="Batik Cisadane", slug="batik-cisadane")
    category = gen_category("Batik", slug="batik")
    product = gen_variant_product(seller=seller, category=category, options=BATIK_OPTIONS, price=100_000, stock=5,
                                  title="Kemeja Batik Tulis Motif Kembang", slug="kemeja-batik")
    cover = ProductImage(product=product, key="batikSampul", width=1200, height=1200, position=0)
    red = ProductImage(product=product, key="batikMerahXL", width=1200, height=1200, position=1)
    db.session.add_all([cover, red])
    db.session.commit()
    variants.update_variants(product, rows_with(product, {
        "XL / Biru": {"price": 115_000},
        "XL / Merah": {"price": 115_000, "image_id": red.id},
        "M / Biru": {"stock": 3},
        "S / Merah": {"stock": 0},
    }), actor_id=None)
    variants.set_variant_active(product, by_label(product)["L / Merah"].id, False, actor_id=None)
    return product


def select_options(html: str) -> list[tuple[str, str, str]]:
    """(value, attributes, text) of every <option> in the combination list."""
    select = re.search(r'<select id="variant-select" name="varian">(.*?)</select>', html, re.S)
    assert select, "no combination list"
    return [(value, attrs, " ".join(unescape(label).split()))
            for value, attrs, label in re.findall(r'<option value="([^"]*)"([^>]*)>(.*?)</option>', select.group(1), re.S)]


def variant_id_input(html: str) -> str:
    match = re.search(r'<input type="hidden" name="variant_id" value="([^"]*)"', html)
    assert match, "no variant_id input"
    return match.group(1)


def top_price(html: str) -> str:
    match = re.search(r'<p class="product-price">(.*?)</p>', html, re.S)
    assert match
    return text_of(match.group(1))


def action_bar_price(html: str) -> str:
    """The price in the phone's bottom bar as shown: a `hidden` "mulai" is not shown."""
    match = re.search(r'<p class="action-bar-price">(.*?)</p>', html, re.S)
    assert match
    return text_of(re.sub(r"<span[^>]*\shidden>.*?</span>", "", match.group(1)))


def picker_data(html: str) -> dict:
    match = re.search(r"data-picker='([^']*)'", html)
    assert match, "no data-picker"
    return json.loads(unescape(match.group(1)))


# --- the product page without JavaScript ---


def test_no_js_list_offers_every_active_combination_with_price_and_stock(client, batik):
    html = page(client, "/produk/kemeja-batik")
    options = select_options(html)
    labels = [text for _value, _attrs, text in options]

    assert labels[0] == "— Pilih kombinasi —" and options[0][0] == ""
    assert "M / Biru — Rp 100.000 — stok 3" in labels
    assert "S / Biru — Rp 100.000 — stok 5" in labels
    assert "XL / Biru — Rp 115.000 — stok 5" in labels
    assert "XL / Merah — Rp 115.000 — stok 5" in labels
    assert len(options) == 1 + 7  # eight combinations, one switched off
    assert not any(label.startswith("L / Merah") for label in labels)
    sold_out = [(attrs, text) for _value, attrs, text in options if text.startswith("S / Merah")]
    assert sold_out == [(" disabled", "S / Merah — Rp 100.000 — habis")]
    # A real form: GET back to the page, the list named varian, a submit button.
    assert re.search(r'<form class="variant-picker" method="get" action="/produk/kemeja-batik"', html)
    assert '<button type="submit" class="btn btn-secondary">Pilih</button>' in html
    assert "Pilih Ukuran / Warna" in text_of(html)


def test_buttons_for_every_option_value_are_in_the_page_for_the_script(client, batik):
    html = page(client, "/produk/kemeja-batik")
    assert '<div class="variant-options" data-variant-buttons hidden>' in html
    for legend in ("Ukuran", "Warna"):
        assert re.search(rf'<legend class="variant-option-name">{legend}<', html)
    values = {v.value: v.id for o in batik.options for v in o.values}
    for value, value_id in values.items():
        assert re.search(rf'data-value="{value_id}" aria-pressed="false">\s*<span class="variant-value-text">{value}</span>',
                         html), value
    assert '<script src="/static/js/variant-picker.js" defer></script>' in html


def test_script_data_holds_only_active_combinations_with_price_stock_and_photo(client, batik):
    data = picker_data(page(client, "/produk/kemeja-batik"))
    combos = by_label(batik)
    assert [o["name"] for o in data["options"]] == ["Ukuran", "Warna"]
    assert [v["value"] for v in data["options"][0]["values"]] == ["S", "M", "L", "XL"]
    shipped = {v["id"]: v for v in data["variants"]}
    assert combos["L / Merah"].id not in shipped
    assert len(shipped) == 7
    assert shipped[combos["M / Biru"].id] == {
        "id": combos["M / Biru"].id, "values": list(combos["M / Biru"].value_ids), "price": 100_000, "stock": 3,
        "in_stock": True, "image": None}
    assert shipped[combos["S / Merah"].id]["in_stock"] is False
    assert shipped[combos["XL / Merah"].id]["image"] == "batikMerahXL"


def test_price_shows_the_range_until_a_combination_is_chosen(client, batik):
    html = page(client, "/produk/kemeja-batik")
    assert top_price(html) == "Rp 100.000 – Rp 115.000 / pcs"
    assert action_bar_price(html) == "mulai Rp 100.000 / pcs"
    assert '<meta property="product:price:amount" content="100000">' in html  # the lowest
    assert "Stok 28" in text_of(html)  # the active combinations together (L / Merah is off)
    assert variant_id_input(html) == ""
    assert "Pilihan Anda" not in text_of(html)


def test_choosing_a_combination_shows_its_price_and_stock(client, batik):
    combo = by_label(batik)["M / Biru"]
    html = page(client, f"/produk/kemeja-batik?varian={combo.id}")
    text = text_of(html)
    assert top_price(html) == "Rp 100.000 / pcs"
    assert "Stok 3" in text and "Stok 28" not in text
    assert "Pilihan Anda: M / Biru" in text
    assert variant_id_input(html) == str(combo.id)
    chosen = [(value, attrs) for value, attrs, _text in select_options(html) if "selected" in attrs]
    assert chosen == [(str(combo.id), " selected")]
    assert action_bar_price(html) == "Rp 100.000 / pcs"
    assert MSG_NOT_AVAILABLE not in text


def test_choosing_a_combination_with_its_own_photo_shows_that_photo_first(client, batik):
    combo = by_label(batik)["XL / Merah"]
    html = page(client, f"/produk/kemeja-batik?varian={combo.id}")
    assert top_price(html) == "Rp 115.000 / pcs"
    slides = re.findall(r'<li class="gallery-slide" id="foto-(\d)" data-image-key="(\w+)">', html)
    assert slides == [("1", "batikMerahXL"), ("2", "batikSampul")]
    # Without a chosen combination the seller's order stands.
    plain = page(client, "/produk/kemeja-batik")
    assert re.findall(r'data-image-key="(\w+)"', plain) == ["batikSampul", "batikMerahXL"]
    # Link previews keep the product's cover whatever is chosen.
    assert 'content="http://localhost/media/p/batikSampul-960.jpg"' in html


def test_choosing_a_sold_out_combination_says_so(client, batik):
    combo = by_label(batik)["S / Merah"]
    html = page(client, f"/produk/kemeja-batik?varian={combo.id}")
    text = text_of(html)
    assert "Stok habis" in text
    assert "S / Merah sedang habis. Silakan pilih kombinasi lain." in text
    # Still shown as the current choice in the list (not disabled, or the browser would drop it).
    assert (str(combo.id), " selected") in [(v, a) for v, a, _t in select_options(html)]


@pytest.mark.parametrize("raw", ["abc", "-1", "1.5", "0", "1e3", "0x10", "99999999", "9" * 40, "１２"])
def test_garbage_varian_shows_a_message_and_no_choice(client, batik, raw):
    html = page(client, f"/produk/kemeja-batik?varian={raw}")
    assert MSG_NOT_AVAILABLE in text_of(html)
    assert '<p class="variant-error" role="alert">' in html
    assert variant_id_input(html) == ""
    assert not any("selected" in attrs for _v, attrs, _t in select_options(html))
    assert top_price(html) == "Rp 100.000 – Rp 115.000 / pcs"


def test_blank_varian_is_no_choice_and_no_message(client, batik):
    """The list's "— Pilih kombinasi —" submitted as is."""
    html = page(client, "/produk/kemeja-batik?varian=&variant_id=")
    assert MSG_NOT_AVAILABLE not in text_of(html)
    assert variant_id_input(html) == ""


def test_switched_off_combination_shows_a_message_and_no_choice(client, batik):
    combo = by_label(batik)["L / Merah"]
    html = page(client, f"/produk/kemeja-batik?varian={combo.id}")
    text = text_of(html)
    assert MSG_NOT_AVAILABLE in text
    assert "Pilihan Anda" not in text
    assert variant_id_input(html) == ""
    assert top_price(html) == "Rp 100.000 – Rp 115.000 / pcs"


def test_another_products_combination_shows_a_message_and_no_choice(client, batik):
    other = gen_variant_product(options=(("Rasa", ("Original", "Pedas")),), price=20_000)
    foreign = other.variants[0]
    html = page(client, f"/produk/kemeja-batik?varian={foreign.id}")
    text = text_of(html)
    assert MSG_NOT_AVAILABLE in text
    assert "Pilihan Anda" not in text
    assert variant_id_input(html) == ""
    # A simple product's own variant is no combination of the batik either.
    simple = gen_product(price=9_000)
    db.session.commit()
    assert MSG_NOT_AVAILABLE in text_of(page(client, f"/produk/kemeja-batik?varian={simple.variants[0].id}"))


def test_product_without_options_shows_no_picker_and_ignores_varian(client):
    product = gen_product(title="Keripik Singkong", slug="keripik", price=15_000, stock=12)
    db.session.commit()
    for url in ("/produk/keripik", "/produk/keripik?varian=abc", f"/produk/keripik?varian={product.variants[0].id}"):
        html = page(client, url)
        text = text_of(html)
        assert "variant-picker" not in html
        assert 'name="varian"' not in html and 'data-variant-id' not in html
        assert MSG_NOT_AVAILABLE not in text
        assert top_price(html) == "Rp 15.000 / pcs"
        assert "Stok 12" in text
        assert "mulai" not in text


def test_options_at_one_price_show_the_exact_price(client):
    gen_variant_product(options=(("Rasa", ("Original", "Pedas", "Balado")),), price=25_000, stock=4, slug="keripik-rasa")
    html = page(client, "/produk/keripik-rasa")
    assert top_price(html) == "Rp 25.000 / pcs"
    assert action_bar_price(html) == "Rp 25.000 / pcs"
    assert "Original — Rp 25.000 — stok 4" in [t for _v, _a, t in select_options(html)]


def test_made_to_order_combinations_are_never_marked_sold_out(client):
    product = gen_variant_product(options=(("Ukuran", ("Kecil", "Besar")),), price=50_000, stock=0,
                                  slug="tumpeng", made_to_order=True, lead_time_days=2)
    html = page(client, "/produk/tumpeng")
    labels = [(a, t) for _v, a, t in select_options(html)][1:]
    assert labels == [("", "Kecil — Rp 50.000"), ("", "Besar — Rp 50.000")]
    assert "Dibuat sesuai pesanan (2 hari)" in text_of(page(client, f"/produk/tumpeng?varian={product.variants[0].id}"))


def test_product_page_with_options_carries_no_inline_code(client, batik):
    """The CSP forbids inline scripts and styles: the picker's data travels in data-* attributes."""
    for url in ("/produk/kemeja-batik", "/produk/kemeja-batik?varian=abc"):
        html = page(client, url)
        assert not INLINE_CODE.search(html), INLINE_CODE.search(html).group(0)


def test_product_page_statements_do_not_grow_with_the_combinations(app, client):
    seller = gen_seller()
    gen_variant_product(seller=seller, options=(("Ukuran", ("S", "M")),), slug="dua")
    large = gen_variant_product(seller=seller, slug="dua-belas",
                                options=(("Ukuran", ("S", "M", "L", "XL")), ("Warna", ("Biru", "Merah", "Hijau"))))
    chosen = by_label(large)["XL / Hijau"].id

    def statements(url):
        client.get(url)  # warm up
        with count_queries(app) as counter:
            assert client.get(url).status_code == 200
        return counter.count

    two, twelve = statements("/produk/dua"), statements("/produk/dua-belas")
    assert two == twelve, f"{two} statements for 2 combinations, {twelve} for 12"
    assert statements(f"/produk/dua-belas?varian={chosen}") == twelve
    assert twelve <= 10  # the bound every public page keeps (test_query_counts.py)


# --- product cards ---


@pytest.fixture
def mixed_shop():
    """One seller with a batik at two prices and a simple product, both in one category."""
    seller = gen_seller(business_name="Toko Campur", slug="toko-campur")
    category = gen_category("Sandang", slug="sandang")
    batik = gen_variant_product(seller=seller, category=category, options=(("Ukuran", ("M", "XL")),),
                                price=35_000, title="Kemeja Batik Kembang")
    variants.update_variants(batik, rows_with(batik, {"XL": {"price": 50_000}}), actor_id=None)
    gen_product(seller=seller, category=category, title="Sapu Tangan Batik", price=15_000)
    db.session.commit()


def card_prices(html: str) -> dict[str, str]:
    cards = re.findall(r'<article class="product-card">(.*?)</article>', html, re.S)
    out = {}
    for card in cards:
        title = text_of(re.search(r'<h3 class="product-card-title">(.*?)</h3>', card, re.S).group(1))
        out[title] = text_of(re.search(r'<span class="product-card-price">(.*?)</span></span>', card, re.S).group(1))
    return out


@pytest.mark.parametrize("url", ["/kategori/sandang", "/toko/toko-campur", "/", "/cari?q=batik"])
def test_cards_say_mulai_for_a_price_range_and_the_plain_price_otherwise(client, mixed_shop, url):
    prices = card_prices(page(client, url))
    assert prices["Kemeja Batik Kembang"] == "mulai Rp 35.000 / pcs"
    assert prices["Sapu Tangan Batik"] == "Rp 15.000 / pcs"
