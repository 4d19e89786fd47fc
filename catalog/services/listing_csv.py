"""A seller's listings as CSV: the documented columns, export of listings and of stock, and the
all-or-nothing import that checks every row before anything is written.

The format (docs/csv-template.md) is what Excel in Indonesia reads and writes: UTF-8 with a BOM
and ";" between cells on export; on import UTF-8 (with or without BOM) or Windows-1252 (Excel's
plain "CSV" on Windows), with ";", "," or tab detected from the header row. Headers are the
Indonesian column names of COLUMNS, in any order.

One row per combination (a listing without options has one row). The rows of one listing are
grouped by `id` (existing listings) or, for new ones, by `kode_produk`; the listing's own
columns (judul, kategori, …) repeat on each row or are filled on one. opsi_1…3/nilai_1…3 name a
row's combination; sku, harga, stok and varian_aktif are that combination's. In an update row an
empty cell leaves that value as it is (so a file with only `id` and `stok` is a stock update);
"-" clears an optional value. Options of an existing listing are changed on its Varian page,
never through the file. Writing is services/listing_import.py.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from catalog.extensions import db
from catalog.formatting import angka
from catalog.models.products import (
    PRODUCT_ACTIVE,
    PRODUCT_ARCHIVED,
    PRODUCT_DRAFT,
    PRODUCT_HIDDEN,
    Category,
    Product,
    ProductOption,
    ProductVariant,
)
from catalog.models.sellers import Seller
from catalog.services import listing_import, listings
from catalog.services.errors import DomainError, ValidationFailed
from catalog.services.money import parse_quantity, parse_rupiah

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
# Beyond this many problems the report stops listing (a wrong file can hold tens of thousands).
MAX_ERRORS = 2_000
BOM = "\ufeff"
EXPORT_DELIMITER = ";"  # Excel with Indonesian regional settings splits cells on ";"
DELIMITERS = (";", ",", "\t")
CLEAR = "-"  # in an update row: empty this optional value

YES = {"ya", "y", "yes", "iya", "1", "true", "benar"}
NO = {"tidak", "t", "no", "n", "0", "false", "salah", "tdk", "gak", "nggak"}
STATUS_WORDS = {
    "draf": PRODUCT_DRAFT, "draft": PRODUCT_DRAFT, "konsep": PRODUCT_DRAFT,
    "aktif": PRODUCT_ACTIVE, "active": PRODUCT_ACTIVE, "tampil": PRODUCT_ACTIVE,
    "arsip": PRODUCT_ARCHIVED, "archived": PRODUCT_ARCHIVED, "diarsipkan": PRODUCT_ARCHIVED,
    # A listing the Dinas hid is exported so, and imported back unchanged (listing_import
    # refuses any other status for it, and this one for every other listing).
    "disembunyikan": PRODUCT_HIDDEN,
}
STATUS_NAMES = {PRODUCT_DRAFT: "draf", PRODUCT_ACTIVE: "aktif", PRODUCT_ARCHIVED: "arsip", PRODUCT_HIDDEN: "disembunyikan"}

# A cell starting with one of these is a formula to Excel: exported text gets a leading "'",
# which Excel shows as text, and the import takes it off again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HEADER_JUNK = re.compile(r"[\s\-]+")

MSG_EMPTY_FILE = _l("Berkas kosong. Pilih berkas CSV yang berisi daftar produk.")
MSG_TOO_BIG = _l("Berkas terlalu besar: maksimal 5 MB. Bagi daftar produk menjadi beberapa berkas.")
MSG_EXCEL = _l("Ini berkas Excel, bukan CSV. Di Excel pilih File → Simpan Sebagai → “CSV UTF-8 (dipisahkan koma)”, "
               "lalu unggah berkas .csv itu.")
MSG_BINARY = _l("Berkas ini bukan CSV (isinya bukan teks). Simpan daftar produk sebagai CSV lalu unggah lagi.")
MSG_ENCODING = _l("Huruf dalam berkas tidak terbaca. Simpan ulang sebagai “CSV UTF-8” lalu unggah lagi.")
MSG_NO_ROWS = _l("Berkas hanya berisi judul kolom, belum ada baris produk.")
MSG_BAD_QUOTES = _l("Berkas CSV rusak (tanda kutip tidak tertutup atau baris terlalu panjang). Simpan ulang dari "
                    "Excel lalu unggah lagi.")


@dataclass(frozen=True)
class Column:
    """One CSV column: its header, the field it fills, which level of a listing it belongs to,
    and how the import page explains it."""

    name: str
    field: str | None  # a ListingData field (scope "product"), or a combination's (scope "variant")
    description: Any  # lazy text for the import page and docs
    example: str
    required_for_new: bool = False
    clearable: bool = False  # "-" empties it in an update row
    # "key": which listing the row belongs to; "option": an option name or value of the row's
    # combination; "variant": the combination's price, stock, SKU, on/off (for a listing without
    # options, its one default variant); "product": the listing's own fields, the same on every
    # row of a listing.
    scope: str = "product"


COLUMNS: tuple[Column, ...] = (
    Column("id", None, _l("Nomor produk dari hasil ekspor. Kosongkan untuk produk baru. Semua baris kombinasi satu "
                          "produk memakai id yang sama."), "", scope="key"),
    Column("kode_produk", None, _l("Hanya untuk produk baru yang punya beberapa kombinasi: kode bebas buatan Anda, "
                                   "misalnya KMJ-01. Baris dengan kode yang sama menjadi satu produk. Kode ini tidak "
                                   "disimpan."), "KMJ-01", scope="key"),
    Column("judul", "title", _l("Nama produk, 5–140 huruf."), "Keripik Singkong Balado 250 g", required_for_new=True),
    Column("opsi_1", None, _l("Nama opsi pertama, misalnya Ukuran, Warna atau Rasa. Kosongkan untuk produk tanpa "
                              "varian."), "Ukuran", scope="option"),
    Column("nilai_1", None, _l("Nilai opsi pertama pada kombinasi baris ini, misalnya M, Biru atau Pedas."), "M",
           scope="option"),
    Column("opsi_2", None, _l("Nama opsi kedua bila ada, misalnya Warna."), "Warna", scope="option"),
    Column("nilai_2", None, _l("Nilai opsi kedua pada kombinasi baris ini."), "Biru", scope="option"),
    Column("opsi_3", None, _l("Nama opsi ketiga bila ada (paling banyak tiga opsi)."), "", scope="option"),
    Column("nilai_3", None, _l("Nilai opsi ketiga pada kombinasi baris ini."), "", scope="option"),
    Column("sku", "sku", _l("Kode stok Anda sendiri untuk kombinasi ini, boleh kosong: huruf, angka, titik, garis "
                            "miring, garis bawah dan tanda hubung. Tidak boleh sama dengan SKU lain di toko Anda."),
           "KMJ-M-BIRU", clearable=True, scope="variant"),
    Column("harga", "price", _l("Harga kombinasi ini (atau produk tanpa varian) dalam Rupiah tanpa sen, misalnya "
                                "15000, 15.000 atau Rp15.000."), "15000", required_for_new=True, scope="variant"),
    Column("stok", "stock", _l("Jumlah stok sekarang. Kosong pada produk lama = stok tidak diubah."), "25",
           scope="variant"),
    Column("varian_aktif", "active", _l("ya atau tidak: kombinasi yang tidak aktif tidak bisa dipilih pembeli. "
                                        "Kosong = ya. Hanya untuk produk yang punya opsi."), "ya", scope="variant"),
    Column("kategori", "category_id", _l("Kode kategori (lihat daftar kategori di bawah), misalnya keripik-camilan."),
           "keripik-camilan", required_for_new=True),
    Column("deskripsi", "description", _l("Penjelasan produk. Baris kosong memisahkan paragraf; baris diawali "
                                          "“- ” menjadi daftar."), "Renyah, pedas manis, tanpa pengawet.",
           clearable=True),
    Column("satuan", "unit", _l("Satuan jual, misalnya pcs, kg, paket, porsi, lusin, box. Kosong = pcs."), "pcs"),
    Column("min_pesan", "min_order", _l("Jumlah minimal sekali pesan. Kosong = 1."), "1"),
    Column("dibuat_sesuai_pesanan", "made_to_order", _l("ya atau tidak. Kosong = tidak."), "tidak"),
    Column("lama_pembuatan_hari", "lead_time_days", _l("Wajib bila dibuat sesuai pesanan: 1–90 hari."), "",
           clearable=True),
    Column("berat_gram", "weight_grams", _l("Berat kirim dalam gram, misalnya 250."), "250", clearable=True),
    Column("tkdn_persen", "tkdn_pct", _l("Nilai TKDN 0–100 bila ada."), "", clearable=True),
    Column("status", "status", _l("draf, aktif atau arsip. Kosong pada produk baru = draf."), "draf"),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
BY_NAME = {column.name: column for column in COLUMNS}
FIELD_TO_COLUMN = {column.field: column.name for column in COLUMNS if column.field}
PRODUCT_COLUMNS = frozenset(column.name for column in COLUMNS if column.scope == "product")
OPTION_NAME_COLUMNS = ("opsi_1", "opsi_2", "opsi_3")
OPTION_VALUE_COLUMNS = ("nilai_1", "nilai_2", "nilai_3")
MAX_OPTIONS = len(OPTION_NAME_COLUMNS)
# A combination's problems (listing_import.ImportInvalid) by the column that holds the cell.
VARIANT_FIELD_TO_COLUMN = {"values": "nilai_1", "price": "harga", "stock": "stok", "sku": "sku",
                           "active": "varian_aktif"}
REQUIRED_FOR_NEW = tuple(column.name for column in COLUMNS if column.required_for_new)

# The examples of the template file, the import page and docs/csv-template.md: a keripik in three
# flavours, a batik shirt in 4 sizes × 2 colours (XL costs Rp15.000 more; no Merah in S), and a
# product without options.
_KERIPIK = {"kode_produk": "KRP-01", "judul": "Keripik Singkong 250 g", "opsi_1": "Rasa", "harga": "15000",
            "kategori": "keripik-camilan", "deskripsi": "Renyah, tanpa pengawet.", "satuan": "pcs",
            "min_pesan": "1", "dibuat_sesuai_pesanan": "tidak", "berat_gram": "250", "status": "aktif"}
_BATIK = {"kode_produk": "KMJ-01", "judul": "Kemeja Batik Tulis Motif Kembang", "opsi_1": "Ukuran", "opsi_2": "Warna",
          "kategori": "batik", "deskripsi": "Batik tulis katun primisima, dijahit di Tangerang.", "satuan": "pcs",
          "min_pesan": "1", "dibuat_sesuai_pesanan": "tidak", "berat_gram": "300", "tkdn_persen": "80",
          "status": "aktif"}
EXAMPLE_ROWS: tuple[dict[str, str], ...] = (
    {**_KERIPIK, "nilai_1": "Original", "sku": "KRP-ORI", "stok": "40"},
    {**_KERIPIK, "nilai_1": "Pedas", "sku": "KRP-PDS", "stok": "25"},
    {**_KERIPIK, "nilai_1": "Balado", "sku": "KRP-BLD", "harga": "16000", "stok": "0"},
    *({**_BATIK, "nilai_1": size, "nilai_2": colour, "sku": f"KMJ-{size}-{colour.upper()}",
       "harga": "190000" if size == "XL" else "175000", "stok": "0" if (size, colour) == ("S", "Merah") else "3",
       "varian_aktif": "tidak" if (size, colour) == ("S", "Merah") else "ya"}
      for size in ("S", "M", "L", "XL") for colour in ("Biru", "Merah")),
    {"judul": "Nasi Kotak Ayam Bakar", "harga": "Rp27.500", "kategori": "nasi-box",
     "deskripsi": "Nasi, ayam bakar, lalapan, sambal dan kerupuk.", "satuan": "porsi", "min_pesan": "20",
     "dibuat_sesuai_pesanan": "ya", "lama_pembuatan_hari": "2", "berat_gram": "450", "status": "aktif"},
)
# The columns the import page shows of the examples (the whole rows do not fit on a phone).
EXAMPLE_COLUMNS = ("kode_produk", "opsi_1", "nilai_1", "opsi_2", "nilai_2", "sku", "harga", "stok", "varian_aktif")


@dataclass(frozen=True)
class ExampleTable:
    title: str
    columns: tuple[str, ...]
    rows: list[list[str]]


def example_tables() -> list[ExampleTable]:
    """The examples with options, one small table per listing with only the columns it fills."""
    tables: dict[str, list[dict[str, str]]] = {}
    for row in EXAMPLE_ROWS:
        if row.get("kode_produk"):
            tables.setdefault(row["kode_produk"], []).append(row)
    out = []
    for rows in tables.values():
        columns = tuple(name for name in EXAMPLE_COLUMNS if any(row.get(name) for row in rows))
        out.append(ExampleTable(rows[0]["judul"], columns, [[row.get(name, "") for name in columns] for row in rows]))
    return out


# --- errors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row it is on (1 = the header row, 0 = the whole file), the
    column ("" when it is about the whole row) and the message."""

    row: int
    column: str
    message: Any
    value: str = ""  # what the cell held, shortened, so the seller can find it

    @classmethod
    def for_cell(cls, row: int, column: str, message: Any, raw: str) -> "RowError":
        raw = " ".join(raw.split())
        return cls(row, column, message, raw if len(raw) <= 60 else raw[:59] + "…")


