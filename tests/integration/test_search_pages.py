"""/cari with the full-text index: the count line, highlighted hits, filters with counts, chips,
sorting, pagination that keeps the filters, every kind of bad input, the basic search when the
index is missing; and the suggestions at /api/saran that the search bar shows while typing."""

import re
import shutil
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import update

from catalog.extensions import db
from catalog.models import Seller, SellerDocument
from catalog.search import SearchHit, SearchResult
from catalog.web.search.page import load_products
from tests.factories import (
    KAB_TANGERANG,
    KEC_PAMULANG,
    KOTA_TANGERANG,
    KOTA_TANGSEL,
    PASSWORD,
    gen_agency,
    gen_category,
    gen_officer,
    gen_product,
    gen_seller,
)
from tests.querycount import count_queries

KEC_TANGERANG = "36.71.01"  # Kecamatan Tangerang, Kota Tangerang
KEC_BALARAJA = "36.03.01"  # Kabupaten Tangerang


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    html = re.sub(r"</?mark>", "", html)  # a highlighted word is still part of its word ("50%")
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def titles(html: str) -> list[str]:
    """The product titles of the result cards, in order."""
    return [text_of(t) for t in re.findall(r'<h3 class="product-card-title">(.*?)</h3>', html, re.S)]


def facet_count(html: str, input_id: str) -> str:
    """The count shown beside one filter value (the label of the input with this id)."""
    match = re.search(rf'<label for="{re.escape(input_id)}">.*?<span class="facet-count">([^<]*)</span>', html, re.S)
    assert match, f"no count for {input_id}"
    return match.group(1)


def chip_links(html: str) -> dict[str, str]:
    """Chosen-filter chips: label → the address that removes it."""
    return {text_of(label).replace("×", "").replace("(hapus filter ini)", "").strip(): unescape(href)
            for href, label in re.findall(r'<a class="chip chip-remove" href="([^"]+)">(.*?)</a>', html, re.S)}


def drop_index(app) -> None:
    """The index directory disappears (a disk mishap, a half-done deploy)."""
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"], ignore_errors=True)
    app.extensions["search"].reset()


class Shop:
    """Three keripik from three kota at three scales, a batik shirt and a drink."""

    def __init__(self):
        self.makanan = gen_category("Makanan", slug="makanan", is_featured=True)
        self.keripik = gen_category("Keripik & Camilan", slug="keripik-camilan", parent=self.makanan)
        self.sambal = gen_category("Sambal", slug="sambal", parent=self.makanan)
        self.fashion = gen_category("Fashion", slug="fashion")
        self.batik = gen_category("Batik", slug="batik", parent=self.fashion)
        self.minuman = gen_category("Minuman", slug="minuman")

        self.mikro = gen_seller(business_name="Dapur Bu Sri", scale="mikro", kota=KOTA_TANGSEL, kecamatan=KEC_PAMULANG)
        self.kecil = gen_seller(business_name="Camilan Pak Budi", scale="kecil", kota=KOTA_TANGERANG,
                                kecamatan=KEC_TANGERANG)
        self.koperasi = gen_seller(business_name="Koperasi Tani Makmur", scale="menengah", is_koperasi=True,
                                   kota=KAB_TANGERANG, kecamatan=KEC_BALARAJA)
        halal = SellerDocument(seller=self.mikro, kind="halal", number="ID-HALAL-1",
                               expires_on=date.today() + timedelta(days=365))
        db.session.add(halal)

        self.singkong = gen_product(
            seller=self.mikro, category=self.keripik, title="Keripik Singkong Pedas", price=15_000, tkdn_pct=40,
            certificates=[halal],
            description="<p>Singkong pilihan dari petani Pamulang, digoreng renyah lalu dibalur bumbu pedas manis.</p>")
        self.pisang = gen_product(
            seller=self.kecil, category=self.keripik, title="Keripik Pisang Cokelat", price=18_000,
            description="<p>Pisang kepok diiris tipis dengan lapisan cokelat.</p>")
        self.tempe = gen_product(
            seller=self.koperasi, category=self.keripik, title="Keripik Tempe Original", price=12_000, stock=0,
            description="<p>Tempe tipis renyah, gurih tanpa pengawet.</p>")
        self.sambal_roa = gen_product(
            seller=self.mikro, category=self.sambal, title="Sambal Roa Pedas", price=35_000,
            description="<p>Teman makan nasi hangat.</p>")
        self.kemeja = gen_product(
            seller=self.koperasi, category=self.batik, title="Kemeja Batik Tulis", price=250_000,
            description="<p>Batik tulis motif kembang.</p>")
        self.sirup = gen_product(
            seller=self.kecil, category=self.minuman, title="Sirup Jahe Merah", price=30_000,
            description="<p>Jahe merah asli.</p>")
        db.session.commit()


