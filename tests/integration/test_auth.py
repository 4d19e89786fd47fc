"""Registration, log-in and log-out, password reset and the language switch, through real form posts."""

import hashlib
import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import User
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, gen_user

NEW_PASSWORD = "kopi-tubruk-2026"


def reload(user_id: int) -> User | None:
    """The row as committed now (ends the test's own read transaction first)."""
    db.session.rollback()
    return db.session.get(User, user_id)


def user_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(User.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


def register_data(**overrides):
    data = {
        "name": "Budi Santoso",
        "email": "budi.santoso@contoh.id",
        "phone": "0812-3456-7890",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def is_logged_in(client) -> bool:
    return client.get("/akun").status_code == 200


# --- registration ---


def test_register_creates_logged_in_shopper_with_hashed_password(client):
    response = client.post("/daftar", data=register_data(email="Budi.Santoso@Contoh.ID"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = db.session.execute(select(User).where(User.email == "budi.santoso@contoh.id")).scalar_one()
    assert user.role == "shopper"
    assert user.name == "Budi Santoso"
    assert user.phone == "+6281234567890"
    assert user.password_hash.startswith("scrypt:")
    assert NEW_PASSWORD not in user.password_hash
    assert user.check_password(NEW_PASSWORD)
    page = client.get("/akun")
    assert page.status_code == 200
    assert "budi.santoso@contoh.id" in text(page)


def test_register_shows_welcome_message(client):
    response = client.post("/daftar", data={**register_data(), "next": "/akun"}, follow_redirects=True)
    assert response.request.path == "/akun"
    assert "Akun Anda berhasil dibuat" in text(response)


def test_register_without_phone_is_fine(client):
    response = client.post("/daftar", data=register_data(phone=""))
    assert response.status_code == 302
    user = db.session.execute(select(User)).scalar_one()
    assert user.phone is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "budi-at-contoh.id"}, "Masukkan alamat email yang valid"),
        ({"email": "budi@"}, "Masukkan alamat email yang valid"),
        ({"email": ""}, "Email wajib diisi."),
        ({"email": "b" * 250 + "@contoh.id"}, "Email paling banyak 254 karakter."),
        ({"name": ""}, "Nama wajib diisi."),
        ({"name": "N" * 121}, "Nama paling banyak 120 karakter."),
        ({"phone": "0812 3456 7890 1234 5678"}, "Nomor telepon paling banyak 20 karakter."),
        ({"phone": "0812-ABCD-789"}, "Nomor telepon hanya boleh berisi angka dan tanda +."),
        ({"phone": "12345"}, "Nomor telepon tidak valid."),
        ({"password": "kopi-1", "password_confirm": "kopi-1"}, "Kata sandi minimal 8 karakter."),
        ({"password": "k" * 129, "password_confirm": "k" * 129}, "Kata sandi paling banyak 128 karakter."),
        ({"password": "081234567890", "password_confirm": "081234567890"},
         "Kata sandi tidak boleh hanya berisi angka."),
        ({"password": "Password", "password_confirm": "Password"}, "Kata sandi ini terlalu umum"),
        ({"password": "qwerty123", "password_confirm": "qwerty123"}, "Kata sandi ini terlalu umum"),
        ({"password": "KatalogUMKM", "password_confirm": "KatalogUMKM"}, "Kata sandi ini terlalu umum"),
        ({"password": "budi.santoso", "password_confirm": "budi.santoso"},
         "Kata sandi tidak boleh sama dengan alamat email Anda."),
        ({"password_confirm": "kopi-tubruk-2025"}, "Konfirmasi kata sandi tidak sama."),
    ],
    ids=[
        "email-no-at", "email-no-domain", "email-empty", "email-too-long", "name-empty", "name-too-long",
        "phone-too-long", "phone-letters", "phone-invalid", "password-short", "password-too-long",
        "password-only-digits", "password-common", "password-common-2", "password-site-name",
        "password-is-email", "password-mismatch",
    ],
)
def test_register_bad_input_shows_message_keeps_fields_and_creates_nothing(client, overrides, message):
    data = register_data(**overrides)

    response = client.post("/daftar", data=data)

    assert response.status_code == 200
    html = text(response)
    assert message in html
    # Whatever was typed in the other fields is still there (passwords are never echoed back).
    for field in ("name", "email", "phone"):
        if field not in overrides and data[field]:
            assert f'value="{data[field]}"' in html
    assert NEW_PASSWORD not in html
    assert user_count() == 0
    assert not is_logged_in(client)


