"""One table (compliance_export.Table) as a CSV download, whole or streamed row by row.

The cells are written by compliance_export's rules (integer Rupiah as plain digits, percent
with a decimal comma, dates ISO, text that Excel would run as a formula — = + - @ — with a "'"
in front) and the file is what Excel in Indonesia opens (listing_csv: UTF-8 with a BOM, ";"
between cells). The Inpres exports, the platform statistics and the audit trail share them."""

import csv
import io
from collections.abc import Iterable, Iterator

from catalog.services.compliance_export import Table, csv_cell
from catalog.services.listing_csv import BOM, EXPORT_DELIMITER, _safe_text, csv_text

STREAM_CHUNK_ROWS = 500


def table_csv(table: Table) -> bytes:
    """The header, then the rows (no title row: one table per file)."""
    return csv_text([_safe_text(str(name)) for name in table.header],
                    ([csv_cell(value) for value in row] for row in table.rows)).encode("utf-8")


def stream_csv(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """The same file as table_csv, yielded in chunks of rows so a long export never sits in
    memory whole (for a streamed response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=EXPORT_DELIMITER, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([_safe_text(str(name)) for name in header])
    pending = 0
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        pending += 1
        if pending >= STREAM_CHUNK_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")
