"""The account page (/akun) and password change (/akun/kata-sandi), through real form posts."""


import pytest

from catalog.extensions import db
from catalog.models import User
from tests.conftest import AuthActions, csrf_token_from
from tests.factories import PASSWORD, gen_user

NEW_PASSWORD = "kopi-tubruk-2026"


def reload(user_id: int) -> User:
    db.session.rollback()  # end the test's read transaction: see what the requests committed
    return db.session.get(User, user_id)


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def ani(client, auth):
    """A logged-in shopper."""
    user = gen_user(email="ani@contoh.id", name="Ani Lestari", phone="+6281234567890")
    db.session.commit()
    assert auth.login("ani@contoh.id").status_code == 302
    return user


# --- account page ---


def test_account_page_needs_login(client):
    response = client.get("/akun")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk?next=")


@pytest.mark.parametrize(
    ("role", "label"),
    [("shopper", "Pembeli"), ("seller", "Penjual"), ("officer", "Petugas Pengadaan"), ("admin", "Admin Dinas")],
)
def test_account_page_shows_name_email_and_role_in_indonesian(client, auth, role, label):
    gen_user(email="pengguna@contoh.id", name="Dewi Anggraini", role=role)
    db.session.commit()
    auth.login("pengguna@contoh.id")

    html = text(client.get("/akun"))

    assert "Dewi Anggraini" in html
    assert "pengguna@contoh.id" in html
    assert label in html
    assert 'href="/akun/kata-sandi"' in html
    assert '<label for="name">' in html and '<label for="phone">' in html and '<label for="locale">' in html


def test_account_update_saves_name_phone_and_language(client, ani):
    response = client.post("/akun", data={"name": "  Ani  Lestari Putri ", "phone": "0857 1111 2222", "locale": "en"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/akun"
    user = reload(ani.id)
    assert user.name == "Ani Lestari Putri"
    assert user.phone == "+6285711112222"
    assert user.locale == "en"
    # The new language applies at once.
    assert '<html lang="en">' in text(client.get("/akun"))


def test_account_update_can_remove_phone(client, ani):
    client.post("/akun", data={"name": "Ani Lestari", "phone": "", "locale": "id"})
    assert reload(ani.id).phone is None


def test_account_update_shows_saved_message(client, ani):
    response = client.post("/akun", data={"name": "Ani L.", "phone": "", "locale": "id"}, follow_redirects=True)
    assert "Profil Anda sudah disimpan." in text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "N" * 121}, "Nama paling banyak 120 karakter."),
        ({"name": ""}, "Nama wajib diisi."),
        ({"phone": "0812-ABCD-789"}, "Nomor telepon hanya boleh berisi angka dan tanda +."),
        ({"phone": "0812 3456 7890 1234 5678"}, "Nomor telepon paling banyak 20 karakter."),
        ({"locale": "xx"}, "Bahasa yang dipilih tidak tersedia."),
    ],
    ids=["name-too-long", "name-empty", "phone-letters", "phone-too-long", "unknown-language"],
)
def test_account_bad_input_shows_message_and_changes_nothing(client, ani, data, message):
    form = {"name": "Ani Baru", "phone": "0813 0000 1111", "locale": "id", **data}

    response = client.post("/akun", data=form)

    assert response.status_code == 200
    html = text(response)
    assert message in html
    if "name" not in data:
        assert 'value="Ani Baru"' in html
    if "phone" not in data:
        assert 'value="0813 0000 1111"' in html
    user = reload(ani.id)
    assert (user.name, user.phone, user.locale) == ("Ani Lestari", "+6281234567890", "id")


def test_account_form_without_csrf_token_changes_nothing(make_app):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    with csrf_app.app_context():
        user_id = gen_user(email="ani@contoh.id", name="Ani Lestari").id
        db.session.commit()
    c = csrf_app.test_client()
    token = csrf_token_from(text(c.get("/masuk")))
    c.post("/masuk", data={"email": "ani@contoh.id", "password": PASSWORD, "csrf_token": token})

    response = c.post("/akun", data={"name": "Nama Palsu", "phone": "", "locale": "en"})

    assert response.status_code == 200
    assert "Formulir sudah kedaluwarsa atau tidak sah. Silakan kirim ulang." in text(response)
    assert 'value="Nama Palsu"' in text(response)
    with csrf_app.app_context():
        user = db.session.get(User, user_id)
        assert (user.name, user.locale) == ("Ani Lestari", "id")

    token = csrf_token_from(text(c.get("/akun")))
    saved = c.post("/akun", data={"name": "Ani Putri", "phone": "", "locale": "id", "csrf_token": token})
    assert saved.status_code == 302
    with csrf_app.app_context():
        assert db.session.get(User, user_id).name == "Ani Putri"


