"""The public storefront at /toko/<slug>: what a shopper sees, which sellers have one, old
addresses, sorting and paging, link previews, view counting and bounded queries."""

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import ProductImage, SellerDocument
from catalog.models.sellers import SellerSlugRedirect, SellerViewWeek
from catalog.services.seller_stats import today_in_jakarta, week_start
from tests.factories import gen_category, gen_product, gen_seller, gen_user
from tests.querycount import count_queries

BROWSER = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"}


def page(client, url, status=200, headers=BROWSER) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def meta(html: str, prop: str) -> str:
    match = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)"', html)
    assert match, f"no {prop}"
    return unescape(match.group(1))


def views_this_week(seller_id) -> int:
    db.session.rollback()  # a fresh read: the request committed in its own session
    row = db.session.get(SellerViewWeek, (seller_id, week_start(today_in_jakarta())))
    return row.views if row else 0


def log_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def shop():
    seller = gen_seller(
        business_name="Keripik Singkong Bu Rina",
        slug="keripik-bu-rina",
        scale="kecil",
        is_koperasi=True,
        description="<p>Keripik renyah dari <strong>Pamulang</strong> sejak 2015.</p><script>alert(1)</script>",
        rating_sum=46,
        rating_count=10,
        whatsapp="+6281234567890",
    )
    category = gen_category("Keripik", slug="keripik")
    gen_product(seller=seller, category=category, title="Keripik Balado Pedas", price=25000, sold_count=5)
    gen_product(seller=seller, category=category, title="Keripik Original Gurih", price=15000, sold_count=40)
    gen_product(seller=seller, category=category, title="Keripik Draf Rahasia", status="draft")
    gen_product(seller=seller, category=category, title="Keripik Arsip Lama", status="archived")
    gen_product(category=category, title="Produk Penjual Lain")
    db.session.commit()
    return seller


def test_storefront_shows_the_sellers_profile_and_active_products(client, shop):
    html = page(client, "/toko/keripik-bu-rina")
    text = text_of(html)
    assert "<h1" in html and "Keripik Singkong Bu Rina" in text
    assert "Terverifikasi Dinas" in text
    assert "Kecil" in text and "Koperasi" in text
    assert "Pamulang, Kota Tangerang Selatan" in text
    assert "4,6" in text  # 46 / 10
    assert "Bergabung sejak" in text
    assert "Keripik renyah dari" in text and "<strong>Pamulang</strong>" in html
    assert "Keripik Balado Pedas" in text and "Keripik Original Gurih" in text
    assert "Keripik Draf Rahasia" not in text
    assert "Keripik Arsip Lama" not in text
    assert "Produk Penjual Lain" not in text
    assert "Menampilkan 1–2 dari 2 produk" in text


def test_storefront_description_is_sanitised(client, shop):
    html = page(client, "/toko/keripik-bu-rina")
    assert "<script>alert(1)" not in html
    assert "alert(1)" not in text_of(html)


def test_storefront_whatsapp_button_opens_a_chat_with_a_greeting(client, shop):
    html = page(client, "/toko/keripik-bu-rina")
    links = re.findall(r'href="(https://wa\.me/[^"]+)"', html)
    assert links
    url = urlsplit(unescape(links[0]))
    assert url.path == "/6281234567890"
    greeting = parse_qs(url.query)["text"][0]
    assert greeting.startswith("Halo Keripik Singkong Bu Rina")
    assert "http://localhost/toko/keripik-bu-rina" in greeting


def test_storefront_shows_only_valid_certificates(client, shop):
    today = date.today()
    db.session.add_all([
        SellerDocument(seller=shop, kind="halal", number="ID-HALAL-777", expires_on=today + timedelta(days=200)),
        SellerDocument(seller=shop, kind="pirt", number="PIRT-LAMA-1", expires_on=today - timedelta(days=1)),
        SellerDocument(seller=shop, kind="bpom", number="BPOM-DICABUT", expired=True),
        SellerDocument(seller=shop, kind="nib", number="NIB-BUKAN-SERTIFIKAT"),
    ])
    db.session.commit()
    text = text_of(page(client, "/toko/keripik-bu-rina"))
    assert "ID-HALAL-777" in text
    assert "PIRT-LAMA-1" not in text
    assert "BPOM-DICABUT" not in text
    assert "NIB-BUKAN-SERTIFIKAT" not in text