class CsvRejected(ValidationFailed):
    """The file, or some of its rows, is wrong: nothing was written. `errors` lists every
    problem (up to MAX_ERRORS) in row order; `rows` is the number of product rows read."""

    def __init__(self, errors: list[RowError], *, rows: int = 0, truncated: bool = False):
        super().__init__(errors[0].message if errors else _l("Berkas tidak dapat diimpor."))
        self.errors = errors
        self.rows = rows
        self.truncated = truncated

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors if error.row > 1})


def _file_error(message) -> CsvRejected:
    return CsvRejected([RowError(0, "", message)])


@dataclass
class ImportResult:
    created: int  # new listings
    updated: int  # existing listings that changed
    unchanged: int = 0  # existing listings in the file that stay as they were
    filled: int = 0  # combinations new listings left out, created switched off with stock 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# --- export -----------------------------------------------------------------------------------


def _safe_text(value: str) -> str:
    """Text for a cell, with a "'" in front of what Excel would run as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _number(value: int | None) -> str:
    # Plain digits: "15.000" would read as 15 in an English Excel.
    return "" if value is None else str(value)


@dataclass(frozen=True)
class _Line:
    """One exported row: a listing and one of its combinations (its default variant when it
    has no options), with the combination's (option name, value) pairs in option order."""

    product: Product
    variant: ProductVariant
    options: tuple[tuple[str, str], ...]


