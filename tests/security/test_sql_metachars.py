"""SQL metacharacters (quotes, comments, LIKE wildcards, backslash, NUL) in every search box,
filter and looked-up value: never a 500, never a row that does not match, tables intact. Run on
PostgreSQL too (TEST_DATABASE_URL): a NUL byte is refused by PostgreSQL, not by SQLite."""

from urllib.parse import quote

import pytest
from sqlalchemy import func, inspect, select

from catalog import search
from catalog.extensions import db
from catalog.models import Product, User
from tests.admin_accounts_factories import log_in
from tests.dbsetup import using_postgres
from tests.factories import gen_agency, gen_category, gen_officer, gen_product, gen_seller, gen_user
from tests.security.attack_payloads import SQL_PAYLOADS, page_text

BACKENDS = ["whoosh", "postgres"] if using_postgres() else ["whoosh"]
# Names no payload can match: if one shows up in a result, the payload matched everything.
SEEDED = ("Rengginang Ketan Hitam", "Kopi Robusta Lereng", "Tenun Baduy Asli", "Warung Sejahtera Abadi",
          "Margaretha Sulistyowati", "Dinas Perhubungan Banten")


@pytest.fixture(params=BACKENDS)
def world(request, make_app):
    """Products, sellers, users and an agency with known names, searchable; clients per role."""
    app = make_app(SEARCH_BACKEND=request.param)
    with app.app_context():
        camilan = gen_category(name="Camilan Tradisional")
        seller = gen_seller(business_name="Warung Sejahtera Abadi", owner_name="Margaretha Sulistyowati")
        products = [gen_product(seller=seller, category=camilan, title=title) for title in SEEDED[:3]]
        gen_user(name="Margaretha Sulistyowati", email="margaretha@contoh.id")
        agency = gen_agency(name="Dinas Perhubungan Banten")
        officer = gen_officer(agency=agency)
        admin = gen_user(role="admin", name="Admin Uji")
        db.session.commit()
        search.reindex_products([p.id for p in products])
        clients = {}
        for role, user in (("anonymous", None), ("admin", admin), ("seller", seller.user), ("officer", officer)):
            clients[role] = app.test_client()
            if user is not None:
                log_in(clients[role], user)
        yield app, clients, {"product": products[0].slug, "seller": seller.slug, "category": camilan.slug}


# Free-text boxes: the seeded names must not come back for a payload that matches none of them.
TEXT_SEARCHES = [
    # (role, path, the tab or filter the seeded row sits in, a word that finds it)
    ("anonymous", "/cari", {}, "Rengginang"),
    ("admin", "/admin/pengguna", {}, "Margaretha"),
    ("admin", "/admin/produk", {}, "Rengginang"),
    ("admin", "/admin/penjual", {"status": "terverifikasi"}, "Sejahtera"),
    ("admin", "/admin/instansi", {}, "Perhubungan"),
    ("admin", "/admin/petugas", {"status": "dikonfirmasi"}, "Perhubungan"),
    ("seller", "/penjual/produk", {}, "Rengginang"),
]
# Every other parameter: an unknown value is ignored or refused with a message.
FILTERS = [
    ("anonymous", "/cari", ["kategori", "kota", "kecamatan", "skala", "umkk", "harga_min", "harga_maks", "sertifikat",
                            "tkdn", "stok", "urut", "hal"]),
    ("anonymous", "/", ["kota"]),
    ("anonymous", "/api/wilayah", ["induk"]),
    ("anonymous", "/kategori/{category}", ["urut", "hal"]),
    ("anonymous", "/toko/{seller}", ["urut", "hal"]),
    ("anonymous", "/produk/{product}", ["varian"]),
    ("admin", "/admin/pengguna", ["peran", "status", "hal"]),
    ("admin", "/admin/produk", ["status", "hal"]),
    ("admin", "/admin/penjual", ["status", "hal"]),
    ("admin", "/admin/instansi", ["jenis", "hal"]),
    ("admin", "/admin/petugas", ["status", "hal"]),
    ("admin", "/admin/laporan", ["status"]),
    ("admin", "/admin/audit", ["pelaku", "jenis", "objek", "aksi", "dari", "sampai", "sebelum"]),
    ("admin", "/admin/audit.csv", ["pelaku", "jenis", "objek", "aksi"]),
    ("admin", "/admin/statistik", ["tahun"]),
    ("admin", "/admin/inpres", ["tahun"]),
    ("seller", "/penjual/produk", ["status", "hal"]),
    ("seller", "/penjual/pesanan", ["status", "hal"]),
    ("seller", "/penjual/pesanan-pemerintah", ["status", "hal"]),
    ("seller", "/penjual/saldo", ["hal"]),
    ("officer", "/pengadaan/permintaan", ["status", "hal"]),
    ("officer", "/pengadaan/sp", ["status", "hal"]),
    ("officer", "/pengadaan/tagihan", ["status", "hal"]),
    ("officer", "/pengadaan/audit", ["jenis", "dari", "sampai", "hal"]),
    ("officer", "/pengadaan/dasbor", ["tahun"]),
]
# Values looked up from the path.
PATHS = ["/produk/{}", "/toko/{}", "/kategori/{}", "/pesanan/{}", "/atur-ulang-kata-sandi/{}"]


