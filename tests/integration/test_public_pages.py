"""The public pages a shopper sees: home, categories, product pages, about, and the shell around them."""

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from catalog.extensions import db
from catalog.models import ProductImage, SellerDocument
from tests.factories import (
    KAB_TANGERANG,
    KOTA_TANGERANG,
    gen_category,
    gen_product,
    gen_seller,
    gen_user,
)

KEC_PAMULANG = "36.74.06"
KEC_CIPONDOH = "36.71.05"  # Kota Tangerang
KEC_BALARAJA = "36.03.01"  # Kabupaten Tangerang


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    """The page's visible text, tags dropped and whitespace collapsed, for phrase checks."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def log_in(client, user):
    """Logged in as Flask-Login does it, without depending on the /masuk form."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def commit():
    db.session.commit()


# --- home ---


def test_home_shows_hero_featured_categories_and_newest_products(client):
    food = gen_category("Makanan", slug="makanan", icon="makanan", is_featured=True)
    gen_category("Tidak Ditampilkan", slug="tersembunyi", is_featured=False)
    gen_category("Keripik", slug="keripik", parent=food, is_featured=True)  # children never on home
    gen_product(title="Keripik Tempe Renyah", category=food)
    commit()

    html = page(client, "/")
    text = text_of(html)
    assert "Belanja langsung dari UMKM Tangerang Raya" in text
    assert "Inpres 2/2022" in text
    assert "Kategori pilihan" in text
    assert 'href="/kategori/makanan"' in html
    assert "Tidak Ditampilkan" not in text
    assert 'href="/kategori/keripik"' not in html
    assert "Produk terbaru" in text
    assert "Keripik Tempe Renyah" in text
    assert "Rp 15.000" in text


def test_home_lists_newest_products_first(client):
    category = gen_category()
    gen_product(title="Produk Lama", category=category)
    gen_product(title="Produk Baru", category=category)
    commit()

    text = text_of(page(client, "/"))
    assert text.index("Produk Baru") < text.index("Produk Lama")


def test_home_shows_sellers_of_tangsel_by_default_with_kecamatan_scale_and_count(client):
    near = gen_seller(business_name="Dapur Bu Sri", scale="kecil", is_koperasi=True, kecamatan=KEC_PAMULANG)
    gen_product(seller=near)
    gen_product(seller=near)
    gen_product(seller=near, status="draft")  # not counted
    gen_seller(business_name="Batik Cipondoh", kota=KOTA_TANGERANG, kecamatan=KEC_CIPONDOH)
    commit()

    text = text_of(page(client, "/"))
    assert "Penjual di dekat Anda" in text
    assert "Dapur Bu Sri" in text
    assert "Pamulang" in text
    assert "Kecil" in text and "Koperasi" in text
    assert "2 produk" in text
    assert "Batik Cipondoh" not in text


@pytest.mark.parametrize("kota, kecamatan, name, place", [
    (KOTA_TANGERANG, KEC_CIPONDOH, "Batik Cipondoh", "Cipondoh"),
    (KAB_TANGERANG, KEC_BALARAJA, "Kerupuk Balaraja", "Balaraja"),
])
def test_home_kota_choice_shows_that_kotas_sellers(client, kota, kecamatan, name, place):
    gen_seller(business_name="Dapur Bu Sri")
    gen_seller(business_name=name, kota=kota, kecamatan=kecamatan)
    commit()

    html = page(client, f"/?kota={kota}")
    text = text_of(html)
    assert f"{name} {place}" in text
    assert "Dapur Bu Sri" not in text
    assert re.search(rf'href="/\?kota={re.escape(kota)}#penjual"\s+aria-current="true"', html)


@pytest.mark.parametrize("kota", ["99.99", "", "36.74.05", "<script>", "x" * 500])
def test_home_with_unknown_kota_falls_back_to_tangsel(client, kota):
    gen_seller(business_name="Dapur Bu Sri")
    commit()

    text = text_of(page(client, "/?kota=" + kota))
    assert "Dapur Bu Sri" in text


def test_home_hides_sellers_that_are_not_verified(client):
    for status in ("pending", "rejected", "suspended"):
        gen_seller(business_name=f"Usaha {status}", status=status)
    commit()

    text = text_of(page(client, "/"))
    for status in ("pending", "rejected", "suspended"):
        assert f"Usaha {status}" not in text
    assert "Belum ada penjual terverifikasi di Kota Tangerang Selatan" in text


