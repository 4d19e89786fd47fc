"""Inpres 2/2022 figures (services/compliance.py) against the hand-computed fixture of
tests/compliance_factories.py: totals, shares, breakdowns by scale, category, kecamatan and
month, TKDN coverage, what is still needed and the projection, local sellers, another agency's
figures never mixed in, the Dinas's ranking, and the CSV/XLSX builders."""

import calendar
import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import PurchaseOrder
from catalog.services import compliance, compliance_export
from catalog.services.certificates import jakarta_today
from tests.compliance_factories import PAGU, build_world
from tests.factories import gen_agency, gen_agency_team, gen_ordered_request, gen_product, gen_seller
from tests.querycount import count_queries


@pytest.fixture
def world(app):
    return build_world()


def test_committed_realised_and_umkk_count_only_mikro_kecil_and_koperasi(world):
    fig = compliance.figures(world.agency, world.year)
    assert fig.has_budget and fig.pagu == PAGU and fig.target_pct == 40
    assert fig.committed == 3_800_000  # the declined Surat Pesanan is not committed
    assert fig.umkk_committed == 2_800_000  # menengah 1.000.000 left out, koperasi (menengah) counted
    assert fig.realised == 1_500_000 and fig.umkk_realised == 500_000
    assert fig.orders == 4
    assert fig.share_of_pagu_pct == pytest.approx(28.0)
    assert fig.share_of_committed_pct == pytest.approx(100 * 2_800_000 / 3_800_000)
    assert fig.share_of_realised_pct == pytest.approx(100 * 500_000 / 1_500_000)
    assert fig.realised_share_of_pagu_pct == pytest.approx(5.0)
    # The cart note's figures agree with the dashboard's.
    assert compliance.committed_totals(world.agency.id, world.year) == (3_800_000, 2_800_000)
    change = compliance.share_change(world.agency.id, world.year, 1_000_000)
    assert (change.before_pct, change.after_pct) == (pytest.approx(28.0), pytest.approx(38.0))


def test_breakdown_by_scale_counts_a_koperasi_once_and_marks_menengah_not_counted(world):
    fig = compliance.figures(world.agency, world.year)
    rows = {s.key: s for s in fig.by_scale}
    assert [s.key for s in fig.by_scale] == ["mikro", "kecil", "koperasi", "menengah"]
    assert (rows["mikro"].committed, rows["mikro"].realised, rows["mikro"].orders) == (500_000, 500_000, 1)
    assert rows["kecil"].committed == 2_000_000 and rows["kecil"].realised == 0
    assert rows["koperasi"].committed == 300_000 and rows["koperasi"].counted
    assert rows["menengah"].committed == 1_000_000 and rows["menengah"].realised == 1_000_000
    assert not rows["menengah"].counted and rows["menengah"].umkk_committed == 0


def test_breakdown_by_top_level_category_with_lainnya_last(world):
    fig = compliance.figures(world.agency, world.year)
    assert [(s.label or "Lainnya", s.committed, s.umkk_committed) for s in fig.by_category] == [
        ("ATK", 2_000_000, 2_000_000), ("Fashion", 1_000_000, 0), ("Minuman", 500_000, 500_000),
        ("Lainnya", 300_000, 300_000)]
    assert fig.by_category[-1].key == ""
    fashion = next(s for s in fig.by_category if s.label == "Fashion")
    assert fashion.realised == 1_000_000


def test_breakdown_by_seller_kecamatan_with_region_names(world):
    fig = compliance.figures(world.agency, world.year)
    assert [(s.label, s.committed, s.umkk_committed) for s in fig.by_kecamatan] == [
        ("Serpong, Kota Tangerang Selatan", 2_300_000, 2_300_000),
        ("Pamulang, Kota Tangerang Selatan", 1_500_000, 500_000)]


def test_breakdown_by_month_in_jakarta_time_with_the_cumulative_share(world):
    fig = compliance.figures(world.agency, world.year, today=date(world.year, 7, 2))
    months = {m.month: m for m in fig.by_month}
    assert len(fig.by_month) == 12
    assert (months[1].committed, months[1].umkk_committed) == (500_000, 500_000)
    assert months[2].committed == 0  # 28 Feb 18.00 UTC is already 1 March in Tangerang
    assert (months[3].committed, months[3].umkk_committed) == (3_000_000, 2_000_000)
    assert months[4].committed == 300_000
    assert months[2].realised == 500_000 and months[2].umkk_realised == 500_000
    assert months[3].realised == 1_000_000 and months[3].umkk_realised == 0
    assert [round(m.cumulative_share_pct, 1) for m in fig.by_month[:5]] == [5.0, 5.0, 25.0, 28.0, 28.0]
    assert not months[7].future and months[8].future