def _option_cell(line: _Line, k: int, part: int) -> str:
    return _safe_text(line.options[k][part]) if k < len(line.options) else ""


_EXPORTERS: dict[str, Callable[[_Line], str]] = {
    "id": lambda line: str(line.product.id),
    "kode_produk": lambda line: "",
    "judul": lambda line: _safe_text(line.product.title),
    **{f"opsi_{k + 1}": (lambda line, k=k: _option_cell(line, k, 0)) for k in range(MAX_OPTIONS)},
    **{f"nilai_{k + 1}": (lambda line, k=k: _option_cell(line, k, 1)) for k in range(MAX_OPTIONS)},
    "sku": lambda line: _safe_text(line.variant.sku or ""),
    "harga": lambda line: _number(line.variant.price),
    "stok": lambda line: _number(line.variant.stock),
    # Empty for a listing without options: its one variant is always on sale.
    "varian_aktif": lambda line: ("ya" if line.variant.active else "tidak") if line.options else "",
    "kategori": lambda line: line.product.category.slug,
    "deskripsi": lambda line: _safe_text(line.product.description or ""),
    "satuan": lambda line: line.product.unit,
    "min_pesan": lambda line: _number(line.product.min_order),
    "dibuat_sesuai_pesanan": lambda line: "ya" if line.product.made_to_order else "tidak",
    "lama_pembuatan_hari": lambda line: _number(line.product.lead_time_days),
    "berat_gram": lambda line: _number(line.product.weight_grams),
    "tkdn_persen": lambda line: _number(line.product.tkdn_pct),
    "status": lambda line: STATUS_NAMES.get(line.product.status, line.product.status),
}


