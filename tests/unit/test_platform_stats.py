"""Platform statistics against hand-built data: UMKM by kecamatan, kota, scale and category,
listings by status, shopper orders and GMV by month (paid orders only, Jakarta months), the
government UMK-K share (from compliance.py), verification times and the CSV tables."""

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import Region
from catalog.models.regions import LEVEL_KECAMATAN
from catalog.services import platform_stats
from catalog.services.csv_tables import stream_csv, table_csv
from catalog.services.errors import NotFound
from tests.compliance_factories import PAGU, build_world
from tests.factories import (
    KAB_TANGERANG,
    KEC_PAMULANG,
    KEC_SERPONG,
    KOTA_TANGERANG,
    gen_category,
    gen_product,
    gen_seller,
    gen_user,
)
from tests.stats_factories import gen_shop_order, gen_timed_seller

KEC_KOTA_TANGERANG = "36.71.01"
UTC = timezone.utc


def _sellers():
    """Pamulang: 2 verified mikro, 1 pending kecil; Serpong: 1 verified koperasi (scale
    menengah), 1 rejected menengah; Kota Tangerang: 1 verified kecil."""
    made = {
        "mikro1": gen_seller(scale="mikro", kecamatan=KEC_PAMULANG),
        "mikro2": gen_seller(scale="mikro", kecamatan=KEC_PAMULANG),
        "pending": gen_seller(scale="kecil", status="pending", kecamatan=KEC_PAMULANG),
        "koperasi": gen_seller(scale="menengah", is_koperasi=True, kecamatan=KEC_SERPONG),
        "rejected": gen_seller(scale="menengah", status="rejected", kecamatan=KEC_SERPONG),
        "kota": gen_seller(scale="kecil", kota=KOTA_TANGERANG, kecamatan=KEC_KOTA_TANGERANG),
    }
    db.session.commit()
    return made


def test_umkm_by_kecamatan_lists_every_kecamatan_with_registered_and_verified(app):
    _sellers()
    rows = platform_stats.umkm_by_kecamatan()
    all_kecamatan = db.session.scalar(sa.select(sa.func.count()).select_from(Region)
                                      .where(Region.level == LEVEL_KECAMATAN))
    assert len(rows) == all_kecamatan
    by_code = {r.code: r for r in rows}
    assert (by_code[KEC_PAMULANG].registered, by_code[KEC_PAMULANG].verified) == (3, 2)
    assert (by_code[KEC_SERPONG].registered, by_code[KEC_SERPONG].verified) == (2, 1)
    assert (by_code[KEC_KOTA_TANGERANG].registered, by_code[KEC_KOTA_TANGERANG].verified) == (1, 1)
    assert by_code[KEC_PAMULANG].name == "Pamulang" and by_code[KEC_PAMULANG].kota_name == "Kota Tangerang Selatan"
    empty = [r for r in rows if r.code not in (KEC_PAMULANG, KEC_SERPONG, KEC_KOTA_TANGERANG)]
    assert empty and all(r.registered == 0 and r.verified == 0 for r in empty)


def test_umkm_by_kota_counts_each_kota_including_empty_ones(app):
    _sellers()
    by_code = {r.code: r for r in platform_stats.umkm_by_kota()}
    assert set(by_code) == {"36.74", KOTA_TANGERANG, KAB_TANGERANG}
    assert (by_code["36.74"].registered, by_code["36.74"].verified) == (5, 3)
    assert (by_code[KOTA_TANGERANG].registered, by_code[KOTA_TANGERANG].verified) == (1, 1)
    assert (by_code[KAB_TANGERANG].registered, by_code[KAB_TANGERANG].verified) == (0, 0)


def test_umkm_by_scale_counts_a_koperasi_once_whatever_its_scale(app):
    _sellers()
    rows = {s.key: s for s in platform_stats.umkm_by_scale()}
    assert [s.key for s in platform_stats.umkm_by_scale()] == ["mikro", "kecil", "koperasi", "menengah"]
    assert (rows["mikro"].registered, rows["mikro"].verified) == (2, 2)
    assert (rows["kecil"].registered, rows["kecil"].verified) == (2, 1)
    assert (rows["koperasi"].registered, rows["koperasi"].verified) == (1, 1)
    assert (rows["menengah"].registered, rows["menengah"].verified) == (1, 0)
    assert not rows["menengah"].counts_as_umkk and rows["koperasi"].counts_as_umkk


def test_by_category_counts_verified_sellers_and_listed_products_per_top_category(app):
    made = _sellers()
    food = gen_category(name="Makanan")
    snacks = gen_category(name="Camilan", parent=food)
    empty = gen_category(name="Jasa")
    gen_product(seller=made["mikro1"], category=snacks)
    gen_product(seller=made["mikro1"], category=food)
    gen_product(seller=made["mikro2"], category=food)
    gen_product(seller=made["mikro2"], category=food, status="draft")
    gen_product(seller=made["pending"], category=food)  # not public: seller not verified
    db.session.commit()
    rows = {c.name: c for c in platform_stats.by_category()}
    assert set(rows) == {"Makanan", "Jasa"}  # top categories only
    assert (rows["Makanan"].sellers, rows["Makanan"].listings) == (2, 3)
    assert (rows["Jasa"].sellers, rows["Jasa"].listings) == (0, 0)
    assert platform_stats.by_category()[0].category_id == food.id
    assert empty.id == rows["Jasa"].category_id
    assert platform_stats.listed_products() == 3