def test_register_with_existing_email_in_other_case_is_refused(client):
    gen_user(email="siti.rahma@contoh.id", name="Siti Rahma")
    db.session.commit()

    response = client.post("/daftar", data=register_data(email="Siti.Rahma@Contoh.ID", name="Siti Lain"))

    assert response.status_code == 200
    html = text(response)
    assert "Email ini sudah terdaftar." in html
    assert 'value="Siti Lain"' in html
    assert 'value="Siti.Rahma@Contoh.ID"' in html
    assert user_count() == 1
    assert reload(db.session.execute(select(User.id)).scalar_one()).name == "Siti Rahma"


def test_register_page_links_to_login(client):
    html = text(client.get("/daftar"))
    assert 'href="/masuk"' in html
    assert '<label for="email">' in html


def test_logged_in_user_is_sent_home_from_register(client, auth):
    gen_user(email="ani@contoh.id")
    db.session.commit()
    auth.login("ani@contoh.id")
    response = client.get("/daftar")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- CSRF on the account forms: a readable message on the form, not a bare 400 page ---
# These tests build their own app (CSRF on) and push its context only around database work.


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def csrf_client(csrf_app):
    return csrf_app.test_client()


def add_user(app, **kwargs) -> int:
    with app.app_context():
        user = gen_user(**kwargs)
        db.session.commit()
        return user.id


def count_users(app) -> int:
    with app.app_context():
        return user_count()


@pytest.mark.parametrize("token", [None, "forged-token", "IjAwMDAwMDAwIg.ZZZZZZ.forgedsignature"],
                         ids=["missing", "garbage", "forged"])
def test_register_without_valid_csrf_token_shows_message_and_creates_nothing(csrf_app, csrf_client, token):
    csrf_client.get("/daftar")
    data = register_data()
    if token is not None:
        data["csrf_token"] = token

    response = csrf_client.post("/daftar", data=data)

    assert response.status_code == 200
    html = text(response)
    assert "Formulir sudah kedaluwarsa atau tidak sah. Silakan kirim ulang." in html
    assert 'value="Budi Santoso"' in html
    assert 'value="budi.santoso@contoh.id"' in html
    assert count_users(csrf_app) == 0


def test_register_with_real_csrf_token_works(csrf_app, csrf_client):
    token = csrf_token_from(text(csrf_client.get("/daftar")))

    response = csrf_client.post("/daftar", data={**register_data(), "csrf_token": token})

    assert response.status_code == 302
    assert count_users(csrf_app) == 1


def test_token_from_another_browser_is_refused(csrf_app, csrf_client):
    token = csrf_token_from(text(csrf_client.get("/daftar")))
    other = csrf_app.test_client()
    other.get("/daftar")

    response = other.post("/daftar", data={**register_data(), "csrf_token": token})

    assert "Formulir sudah kedaluwarsa atau tidak sah." in text(response)
    assert count_users(csrf_app) == 0


def test_login_without_csrf_token_is_refused_with_message(csrf_app, csrf_client):
    add_user(csrf_app, email="ani@contoh.id")
    csrf_client.get("/masuk")

    response = csrf_client.post("/masuk", data={"email": "ani@contoh.id", "password": PASSWORD})

    assert response.status_code == 200
    assert "Formulir sudah kedaluwarsa atau tidak sah." in text(response)
    assert 'value="ani@contoh.id"' in text(response)
    assert not is_logged_in(csrf_client)


def test_login_with_real_csrf_token_works(csrf_app, csrf_client):
    add_user(csrf_app, email="ani@contoh.id")
    token = csrf_token_from(text(csrf_client.get("/masuk")))

    response = csrf_client.post("/masuk", data={"email": "ani@contoh.id", "password": PASSWORD, "csrf_token": token})

    assert response.status_code == 302
    assert is_logged_in(csrf_client)


def test_forgot_password_without_csrf_token_sends_nothing(csrf_app, csrf_client):
    add_user(csrf_app, email="ani@contoh.id")
    csrf_client.get("/lupa-kata-sandi")

    response = csrf_client.post("/lupa-kata-sandi", data={"email": "ani@contoh.id"})

    assert "Formulir sudah kedaluwarsa atau tidak sah." in text(response)
    assert outbox(csrf_app) == []


