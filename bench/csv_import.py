"""CSV import/export of a seller's listings: seconds for 5,000 rows, with and without combinations.

Builds a throwaway database with the migrations (SQLite in a temporary folder, or a new database
on the PostgreSQL server named by TEST_DATABASE_URL, dropped afterwards) and measures, through
services/listing_csv.py (no HTTP):

- 5,000 new listings without options (one row each): the reference the README has quoted since
  the CSV import arrived;
- 1,000 new listings × 5 combinations (5,000 rows, grouped by kode_produk);
- exporting those 1,000 listings (5,000 rows) and importing the unchanged file back;
- the stock list of those listings with every stock changed, imported back.

    .venv/bin/python bench/csv_import.py
    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/csv_import.py

Prints one line per case and writes them to bench/results/csv_import-<database>.txt.
"""

import sys
from pathlib import Path

# bench/http.py would shadow the standard library's http package: drop this folder from the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import csv  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FLASK_CONFIG", "testing")

from catalog import create_app  # noqa: E402
from catalog.extensions import db  # noqa: E402
from catalog.services import listing_csv  # noqa: E402
from config import TestingConfig  # noqa: E402
from tests.dbsetup import fresh_database  # noqa: E402
from tests.factories import gen_category, gen_seller  # noqa: E402

PRODUCTS = 1_000
SIZES = ("S", "M", "L", "XL", "XXL")


def simple_rows(count: int) -> bytes:
    lines = ["judul;kategori;harga;stok;satuan;status"]
    lines += [f"Keripik Singkong Nomor {n};keripik-camilan;{15000 + n};{n % 40};pcs;aktif" for n in range(count)]
    return "\n".join(lines).encode()


def variant_rows(products: int) -> bytes:
    lines = ["kode_produk;judul;opsi_1;nilai_1;sku;harga;stok;kategori;status"]
    lines += [f"K{n};Kaos Sablon Motif Nomor {n};Ukuran;{size};K{n}-{size};{85000 + 5000 * i};{(n + i) % 9};batik;aktif"
              for n in range(products) for i, size in enumerate(SIZES)]
    return "\n".join(lines).encode()


def bumped_stock(data: bytes) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    at = rows[0].index("stok")
    for row in rows[1:]:
        row[at] = str(int(row[at]) + 1)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode()


def timed(label: str, action, results: list[str]):
    db.session.remove()
    started = time.perf_counter()
    value = action()
    elapsed = time.perf_counter() - started
    results.append(f"{label}: {elapsed:.2f} s")
    print(results[-1], flush=True)
    return value


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as url:
        config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": tmp,
                                                         "SEARCH_INDEX_DIR": str(Path(tmp) / "index")})
        app = create_app(config)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            makanan = gen_category("Makanan", slug="makanan")
            gen_category("Keripik & Camilan", slug="keripik-camilan", parent=makanan)
            gen_category("Batik", slug="batik", parent=gen_category("Fashion", slug="fashion"))
            simple_seller = gen_seller()
            seller = gen_seller()
            db.session.commit()
            simple_id, seller_id = simple_seller.id, seller.id

            def run(seller_id: int, data: bytes):
                from catalog.models import Seller

                return listing_csv.import_csv(db.session.get(Seller, seller_id), data, actor_id=None)

            def export(kind):
                from catalog.models import Seller

                return kind(db.session.get(Seller, seller_id))

            machine = platform.processor() or platform.machine()
            results = [f"{db.engine.dialect.name}, {os.cpu_count()} cores, {machine}, load {os.getloadavg()[0]:.1f}"]
            print(results[0])
            timed("5,000 new listings without options", lambda: run(simple_id, simple_rows(5_000)), results)
            timed(f"{PRODUCTS:,} new listings x {len(SIZES)} combinations (5,000 rows)",
                  lambda: run(seller_id, variant_rows(PRODUCTS)), results)
            exported = timed("export of those (5,000 rows)", lambda: export(listing_csv.export_listings), results)
            result = timed("unchanged export imported back", lambda: run(seller_id, exported), results)
            assert (result.created, result.updated) == (0, 0), result
            stock = bumped_stock(export(listing_csv.export_stock))
            result = timed("stock list with every stock changed, imported back", lambda: run(seller_id, stock),
                           results)
            assert result.updated == PRODUCTS, result
            db.session.remove()
            db.engine.dispose()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"csv_import-{results[0].split(',')[0]}.txt").write_text("\n".join(results) + "\n")


if __name__ == "__main__":
    main()