@pytest.fixture
def shop(app):
    return Shop()


# --- the results page -----------------------------------------------------------------------


def test_results_show_the_count_line_and_highlighted_titles_and_snippets(client, shop):
    html = page(client, "/cari?q=keripik")
    assert "Menampilkan 1–3 dari 3 produk untuk “keripik”" in text_of(html)
    assert set(titles(html)) == {"Keripik Singkong Pedas", "Keripik Pisang Cokelat", "Keripik Tempe Original"}
    assert '<h3 class="product-card-title"><mark>Keripik</mark> Singkong Pedas</h3>' in html

    html = page(client, "/cari?q=pedas+manis")
    # "manis" is only in the description: its snippet marks it.
    assert re.search(r'<span class="search-snippet">[^<]*<mark>pedas</mark> <mark>manis</mark>', html)
    assert "Keripik Singkong <mark>Pedas</mark>" in html


def test_the_count_line_groups_thousands_and_says_when_the_total_is_an_estimate(app, client, shop, monkeypatch):
    # A backend that bounds counting on a huge result set says so; the page says "sekitar".
    estimate = SearchResult(hits=[SearchHit(shop.singkong.id), SearchHit(shop.pisang.id)], total=1284, page=1,
                            per_page=2, terms=("keripik",), total_is_estimate=True)
    monkeypatch.setattr(app.extensions["search"], "search", lambda request: estimate)
    text = text_of(page(client, "/cari?q=keripik"))
    assert "Menampilkan 1–2 dari sekitar 1.284 produk untuk “keripik”" in text


def test_a_typo_offers_did_you_mean_with_a_link(client, shop):
    html = page(client, "/cari?q=singkonk&stok=1")
    assert re.search(r'<p class="did-you-mean">Mungkin maksud Anda:\s*<a href="/cari\?q=singkong&amp;stok=1">singkong</a>\?</p>',
                     html)
    assert titles(html) == ["Keripik Singkong Pedas"]  # found by typo tolerance meanwhile


def test_no_match_shows_an_empty_state_with_ways_on(client, shop):
    html = page(client, "/cari?q=sepeda+motor")
    text = text_of(html)
    assert "Tidak ada produk untuk “sepeda motor”." in text
    assert "Periksa ejaannya." in text and "lebih sedikit kata" in text
    assert 'href="/kategori"' in html  # every category
    assert 'href="/kategori/makanan"' in html  # a popular (featured) category
    assert "Menampilkan" not in text


def test_filters_show_a_count_beside_each_value(client, shop):
    html = page(client, "/cari?q=keripik")
    assert facet_count(html, "f-kategori-makanan") == "3"
    assert 'id="f-kategori-fashion"' not in html  # a category without hits is left out
    assert facet_count(html, "f-kota-1") == "1"  # Kota Tangerang Selatan, in KOTA_CHOICES order
    assert facet_count(html, "f-skala-mikro") == "1"
    assert facet_count(html, "f-skala-kecil") == "1"
    assert facet_count(html, "f-skala-menengah") == "1"
    assert facet_count(html, "f-skala-koperasi") == "1"
    assert facet_count(html, "f-umkk") == "3"
    assert facet_count(html, "f-sertifikat-halal") == "1"
    assert facet_count(html, "f-sertifikat-sni") == "0"
    assert 'class="facet-option facet-empty"' in html  # SNI greyed
    assert facet_count(html, "f-tkdn") == "1"
    assert facet_count(html, "f-stok") == "2"
    # Everything is a GET form: it works without JavaScript, and a change starts at page 1.
    form = re.search(r'<form class="filter-form" method="get" action="/cari".*?</form>', html, re.S).group(0)
    assert 'name="hal"' not in form
    assert '<input type="hidden" name="q" value="keripik">' in form