def test_logout_stays_under_global_csrf_protection(csrf_app, csrf_client):
    add_user(csrf_app, email="ani@contoh.id")
    token = csrf_token_from(text(csrf_client.get("/masuk")))
    csrf_client.post("/masuk", data={"email": "ani@contoh.id", "password": PASSWORD, "csrf_token": token})

    refused = csrf_client.post("/keluar")
    assert refused.status_code == 400
    assert is_logged_in(csrf_client)

    accepted = csrf_client.post("/keluar", data={"csrf_token": csrf_token_from(text(csrf_client.get("/akun")))})
    assert accepted.status_code == 302
    assert not is_logged_in(csrf_client)


# --- log-in ---


def test_login_success_records_last_login_and_redirects_home(client, auth):
    user = gen_user(email="ani@contoh.id", name="Ani Lestari")
    db.session.commit()
    assert user.last_login_at is None

    response = auth.login("ANI@contoh.id ")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert reload(user.id).last_login_at is not None
    account = client.get("/akun")
    assert account.status_code == 200
    assert "Selamat datang, Ani Lestari!" in text(account)


@pytest.mark.parametrize("email,password", [("ani@contoh.id", "salah-sandi-99"), ("tidakada@contoh.id", PASSWORD)],
                         ids=["wrong-password", "unknown-email"])
def test_login_failure_shows_same_message_and_keeps_email(client, auth, email, password):
    gen_user(email="ani@contoh.id")
    db.session.commit()

    response = auth.login(email, password)

    assert response.status_code == 200
    html = text(response)
    assert "Email atau kata sandi salah." in html
    assert f'value="{email}"' in html
    assert password not in html
    assert not is_logged_in(client)


def test_login_with_empty_fields_shows_messages(client):
    response = client.post("/masuk", data={"email": "", "password": ""})
    html = text(response)
    assert "Email wajib diisi." in html
    assert "Kata sandi wajib diisi." in html


def test_login_to_deactivated_account_says_so(client, auth):
    gen_user(email="nonaktif@contoh.id", active=False)
    db.session.commit()

    response = auth.login("nonaktif@contoh.id")

    assert response.status_code == 200
    assert "Akun Anda sedang dinonaktifkan" in text(response)
    assert not is_logged_in(client)


def test_login_to_deactivated_account_with_wrong_password_reveals_nothing(client, auth):
    gen_user(email="nonaktif@contoh.id", active=False)
    db.session.commit()

    response = auth.login("nonaktif@contoh.id", "salah-sandi-99")

    assert "Email atau kata sandi salah." in text(response)
    assert "dinonaktifkan" not in text(response)


def test_remember_me_sets_a_cookie_that_logs_in_a_new_session(client, auth):
    gen_user(email="ani@contoh.id")
    db.session.commit()

    auth.login("ani@contoh.id", remember=True)

    remember = client.get_cookie("remember_token")
    assert remember is not None
    fresh = client.application.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert is_logged_in(fresh)


def test_login_without_remember_me_sets_no_remember_cookie(client, auth):
    gen_user(email="ani@contoh.id")
    db.session.commit()
    auth.login("ani@contoh.id")
    assert client.get_cookie("remember_token") is None


def test_login_goes_back_to_the_page_that_asked_for_it(client):
    gen_user(email="ani@contoh.id")
    db.session.commit()

    asked = client.get("/akun")
    assert asked.status_code == 302
    assert asked.headers["Location"].startswith("/masuk?next=")
    form_page = text(client.get(asked.headers["Location"]))
    assert 'name="next" type="hidden" value="/akun"' in form_page

    response = client.post("/masuk", data={"email": "ani@contoh.id", "password": PASSWORD, "next": "/akun"})
    assert response.headers["Location"] == "/akun"


