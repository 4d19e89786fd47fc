"""Rupiah amounts and quantities are read the Indonesian way ("." for thousands, "," for decimals)."""

import pytest

from catalog.services.errors import ValidationFailed
from catalog.services.money import MAX_RUPIAH, parse_quantity, parse_rupiah


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("15000", 15_000),
        ("15.000", 15_000),
        ("Rp15.000", 15_000),
        ("Rp 15.000", 15_000),
        ("RP. 15.000", 15_000),
        ("rp. 1.250.000", 1_250_000),
        ("IDR 1.250.000", 1_250_000),
        ("15.000,00", 15_000),
        ("15.000,0", 15_000),
        ("Rp 15.000,-", 15_000),
        ("15 000", 15_000),
        ("  15.000  ", 15_000),
        ("Rp\u00a015.000", 15_000),
        ("0", 0),
        ("500", 500),
        ("10.000.000.000.000", MAX_RUPIAH),
        (25_000, 25_000),
    ],
)
def test_rupiah_written_the_indonesian_way_is_accepted(text, amount):
    assert parse_rupiah(text) == amount


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Nominal wajib diisi, misalnya 15.000."),
        ("   ", "Nominal wajib diisi, misalnya 15.000."),
        (None, "Nominal wajib diisi, misalnya 15.000."),
        ("-15000", "Nominal tidak boleh negatif."),
        ("-Rp15.000", "Nominal tidak boleh negatif."),
        ("Rp -15.000", "Nominal tidak boleh negatif."),
        ("−15.000", "Nominal tidak boleh negatif."),
        (-1, "Nominal tidak boleh negatif."),
        ("15,5", "Rupiah tidak memakai sen. Tulis angka bulat, misalnya 15.000."),
        ("15.000,50", "Rupiah tidak memakai sen. Tulis angka bulat, misalnya 15.000."),
        ("15.5", "Rupiah tidak memakai sen. Tulis angka bulat, misalnya 15.000."),
        ("15,000", "Gunakan titik untuk ribuan, misalnya 15.000 (bukan 15,000)."),
        ("1,250,000", "Gunakan titik untuk ribuan, misalnya 15.000 (bukan 15,000)."),
        ("10.000.000.000.001", "Nominal terlalu besar."),
        ("9" * 30, "Nominal terlalu besar."),
        (10**14, "Nominal terlalu besar."),
    ],
)
def test_bad_rupiah_is_refused_with_a_clear_message(text, message):
    with pytest.raises(ValidationFailed) as info:
        parse_rupiah(text)
    assert str(info.value.message) == message


@pytest.mark.parametrize(
    "text",
    ["abc", "lima belas ribu", "15rb", "1.50.000", "15..000", "Rp", "15.000.", "1e6", "0x10", "１５０００",
     "15 000 000 0", "=1+1", "1" * 41, "15000 Rp"],
)
def test_non_numeric_rupiah_is_refused(text):
    with pytest.raises(ValidationFailed) as info:
        parse_rupiah(text)
    assert "Nominal" in str(info.value.message) or "Rupiah" in str(info.value.message)


def test_rupiah_maximum_can_be_lowered_by_the_caller():
    assert parse_rupiah("200.000.000", maximum=200_000_000) == 200_000_000
    with pytest.raises(ValidationFailed):
        parse_rupiah("200.000.001", maximum=200_000_000)


def test_boolean_is_not_taken_for_a_number():
    with pytest.raises(ValidationFailed):
        parse_rupiah(True)


@pytest.mark.parametrize(("text", "count"), [("0", 0), ("12", 12), ("1.000", 1_000), ("1 000", 1_000), (" 7 ", 7), (5, 5)])
def test_quantities_are_whole_non_negative_numbers(text, count):
    assert parse_quantity(text) == count


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Jumlah wajib diisi, misalnya 10."),
        ("-3", "Jumlah tidak boleh negatif."),
        ("1,5", "Jumlah harus berupa angka bulat, tanpa koma."),
        ("10,00", "Jumlah harus berupa angka bulat, tanpa koma."),
        ("1,000", "Gunakan titik untuk ribuan, misalnya 1.000 (bukan 1,000)."),
        ("sepuluh", "Jumlah harus berupa angka bulat, misalnya 10 atau 1.000."),
        ("Rp 10", "Jumlah harus berupa angka bulat, misalnya 10 atau 1.000."),
        ("1.000.000.001", "Jumlah terlalu besar."),
    ],
)
def test_bad_quantities_are_refused_with_a_clear_message(text, message):
    with pytest.raises(ValidationFailed) as info:
        parse_quantity(text)
    assert str(info.value.message) == message
