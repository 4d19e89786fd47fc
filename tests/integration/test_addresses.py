"""The address book (/akun/alamat) through real form posts: add, edit, delete, choose the
default; the region lists without JavaScript; bad input; another user's address answers 404."""

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import Address
from tests.conftest import csrf_token_from
from tests.factories import KEC_PAMULANG, KEC_SERPONG, KOTA_TANGERANG, KOTA_TANGSEL, gen_address, gen_user

KEL_BENDA_BARU = "36.74.06.1002"  # in Pamulang


def text(response) -> str:
    return response.get_data(as_text=True)


def stored(user_id: int) -> list[Address]:
    db.session.rollback()
    db.session.expire_all()
    return list(db.session.scalars(select(Address).where(Address.user_id == user_id).order_by(Address.id)))


def form(**overrides) -> dict:
    data = {"recipient": "Rina Wati", "phone": "0812 3456 7890", "kota": KOTA_TANGSEL, "kecamatan": KEC_PAMULANG,
            "kelurahan": KEL_BENDA_BARU, "detail": "Jl. Merpati Raya No. 12, RT 03/RW 07", "postal_code": "15416",
            "label": "Rumah"}
    data.update(overrides)
    return data


@pytest.fixture
def rina(app, auth):
    user = gen_user(email="rina@contoh.id", name="Rina")
    db.session.commit()
    assert auth.login("rina@contoh.id").status_code == 302
    return user


def test_the_address_book_needs_a_login(client):
    response = client.get("/akun/alamat")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    assert client.post("/akun/alamat/baru", data=form()).status_code == 302
    assert db.session.scalar(select(func.count(Address.id))) == 0


def test_adding_an_address(client, rina):
    page = text(client.get("/akun/alamat"))
    assert "Belum ada alamat pengiriman." in page
    page = text(client.get("/akun/alamat/baru"))
    assert 'data-region-api="/api/wilayah"' in page and "region-select.js" in page
    response = client.post("/akun/alamat/baru", data=form())
    assert response.status_code == 302 and response.headers["Location"] == "/akun/alamat"
    [address] = stored(rina.id)
    assert (address.phone, address.kecamatan_code, address.kelurahan_code, address.is_default) == (
        "+6281234567890", KEC_PAMULANG, KEL_BENDA_BARU, True)
    page = text(client.get("/akun/alamat"))
    assert "Alamat tersimpan." in page
    assert "Rina Wati" in page and "Benda Baru" in page and "Kec. Pamulang" in page and "Kota Tangerang Selatan" in page


def test_the_region_lists_fill_without_javascript(client, rina):
    page = text(client.post("/akun/alamat/baru", data=form(kecamatan="", kelurahan="", pilih="pilih-kota")))
    assert f'<option value="{KEC_PAMULANG}">Pamulang</option>' in page
    assert "Wajib" not in page and "wajib diisi" not in page  # a refresh is not a submission
    page = text(client.post("/akun/alamat/baru", data=form(kelurahan="", pilih="pilih-kecamatan")))
    assert f'<option value="{KEL_BENDA_BARU}">Benda Baru</option>' in page
    assert stored(rina.id) == []


@pytest.mark.parametrize("overrides, message", [
    ({"recipient": ""}, "Nama penerima wajib diisi."),
    ({"phone": "021 7412345"}, "Nomor HP penerima harus nomor HP Indonesia"),
    ({"phone": "halo"}, "Nomor HP penerima harus nomor HP Indonesia"),
    ({"kota": ""}, "Pilih kota atau kabupaten."),
    ({"kota": "31.71", "kecamatan": "31.71.01", "kelurahan": ""}, "Pilih kota atau kabupaten dari daftar."),
    ({"kota": KOTA_TANGERANG}, "Kecamatan yang dipilih tidak ada di Kota Tangerang."),
    ({"kecamatan": KEC_SERPONG}, "Kelurahan/desa yang dipilih tidak ada di Kecamatan Serpong."),
    ({"detail": ""}, "Alamat lengkap wajib diisi"),
    ({"postal_code": "154"}, "Kode pos harus 5 angka"),
    ({"label": "x" * 41}, "Paling banyak 40 karakter."),
])
def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(client, rina, overrides, message):
    response = client.post("/akun/alamat/baru", data=form(**overrides))
    assert response.status_code == 200
    assert message in text(response)
    assert stored(rina.id) == []


def test_editing_deleting_and_choosing_the_default(client, rina):
    home = gen_address(rina, is_default=True)
    office = gen_address(rina, label="Kantor", kecamatan=KEC_SERPONG)
    db.session.commit()
    page = text(client.get(f"/akun/alamat/{office.id}"))
    assert 'value="Kantor"' in page
    response = client.post(f"/akun/alamat/{office.id}", data=form(label="Kantor Baru", detail="Jl. Pahlawan 3"))
    assert response.status_code == 302
    assert [a.label for a in stored(rina.id)] == ["Rumah", "Kantor Baru"]
    client.post(f"/akun/alamat/{office.id}/utama")
    assert [(a.id, a.is_default) for a in stored(rina.id)] == [(home.id, False), (office.id, True)]
    page = text(client.post(f"/akun/alamat/{office.id}/hapus", follow_redirects=True))
    assert "Alamat dihapus." in page
    assert [(a.id, a.is_default) for a in stored(rina.id)] == [(home.id, True)]


@pytest.mark.parametrize("method, path", [
    ("get", "/akun/alamat/{id}"),
    ("post", "/akun/alamat/{id}"),
    ("post", "/akun/alamat/{id}/hapus"),
    ("post", "/akun/alamat/{id}/utama"),
])
def test_another_users_address_is_not_found(client, rina, method, path):
    stranger = gen_user()
    theirs = gen_address(stranger, recipient="Orang Lain", is_default=False)
    db.session.commit()
    response = getattr(client, method)(path.format(id=theirs.id), data=form(recipient="Diubah"))
    assert response.status_code == 404
    [address] = stored(stranger.id)
    assert (address.recipient, address.is_default) == ("Orang Lain", False)
    assert "Orang Lain" not in text(client.get("/akun/alamat"))


def test_an_address_added_from_checkout_returns_there_chosen(client, rina):
    page = text(client.get("/akun/alamat/baru?next=/checkout"))
    assert 'name="next" type="hidden" value="/checkout"' in page
    response = client.post("/akun/alamat/baru", data=form(next="/checkout"))
    [address] = stored(rina.id)
    assert response.headers["Location"] == f"/checkout?alamat={address.id}"
    # Anything off the site is ignored.
    response = client.post("/akun/alamat/baru", data=form(next="https://evil.example/"))
    assert response.headers["Location"] == "/akun/alamat"


def test_address_forms_need_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        user = gen_user(email="csrf@contoh.id")
        address = gen_address(user)
        db.session.commit()
        token = csrf_token_from(text(client.get("/masuk")))
        client.post("/masuk", data={"email": "csrf@contoh.id", "password": "rahasia-123", "csrf_token": token})
        assert client.post("/akun/alamat/baru", data=form()).status_code == 400
        assert client.post(f"/akun/alamat/{address.id}/hapus").status_code == 400
        assert len(stored(user.id)) == 1
        token = csrf_token_from(text(client.get("/akun/alamat/baru")))
        assert client.post("/akun/alamat/baru", data={**form(), "csrf_token": token}).status_code == 302
        assert len(stored(user.id)) == 2