# --- change password ---


def change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post("/akun/kata-sandi", data={
        "current_password": current, "password": new, "password_confirm": new if confirm is None else confirm,
    })


def test_change_password_page_needs_login(client):
    response = client.get("/akun/kata-sandi")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


def test_change_password_page_has_labelled_fields(client, ani):
    html = text(client.get("/akun/kata-sandi"))
    for field in ("current_password", "password", "password_confirm"):
        assert f'<label for="{field}">' in html


def test_change_password_with_wrong_current_password_is_refused(client, ani):
    response = change(client, current="bukan-sandi-saya")

    assert response.status_code == 200
    assert "Kata sandi saat ini salah." in text(response)
    assert reload(ani.id).check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("pendek", None, "Kata sandi minimal 8 karakter."),
        ("1234567890", None, "Kata sandi tidak boleh hanya berisi angka."),
        ("katasandi", None, "Kata sandi ini terlalu umum"),
        ("ani@contoh.id", None, "Kata sandi tidak boleh sama dengan alamat email Anda."),
        (NEW_PASSWORD, "kopi-tubruk-2025", "Konfirmasi kata sandi tidak sama."),
        (PASSWORD, None, "Kata sandi baru harus berbeda dari kata sandi saat ini."),
    ],
    ids=["short", "digits", "common", "email", "mismatch", "unchanged"],
)
def test_change_password_bad_new_password_is_refused(client, ani, new, confirm, message):
    response = change(client, new=new, confirm=confirm)

    assert response.status_code == 200
    assert message in text(response)
    user = reload(ani.id)
    assert user.check_password(PASSWORD)


def test_change_password_keeps_this_session_and_logs_out_the_others(app, client, auth):
    user = gen_user(email="ani@contoh.id")
    db.session.commit()
    old_token = user.session_token

    other_browser = app.test_client()
    AuthActions(other_browser).login("ani@contoh.id")
    remembered_phone = app.test_client()
    AuthActions(remembered_phone).login("ani@contoh.id", remember=True)
    remember_cookie = remembered_phone.get_cookie("remember_token").value
    auth.login("ani@contoh.id")
    assert other_browser.get("/akun").status_code == 200

    response = change(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/akun"
    assert reload(user.id).session_token != old_token
    assert reload(user.id).check_password(NEW_PASSWORD)
    # This browser stays in, and is told what happened.
    page = client.get("/akun")
    assert page.status_code == 200
    assert "Kata sandi Anda sudah diganti." in text(page)
    # The other session is out.
    assert other_browser.get("/akun").status_code == 302
    # An old remember-me cookie on its own no longer logs anyone in.
    cookie_only = app.test_client()
    cookie_only.set_cookie("remember_token", remember_cookie)
    assert cookie_only.get("/akun").status_code == 302
    # Old password out, new password in.
    assert "Email atau kata sandi salah." in text(AuthActions(app.test_client()).login("ani@contoh.id", PASSWORD))
    assert AuthActions(app.test_client()).login("ani@contoh.id", NEW_PASSWORD).status_code == 302


def test_change_password_renews_this_browsers_remember_me_cookie(app, client, auth):
    gen_user(email="ani@contoh.id")
    db.session.commit()
    auth.login("ani@contoh.id", remember=True)
    before = client.get_cookie("remember_token").value

    change(client)

    after = client.get_cookie("remember_token")
    assert after is not None and after.value != before
    cookie_only = app.test_client()
    cookie_only.set_cookie("remember_token", after.value)
    assert cookie_only.get("/akun").status_code == 200


def test_change_password_sends_a_notice_email(app, client, ani):
    change(client)
    (mail,) = app.extensions["mail_outbox"]
    assert mail["to"] == "ani@contoh.id"
    assert mail["subject"] == "Kata sandi akun Katalog UMKM Anda telah diubah"
    assert "Ani Lestari" in mail["body"]