def test_umkk_counts_koperasi_whatever_their_scale(client, shop):
    html = page(client, "/cari?q=keripik")
    assert facet_count(html, "f-umkk") == "3"
    assert set(titles(page(client, "/cari?q=keripik&umkk=1"))) == {
        "Keripik Singkong Pedas", "Keripik Pisang Cokelat", "Keripik Tempe Original"}
    assert titles(page(client, "/cari?q=batik&umkk=1")) == ["Kemeja Batik Tulis"]


def test_a_top_category_includes_its_subcategories_and_lists_them(client, shop):
    html = page(client, "/cari?q=pedas&kategori=makanan")
    assert set(titles(html)) == {"Keripik Singkong Pedas", "Sambal Roa Pedas"}
    assert facet_count(html, "f-kategori-keripik-camilan") == "1"
    assert facet_count(html, "f-kategori-sambal") == "1"
    assert re.search(r'id="f-kategori-makanan" name="kategori" value="makanan" checked', html)

    html = page(client, "/cari?q=pedas&kategori=sambal")
    assert titles(html) == ["Sambal Roa Pedas"]
    assert re.search(r'id="f-kategori-sambal" name="kategori" value="sambal" checked', html)
    assert facet_count(html, "f-kategori-makanan") == "2"  # the other branches still count


def test_every_filter_narrows_the_results(client, shop):
    def found(query: str) -> set[str]:
        return set(titles(page(client, "/cari?q=keripik&" + query)))

    assert found("skala=mikro") == {"Keripik Singkong Pedas"}
    assert found("skala=mikro&skala=kecil") == {"Keripik Singkong Pedas", "Keripik Pisang Cokelat"}
    assert found("skala=koperasi") == {"Keripik Tempe Original"}
    assert found(f"kota={KOTA_TANGERANG}") == {"Keripik Pisang Cokelat"}
    assert found(f"kota={KOTA_TANGSEL}&kecamatan={KEC_PAMULANG}") == {"Keripik Singkong Pedas"}
    assert found("sertifikat=halal") == {"Keripik Singkong Pedas"}
    assert found("tkdn=1") == {"Keripik Singkong Pedas"}
    assert found("stok=1") == {"Keripik Singkong Pedas", "Keripik Pisang Cokelat"}
    assert found("harga_min=13.000&harga_maks=Rp16.000") == {"Keripik Singkong Pedas"}
    assert found("harga_maks=15000") == {"Keripik Singkong Pedas", "Keripik Tempe Original"}


def test_a_kecamatan_names_its_kota_and_lists_the_kecamatan_with_counts(client, shop):
    html = page(client, f"/cari?q=keripik&kecamatan={KEC_PAMULANG}")
    assert titles(html) == ["Keripik Singkong Pedas"]
    assert re.search(r'name="kota" value="36\.74" checked', html)
    assert re.search(r'<option value="36\.74\.06" selected>Pamulang \(1\)</option>', html)
    # A kecamatan of another kota (left over after switching kota) is dropped quietly.
    html = page(client, f"/cari?q=keripik&kota={KOTA_TANGERANG}&kecamatan={KEC_PAMULANG}")
    assert titles(html) == ["Keripik Pisang Cokelat"]
    assert "tidak dikenali" not in html


