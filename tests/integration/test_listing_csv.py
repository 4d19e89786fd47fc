"""CSV export and import of a seller's listings through the real pages (multipart posts): what
gets written, what is refused with which message, ownership, roles, CSRF and speed."""

import csv
import io
import re
import time
from html import unescape
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from catalog.extensions import db
from catalog.models import Product
from catalog.models.products import InventoryLog
from tests.conftest import csrf_token_from
from tests.factories import gen_category, gen_officer, gen_product, gen_seller, gen_user

HEADER = "id;judul;kategori;deskripsi;harga;satuan;min_pesan;stok;dibuat_sesuai_pesanan;lama_pembuatan_hari;berat_gram;tkdn_persen;status"


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
    return [f";Keripik Rasa Nomor {n};{leaf_slug};Renyah;{15000 + n};pcs;1;{n % 40};tidak;;250;;aktif"
            for n in range(start, start + count)]


# --- export ---


def test_export_contains_only_the_sellers_own_products_with_every_column(seller_client, seller, categories):
    _top, leaf, _other = categories
    mine = gen_product(seller=seller, category=leaf, title="Keripik Pisang Cokelat", price=18000, stock=7,
                       weight_grams=200, tkdn_pct=45, status="draft")
    gen_product(category=leaf, title="Produk Orang Lain")
    db.session.commit()

    response = seller_client.get("/penjual/produk/ekspor.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    rows = parse_download(response)
    assert rows[0] == HEADER.split(";")
    assert rows[1:] == [[str(mine.id), "Keripik Pisang Cokelat", "keripik-camilan", "<p>Deskripsi produk.</p>",
                         "18000", "pcs", "1", "7", "tidak", "", "200", "45", "draf"]]


def test_export_guards_cells_excel_would_run_as_formulas(seller_client, seller, categories):
    gen_product(seller=seller, category=categories[1], title="=HYPERLINK(\"http://jahat\")")
    db.session.commit()
    rows = parse_download(seller_client.get("/penjual/produk/ekspor.csv"))
    assert rows[1][1] == "'=HYPERLINK(\"http://jahat\")"


def test_stock_export_lists_id_title_unit_stock(seller_client, seller, categories):
    product = gen_product(seller=seller, category=categories[1], title="Keripik Tempe", stock=12)
    db.session.commit()
    rows = parse_download(seller_client.get("/penjual/produk/stok.csv"))
    assert rows == [["id", "judul", "satuan", "stok", "dibuat_sesuai_pesanan", "status"],
                    [str(product.id), "Keripik Tempe", "pcs", "12", "tidak", "aktif"]]


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
    assert rows[0] == HEADER.split(";")
    assert len(rows) == 3


# --- import: what works ---


def test_import_creates_new_products_and_logs_their_stock(seller_client, seller):
    content = "\n".join([HEADER,
                         ";Keripik Singkong Balado;keripik-camilan;Pedas manis;Rp15.000;pcs;2;25;tidak;;250;40;aktif",
                         ";Nasi Kotak Ayam Bakar;nasi-box;;27.500;porsi;20;;ya;2;;;draf"])
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
    rows[1][3] = "40"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    assert post_csv(seller_client, "\ufeff" + buffer.getvalue()).status_code == 302
    db.session.rollback()
    product = db.session.get(Product, product.id)
    assert (product.stock, product.price, product.title) == (40, 9000, "Keripik Talas")


def test_html_and_script_in_the_description_are_sanitised(seller_client, seller):
    content = (f"{HEADER}\n"
               ';Keripik Aman Sekali;keripik-camilan;"<p onclick=""x()"">Enak <b>banget</b></p><script>alert(1)</script>'
               '<img src=x onerror=alert(2)>";15000;pcs;1;1;tidak;;;;aktif\n')
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
    rows[2998] = ";Keripik Rusak;keripik-camilan;;lima ribu;pcs;1;1;tidak;;;;aktif"  # spreadsheet row 3000
    text = refused(post_csv(seller_client, "\n".join([HEADER, *rows])))
    assert "Baris 3.000" in text
    assert "harga" in text
    assert "Nominal tidak dikenali" in text
    assert "1 baris" in text and "4.999 baris produk" in text
    assert product_count() == 0


def test_wrong_header_is_refused_with_the_expected_columns(seller_client, seller):
    text = refused(post_csv(seller_client, "nama;harga_jual\nKeripik;15000\n"))
    assert "Baris pertama harus berisi nama kolom" in text
    assert "judul, kategori" in text
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
    rows = [f";Keripik Nomor {n};keripik-camilan;{long_description};1000;pcs;1;1;tidak;;;;draf" for n in range(4500)]
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
    assert f"id {mine.id} sudah dipakai di baris 2" in text


def test_new_rows_need_title_category_and_price_columns(seller_client, seller):
    text = refused(post_csv(seller_client, "id;stok\n;5\n"))
    assert "Produk baru (id kosong) perlu kolom judul, kategori, harga" in text


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


def test_5000_rows_import_in_seconds(seller_client, seller):
    content = "\n".join([HEADER, *new_rows(5000)])
    started = time.perf_counter()
    response = post_csv(seller_client, content)
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    assert product_count(seller) == 5000
    assert elapsed < 30, f"5.000 rows took {elapsed:.1f} s"
