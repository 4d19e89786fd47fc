"""The Inpres 2/2022 pages: the agency's dashboard (/pengadaan/dasbor) with its CSV and XLSX
exports, and the Dinas's ranking of every agency (/admin/inpres) with its CSV. Who may see them
(any confirmed officer of the agency; sellers, shoppers and unconfirmed officers 403; the admin
for the ranking), that only the officer's own agency is shown, that a bad year never answers
500, and that the dashboard reads a fixed number of statements however much was bought."""

import csv
import io

import openpyxl
import pytest

from catalog.extensions import db
from catalog.services.certificates import jakarta_today
from tests.compliance_factories import build_world
from tests.factories import (
    gen_agency_team,
    gen_category,
    gen_officer,
    gen_ordered_request,
    gen_product,
    gen_seller,
    gen_user,
)
from tests.integration.test_seller_dashboard import log_in, text_of
from tests.integration.test_seller_orders import quick_password_hashes  # noqa: F401 (autouse: quick hashes)
from tests.querycount import count_queries

EXPORTS = ("/pengadaan/dasbor.csv", "/pengadaan/dasbor.xlsx")
PAGES = ("/pengadaan/dasbor", *EXPORTS)


@pytest.fixture
def world(app):
    return build_world()


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


@pytest.mark.parametrize("duty", ["pp", "ppk", "bendahara"])
def test_every_officer_of_the_agency_sees_its_dashboard(world, client, duty):
    log_in(client, getattr(world, duty))
    response = client.get("/pengadaan/dasbor")
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    assert "Dasbor Inpres 2/2022" in text and "Dinas Kominfo Tangsel" in text
    assert "28,0%" in text  # UMK-K share of the pagu
    assert "Rp 1.200.000" in text  # still needed to reach 40 %
    assert "Rp 3.800.000" in text and "Rp 1.500.000" in text  # committed, realised
    assert "Menengah (tidak dihitung)" in text and "Lainnya" in text
    assert "Serpong" in text and "Kertas Serpong" in text  # a kecamatan and a suggested seller
    html = response.get_data(as_text=True)
    assert html.count("<svg class=\"chart") >= 5 and "<title id=\"months-title\">" in html
    assert "Lihat sebagai tabel" in text  # every chart has its table