def csv_text(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A whole CSV file as Excel in Indonesia opens it: a BOM, then ";" between cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=EXPORT_DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return BOM + buffer.getvalue()


def _own_listings(seller: Seller) -> list[Product]:
    """The seller's own products (and nobody else's), oldest first, with their categories,
    options, values and variants: five statements whatever the number of products."""
    return list(db.session.scalars(
        select(Product).where(Product.seller_id == seller.id)
        .options(joinedload(Product.category), selectinload(Product.options).selectinload(ProductOption.values),
                 selectinload(Product.variants))
        .order_by(Product.id)
    ))


def _lines(products: Iterable[Product]) -> Iterator[_Line]:
    """One line per combination, in the order the seller's Varian page shows them."""
    for product in products:
        names = {value.id: (option.name, value.value) for option in product.options for value in option.values}
        for variant in product.variants:
            yield _Line(product, variant, tuple(names[value_id] for value_id in variant.value_ids))


def _export(names: Iterable[str], products: Iterable[Product]) -> bytes:
    names = tuple(names)
    rows = ([_EXPORTERS[name](line) for name in names] for line in _lines(products))
    return csv_text(names, rows).encode("utf-8")


def export_listings(seller: Seller) -> bytes:
    """Every listing of the seller with every column, one row per combination (the listing's
    own columns repeated on each, so filtering in Excel keeps them): edit it in Excel and
    import it back."""
    return _export(COLUMN_NAMES, _own_listings(seller))


def export_stock(seller: Seller) -> bytes:
    """A short list for counting stock, one row per combination: id, title, the option names
    and values the seller's listings use (none when no listing has options), SKU, unit, stock,
    made-to-order and status. Imported back, it updates just the stock."""
    products = _own_listings(seller)
    used = max((len(product.options) for product in products), default=0)
    options = [name for k in range(used) for name in (OPTION_NAME_COLUMNS[k], OPTION_VALUE_COLUMNS[k])]
    return _export(("id", "judul", *options, "sku", "satuan", "stok", "dibuat_sesuai_pesanan", "status"), products)


def template_csv() -> bytes:
    """The downloadable template: the header and the example rows (static/files/template-produk.csv)."""
    rows = ([row.get(name, "") for name in COLUMN_NAMES] for row in EXAMPLE_ROWS)
    return csv_text(COLUMN_NAMES, rows).encode("utf-8")


# --- reading a file ---------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (a BOM is dropped), UTF-16 with a BOM, or Windows-1252. Excel
    workbooks, other binary files and unreadable text are refused with a message that says
    what to do."""
    if not data.strip():
        raise _file_error(MSG_EMPTY_FILE)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # .xlsx (zip) and old .xls
        raise _file_error(MSG_EXCEL)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _file_error(MSG_ENCODING) from None
    elif b"\x00" in data:
        raise _file_error(MSG_BINARY)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise _file_error(MSG_ENCODING) from None
    text = text.lstrip(BOM)
    if _CONTROL.search(text):
        raise _file_error(MSG_BINARY)
    if not text.strip():
        raise _file_error(MSG_EMPTY_FILE)
    return text


def _header_name(raw: str) -> str:
    """ "Min Pesan", " min-pesan " and "MIN_PESAN*" all read as min_pesan."""
    return _HEADER_JUNK.sub("_", raw.strip().strip("*").strip().lower()).strip("_")


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first line into the most known column names."""
    first_line = text.split("\n", 1)[0]

    def known(delimiter: str) -> int:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(_header_name(cell) in BY_NAME for cell in cells)

    return max(DELIMITERS, key=lambda d: (known(d), first_line.count(d)))


@dataclass
class _Sheet:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells), empty rows left out


def read_sheet(data: bytes) -> _Sheet:
    """Decode, split and check the header and the size; raises CsvRejected for a wrong file."""
    if len(data) > MAX_BYTES:
        raise _file_error(MSG_TOO_BIG)
    text = decode(data)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        raw_header = next(reader, None)
        if raw_header is None:
            raise _file_error(MSG_EMPTY_FILE)
        header = [_header_name(cell) for cell in raw_header]
        _check_header(header)
        rows: list[tuple[int, list[str]]] = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (Excel often leaves some at the end)
            if len(rows) == MAX_ROWS:
                raise _file_error(_l("Berkas berisi lebih dari %(max)s baris produk. Bagi menjadi beberapa berkas "
                                     "berisi paling banyak %(max)s baris.", max=angka(MAX_ROWS)))
            rows.append((number, cells))
    except csv.Error:
        raise _file_error(MSG_BAD_QUOTES) from None
    if not rows:
        raise _file_error(MSG_NO_ROWS)
    return _Sheet(header=header, rows=rows)


def _check_header(header: list[str]) -> None:
    # Trailing empty header cells are what Excel leaves after a deleted column: harmless.
    while header and not header[-1]:
        header.pop()
    expected = ", ".join(COLUMN_NAMES)
    # A column without a name (an empty spacer column in Excel) is ignored, as are its cells.
    unknown = [name for name in header if name and name not in BY_NAME]
    if not any(name in BY_NAME for name in header):
        raise CsvRejected([RowError(1, "", _l("Baris pertama harus berisi nama kolom: %(columns)s. Unduh templat "
                                             "untuk contoh yang benar.", columns=expected))])
    errors = [RowError(1, name, _l("Kolom “%(name)s” tidak dikenal. Nama kolom yang bisa dipakai: %(columns)s.",
                                         name=name, columns=expected)) for name in unknown]
    seen: set[str] = set()
    for name in header:
        if name in seen and name in BY_NAME:
            errors.append(RowError(1, name, _l("Kolom “%(name)s” muncul dua kali.", name=name)))
        seen.add(name)
    if errors:
        raise CsvRejected(errors)


# --- reading one cell -------------------------------------------------------------------------


def _text(raw: str) -> str:
    value = raw.strip()
    # Undo the export's formula guard: "'=abc" was written for "=abc".
    if value.startswith("'") and value[1:2] in _FORMULA_START:
        value = value[1:]
    return value


def _optional_quantity(raw: str) -> int | None:
    return None if raw == CLEAR else parse_quantity(raw)


def _percent(raw: str) -> int | None:
    if raw == CLEAR:
        return None
    return parse_quantity(raw.rstrip("%").strip())


def _yes_no(raw: str) -> bool:
    word = raw.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValidationFailed(_l("Isi dengan “ya” atau “tidak”."))


def _status(raw: str) -> str:
    word = raw.strip().lower()
    if word in STATUS_WORDS:
        return STATUS_WORDS[word]
    raise ValidationFailed(_l("Status harus draf, aktif atau arsip."))