def test_empty_catalogue_home_still_renders_friendly_states(client):
    text = text_of(page(client, "/"))
    assert "Belum ada produk yang tayang" in text


# --- categories ---


def test_categories_page_lists_the_tree(client):
    food = gen_category("Makanan", slug="makanan")
    gen_category("Keripik & Camilan", slug="keripik-camilan", parent=food)
    commit()

    html = page(client, "/kategori")
    assert "Semua kategori" in text_of(html)
    assert 'href="/kategori/makanan"' in html
    assert 'href="/kategori/keripik-camilan"' in html
    assert "Keripik &amp; Camilan" in html


def test_top_category_includes_its_childrens_products_and_shows_child_chips(client):
    food = gen_category("Makanan", slug="makanan")
    chips = gen_category("Keripik", slug="keripik", parent=food)
    cakes = gen_category("Kue", slug="kue", parent=food)
    drinks = gen_category("Minuman", slug="minuman")
    gen_product(title="Nasi Uduk Betawi", category=food)
    gen_product(title="Keripik Pisang", category=chips)
    gen_product(title="Bolu Pandan", category=cakes)
    gen_product(title="Es Kopi Susu", category=drinks)
    commit()

    html = page(client, "/kategori/makanan")
    text = text_of(html)
    assert "Nasi Uduk Betawi" in text and "Keripik Pisang" in text and "Bolu Pandan" in text
    assert "Es Kopi Susu" not in text
    assert 'href="/kategori/keripik"' in html and 'href="/kategori/kue"' in html
    assert "Menampilkan 1–3 dari 3 produk" in text


def test_child_category_shows_only_its_own_products_and_a_breadcrumb(client):
    food = gen_category("Makanan", slug="makanan")
    chips = gen_category("Keripik", slug="keripik", parent=food)
    cakes = gen_category("Kue", slug="kue", parent=food)
    gen_product(title="Keripik Pisang", category=chips)
    gen_product(title="Bolu Pandan", category=cakes)
    commit()

    html = page(client, "/kategori/keripik")
    text = text_of(html)
    assert "Keripik Pisang" in text
    assert "Bolu Pandan" not in text
    assert 'href="/kategori/makanan"' in html  # breadcrumb and "Semua" chip lead back up
    assert re.search(r'href="/kategori/keripik" aria-current="page"', html)


def test_unknown_category_is_404_in_indonesian(client):
    html = page(client, "/kategori/tidak-ada", status=404)
    assert "Halaman tidak ditemukan" in html


def _priced_category():
    category = gen_category("Makanan", slug="makanan")
    for title, price in (("Sedang", 20_000), ("Murah", 5_000), ("Mahal", 90_000)):
        gen_product(title=f"Produk {title}", price=price, category=category)
    commit()


@pytest.mark.parametrize("sort, expected", [
    ("termurah", ["Produk Murah", "Produk Sedang", "Produk Mahal"]),
    ("termahal", ["Produk Mahal", "Produk Sedang", "Produk Murah"]),
    ("terbaru", ["Produk Mahal", "Produk Murah", "Produk Sedang"]),
])
def test_category_sorts_by_price_or_newest(client, sort, expected):
    _priced_category()
    text = text_of(page(client, f"/kategori/makanan?urut={sort}"))
    positions = [text.index(title) for title in expected]
    assert positions == sorted(positions)


def test_category_paginates_with_summary_and_page_links(make_app):
    app = make_app(PRODUCTS_PER_PAGE=2)
    client = app.test_client()
    with app.app_context():
        category = gen_category("Makanan", slug="makanan")
        for n in range(5):
            gen_product(title=f"Camilan Nomor {n}", price=1000 * (n + 1), category=category)
        commit()

    first = page(client, "/kategori/makanan?urut=termurah")
    assert "Menampilkan 1–2 dari 5 produk" in text_of(first)
    assert "Camilan Nomor 0" in first and "Camilan Nomor 2" not in first
    assert 'href="/kategori/makanan?urut=termurah&amp;hal=2"' in first

    third = text_of(page(client, "/kategori/makanan?urut=termurah&hal=3"))
    assert "Menampilkan 5–5 dari 5 produk" in third
    assert "Camilan Nomor 4" in third


@pytest.mark.parametrize("query", [
    "hal=abc", "hal=-1", "hal=0", "hal=2.5", "hal=" + "9" * 5000, "hal=%00", "hal=",
    "urut=harga;DROP TABLE product", "urut=", "urut[]=x", "hal=1&hal=2", "_external=1&_scheme=javascript",
])
def test_bad_page_or_sort_parameters_fall_back_instead_of_failing(client, query):
    _priced_category()
    text = text_of(page(client, "/kategori/makanan?" + query))
    assert "Menampilkan" in text and "Produk Murah" in text