def test_tkdn_coverage_of_committed_line_value(world):
    tkdn = compliance.figures(world.agency, world.year).tkdn
    assert (tkdn.line_value, tkdn.at_least_25, tkdn.at_least_40, tkdn.unknown) == (
        3_800_000, 2_500_000, 500_000, 1_000_000)
    assert tkdn.pct_25 == pytest.approx(100 * 2_500_000 / 3_800_000)
    assert tkdn.pct_40 == pytest.approx(100 * 500_000 / 3_800_000)


def test_needed_and_projection_at_the_current_pace_with_a_fixed_today(world):
    today = date(world.year, 7, 2)
    fig = compliance.figures(world.agency, world.year, today=today)
    assert fig.target_amount == 4_000_000 and fig.needed == 1_200_000 and not fig.target_reached
    days_in_year = 366 if calendar.isleap(world.year) else 365
    elapsed = (today - date(world.year, 1, 1)).days + 1
    assert fig.days_elapsed == elapsed
    assert fig.projection == 2_800_000 * days_in_year // elapsed
    assert fig.projection_pct == pytest.approx(100 * fig.projection / PAGU)
    assert fig.projection_short == max(0, 4_000_000 - fig.projection)


def test_a_past_year_projects_its_actual_figure_and_a_future_year_nothing(world):
    past = compliance.figures(world.agency, world.year, today=date(world.year + 1, 2, 1))
    assert past.is_past_year and past.projection == 2_800_000 and all(not m.future for m in past.by_month)
    future = compliance.figures(world.agency, world.year, today=date(world.year - 1, 12, 1))
    assert future.projection is None and future.projection_pct is None


def test_the_target_reached_needs_nothing_more(world):
    world.agency.budgets[0].target_share_pct = 25
    db.session.commit()
    fig = compliance.figures(world.agency, world.year)
    assert fig.needed == 0 and fig.target_reached


def test_an_agency_without_a_budget_shows_spend_but_no_share(world):
    fig = compliance.figures(world.agency, world.year + 1)
    assert not fig.has_budget and fig.pagu == 0 and fig.share_of_pagu_pct is None and fig.committed == 0
    assert fig.target_pct == compliance.DEFAULT_TARGET_PCT


def test_local_umkk_sellers_for_the_top_categories_own_kota_first(world):
    names = [s.business_name for s in compliance.figures(world.agency, world.year).sellers]
    # Mikro, kecil, koperasi and the mikro who declined sell in ATK, Fashion and Minuman; the
    # menengah never; the pending seller never; the seller in Kota Tangerang after Tangsel's.
    assert set(names[:4]) == {"Kopi Pamulang", "Kertas Serpong", "Koperasi Kopi Serpong", "Kaos Sablon Mini"}
    assert names[4:] == ["ATK Kota Tangerang"]
    assert "Konveksi Besar" not in names and "Belum Terverifikasi" not in names


def test_another_agencys_purchases_never_enter_the_figures(world):
    other, pp, ppk, _ = gen_agency_team(code="DISDIK-X", pagu=PAGU)
    seller = gen_seller(scale="mikro", business_name="Warung Lain")
    product = gen_product(seller=seller, price=1_000_000, stock=100)
    db.session.commit()
    gen_ordered_request(pp, ppk, [(product, 3)])
    mine = compliance.figures(world.agency, world.year)
    assert (mine.committed, mine.umkk_committed, mine.orders) == (3_800_000, 2_800_000, 4)
    theirs = compliance.figures(other, world.year)
    assert (theirs.committed, theirs.umkk_committed, theirs.realised) == (3_000_000, 3_000_000, 0)
    theirs_numbers = db.session.scalars(select(PurchaseOrder.number).where(PurchaseOrder.agency_id == other.id)).all()
    assert [o.number for o in compliance.order_rows(other.id, world.year)] == theirs_numbers
    assert not set(theirs_numbers) & {o.number for o in compliance.order_rows(world.agency.id, world.year)}