def test_listings_by_status_includes_hidden(app):
    seller = gen_seller()
    for status in ("active", "active", "draft", "archived", "hidden"):
        gen_product(seller=seller, status=status)
    db.session.commit()
    counts = {s.status: s.products for s in platform_stats.listings_by_status()}
    assert counts == {"active": 2, "draft": 1, "archived": 1, "hidden": 1}


def test_last_months_runs_back_across_the_year():
    months = platform_stats.last_months(date(2026, 3, 10))
    assert months[0] == (2025, 4) and months[-1] == (2026, 3) and len(months) == 12


def test_orders_by_month_counts_only_paid_orders_in_gmv_on_jakarta_months(app):
    seller, shopper = gen_seller(), gen_user()
    june = datetime(2026, 6, 10, 3, 0, tzinfo=UTC)
    gen_shop_order(seller, shopper, status="new", total=100_000, created_at=june)
    gen_shop_order(seller, shopper, status="completed", total=50_000, created_at=june)
    gen_shop_order(seller, shopper, status="awaiting_payment", total=999_000, created_at=june)
    gen_shop_order(seller, shopper, status="cancelled", total=777_000, created_at=june)
    gen_shop_order(seller, shopper, status="rejected", total=555_000, created_at=june)
    # 31 May 20.00 UTC is 1 June 03.00 WIB: June. 31 May 16.00 UTC is 23.00 WIB: May.
    gen_shop_order(seller, shopper, status="shipped", total=30_000, created_at=datetime(2026, 5, 31, 20, 0, tzinfo=UTC))
    gen_shop_order(seller, shopper, status="delivered", total=20_000, created_at=datetime(2026, 5, 31, 16, 0, tzinfo=UTC))
    # Older than twelve months: left out.
    gen_shop_order(seller, shopper, status="completed", total=1_000, created_at=datetime(2025, 6, 10, tzinfo=UTC))
    db.session.commit()
    months = platform_stats.orders_by_month(date(2026, 6, 15))
    assert [(m.year, m.month) for m in months][0] == (2025, 7) and len(months) == 12
    by_month = {(m.year, m.month): m for m in months}
    june_row, may_row = by_month[(2026, 6)], by_month[(2026, 5)]
    assert (june_row.orders, june_row.paid_orders, june_row.gmv) == (6, 3, 180_000)
    assert (may_row.orders, may_row.paid_orders, may_row.gmv) == (1, 1, 20_000)
    assert sum(m.gmv for m in months) == 200_000
    assert by_month[(2025, 7)].orders == 0


def test_government_spend_reuses_the_inpres_figures(app):
    world = build_world()
    spend = platform_stats.government_spend(world.year)
    assert spend.pagu == PAGU
    assert spend.committed == 3_800_000 and spend.umkk_committed == 2_800_000
    assert spend.share_of_pagu_pct == pytest.approx(28.0)
    (rank,) = spend.agencies
    assert rank.agency_id == world.agency.id and rank.share_of_pagu_pct == pytest.approx(28.0)
    # Four sellers behind the committed spend (the declined one is not), three of them UMK-K.
    assert (spend.sellers, spend.umkk_sellers) == (4, 3)
    assert platform_stats.agency_sellers(world.year)[world.agency.id] == platform_stats.AgencySellers(4, 3)
    assert platform_stats.government_spend(world.year - 1).committed == 0


def _timed(days: float, verified: datetime, **kw):
    return gen_timed_seller(verified - timedelta(days=days), verified, **kw)


def test_slowest_verifications_and_monthly_median(app):
    april = datetime(2026, 4, 20, 3, 0, tzinfo=UTC)
    may = datetime(2026, 5, 20, 3, 0, tzinfo=UTC)
    for days in (1, 3, 10):
        _timed(days, april)
    _timed(2, may, business_name="=Lambat Sekali")
    _timed(4, may)
    gen_seller(status="pending")  # never verified: not timed
    db.session.commit()
    slowest = platform_stats.slowest_verifications()
    assert [round(s.days, 3) for s in slowest] == [10, 4, 3, 2, 1]
    medians = {(m.year, m.month): m for m in platform_stats.verification_median_by_month(date(2026, 6, 1))}
    assert medians[(2026, 4)].verified == 3 and medians[(2026, 4)].median_days == pytest.approx(3)
    assert medians[(2026, 5)].verified == 2 and medians[(2026, 5)].median_days == pytest.approx(3)
    assert medians[(2026, 6)].verified == 0 and medians[(2026, 6)].median_hours is None


def test_csv_table_has_header_rows_and_neutralises_formulas(app):
    _timed(2, datetime(2026, 5, 20, 3, 0, tzinfo=UTC), business_name="=HYPERLINK(\"http://x\")")
    db.session.commit()
    text = table_csv(platform_stats.csv_table("verifikasi-terlama", 2026, date(2026, 6, 1))).decode("utf-8")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Penjual;Dikirim;Diverifikasi;Lama (hari)"
    assert lines[1].startswith("\"'=HYPERLINK(\"\"http://x\"\")\";2026-05-18;2026-05-20;2,0")


def test_every_csv_table_builds_and_unknown_names_are_refused(app):
    _sellers()
    for name in platform_stats.CSV_TABLES:
        table = platform_stats.csv_table(name, 2026, date(2026, 6, 1))
        assert table.header
    with pytest.raises(NotFound):
        platform_stats.csv_table("user", 2026, date(2026, 6, 1))


def test_stream_csv_yields_the_same_file_in_chunks():
    rows = [[n, f"-{n}"] for n in range(1200)]
    streamed = b"".join(stream_csv(["a", "b"], rows)).decode("utf-8")
    assert streamed.startswith("\ufeffa;b\r\n0;'-0\r\n")
    assert streamed.count("\r\n") == 1201