def test_page_past_the_end_shows_the_last_page(client):
    _priced_category()
    text = text_of(page(client, "/kategori/makanan?hal=999999"))
    assert "Menampilkan 1–3 dari 3 produk" in text


def test_empty_category_shows_an_empty_state(client):
    gen_category("Jasa", slug="jasa")
    commit()
    text = text_of(page(client, "/kategori/jasa"))
    assert "Belum ada produk di kategori ini" in text


# --- product page ---


def test_product_page_shows_price_unit_stock_and_seller_card(client):
    seller = gen_seller(business_name="Dapur Bu Sri", scale="mikro", is_koperasi=True, whatsapp="+6281234567890",
                        kecamatan=KEC_PAMULANG)
    food = gen_category("Makanan", slug="makanan")
    chips = gen_category("Keripik", slug="keripik", parent=food)
    gen_product(seller=seller, category=chips, title="Keripik Singkong Balado", slug="keripik-singkong-balado",
                price=15000, unit="pak", stock=12, min_order=3, tkdn_pct=45,
                description="<p>Renyah <strong>pedas</strong> manis.</p>")
    commit()

    html = page(client, "/produk/keripik-singkong-balado")
    text = text_of(html)
    assert "<h1" in html and "Keripik Singkong Balado" in text
    assert "Rp 15.000 / pak" in text
    assert "Stok 12" in text
    assert "Minimal pesan 3 pak" in text
    assert "TKDN 45%" in text
    assert "Makanan" in text and "Keripik" in text  # breadcrumb
    assert "<strong>pedas</strong>" in html  # stored description is already sanitised HTML
    assert "Dapur Bu Sri" in text
    assert "Pamulang, Kota Tangerang Selatan" in text
    assert "Mikro" in text and "Koperasi" in text


def test_product_page_whatsapp_link_carries_a_message_about_the_product(client):
    seller = gen_seller(business_name="Dapur Bu Sri & Anak", whatsapp="+6281234567890")
    gen_product(seller=seller, title="Kue Lapis & Bolu", slug="kue-lapis")
    commit()

    html = page(client, "/produk/kue-lapis")
    links = re.findall(r'href="(https://wa\.me/[^"]+)"', html)
    assert links
    url = urlsplit(unescape(links[0]))
    assert url.path == "/6281234567890"
    message = parse_qs(url.query)["text"][0]
    assert "Dapur Bu Sri & Anak" in message
    assert "Kue Lapis & Bolu" in message  # no HTML escaping inside the message
    assert "/produk/kue-lapis" in unquote(message)


@pytest.mark.parametrize("fields, shown", [
    ({"stock": 0}, "Stok habis"),
    ({"stock": 0, "made_to_order": True, "lead_time_days": 3}, "Dibuat sesuai pesanan (3 hari)"),
    ({"stock": 1250}, "Stok 1.250"),
])
def test_product_page_states_stock_plainly(client, fields, shown):
    gen_product(slug="barang", **fields)
    commit()
    assert shown in text_of(page(client, "/produk/barang"))


def test_product_page_shows_only_certificates_still_valid(client):
    seller = gen_seller()
    today = date.today()
    docs = [
        SellerDocument(seller=seller, kind="halal", number="HALAL-BERLAKU", expires_on=today + timedelta(days=30)),
        SellerDocument(seller=seller, kind="pirt", number="PIRT-KEDALUWARSA", expires_on=today - timedelta(days=1)),
        SellerDocument(seller=seller, kind="bpom", number="BPOM-DICABUT", expired=True),
        SellerDocument(seller=seller, kind="sni", number="SNI-TANPA-BATAS"),
    ]
    db.session.add_all(docs)
    gen_product(seller=seller, slug="sertifikat", certificates=docs)
    commit()

    text = text_of(page(client, "/produk/sertifikat"))
    assert "HALAL-BERLAKU" in text and "SNI-TANPA-BATAS" in text
    assert "PIRT-KEDALUWARSA" not in text
    assert "BPOM-DICABUT" not in text
    assert "Sertifikat" in text


