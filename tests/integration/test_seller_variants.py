"""A seller's product variants through the web pages, with CSRF on as in production: options and
their combinations, the grid, "set all", switching one combination off; every bad input a seller
(or a hand-edited form) can send; ownership, roles and CSRF on every variant route; and how the
listing form and the listings page treat a product with options."""

from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import Product
from catalog.models.products import InventoryLog, ProductImage, ProductOption, ProductVariant
from catalog.services import inventory
from tests.conftest import csrf_token_from
from tests.factories import gen_category, gen_officer, gen_product, gen_seller, gen_user, gen_variant_product
from tests.querycount import count_queries

TITLE = "Kemeja Batik Tulis Motif Kembang"


def text(response) -> str:
    return response.get_data(as_text=True)


# --- reading forms the way a browser submits them ---------------------------------------------------


class FormReader(HTMLParser):
    """The fields of the form posting to `action`, in page order, with the values a browser
    would send when nothing is changed (checked boxes only, the selected option)."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("action") or "").split("#")[0] == self.action
        if not self.inside:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind == "submit":
                return
            self.fields.append((attrs["name"], attrs.get("value") or ("y" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select, self._select_value, self._first_option = attrs.get("name"), None, None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                self._select_value = value

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            chosen = self._select_value if self._select_value is not None else self._first_option
            self.fields.append((self._select, chosen or ""))
            self._select = None
        elif tag == "form":
            self.inside = False


def form_fields(html: str, action: str) -> dict[str, str]:
    reader = FormReader(action)
    reader.feed(html)
    assert reader.fields, f"no form posting to {action}"
    return dict(reader.fields)


@dataclass
class Site:
    client: FlaskClient
    seller_id: int
    product_id: int
    leaf_id: int

    @property
    def page_url(self) -> str:
        return f"/penjual/produk/{self.product_id}/varian"

    def page(self) -> str:
        response = self.client.get(self.page_url)
        assert response.status_code == 200
        return text(response)

    def token(self) -> str:
        return csrf_token_from(self.page())

    def post(self, path: str, data: dict, follow: bool = False):
        return self.client.post(path, data={"csrf_token": self.token(), **data}, follow_redirects=follow)

    def save_options(self, *rows: tuple[str, str], follow: bool = True, **extra):
        data = {}
        for index, (name, values) in enumerate(rows):
            data[f"options-{index}-name"], data[f"options-{index}-values"] = name, values
        return self.post(f"{self.page_url}/opsi", {**data, "action": "save", **extra}, follow=follow)

    def grid(self) -> "Grid":
        return Grid(form_fields(self.page(), f"{self.page_url}/kombinasi"))

    def save_grid(self, grid: "Grid", follow: bool = True):
        return self.client.post(f"{self.page_url}/kombinasi", data=grid.fields, follow_redirects=follow)


class Grid:
    """The grid form as the page gave it; rows are found by their combination's label."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        labels = {v.id: v.label for v in db.session.scalars(select(ProductVariant))}
        self.index = {}
        for name, value in fields.items():
            if name.endswith("-variant_id"):
                self.index[labels[int(value)]] = name.split("-")[1]

    def set(self, label: str, **values: str) -> "Grid":
        for field, value in values.items():
            self.fields[f"rows-{self.index[label]}-{field}"] = value
        return self

    def get(self, label: str, field: str) -> str:
        return self.fields[f"rows-{self.index[label]}-{field}"]


def variants_of(product_id: int) -> dict[str, tuple]:
    """label → (price, stock, sku, weight, image, active), as committed."""
    db.session.rollback()
    rows = db.session.scalars(select(ProductVariant).where(ProductVariant.product_id == product_id)).all()
    return {v.label: (v.price, v.stock, v.sku, v.weight_grams, v.image_id, v.active) for v in rows}


def option_names(product_id: int) -> list[tuple[str, list[str]]]:
    db.session.rollback()
    options = db.session.scalars(select(ProductOption).where(ProductOption.product_id == product_id)
                                 .order_by(ProductOption.position)).all()
    return [(o.name, [v.value for v in o.values]) for o in options]


def product_row(product_id: int) -> Product:
    db.session.rollback()
    return db.session.get(Product, product_id)


