"""The Inpres 2/2022 figures as files for auditors: CSV (what Excel in Indonesia opens: UTF-8
with a BOM, ";" between cells, as services/listing_csv.py writes) and XLSX (openpyxl, one sheet
per table, Rupiah and percent as real numbers).

Both are drawn from one list of tables (`agency_tables`, `ranking_tables`) so the two files
always hold the same figures. Text that Excel would run as a formula (= + - @) is neutralised:
a "'" in front in the CSV (listing_csv's rule), a plain text cell in the XLSX."""

import io
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from catalog.formatting import JAKARTA, MONTHS, _locale
from catalog.services.compliance import (
    SCALE_KECIL,
    SCALE_KOPERASI,
    SCALE_MENENGAH,
    SCALE_MIKRO,
    AgencyFigures,
    AgencyRank,
    OrderRow,
    Slice,
)
from catalog.services.listing_csv import _safe_text, csv_text

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"
RUPIAH_FORMAT = '"Rp "#,##0'
PERCENT_FORMAT = "0.0"
SHEET_TITLE_MAX = 31  # Excel's limit


class Rp(int):
    """A Rupiah amount (an int that the XLSX formats as money)."""


class Pct(float):
    """A percentage, 31.2 for 31,2 % (written with a decimal comma in the CSV)."""


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list]


def scale_label(key: str) -> str:
    return {
        SCALE_MIKRO: _("Mikro"),
        SCALE_KECIL: _("Kecil"),
        SCALE_KOPERASI: _("Koperasi"),
        SCALE_MENENGAH: _("Menengah (tidak dihitung)"),
    }.get(key, key)


def month_name(month: int) -> str:
    return MONTHS.get(_locale(), MONTHS["id"])[month - 1]


def _yes(value: bool) -> str:
    return _("ya") if value else _("tidak")


def _pct(value: float | None) -> Pct | None:
    return None if value is None else Pct(round(value, 1))


def _slice_label(item: Slice, empty: str) -> str:
    if not item.key:
        return empty
    return item.label_en if _locale() == "en" and item.label_en else item.label


def agency_tables(fig: AgencyFigures, orders: list[OrderRow]) -> list[Table]:
    """Every figure and breakdown of one agency-year, then its Surat Pesanan."""
    summary = Table(_("Ringkasan"), [_("Uraian"), _("Nilai")], [
        [_("Instansi"), fig.agency_name],
        [_("Kode instansi"), fig.agency_code],
        [_("Tahun anggaran"), fig.year],
        [_("Per tanggal"), fig.as_of],
        [_("Pagu belanja barang/jasa (Rp)"), Rp(fig.pagu)],
        [_("Target porsi UMK-K (%)"), Pct(fig.target_pct)],
        [_("Nilai target UMK-K (Rp)"), Rp(fig.target_amount)],
        [_("Komitmen: Surat Pesanan terbit (Rp)"), Rp(fig.committed)],
        [_("Realisasi: tagihan dibayar (Rp)"), Rp(fig.realised)],
        [_("Komitmen UMK-K (Rp)"), Rp(fig.umkk_committed)],
        [_("Realisasi UMK-K (Rp)"), Rp(fig.umkk_realised)],
        [_("Porsi UMK-K komitmen terhadap pagu (%)"), _pct(fig.share_of_pagu_pct)],
        [_("Porsi UMK-K realisasi terhadap pagu (%)"), _pct(fig.realised_share_of_pagu_pct)],
        [_("Porsi UMK-K terhadap seluruh komitmen (%)"), _pct(fig.share_of_committed_pct)],
        [_("Porsi UMK-K terhadap seluruh realisasi (%)"), _pct(fig.share_of_realised_pct)],
        [_("Yang masih dibutuhkan untuk target (Rp)"), Rp(fig.needed)],
        [_("Proyeksi komitmen UMK-K 31 Desember dengan laju saat ini (Rp)"),
         Rp(fig.projection) if fig.projection is not None else None],
        [_("Proyeksi porsi UMK-K 31 Desember (%)"), _pct(fig.projection_pct)],
        [_("Jumlah Surat Pesanan"), fig.orders],
        [_("Nilai baris dengan TKDN ≥ 25% (%)"), _pct(fig.tkdn.pct_25)],
        [_("Nilai baris dengan TKDN ≥ 40% (%)"), _pct(fig.tkdn.pct_40)],
    ])
    by_scale = Table(_("Per skala usaha"),
                     [_("Skala"), _("Dihitung UMK-K"), _("Jumlah SP"), _("Komitmen (Rp)"), _("Realisasi (Rp)")],
                     [[scale_label(s.key), _yes(s.counted), s.orders, Rp(s.committed), Rp(s.realised)]
                      for s in fig.by_scale])
    breakdown_header = [_("Jumlah SP"), _("Komitmen (Rp)"), _("Komitmen UMK-K (Rp)"), _("Realisasi (Rp)")]
    by_category = Table(_("Per kategori"), [_("Kategori"), *breakdown_header],
                        [[_slice_label(s, _("Lainnya")), s.orders, Rp(s.committed), Rp(s.umkk_committed),
                          Rp(s.realised)] for s in fig.by_category])
    by_kecamatan = Table(_("Per kecamatan penjual"), [_("Kecamatan"), *breakdown_header],
                         [[_slice_label(s, _("Tidak diketahui")), s.orders, Rp(s.committed), Rp(s.umkk_committed),
                           Rp(s.realised)] for s in fig.by_kecamatan])
    by_month = Table(_("Per bulan"),
                     [_("Bulan"), _("Komitmen (Rp)"), _("Komitmen UMK-K (Rp)"), _("Realisasi (Rp)"),
                      _("Realisasi UMK-K (Rp)"), _("Komitmen UMK-K kumulatif (Rp)"),
                      _("Porsi kumulatif terhadap pagu (%)")],
                     [[month_name(m.month), Rp(m.committed), Rp(m.umkk_committed), Rp(m.realised),
                       Rp(m.umkk_realised), Rp(m.cumulative_umkk), _pct(m.cumulative_share_pct)]
                      for m in fig.by_month])
    tkdn = Table(_("TKDN"), [_("Uraian"), _("Nilai (Rp)"), _("Porsi (%)")], [
        [_("Nilai seluruh baris Surat Pesanan"), Rp(fig.tkdn.line_value), None],
        [_("TKDN ≥ 25%"), Rp(fig.tkdn.at_least_25), _pct(fig.tkdn.pct_25)],
        [_("TKDN ≥ 40%"), Rp(fig.tkdn.at_least_40), _pct(fig.tkdn.pct_40)],
        [_("Tanpa data TKDN"), Rp(fig.tkdn.unknown), None],
    ])
    order_table = Table(_("Surat Pesanan"),
                        [_("Nomor"), _("Tanggal terbit"), _("Status"), _("Penjual"), _("NIB"), _("Skala"),
                         _("Koperasi"), _("Dihitung UMK-K"), _("Nilai (Rp)"), _("Tanggal bayar")],
                        [[o.number, o.issued_at, o.status, o.seller_name, o.nib, o.scale, _yes(o.is_koperasi),
                          _yes(o.counts_as_umkk), Rp(o.total), o.paid_on] for o in orders])
    return [summary, by_scale, by_category, by_kecamatan, by_month, tkdn, order_table]


