"""CSV export and import of a seller's listings through the real pages (multipart posts): what
gets written, what is refused with which message, ownership, roles, CSRF and speed."""

import csv
import io
import re
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from catalog import search
from catalog.extensions import db
from catalog.models import Product
from catalog.models.audit import AuditEvent
from catalog.models.products import InventoryLog, ProductVariant
from catalog.services import variants
from tests.conftest import csrf_token_from
from tests.factories import gen_category, gen_officer, gen_product, gen_seller, gen_user, gen_variant_product

HEADER = ("id;kode_produk;judul;opsi_1;nilai_1;opsi_2;nilai_2;opsi_3;nilai_3;sku;harga;stok;varian_aktif;kategori;"
          "deskripsi;satuan;min_pesan;dibuat_sesuai_pesanan;lama_pembuatan_hari;berat_gram;tkdn_persen;status")
COLUMNS = HEADER.split(";")


def line(**cells) -> str:
    """One row in HEADER's order from the cells given by column name (the rest empty)."""
    assert set(cells) <= set(COLUMNS), set(cells) - set(COLUMNS)
    return ";".join(str(cells.get(name, "")) for name in COLUMNS)


def sheet(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def log_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def post_csv(client, content, name="produk.csv", **extra):
    """A real multipart upload, as a browser sends it. Encoded here in memory: the test client
    would spool a large body to a temporary file it never closes."""
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    upload = FileStorage(io.BytesIO(data), filename=name, content_type="text/csv")
    boundary, body = encode_multipart({"file": upload, **extra})
    return client.post("/penjual/produk/impor", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def product_count(seller=None) -> int:
    db.session.rollback()
    stmt = select(func.count(Product.id))
    if seller is not None:
        stmt = stmt.where(Product.seller_id == seller.id)
    return db.session.scalar(stmt)


def parse_download(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "no BOM: Excel would garble the letters"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def categories():
    top = gen_category("Makanan", slug="makanan")
    leaf = gen_category("Keripik & Camilan", slug="keripik-camilan", parent=top)
    other = gen_category("Nasi Box", slug="nasi-box", parent=gen_category("Katering", slug="katering"))
    db.session.commit()
    return top, leaf, other


@pytest.fixture
def seller(categories):
    seller = gen_seller(business_name="Keripik Bu Rina", slug="keripik-bu-rina")
    db.session.commit()
    return seller


@pytest.fixture
def seller_client(client, seller):
    log_in(client, seller.user)
    return client


def new_rows(count, leaf_slug="keripik-camilan", start=0):
    return [line(judul=f"Keripik Rasa Nomor {n}", kategori=leaf_slug, deskripsi="Renyah", harga=15000 + n,
                 satuan="pcs", min_pesan=1, stok=n % 40, dibuat_sesuai_pesanan="tidak", berat_gram=250, status="aktif")
            for n in range(start, start + count)]


# --- export ---


def test_export_contains_only_the_sellers_own_products_with_every_column(seller_client, seller, categories):
    _top, leaf, _other = categories
    mine = gen_product(seller=seller, category=leaf, title="Keripik Pisang Cokelat", price=18000, stock=7,
                       weight_grams=200, tkdn_pct=45, status="draft", sku="KPC-01")
    gen_product(category=leaf, title="Produk Orang Lain")
    db.session.commit()

    response = seller_client.get("/penjual/produk/ekspor.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    rows = parse_download(response)
    assert rows[0] == HEADER.split(";")
    assert rows[1:] == [[str(mine.id), "", "Keripik Pisang Cokelat", "", "", "", "", "", "", "KPC-01", "18000", "7", "",
                         "keripik-camilan", "<p>Deskripsi produk.</p>", "pcs", "1", "tidak", "", "200", "45", "draf"]]


def test_export_guards_cells_excel_would_run_as_formulas(seller_client, seller, categories):
    gen_product(seller=seller, category=categories[1], title="=HYPERLINK(\"http://jahat\")")
    db.session.commit()
    rows = parse_download(seller_client.get("/penjual/produk/ekspor.csv"))
    assert rows[1][2] == "'=HYPERLINK(\"http://jahat\")"


def test_stock_export_lists_id_title_unit_stock(seller_client, seller, categories):
    product = gen_product(seller=seller, category=categories[1], title="Keripik Tempe", stock=12)
    db.session.commit()
    rows = parse_download(seller_client.get("/penjual/produk/stok.csv"))
    # No listing has options: no option columns, just as short as before plus the SKU.
    assert rows == [["id", "judul", "sku", "satuan", "stok", "dibuat_sesuai_pesanan", "status"],
                    [str(product.id), "Keripik Tempe", "", "pcs", "12", "tidak", "aktif"]]


def test_exported_file_imports_back_without_changing_anything(seller_client, seller, categories):
    product = gen_product(seller=seller, category=categories[1], title="Keripik Kentang", stock=9,
                          description="<p>Gurih <strong>sekali</strong>.</p><ul><li>250 g</li></ul>")
    db.session.commit()
    exported = seller_client.get("/penjual/produk/ekspor.csv").get_data()
    response = post_csv(seller_client, exported)
    assert response.status_code == 302
    db.session.rollback()
    again = db.session.get(Product, product.id)
    assert (again.title, again.stock, again.description) == (
        "Keripik Kentang", 9, "<p>Gurih <strong>sekali</strong>.</p><ul><li>250 g</li></ul>")
    assert product_count(seller) == 1


def test_template_download_is_the_documented_file(client):
    with client.get("/penjual/produk/templat.csv") as response:
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        rows = parse_download(response)
    assert rows[0] == COLUMNS
    assert len(rows) == 13  # a keripik in 3 flavours, a batik shirt in 4 sizes × 2 colours, a nasi kotak


# --- import: what works ---


def test_import_creates_new_products_and_logs_their_stock(seller_client, seller):
    content = sheet(
        line(judul="Keripik Singkong Balado", kategori="keripik-camilan", deskripsi="Pedas manis", harga="Rp15.000",
             satuan="pcs", min_pesan=2, stok=25, dibuat_sesuai_pesanan="tidak", berat_gram=250, tkdn_persen=40,
             status="aktif"),
        line(judul="Nasi Kotak Ayam Bakar", kategori="nasi-box", harga="27.500", satuan="porsi", min_pesan=20,
             dibuat_sesuai_pesanan="ya", lama_pembuatan_hari=2, status="draf"),
    )
    response = post_csv(seller_client, content)
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/penjual/produk"
    assert "2 produk baru, 0 produk diperbarui" in text_of(seller_client.get("/penjual/produk").get_data(as_text=True))

    db.session.rollback()
    keripik = db.session.scalar(select(Product).where(Product.title == "Keripik Singkong Balado"))
    assert (keripik.seller_id, keripik.price, keripik.stock, keripik.min_order, keripik.tkdn_pct, keripik.status) == (
        seller.id, 15000, 25, 2, 40, "active")
    assert keripik.published_at is not None
    nasi = db.session.scalar(select(Product).where(Product.title == "Nasi Kotak Ayam Bakar"))
    assert (nasi.price, nasi.unit, nasi.made_to_order, nasi.lead_time_days, nasi.status) == (27500, "porsi", True, 2, "draft")
    log = db.session.scalar(select(InventoryLog).where(InventoryLog.product_id == keripik.id))
    assert (log.delta, log.reason, log.actor_id) == (25, "import", seller.user_id)


def test_import_with_commas_and_windows_1252_is_read(seller_client, seller):
    content = ("judul,kategori,harga,deskripsi\r\n"
               "Kue Soes Caf\xe9 Vla,kue,\"15.000\",\"Isi vla, lembut\"\r\n")
    gen_category("Kue", slug="kue", parent=gen_category("Roti"))
    db.session.commit()
    response = post_csv(seller_client, content.encode("cp1252"))
    assert response.status_code == 302
    db.session.rollback()
    product = db.session.scalar(select(Product).where(Product.seller_id == seller.id))
    assert (product.title, product.price, product.status) == ("Kue Soes Café Vla", 15000, "draft")
    assert product.description == "<p>Isi vla, lembut</p>"


def test_import_updates_own_products_by_id_and_logs_stock_changes(seller_client, seller, categories):
    product = gen_product(seller=seller, category=categories[1], title="Keripik Lama", price=10000, stock=5,
                          weight_grams=300, tkdn_pct=20)
    db.session.commit()
    content = f"id;harga;stok;berat_gram;tkdn_persen\n{product.id};12.500;8;;-\n"
    response = post_csv(seller_client, content)
    assert response.status_code == 302
    db.session.rollback()
    product = db.session.get(Product, product.id)
    # Given cells change; an empty cell keeps the value; "-" clears an optional one.
    assert (product.title, product.price, product.stock, product.weight_grams, product.tkdn_pct) == (
        "Keripik Lama", 12500, 8, 300, None)
    log = db.session.scalars(select(InventoryLog).where(InventoryLog.product_id == product.id)).all()
    assert [(entry.delta, entry.stock_after, entry.reason) for entry in log] == [(3, 8, "import")]


def test_stock_list_edited_and_imported_back_changes_only_stock(seller_client, seller, categories):
    product = gen_product(seller=seller, category=categories[1], title="Keripik Talas", price=9000, stock=4)
    db.session.commit()
    rows = parse_download(seller_client.get("/penjual/produk/stok.csv"))
    assert rows[0][4] == "stok"
    rows[1][4] = "40"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    assert post_csv(seller_client, "\ufeff" + buffer.getvalue()).status_code == 302
    db.session.rollback()
    product = db.session.get(Product, product.id)
    assert (product.stock, product.price, product.title) == (40, 9000, "Keripik Talas")


def test_html_and_script_in_the_description_are_sanitised(seller_client, seller):
    content = sheet(line(judul="Keripik Aman Sekali", kategori="keripik-camilan", harga=15000, stok=1, status="aktif",
                         deskripsi='"<p onclick=""x()"">Enak <b>banget</b></p><script>alert(1)</script>'
                                   '<img src=x onerror=alert(2)>"'))
    assert post_csv(seller_client, content).status_code == 302
    db.session.rollback()
    product = db.session.scalar(select(Product).where(Product.seller_id == seller.id))
    assert product.description == "<p>Enak <b>banget</b></p>"


# --- import: refusals (nothing written, a clear message, never a 500) ---


def refused(response) -> str:
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    assert "Tidak ada produk yang disimpan" in text
    return text


def test_bad_row_at_line_3000_of_5000_imports_nothing_and_names_the_line(seller_client, seller):
    rows = new_rows(4999)
    # Spreadsheet row 3000:
    rows[2998] = line(judul="Keripik Rusak", kategori="keripik-camilan", harga="lima ribu", stok=1)
    text = refused(post_csv(seller_client, "\n".join([HEADER, *rows])))
    assert "Baris 3.000" in text
    assert "harga" in text
    assert "Nominal tidak dikenali" in text
    assert "1 baris" in text and "4.999 baris produk" in text
    assert product_count() == 0


def test_wrong_header_is_refused_with_the_expected_columns(seller_client, seller):
    text = refused(post_csv(seller_client, "nama;harga_jual\nKeripik;15000\n"))
    assert "Baris pertama harus berisi nama kolom" in text
    assert "id, kode_produk, judul" in text
    text = refused(post_csv(seller_client, "judul;kategori;harga;warna\nKeripik Enak;keripik-camilan;1000;merah\n"))
    assert "Kolom “warna” tidak dikenal" in text
    text = refused(post_csv(seller_client, "judul;harga;harga\nKeripik Enak;1000;1000\n"))
    assert "Kolom “harga” muncul dua kali" in text
    assert product_count() == 0


def test_file_in_another_encoding_is_refused(seller_client, seller):
    # Not UTF-8, and bytes 0x81/0x8d do not exist in Windows-1252 either.
    text = refused(post_csv(seller_client, b"judul;kategori;harga\n\x81\x8d\x8f;keripik-camilan;1000\n"))
    assert "Huruf dalam berkas tidak terbaca" in text
    assert "CSV UTF-8" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Berkas kosong"),
        (b"   \r\n\r\n", "Berkas kosong"),
        (HEADER.encode() + b"\r\n", "Berkas hanya berisi judul kolom"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "bukan CSV"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "Ini berkas Excel, bukan CSV"),
    ],
    ids=["zero-bytes", "blank-lines", "header-only", "binary", "xlsx"],
)
def test_empty_binary_and_excel_files_are_refused(seller_client, seller, content, message):
    response = post_csv(seller_client, content)
    assert response.status_code == 200
    assert message in text_of(response.get_data(as_text=True))
    assert product_count() == 0


def test_submitting_without_choosing_a_file_asks_for_one(seller_client, seller):
    response = seller_client.post("/penjual/produk/impor", data={}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Pilih berkas CSV terlebih dahulu." in text_of(response.get_data(as_text=True))


def test_more_than_5000_rows_are_refused(seller_client, seller):
    text = refused(post_csv(seller_client, "\n".join([HEADER, *new_rows(5001)])))
    assert "lebih dari 5.000 baris produk" in text
    assert product_count() == 0


def test_file_over_5_mb_is_refused(seller_client, seller):
    long_description = "x" * 1200
    rows = [line(judul=f"Keripik Nomor {n}", kategori="keripik-camilan", deskripsi=long_description, harga=1000)
            for n in range(4500)]
    content = "\n".join([HEADER, *rows])
    assert len(content) > 5 * 1024 * 1024
    text = refused(post_csv(seller_client, content))
    assert "maksimal 5 MB" in text
    assert product_count() == 0


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ("Keripik Minus;keripik-camilan;-15000;1", "harga", "Nominal tidak boleh negatif"),
        ("Keripik Stok Huruf;keripik-camilan;15000;banyak", "stok", "Jumlah harus berupa angka bulat"),
        ("Keripik Stok Minus;keripik-camilan;15000;-3", "stok", "Jumlah tidak boleh negatif"),
        ("Keripik Entah;kategori-ngawur;15000;1", "kategori", "Kategori “kategori-ngawur” tidak ditemukan"),
        ("Keripik Utama;makanan;15000;1", "kategori", "Pilih subkategori"),
        ("Kue;keripik-camilan;15000;1", "judul", "Nama produk minimal 5 karakter"),
        ("Keripik Murah;keripik-camilan;50;1", "harga", "Harga minimal"),
        ("Keripik Sen;keripik-camilan;15000,50;1", "harga", "Rupiah tidak memakai sen"),
    ],
)
def test_bad_cells_are_refused_with_row_column_and_message(seller_client, seller, cells, column, message):
    content = "judul;kategori;harga;stok\nKeripik Baik Sekali;keripik-camilan;15000;3\n" + cells + "\n"
    response = post_csv(seller_client, content)
    text = refused(response)
    html = response.get_data(as_text=True)
    assert re.search(rf"Baris 3</td>\s*<td><code>{column}</code></td>\s*<td>[^<]*{re.escape(unescape(message))}",
                     unescape(html)), text
    assert product_count() == 0


def test_made_to_order_without_lead_time_is_refused(seller_client, seller):
    text = refused(post_csv(seller_client, "judul;kategori;harga;dibuat_sesuai_pesanan\n"
                                           "Tumpeng Mini Spesial;keripik-camilan;150000;ya\n"
                                           "Tumpeng Besar Spesial;keripik-camilan;350000;mungkin\n"))
    assert "Lama pembuatan harus 1 sampai 90 hari" in text
    assert "Isi dengan “ya” atau “tidak”" in text


def test_another_sellers_product_id_is_refused_and_left_untouched(seller_client, seller, categories):
    theirs = gen_product(category=categories[1], title="Keripik Tetangga", price=20000, stock=3)
    mine = gen_product(seller=seller, category=categories[1], title="Keripik Saya", price=10000)
    db.session.commit()
    content = f"id;judul;harga;stok\n{mine.id};Keripik Saya Baru;11000;1\n{theirs.id};Keripik Curian;1000;999\n"
    text = refused(post_csv(seller_client, content))
    assert f"Produk dengan id {theirs.id} tidak ada di toko Anda" in text
    db.session.rollback()
    assert (db.session.get(Product, theirs.id).title, db.session.get(Product, theirs.id).stock) == ("Keripik Tetangga", 3)
    assert db.session.get(Product, mine.id).title == "Keripik Saya"  # all or nothing


def test_same_id_twice_is_refused(seller_client, seller, categories):
    mine = gen_product(seller=seller, category=categories[1], title="Keripik Saya")
    db.session.commit()
    text = refused(post_csv(seller_client, f"id;stok\n{mine.id};1\n{mine.id};2\n"))
    assert f"id {mine.id} sudah dipakai di baris 2. Produk tanpa varian hanya boleh muncul sekali" in text


def test_new_rows_need_title_category_and_price_columns(seller_client, seller):
    text = refused(post_csv(seller_client, "id;stok\n;5\n"))
    assert "Produk baru (id kosong) perlu kolom judul, harga, kategori" in text


def test_errors_can_be_downloaded_as_csv(seller_client, seller):
    content = "judul;kategori;harga\nKeripik Satu Dua;keripik-camilan;abc\nKeripik Tiga Empat;tidak-ada;1000\n"
    response = post_csv(seller_client, content, name="daftar produk.csv")
    html = response.get_data(as_text=True)
    token = unescape(re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1))
    download = seller_client.post("/penjual/produk/impor/kesalahan.csv", data={"token": token})
    assert download.status_code == 200
    assert 'filename=kesalahan-impor-daftar_produk.csv' in download.headers["Content-Disposition"]
    rows = parse_download(download)
    assert rows[0] == ["baris", "kolom", "pesan"]
    assert [row[:2] for row in rows[1:]] == [["2", "harga"], ["3", "kategori"]]
    assert "tidak ditemukan" in rows[2][2]