def test_all_agencies_are_ranked_by_share_of_pagu_in_one_statement(world, app):
    high, pp, ppk, _ = gen_agency_team(code="HIGH", name="Instansi Tinggi", pagu=1_000_000)
    gen_agency(code="NOTHING", name="Instansi Kosong", pagu=5_000_000)
    gen_agency(code="NOBUDGET", name="Instansi Tanpa Pagu", year=world.year - 1)
    product = gen_product(seller=gen_seller(scale="kecil"), price=50_000, stock=100)
    db.session.commit()
    gen_ordered_request(pp, ppk, [(product, 10)])  # 500.000 of 1.000.000: 50 %
    with count_queries(app) as queries:
        ranks = compliance.all_agencies(world.year)
    assert queries.count == 1
    assert [r.code for r in ranks] == ["HIGH", "DISKOMINFO-TGSL", "NOTHING", "NOBUDGET"]
    mine = ranks[1]
    assert (mine.pagu, mine.committed, mine.realised, mine.umkk_committed, mine.needed) == (
        PAGU, 3_800_000, 1_500_000, 2_800_000, 1_200_000)
    assert ranks[0].target_reached and ranks[0].needed == 0
    assert ranks[3].share_of_pagu_pct is None and not ranks[3].has_budget


def test_figures_take_a_fixed_number_of_statements(world, app):
    compliance.figures(world.agency, world.year)  # the region table is read once per process
    with count_queries(app) as queries:
        compliance.figures(world.agency, world.year)
    assert queries.count <= 9, queries


@pytest.mark.parametrize("value, expected", [
    ("2024", 2024), (None, None), ("", None), ("abc", None), ("1999", None), ("99999999999999999999", None),
    (" 2023 ", 2023), ("2023.5", None), ("-2024", None)])
def test_a_bad_or_out_of_range_year_falls_back_to_the_current_one(value, expected):
    today = date(2026, 12, 6)
    assert compliance.valid_year(value, today) == (expected or 2026)
    assert compliance.valid_year("2027", today) == 2027 and compliance.valid_year("2028", today) == 2026


# --- exports ---------------------------------------------------------------------------------------

def _tables(world):
    fig = compliance.figures(world.agency, world.year)
    return compliance_export.agency_tables(fig, compliance.order_rows(world.agency.id, world.year))


def test_csv_holds_every_figure_and_the_surat_pesanan_and_neutralises_formulas(app):
    world = build_world(formula_name=True)
    with app.test_request_context():
        data = compliance_export.to_csv(_tables(world))
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    cells = {row[0]: row[1] for row in rows if len(row) == 2}
    assert cells["Komitmen UMK-K (Rp)"] == "2800000"
    assert cells["Porsi UMK-K komitmen terhadap pagu (%)"] == "28,0"
    assert cells["Yang masih dibutuhkan untuk target (Rp)"] == "1200000"
    orders = [row for row in rows if row and row[0].startswith("SP/")]
    assert len(orders) == 4  # the declined one is not committed
    assert world.by_name["declined"].number not in text
    mikro = next(row for row in orders if row[0] == world.by_name["mikro"].number)
    assert mikro[3] == "'=HYPERLINK(\"http://x\")"  # shown as text by Excel, never run
    assert mikro[6:10] == ["tidak", "ya", "500000", f"{world.year}-02-03"]
    menengah = next(row for row in orders if row[0] == world.by_name["menengah"].number)
    assert menengah[7] == "tidak"
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_xlsx_opens_with_openpyxl_with_numbers_and_text_only_cells(app):
    world = build_world(formula_name=True)
    with app.test_request_context():
        data = compliance_export.to_xlsx(_tables(world))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "Ringkasan" and "Surat Pesanan" in book.sheetnames
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert summary["Komitmen UMK-K (Rp)"] == 2_800_000
    assert summary["Porsi UMK-K komitmen terhadap pagu (%)"] == pytest.approx(28.0)
    sheet = book["Surat Pesanan"]
    name_cell = next(row[3] for row in sheet.iter_rows(min_row=2) if row[0].value == world.by_name["mikro"].number)
    assert name_cell.value == "=HYPERLINK(\"http://x\")" and name_cell.data_type == "s"


def test_the_ranking_csv_lists_agencies_in_rank_order(world, app):
    with app.test_request_context():
        data = compliance_export.to_csv(compliance_export.ranking_tables(world.year, compliance.all_agencies(world.year)))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    assert rows[2][:3] == ["1", "Dinas Kominfo Tangsel", "DISKOMINFO-TGSL"]
    assert rows[2][9] == "28,0" and rows[2][11] == "1200000"


def test_year_choices_run_from_next_year_back_to_2022():
    assert compliance.year_choices(date(2026, 5, 1)) == [2027, 2026, 2025, 2024, 2023, 2022]
    assert jakarta_today().year in compliance.year_choices()