def tables_intact(expected_products: int = 3) -> None:
    db.session.rollback()
    assert "product" in inspect(db.engine).get_table_names()
    assert db.session.scalar(select(func.count(Product.id))) == expected_products
    assert db.session.scalar(select(func.count(User.id))) >= 4


def test_search_boxes_take_metacharacters_literally(world):
    app, clients, _slugs = world
    problems = []
    for role, path, tab, probe in TEXT_SEARCHES:
        client = clients[role]
        # The box does find the seeded rows: otherwise "nothing found" would prove nothing.
        found = page_text(client.get(path, query_string={**tab, "q": probe}))
        assert any(name in found for name in SEEDED), path
        for payload in SQL_PAYLOADS:
            response = client.get(path, query_string={**tab, "q": payload})
            if response.status_code != 200:
                problems.append((path, payload, response.status_code))
            elif matched := [name for name in SEEDED if name in page_text(response)]:
                problems.append((path, payload, matched))
    assert not problems
    with app.app_context():
        tables_intact()


def test_suggestions_api_takes_metacharacters_literally(world):
    app, clients, _slugs = world
    client = clients["anonymous"]
    assert client.get("/api/saran", query_string={"q": "rengg"}).get_json()["frasa"], "no suggestion at all"
    for payload in SQL_PAYLOADS:
        response = client.get("/api/saran", query_string={"q": payload})
        assert response.status_code == 200, (payload, response.status_code)
        body = response.get_json()
        assert set(body) >= {"frasa", "penjual"}
        assert not [name for name in SEEDED if name.lower() in str(body).lower()], (payload, body)
    with app.app_context():
        tables_intact()


def test_filters_never_fail_on_metacharacters(world):
    app, clients, slugs = world
    problems = []
    for role, path, params in FILTERS:
        client = clients[role]
        path = path.format(**slugs)
        assert client.get(path, buffered=True).status_code in (200, 400), path  # the role may see the page
        for param in params:
            for payload in SQL_PAYLOADS:
                response = client.get(path, query_string={param: payload}, buffered=True)  # CSVs are streamed
                # A search page with an unreadable filter still answers with the page.
                if response.status_code not in ((200,) if path == "/cari" else (200, 400)):
                    problems.append((path, param, payload, response.status_code))
    assert not problems
    with app.app_context():
        tables_intact()


def test_values_in_the_path_are_looked_up_literally(world):
    app, clients, _slugs = world
    problems = []
    for path in PATHS:
        for client in (clients["anonymous"], clients["admin"]):
            for payload in SQL_PAYLOADS:
                response = client.get(path.format(quote(payload, safe="")))
                if response.status_code not in (302, 400, 404):
                    problems.append((path, payload, response.status_code))
    assert not problems
    with app.app_context():
        tables_intact()


def test_log_in_reset_and_registration_take_metacharacters_as_plain_text(world):
    app, _clients, _slugs = world
    client = app.test_client()
    for payload in SQL_PAYLOADS:
        login = client.post("/masuk", data={"email": payload, "password": payload})
        assert login.status_code == 200, payload
        assert client.get("/akun").status_code == 302  # not logged in as anybody
        assert client.post("/masuk", data={"email": f"margaretha@contoh.id{payload}", "password": "x"}).status_code == 200
        assert client.post("/lupa-kata-sandi", data={"email": payload}).status_code in (200, 302), payload
        assert client.post("/daftar", data={"name": payload, "email": payload, "phone": payload,
                                            "password": payload, "password_confirm": payload}).status_code == 200
    with app.app_context():
        tables_intact()