def test_altered_or_foreign_error_lists_are_refused(seller_client, seller, app):
    response = seller_client.post("/penjual/produk/impor/kesalahan.csv", data={"token": "palsu.sekali"})
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/penjual/produk/impor"
    from itsdangerous import URLSafeTimedSerializer

    from catalog.web.seller.imports import ERRORS_SALT

    other = URLSafeTimedSerializer(app.secret_key, salt=ERRORS_SALT).dumps({"s": seller.id + 999, "n": "x", "e": []})
    assert seller_client.post("/penjual/produk/impor/kesalahan.csv", data={"token": other}).status_code == 404


# --- combinations (issue 11): one row per combination, grouped by id or kode_produk ---


TEMPLATE = Path(__file__).resolve().parents[2] / "static" / "files" / "template-produk.csv"
SIZES_COLOURS = (("Ukuran", ("S", "M", "L", "XL")), ("Warna", ("Biru", "Merah")))


@pytest.fixture
def batik(categories):
    leaf = gen_category("Batik Tulis & Cap", slug="batik", parent=gen_category("Fashion & Batik", slug="fashion-batik"))
    db.session.commit()
    return leaf


def kemeja(seller, category, **kw):
    """The batik shirt of the issue: Ukuran S–XL × Warna Biru/Merah, every combination at Rp175.000 with 3 in stock."""
    return gen_variant_product(seller=seller, category=category, title="Kemeja Batik Tulis Motif Kembang",
                               options=SIZES_COLOURS, price=175_000, stock=3, **kw)


