"""A seller's listings as CSV: the documented columns, export of listings and of stock, and the
all-or-nothing import that checks every row before anything is written.

The format (docs/csv-template.md) is what Excel in Indonesia reads and writes: UTF-8 with a BOM
and ";" between cells on export; on import UTF-8 (with or without BOM) or Windows-1252 (Excel's
plain "CSV" on Windows), with ";", "," or tab detected from the header row. Headers are the
Indonesian column names of COLUMNS, in any order; only `id` rows update, rows without one create.

In an update row an empty cell leaves that value as it is (so a file with only `id` and `stok`
is a stock update); "-" clears an optional value. Variants (issue 11) add columns to COLUMNS
and group rows by a product key; the reading, checking and reporting stay as they are.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from catalog.extensions import db
from catalog.formatting import angka
from catalog.models.products import PRODUCT_ACTIVE, PRODUCT_ARCHIVED, PRODUCT_DRAFT, Category, Product
from catalog.models.sellers import Seller
from catalog.services import listings
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
}
STATUS_NAMES = {PRODUCT_DRAFT: "draf", PRODUCT_ACTIVE: "aktif", PRODUCT_ARCHIVED: "arsip"}

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
    """One CSV column: its header, the ListingData field it fills, and how it reads and writes."""

    name: str
    field: str | None
    description: Any  # lazy text for the import page and docs
    example: str
    required_for_new: bool = False
    clearable: bool = False  # "-" empties it in an update row


COLUMNS: tuple[Column, ...] = (
    Column("id", None, _l("Nomor produk dari hasil ekspor. Kosongkan untuk produk baru."), ""),
    Column("judul", "title", _l("Nama produk, 5–140 huruf."), "Keripik Singkong Balado 250 g", required_for_new=True),
    Column("kategori", "category_id", _l("Kode kategori (lihat daftar kategori di bawah), misalnya keripik-camilan."),
           "keripik-camilan", required_for_new=True),
    Column("deskripsi", "description", _l("Penjelasan produk. Baris kosong memisahkan paragraf; baris diawali "
                                          "“- ” menjadi daftar."), "Renyah, pedas manis, tanpa pengawet.",
           clearable=True),
    Column("harga", "price", _l("Harga dalam Rupiah tanpa sen, misalnya 15000, 15.000 atau Rp15.000."), "15000",
           required_for_new=True),
    Column("satuan", "unit", _l("Satuan jual, misalnya pcs, kg, paket, porsi, lusin, box. Kosong = pcs."), "pcs"),
    Column("min_pesan", "min_order", _l("Jumlah minimal sekali pesan. Kosong = 1."), "1"),
    Column("stok", "stock", _l("Jumlah stok sekarang. Kosong pada produk lama = stok tidak diubah."), "25"),
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
STOCK_COLUMN_NAMES = ("id", "judul", "satuan", "stok", "dibuat_sesuai_pesanan", "status")
REQUIRED_FOR_NEW = tuple(column.name for column in COLUMNS if column.required_for_new)


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
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


# --- export -----------------------------------------------------------------------------------


def _safe_text(value: str) -> str:
    """Text for a cell, with a "'" in front of what Excel would run as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _number(value: int | None) -> str:
    # Plain digits: "15.000" would read as 15 in an English Excel.
    return "" if value is None else str(value)


_EXPORTERS: dict[str, Callable[[Product], str]] = {
    "id": lambda p: str(p.id),
    "judul": lambda p: _safe_text(p.title),
    "kategori": lambda p: p.category.slug,
    "deskripsi": lambda p: _safe_text(p.description or ""),
    "harga": lambda p: _number(p.price),
    "satuan": lambda p: p.unit,
    "min_pesan": lambda p: _number(p.min_order),
    "stok": lambda p: _number(p.stock),
    "dibuat_sesuai_pesanan": lambda p: "ya" if p.made_to_order else "tidak",
    "lama_pembuatan_hari": lambda p: _number(p.lead_time_days),
    "berat_gram": lambda p: _number(p.weight_grams),
    "tkdn_persen": lambda p: _number(p.tkdn_pct),
    "status": lambda p: STATUS_NAMES.get(p.status, p.status),
}


