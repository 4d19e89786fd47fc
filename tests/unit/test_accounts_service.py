"""services.accounts without HTTP: password rules, phone and email normalisation, credentials,
reset tokens, and the mail sender."""

import logging

import pytest

from catalog.extensions import db
from catalog.services import accounts, mail
from catalog.services.errors import ValidationFailed
from tests.factories import PASSWORD, gen_user


@pytest.fixture(autouse=True)
def request_ctx(app):
    # Messages are translated for the current request's language, so give them one.
    with app.test_request_context():
        yield


# --- password rules ---


@pytest.mark.parametrize(
    "password",
    ["kopi-tubruk-2026", "Batik Tangsel 7", "rahasia-123", "abcdefg1", "xyz" * 3, "é" * 4 + "ñ" * 4 + "1"],
)
def test_reasonable_passwords_pass(password):
    assert accounts.password_problem(password, "budi@contoh.id") is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "minimal 8 karakter"),
        ("kopi-12", "minimal 8 karakter"),
        ("a" * 129, "paling banyak 128 karakter"),
        ("12345678", "hanya berisi angka"),
        ("081234567890", "hanya berisi angka"),
        ("password", "terlalu umum"),
        ("PassWord", "terlalu umum"),
        ("qwerty123", "terlalu umum"),
        ("katasandi", "terlalu umum"),
        ("rahasia123", "terlalu umum"),
        ("admin123", "terlalu umum"),
        ("KatalogUMKM", "terlalu umum"),
        ("aaaaaaaa", "terlalu umum"),
        ("abababab", "terlalu umum"),
        ("budisantoso", "alamat email"),
        ("BudiSantoso1990", "alamat email"),
        ("budisantoso@contoh.id", "alamat email"),
    ],
)
def test_weak_passwords_are_refused(password, message):
    problem = accounts.password_problem(password, "budisantoso@contoh.id")
    assert problem is not None
    assert message in str(problem)


def test_exactly_8_and_128_characters_are_allowed():
    assert accounts.password_problem("kopi-tub", None) is None
    assert accounts.password_problem("kopi-tub" * 16, None) is None


def test_check_new_password_raises_on_the_password_field():
    with pytest.raises(ValidationFailed) as error:
        accounts.check_new_password("12345678")
    assert error.value.field == "password"


# --- phone ---


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("(021) 7456-123", "+62217456123"),
        ("6281234567890", "+6281234567890"),
        ("+6281234567890", "+6281234567890"),
        ("+62 0812 3456 7890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
        ("+60123456789", "+60123456789"),
        ("", None),
        (None, None),
        ("   ", None),
    ],
)
def test_phone_numbers_are_normalised_to_plus_62(raw, expected):
    assert accounts.normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0812abc4567", "hanya boleh berisi angka"),
        ("08-12+3456", "hanya boleh berisi angka"),
        ("++6281234567", "hanya boleh berisi angka"),
        ("12345", "tidak valid"),
        ("0812", "tidak valid"),
        ("+0812345678", "tidak valid"),
        ("1234567890", "tidak valid"),
        ("0812345678901234567890", "paling banyak 20 karakter"),
    ],
)
def test_bad_phone_numbers_are_refused(raw, message):
    with pytest.raises(ValidationFailed) as error:
        accounts.normalise_phone(raw)
    assert error.value.field == "phone"
    assert message in str(error.value.message)


# --- email ---


def test_email_is_lower_cased_and_trimmed():
    assert accounts.normalise_email("  Budi.Santoso@Contoh.ID ") == "budi.santoso@contoh.id"


@pytest.mark.parametrize("raw", ["", "budi", "budi@", "@contoh.id", "budi@contoh", "budi santoso@contoh.id",
                                 "x" * 250 + "@contoh.id"])
def test_invalid_emails_are_refused(raw):
    with pytest.raises(ValidationFailed) as error:
        accounts.normalise_email(raw)
    assert error.value.field == "email"


# --- registration and credentials ---


def test_register_user_stores_normalised_values_and_a_scrypt_hash(app):
    user = accounts.register_user(name="  Budi   Santoso ", email="Budi@Contoh.ID", password="kopi-tubruk-2026",
                                  phone="0812 3456 7890", locale="en")
    assert (user.name, user.email, user.phone, user.locale, user.role) == (
        "Budi Santoso", "budi@contoh.id", "+6281234567890", "en", "shopper")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("kopi-tubruk-2026")


def test_register_user_refuses_an_address_taken_in_another_case(app):
    gen_user(email="budi@contoh.id")
    db.session.commit()
    with pytest.raises(ValidationFailed) as error:
        accounts.register_user(name="Budi", email="BUDI@contoh.id", password="kopi-tubruk-2026")
    assert error.value.field == "email"
    assert "sudah terdaftar" in str(error.value.message)


def test_authenticate_accepts_any_case_and_records_the_login(app):
    gen_user(email="ani@contoh.id")
    db.session.commit()
    user = accounts.authenticate("ANI@Contoh.id", PASSWORD)
    assert user.email == "ani@contoh.id"
    assert user.last_login_at is not None