class _Categories:
    """Leaf and top categories by slug, and leaf categories by unique name, loaded once."""

    def __init__(self):
        rows = db.session.execute(select(Category.id, Category.slug, Category.name, Category.parent_id)).all()
        self.by_slug = {row.slug.lower(): row for row in rows}
        names: dict[str, list] = {}
        for row in rows:
            if row.parent_id is not None:
                names.setdefault(row.name.strip().lower(), []).append(row)
        self.by_name = {name: found[0] for name, found in names.items() if len(found) == 1}

    def find(self, raw: str) -> int:
        key = raw.strip().lower()
        row = self.by_slug.get(key) or self.by_name.get(key)
        if row is None:
            raise ValidationFailed(_l("Kategori “%(value)s” tidak ditemukan. Pakai kode dari daftar kategori.",
                                      value=raw.strip()[:60]))
        return row.id


# --- import: reading the rows -----------------------------------------------------------------


@dataclass
class _Row:
    """One spreadsheet row: its cells, the listing it names, and what its cells say, parsed
    (only the cells that are not empty), with the problems found so far."""

    number: int
    values: dict[str, str] = field(default_factory=dict)  # the row's cells by column name
    product: Product | None = None
    code: str = ""  # kode_produk, compared without case and extra spaces
    fields: dict[str, Any] = field(default_factory=dict)  # the listing's own fields (ListingData names)
    variant: dict[str, Any] = field(default_factory=dict)  # price, stock, sku, active of the combination
    names: tuple[str, ...] = ("", "", "")  # opsi_1..opsi_3
    option_values: tuple[str, ...] = ("", "", "")  # nilai_1..nilai_3
    errors: list[RowError] = field(default_factory=list)
    # A wrong id, or a new product without the columns it needs, makes the listing rules
    # meaningless for the row: their messages would only bury the one that matters.
    skip_rules: bool = False

    def error(self, column: str, message: Any) -> None:
        self.errors.append(RowError.for_cell(self.number, column, message, self.values.get(column, "")))

    def refused(self, column: str) -> bool:
        return any(error.column == column for error in self.errors)


def _cell_text(raw: str) -> str:
    return " ".join(_text(raw).split()) if raw else ""


def _parse_row(number: int, cells: list[str], header: list[str], *, products: dict[int, Product],
               categories: _Categories) -> _Row:
    """One row's cells read into the listing it names, its own fields and its combination's,
    with the CSV-level problems of its cells. Runs no queries."""
    row = _Row(number=number)
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
        row.errors.append(RowError(number, "", _l("Baris ini berisi lebih banyak sel daripada jumlah kolom di "
                                                  "baris pertama. Periksa tanda pemisah (; atau ,) di dalam teks.")))
    values = {name: (cells[i] if i < len(cells) else "").strip() for i, name in enumerate(header) if name in BY_NAME}
    row.values = values

    raw_id = values.get("id", "")
    if raw_id:
        row.product = _product_for(row, raw_id, products)
        if row.product is None:
            row.skip_rules = True
            return row
    elif any(name not in values for name in REQUIRED_FOR_NEW):
        row.errors.append(RowError(number, "", _l("Produk baru (id kosong) perlu kolom %(columns)s.",
                                                  columns=", ".join(REQUIRED_FOR_NEW))))
        row.skip_rules = True
    row.code = _cell_text(values.get("kode_produk", "")).casefold()
    row.names = tuple(_cell_text(values.get(name, "")) for name in OPTION_NAME_COLUMNS)
    row.option_values = tuple(_cell_text(values.get(name, "")) for name in OPTION_VALUE_COLUMNS)

    for name, raw in values.items():
        column = BY_NAME[name]
        # An empty cell keeps the product's value (or a new product's default); an empty
        # required cell of a new product is left to the listing rules, which word it per field.
        if column.field is None or not raw:
            continue
        if raw == CLEAR and not column.clearable:
            row.error(name, _l("Kolom ini tidak bisa dikosongkan dengan “-”."))
            continue
        try:
            value = _read_cell(name, raw, categories)
        except ValidationFailed as error:
            row.error(name, error.message)
            continue
        (row.variant if column.scope == "variant" else row.fields)[column.field] = value
    return row


def _product_for(row: _Row, raw_id: str, products: dict[int, Product]) -> Product | None:
    """The seller's product named by the id cell, or None with the reason added to the row."""
    if not _is_id(raw_id):
        row.error("id", _l("id harus nomor produk dari hasil ekspor. Kosongkan untuk produk baru."))
        return None
    product_id = int(raw_id)
    product = products.get(product_id)
    if product is None:
        row.errors.append(RowError(row.number, "id", _l("Produk dengan id %(id)s tidak ada di toko Anda. Kosongkan "
                                                        "id untuk menambah produk baru.", id=product_id)))
    return product


def _is_id(raw: str) -> bool:
    return raw.isascii() and raw.isdigit() and len(raw) <= 12


def _read_cell(name: str, raw: str, categories: _Categories) -> Any:
    if name == "judul":
        return _text(raw)
    if name == "deskripsi":
        return "" if raw == CLEAR else _text(raw)
    if name == "kategori":
        return categories.find(raw)
    if name == "harga":
        return parse_rupiah(raw)
    if name == "satuan":
        return raw.lower()
    if name in ("min_pesan", "stok"):
        return parse_quantity(raw)
    if name in ("dibuat_sesuai_pesanan", "varian_aktif"):
        return _yes_no(raw)
    if name in ("lama_pembuatan_hari", "berat_gram"):
        return _optional_quantity(raw)
    if name == "tkdn_persen":
        return _percent(raw)
    if name == "status":
        return _status(raw)
    if name == "sku":
        return None if raw == CLEAR else _text(raw)
    raise AssertionError(f"no reader for column {name}")  # pragma: no cover


def _check_sku_cells(rows: list[_Row]) -> None:
    """Every combination has its own SKU: the same SKU on two rows is refused on the second,
    naming the first (whether either combination exists yet or not)."""
    first: dict[str, _Row] = {}
    for row in rows:
        sku = row.variant.get("sku")
        if row.skip_rules or not sku:
            continue
        other = first.setdefault(sku.casefold(), row)
        if other is not row:
            row.error("sku", _l("SKU %(sku)s sudah dipakai di baris %(row)s. Setiap kombinasi perlu SKU sendiri.",
                                sku=sku, row=angka(other.number)))