@pytest.mark.parametrize(
    ("sort", "first", "second"),
    [
        ("termurah", "Keripik Original Gurih", "Keripik Balado Pedas"),
        ("termahal", "Keripik Balado Pedas", "Keripik Original Gurih"),
        ("terlaris", "Keripik Original Gurih", "Keripik Balado Pedas"),
        ("terbaru", "Keripik Original Gurih", "Keripik Balado Pedas"),  # created second
    ],
)
def test_storefront_sorts_products(client, shop, sort, first, second):
    text = text_of(page(client, f"/toko/keripik-bu-rina?urut={sort}"))
    assert text.index(first) < text.index(second)


def test_storefront_sort_links_mark_the_current_choice(client, shop):
    html = page(client, "/toko/keripik-bu-rina?urut=terlaris")
    assert re.search(r'href="/toko/keripik-bu-rina\?urut=terlaris#produk" aria-current="true">Terlaris<', html)


def test_storefront_pages_through_products(make_app):
    app = make_app(PRODUCTS_PER_PAGE=2)
    with app.app_context():
        seller = gen_seller(slug="toko-banyak")
        category = gen_category()
        for n in range(5):
            gen_product(seller=seller, category=category, title=f"Barang Nomor {n}", price=1000 + n)
        db.session.commit()
    client = app.test_client()
    text = text_of(page(client, "/toko/toko-banyak?urut=termurah&hal=2"))
    assert "Menampilkan 3–4 dari 5 produk" in text
    assert "Barang Nomor 2" in text and "Barang Nomor 3" in text
    assert "Barang Nomor 0" not in text
    html = page(client, "/toko/toko-banyak?urut=termurah&hal=2")
    assert 'href="/toko/toko-banyak?urut=termurah&amp;hal=3"' in html
    # A page past the end, or nonsense, never fails.
    assert "Menampilkan 5–5 dari 5 produk" in text_of(page(client, "/toko/toko-banyak?hal=99"))
    assert "Menampilkan 1–2 dari 5 produk" in text_of(page(client, "/toko/toko-banyak?hal=abc&urut=acak"))


def test_storefront_without_products_shows_a_friendly_note(client):
    gen_seller(slug="toko-kosong")
    db.session.commit()
    assert "belum punya produk" in text_of(page(client, "/toko/toko-kosong"))


def test_storefront_has_opengraph_tags_for_link_previews(client, shop):
    shop.logo_key = "logotoko1"
    db.session.commit()
    html = page(client, "/toko/keripik-bu-rina")
    assert meta(html, "og:title") == "Keripik Singkong Bu Rina"
    assert meta(html, "og:description") == "Keripik renyah dari Pamulang sejak 2015."
    assert meta(html, "og:url") == "http://localhost/toko/keripik-bu-rina"
    assert meta(html, "og:image") == "http://localhost/media/p/logotoko1-960.jpg"


def test_storefront_preview_falls_back_to_a_product_photo(client, shop):
    product = shop.products.filter_by(title="Keripik Original Gurih").one()
    db.session.add(ProductImage(product=product, key="fotokeripik", width=800, height=800))
    db.session.commit()
    html = page(client, "/toko/keripik-bu-rina?urut=terlaris")
    assert meta(html, "og:image").endswith("/media/p/fotokeripik-960.jpg")


def test_storefront_shows_banner_and_logo_photos(client, shop):
    shop.logo_key, shop.banner_key = "logoku", "spanduk"
    db.session.commit()
    html = page(client, "/toko/keripik-bu-rina")
    assert "/media/p/spanduk-960.webp" in html
    assert "/media/p/logoku-320.jpg" in html
    assert 'alt="Logo Keripik Singkong Bu Rina"' in html


def test_old_slug_redirects_permanently_to_the_current_one(client, shop):
    db.session.add(SellerSlugRedirect(slug="keripik-rina-lama", seller_id=shop.id))
    db.session.commit()
    response = client.get("/toko/keripik-rina-lama?urut=termurah&x=1", headers=BROWSER)
    assert response.status_code == 301
    assert response.location == "/toko/keripik-bu-rina?urut=termurah"