@pytest.mark.parametrize(("email", "password"), [("ani@contoh.id", "salah"), ("siapa@contoh.id", PASSWORD),
                                                 ("bukan email", PASSWORD), ("", "")])
def test_authenticate_refuses_with_one_message(app, email, password):
    gen_user(email="ani@contoh.id")
    db.session.commit()
    with pytest.raises(accounts.InvalidCredentials) as error:
        accounts.authenticate(email, password)
    assert str(error.value.message) == "Email atau kata sandi salah."


def test_authenticate_refuses_a_deactivated_account_only_with_the_right_password(app):
    gen_user(email="ani@contoh.id", active=False)
    db.session.commit()
    with pytest.raises(accounts.AccountInactive):
        accounts.authenticate("ani@contoh.id", PASSWORD)
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate("ani@contoh.id", "salah-sandi-99")


def test_update_profile_refusal_leaves_the_row_as_it_was(app):
    user = gen_user(email="ani@contoh.id", name="Ani", phone="+6281234567890")
    db.session.commit()
    with pytest.raises(ValidationFailed):
        accounts.update_profile(user, name="Ani Baru", phone="bukan nomor", locale="id")
    db.session.rollback()
    assert (user.name, user.phone) == ("Ani", "+6281234567890")


def test_set_locale_refuses_unknown_languages(app):
    user = gen_user()
    db.session.commit()
    with pytest.raises(ValidationFailed):
        accounts.set_locale(user, "xx")
    assert accounts.set_locale(user, "en").locale == "en"


# --- reset tokens ---


def test_reset_token_round_trip(app):
    user = gen_user()
    db.session.commit()
    assert accounts.verify_reset_token(accounts.make_reset_token(user)) is user


def test_reset_token_dies_when_the_password_changes(app):
    user = gen_user()
    db.session.commit()
    token = accounts.make_reset_token(user)
    accounts.reset_password(token, "kopi-tubruk-2026")
    with pytest.raises(accounts.InvalidResetToken):
        accounts.verify_reset_token(token)
    with pytest.raises(accounts.InvalidResetToken):
        accounts.reset_password(token, "kopi-tubruk-2027")


def test_reset_token_expires(app):
    user = gen_user()
    db.session.commit()
    token = accounts.make_reset_token(user)
    with pytest.raises(accounts.ExpiredResetToken) as error:
        accounts.verify_reset_token(token, max_age=-1)
    assert "kedaluwarsa" in str(error.value.message)


def test_reset_token_for_a_deactivated_account_is_refused(app):
    user = gen_user()
    db.session.commit()
    token = accounts.make_reset_token(user)
    user.active = False
    db.session.commit()
    with pytest.raises(accounts.InvalidResetToken):
        accounts.verify_reset_token(token)


def test_reset_token_signed_with_another_key_is_refused(app):
    user = gen_user()
    db.session.commit()
    token = accounts.make_reset_token(user)
    app.config["SECRET_KEY"] = "another-secret"
    with pytest.raises(accounts.InvalidResetToken):
        accounts.verify_reset_token(token)


# --- mail ---


def test_send_email_without_server_logs_the_whole_message_and_fills_the_outbox(app, caplog):
    with caplog.at_level(logging.INFO, logger="catalog.mail"):
        assert mail.send_email("ani@contoh.id", "Uji coba", "Isi pesan dengan tautan https://contoh.id/x")
    assert "Isi pesan dengan tautan https://contoh.id/x" in caplog.text
    assert "ani@contoh.id" in caplog.text
    assert app.extensions["mail_outbox"] == [
        {"to": "ani@contoh.id", "subject": "Uji coba", "body": "Isi pesan dengan tautan https://contoh.id/x"}
    ]


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout):
        self.calls = [("connect", host, port)]
        FakeSMTP.last = self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context):
        self.calls.append(("starttls",))

    def login(self, username, password):
        self.calls.append(("login", username, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"], message["Subject"], message.get_content()))


def test_send_email_uses_smtp_with_starttls_and_login_when_configured(app, monkeypatch):
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.contoh.id", MAIL_PORT=2525, MAIL_USE_TLS=True,
                      MAIL_USERNAME="katalog", MAIL_PASSWORD="sandi-smtp")

    assert mail.send_email("ani@contoh.id", "Subjek", "Isi")

    assert FakeSMTP.last.calls == [
        ("connect", "smtp.contoh.id", 2525),
        ("starttls",),
        ("login", "katalog", "sandi-smtp"),
        ("send", "ani@contoh.id", "Subjek", "Isi\n"),
    ]


def test_send_email_reports_an_smtp_failure_instead_of_raising(app, monkeypatch, caplog):
    class BrokenSMTP(FakeSMTP):
        def send_message(self, message):
            raise mail.smtplib.SMTPServerDisconnected("hilang")

    monkeypatch.setattr(mail.smtplib, "SMTP", BrokenSMTP)
    app.config.update(MAIL_SERVER="smtp.contoh.id", MAIL_USE_TLS=False, MAIL_USERNAME="")

    with caplog.at_level(logging.ERROR, logger="catalog.mail"):
        assert mail.send_email("ani@contoh.id", "Subjek", "Isi") is False
    assert "failed" in caplog.text
    assert ("starttls",) not in BrokenSMTP.last.calls