@pytest.mark.parametrize(
    "target",
    ["//evil.com", "https://evil.com", "http://evil.com/akun", "/\\evil.com", "javascript:alert(1)", "evil.com"],
)
def test_login_refuses_open_redirects(client, auth, target):
    gen_user(email="ani@contoh.id")
    db.session.commit()

    page = text(client.get("/masuk", query_string={"next": target}))
    assert 'name="next" type="hidden" value=""' in page

    response = client.post("/masuk", query_string={"next": target},
                           data={"email": "ani@contoh.id", "password": PASSWORD, "next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logout_by_post_ends_the_session(client, auth):
    gen_user(email="ani@contoh.id")
    db.session.commit()
    auth.login("ani@contoh.id")

    assert client.get("/keluar").status_code == 405
    assert is_logged_in(client)

    response = auth.logout()
    assert response.status_code == 302
    assert not is_logged_in(client)


def test_logout_also_forgets_the_remember_me_cookie(client, auth):
    gen_user(email="ani@contoh.id")
    db.session.commit()
    auth.login("ani@contoh.id", remember=True)
    auth.logout()
    assert not is_logged_in(client)


def test_login_page_links_to_register_and_forgot_password(client):
    html = text(client.get("/masuk"))
    assert 'href="/daftar"' in html
    assert 'href="/lupa-kata-sandi"' in html
    assert '<label for="password">' in html


# --- rate limit ---


def test_login_is_rate_limited_with_indonesian_message(make_app):
    limited_app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    add_user(limited_app, email="ani@contoh.id")
    limited = limited_app.test_client()

    for _ in range(3):
        assert limited.post("/masuk", data={"email": "ani@contoh.id", "password": "salah-sandi-99"}).status_code == 200
    fourth = limited.post("/masuk", data={"email": "ani@contoh.id", "password": PASSWORD})

    assert fourth.status_code == 429
    assert "Terlalu banyak percobaan" in text(fourth)
    assert not is_logged_in(limited)
    # Looking at the form is not an attempt.
    assert limited.get("/masuk").status_code == 200


def test_forgot_password_is_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, PASSWORD_RESET_RATE_LIMIT="2 per minute").test_client()
    for _ in range(2):
        assert limited.post("/lupa-kata-sandi", data={"email": "x@contoh.id"}).status_code == 302
    third = limited.post("/lupa-kata-sandi", data={"email": "x@contoh.id"})
    assert third.status_code == 429
    assert "Terlalu banyak percobaan" in text(third)


# --- password reset ---


def outbox(app) -> list[dict]:
    return app.extensions.setdefault("mail_outbox", [])


def reset_link_from(mail: dict) -> str:
    match = re.search(r"http://localhost(/atur-ulang-kata-sandi/\S+)", mail["body"])
    assert match, mail["body"]
    return match.group(1)


def ask_reset(client, email: str):
    return client.post("/lupa-kata-sandi", data={"email": email}, follow_redirects=True)


SAME_ANSWER = "Jika email terdaftar, kami telah mengirim tautan"


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(app, client):
    gen_user(email="ani@contoh.id")
    db.session.commit()

    known = ask_reset(client, "Ani@Contoh.id")
    unknown = ask_reset(client, "tidakada@contoh.id")

    assert SAME_ANSWER in text(known)
    assert SAME_ANSWER in text(unknown)
    assert known.status_code == unknown.status_code == 200
    assert [mail["to"] for mail in outbox(app)] == ["ani@contoh.id"]


def test_forgot_password_sends_nothing_to_a_deactivated_account(app, client):
    gen_user(email="nonaktif@contoh.id", active=False)
    db.session.commit()
    assert SAME_ANSWER in text(ask_reset(client, "nonaktif@contoh.id"))
    assert outbox(app) == []


def test_forgot_password_with_invalid_email_shows_message(client):
    response = client.post("/lupa-kata-sandi", data={"email": "bukan-email"})
    assert response.status_code == 200
    assert "Masukkan alamat email yang valid" in text(response)


def test_password_reset_end_to_end(app, client, auth):
    user = gen_user(email="ani@contoh.id", name="Ani Lestari")
    db.session.commit()

    ask_reset(client, "ani@contoh.id")
    (mail,) = outbox(app)
    assert mail["subject"] == "Atur ulang kata sandi Katalog UMKM"
    assert "Halo Ani Lestari," in mail["body"]
    link = reset_link_from(mail)

    form = client.get(link)
    assert form.status_code == 200
    assert '<label for="password">' in text(form)

    done = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.headers["Location"] == "/masuk"
    assert reload(user.id).check_password(NEW_PASSWORD)

    assert "Email atau kata sandi salah." in text(auth.login("ani@contoh.id", PASSWORD))
    assert auth.login("ani@contoh.id", NEW_PASSWORD).status_code == 302
    auth.logout()

    # The link worked once; the password it belonged to is gone, so it is dead now.
    again = client.get(link)
    assert again.status_code == 400
    assert "tidak sah atau sudah pernah dipakai" in text(again)
    assert 'href="/lupa-kata-sandi"' in text(again)
    # And the user was told by email that the password changed.
    assert outbox(app)[-1]["subject"] == "Kata sandi akun Katalog UMKM Anda telah diubah"


def test_password_reset_with_weak_password_keeps_old_password_and_link(app, client):
    user = gen_user(email="ani@contoh.id")
    db.session.commit()
    ask_reset(client, "ani@contoh.id")
    link = reset_link_from(outbox(app)[0])

    response = client.post(link, data={"password": "12345678", "password_confirm": "12345678"})

    assert response.status_code == 200
    assert "Kata sandi tidak boleh hanya berisi angka." in text(response)
    assert reload(user.id).check_password(PASSWORD)
    assert client.get(link).status_code == 200


def _token_signed_at(app, user: User, seconds_ago: int) -> str:
    """A reset token exactly as the app builds it, but issued `seconds_ago` seconds in the past."""

    class PastSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds_ago

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset", signer=PastSigner)
    fingerprint = hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
    return serializer.dumps({"uid": user.id, "fp": fingerprint})


def test_expired_reset_link_says_so_and_changes_nothing(app, client):
    user = gen_user(email="ani@contoh.id")
    db.session.commit()
    token = _token_signed_at(app, user, seconds_ago=app.config["PASSWORD_RESET_MAX_AGE"] + 60)

    shown = client.get(f"/atur-ulang-kata-sandi/{token}")
    posted = client.post(f"/atur-ulang-kata-sandi/{token}",
                         data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    for response in (shown, posted):
        assert response.status_code == 400
        assert "sudah kedaluwarsa" in text(response)
        assert 'href="/lupa-kata-sandi"' in text(response)
    assert reload(user.id).check_password(PASSWORD)


def test_recent_reset_link_built_the_same_way_is_accepted(app, client):
    # Guards the expiry test above: the hand-made token is valid when it is not too old.
    user = gen_user(email="ani@contoh.id")
    db.session.commit()
    token = _token_signed_at(app, user, seconds_ago=10)
    assert client.get(f"/atur-ulang-kata-sandi/{token}").status_code == 200


def test_expiry_follows_the_configured_max_age(make_app):
    short = make_app(PASSWORD_RESET_MAX_AGE=-1)  # any token is already too old
    with short.app_context():
        gen_user(email="ani@contoh.id")
        db.session.commit()
    c = short.test_client()
    c.post("/lupa-kata-sandi", data={"email": "ani@contoh.id"})
    response = c.get(reset_link_from(outbox(short)[0]))
    assert response.status_code == 400
    assert "sudah kedaluwarsa" in text(response)


@pytest.mark.parametrize("tamper", ["flip-signature", "garbage", "other-salt"])
def test_tampered_reset_link_is_refused_without_error(app, client, tamper):
    user = gen_user(email="ani@contoh.id")
    db.session.commit()
    ask_reset(client, "ani@contoh.id")
    token = reset_link_from(outbox(app)[0]).rsplit("/", 1)[1]
    if tamper == "flip-signature":
        token = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    elif tamper == "garbage":
        token = "bukan.token.asli"
    else:
        token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something-else").dumps({"uid": user.id, "fp": "x"})

    response = client.post(f"/atur-ulang-kata-sandi/{token}",
                           data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert response.status_code == 400
    assert "Tautan atur ulang kata sandi tidak sah" in text(response)
    assert reload(user.id).check_password(PASSWORD)


# --- language ---


def test_language_switch_to_english_and_back(client):
    assert '<html lang="id">' in text(client.get("/masuk"))

    response = client.post("/bahasa", data={"lang": "en", "next": "/masuk"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk"
    assert '<html lang="en">' in text(client.get("/masuk"))

    client.post("/bahasa", data={"lang": "id", "next": "/daftar"})
    assert '<html lang="id">' in text(client.get("/daftar"))


def test_language_switch_saves_choice_on_the_account(client, auth):
    user = gen_user(email="ani@contoh.id")
    db.session.commit()
    auth.login("ani@contoh.id")

    client.post("/bahasa", data={"lang": "en", "next": "/akun"})

    assert reload(user.id).locale == "en"


@pytest.mark.parametrize("lang", ["xx", "", "en-US<script>"])
def test_language_switch_ignores_unknown_language(client, lang):
    response = client.post("/bahasa", data={"lang": lang, "next": "/masuk"})
    assert response.status_code == 302
    page = client.get("/masuk")
    assert '<html lang="id">' in text(page)


def test_language_switch_refuses_open_redirect(client):
    response = client.post("/bahasa", data={"lang": "en", "next": "https://evil.com/"})
    assert response.headers["Location"] == "/"


def test_language_switch_stays_under_global_csrf_protection(csrf_client):
    response = csrf_client.post("/bahasa", data={"lang": "en", "next": "/masuk"})
    assert response.status_code == 400
    assert '<html lang="id">' in text(csrf_client.get("/masuk"))