def test_unknown_slug_is_404(client, shop):
    assert "Halaman tidak ditemukan" in page(client, "/toko/tidak-ada", status=404)


@pytest.mark.parametrize("status", ["pending", "rejected", "suspended"])
def test_seller_who_is_not_verified_has_no_storefront(client, status):
    seller = gen_seller(slug="toko-belum", status=status)
    db.session.add(SellerSlugRedirect(slug="toko-belum-lama", seller_id=seller.id))
    db.session.commit()
    page(client, "/toko/toko-belum", status=404)
    page(client, "/toko/toko-belum-lama", status=404)


def test_suspending_a_seller_hides_the_storefront_at_once(client, shop):
    page(client, "/toko/keripik-bu-rina")
    shop.status = "suspended"
    db.session.commit()
    page(client, "/toko/keripik-bu-rina", status=404)


# --- view counting ---


def test_storefront_visit_is_counted_for_this_week(client, shop):
    page(client, "/toko/keripik-bu-rina")
    page(client, "/toko/keripik-bu-rina?urut=termurah")
    assert views_this_week(shop.id) == 2


def test_product_page_visit_counts_for_its_seller(client, shop):
    product = shop.products.filter_by(title="Keripik Balado Pedas").one()
    page(client, f"/produk/{product.slug}")
    assert views_this_week(shop.id) == 1


@pytest.mark.parametrize(
    "agent",
    ["Googlebot/2.1 (+http://www.google.com/bot.html)", "Mozilla/5.0 (compatible; AhrefsCrawler/1.0)",
     "Baiduspider", "WhatsApp/2.24.1 A", "facebookexternalhit/1.1", ""],
)
def test_bots_and_link_previews_are_not_counted(client, shop, agent):
    page(client, "/toko/keripik-bu-rina", headers={"User-Agent": agent})
    assert views_this_week(shop.id) == 0


def test_seller_looking_at_their_own_shop_is_not_counted(client, shop):
    log_in(client, shop.user)
    page(client, "/toko/keripik-bu-rina")
    assert views_this_week(shop.id) == 0
    other = gen_user()
    db.session.commit()
    log_in(client, other)
    page(client, "/toko/keripik-bu-rina")
    assert views_this_week(shop.id) == 1


def test_a_failing_view_counter_does_not_break_the_page(client, shop, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from catalog.services import seller_stats

    def broken():
        def insert(_table):
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return insert

    monkeypatch.setattr(seller_stats, "_dialect_insert", broken)
    assert "Keripik Balado Pedas" in page(client, "/toko/keripik-bu-rina")


# --- links from elsewhere ---


def test_product_page_links_the_seller_to_their_storefront(client, shop):
    product = shop.products.filter_by(title="Keripik Balado Pedas").one()
    html = page(client, f"/produk/{product.slug}")
    assert 'href="/toko/keripik-bu-rina"' in html
    assert "Kunjungi toko" in text_of(html)


def test_home_seller_cards_link_to_storefronts(client, shop):
    assert 'href="/toko/keripik-bu-rina"' in page(client, "/")


# --- bounded queries ---


def test_storefront_query_count_does_not_grow_with_products(make_app):
    app = make_app()
    with app.app_context():
        seller = gen_seller(slug="toko-besar")
        category = gen_category()
        db.session.add(SellerDocument(seller=seller, kind="halal", number="H-1",
                                      expires_on=date.today() + timedelta(days=90)))
        for n in range(30):
            product = gen_product(seller=seller, category=category, title=f"Produk {n}")
            db.session.add(ProductImage(product=product, key=f"foto{n}", width=800, height=800))
        db.session.commit()
    client = app.test_client()
    page(client, "/toko/toko-besar")  # warm up (first request compiles templates)
    with count_queries(app) as q:
        page(client, "/toko/toko-besar")
    # seller, certificates, count, page, photos, view upsert
    assert q.count <= 7, q


def test_view_rows_are_one_per_seller_and_week(client, shop):
    for _ in range(3):
        page(client, "/toko/keripik-bu-rina")
    db.session.rollback()
    rows = db.session.scalars(select(SellerViewWeek).where(SellerViewWeek.seller_id == shop.id)).all()
    assert [(r.week_start.weekday(), r.views) for r in rows] == [(0, 3)]