# --- import: rows grouped into listings ---------------------------------------------------------


@dataclass
class _Group:
    """The rows of one listing: those with the same id, or (new listings) the same kode_produk;
    a new row without a kode is a listing on its own. `entry` is what goes to the import, with
    `variant_rows[j]` the row of entry.variants[j]."""

    rows: list[_Row]
    product: Product | None
    label: str  # how messages name the listing: "id 12" or "kode_produk KMJ-01"
    entry: listing_import.ImportEntry | None = None
    variant_rows: list[_Row] = field(default_factory=list)
    field_rows: dict[str, _Row] = field(default_factory=dict)  # ListingData field → the row that gave it
    name_rows: list[_Row | None] = field(default_factory=lambda: [None] * MAX_OPTIONS)  # who named each option

    @property
    def first(self) -> _Row:
        return self.rows[0]

    def refused(self, column: str) -> bool:
        return any(row.refused(column) for row in self.rows)


def _group_rows(rows: list[_Row]) -> list[_Group]:
    groups: dict[tuple, _Group] = {}
    ids_by_code: dict[str, _Row] = {}
    for row in rows:
        if row.skip_rules:
            continue
        if row.product is not None:
            key, label = ("id", row.product.id), f"id {row.product.id}"
            if row.code:
                ids_by_code.setdefault(row.code, row)
        elif row.code:
            key, label = ("kode", row.code), f"kode_produk {_cell_text(row.values['kode_produk'])}"
        else:
            key, label = ("row", row.number), ""
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(rows=[], product=row.product, label=label)
        group.rows.append(row)
    for group in groups.values():
        other = ids_by_code.get(group.first.code) if group.product is None else None
        if other is not None:
            # Most likely a new combination meant for that listing: say where it goes instead of
            # quietly creating a second listing.
            for row in group.rows:
                row.error("kode_produk", _l(
                    "kode_produk ini juga dipakai produk id %(id)s di baris %(row)s. Baris tanpa id menjadi produk "
                    "baru; kombinasi baru untuk produk yang sudah ada ditambahkan lewat halaman Varian.",
                    id=other.product.id, row=angka(other.number)))
    return list(groups.values())


def _merged_fields(group: _Group) -> dict[str, Any]:
    """The listing's own fields from its rows: each from the first row that fills it; a later
    row that fills it differently is refused (the seller must mean one or the other)."""
    merged: dict[str, Any] = {}
    for row in group.rows:
        for name, value in row.fields.items():
            if name not in merged:
                merged[name] = value
                group.field_rows[name] = row
            elif merged[name] != value:
                column = FIELD_TO_COLUMN[name]
                row.error(column, _l("Baris ini termasuk produk yang sama dengan baris %(row)s (%(product)s), "
                                     "tetapi isi kolom %(column)s berbeda. Samakan isinya atau kosongkan sel ini.",
                                     row=angka(group.field_rows[name].number), product=group.label, column=column))
    return merged


def _build_entry(group: _Group, valid_certificate_ids: frozenset[int]) -> None:
    fields = _merged_fields(group)
    product = group.product
    if product is not None:
        base = listings.listing_data_from(product)
        # Stock stays unless the row gives one; an expired certificate falls off, as it does
        # when the seller saves the product's form.
        data = replace(base, stock=None, **fields,
                       certificate_ids=[cid for cid in base.certificate_ids if cid in valid_certificate_ids])
        if product.options:
            _existing_combinations(group, data)
        else:
            _single(group, data)
        return
    data = replace(listings.ListingData(title="", category_id=None), **fields)
    names = _new_option_names(group)
    if names is None:
        return
    if names:
        _new_combinations(group, data, names)
    else:
        _single(group, data)


def _single(group: _Group, data: listings.ListingData) -> None:
    """A listing without options: one row, whose harga, stok and sku are its default variant's."""
    first = group.first
    for row in group.rows[1:]:
        if group.product is not None:
            row.error("id", _l("id %(id)s sudah dipakai di baris %(row)s. Produk tanpa varian hanya boleh muncul "
                               "sekali; kombinasi ditambahkan lewat halaman Varian.",
                               id=group.product.id, row=angka(first.number)))
        else:
            row.error("kode_produk", _l("kode_produk ini sudah dipakai di baris %(row)s, tetapi barisnya tidak berisi "
                                        "opsi dan nilai. Untuk beberapa kombinasi isi opsi_1 dan nilai_1; untuk "
                                        "produk lain pakai kode lain.", row=angka(first.number)))
    for k, (name_column, value_column) in enumerate(zip(OPTION_NAME_COLUMNS, OPTION_VALUE_COLUMNS, strict=True)):
        if group.product is not None and (first.names[k] or first.option_values[k]):
            first.error(name_column if first.names[k] else value_column, listing_import.MSG_NO_OPTIONS)
            break
        if first.option_values[k]:
            first.error(value_column, _l("Isi nama opsinya di kolom %(column)s, misalnya Ukuran atau Rasa.",
                                         column=name_column))
    if first.variant.get("active") is False:
        first.error("varian_aktif", _l("Produk tanpa varian selalu aktif. Untuk menyembunyikannya, isi kolom status "
                                       "dengan draf atau arsip."))
    own = {name: value for name, value in first.variant.items() if name in ("price", "stock", "sku")}
    group.entry = listing_import.ImportEntry(group.product, replace(data, **own))


