"""/admin/statistik: the figures on the page, the CSV of each table (allow-listed names only,
formula-safe), the year chooser, and nobody but an admin."""

from datetime import datetime, timezone

import pytest

from catalog.extensions import db
from catalog.services.certificates import jakarta_today
from tests.compliance_factories import build_world
from tests.factories import KEC_PAMULANG, KEC_SERPONG, PASSWORD, gen_officer, gen_product, gen_seller, gen_user
from tests.stats_factories import gen_shop_order

STATS_URLS = ["/admin/statistik", "/admin/statistik/umkm-kecamatan.csv", "/admin/statistik/belanja-pemerintah.csv"]


def _login(client, role="admin"):
    user = gen_officer() if role == "officer" else gen_user(role=role)
    db.session.commit()
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return user


@pytest.mark.parametrize("role", ["shopper", "seller", "officer"])
@pytest.mark.parametrize("url", STATS_URLS)
def test_only_admins_see_statistics(app, client, role, url):
    _login(client, role)
    assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(app, client):
    response = client.get("/admin/statistik")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_the_page_shows_each_section_with_its_figures(app, client):
    world = build_world()
    gen_seller(kecamatan=KEC_PAMULANG, status="pending")
    shopper = gen_user()
    seller = gen_seller(kecamatan=KEC_SERPONG)
    gen_product(seller=seller, status="hidden")
    today = jakarta_today()
    now = datetime.now(timezone.utc)
    gen_shop_order(seller, shopper, status="completed", total=123_456, created_at=now)
    gen_shop_order(seller, shopper, status="awaiting_payment", total=654_321, created_at=now)
    _login(client)
    response = client.get("/admin/statistik")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for heading in ("UMKM per kota/kabupaten", "UMKM per kecamatan", "UMKM per skala usaha", "Per kategori",
                    "Produk per status", "Pesanan warga dan GMV per bulan", "Belanja pemerintah dengan UMK-K",
                    "Verifikasi penjual terlama", "Median lama verifikasi", "Tagihan pemerintah terlambat"):
        assert heading in html, heading
    assert "Pamulang" in html and "Jambe" in html  # a kecamatan without sellers is listed too
    assert "Rp 123.456" in html and "Rp 654.321" not in html  # GMV counts paid orders only
    assert world.agency.name in html and "28,0%" in html  # UMK-K share of the pagu
    assert "Disembunyikan Dinas" in html
    assert 'class="hbar-fill w-' in html and 'aria-hidden="true"' in html
    assert f'value="{today.year}" selected' in html
    assert "style=" not in html.split("<main", 1)[-1]  # the CSP forbids inline styles


def test_a_bad_year_falls_back_to_the_current_one(app, client):
    _login(client)
    html = client.get("/admin/statistik?tahun=abc").get_data(as_text=True)
    assert f'value="{jakarta_today().year}" selected' in html


def test_csv_download_has_header_and_rows(app, client):
    gen_seller(kecamatan=KEC_PAMULANG)
    gen_seller(kecamatan=KEC_PAMULANG, status="pending")
    _login(client)
    response = client.get("/admin/statistik/umkm-kecamatan.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "Kota/Kabupaten;Kecamatan;UMKM terdaftar;UMKM terverifikasi"
    assert "Kota Tangerang Selatan;Pamulang;2;1" in lines
    assert len(lines) > 40  # every kecamatan


def test_government_spend_csv_follows_the_chosen_year(app, client):
    world = build_world()
    _login(client)
    this_year = client.get(f"/admin/statistik/belanja-pemerintah.csv?tahun={world.year}").get_data(as_text=True)
    assert world.agency.name in this_year and "2800000" in this_year and "28,0" in this_year
    last_year = client.get(f"/admin/statistik/belanja-pemerintah.csv?tahun={world.year - 1}").get_data(as_text=True)
    assert "2800000" not in last_year


def test_csv_cells_cannot_run_as_formulas(app, client):
    world = build_world(formula_name=True)
    seller = world.by_name["mikro"].seller
    invoice = world.by_name["mikro"].invoice
    invoice.status = "issued"  # unpaid again and long overdue
    invoice.due_on = jakarta_today().replace(day=1).replace(year=world.year - 1)
    db.session.commit()
    _login(client)
    text = client.get("/admin/statistik/tagihan-terlambat.csv").get_data(as_text=True)
    assert seller.business_name.startswith("=")
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text


@pytest.mark.parametrize("name", ["user", "seller", "..%2Fsecret", "UMKM-KOTA"])
def test_unknown_tables_are_404(app, client, name):
    _login(client)
    assert client.get(f"/admin/statistik/{name}.csv").status_code == 404