def combos(product) -> dict:
    return {variant.label: variant for variant in product.variants}


def as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def stored_state():
    """Everything an import could change, to prove a refused one changed nothing."""
    db.session.rollback()
    return (
        db.session.execute(select(Product.id, Product.title, Product.price, Product.price_max, Product.stock,
                                  Product.updated_at).order_by(Product.id)).all(),
        db.session.execute(select(ProductVariant.id, ProductVariant.price, ProductVariant.stock, ProductVariant.sku,
                                  ProductVariant.active).order_by(ProductVariant.id)).all(),
        db.session.scalar(select(func.count(InventoryLog.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
    )


def assert_problem(response, row: int, column: str, message: str) -> None:
    """The errors table has `message` on spreadsheet row `row`, column `column`."""
    html = unescape(response.get_data(as_text=True))
    # The page lets long column names wrap after "_" (a zero-width space follows it).
    shown = re.escape(column.replace("_", "_\u200b")) if column else None
    cell = rf"<code>{shown}</code>" if shown else "–"
    assert re.search(rf"Baris {row}</td>\s*<td>{cell}</td>\s*<td>[^<]*{re.escape(message)}", html), text_of(html)


def test_export_gives_one_row_per_combination_with_its_values_and_sku(seller_client, seller, batik):
    product = kemeja(seller, batik)
    by_label = combos(product)
    by_label["XL / Biru"].price = 190_000
    by_label["M / Biru"].sku = "KMJ-M-BIRU"
    db.session.commit()
    variants.set_variant_active(product, by_label["S / Merah"].id, False, actor_id=None)

    rows = as_dicts(parse_download(seller_client.get("/penjual/produk/ekspor.csv")))
    assert len(rows) == 8
    # The listing's own columns repeat on every row, so filtering in Excel keeps them.
    assert {(r["id"], r["judul"], r["kategori"], r["status"]) for r in rows} == {
        (str(product.id), "Kemeja Batik Tulis Motif Kembang", "batik", "aktif")}
    assert [(r["opsi_1"], r["nilai_1"], r["opsi_2"], r["nilai_2"], r["opsi_3"]) for r in rows[:3]] == [
        ("Ukuran", "S", "Warna", "Biru", ""), ("Ukuran", "S", "Warna", "Merah", ""),
        ("Ukuran", "M", "Warna", "Biru", "")]
    by_values = {(r["nilai_1"], r["nilai_2"]): r for r in rows}
    assert [by_values["M", "Biru"][c] for c in ("sku", "harga", "stok", "varian_aktif")] == [
        "KMJ-M-BIRU", "175000", "3", "ya"]
    assert by_values["XL", "Biru"]["harga"] == "190000"
    assert by_values["S", "Merah"]["varian_aktif"] == "tidak"


def test_stock_list_has_a_row_per_combination_with_values_and_sku(seller_client, seller, categories, batik):
    simple = gen_product(seller=seller, category=categories[1], title="Keripik Tempe", stock=12, sku="KT-1")
    product = kemeja(seller, batik)
    rows = parse_download(seller_client.get("/penjual/produk/stok.csv"))
    assert rows[0] == ["id", "judul", "opsi_1", "nilai_1", "opsi_2", "nilai_2", "sku", "satuan", "stok",
                       "dibuat_sesuai_pesanan", "status"]
    assert rows[1] == [str(simple.id), "Keripik Tempe", "", "", "", "", "KT-1", "pcs", "12", "tidak", "aktif"]
    assert rows[2] == [str(product.id), "Kemeja Batik Tulis Motif Kembang", "Ukuran", "S", "Warna", "Biru", "", "pcs",
                       "3", "tidak", "aktif"]
    assert len(rows) == 1 + 1 + 8


def test_exported_file_with_combinations_imports_back_without_changing_anything(seller_client, seller, categories,
                                                                                 batik, monkeypatch):
    gen_product(seller=seller, category=categories[1], title="Keripik Kentang", stock=9, sku="KK-1")
    product = kemeja(seller, batik)
    for n, variant in enumerate(product.variants):
        variant.sku = f"KMJ-{n}"
    db.session.commit()
    variants.set_variant_active(product, product.variants[1].id, False, actor_id=None)
    before = stored_state()

    indexed = []
    real_backend = search.backend

    class IndexSpy:
        def __getattr__(self, name):
            return getattr(real_backend(), name)

        def index(self, documents, removed):
            indexed.append(list(documents))
            return real_backend().index(indexed[-1], removed)

    monkeypatch.setattr(search, "backend", IndexSpy)

    exported = seller_client.get("/penjual/produk/ekspor.csv").get_data()
    response = post_csv(seller_client, exported)
    assert response.status_code == 302
    # Nothing changed: no new stock log, no audit event, not even an updated_at, and no
    # product sent to the search index again.
    assert stored_state() == before
    assert indexed == []
    page = text_of(seller_client.get("/penjual/produk").get_data(as_text=True))
    assert "0 produk baru, 0 produk diperbarui" in page and "2 produk di berkas tidak berubah" in page


def test_the_template_file_creates_its_example_listings(seller_client, seller, batik):
    response = post_csv(seller_client, TEMPLATE.read_bytes())
    assert response.status_code == 302
    db.session.rollback()
    listings_ = {p.title: p for p in db.session.scalars(select(Product).where(Product.seller_id == seller.id))}
    assert set(listings_) == {"Keripik Singkong 250 g", "Kemeja Batik Tulis Motif Kembang", "Nasi Kotak Ayam Bakar"}

    keripik = listings_["Keripik Singkong 250 g"]
    assert [(o.name, [v.value for v in o.values]) for o in keripik.options] == [
        ("Rasa", ["Original", "Pedas", "Balado"])]
    assert [(v.label, v.sku, v.price, v.stock, v.active) for v in keripik.variants] == [
        ("Original", "KRP-ORI", 15000, 40, True), ("Pedas", "KRP-PDS", 15000, 25, True),
        ("Balado", "KRP-BLD", 16000, 0, True)]
    assert (keripik.price, keripik.price_max, keripik.stock, keripik.status) == (15000, 16000, 65, "active")

    shirt = listings_["Kemeja Batik Tulis Motif Kembang"]
    assert [o.name for o in shirt.options] == ["Ukuran", "Warna"]
    assert len(shirt.variants) == 8
    assert not combos(shirt)["S / Merah"].active
    assert combos(shirt)["XL / Merah"].price == 190_000
    # XL costs Rp15.000 more; S / Merah is off and holds nothing.
    assert (shirt.price, shirt.price_max, shirt.stock, shirt.tkdn_pct) == (175_000, 190_000, 21, 80)

    nasi = listings_["Nasi Kotak Ayam Bakar"]
    assert (nasi.options, nasi.price, nasi.made_to_order, len(nasi.variants)) == ([], 27_500, True, 1)
    logs = db.session.scalars(select(InventoryLog).where(InventoryLog.product_id == shirt.id)).all()
    assert sorted((log.variant_id, log.delta, log.reason) for log in logs) == sorted(
        (v.id, 3, "import") for v in shirt.variants if v.stock)


def test_new_listing_may_list_only_the_combinations_that_exist(seller_client, seller):
    rows = [line(kode_produk="KRP", judul="Keripik Singkong Aneka Rasa", kategori="keripik-camilan", opsi_1="Rasa",
                 nilai_1=taste, opsi_2="Berat", nilai_2=weight, harga=price, stok=5)
            for taste, weight, price in (("Original", "100 g", 8000), ("Original", "250 g", 15000),
                                         ("Pedas", "100 g", 8500), ("Pedas", "250 g", 16000),
                                         ("Balado", "100 g", 9000))]
    response = post_csv(seller_client, sheet(*rows))
    assert response.status_code == 302
    page = text_of(seller_client.get("/penjual/produk").get_data(as_text=True))
    assert "1 produk baru" in page
    assert "1 kombinasi yang tidak ada di berkas dibuat tidak aktif dengan stok 0" in page
    db.session.rollback()
    product = db.session.scalar(select(Product).where(Product.seller_id == seller.id))
    left_out = combos(product)["Balado / 250 g"]
    assert (left_out.active, left_out.stock, left_out.price) == (False, 0, 8000)
    assert (product.price, product.price_max, product.stock) == (8000, 16000, 25)


def test_stock_of_one_combination_is_updated_from_the_stock_list(seller_client, seller, batik):
    product = kemeja(seller, batik)
    rows = parse_download(seller_client.get("/penjual/produk/stok.csv"))
    cells = as_dicts(rows)
    at = next(n for n, r in enumerate(cells, start=1) if (r["nilai_1"], r["nilai_2"]) == ("L", "Merah"))
    rows[at][rows[0].index("stok")] = "11"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    assert post_csv(seller_client, "\ufeff" + buffer.getvalue()).status_code == 302

    db.session.rollback()
    product = db.session.get(Product, product.id)
    by_label = combos(product)
    assert by_label["L / Merah"].stock == 11
    assert all(v.stock == 3 for label, v in by_label.items() if label != "L / Merah")
    assert product.stock == 7 * 3 + 11
    log = db.session.scalars(select(InventoryLog).order_by(InventoryLog.id.desc())).first()
    assert (log.variant_id, log.delta, log.stock_after, log.reason, log.actor_id) == (
        by_label["L / Merah"].id, 8, 11, "import", seller.user_id)


def test_a_combination_named_by_its_sku_alone_gets_its_price_and_stock(seller_client, seller, batik):
    product = kemeja(seller, batik)
    combos(product)["M / Biru"].sku = "KMJ-M-BIRU"
    db.session.commit()
    assert post_csv(seller_client, f"id;sku;harga;stok\n{product.id};KMJ-M-BIRU;180.000;12\n").status_code == 302
    db.session.rollback()
    product = db.session.get(Product, product.id)
    assert (combos(product)["M / Biru"].price, combos(product)["M / Biru"].stock) == (180_000, 12)
    assert (product.price, product.price_max, product.stock) == (175_000, 180_000, 7 * 3 + 12)


def test_a_row_without_a_combination_changes_the_listings_own_fields(seller_client, seller, batik):
    product = kemeja(seller, batik)
    assert post_csv(seller_client, f"id;judul;status\n{product.id};Kemeja Batik Kembang Biru;draf\n").status_code == 302
    db.session.rollback()
    product = db.session.get(Product, product.id)
    assert (product.title, product.status, product.stock) == ("Kemeja Batik Kembang Biru", "draft", 24)


def test_switching_a_combination_off_takes_its_stock_out_of_the_listings_total(seller_client, seller, batik):
    product = kemeja(seller, batik)
    content = line(id=product.id, opsi_1="Ukuran", nilai_1="XL", opsi_2="Warna", nilai_2="Merah", varian_aktif="tidak")
    assert post_csv(seller_client, sheet(content)).status_code == 302
    db.session.rollback()
    product = db.session.get(Product, product.id)
    assert not combos(product)["XL / Merah"].active
    assert product.stock == 7 * 3


NEW = {"kode_produk": "KMJ-01", "judul": "Kemeja Batik Tulis Motif Kembang", "kategori": "batik", "opsi_1": "Ukuran",
       "opsi_2": "Warna", "harga": "175000", "stok": "3"}


@pytest.mark.parametrize(
    ("rows", "row", "column", "message"),
    [
        ([{"nilai_1": "M", "nilai_2": "Biru"}, {"nilai_1": "m", "nilai_2": "biru"}], 3, "nilai_1",
         "Kombinasi m / biru sudah ada di baris 2. Setiap kombinasi cukup satu baris."),
        ([{"nilai_1": "M", "nilai_2": "Biru"}, {"nilai_1": "L", "nilai_2": "Biru", "opsi_2": "Motif"}], 3, "opsi_2",
         "tetapi nama opsinya berbeda: “Warna” di baris 2"),
        ([{"nilai_1": "M", "nilai_2": "Biru"}, {"nilai_1": "L", "nilai_2": ""}], 3, "nilai_2",
         "Isi nilai opsi “Warna” untuk baris ini."),
        ([{"nilai_1": "M", "nilai_2": "Biru", "sku": "KMJ-1"}, {"nilai_1": "L", "nilai_2": "Biru", "sku": "kmj-1"}], 3,
         "sku", "SKU kmj-1 sudah dipakai di baris 2. Setiap kombinasi perlu SKU sendiri."),
        ([{"nilai_1": "M", "nilai_2": "Biru"}, {"nilai_1": "L", "nilai_2": "Biru", "harga": "-175000"}], 3, "harga",
         "Nominal tidak boleh negatif"),
        ([{"nilai_1": "M", "nilai_2": "Biru"}, {"nilai_1": "L", "nilai_2": "Biru", "stok": "-1"}], 3, "stok",
         "Jumlah tidak boleh negatif"),
        ([{"nilai_1": "M", "nilai_2": "Biru"}, {"nilai_1": "L", "nilai_2": "Biru", "harga": "50"}], 3, "harga",
         "Harga minimal"),
        ([{"nilai_1": "M", "nilai_2": "Biru"}, {"nilai_1": "L", "nilai_2": "Biru", "judul": "Kemeja Batik Cap"}], 3,
         "judul", "Baris ini termasuk produk yang sama dengan baris 2 (kode_produk KMJ-01), tetapi isi kolom judul "
                  "berbeda."),
        ([{"nilai_1": "M", "nilai_2": "Biru", "nilai_3": "Katun"}], 2, "nilai_3",
         "Isi nama opsinya di kolom opsi_3, misalnya Ukuran atau Rasa."),
        ([{"nilai_1": "M", "nilai_2": "Biru", "varian_aktif": "tidak"}], 2, "varian_aktif",
         "Minimal satu kombinasi harus aktif."),
        ([{"opsi_1": "", "nilai_2": "Biru"}], 2, "opsi_1",
         "opsi diisi berurutan mulai dari opsi_1"),
        ([{"nilai_1": "M", "nilai_2": "Biru", "opsi_2": "ukuran"}], 2, "opsi_2",
         "Nama opsi “ukuran” dipakai dua kali."),
        ([{"nilai_1": "M", "nilai_2": "Biru", "sku": "KMJ M"}], 2, "sku", "SKU hanya boleh berisi huruf"),
    ],
    ids=["duplicate-combination", "other-option-names", "empty-value", "sku-twice-in-file", "negative-price",
         "negative-stock", "price-too-low", "other-title", "value-without-option", "none-active", "option-gap",
         "option-name-twice", "sku-form"],
)
def test_bad_combinations_of_a_new_listing_are_refused(seller_client, seller, batik, rows, row, column, message):
    response = post_csv(seller_client, sheet(*(line(**{**NEW, **cells}) for cells in rows)))
    refused(response)
    assert_problem(response, row, column, message)
    assert product_count() == 0


def test_too_many_combinations_are_refused(seller_client, seller, batik):
    rows = [line(**{**NEW, "nilai_1": f"U{n}", "nilai_2": f"W{m}"}) for n in range(11) for m in range(10)]
    response = post_csv(seller_client, sheet(*rows))
    assert_problem(response, 2, "", "Terlalu banyak kombinasi (110). Maksimal 100 kombinasi per produk.")
    assert product_count() == 0


def test_rows_with_the_same_kode_but_no_options_are_refused(seller_client, seller, categories):
    row = {"kode_produk": "KRP", "judul": "Keripik Singkong Balado", "kategori": "keripik-camilan", "harga": "15000"}
    response = post_csv(seller_client, sheet(line(**row), line(**row)))
    assert_problem(response, 3, "kode_produk", "kode_produk ini sudah dipakai di baris 2, tetapi barisnya tidak berisi "
                                               "opsi dan nilai.")
    assert product_count() == 0


@pytest.mark.parametrize(
    ("cells", "row", "column", "message"),
    [
        ([{"nilai_1": "XXL", "nilai_2": "Biru", "stok": "4"}], 2, "nilai_1",
         "Kombinasi XXL / Biru belum ada di produk ini; tambahkan lewat halaman Varian."),
        ([{"nilai_1": "M", "nilai_2": "Biru", "stok": "4"}, {"nilai_1": "M", "nilai_2": "Biru", "stok": "5"}], 3,
         "nilai_1", "Kombinasi M / Biru sudah ada di baris 2. Setiap kombinasi cukup satu baris."),
        ([{"nilai_1": "M", "nilai_2": "Biru", "sku": "LAIN-1"}], 2, "sku",
         "SKU ini sudah dipakai produk lain di toko Anda. Gunakan SKU yang berbeda."),
        ([{"nilai_1": "M", "nilai_2": "Biru", "stok": "-4"}], 2, "stok", "Jumlah tidak boleh negatif"),
        ([{"nilai_1": "M", "nilai_2": "Biru", "harga": "-1"}], 2, "harga", "Nominal tidak boleh negatif"),
        ([{"opsi_1": "Size", "nilai_1": "M", "nilai_2": "Biru", "stok": "4"}], 2, "opsi_1",
         "Opsi ke-1 produk ini adalah “Ukuran”. Nama dan urutan opsi diubah di halaman Varian, bukan lewat CSV."),
        ([{"harga": "200000"}], 2, "nilai_1",
         "Produk ini punya beberapa kombinasi (Ukuran, Warna). Isi nilai_1 dan seterusnya untuk menyebut kombinasi "
         "yang diubah."),
        ([{"nilai_1": "M", "stok": "4"}], 2, "nilai_2", "Isi nilai untuk setiap opsi produk ini (Ukuran, Warna)"),
        ([{"nilai_1": "M", "nilai_2": "Biru", "opsi_3": "Bahan", "nilai_3": "Katun"}], 2, "opsi_3",
         "Produk ini hanya punya 2 opsi (Ukuran, Warna). Kosongkan kolom ini."),
        ([{"sku": "TIDAK-ADA", "stok": "4"}], 2, "sku", "Produk ini tidak punya kombinasi dengan SKU TIDAK-ADA."),
        ([{"nilai_1": "M", "nilai_2": "Biru", "judul": "Kemeja Batik Cap"},
          {"nilai_1": "L", "nilai_2": "Biru", "judul": "Kemeja Batik Tulis"}], 3, "judul",
         "tetapi isi kolom judul berbeda"),
        ([{"nilai_1": size, "nilai_2": colour, "varian_aktif": "tidak"}
          for size in ("S", "M", "L", "XL") for colour in ("Biru", "Merah")], 2, "varian_aktif",
         "Minimal satu kombinasi harus aktif."),
    ],
    ids=["unknown-combination", "duplicate-combination", "sku-of-another-listing", "negative-stock",
         "negative-price", "other-option-name", "price-without-combination", "missing-value", "fourth-column",
         "unknown-sku", "other-title", "none-active"],
)
def test_bad_rows_for_an_existing_listing_with_options_change_nothing(seller_client, seller, categories, batik, cells,
                                                                      row, column, message):
    gen_product(seller=seller, category=categories[1], title="Keripik Lain", sku="LAIN-1")
    product = kemeja(seller, batik)
    before = stored_state()
    response = post_csv(seller_client, sheet(*(line(id=product.id, **c) for c in cells)))
    refused(response)
    assert_problem(response, row, column, message)
    assert stored_state() == before


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"opsi_1": "Ukuran", "nilai_1": "M"}, "opsi_1",
         "Produk ini belum punya varian. Tambahkan opsi di halaman Varian"),
        ({"varian_aktif": "tidak"}, "varian_aktif", "Produk tanpa varian selalu aktif."),
    ],
    ids=["options", "switched-off"],
)
def test_an_existing_listing_without_options_gets_none_through_csv(seller_client, seller, categories, cells, column,
                                                                   message):
    product = gen_product(seller=seller, category=categories[1], title="Keripik Tempe")
    db.session.commit()
    before = stored_state()
    response = post_csv(seller_client, sheet(line(id=product.id, stok="5", **cells)))
    assert_problem(response, 2, column, message)
    assert stored_state() == before