def _new_option_names(group: _Group) -> list[str] | None:
    """A new listing's option names: each from the first row naming it; a row naming it
    differently is refused. None when the names leave a gap (opsi_2 without opsi_1)."""
    names = [""] * MAX_OPTIONS
    for row in group.rows:
        for k, name in enumerate(row.names):
            if not name:
                continue
            if not names[k]:
                names[k], group.name_rows[k] = name, row
            elif name.casefold() != names[k].casefold():
                row.error(OPTION_NAME_COLUMNS[k], _l(
                    "Baris ini termasuk produk yang sama dengan baris %(row)s (%(product)s), tetapi nama opsinya "
                    "berbeda: “%(first)s” di baris %(row)s. Semua baris satu produk memakai opsi yang sama, dalam "
                    "urutan yang sama.", row=angka(group.name_rows[k].number), product=group.label, first=names[k]))
    count = max((k + 1 for k, name in enumerate(names) if name), default=0)
    for k in range(count):
        if not names[k]:
            group.first.error(OPTION_NAME_COLUMNS[k], _l("Isi nama opsi di kolom ini dulu: opsi diisi berurutan "
                                                         "mulai dari opsi_1."))
            return None
    return names[:count]


def _new_combinations(group: _Group, data: listings.ListingData, names: list[str]) -> None:
    """A new listing with options: every row is one combination."""
    count = len(names)
    seen: dict[tuple[str, ...], _Row] = {}
    combinations = []
    for row in group.rows:
        values = row.option_values
        complete = True
        for k in range(MAX_OPTIONS):
            if k < count and not values[k]:
                row.error(OPTION_VALUE_COLUMNS[k], _l("Isi nilai opsi “%(name)s” untuk baris ini.", name=names[k]))
                complete = False
            elif k >= count and values[k]:
                row.error(OPTION_VALUE_COLUMNS[k], _l("Isi nama opsinya di kolom %(column)s, misalnya Ukuran atau "
                                                      "Rasa.", column=OPTION_NAME_COLUMNS[k]))
                complete = False
        if not complete:
            continue
        key = tuple(value.casefold() for value in values[:count])
        if key in seen:
            row.error("nilai_1", _l("Kombinasi %(label)s sudah ada di baris %(row)s. Setiap kombinasi cukup satu "
                                    "baris.", label=" / ".join(values[:count]), row=angka(seen[key].number)))
            continue
        seen[key] = row
        group.variant_rows.append(row)
        combinations.append(listing_import.VariantEntry(
            values=values[:count], price=row.variant.get("price"), stock=row.variant.get("stock"),
            sku=row.variant.get("sku"), active=row.variant.get("active", True)))
    if combinations:
        group.entry = listing_import.ImportEntry(None, data, option_names=names, variants=combinations)


def _existing_combinations(group: _Group, data: listings.ListingData) -> None:
    """An existing listing with options: each row names one of its combinations by the option
    values (or, with no values, by the combination's SKU) and changes its price, stock, SKU or
    on/off; a row with none of those changes only the listing's own fields. Options are not
    restructured here (the Varian page does that, keeping what the combinations hold)."""
    product = group.product
    assert product is not None
    options = list(product.options)
    names = ", ".join(option.name for option in options)
    value_ids = [{value.value.casefold(): value.id for value in option.values} for option in options]
    by_key = {variant.combo_key: variant for variant in product.variants}
    by_sku = {variant.sku.casefold(): variant for variant in product.variants if variant.sku}
    seen: dict[int, _Row] = {}
    combinations = []
    for row in group.rows:
        variant = _named_combination(row, options, names, value_ids, by_key, by_sku)
        if variant is None:
            continue
        if variant.id in seen:
            row.error("nilai_1", _l("Kombinasi %(label)s sudah ada di baris %(row)s. Setiap kombinasi cukup satu "
                                    "baris.", label=listing_import.variant_label(product, variant),
                                    row=angka(seen[variant.id].number)))
            continue
        seen[variant.id] = row
        group.variant_rows.append(row)
        combinations.append(listing_import.VariantEntry(
            variant=variant, price=row.variant.get("price", variant.price), stock=row.variant.get("stock"),
            sku=row.variant["sku"] if "sku" in row.variant else variant.sku,
            active=row.variant.get("active", variant.active)))
    group.entry = listing_import.ImportEntry(product, data, variants=combinations)


def _named_combination(row: _Row, options: list[ProductOption], names: str, value_ids: list[dict[str, int]],
                       by_key: dict[str, ProductVariant], by_sku: dict[str, ProductVariant]) -> ProductVariant | None:
    """The combination a row of an existing listing names, or None (with the reason added to
    the row, unless the row names none because it only changes the listing's own fields)."""
    count = len(options)
    for k in range(MAX_OPTIONS):
        name, value = row.names[k], row.option_values[k]
        if k >= count and (name or value):
            row.error(OPTION_NAME_COLUMNS[k] if name else OPTION_VALUE_COLUMNS[k], _l(
                "Produk ini hanya punya %(n)s opsi (%(names)s). Kosongkan kolom ini.", n=count, names=names))
            return None
        if name and name.casefold() != options[k].name.casefold():
            row.error(OPTION_NAME_COLUMNS[k], _l(
                "Opsi ke-%(n)s produk ini adalah “%(name)s”. Nama dan urutan opsi diubah di halaman Varian, bukan "
                "lewat CSV.", n=k + 1, name=options[k].name))
            return None
    given = row.option_values[:count]
    if any(given):
        missing = next((k for k, value in enumerate(given) if not value), None)
        if missing is not None:
            row.error(OPTION_VALUE_COLUMNS[missing], _l(
                "Isi nilai untuk setiap opsi produk ini (%(names)s) agar jelas kombinasi mana yang diubah.",
                names=names))
            return None
        ids = [value_ids[k].get(value.casefold()) for k, value in enumerate(given)]
        variant = by_key.get(ProductVariant.key_for(ids)) if None not in ids else None
        if variant is None:
            row.error("nilai_1", _l("Kombinasi %(label)s belum ada di produk ini; tambahkan lewat halaman Varian.",
                                    label=" / ".join(given)))
        return variant
    sku = row.variant.get("sku")
    if sku:
        variant = by_sku.get(sku.casefold())
        if variant is None:
            row.error("sku", _l("Produk ini tidak punya kombinasi dengan SKU %(sku)s. Isi nilai_1 dan seterusnya "
                                "untuk menyebut kombinasinya.", sku=sku))
        return variant
    if row.variant:
        row.error("nilai_1", _l("Produk ini punya beberapa kombinasi (%(names)s). Isi nilai_1 dan seterusnya untuk "
                                "menyebut kombinasi yang diubah.", names=names))
    return None


