"""The seller's delivery options page (/penjual/pengiriman): listing, adding, editing, switching
on and off, deleting, the messages for bad input, ownership (another seller's option is 404),
who may open it, and CSRF."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import DeliveryOption
from catalog.services import delivery
from catalog.services.delivery import OptionInput
from tests.conftest import csrf_token_from
from tests.factories import KOTA_TANGERANG, KOTA_TANGSEL, gen_officer, gen_seller, gen_user
from tests.integration.test_seller_dashboard import log_in, text_of
from tests.integration.test_seller_orders import quick_password_hashes  # noqa: F401 (an autouse fixture)


@pytest.fixture
def seller(app):
    seller = gen_seller(business_name="Keripik Bu Rina")
    db.session.commit()
    return seller


@pytest.fixture
def seller_client(client, seller):
    log_in(client, seller.user)
    return client


def options_of(seller) -> list[tuple]:
    db.session.expire_all()
    return [(o.kind, o.name, o.fee, o.kota_code, o.eta_days, o.active) for o in db.session.scalars(
        select(DeliveryOption).where(DeliveryOption.seller_id == seller.id).order_by(DeliveryOption.id))]


def form(**kw) -> dict:
    return {"kind": "courier", "name": "JNE Reguler", "fee": "12.000", "kota_code": KOTA_TANGSEL, "eta_days": "2",
            "active": "y", **kw}


def test_page_explains_the_three_kinds_and_lists_only_own_options(seller_client, seller):
    delivery.add_option(seller, OptionInput(kind="courier", name="SiCepat REG", fee=11_000, kota_code=KOTA_TANGERANG))
    delivery.add_option(gen_seller(), OptionInput(kind="courier", name="AnterAja Punya Orang", fee=9_000))
    response = seller_client.get("/penjual/pengiriman")
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    for expected in ("Kurir (tarif tetap per kota)", "Ambil di toko", "Antar sendiri (dalam kecamatan Anda)",
                     "Kecamatan Pamulang", "SiCepat REG", "Rp 11.000", "Kota Tangerang", "Tambah opsi pengiriman"):
        assert expected in text, expected
    assert "AnterAja Punya Orang" not in text


def test_without_options_the_page_says_pickup_is_offered(seller_client):
    text = text_of(seller_client.get("/penjual/pengiriman").get_data(as_text=True))
    assert "Belum ada opsi pengiriman" in text and "hanya bisa memilih “Ambil di toko”" in text


def test_adding_a_courier_fee(seller_client, seller):
    response = seller_client.post("/penjual/pengiriman", data=form(fee="Rp 12.500"), follow_redirects=True)
    assert "Opsi “JNE Reguler” ditambahkan." in text_of(response.get_data(as_text=True))
    assert options_of(seller) == [("courier", "JNE Reguler", 12_500, KOTA_TANGSEL, 2, True)]


def test_adding_pickup_and_own_delivery_with_default_names(seller_client, seller):
    seller_client.post("/penjual/pengiriman", data=form(kind="pickup", name="", fee="", kota_code="", eta_days="0"))
    seller_client.post("/penjual/pengiriman", data=form(kind="own", name="", fee="5.000", kota_code=""))
    assert options_of(seller) == [("pickup", "Ambil di toko", 0, None, 0, True), ("own", "Antar sendiri", 5_000, None, 2, True)]


def test_unchecked_offer_box_saves_the_option_switched_off(seller_client, seller):
    data = form()
    del data["active"]
    seller_client.post("/penjual/pengiriman", data=data)
    assert options_of(seller)[0][-1] is False


@pytest.mark.parametrize("data, message, field", [
    (form(fee="-5.000"), "Nominal tidak boleh negatif.", "fee"),
    (form(fee="20.000.000"), "Nominal terlalu besar.", "fee"),
    (form(kota_code="36.99"), "Pilih kota tujuan dari daftar", "kota_code"),
    (form(kota_code="36.74.06"), "Pilih kota tujuan dari daftar", "kota_code"),
    (form(name="x" * 61), "Nama paling banyak 60 karakter.", "name"),
    (form(eta_days="45"), "0 sampai 30", "eta_days"),
    (form(kind="kapal"), "Pilih jenis pengiriman", "kind"),
])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(seller_client, seller, data, message, field):
    response = seller_client.post("/penjual/pengiriman", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in text_of(html)
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', html), field
    assert options_of(seller) == []


def test_what_was_typed_comes_back_with_the_message(seller_client):
    html = seller_client.post("/penjual/pengiriman", data=form(name="Kurir Kilat", fee="-1")).get_data(as_text=True)
    assert 'value="Kurir Kilat"' in html and 'value="-1"' in html


def test_editing_an_option(seller_client, seller):
    option = delivery.add_option(seller, OptionInput(kind="courier", name="JNE Reguler", fee=12_000, kota_code=KOTA_TANGSEL))
    page = seller_client.get(f"/penjual/pengiriman/{option.id}").get_data(as_text=True)
    assert "Ubah “JNE Reguler”" in text_of(page) and 'value="12.000"' in page
    response = seller_client.post(f"/penjual/pengiriman/{option.id}", data=form(fee="14.000", eta_days=""))
    assert response.status_code == 302
    assert options_of(seller) == [("courier", "JNE Reguler", 14_000, KOTA_TANGSEL, None, True)]
    response = seller_client.post(f"/penjual/pengiriman/{option.id}", data=form(fee="-1"))
    assert response.status_code == 422
    assert options_of(seller)[0][2] == 14_000


def test_switching_off_and_on_and_deleting(seller_client, seller):
    option = delivery.add_option(seller, OptionInput(kind="pickup"))
    seller_client.post(f"/penjual/pengiriman/{option.id}/aktif", data={"aktif": "0"})
    assert options_of(seller)[0][-1] is False
    assert "Nonaktif" in text_of(seller_client.get("/penjual/pengiriman").get_data(as_text=True))
    seller_client.post(f"/penjual/pengiriman/{option.id}/aktif", data={"aktif": "1"})
    assert options_of(seller)[0][-1] is True
    response = seller_client.post(f"/penjual/pengiriman/{option.id}/hapus", follow_redirects=True)
    assert "“Ambil di toko” dihapus." in text_of(response.get_data(as_text=True))
    assert options_of(seller) == []


def test_a_kota_nobody_can_order_from_is_pointed_out(seller_client, seller):
    delivery.add_option(seller, OptionInput(kind="courier", name="JNE Reguler", fee=9_000, kota_code=KOTA_TANGSEL))
    text = text_of(seller_client.get("/penjual/pengiriman").get_data(as_text=True))
    assert "Pembeli dari Kabupaten Tangerang, Kota Tangerang belum punya pilihan pengiriman" in text


# --- ownership and access ------------------------------------------------------------------------

def test_another_sellers_option_is_not_found_for_every_page_and_action(seller_client):
    theirs = delivery.add_option(gen_seller(), OptionInput(kind="courier", name="JNE Reguler", fee=9_000))
    before = options_of(theirs.seller)
    assert seller_client.get(f"/penjual/pengiriman/{theirs.id}").status_code == 404
    assert seller_client.post(f"/penjual/pengiriman/{theirs.id}", data=form(fee="1")).status_code == 404
    assert seller_client.post(f"/penjual/pengiriman/{theirs.id}/aktif", data={"aktif": "0"}).status_code == 404
    assert seller_client.post(f"/penjual/pengiriman/{theirs.id}/hapus").status_code == 404
    assert seller_client.get("/penjual/pengiriman/999999").status_code == 404
    assert seller_client.get("/penjual/pengiriman/99999999999999999999").status_code == 404  # beyond an integer
    assert options_of(theirs.seller) == before


@pytest.mark.parametrize("method, path", [("get", "/penjual/pengiriman"), ("post", "/penjual/pengiriman"),
                                          ("post", "/penjual/pengiriman/{id}/hapus")])
def test_anonymous_visitors_are_sent_to_log_in(client, seller, method, path):
    option = delivery.add_option(seller, OptionInput(kind="pickup"))
    response = getattr(client, method)(path.format(id=option.id), data=form())
    assert response.status_code == 302 and urlsplit(response.location).path == "/masuk"
    assert len(options_of(seller)) == 1


@pytest.mark.parametrize("make_user", [lambda: gen_user(role="shopper"), gen_officer, lambda: gen_user(role="admin")])
def test_other_roles_get_403(client, seller, make_user):
    option = delivery.add_option(seller, OptionInput(kind="pickup"))
    user = make_user()
    db.session.commit()
    log_in(client, user)
    assert client.get("/penjual/pengiriman").status_code == 403
    assert client.post(f"/penjual/pengiriman/{option.id}/hapus").status_code == 403
    assert len(options_of(seller)) == 1


def test_adding_needs_the_pages_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        user = gen_user(email="csrf.kirim@contoh.id", role="seller")
        seller = gen_seller(user=user)
        db.session.commit()
        login_page = client.get("/masuk").get_data(as_text=True)
        client.post("/masuk", data={"email": "csrf.kirim@contoh.id", "password": "rahasia-123",
                                    "csrf_token": csrf_token_from(login_page)})
        assert client.post("/penjual/pengiriman", data=form()).status_code == 400
        assert client.post("/penjual/pengiriman", data=form(csrf_token="palsu")).status_code == 400
        assert db.session.scalar(select(func.count()).select_from(DeliveryOption)) == 0
        page = client.get("/penjual/pengiriman").get_data(as_text=True)
        token = csrf_token_from(page[page.index('id="form-opsi"'):])
        assert client.post("/penjual/pengiriman", data=form(csrf_token=token)).status_code == 302
        assert [o[1] for o in options_of(seller)] == ["JNE Reguler"]
