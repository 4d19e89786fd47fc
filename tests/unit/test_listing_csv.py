"""Reading and writing the listings CSV format: encodings, delimiters, headers, limits, cells,
the formula guard and the template file."""

import csv
import io
from pathlib import Path

import pytest

from catalog.services import listing_csv
from catalog.services.listing_csv import CsvRejected, decode, read_sheet

TEMPLATE = Path(__file__).resolve().parents[2] / "static" / "files" / "template-produk.csv"


def messages(rejected: CsvRejected) -> str:
    return " | ".join(str(error.message) for error in rejected.errors)


# --- decoding ---


@pytest.mark.parametrize(
    "data",
    [
        "judul;harga\nKue Café;1000\n".encode(),
        "\ufeffjudul;harga\nKue Café;1000\n".encode(),  # Excel's "CSV UTF-8"
        "judul;harga\nKue Café;1000\n".encode("cp1252"),  # Excel's plain "CSV" on Windows
        "judul\tharga\nKue Café\t1000\n".encode("utf-16"),  # Excel's "Unicode text"
    ],
    ids=["utf-8", "utf-8-bom", "windows-1252", "utf-16"],
)
def test_decode_accepts_the_encodings_excel_writes(app, data):
    text = decode(data)
    assert "Kue Café" in text
    assert not text.startswith("\ufeff")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Berkas kosong"),
        (b" \r\n\t\n", "Berkas kosong"),
        (b"PK\x03\x04rest-of-a-zip", "Ini berkas Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old-xls", "Ini berkas Excel"),
        (b"%PDF-1.7\n\x00\x01binary", "bukan CSV"),
        (b"judul;harga\n\x01\x02\x03;1\n", "bukan CSV"),
        (b"judul;harga\n\x81\x8d;1\n", "Huruf dalam berkas tidak terbaca"),
    ],
    ids=["empty", "blank", "xlsx", "xls", "pdf", "control-chars", "unknown-encoding"],
)
def test_decode_refuses_what_is_not_a_text_csv(app, data, message):
    with pytest.raises(CsvRejected) as caught:
        decode(data)
    assert message in messages(caught.value)
    assert caught.value.errors[0].row == 0  # about the whole file


# --- the sheet ---


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiter_is_detected_from_the_header(app, delimiter):
    data = delimiter.join(["judul", "harga", "deskripsi"]) + "\n"
    data += delimiter.join(["Keripik", "15.000", '"Gurih; renyah, enak"']) + "\n"
    sheet = read_sheet(data.encode())
    assert sheet.header == ["judul", "harga", "deskripsi"]
    assert sheet.rows == [(2, ["Keripik", "15.000", "Gurih; renyah, enak"])]


def test_header_names_are_forgiving_about_case_spaces_and_marks(app):
    sheet = read_sheet(b"ID;Judul*; Min Pesan ;DIBUAT-SESUAI-PESANAN;;\n1;Keripik;2;ya;;\n")
    assert sheet.header == ["id", "judul", "min_pesan", "dibuat_sesuai_pesanan"]


def test_rows_keep_their_spreadsheet_numbers_and_blank_lines_are_skipped(app):
    sheet = read_sheet(b"judul;harga\nSatu;1\n;\n\nDua;2\n;;\n")
    assert [number for number, _cells in sheet.rows] == [2, 5]


def test_unknown_and_duplicate_columns_are_refused_on_row_1(app):
    with pytest.raises(CsvRejected) as caught:
        read_sheet(b"judul;harga;warna;harga\nA;1;merah;1\n")
    assert [(e.row, e.column) for e in caught.value.errors] == [(1, "warna"), (1, "harga")]


def test_a_header_with_no_known_column_is_refused(app):
    with pytest.raises(CsvRejected) as caught:
        read_sheet(b"nama produk,harga jual\nKeripik,1000\n")
    assert "Baris pertama harus berisi nama kolom" in messages(caught.value)