def test_product_page_has_open_graph_tags_with_absolute_image(client):
    product = gen_product(title="Batik Tulis Cisadane", slug="batik-cisadane", price=350000,
                          description="<p>Kain batik tulis <em>motif</em> Cisadane.</p>")
    db.session.add(ProductImage(product=product, key="abcDEF123", width=1200, height=1200, position=0))
    commit()

    html = page(client, "/produk/batik-cisadane")
    assert '<meta property="og:type" content="product">' in html
    assert '<meta property="og:title" content="Batik Tulis Cisadane">' in html
    assert '<meta property="og:description" content="Kain batik tulis motif Cisadane.">' in html
    assert '<meta property="og:image" content="http://localhost/media/p/abcDEF123-960.jpg">' in html
    assert '<meta property="product:price:amount" content="350000">' in html
    assert '<meta property="product:price:currency" content="IDR">' in html


def test_product_photos_offer_webp_with_jpeg_fallback_and_thumbnails(client):
    product = gen_product(slug="berfoto")
    for position, key in enumerate(("fotoSatu", "fotoDua")):
        db.session.add(ProductImage(product=product, key=key, width=1200, height=900, position=position))
    commit()

    html = page(client, "/produk/berfoto")
    assert '<source type="image/webp" srcset="/media/p/fotoSatu-960.webp">' in html
    assert 'src="/media/p/fotoSatu-960.jpg"' in html
    assert 'href="#foto-2"' in html  # thumbnails work without JS
    assert 'src="/media/p/fotoDua-320.jpg"' in html


def test_product_without_photo_shows_a_placeholder_not_a_broken_image(client):
    gen_product(title="Sambal Bawang", slug="tanpa-foto")
    commit()

    html = page(client, "/produk/tanpa-foto")
    assert 'class="photo-placeholder' in html
    assert ">SB<" in re.sub(r"\s+", "", html)
    assert "/media/p/" not in html


def test_product_page_lists_more_from_the_same_seller(client):
    seller = gen_seller(business_name="Dapur Bu Sri")
    gen_product(seller=seller, slug="utama")
    gen_product(seller=seller, title="Rendang Daging Sapi")
    gen_product(title="Produk Penjual Lain")
    commit()

    text = text_of(page(client, "/produk/utama"))
    assert "Produk lain dari Dapur Bu Sri" in text
    assert "Rendang Daging Sapi" in text
    assert "Produk Penjual Lain" not in text


# --- visibility: only active products of verified sellers ---

HIDDEN_CASES = [
    pytest.param({"status": "draft"}, "verified", id="draft"),
    pytest.param({"status": "archived"}, "verified", id="archived"),
    pytest.param({}, "pending", id="pending-seller"),
    pytest.param({}, "suspended", id="suspended-seller"),
    pytest.param({}, "rejected", id="rejected-seller"),
]


@pytest.mark.parametrize("product_fields, seller_status", HIDDEN_CASES)
def test_hidden_product_page_is_404(client, product_fields, seller_status):
    gen_product(slug="tersembunyi", seller=gen_seller(status=seller_status), **product_fields)
    commit()
    assert "Halaman tidak ditemukan" in page(client, "/produk/tersembunyi", status=404)


@pytest.mark.parametrize("product_fields, seller_status", HIDDEN_CASES)
def test_hidden_product_is_absent_from_home_and_category(client, product_fields, seller_status):
    category = gen_category(slug="makanan")
    gen_product(title="Produk Tayang", category=category)
    gen_product(title="Produk Tersembunyi", category=category, seller=gen_seller(status=seller_status),
                **product_fields)
    commit()

    for url in ("/", "/kategori/makanan"):
        text = text_of(page(client, url))
        assert "Produk Tayang" in text
        assert "Produk Tersembunyi" not in text
    assert "dari 1 produk" in text_of(page(client, "/kategori/makanan"))


def test_unknown_product_is_404_in_indonesian(client):
    html = page(client, "/produk/tidak-ada", status=404)
    assert "Halaman tidak ditemukan" in html
    assert 'href="/"' in html


# --- about ---


def test_about_page_explains_purpose_dinas_region_and_inpres(client):
    text = text_of(page(client, "/tentang"))
    assert "Tentang Katalog UMKM" in text
    assert "Dinas Koperasi dan UMKM" in text
    assert "Inpres" in text or "Instruksi Presiden Nomor 2 Tahun 2022" in text
    assert "40%" in text
    for region in ("Kota Tangerang Selatan", "Kota Tangerang", "Kabupaten Tangerang"):
        assert region in text
    for audience in ("Untuk pembeli", "Untuk penjual", "Untuk instansi pemerintah"):
        assert audience in text