def test_chosen_filters_show_as_chips_that_remove_one_filter_each(client, shop):
    html = page(client, f"/cari?q=keripik&skala=mikro&skala=kecil&kota={KOTA_TANGSEL}&sertifikat=halal"
                        "&harga_min=10000&harga_maks=20000&urut=termurah")
    chips = chip_links(html)
    assert set(chips) == {"Mikro", "Kecil", "Kota Tangerang Selatan", "Halal", "Rp 10.000 – Rp 20.000"}
    assert chips["Mikro"] == ("/cari?q=keripik&kota=36.74&skala=kecil&harga_min=10000&harga_maks=20000"
                              "&sertifikat=halal&urut=termurah")
    assert "skala=mikro" not in chips["Mikro"] and "skala=kecil" in chips["Mikro"]
    assert "harga_min" not in chips["Rp 10.000 – Rp 20.000"]
    assert "Hapus semua filter" in text_of(html)
    assert 'href="/cari?q=keripik&amp;urut=termurah">Hapus semua filter' in html
    # The filter button shows how many are on (for phones, where the panel is folded).
    assert "5 aktif" in text_of(html)


def test_sort_select_orders_results_and_keeps_filters(client, shop):
    html = page(client, "/cari?q=keripik&urut=termurah")
    # In stock first: the cheapest keripik is sold out and comes last.
    assert titles(html) == ["Keripik Singkong Pedas", "Keripik Pisang Cokelat", "Keripik Tempe Original"]
    assert '<option value="termurah" selected>Harga termurah</option>' in html
    html = page(client, "/cari?q=keripik&urut=termahal&skala=mikro&skala=kecil")
    assert titles(html) == ["Keripik Pisang Cokelat", "Keripik Singkong Pedas"]
    form = re.search(r'<form class="sort-form".*?</form>', html, re.S).group(0)
    assert '<input type="hidden" name="skala" value="mikro">' in form
    assert '<input type="hidden" name="skala" value="kecil">' in form
    assert 'name="hal"' not in form


def test_an_officer_can_sort_by_nearness_to_the_office_and_a_shopper_cannot(client, auth, shop):
    agency = gen_agency(kota=KOTA_TANGERANG, kecamatan_code=KEC_TANGERANG)
    officer = gen_officer(agency)
    db.session.commit()
    html = page(client, "/cari?q=keripik&urut=terdekat")
    assert "Terdekat dari kantor saya" not in html  # a shopper has no office
    assert titles(html)[0] == "Keripik Singkong Pedas"  # relevance, then newest

    auth.login(officer.email, PASSWORD)
    html = page(client, "/cari?q=keripik&urut=terdekat")
    assert '<option value="terdekat" selected>Terdekat dari kantor saya</option>' in html
    # The office is in Kecamatan Tangerang: its seller first, the sold-out one last as always.
    assert titles(html) == ["Keripik Pisang Cokelat", "Keripik Singkong Pedas", "Keripik Tempe Original"]


def test_pagination_links_keep_every_filter(make_app):
    app = make_app(PRODUCTS_PER_PAGE=2)
    client = app.test_client()
    with app.app_context():
        category, seller = gen_category(), gen_seller(scale="mikro")
        for n in range(5):
            gen_product(title=f"Kopi Robusta {n}", category=category, seller=seller, price=20_000 + n)
        gen_product(title="Kopi Mahal", category=category, seller=seller, price=900_000)
        db.session.commit()

    html = page(client, "/cari?q=kopi&skala=mikro&harga_maks=100.000&urut=termurah")
    assert "Menampilkan 1–2 dari 5 produk untuk “kopi”" in text_of(html)
    assert 'href="/cari?q=kopi&amp;skala=mikro&amp;harga_maks=100000&amp;urut=termurah&amp;hal=2"' in html
    html = page(client, "/cari?q=kopi&skala=mikro&harga_maks=100000&urut=termurah&hal=3")
    assert "Menampilkan 5–5 dari 5 produk" in text_of(html)
    assert titles(html) == ["Kopi Robusta 4"]
    # Past the end: the last page.
    assert "Menampilkan 5–5 dari 5 produk" in text_of(page(client, "/cari?q=kopi&skala=mikro&harga_maks=100000&hal=99999"))


def test_filters_without_a_query_browse_the_catalogue(client, shop):
    html = page(client, "/cari?kategori=fashion")
    assert titles(html) == ["Kemeja Batik Tulis"]
    assert "Menampilkan 1–1 dari 1 produk" in text_of(html)