def test_at_most_5000_rows_and_5_mb(app):
    rows = "\n".join(f"Produk {n};1000" for n in range(listing_csv.MAX_ROWS))
    assert len(read_sheet(f"judul;harga\n{rows}\n".encode()).rows) == listing_csv.MAX_ROWS
    with pytest.raises(CsvRejected, match="lebih dari 5.000 baris"):
        read_sheet(f"judul;harga\n{rows}\nSatu lagi;1000\n".encode())
    with pytest.raises(CsvRejected, match="maksimal 5 MB"):
        read_sheet(b"judul;harga\n" + b"x" * listing_csv.MAX_BYTES)


def test_unclosed_quote_does_not_crash(app):
    sheet = read_sheet(b'judul;deskripsi\nKeripik;"tanpa kutip penutup\n')
    assert sheet.rows[0][1][0] == "Keripik"


# --- cells ---


@pytest.mark.parametrize(("word", "value"), [("ya", True), ("Ya", True), ("1", True), ("tidak", False), ("T", False)])
def test_yes_no(app, word, value):
    assert listing_csv._yes_no(word) is value


@pytest.mark.parametrize(("word", "value"), [("draf", "draft"), ("AKTIF", "active"), ("arsip", "archived"),
                                             ("draft", "draft")])
def test_status_words(app, word, value):
    assert listing_csv._status(word) == value


def test_formula_guard_round_trips(app):
    for text in ("=SUM(A1)", "+62812", "-diskon", "@user", "biasa"):
        assert listing_csv._text(listing_csv._safe_text(text)) == text
    assert listing_csv._safe_text("=1+1") == "'=1+1"
    assert listing_csv._text("'biasa") == "'biasa"  # an apostrophe the seller typed stays


def test_errors_csv_has_bom_semicolons_and_the_three_columns(app):
    data = listing_csv.errors_csv([(3000, "harga", "Nominal tidak dikenali."), (0, "", "=jahat")])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["baris", "kolom", "pesan"], ["3000", "harga", "Nominal tidak dikenali."], ["", "", "'=jahat"]]


def test_static_template_file_matches_the_documented_columns(app):
    assert TEMPLATE.read_bytes() == listing_csv.template_csv()
    rows = list(csv.reader(io.StringIO(TEMPLATE.read_text("utf-8-sig")), delimiter=";"))
    assert tuple(rows[0]) == listing_csv.COLUMN_NAMES
    assert all(len(row) == len(listing_csv.COLUMN_NAMES) for row in rows)


def test_documentation_names_every_column_and_shows_the_template(app):
    doc = (Path(__file__).resolve().parents[2] / "docs" / "csv-template.md").read_text("utf-8")
    for name in listing_csv.COLUMN_NAMES:
        assert f"`{name}`" in doc
    assert TEMPLATE.read_text("utf-8-sig").replace("\r\n", "\n") in doc


def test_template_examples_are_a_keripik_in_3_flavours_a_batik_shirt_in_4_sizes_by_2_colours_and_a_simple_product(app):
    rows = list(csv.DictReader(io.StringIO(TEMPLATE.read_text("utf-8-sig")), delimiter=";"))
    by_code = {}
    for row in rows:
        by_code.setdefault(row["kode_produk"], []).append(row)
    assert sorted(r["nilai_1"] for r in by_code["KRP-01"]) == ["Balado", "Original", "Pedas"]
    assert sorted((r["nilai_1"], r["nilai_2"]) for r in by_code["KMJ-01"]) == sorted(
        (size, colour) for size in ("S", "M", "L", "XL") for colour in ("Biru", "Merah"))
    assert [r["opsi_1"] for r in by_code[""]] == [""]


def test_export_columns_have_an_exporter_and_option_columns_come_in_pairs(app):
    assert set(listing_csv._EXPORTERS) == set(listing_csv.COLUMN_NAMES)
    for k in range(1, listing_csv.MAX_OPTIONS + 1):
        names = listing_csv.COLUMN_NAMES
        assert names.index(f"nilai_{k}") == names.index(f"opsi_{k}") + 1