def snapshot(product_id: int):
    product = product_row(product_id)
    return (option_names(product_id), variants_of(product_id), product.price, product.price_max, product.stock)


SIZES = ("Ukuran", "S, M, L, XL")
COLOURS = ("Warna", "Biru, Merah")


@pytest.fixture
def site(make_app):
    """A logged-in batik seller on an app with CSRF on, with one simple product (Rp35.000,
    stock 12); the app's context stays pushed for the test."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        top = gen_category("Fashion", slug="fashion")
        leaf = gen_category("Batik", parent=top, slug="batik")
        user = gen_user(email="batik@contoh.id", role="seller", name="Pak Darto")
        seller = gen_seller(user=user, business_name="Batik Kembang")
        product = gen_product(seller=seller, category=leaf, title=TITLE, price=35000, stock=12, slug="kemeja-batik")
        db.session.commit()
        response = client.post("/masuk", data={"email": "batik@contoh.id", "password": "rahasia-123",
                                               "csrf_token": csrf_token_from(text(client.get("/masuk")))})
        assert response.status_code == 302
        yield Site(client, seller.id, product.id, leaf.id)


@pytest.fixture
def batik(site):
    """The product with Ukuran S, M, L, XL × Warna Biru, Merah, made through the page."""
    site.save_options(SIZES, COLOURS)
    return site


# --- options --------------------------------------------------------------------------------------


def test_page_of_a_simple_product_offers_three_empty_option_rows(site):
    page = site.page()
    assert "Belum ada varian" in page and "Buat kombinasi" in page
    for index in range(3):
        assert f'name="options-{index}-name"' in page and f'name="options-{index}-values"' in page
    assert "Kombinasi</h2>" not in page and "Hapus semua opsi" not in page


def test_two_options_make_eight_combinations_and_ask_for_stock_per_combination(site):
    response = site.save_options(SIZES, COLOURS)
    page = text(response)
    assert "Sekarang ada 8 kombinasi" in page
    assert "Stok sebelumnya (12) sekarang diisi per kombinasi" in page
    assert option_names(site.product_id) == [("Ukuran", ["S", "M", "L", "XL"]), ("Warna", ["Biru", "Merah"])]
    combos = variants_of(site.product_id)
    assert sorted(combos) == sorted(f"{s} / {c}" for s in "S M L XL".split() for c in ("Biru", "Merah"))
    assert {v[:2] for v in combos.values()} == {(35000, 0)}  # the old price, no stock yet
    assert product_row(site.product_id).stock == 0
    assert page.count('class="variant-row') == 8 and "M / Biru" in page


def test_an_empty_row_between_filled_ones_is_ignored(site):
    site.save_options(("Rasa", "Original, Pedas, Balado"), ("", ""), ("Berat", "100 g; 250 g"))
    assert option_names(site.product_id) == [("Rasa", ["Original", "Pedas", "Balado"]), ("Berat", ["100 g", "250 g"])]
    assert len(variants_of(site.product_id)) == 6


def test_changing_options_keeps_the_combinations_that_still_exist(batik):
    grid = batik.grid().set("M / Biru", price="40.000", stock="7", sku="KMJ-M-BIRU")
    batik.save_grid(grid)
    page = text(batik.save_options(("Ukuran", "S, M, L, XL, XXL"), ("Warna", "Biru")))
    assert "Sekarang ada 5 kombinasi" in page
    assert "1 kombinasi baru mulai dengan stok 0" in page
    assert "4 kombinasi yang tidak ada lagi dihapus" in page
    combos = variants_of(batik.product_id)
    assert sorted(combos) == ["L / Biru", "M / Biru", "S / Biru", "XL / Biru", "XXL / Biru"]
    assert combos["M / Biru"][:3] == (40000, 7, "KMJ-M-BIRU")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((SIZES, COLOURS, ("Bahan", "Katun, Sutra"), ("Lengan", "Pendek, Panjang")), "Maksimal 3 jenis opsi"),
        ((SIZES, ("Warna", "")), "Isi paling sedikit satu nilai"),
        ((SIZES, ("", "Biru, Merah")), "Nama opsi wajib diisi"),
        ((("Ukuran", "S, M, S"), COLOURS), "Nilai “S” ditulis dua kali"),
        ((SIZES, ("Warna", "Biru, biru")), "Nilai “biru” ditulis dua kali"),  # the same combination twice
        ((SIZES, ("ukuran", "Kecil, Besar")), "Nama opsi “ukuran” dipakai dua kali"),
        ((("Ukuran", ", ".join(f"U{n}" for n in range(11))), ("Warna", ", ".join(f"W{n}" for n in range(10)))),
         "Terlalu banyak kombinasi (110)"),
        ((("Ukuran" * 6, "S, M"),), "Nama opsi maksimal 30 karakter"),
    ],
)
def test_bad_options_are_refused_with_a_message_and_change_nothing(batik, rows, message):
    before = snapshot(batik.product_id)
    response = batik.save_options(*rows, follow=False)
    assert response.status_code == 200
    assert message in text(response)
    assert snapshot(batik.product_id) == before


def test_a_fourth_option_forged_into_a_simple_product_is_refused(site):
    response = site.save_options(SIZES, COLOURS, ("Bahan", "Katun"), ("Lengan", "Pendek"), follow=False)
    assert "Maksimal 3 jenis opsi" in text(response)
    assert option_names(site.product_id) == [] and variants_of(site.product_id) == {"": (35000, 12, None, None,
                                                                                          None, True)}


def test_saving_no_options_on_a_simple_product_asks_for_one(site):
    response = site.save_options(("", ""), follow=False)
    assert "Isi nama opsi dan nilainya" in text(response)
    assert len(variants_of(site.product_id)) == 1


def test_a_bad_option_row_keeps_what_was_typed(site):
    page = text(site.save_options(("Ukuran", "S, M"), ("Warna", ""), follow=False))
    assert 'value="Ukuran"' in page and 'value="S, M"' in page and 'value="Warna"' in page
    assert 'aria-invalid="true"' in page


def test_removing_every_option_needs_the_confirmation(batik):
    batik.save_grid(batik.grid().set("S / Biru", stock="3").set("M / Merah", stock="4").set("XL / Biru", price="50.000"))
    before = snapshot(batik.product_id)
    response = batik.save_options(("", ""), follow=False)
    assert "Centang “Ya, hapus semua opsi”" in text(response)
    response = batik.post(f"{batik.page_url}/opsi", {"action": "remove", "options-0-name": "Ukuran",
                                                     "options-0-values": "S, M"})
    assert "Centang “Ya, hapus semua opsi”" in text(response)
    assert snapshot(batik.product_id) == before


def test_removing_every_option_merges_the_stock_into_a_simple_product(batik):
    batik.save_grid(batik.grid().set("S / Biru", stock="3").set("M / Merah", stock="4").set("XL / Biru", price="50.000"))
    response = batik.post(f"{batik.page_url}/opsi", {"action": "remove", "remove_all": "y"})
    assert response.headers["Location"].endswith(f"/penjual/produk/{batik.product_id}")
    assert option_names(batik.product_id) == []
    assert variants_of(batik.product_id) == {"": (35000, 7, None, None, None, True)}
    page = text(batik.client.get(response.headers["Location"]))
    assert "Semua opsi dihapus" in page and "stok 7" in page
    assert 'name="price"' in page and 'name="stock"' in page  # the simple form is back


# --- the grid -------------------------------------------------------------------------------------


def test_grid_prices_stocks_and_skus_are_saved_and_the_product_follows(batik):
    grid = batik.grid()
    for label in batik.grid().index:
        size, colour = label.split(" / ")
        grid.set(label, stock="5", sku=f"KMJ-{size}-{colour[:2].upper()}")
    grid.set("XL / Biru", price="Rp50.000", stock="2").set("XL / Merah", price="50.000")
    grid.set("S / Merah", weight_grams="180")
    page = text(batik.save_grid(grid))
    assert "Kombinasi tersimpan" in page
    combos = variants_of(batik.product_id)
    assert combos["XL / Biru"][:3] == (50000, 2, "KMJ-XL-BI")
    assert combos["XL / Merah"][:2] == (50000, 5)
    assert combos["M / Biru"][:3] == (35000, 5, "KMJ-M-BI")
    assert combos["S / Merah"][3] == 180 and combos["S / Biru"][3] is None
    product = product_row(batik.product_id)
    assert (product.price, product.price_max, product.stock) == (35000, 50000, 37)
    assert "8 kombinasi" in page and "Rp 35.000" in page and "Rp 50.000" in page
    logs = db.session.scalars(select(InventoryLog).where(InventoryLog.product_id == batik.product_id)).all()
    assert len([log for log in logs if log.reason == "manual"]) == 8


def test_an_order_that_changed_stock_meanwhile_is_not_overwritten(batik):
    batik.save_grid(batik.grid().set("M / Biru", stock="10"))
    grid = batik.grid()  # the seller opens the page: M / Biru shows 10
    variant = db.session.scalars(select(ProductVariant).where(ProductVariant.product_id == batik.product_id,
                                                              ProductVariant.stock == 10)).one()
    inventory.adjust_stock(variant, -3, actor_id=None, reason=inventory.REASON_ORDER)
    db.session.commit()
    batik.save_grid(grid.set("M / Biru", price="36.000").set("L / Biru", stock="4"))  # stock field untouched
    combos = variants_of(batik.product_id)
    assert combos["M / Biru"][:2] == (36000, 7) and combos["L / Biru"][1] == 4


def test_a_variant_can_use_one_of_the_products_photos(batik):
    product = product_row(batik.product_id)
    photo = ProductImage(product=product, key="batik-biru", width=800, height=800, position=0)
    db.session.add(photo)
    db.session.commit()
    page = batik.page()
    assert ">Foto utama</option>" in page and ">Foto 1</option>" in page
    batik.save_grid(batik.grid().set("M / Biru", image_id=str(photo.id)))
    assert variants_of(batik.product_id)["M / Biru"][4] == photo.id
    assert batik.page().count(f'<option selected value="{photo.id}">') == 1  # only M / Biru uses it


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"price": "-5.000"}, "price", "Nominal tidak boleh negatif"),
        ({"price": "50"}, "price", "Harga minimal Rp100"),
        ({"price": "abc"}, "price", "Nominal tidak dikenali"),
        ({"price": "15,000"}, "price", "Gunakan titik untuk ribuan"),
        ({"price": ""}, "price", "Harga wajib diisi"),
        ({"stock": "-1"}, "stock", "Jumlah tidak boleh negatif"),
        ({"stock": ""}, "stock", "Stok wajib diisi"),
        ({"stock": "2.000.000.000"}, "stock", "Jumlah terlalu besar"),
        ({"sku": "KMJ 01!"}, "sku", "SKU hanya boleh berisi"),
        ({"sku": "K" * 41}, "sku", "SKU maksimal 40 karakter"),
        ({"weight_grams": "0"}, "weight_grams", "Berat harus antara 1 dan 1.000.000 gram"),
        ({"image_id": "OTHER"}, "image_id", "Foto tidak ditemukan"),
        ({"image_id": "999999"}, "image_id", "Foto tidak ditemukan"),
    ],
)
def test_bad_grid_input_is_refused_beside_its_row_and_nothing_is_saved(batik, changes, field, message):
    # Both products have a photo, so the grid offers one; the other product's is not for this one.
    db.session.add(ProductImage(product=product_row(batik.product_id), key="kemeja", width=800, height=800))
    other = gen_product(title="Produk Toko Lain")
    foreign = ProductImage(product=other, key="lain", width=800, height=800)
    db.session.add(foreign)
    db.session.commit()
    if changes.get("image_id") == "OTHER":
        changes = {"image_id": str(foreign.id)}
    before = snapshot(batik.product_id)
    grid = batik.grid().set("M / Biru", **changes).set("L / Merah", price="44.000", stock="9")
    response = batik.save_grid(grid, follow=False)
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "Kombinasi belum disimpan" in page and "Perbaiki 1 kombinasi" in page
    assert 'href="#varian-' in page and "M / Biru</a>:" in page
    row = page[page.index("M / Biru</span>"):]
    row = row[: row.index("</tr>")]
    assert message in row and 'aria-invalid="true"' in row  # beside the field, in its own row
    assert 'value="44.000"' in page  # the other rows keep what was typed
    assert snapshot(batik.product_id) == before


def test_every_bad_row_is_listed_at_once(batik):
    grid = batik.grid().set("S / Biru", price="abc").set("M / Merah", stock="-2").set("XL / Biru", price="10")
    page = text(batik.save_grid(grid, follow=False))
    assert "Perbaiki 3 kombinasi" in page
    for message in ("Nominal tidak dikenali", "Jumlah tidak boleh negatif", "Harga minimal Rp100"):
        assert message in page


def test_a_sku_used_twice_in_the_grid_is_refused(batik):
    before = snapshot(batik.product_id)
    grid = batik.grid().set("S / Biru", sku="KMJ-01").set("M / Biru", sku="kmj-01")
    page = text(batik.save_grid(grid, follow=False))
    assert "dipakai dua kali di daftar ini" in page
    assert snapshot(batik.product_id) == before


def test_a_sku_of_another_product_of_the_same_seller_is_refused(batik):
    db.session.rollback()
    seller_products = db.session.scalars(select(Product).where(Product.seller_id == batik.seller_id)).all()
    gen_product(seller=seller_products[0].seller, title="Selendang Batik", sku="SLD-01")
    db.session.commit()
    before = snapshot(batik.product_id)
    page = text(batik.save_grid(batik.grid().set("S / Biru", sku="sld-01"), follow=False))
    assert "SKU ini sudah dipakai produk lain di toko Anda" in page
    assert snapshot(batik.product_id) == before


def test_the_same_sku_at_another_seller_is_fine(batik):
    gen_product(title="Produk Toko Lain", sku="KMJ-01")
    db.session.commit()
    batik.save_grid(batik.grid().set("S / Biru", sku="KMJ-01"))
    assert variants_of(batik.product_id)["S / Biru"][2] == "KMJ-01"


@pytest.mark.parametrize("forged", ["other", "missing", "junk", "repeated"])
def test_a_combination_id_edited_into_the_form_is_refused(batik, forged):
    other = gen_variant_product(seller=gen_seller(), options=(("Rasa", ("Pedas",)),))
    other_variant = other.variants[0].id
    db.session.commit()
    before, other_before = snapshot(batik.product_id), snapshot(other.id)
    grid = batik.grid()
    key = f"rows-{grid.index['M / Biru']}-variant_id"
    grid.fields[key] = {"other": str(other_variant), "missing": "987654", "junk": "x1",
                        "repeated": grid.get("S / Biru", "variant_id")}[forged]
    grid.fields[key.replace("variant_id", "price")] = "1.000"
    grid.fields[key.replace("variant_id", "stock")] = "99"
    response = batik.save_grid(grid, follow=False)
    assert response.status_code == 200
    assert "Kombinasi tidak ditemukan. Muat ulang halaman lalu coba lagi." in text(response)
    assert snapshot(batik.product_id) == before and snapshot(other.id) == other_before


def test_a_grid_post_for_a_product_without_options_changes_nothing(site):
    variant_id = db.session.scalars(select(ProductVariant.id)).one()
    response = site.post(f"{site.page_url}/kombinasi", {"rows-0-variant_id": str(variant_id), "rows-0-price": "1.000",
                                                        "rows-0-stock": "1"}, follow=True)
    assert "Produk ini belum punya opsi" in text(response)
    assert variants_of(site.product_id) == {"": (35000, 12, None, None, None, True)}


# --- set all, switch off --------------------------------------------------------------------------


def test_set_all_prices_and_stocks(batik):
    page = text(batik.post(f"{batik.page_url}/semua", {"bulk_price": "Rp42.500", "bulk_stock": "6"}, follow=True))
    assert "Harga semua kombinasi aktif sekarang Rp 42.500" in page
    assert "Stok setiap kombinasi aktif sekarang 6" in page
    assert {v[:2] for v in variants_of(batik.product_id).values()} == {(42500, 6)}
    product = product_row(batik.product_id)
    assert (product.price, product.price_max, product.stock) == (42500, 42500, 48)


def test_set_all_stock_only_keeps_prices_and_skips_inactive_combinations(batik):
    batik.save_grid(batik.grid().set("XL / Biru", price="50.000"))
    off = db.session.scalars(select(ProductVariant).where(ProductVariant.product_id == batik.product_id)
                             .order_by(ProductVariant.position)).first()
    batik.post(f"{batik.page_url}/{off.id}/aktif", {"active": "0"})
    batik.post(f"{batik.page_url}/semua", {"bulk_price": "", "bulk_stock": "3"})
    combos = variants_of(batik.product_id)
    assert combos["XL / Biru"][:2] == (50000, 3) and combos["M / Merah"][:2] == (35000, 3)
    assert combos["S / Biru"][1] == 0 and combos["S / Biru"][5] is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"bulk_price": "", "bulk_stock": ""}, "Isi harga atau stok untuk semua kombinasi"),
        ({"bulk_price": "50"}, "Harga minimal Rp100"),
        ({"bulk_price": "-1"}, "Nominal tidak boleh negatif"),
        ({"bulk_stock": "-4"}, "Jumlah tidak boleh negatif"),
        ({"bulk_stock": "lima"}, "Jumlah harus berupa angka bulat"),
    ],
)
def test_bad_set_all_input_changes_nothing(batik, data, message):
    before = snapshot(batik.product_id)
    response = batik.post(f"{batik.page_url}/semua", data)
    assert response.status_code == 200 and message in text(response)
    assert text(response).count(message) == 1  # one message, not one per combination
    assert snapshot(batik.product_id) == before


def test_switching_one_combination_off_and_on_again(batik):
    batik.save_grid(batik.grid().set("XL / Merah", price="50.000", stock="4").set("S / Biru", stock="2"))
    xl = db.session.scalars(select(ProductVariant).where(ProductVariant.price == 50000)).one()
    page = text(batik.post(f"{batik.page_url}/{xl.id}/aktif", {"active": "0"}, follow=True))
    assert "Kombinasi “XL / Merah” dinonaktifkan" in page and "Nonaktif</span>" in page and "1 nonaktif" in page
    assert variants_of(batik.product_id)["XL / Merah"] == (50000, 4, None, None, None, False)
    product = product_row(batik.product_id)
    assert (product.price, product.price_max, product.stock) == (35000, 35000, 2)  # its stock stays, unoffered
    page = text(batik.post(f"{batik.page_url}/{xl.id}/aktif", {"active": "1"}, follow=True))
    assert "aktif lagi" in page
    product = product_row(batik.product_id)
    assert (product.price_max, product.stock) == (50000, 6)


def test_saving_the_grid_keeps_a_switched_off_combination_off(batik):
    first = db.session.scalars(select(ProductVariant).order_by(ProductVariant.position)).first()
    batik.post(f"{batik.page_url}/{first.id}/aktif", {"active": "0"})
    batik.save_grid(batik.grid().set("M / Biru", stock="5"))
    assert variants_of(batik.product_id)["S / Biru"][5] is False


def test_the_last_active_combination_cannot_be_switched_off(site):
    site.save_options(("Ukuran", "S, M"))
    small, medium = db.session.scalars(select(ProductVariant).order_by(ProductVariant.position)).all()
    site.post(f"{site.page_url}/{small.id}/aktif", {"active": "0"})
    page = text(site.post(f"{site.page_url}/{medium.id}/aktif", {"active": "0"}, follow=True))
    assert "Minimal satu kombinasi harus aktif" in page
    assert variants_of(site.product_id)["M"][5] is True and variants_of(site.product_id)["S"][5] is False


@pytest.mark.parametrize("which", ["other", "missing"])
def test_switching_a_combination_of_another_product_is_refused(batik, which):
    other = gen_variant_product(seller=gen_seller(), options=(("Rasa", ("Pedas", "Manis")),))
    db.session.commit()
    variant_id = other.variants[0].id if which == "other" else 987654
    before, other_before = snapshot(batik.product_id), snapshot(other.id)
    page = text(batik.post(f"{batik.page_url}/{variant_id}/aktif", {"active": "0"}, follow=True))
    assert "Kombinasi tidak ditemukan" in page
    assert snapshot(batik.product_id) == before and snapshot(other.id) == other_before


# --- the listing form and the listings page -------------------------------------------------------


def test_listing_form_of_a_simple_product_has_sku_and_a_link_to_variants(site):
    page = text(site.client.get(f"/penjual/produk/{site.product_id}"))
    assert 'name="sku"' in page and 'name="price"' in page
    assert "Tambah varian (ukuran, warna, rasa…)" in page and f'href="{site.page_url}"' in page
    new_page = text(site.client.get("/penjual/produk/baru"))
    assert 'name="sku"' in new_page and "setelah produk disimpan" in new_page


def listing_data(site, **overrides):
    data = {"title": TITLE, "category_id": str(site.leaf_id), "description": "Batik tulis.", "price": "35.000",
            "unit": "pcs", "min_order": "1", "stock": "12", "stock_seen": "12", "status": "active"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_listing_form_saves_a_sku(site):
    response = site.post(f"/penjual/produk/{site.product_id}", listing_data(site, sku="KMJ-BTK-01"))
    assert response.status_code == 302
    assert variants_of(site.product_id)[""][2] == "KMJ-BTK-01"


@pytest.mark.parametrize(("sku", "message"), [("SLD-01", "SKU ini sudah dipakai produk lain"),
                                              ("KMJ 01", "SKU hanya boleh berisi")])
def test_listing_form_refuses_a_taken_or_malformed_sku(site, sku, message):
    db.session.rollback()
    product = db.session.get(Product, site.product_id)
    gen_product(seller=product.seller, title="Selendang Batik", sku="SLD-01")
    db.session.commit()
    response = site.post(f"/penjual/produk/{site.product_id}", listing_data(site, sku=sku, title="Judul Baru Sekali"))
    assert response.status_code == 200 and message in text(response)
    assert product_row(site.product_id).title == TITLE and variants_of(site.product_id)[""][2] is None


def test_listing_form_of_a_product_with_options_shows_a_summary_instead_of_price_and_stock(batik):
    batik.save_grid(batik.grid().set("XL / Biru", price="50.000", stock="2").set("S / Merah", stock="40"))
    page = text(batik.client.get(f"/penjual/produk/{batik.product_id}"))
    assert 'name="price"' not in page and 'name="stock"' not in page and 'name="sku"' not in page
    assert "8 kombinasi" in page and "Rp 35.000" in page and "Rp 50.000" in page and "stok 42" in page
    assert f'href="{batik.page_url}"' in page and "Buka halaman Varian" in page
    assert "Tambah varian" not in page


def test_saving_the_listing_form_of_a_product_with_options_keeps_its_variants(batik):
    batik.save_grid(batik.grid().set("XL / Biru", price="50.000", stock="2"))
    before = variants_of(batik.product_id)
    response = batik.post(f"/penjual/produk/{batik.product_id}",
                          listing_data(batik, title="Kemeja Batik Tulis Kembang Biru", price=None, stock=None,
                                       stock_seen=None, weight_grams="300"))
    assert response.status_code == 302
    product = product_row(batik.product_id)
    assert (product.title, product.weight_grams, product.price_max, product.stock) == (
        "Kemeja Batik Tulis Kembang Biru", 300, 50000, 2)
    assert variants_of(batik.product_id) == before


def test_a_forged_price_and_stock_on_the_listing_form_of_a_product_with_options_are_ignored(batik):
    before = variants_of(batik.product_id)
    response = batik.post(f"/penjual/produk/{batik.product_id}", listing_data(batik, price="1.000", stock="999",
                                                                              sku="PALSU"))
    assert response.status_code == 302
    assert variants_of(batik.product_id) == before


def test_a_bad_listing_form_of_a_product_with_options_shows_only_its_own_problems(batik):
    response = batik.post(f"/penjual/produk/{batik.product_id}", listing_data(batik, title="Kue", min_order="0",
                                                                              price=None, stock=None))
    page = text(response)
    assert "minimal 5 karakter" in page and "Minimal pembelian paling sedikit 1" in page
    assert "Harga wajib diisi" not in page and "Stok wajib diisi" not in page
    assert product_row(batik.product_id).title == TITLE


def test_listings_page_shows_a_price_range_and_combinations_instead_of_quick_stock(batik):
    batik.save_grid(batik.grid().set("XL / Biru", price="50.000", stock="2"))
    db.session.rollback()
    simple = gen_product(seller=db.session.get(Product, batik.product_id).seller, title="Selendang Batik Polos",
                         price=60000, stock=8)
    db.session.commit()
    page = text(batik.client.get("/penjual/produk"))
    batik_row = page[page.index(TITLE):]
    batik_row = batik_row[: batik_row.index("</li>")]
    assert "Rp 35.000" in batik_row and "Rp 50.000" in batik_row and "8 kombinasi" in batik_row
    assert f'action="/penjual/produk/{batik.product_id}/stok"' not in page
    assert f'href="{batik.page_url}"' in batik_row
    assert f'action="/penjual/produk/{simple.id}/stok"' in page  # the simple product keeps quick stock


def test_quick_stock_of_a_product_with_options_is_refused(batik):
    before = snapshot(batik.product_id)
    page = text(batik.post(f"/penjual/produk/{batik.product_id}/stok", {"stock": "50"}, follow=True))
    assert "Atur stok per kombinasi di halaman Varian" in page
    assert snapshot(batik.product_id) == before


def test_listings_page_statements_do_not_grow_with_products_with_options(app, client, auth):
    user = gen_user(email="banyak@contoh.id", role="seller")
    seller = gen_seller(user=user)
    db.session.commit()
    auth.login("banyak@contoh.id")

    def statements() -> int:
        client.get("/penjual/produk")
        with count_queries(app) as counter:
            assert client.get("/penjual/produk").status_code == 200
        return counter.count

    gen_variant_product(seller=seller)
    gen_product(seller=seller)
    db.session.commit()
    few = statements()
    for _ in range(6):
        gen_variant_product(seller=seller)
        gen_product(seller=seller)
    db.session.commit()
    assert statements() == few <= 9


# --- who may do what ------------------------------------------------------------------------------

VARIANT_ROUTES = [
    ("get", "/penjual/produk/{id}/varian"),
    ("post", "/penjual/produk/{id}/varian/opsi"),
    ("post", "/penjual/produk/{id}/varian/kombinasi"),
    ("post", "/penjual/produk/{id}/varian/semua"),
    ("post", "/penjual/produk/{id}/varian/{variant}/aktif"),
]


@pytest.mark.parametrize(("method", "path"), VARIANT_ROUTES)
def test_another_sellers_product_answers_404_and_is_untouched(site, method, path):
    other = gen_variant_product(seller=gen_seller(), options=(("Rasa", ("Pedas", "Manis")),), price=20000, stock=4)
    db.session.commit()
    variant = other.variants[0]
    before = snapshot(other.id)
    data = {"csrf_token": site.token(), "options-0-name": "Ukuran", "options-0-values": "S", "action": "save",
            "rows-0-variant_id": str(variant.id), "rows-0-price": "1.000", "rows-0-stock": "0",
            "bulk_price": "1.000", "bulk_stock": "0", "active": "0", "remove_all": "y"}
    url = path.format(id=other.id, variant=variant.id)
    response = site.client.get(url) if method == "get" else site.client.post(url, data=data)
    assert response.status_code == 404
    assert snapshot(other.id) == before


@pytest.mark.parametrize("path", [path for method, path in VARIANT_ROUTES if method == "post"])
def test_posts_without_a_csrf_token_are_refused(batik, path):
    variant = db.session.scalars(select(ProductVariant)).first()
    before = snapshot(batik.product_id)
    response = batik.client.post(path.format(id=batik.product_id, variant=variant.id), data={
        "options-0-name": "Warna", "options-0-values": "Hijau", "action": "remove", "remove_all": "y",
        "bulk_price": "1.000", "bulk_stock": "0", "active": "0", "csrf_token": "palsu"})
    assert response.status_code == 400
    assert snapshot(batik.product_id) == before


@pytest.mark.parametrize("role", ["shopper", "officer"])
@pytest.mark.parametrize(("method", "path"), VARIANT_ROUTES)
def test_shoppers_and_officers_get_403(client, auth, role, method, path):
    product = gen_variant_product(options=(("Rasa", ("Pedas",)),))
    if role == "officer":
        gen_officer(email="petugas@contoh.id")
    else:
        gen_user(email="petugas@contoh.id")
    db.session.commit()
    auth.login("petugas@contoh.id")
    url = path.format(id=product.id, variant=product.variants[0].id)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize(("method", "path"), VARIANT_ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(client, method, path):
    product = gen_variant_product(options=(("Rasa", ("Pedas",)),))
    db.session.commit()
    response = getattr(client, method)(path.format(id=product.id, variant=product.variants[0].id))
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]