def test_a_new_row_with_the_kode_of_an_existing_listing_is_refused(seller_client, seller, batik):
    product = kemeja(seller, batik)
    before = stored_state()
    response = post_csv(seller_client, sheet(
        line(id=product.id, kode_produk="KMJ-01", nilai_1="M", nilai_2="Biru", stok="4"),
        line(**{**NEW, "nilai_1": "XXL", "nilai_2": "Biru"}),
    ))
    assert_problem(response, 3, "kode_produk", f"kode_produk ini juga dipakai produk id {product.id} di baris 2.")
    assert stored_state() == before


# --- who may use it ---


@pytest.mark.parametrize("path", ["/penjual/produk/impor", "/penjual/produk/ekspor.csv", "/penjual/produk/stok.csv"])
def test_anonymous_visitor_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/masuk"


@pytest.mark.parametrize("path", ["/penjual/produk/impor", "/penjual/produk/ekspor.csv", "/penjual/produk/stok.csv"])
@pytest.mark.parametrize("make_user", [lambda: gen_user(role="shopper"), gen_officer])
def test_other_roles_get_403(client, path, make_user):
    user = make_user()
    db.session.commit()
    log_in(client, user)
    assert client.get(path).status_code == 403


def test_shopper_cannot_post_an_import(client, categories):
    user = gen_user(role="shopper")
    db.session.commit()
    log_in(client, user)
    assert post_csv(client, "judul;kategori;harga\nKeripik Enak;keripik-camilan;1000\n").status_code == 403
    assert product_count() == 0


