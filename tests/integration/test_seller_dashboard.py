"""The seller dashboard home (/penjual): who may open it, the verification status, the counts,
low stock, expiring certificates, the profile checklist and the weekly views chart."""

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest

from catalog.extensions import db
from catalog.models import SellerDocument
from catalog.models.base import utcnow
from catalog.services import seller_stats
from tests.factories import gen_category, gen_officer, gen_product, gen_seller, gen_user
from tests.querycount import count_queries


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def log_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def dashboard(client, status=200) -> str:
    response = client.get("/penjual")
    assert response.status_code == status
    return response.get_data(as_text=True)


@pytest.fixture
def seller_client(client):
    """A browser logged in as a verified seller; returns (client, seller)."""
    seller = gen_seller(business_name="Dapur Bu Sri", slug="dapur-bu-sri", low_stock_threshold=5)
    db.session.commit()
    log_in(client, seller.user)
    return client, seller


# --- who may open it ---


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/penjual")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/masuk"


@pytest.mark.parametrize("make_user", [lambda: gen_user(role="shopper"), gen_officer, lambda: gen_user(role="admin")])
def test_other_roles_get_403(client, make_user):
    user = make_user()
    db.session.commit()
    log_in(client, user)
    assert "Akses ditolak" in dashboard(client, status=403)


def test_seller_without_a_profile_is_sent_to_the_registration_wizard(client):
    user = gen_user(role="seller")
    db.session.commit()
    log_in(client, user)
    response = client.get("/penjual")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/penjual/daftar"


# --- status banner ---


def test_verified_seller_sees_a_link_to_their_storefront(seller_client):
    client, _seller = seller_client
    html = dashboard(client)
    assert "Toko Anda sudah terverifikasi Dinas" in text_of(html)
    assert 'href="/toko/dapur-bu-sri"' in html


def test_greeting_uses_the_first_name(client):
    seller = gen_seller(user=gen_user(role="seller", name="Sri Wahyuningsih"))
    db.session.commit()
    log_in(client, seller.user)
    assert "Halo, Sri!" in text_of(dashboard(client))


def test_seller_waiting_for_verification_is_told_so(client):
    seller = gen_seller(status="pending", submitted_at=utcnow())
    db.session.commit()
    log_in(client, seller.user)
    text = text_of(dashboard(client))
    assert "Menunggu verifikasi Dinas" in text
    assert "Lihat toko saya" not in text


def test_seller_who_has_not_submitted_is_asked_to_finish(client):
    seller = gen_seller(status="pending", submitted_at=None)
    db.session.commit()
    log_in(client, seller.user)
    html = dashboard(client)
    assert "Pendaftaran belum selesai" in text_of(html)
    assert 'href="/penjual/daftar"' in html


@pytest.mark.parametrize(
    ("status", "title"),
    [("rejected", "Pendaftaran Anda ditolak"), ("suspended", "Toko Anda sedang dibekukan")],
)
def test_rejected_or_suspended_seller_sees_the_reason(client, status, title):
    seller = gen_seller(status=status, status_reason="Foto NIB tidak terbaca <b>jelas</b>.")
    db.session.commit()
    log_in(client, seller.user)
    html = dashboard(client)
    text = text_of(html)
    assert title in text
    assert "Foto NIB tidak terbaca <b>jelas</b>." in text  # shown, escaped
    assert "<b>jelas</b>" not in html


# --- counts and lists ---


def test_counts_products_per_status_and_low_stock(seller_client):
    client, seller = seller_client
    category = gen_category()
    gen_product(seller=seller, category=category, title="Aktif Banyak", stock=50)
    gen_product(seller=seller, category=category, title="Aktif Menipis", stock=3)
    gen_product(seller=seller, category=category, title="Aktif Habis", stock=0)
    gen_product(seller=seller, category=category, title="Pesanan Khusus", stock=0, made_to_order=True, lead_time_days=3)
    gen_product(seller=seller, category=category, title="Draf Menipis", stock=1, status="draft")
    gen_product(seller=seller, category=category, title="Arsip Lama", stock=0, status="archived")
    gen_product(category=category, title="Punya Orang Lain", stock=1)
    db.session.commit()

    html = dashboard(client)
    tiles = re.findall(r'<span class="stat-number">([^<]+)</span><span class="stat-label">([^<]+)</span>', html)
    assert {label: number for number, label in tiles} == {
        "Produk aktif": "4", "Draf": "1", "Arsip": "1", "Stok menipis": "2",
    }
    text = text_of(html)
    low = text[text.index("Produk aktif dengan stok 5 atau kurang"):]
    assert low.index("Aktif Habis") < low.index("Aktif Menipis")  # sold out first
    assert "Habis" in low and "Sisa 3" in low
    for absent in ("Aktif Banyak", "Pesanan Khusus", "Draf Menipis", "Punya Orang Lain"):
        assert absent not in low
    product = seller.products.filter_by(title="Aktif Menipis").one()
    assert f'href="/penjual/produk/{product.id}"' in html