@pytest.mark.parametrize("path", PAGES)
def test_sellers_shoppers_and_unconfirmed_officers_get_403(world, client, path):
    for user in (gen_seller().user, gen_user(role="shopper"), gen_officer(status="pending"), gen_user(role="admin")):
        db.session.commit()
        log_in(client, user)
        assert client.get(path).status_code == 403, (path, user.role)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(world, client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


@pytest.mark.parametrize("year", ["abc", "1999", "99999999999999999999", "", "2024.5", "<script>"])
def test_a_bad_or_out_of_range_year_shows_the_current_one(world, client, year):
    log_in(client, world.pp)
    for path in PAGES:
        response = client.get(path, query_string={"tahun": year})
        assert response.status_code == 200, path
    html = client.get("/pengadaan/dasbor", query_string={"tahun": year}).get_data(as_text=True)
    assert f'<option value="{world.year}" selected>' in html and "28,0%" in html


def test_another_year_shows_that_years_figures(world, client):
    log_in(client, world.pp)
    text = text_of(client.get("/pengadaan/dasbor", query_string={"tahun": world.year - 1}).get_data(as_text=True))
    assert "Pagu belanja barang/jasa tahun" in text and "28,0%" not in text  # no pagu, nothing bought


def test_an_officer_sees_only_their_own_agency(world, client):
    _other, pp, ppk, _ = gen_agency_team(code="DISDIK-X", name="Dinas Pendidikan Contoh", pagu=50_000_000)
    product = gen_product(seller=gen_seller(scale="kecil", business_name="Toko Sebelah"), price=1_000_000, stock=50)
    db.session.commit()
    gen_ordered_request(pp, ppk, [(product, 10)])
    log_in(client, pp)
    text = text_of(client.get("/pengadaan/dasbor", query_string={"agency_id": world.agency.id}).get_data(as_text=True))
    assert "Dinas Pendidikan Contoh" in text and "Dinas Kominfo Tangsel" not in text
    assert "20,0%" in text  # 10.000.000 of 50.000.000
    exported = client.get("/pengadaan/dasbor.csv", query_string={"agency_id": world.agency.id}).get_data(as_text=True)
    assert world.by_name["mikro"].number not in exported and "Toko Sebelah" in exported


def test_csv_export_holds_the_figures_and_the_surat_pesanan(world, client):
    log_in(client, world.ppk)
    response = client.get("/pengadaan/dasbor.csv", query_string={"tahun": world.year})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert f"inpres-umkk-diskominfo-tgsl-{world.year}" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    rows = csv_rows(response)
    cells = {row[0]: row[1] for row in rows if len(row) == 2}
    assert cells["Pagu belanja barang/jasa (Rp)"] == "10000000"
    assert cells["Komitmen UMK-K (Rp)"] == "2800000" and cells["Realisasi: tagihan dibayar (Rp)"] == "1500000"
    titles = [row[0] for row in rows if len(row) == 1 and row[0]]
    assert titles == ["Ringkasan", "Per skala usaha", "Per kategori", "Per kecamatan penjual", "Per bulan", "TKDN",
                      "Surat Pesanan"]
    numbers = {row[0] for row in rows if row and row[0].startswith("SP/")}
    assert numbers == {world.by_name[k].number for k in ("mikro", "kecil", "menengah", "koperasi")}


def test_csv_export_neutralises_a_formula_in_a_seller_name(app, client):
    world = build_world(formula_name=True)
    log_in(client, world.pp)
    rows = csv_rows(client.get("/pengadaan/dasbor.csv"))
    assert any(row[3] == "'=HYPERLINK(\"http://x\")" for row in rows if row and row[0].startswith("SP/"))
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_xlsx_export_opens_with_openpyxl(world, client):
    log_in(client, world.bendahara)
    response = client.get("/pengadaan/dasbor.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert summary["Komitmen: Surat Pesanan terbit (Rp)"] == 3_800_000
    assert summary["Yang masih dibutuhkan untuk target (Rp)"] == 1_200_000
    scales = list(book["Per skala usaha"].iter_rows(min_row=2, values_only=True))
    assert scales[-1][:2] == ("Menengah (tidak dihitung)", "tidak") and scales[-1][3] == 1_000_000
    assert book["Surat Pesanan"].max_row == 5  # header + 4 committed


def _many_orders(count: int, pagu: int = 10_000_000_000):
    """An agency with `count` Surat Pesanan of every scale, over three categories and kecamatan."""
    agency, pp, ppk, bendahara = gen_agency_team(pagu=pagu)
    categories = [gen_category(parent=gen_category()) for _ in range(3)]
    kecamatan = ["36.74.06", "36.74.01", "36.74.02"]
    items = []
    for n in range(count):
        seller = gen_seller(scale=("mikro", "kecil", "menengah")[n % 3], is_koperasi=n % 4 == 0,
                            kecamatan=kecamatan[n % 3])
        items.append((gen_product(seller=seller, category=categories[n % 3], price=100_000, stock=50,
                                  tkdn_pct=(None, 30, 50)[n % 3]), 2))
    db.session.commit()
    gen_ordered_request(pp, ppk, items)
    return pp


def test_the_dashboard_reads_the_same_number_of_statements_for_3_or_12_surat_pesanan(app, client):
    few, many = _many_orders(3), _many_orders(12)
    counts = []
    for officer in (few, many):
        log_in(client, officer)
        client.get("/pengadaan/dasbor")  # the region table is read once per process
        with count_queries(app) as queries:
            assert client.get("/pengadaan/dasbor").status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
    assert counts[1] <= 14, counts


# --- the Dinas's ranking ---------------------------------------------------------------------------

@pytest.fixture
def ranked(world):
    """Three more agencies: one above the target, one with nothing bought, one without a pagu."""
    _high, pp, ppk, _ = gen_agency_team(code="HIGH", name="Perumda Tinggi", pagu=1_000_000)
    gen_agency_team(code="EMPTY", name="Badan Tanpa Belanja", pagu=5_000_000)
    gen_agency_team(code="NOPAGU", name="Kantor Tanpa Pagu", year=world.year - 1)
    product = gen_product(seller=gen_seller(scale="mikro"), price=50_000, stock=100)
    admin = gen_user(role="admin")
    db.session.commit()
    gen_ordered_request(pp, ppk, [(product, 10)])
    return admin


def test_the_admin_sees_every_agency_ranked_by_share(ranked, world, client):
    log_in(client, ranked)
    response = client.get("/admin/inpres")
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    order = [text.index(name) for name in ("Perumda Tinggi", "Dinas Kominfo Tangsel", "Badan Tanpa Belanja",
                                           "Kantor Tanpa Pagu")]
    assert order == sorted(order)
    assert "50,0%" in text and "28,0%" in text and "Rp 1.200.000" in text and "tercapai" in text
    assert "pagu belum diisi" in text


def test_the_ranking_csv_and_a_bad_year(ranked, world, client):
    log_in(client, ranked)
    rows = csv_rows(client.get("/admin/inpres.csv", query_string={"tahun": world.year}))
    assert [row[2] for row in rows[2:6]] == ["HIGH", "DISKOMINFO-TGSL", "EMPTY", "NOPAGU"]
    assert client.get("/admin/inpres", query_string={"tahun": "x' OR 1=1"}).status_code == 200
    assert client.get("/admin/inpres.csv", query_string={"tahun": "0"}).status_code == 200


@pytest.mark.parametrize("path", ["/admin/inpres", "/admin/inpres.csv"])
def test_only_the_admin_sees_the_ranking(world, client, path):
    for user in (world.pp, world.ppk, gen_seller().user, gen_user(role="shopper")):
        db.session.commit()
        log_in(client, user)
        assert client.get(path).status_code == 403
    assert jakarta_today().year == world.year
