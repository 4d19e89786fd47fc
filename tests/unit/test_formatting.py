"""Money, numbers and dates read the Indonesian way on every page."""

from datetime import date, datetime, timezone

import pytest
from flask import render_template_string
from flask_babel import force_locale

from catalog.formatting import angka, persen, rupiah, tanggal, tanggal_waktu


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1_250_000, "Rp 1.250.000"),
        (0, "Rp 0"),
        (999, "Rp 999"),
        (1_000, "Rp 1.000"),
        (2_500_000_000, "Rp 2.500.000.000"),
        (-75_000, "-Rp 75.000"),
        (None, "–"),
    ],
)
def test_rupiah_groups_thousands_with_dots(value, shown):
    assert rupiah(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (12_345_678, "12.345.678"), (-4_321, "-4.321"), (None, "–")],
)
def test_angka_groups_thousands_with_dots(value, shown):
    assert angka(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(31.25, "31,3%"), (40, "40,0%"), (0.04, "0,0%"), (12.5, "12,5%"), (None, "–")],
)
def test_persen_uses_a_decimal_comma_and_rounds_half_up(value, shown):
    assert persen(value) == shown


def test_tanggal_names_the_month_in_indonesian_by_default(app):
    with app.test_request_context():
        assert tanggal(date(2026, 11, 23)) == "23 November 2026"
        assert tanggal(date(2026, 8, 17)) == "17 Agustus 2026"
        assert tanggal(None) == "–"


def test_tanggal_names_the_month_in_english_when_english_is_chosen(app):
    with app.test_request_context(), force_locale("en"):
        assert tanggal(date(2026, 8, 17)) == "17 August 2026"


def test_tanggal_of_a_timestamp_uses_the_jakarta_date():
    # 20:30 UTC on 31 December is already New Year's Day in Jakarta (UTC+7).
    assert tanggal(datetime(2026, 12, 31, 20, 30, tzinfo=timezone.utc)) == "1 Januari 2027"


def test_tanggal_waktu_shows_utc_timestamps_in_wib():
    moment = datetime(2026, 11, 23, 7, 5, tzinfo=timezone.utc)
    assert tanggal_waktu(moment) == "23 November 2026 14.05 WIB"
    assert tanggal_waktu(None) == "–"


def test_rupiah_filter_formats_prices_in_templates(app):
    with app.test_request_context():
        html = render_template_string("<b>{{ harga|rupiah }}</b> <i>{{ jumlah|angka }}</i>", harga=1_250_000, jumlah=4321)
    assert html == "<b>Rp 1.250.000</b> <i>4.321</i>"


def test_date_filters_render_in_templates(app):
    with app.test_request_context():
        html = render_template_string(
            "{{ hari|tanggal }} | {{ saat|tanggal_waktu }}",
            hari=date(2026, 11, 23),
            saat=datetime(2026, 11, 23, 7, 5, tzinfo=timezone.utc),
        )
    assert html == "23 November 2026 | 23 November 2026 14.05 WIB"