def test_hits_use_the_product_card_layout(client, shop):
    html = page(client, "/cari?q=keripik")
    cards = re.findall(r'<li class="search-hit">\s*(<article class="product-card">.*?</article>)', html, re.S)
    assert len(cards) == 3
    card = text_of(next(c for c in cards if "Singkong" in c))
    assert "Rp 15.000 / pcs" in card and "Dapur Bu Sri" in card and "Pamulang" in card and "TKDN 40%" in card
    assert "Stok habis" in text_of(next(c for c in cards if "Tempe" in c))


def test_the_page_has_no_inline_script_or_style(client, shop):
    html = page(client, "/cari?q=keripik&skala=mikro")
    assert 'style="' not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert '<script src="/static/js/search-filters.js" defer></script>' in html


# --- bad input: a page, never a 500, never Whoosh's words ------------------------------------


def assert_clean_page(html: str) -> None:
    lowered = html.lower()
    assert "whoosh" not in lowered and "traceback" not in lowered and "queryparsererror" not in lowered


def test_an_empty_query_shows_the_prompt(client, shop):
    for url in ("/cari", "/cari?q=", "/cari?q=+++", "/cari?q=%00"):
        text = text_of(page(client, url))
        assert "Cari produk UMKM" in text and "Menampilkan" not in text


@pytest.mark.parametrize("query", ["a" * 10_000, "keripik " * 1250])
def test_a_10000_character_query_is_cut_to_100(client, shop, query):
    html = page(client, "/cari?" + urlencode({"q": query}))
    assert_clean_page(html)
    box = re.search(r'<input id="site-search"[^>]*>', html).group(0)
    assert f'value="{query[:100].strip()}"' in box
    main = html[html.index("<main"):html.index("</main>")]
    assert query[:101].strip() not in main


def test_only_stop_words_are_called_too_general(client, shop):
    text = text_of(page(client, "/cari?q=dan+yang+untuk"))
    assert "Kata “dan yang untuk” terlalu umum untuk dicari." in text
    assert "Menampilkan" not in text and "Keripik" not in text


@pytest.mark.parametrize("query", ["*", "?", '"', "(", ")", "~", "^", ":", "* ? \" ( ) ~ ^ :", "🌶️🔥"])
def test_only_symbols_say_there_is_nothing_to_search(client, shop, query):
    html = page(client, "/cari?" + urlencode({"q": query}))
    assert_clean_page(html)
    assert "tidak berisi kata yang bisa dicari" in text_of(html)
    assert titles(html) == []


@pytest.mark.parametrize("query, expected", [
    ("keripik*", {"Keripik Singkong Pedas", "Keripik Pisang Cokelat", "Keripik Tempe Original"}),
    ('"keripik singkong"', {"Keripik Singkong Pedas"}),
    ("(keripik) AND (singkong)", {"Keripik Singkong Pedas"}),
    ("keripik OR sirup", set()),  # OR is a word here, not an operator: nothing has all the words
    ("NOT keripik", set()),
    ("keripik~2", set()),
    ("keripik^3", set()),
    ("title:keripik", set()),
    ("singkong:", {"Keripik Singkong Pedas"}),
    ("' OR 1=1 --", set()),
    ('"; DROP TABLE product; --', set()),
    ("%_%\\", None),
    ("keripik\x00singkong", {"Keripik Singkong Pedas"}),
    ("🌶️ keripik 🔥 singkong", {"Keripik Singkong Pedas"}),
    ("кириллица", set()),
    ("辣椒", set()),
    ("كريبيك", set()),
    ("<script>alert(1)</script>", set()),
    ("{{ 7*7 }} %(title)s", set()),
])
def test_query_syntax_sql_and_any_script_are_plain_text(client, shop, query, expected):
    html = page(client, "/cari?" + urlencode({"q": query}))
    assert_clean_page(html)
    assert "<script>alert(1)</script>" not in html
    assert ">49<" not in html
    if expected is not None:
        assert set(titles(html)) == expected
        if not expected:
            assert "Tidak ada produk untuk" in text_of(html) or "tidak berisi kata" in text_of(html)