def test_import_without_csrf_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        gen_category("Keripik", slug="keripik-camilan", parent=gen_category("Makanan"))
        seller = gen_seller()
        db.session.commit()
        user_id = seller.user.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
    content = b"judul;kategori;harga\nKeripik Enak Sekali;keripik-camilan;1000\n"
    response = client.post("/penjual/produk/impor", data={"file": (io.BytesIO(content), "a.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Formulir sudah kedaluwarsa" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Product.id))) == 0
    # With the page's token it goes through.
    token = csrf_token_from(client.get("/penjual/produk/impor").get_data(as_text=True))
    response = client.post("/penjual/produk/impor", data={"file": (io.BytesIO(content), "a.csv"), "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 302


# --- the page and speed ---


def test_import_page_explains_the_format_and_links_the_template(seller_client, seller):
    html = seller_client.get("/penjual/produk/impor").get_data(as_text=True)
    text = text_of(html)
    assert 'href="/penjual/produk/templat.csv"' in html
    assert 'href="/penjual/produk/ekspor.csv"' in html and 'href="/penjual/produk/stok.csv"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "keripik-camilan" in text  # the category codes a seller needs
    assert "dibuat_sesuai_pesanan" in text
    # Combinations: how rows are grouped, and the template's examples in small tables.
    assert "Produk dengan varian" in text and "kode_produk" in text and "halaman Varian" in text
    assert "Kemeja Batik Tulis Motif Kembang" in text and "KMJ-XL-MERAH" in text and "KRP-BLD" in text


def test_5000_rows_import_in_seconds(seller_client, seller):
    content = "\n".join([HEADER, *new_rows(5000)])
    started = time.perf_counter()
    response = post_csv(seller_client, content)
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    assert product_count(seller) == 5000
    assert elapsed < 30, f"5.000 rows took {elapsed:.1f} s"