def _csv_text(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=EXPORT_DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return BOM + buffer.getvalue()


def _export(seller: Seller, names: tuple[str, ...]) -> bytes:
    """The seller's own products (and nobody else's), oldest first, in one statement."""
    products = db.session.scalars(
        select(Product).where(Product.seller_id == seller.id).options(joinedload(Product.category)).order_by(Product.id)
    )
    rows = ([_EXPORTERS[name](product) for name in names] for product in products)
    return _csv_text(names, rows).encode("utf-8")


def export_listings(seller: Seller) -> bytes:
    """Every listing of the seller with every column: edit it in Excel and import it back."""
    return _export(seller, COLUMN_NAMES)


def export_stock(seller: Seller) -> bytes:
    """Id, title, unit, stock, made-to-order and status: a short list for counting stock, which
    can be imported back to update just the stock."""
    return _export(seller, STOCK_COLUMN_NAMES)


def template_csv() -> bytes:
    """The downloadable template: the header and two example rows (static/files/template-produk.csv)."""
    examples = [
        [column.example for column in COLUMNS],
        ["", "Nasi Kotak Ayam Bakar", "nasi-box", "Nasi, ayam bakar, lalapan, sambal dan kerupuk.", "Rp27.500",
         "porsi", "20", "", "ya", "2", "450", "", "aktif"],
    ]
    return _csv_text(COLUMN_NAMES, examples).encode("utf-8")


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


# --- import -----------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    product: Product | None
    data: listings.ListingData
    errors: list[RowError] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # the row's cells by column name
    # A wrong id, or a new product without the columns it needs, makes the listing rules
    # meaningless for the row: their messages would only bury the one that matters.
    skip_rules: bool = False


def _parse_row(number: int, cells: list[str], header: list[str], *, products: dict[int, Product],
               categories: _Categories, valid_certificate_ids: frozenset[int], seen_ids: dict[int, int]) -> _Row:
    """One row as ListingData over the product it updates (or the defaults of a new one), with
    the CSV-level problems of its cells. Runs no queries."""
    row = _Row(number=number, product=None, data=listings.ListingData(title="", category_id=None))
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
        row.errors.append(RowError(number, "", _l("Baris ini berisi lebih banyak sel daripada jumlah kolom di "
                                                  "baris pertama. Periksa tanda pemisah (; atau ,) di dalam teks.")))
    values = {name: (cells[i] if i < len(cells) else "").strip() for i, name in enumerate(header) if name in BY_NAME}
    row.values = values

    raw_id = values.get("id", "")
    if raw_id:
        row.product = _product_for(row, raw_id, products, seen_ids)
        if row.product is None:
            row.skip_rules = True
            return row
        base = listings.listing_data_from(row.product)
        # Stock stays unless the row gives one; an expired certificate falls off, as it does
        # when the seller saves the product's form.
        row.data = replace(base, stock=None,
                           certificate_ids=[cid for cid in base.certificate_ids if cid in valid_certificate_ids])
    elif any(name not in values for name in REQUIRED_FOR_NEW):
        row.errors.append(RowError(number, "", _l("Produk baru (id kosong) perlu kolom %(columns)s.",
                                                  columns=", ".join(REQUIRED_FOR_NEW))))
        row.skip_rules = True

    changes: dict[str, Any] = {}
    for name, raw in values.items():
        column = BY_NAME[name]
        # An empty cell keeps the product's value (or a new product's default); an empty
        # required cell of a new product is left to validate_listing, which words it per field.
        if column.field is None or not raw:
            continue
        if raw == CLEAR and not column.clearable:
            row.errors.append(RowError.for_cell(number, name, _l("Kolom ini tidak bisa dikosongkan dengan “-”."), raw))
            continue
        try:
            changes[column.field] = _read_cell(name, raw, categories)
        except ValidationFailed as error:
            row.errors.append(RowError.for_cell(number, name, error.message, raw))
    row.data = replace(row.data, **changes)
    return row


def _product_for(row: _Row, raw_id: str, products: dict[int, Product], seen_ids: dict[int, int]) -> Product | None:
    """The seller's product named by the id cell, or None with the reason added to the row."""
    if not _is_id(raw_id):
        row.errors.append(RowError.for_cell(row.number, "id", _l("id harus nomor produk dari hasil ekspor. "
                                                                 "Kosongkan untuk produk baru."), raw_id))
        return None
    product_id = int(raw_id)
    product = products.get(product_id)
    if product is None:
        row.errors.append(RowError(row.number, "id", _l("Produk dengan id %(id)s tidak ada di toko Anda. Kosongkan "
                                                        "id untuk menambah produk baru.", id=product_id)))
        return None
    if product_id in seen_ids:
        row.errors.append(RowError(row.number, "id", _l("id %(id)s sudah dipakai di baris %(row)s. Satu produk "
                                                        "hanya boleh muncul sekali.", id=product_id,
                                                        row=angka(seen_ids[product_id]))))
        return None
    seen_ids[product_id] = row.number
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
    if name == "dibuat_sesuai_pesanan":
        return _yes_no(raw)
    if name in ("lama_pembuatan_hari", "berat_gram"):
        return _optional_quantity(raw)
    if name == "tkdn_persen":
        return _percent(raw)
    if name == "status":
        return _status(raw)
    raise AssertionError(f"no reader for column {name}")  # pragma: no cover


def _listing_errors(row: _Row, problems: dict[str, Any]) -> list[RowError]:
    """validate_listing's problems as row errors, skipping columns whose cell was already
    refused (its default would only add a second, confusing message)."""
    refused = {error.column for error in row.errors}
    out = []
    for field_name, message in problems.items():
        column = FIELD_TO_COLUMN.get(field_name, "")
        if column not in refused:
            out.append(RowError.for_cell(row.number, column, message, row.values.get(column, "")))
    return out


def check_rows(seller: Seller, sheet: _Sheet) -> list[_Row]:
    """Every row read and checked (CSV rules and the listing rules); raises CsvRejected with
    every problem in row order, and writes nothing. Three queries whatever the number of rows:
    categories, the listing rules, and the products the file names (with their certificates)."""
    categories = _Categories()
    rules = listings.listing_rules(seller)
    id_at = sheet.header.index("id") if "id" in sheet.header else None
    ids = set()
    if id_at is not None:
        ids = {int(cells[id_at].strip()) for _n, cells in sheet.rows
               if id_at < len(cells) and _is_id(cells[id_at].strip())}
    products = _own_products(seller, ids)
    seen_ids: dict[int, int] = {}
    rows: list[_Row] = []
    errors: list[RowError] = []
    for number, cells in sheet.rows:
        row = _parse_row(number, cells, sheet.header, products=products, categories=categories,
                         valid_certificate_ids=rules.certificate_ids, seen_ids=seen_ids)
        if not row.skip_rules:
            row.errors.extend(_listing_errors(row, listings.validate_listing(seller, row.data, rules=rules)))
        errors.extend(row.errors)
        rows.append(row)
    if errors:
        raise CsvRejected(errors[:MAX_ERRORS], rows=len(rows), truncated=len(errors) > MAX_ERRORS)
    return rows


def _own_products(seller: Seller, ids: set[int]) -> dict[int, Product]:
    """The seller's products among `ids` (another seller's id is simply not found)."""
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
                .options(selectinload(Product.certificates))
            )
        )
    return found