def test_a_negative_price_is_ignored_with_a_note(client, shop):
    text = text_of(page(client, "/cari?q=keripik&harga_min=-5000&harga_maks=-1"))
    assert "Harga minimum diabaikan: Nominal tidak boleh negatif." in text
    assert "Harga maksimum diabaikan: Nominal tidak boleh negatif." in text
    assert "dari 3 produk" in text


def test_an_unreadable_price_is_ignored_with_a_note(client, shop):
    text = text_of(page(client, "/cari?q=keripik&harga_min=murah&harga_maks=15,000"))
    assert "Harga minimum diabaikan: Nominal tidak dikenali." in text
    assert "Harga maksimum diabaikan: Gunakan titik untuk ribuan, misalnya 15.000 (bukan 15,000)." in text
    assert "dari 3 produk" in text


def test_a_reversed_price_range_is_swapped_with_a_note(client, shop):
    html = page(client, "/cari?q=keripik&harga_min=Rp20.000&harga_maks=14.000")
    assert "Harga minimum lebih besar dari harga maksimum, jadi keduanya kami tukar." in text_of(html)
    assert set(titles(html)) == {"Keripik Singkong Pedas", "Keripik Pisang Cokelat"}
    assert 'name="harga_min" inputmode="numeric" autocomplete="off" maxlength="20"\n                 value="14.000"' in html


@pytest.mark.parametrize("query", [
    "kota=99.99", "kota=36.74.06", "kecamatan=11.01.01", "kecamatan=36.74", "skala=raksasa",
    "sertifikat=palsu", "kategori=tidak-ada", "urut=xyz", "skala=raksasa&skala=mikro&sertifikat=iso",
])
def test_unknown_filter_values_are_ignored_with_a_note(client, shop, query):
    html = page(client, "/cari?q=keripik&" + query)
    assert_clean_page(html)
    assert "Sebagian pilihan filter di alamat ini tidak dikenali, jadi diabaikan." in text_of(html)
    expected = {"Keripik Singkong Pedas"} if "mikro" in query else {
        "Keripik Singkong Pedas", "Keripik Pisang Cokelat", "Keripik Tempe Original"}
    assert set(titles(html)) == expected


@pytest.mark.parametrize("hal", ["0", "-1", "abc", "1.5", "9" * 30, ""])
def test_an_unreadable_page_number_is_page_one(client, shop, hal):
    text = text_of(page(client, f"/cari?q=keripik&hal={hal}"))
    assert "Menampilkan 1–3 dari 3 produk" in text


def test_page_99999_shows_the_last_page(client, shop):
    assert "Menampilkan 1–3 dari 3 produk" in text_of(page(client, "/cari?q=keripik&hal=99999"))


# --- the index is missing: the basic search answers ------------------------------------------


def test_a_missing_index_falls_back_to_the_basic_search_with_a_notice(app, client, shop, caplog):
    drop_index(app)
    html = page(client, "/cari?q=keripik&skala=mikro")
    text = text_of(html)
    assert "Pencarian lengkap sedang disiapkan ulang; hasil di bawah dari pencarian sederhana." in text
    assert "Filter belum bisa dipakai" in text
    assert set(titles(html)) == {"Keripik Singkong Pedas", "Keripik Pisang Cokelat", "Keripik Tempe Original"}
    assert "search index unavailable" in caplog.text
    assert_clean_page(html)


def test_a_missing_index_before_anything_was_indexed(make_app, tmp_path):
    empty = tmp_path / "kosong"
    empty.mkdir()
    app = make_app(SEARCH_INDEX_DIR=str(empty))
    client = app.test_client()
    text = text_of(page(client, "/cari?q=keripik"))
    assert "Pencarian lengkap sedang disiapkan ulang" in text
    assert "Tidak ada produk untuk “keripik”." in text
    assert page(client, "/api/saran?q=keripik") == '{"frasa":[],"penjual":[]}\n'


def test_a_broken_index_falls_back_too(app, client, shop):
    # The table of contents survives, the segments it names are gone.
    app.extensions["search"].reset()
    for path in Path(app.config["SEARCH_INDEX_DIR"]).iterdir():
        if not path.name.endswith(".toc"):
            path.unlink()
    text = text_of(page(client, "/cari?q=keripik"))
    assert "Pencarian lengkap sedang disiapkan ulang" in text
    assert "Keripik Singkong Pedas" in text