def ranking_tables(year: int, ranks: list[AgencyRank]) -> list[Table]:
    """The Dinas's ranking of every agency for one fiscal year."""
    return [Table(_("Peringkat instansi %(year)s", year=year),
                  [_("Peringkat"), _("Instansi"), _("Kode"), _("Jenis"), _("Pagu (Rp)"), _("Komitmen (Rp)"),
                   _("Realisasi (Rp)"), _("Komitmen UMK-K (Rp)"), _("Realisasi UMK-K (Rp)"),
                   _("Porsi UMK-K terhadap pagu (%)"), _("Target (%)"), _("Kekurangan dari target (Rp)")],
                  [[n, r.name, r.code, r.type, Rp(r.pagu) if r.has_budget else None, Rp(r.committed),
                    Rp(r.realised), Rp(r.umkk_committed), Rp(r.umkk_realised), _pct(r.share_of_pagu_pct),
                    Pct(r.target_pct), Rp(r.needed) if r.has_budget else None]
                   for n, r in enumerate(ranks, start=1)])]


# --- CSV -----------------------------------------------------------------------------------------

def csv_cell(value) -> str:
    """One value as a CSV cell: plain digits, percent with a decimal comma, ISO dates, safe text."""
    if value is None:
        return ""
    if isinstance(value, Pct):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, bool):
        return _yes(value)
    if isinstance(value, int):
        return str(int(value))  # plain digits: "15.000" would read as 15 in an English Excel
    if isinstance(value, datetime):
        local = value.astimezone(JAKARTA) if value.tzinfo else value
        return local.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _safe_text(str(value))


def to_csv(tables: list[Table]) -> bytes:
    """The tables one under the other: a title row, the header, the rows, an empty row."""
    rows: list[list[str]] = []
    for table in tables:
        rows.append([_safe_text(table.title)])
        rows.append([_safe_text(name) for name in table.header])
        rows.extend([csv_cell(value) for value in row] for row in table.rows)
        rows.append([])
    return csv_text(rows[0], rows[1:]).encode("utf-8")


# --- XLSX ----------------------------------------------------------------------------------------

def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:SHEET_TITLE_MAX].strip() or "Data"
    name, n = clean, 2
    while name.lower() in used:
        suffix = f" {n}"
        name, n = clean[:SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _write_cell(sheet, row: int, column: int, value) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, datetime):
        value = (value.astimezone(JAKARTA) if value.tzinfo else value).date()
    if isinstance(value, bool):
        value = _yes(value)
    cell.value = value
    if isinstance(value, Rp):
        cell.number_format = RUPIAH_FORMAT
    elif isinstance(value, Pct):
        cell.number_format = PERCENT_FORMAT
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with


def to_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table: bold header, frozen under it, columns wide enough to read."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        for column, name in enumerate(table.header, start=1):
            _write_cell(sheet, 1, column, name)
            sheet.cell(row=1, column=column).font = bold
        for r, row in enumerate(table.rows, start=2):
            for column, value in enumerate(row, start=1):
                _write_cell(sheet, r, column, value)
        sheet.freeze_panes = "A2"
        for column, name in enumerate(table.header, start=1):
            longest = max([len(str(name))] + [len(csv_cell(row[column - 1])) for row in table.rows])
            sheet.column_dimensions[get_column_letter(column)].width = min(60, max(10, longest + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