def _problem_errors(group: _Group, problems: dict[str, Any]) -> list[tuple[_Row, RowError]]:
    """The import's problems with one listing (listing_import.ImportInvalid) as row errors, on
    the row and column that hold the cell; a cell already refused keeps its first message (the
    default that replaced it would only add a second, confusing one)."""
    out: list[tuple[_Row, RowError]] = []

    def add(row: _Row, column: str, message: Any) -> None:
        if column and (group.refused(column) if column in PRODUCT_COLUMNS else row.refused(column)):
            return
        if any(r is row and e.column == column for r, e in out):
            return
        out.append((row, RowError.for_cell(row.number, column, message, row.values.get(column, ""))))

    for key, message in problems.items():
        if key == "variants":
            for j, fields in message.items():
                for name, text in fields.items():
                    add(group.variant_rows[j], VARIANT_FIELD_TO_COLUMN.get(name, ""), text)
        elif key.startswith("option-"):
            k = int(key.removeprefix("option-"))
            add(group.name_rows[k] or group.first, OPTION_NAME_COLUMNS[k], message)
        elif key.startswith("values-"):
            add(group.first, OPTION_VALUE_COLUMNS[int(key.removeprefix("values-"))], message)
        elif key == "options":
            add(group.first, "", message)
        elif key == "active":
            add(group.first, "varian_aktif", message)
        else:
            add(group.field_rows.get(key, group.first), FIELD_TO_COLUMN.get(key, ""), message)
    return out


# --- import: the whole file -----------------------------------------------------------------------


@dataclass
class CheckedFile:
    """A file whose every row passed: the listings in it, ready for listing_import."""

    groups: list[_Group]
    rows: int

    @property
    def entries(self) -> list[listing_import.ImportEntry]:
        return [group.entry for group in self.groups if group.entry is not None]


def check_rows(seller: Seller, sheet: _Sheet) -> CheckedFile:
    """Every row read, grouped into listings and checked (CSV rules, the listing rules, the
    combinations and SKUs); raises CsvRejected with every problem in row order, and writes
    nothing. A handful of queries whatever the number of rows: categories, the listing rules,
    the products the file names (with certificates, options, values and variants), the SKUs
    in use."""
    categories = _Categories()
    rules = listings.listing_rules(seller)
    id_at = sheet.header.index("id") if "id" in sheet.header else None
    ids = set()
    if id_at is not None:
        ids = {int(cells[id_at].strip()) for _n, cells in sheet.rows
               if id_at < len(cells) and _is_id(cells[id_at].strip())}
    products = _own_products(seller, ids)
    rows = [_parse_row(number, cells, sheet.header, products=products, categories=categories)
            for number, cells in sheet.rows]
    _check_sku_cells(rows)
    groups = _group_rows(rows)
    for group in groups:
        _build_entry(group, rules.certificate_ids)
    built = [group for group in groups if group.entry is not None]
    problems = listing_import.check_entries(seller, [group.entry for group in built], rules=rules)
    for index, listing_problems in problems.items():
        for row, error in _problem_errors(built[index], listing_problems):
            row.errors.append(error)
    errors = [error for row in rows for error in row.errors]
    if errors:
        raise CsvRejected(errors[:MAX_ERRORS], rows=len(rows), truncated=len(errors) > MAX_ERRORS)
    return CheckedFile(groups=built, rows=len(rows))


def _own_products(seller: Seller, ids: set[int]) -> dict[int, Product]:
    """The seller's products among `ids` (another seller's id is simply not found), with what
    the import compares and changes loaded."""
    if not ids:
        return {}
    found: dict[int, Product] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 1000):  # well under every database's parameter limit
        chunk = ordered[start : start + 1000]
        found.update(
            (product.id, product)
            for product in db.session.scalars(
                select(Product)
                .where(Product.seller_id == seller.id, Product.id.in_(chunk))
                .options(*listing_import.LOAD_FOR_UPDATE)
            )
        )
    return found


def import_csv(seller: Seller, data: bytes, actor_id: int | None) -> ImportResult:
    """Check the whole file, then create and update every listing in it in one transaction
    (stock changes logged with reason "import"). Raises CsvRejected listing every problem,
    having written nothing, when the file or any row is wrong."""
    checked = check_rows(seller, read_sheet(data))
    try:
        outcome = listing_import.import_listings(seller, checked.entries, actor_id)
    except listing_import.ImportInvalid as invalid:
        # Checked above with the same rules; only a change made meanwhile can land here.
        errors = [error for index, problems in sorted(invalid.errors.items())
                  for _row, error in _problem_errors(checked.groups[index], problems)]
        raise CsvRejected(sorted(errors, key=lambda error: error.row) or [RowError(0, "", invalid.message)],
                          rows=checked.rows) from None
    except DomainError as error:
        raise CsvRejected([RowError(0, "", error.message)], rows=checked.rows) from None
    created = len(outcome.created)
    updated = len(outcome.changed_ids)
    return ImportResult(created=created, updated=updated, unchanged=len(outcome.products) - created - updated,
                        filled=outcome.filled)


def errors_csv(errors: Iterable[tuple[int, str, str]]) -> bytes:
    """The problems of a rejected import as a CSV to open beside the file: baris, kolom, pesan."""
    return csv_text(("baris", "kolom", "pesan"), ([str(row or ""), column, _safe_text(message)]
                                                   for row, column, message in errors)).encode("utf-8")
