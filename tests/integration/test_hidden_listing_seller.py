"""The seller's side of a listing the Dinas hid: the list shows a badge with the reason, the
edit page a notice; the seller may fix texts and prices but cannot change the status (not by
the form, archive, restore, copy, or a CSV import) until the Dinas restores it."""

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import Product
from catalog.services import listing_csv, listings, moderation
from catalog.services.errors import InvalidTransition
from tests.catalogue_care_factories import REASON, log_in, text_of
from tests.factories import gen_category, gen_product, gen_seller


def fresh(product_id) -> Product:
    db.session.rollback()
    return db.session.get(Product, product_id)


@pytest.fixture
def seller(app, client):
    """A verified seller, logged in, with one leaf category to list in."""
    owner = gen_seller(business_name="Warung Bu Sari")
    db.session.commit()
    log_in(client, owner.user)
    return owner


@pytest.fixture
def leaf(app):
    return gen_category("Keripik & Camilan", parent=gen_category("Makanan", slug="makanan"), slug="keripik")


@pytest.fixture
def hidden(app, seller, leaf, admin):
    """The id of the seller's active listing that the Dinas hid."""
    product = gen_product(seller=seller, category=leaf, title="Keripik Singkong Balado", price=15_000, stock=12)
    db.session.commit()
    moderation.hide_product(product.id, admin.id, REASON)
    return product.id


def edit_form(leaf, **overrides):
    data = {"title": "Keripik Singkong Balado", "category_id": str(leaf.id), "description": "Renyah.",
            "price": "15.000", "unit": "pcs", "min_order": "1", "stock": "12", "weight_grams": "250"}
    data.update(overrides)
    return data


def test_list_shows_the_badge_with_the_reason_and_no_status_actions(client, hidden):
    page = client.get("/penjual/produk").get_data(as_text=True)
    text = text_of(page)
    assert "Disembunyikan Dinas" in text and REASON in text
    assert f"/penjual/produk/{hidden}/arsipkan" not in page
    assert f"/penjual/produk/{hidden}/salin" not in page
    tab = text_of(client.get("/penjual/produk?status=disembunyikan").get_data(as_text=True))
    assert "Keripik Singkong Balado" in tab


def test_edit_page_shows_the_reason_and_only_a_save_button(client, hidden):
    page = client.get(f"/penjual/produk/{hidden}").get_data(as_text=True)
    assert "Produk ini disembunyikan oleh Dinas" in text_of(page) and REASON in text_of(page)
    assert 'name="status" value="active"' not in page
    assert "Simpan perbaikan" in text_of(page)


def test_seller_can_fix_the_listing_but_it_stays_hidden(client, hidden, leaf):
    response = client.post(f"/penjual/produk/{hidden}", data=edit_form(leaf, title="Keripik Singkong Balado Asli",
                                                                        price="16.000"))
    assert response.status_code == 302
    product = fresh(hidden)
    assert product.title == "Keripik Singkong Balado Asli" and product.price == 16_000
    assert product.status == "hidden" and product.moderation_reason == REASON


def test_a_forged_publish_from_the_edit_form_keeps_it_hidden(client, hidden, leaf):
    response = client.post(f"/penjual/produk/{hidden}", data=edit_form(leaf, status="active"))
    assert response.status_code == 302
    assert fresh(hidden).status == "hidden"


def test_a_form_with_a_bad_number_does_not_complain_about_the_status(client, hidden, leaf):
    response = client.post(f"/penjual/produk/{hidden}", data=edit_form(leaf, price="banyak"))
    assert response.status_code == 200
    assert "Status produk tidak dikenal" not in text_of(response.get_data(as_text=True))


@pytest.mark.parametrize("action", ["arsipkan", "pulihkan", "salin"])
def test_archive_restore_and_copy_are_refused_with_the_reason(client, hidden, action):
    response = client.post(f"/penjual/produk/{hidden}/{action}", follow_redirects=True)
    assert response.status_code == 200
    assert "disembunyikan oleh Dinas" in text_of(response.get_data(as_text=True))
    assert fresh(hidden).status == "hidden"
    assert db.session.scalar(select(Product).where(Product.title.like("Salinan%"))) is None


def test_services_refuse_status_changes_of_a_hidden_listing(app, hidden):
    product = fresh(hidden)
    with pytest.raises(InvalidTransition):
        listings.archive_listing(product, actor_id=None)
    with pytest.raises(InvalidTransition):
        listings.restore_listing(product, actor_id=None)
    with pytest.raises(InvalidTransition):
        listings.duplicate_listing(product, actor_id=None)
    assert fresh(hidden).status == "hidden"


def test_restored_by_the_dinas_the_seller_controls_the_status_again(client, hidden, admin):
    moderation.restore_product(hidden, admin.id)
    assert fresh(hidden).status == "active"
    assert client.post(f"/penjual/produk/{hidden}/arsipkan").status_code == 302
    assert fresh(hidden).status == "archived"


# --- the CSV round trip ------------------------------------------------------------------------------


def _rewrite_status(data: bytes, product_id: int, status: str) -> bytes:
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    header = lines[0].split(";")
    at = header.index("status")
    for i, line in enumerate(lines[1:], start=1):
        cells = line.split(";")
        if cells and cells[0] == str(product_id):
            cells[at] = status
            lines[i] = ";".join(cells)
    return "\r\n".join(lines).encode("utf-8")


def test_export_names_the_hidden_status_and_imports_back_unchanged(app, seller, hidden):
    data = listing_csv.export_listings(seller)
    assert ";disembunyikan" in data.decode("utf-8-sig")
    result = listing_csv.import_csv(seller, data, actor_id=seller.user_id)
    assert result.created == 0
    assert fresh(hidden).status == "hidden"


def test_an_import_with_an_empty_status_keeps_a_hidden_listing_hidden(app, seller, hidden):
    data = _rewrite_status(listing_csv.export_listings(seller), hidden, "")
    listing_csv.import_csv(seller, data, actor_id=seller.user_id)
    assert fresh(hidden).status == "hidden"


def test_an_import_cannot_republish_a_hidden_listing(app, seller, hidden):
    data = _rewrite_status(listing_csv.export_listings(seller), hidden, "aktif")
    with pytest.raises(listing_csv.CsvRejected) as refused:
        listing_csv.import_csv(seller, data, actor_id=seller.user_id)
    messages = " ".join(str(error.message) for error in refused.value.errors)
    assert "disembunyikan oleh Dinas" in messages and REASON in messages
    assert fresh(hidden).status == "hidden"


def test_a_new_row_cannot_be_imported_as_hidden(app, seller, leaf):
    header = ("judul;harga;stok;kategori;satuan;min_pesan;status")
    data = f"{header}\r\nKeripik Baru Sekali;15.000;5;keripik;pcs;1;disembunyikan\r\n".encode()
    with pytest.raises(listing_csv.CsvRejected):
        listing_csv.import_csv(seller, data, actor_id=seller.user_id)
    assert db.session.scalar(select(Product).where(Product.title == "Keripik Baru Sekali")) is None