# --- suggestions -----------------------------------------------------------------------------


def test_suggestions_give_phrases_and_sellers_as_json(client, shop):
    response = client.get("/api/saran?q=kripik+pedes")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) == {"frasa", "penjual"}
    assert data["frasa"][0] == "keripik pedas"
    assert {"nama": "Dapur Bu Sri", "url": f"/toko/{shop.mikro.slug}"} in data["penjual"]
    assert all(set(seller) == {"nama", "url"} for seller in data["penjual"])
    assert "no-store" in response.headers["Cache-Control"] or "max-age=" in response.headers["Cache-Control"]


def test_a_typo_suggests_the_corrected_phrase(client, shop):
    data = client.get("/api/saran?q=singkonk").get_json()
    assert data["frasa"][0] == "singkong"
    assert data["penjual"][0]["nama"] == "Dapur Bu Sri"


@pytest.mark.parametrize("query", ["", "   ", "dan", "*", "a" * 10_000, "' OR 1=1 --", "🌶️", "\x00"])
def test_suggestions_never_fail(client, shop, query):
    response = client.get("/api/saran", query_string={"q": query})
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {"frasa", "penjual"}
    if not query.strip("\x00 ") or query in ("dan", "*", "🌶️"):
        assert data == {"frasa": [], "penjual": []}


def test_suggestions_hide_suspended_sellers(client, shop):
    shop.mikro.status = "suspended"
    db.session.commit()
    data = client.get("/api/saran?q=singkong").get_json()
    assert all(s["nama"] != "Dapur Bu Sri" for s in data["penjual"])


def test_the_search_bar_is_a_plain_form_that_the_script_enhances(client, shop):
    html = page(client, "/tentang")
    form = re.search(r'<form class="container search-form" role="search" method="get" action="/cari".*?</form>', html, re.S)
    assert form, "the search bar must be a plain GET form to /cari"
    assert 'data-suggest-url="/api/saran"' in form.group(0)
    assert 'role="listbox"' in form.group(0) and "hidden" in form.group(0)
    assert '<script src="/static/js/search-suggest.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/css/search.css">' in html


# --- bounded queries -------------------------------------------------------------------------


def test_hits_are_loaded_in_a_fixed_number_of_statements(make_app):
    app = make_app(PRODUCTS_PER_PAGE=20)
    client = app.test_client()

    def statements() -> int:
        client.get("/cari?q=rendang")  # warm up: template compilation, the region table
        with count_queries(app) as counter:
            response = client.get("/cari?q=rendang&skala=mikro")
        assert response.status_code == 200
        return counter.count

    with app.app_context():
        category = gen_category()
        for n in range(2):
            seller = gen_seller(business_name=f"Warung {n}", scale="mikro")
            gen_product(title=f"Rendang Daging {n}", category=category, seller=seller)
        db.session.commit()
    two = statements()
    assert len(titles(client.get("/cari?q=rendang").get_data(as_text=True))) == 2

    with app.app_context():
        for n in range(2, 20):
            seller = gen_seller(business_name=f"Warung {n}", scale="mikro", kecamatan=f"36.74.0{n % 7 + 1}")
            gen_product(title=f"Rendang Daging {n}", category=gen_category(), seller=seller)
        db.session.commit()
    twenty = statements()
    assert len(titles(client.get("/cari?q=rendang").get_data(as_text=True))) == 20
    assert two == twenty, f"{two} statements for 2 hits, {twenty} for 20"
    assert twenty <= 6


def test_hits_keep_the_index_order_and_skip_products_no_longer_visible(app, shop):
    # A Core UPDATE bypasses the index hooks: as if the index lagged a moment behind.
    db.session.execute(update(Seller).where(Seller.id == shop.kecil.id).values(status="suspended"))
    db.session.commit()
    db.session.expire_all()
    loaded = load_products([shop.tempe.id, shop.pisang.id, shop.singkong.id])
    assert [p.id for p in loaded] == [shop.tempe.id, shop.singkong.id]