def import_csv(seller: Seller, data: bytes, actor_id: int | None) -> ImportResult:
    """Check the whole file, then create and update every listing in it in one transaction
    (stock changes logged with reason "import"). Raises CsvRejected listing every problem,
    having written nothing, when the file or any row is wrong."""
    rows = check_rows(seller, read_sheet(data))
    entries = [(row.product, row.data) for row in rows]
    try:
        listings.import_listings(seller, entries, actor_id)
    except listings.ImportInvalid as invalid:
        # Checked above with the same rules; only a change made meanwhile can land here.
        raise CsvRejected([
            RowError(rows[index].number, FIELD_TO_COLUMN.get(name, ""), message)
            for index, problems in sorted(invalid.errors.items()) for name, message in problems.items()
        ], rows=len(rows)) from None
    except DomainError as error:
        raise CsvRejected([RowError(0, "", error.message)], rows=len(rows)) from None
    created = sum(1 for row in rows if row.product is None)
    return ImportResult(created=created, updated=len(rows) - created)


def errors_csv(errors: Iterable[tuple[int, str, str]]) -> bytes:
    """The problems of a rejected import as a CSV to open beside the file: baris, kolom, pesan."""
    return _csv_text(("baris", "kolom", "pesan"), ([str(row or ""), column, _safe_text(message)]
                                                   for row, column, message in errors)).encode("utf-8")