def test_low_stock_follows_the_sellers_own_threshold(seller_client):
    client, seller = seller_client
    seller.low_stock_threshold = 20
    gen_product(seller=seller, title="Stok Lima Belas", stock=15)
    db.session.commit()
    assert "Stok Lima Belas" in text_of(dashboard(client))


def test_no_low_stock_says_all_is_well(seller_client):
    client, seller = seller_client
    gen_product(seller=seller, stock=100)
    db.session.commit()
    assert "Semua produk aktif stoknya aman." in text_of(dashboard(client))


def test_lists_certificates_expired_or_expiring_within_30_days(seller_client):
    client, seller = seller_client
    today = date.today()
    db.session.add_all([
        SellerDocument(seller=seller, kind="halal", number="HALAL-SEGERA", expires_on=today + timedelta(days=20)),
        SellerDocument(seller=seller, kind="pirt", number="PIRT-LEWAT", expires_on=today - timedelta(days=3)),
        SellerDocument(seller=seller, kind="bpom", number="BPOM-DITANDAI", expired=True),
        SellerDocument(seller=seller, kind="sni", number="SNI-MASIH-LAMA", expires_on=today + timedelta(days=200)),
    ])
    db.session.commit()
    text = text_of(dashboard(client))
    section = text[text.index("Sertifikat yang perlu diperbarui"):]
    assert "HALAL-SEGERA" in section and "Berakhir" in section
    assert "PIRT-LEWAT" in section and "BPOM-DITANDAI" in section and "Kedaluwarsa" in section
    assert section.index("PIRT-LEWAT") < section.index("HALAL-SEGERA")
    assert "SNI-MASIH-LAMA" not in text


def test_shows_profile_completeness_and_what_is_missing(seller_client):
    client, _seller = seller_client
    html = dashboard(client)
    match = re.search(r'<progress class="progress" max="100" value="(\d+)"', html)
    assert match and 0 < int(match.group(1)) < 100
    text = text_of(html)
    assert "Kelengkapan profil" in text
    assert "Logo usaha — belum" in text
    assert "Nomor WhatsApp — sudah" in text


# --- the views chart ---


def test_views_chart_shows_the_last_eight_weeks_with_a_table(seller_client):
    client, seller = seller_client
    this_monday = seller_stats.week_start(seller_stats.today_in_jakarta())
    for _ in range(3):
        seller_stats.record_view(seller.id)
    for _ in range(7):
        seller_stats.record_view(seller.id, today=this_monday - timedelta(days=3))  # last Friday
    seller_stats.record_view(seller.id, today=this_monday - timedelta(weeks=9))  # too old to show

    html = dashboard(client)
    svg = html[html.index("<svg class=\"chart\""):html.index("</svg>", html.index("<svg class=\"chart\""))]
    assert svg.count("<rect ") == 8
    assert 'role="img"' in svg and "Total 10 kunjungan" in svg
    assert "style=" not in svg
    table = text_of(html[html.index('<table class="data-table">'):])
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td></tr>", html)
    assert len(rows) == 8
    assert rows[0][1] == "3" and rows[1][1] == "7"
    assert "Kunjungan" in table
    assert "pesanan per minggu" in text_of(html)


def test_dashboard_query_count_does_not_grow_with_products(seller_client, app):
    client, seller = seller_client
    category = gen_category()
    for n in range(40):
        gen_product(seller=seller, category=category, title=f"Produk {n}", stock=n % 4)
        db.session.add(SellerDocument(seller=seller, kind="halal", number=f"H-{n}",
                                      expires_on=date.today() + timedelta(days=n)))
    db.session.commit()
    dashboard(client)
    with count_queries(app) as q:
        dashboard(client)
    # user, seller, counts, low stock, documents (expiring), views, documents (checklist), notifications,
    # government sales with the balance (one statement)
    assert q.count <= 11, q