# --- the shell: header, navigation, footer ---


def test_shell_has_skip_link_search_bar_footer_and_language(client):
    html = page(client, "/tentang")
    assert '<html lang="id">' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert re.search(r'<form[^>]+role="search"[^>]+method="get"[^>]+action="/cari"', html)
    assert re.search(r'<label class="visually-hidden" for="site-search">', html)
    assert 'name="q"' in html
    assert "Tangerang Raya" in html
    assert "Data wilayah: cahyadsn/wilayah (MIT)" in text_of(html)
    assert 'href="/tentang"' in html
    # The language switch posts the other language and comes back here.
    form = re.search(r'<form class="lang-switch[^"]*" method="post" action="/bahasa">(.*?)</form>', html, re.S)
    assert form
    assert 'name="lang" value="en"' in form.group(1)
    assert 'name="next" value="/tentang"' in form.group(1)
    assert 'name="csrf_token"' in form.group(1)
    assert ">English<" in form.group(1)


def test_anonymous_visitor_sees_login_and_register(client):
    html = page(client, "/")
    assert 'href="/masuk"' in html and ">Masuk<" in html
    assert 'href="/daftar"' in html and ">Daftar<" in html
    assert 'action="/keluar"' not in html


@pytest.mark.parametrize("role, label", [
    ("shopper", "Pembeli"), ("seller", "Penjual"), ("officer", "Petugas Instansi"), ("admin", "Admin Dinas"),
])
def test_logged_in_user_sees_account_logout_and_role(client, role, label):
    user = gen_user(role=role)
    commit()
    log_in(client, user)

    html = page(client, "/")
    assert 'href="/akun"' in html
    logout = re.search(r'<form class="inline-form" method="post" action="/keluar">(.*?)</form>', html, re.S)
    assert logout and 'name="csrf_token"' in logout.group(1) and "Keluar" in logout.group(1)
    assert label in text_of(html)
    assert 'href="/masuk"' not in html


def test_flash_messages_are_announced(client, app):
    @app.get("/_uji-flash")
    def _flash():  # a throwaway route: flash then render a page
        from flask import flash, render_template
        flash("Berhasil disimpan.", "success")
        flash("Ada yang salah.", "error")
        return render_template("public/about.html")

    html = page(client, "/_uji-flash")
    assert '<div class="flash flash-success" role="status">Berhasil disimpan.</div>' in html
    assert '<div class="flash flash-danger" role="status">Ada yang salah.</div>' in html


def test_language_switch_renders_the_pages_in_english_and_back(client):
    food = gen_category("Makanan", slug="makanan", name_en="Food", is_featured=True)
    gen_product(title="Keripik Tempe", category=food)
    commit()

    response = client.post("/bahasa", data={"lang": "en", "next": "/kategori/makanan"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/kategori/makanan")
    html = page(client, "/kategori/makanan")
    assert '<html lang="en">' in html
    assert "<h1 class=\"page-title\">Food</h1>" in html  # the category's English name
    form = re.search(r'<form class="lang-switch[^"]*" method="post" action="/bahasa">(.*?)</form>', html, re.S)
    assert 'name="lang" value="id"' in form.group(1) and ">Bahasa Indonesia<" in form.group(1)
    home = text_of(page(client, "/"))
    assert "Newest products" in home and "Sellers near you" in home
    assert "Produk terbaru" not in home

    client.post("/bahasa", data={"lang": "id", "next": "/"})
    assert "Produk terbaru" in text_of(page(client, "/"))


INLINE_CODE = re.compile(r"""\sstyle=["']|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=["']|<style\b""", re.I)


def test_pages_carry_no_inline_styles_or_scripts(client):
    """The Content-Security-Policy forbids them: they would silently not work."""
    seller = gen_seller()
    category = gen_category(slug="makanan")
    product = gen_product(seller=seller, category=category, slug="produk", tkdn_pct=40)
    db.session.add(ProductImage(product=product, key="k1", width=800, height=800, position=0))
    db.session.add(ProductImage(product=product, key="k2", width=800, height=800, position=1))
    gen_product(seller=seller, category=category)
    commit()

    for url in ("/", "/kategori", "/kategori/makanan", "/produk/produk", "/tentang", "/tidak-ada"):
        html = client.get(url).get_data(as_text=True)
        assert not INLINE_CODE.search(html), f"{url}: {INLINE_CODE.search(html).group(0)!r}"
