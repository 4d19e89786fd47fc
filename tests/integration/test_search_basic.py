"""The basic search (catalogue.search_products): what /cari answers while the full-text index is
missing or broken. Title and seller-name matching, paging, input that must never fail, and the
notice that says the full search is being rebuilt. The full search is tested in
test_search_pages.py."""

import re
import shutil
from html import unescape

import pytest

from catalog.extensions import db
from tests.factories import gen_category, gen_product, gen_seller

NOTICE = "Pencarian lengkap sedang disiapkan ulang; hasil di bawah dari pencarian sederhana."


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    html = re.sub(r"</?mark>", "", html)  # a highlighted word is still part of its word ("50%")
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def drop_index(app) -> None:
    """Remove the index the commits built, so /cari must fall back to the basic search."""
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"], ignore_errors=True)
    app.extensions["search"].reset()


@pytest.fixture
def catalogue(app):
    batik = gen_seller(business_name="Batik Cisadane")
    snacks = gen_seller(business_name="Dapur Bu Sri")
    gen_product(seller=snacks, title="Keripik Singkong Balado", price=12_000)
    gen_product(seller=snacks, title="KERIPIK Pisang Cokelat", price=18_000)
    gen_product(seller=snacks, title="Rempeyek Kacang", price=10_000)
    gen_product(seller=batik, title="Kain Batik Tulis Motif Kembang", price=450_000)
    gen_product(seller=batik, title="Diskon 50% Kemeja Batik", price=150_000)
    db.session.commit()
    drop_index(app)


def test_search_matches_titles_case_insensitively(client, catalogue):
    text = text_of(page(client, "/cari?q=kErIpIk"))
    assert NOTICE in text
    assert "Keripik Singkong Balado" in text and "KERIPIK Pisang Cokelat" in text
    assert "Rempeyek Kacang" not in text
    assert "Menampilkan 1–2 dari 2 produk untuk “kErIpIk”" in text


def test_search_matches_the_sellers_business_name(client, catalogue):
    text = text_of(page(client, "/cari?q=dapur+bu+sri"))
    assert "Rempeyek Kacang" in text and "Keripik Singkong Balado" in text
    assert "Kain Batik" not in text


def test_every_word_of_the_query_must_match(client, catalogue):
    text = text_of(page(client, "/cari?q=keripik+balado"))
    assert "Keripik Singkong Balado" in text
    assert "KERIPIK Pisang Cokelat" not in text


def test_search_results_sort_by_price(client, catalogue):
    text = text_of(page(client, "/cari?q=batik&urut=termurah"))
    assert text.index("Diskon 50% Kemeja Batik") < text.index("Kain Batik Tulis Motif Kembang")
    text = text_of(page(client, "/cari?q=batik&urut=termahal"))
    assert text.index("Kain Batik Tulis Motif Kembang") < text.index("Diskon 50% Kemeja Batik")


@pytest.mark.parametrize("product_fields, seller_status", [
    pytest.param({"status": "draft"}, "verified", id="draft"),
    pytest.param({"status": "archived"}, "verified", id="archived"),
    pytest.param({}, "pending", id="pending-seller"),
    pytest.param({}, "suspended", id="suspended-seller"),
])
def test_search_never_shows_hidden_products(app, client, product_fields, seller_status):
    gen_product(title="Keripik Tayang")
    gen_product(title="Keripik Tersembunyi", seller=gen_seller(status=seller_status), **product_fields)
    db.session.commit()
    drop_index(app)

    text = text_of(page(client, "/cari?q=keripik"))
    assert NOTICE in text
    assert "Keripik Tayang" in text
    assert "Keripik Tersembunyi" not in text
    assert "dari 1 produk" in text


def test_empty_query_shows_a_friendly_prompt(client, catalogue):
    for url in ("/cari", "/cari?q=", "/cari?q=+++"):
        text = text_of(page(client, url))
        assert "Cari produk UMKM" in text
        assert "Menampilkan" not in text


def test_no_results_shows_an_empty_state_with_a_way_on(client, catalogue):
    html = page(client, "/cari?q=sepeda+motor")
    assert NOTICE in text_of(html)
    assert "Tidak ada produk untuk “sepeda motor”." in text_of(html)
    assert 'href="/kategori"' in html


def test_like_wildcards_in_the_query_match_literally(client, catalogue):
    text = text_of(page(client, "/cari?q=50%25"))
    assert "Diskon 50% Kemeja Batik" in text and "dari 1 produk" in text
    # Passed to LIKE unescaped, a bare % or _ would match every product.
    assert "dari 1 produk" in text_of(page(client, "/cari?q=%25"))
    assert "Tidak ada produk" in text_of(page(client, "/cari?q=_"))


@pytest.mark.parametrize("query", [
    "a" * 10_000,
    "' OR 1=1 --",
    "\"; DROP TABLE product; --",
    "%_%\\",
    "\\",
    "keripik\x00balado",
    "🌶️ keripik 🔥",
    "<script>alert(1)</script>",
    "%(title)s {{ 7*7 }}",
    "\u202e\u200b",
])
def test_any_input_gets_a_page_never_a_server_error(client, catalogue, query):
    response = client.get("/cari", query_string={"q": query, "hal": "x", "urut": query, "harga_min": query,
                                                  "skala": query, "kota": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert NOTICE in text_of(html) or "Cari produk UMKM" in text_of(html)


def test_long_queries_are_cut_to_100_characters(client, catalogue):
    html = page(client, "/cari?q=" + "k" * 300)
    assert f'value="{"k" * 100}"' in html  # the search box
    assert f"“{'k' * 100}”" in text_of(html)  # "Tidak ada produk untuk “…”"
    assert "k" * 101 not in text_of(html)


def test_search_paginates_and_keeps_the_query_in_page_links(make_app):
    app = make_app(PRODUCTS_PER_PAGE=2)
    client = app.test_client()
    with app.app_context():
        category = gen_category()
        for n in range(5):
            gen_product(title=f"Kopi Robusta {n}", category=category)
        db.session.commit()
        drop_index(app)

    html = page(client, "/cari?q=kopi")
    assert NOTICE in text_of(html)
    assert "Menampilkan 1–2 dari 5 produk untuk “kopi”" in text_of(html)
    assert 'href="/cari?q=kopi&amp;hal=2"' in html
    assert "Menampilkan 5–5 dari 5 produk" in text_of(page(client, "/cari?q=kopi&hal=3"))
    assert "Menampilkan 5–5 dari 5 produk" in text_of(page(client, "/cari?q=kopi&hal=42"))


def test_search_box_keeps_what_was_typed(client, catalogue):
    html = page(client, "/cari?q=keripik+%22pedas%22")
    assert 'value="keripik &#34;pedas&#34;"' in html or 'value="keripik &quot;pedas&quot;"' in html
