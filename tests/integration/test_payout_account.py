"""The payout bank account: listed banks, digits only, the holder must be the business or its owner;
a change (not the first setting) is held 24 hours, audited with the number masked, and announced
by email and notification; the money page says when the new account applies."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import AuditEvent, Notification, Seller
from catalog.models.base import utcnow
from catalog.services import payout_account, sellers
from catalog.services.errors import ValidationFailed
from tests.conftest import csrf_token_from
from tests.factories import gen_seller
from tests.integration.test_shopper_orders import log_in, text_of

URL = "/penjual/saldo/rekening"


def fresh(seller_id) -> Seller:
    db.session.expire_all()
    return db.session.get(Seller, seller_id)


def outbox(app) -> list[dict]:
    return app.extensions.get("mail_outbox", [])


def changes(seller_id) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "seller.bank_account_changed",
                                                            AuditEvent.object_id == str(seller_id))))


@pytest.fixture
def unset(app):
    seller = gen_seller(business_name="CV Keripik Bu Sari", owner_name="Sari Wulandari")
    db.session.commit()
    return seller


@pytest.fixture
def with_account(app):
    seller = gen_seller(business_name="Keripik Bu Sari", owner_name="Sari Wulandari", bank_name="BRI",
                        bank_account_number="0123456789", bank_account_name="SARI WULANDARI")
    db.session.commit()
    return seller


def form(**overrides) -> dict:
    return {"bank": "BCA", "account_number": "8800 1122 33", "account_name": "Ibu Sari Wulandari", **overrides}


def test_first_setting_is_saved_without_a_hold_email_or_audit(app, client, unset):
    log_in(client, unset.user)
    response = client.post(URL, data=form())

    assert response.status_code == 302 and response.headers["Location"].endswith("/penjual/saldo")
    seller = fresh(unset.id)
    assert (seller.bank_name, seller.bank_account_number, seller.bank_account_name) == (
        "BCA", "8800112233", "Ibu Sari Wulandari")
    assert seller.bank_account_changed_at is None
    assert changes(seller.id) == [] and outbox(app) == []
    assert "Rekening baru berlaku mulai" not in client.get("/penjual/saldo").get_data(as_text=True)


def test_business_name_with_its_legal_form_is_accepted(app, client, unset):
    log_in(client, unset.user)
    assert client.post(URL, data=form(account_name="Keripik Bu Sari, CV.")).status_code == 302
    assert fresh(unset.id).bank_account_name == "Keripik Bu Sari, CV."


def test_a_change_is_held_24_hours_audited_masked_and_announced(app, client, with_account):
    log_in(client, with_account.user)
    before = utcnow()
    response = client.post(URL, data=form())

    assert response.status_code == 302
    seller = fresh(with_account.id)
    assert seller.bank_account_number == "8800112233"
    assert before - timedelta(seconds=1) <= seller.bank_account_changed_at <= utcnow()
    assert payout_account.held_until(seller) == seller.bank_account_changed_at + timedelta(hours=24)

    [event] = changes(seller.id)
    assert event.actor_id == seller.user_id
    assert event.before == {"bank_name": "BRI", "bank_account_number": "******6789",
                            "bank_account_name": "SARI WULANDARI"}
    assert event.after["bank_account_number"] == "******2233" and event.after["bank_name"] == "BCA"
    assert "0123456789" not in str(event.before) and "8800112233" not in str(event.after)

    [mail] = outbox(app)
    assert mail["to"] == seller.user.email and mail["subject"] == "Rekening pencairan diubah"
    assert "******2233" in mail["body"] and "8800112233" not in mail["body"]
    assert "Pencairan berikutnya ke rekening baru mulai" in mail["body"] and "segera hubungi Dinas" in mail["body"]
    note = db.session.scalar(select(Notification).where(Notification.user_id == seller.user_id))
    assert note.kind == "bank_account_changed"

    text = text_of(client.get("/penjual/saldo").get_data(as_text=True))
    assert "Rekening baru berlaku mulai" in text and "BCA ******2233" in text


def test_the_hold_ends_after_24_hours(app, with_account):
    with_account.bank_account_changed_at = utcnow() - timedelta(hours=25)
    assert payout_account.held_until(with_account) is None


def test_saving_the_same_account_again_is_not_a_change(app, client, with_account):
    log_in(client, with_account.user)
    client.post(URL, data=form(bank="BRI", account_number="0123-456-789", account_name="Sari Wulandari"))
    seller = fresh(with_account.id)
    assert seller.bank_account_changed_at is None and changes(seller.id) == [] and outbox(app) == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"account_name": "Budi Santoso"}, "account_name", "harus sama dengan nama usaha"),
        ({"account_number": "12345"}, "account_number", "6–20 digit angka"),
        ({"account_number": "0123-ABCD-99"}, "account_number", "6–20 digit angka"),
        ({"account_number": "1" * 21}, "account_number", "6–20 digit angka"),
        ({"bank": "Bank Palsu"}, "bank", "Pilih bank dari daftar."),
        ({"bank": ""}, "bank", "Pilih bank dari daftar."),
        ({"account_name": ""}, "account_name", "Nama pemilik rekening wajib diisi."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_changes(app, client, with_account, overrides, field,
                                                                   message):
    log_in(client, with_account.user)
    response = client.post(URL, data=form(**overrides))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    seller = fresh(with_account.id)
    assert (seller.bank_name, seller.bank_account_number, seller.bank_account_changed_at) == ("BRI", "0123456789", None)
    assert changes(seller.id) == [] and outbox(app) == []


def test_a_stored_bank_outside_the_list_stays_valid(app, client):
    seller = gen_seller(owner_name="Sari Wulandari", bank_name="Bank Sumut", bank_account_number="0123456789",
                        bank_account_name="Sari Wulandari")
    db.session.commit()
    log_in(client, seller.user)
    assert '<option selected value="Bank Sumut">' in client.get(URL).get_data(as_text=True)
    response = client.post(URL, data=form(bank="Bank Sumut", account_number="0123456789",
                                          account_name="SARI WULANDARI"))
    assert response.status_code == 302 and fresh(seller.id).bank_name == "Bank Sumut"


def test_the_profile_page_applies_the_same_rules(app, with_account):
    data = sellers.TaxBankData(npwp=None, is_pkp=False, bank="Mandiri", bank_other=None, account_number="1300011112222",
                               account_name="Orang Lain")
    with pytest.raises(ValidationFailed) as refused:
        sellers.save_tax_bank_step(with_account, data)
    assert refused.value.field == "account_name"
    assert fresh(with_account.id).bank_name == "BRI"

    data.account_name = "Keripik Bu Sari"
    sellers.save_tax_bank_step(fresh(with_account.id), data)
    seller = fresh(with_account.id)
    assert seller.bank_name == "Mandiri" and seller.bank_account_changed_at is not None
    assert len(changes(seller.id)) == 1


@pytest.mark.parametrize(
    ("holder", "names", "matches"),
    [
        ("SARI WULANDARI", ("Keripik Bu Sari", "Sari Wulandari"), True),
        ("Ibu Sari Wulandari, S.E.", ("x", "Sari Wulandari"), True),
        ("Sdr. Budi-Santoso", ("x", "Bapak Budi Santoso"), True),
        ("PT. Maju Jaya", ("CV Maju Jaya", "x"), True),
        ("Koperasi Serba Usaha Melati", ("Serba Usaha Melati", "x"), True),
        ("Sari", ("Keripik Bu Sari", "Sari Wulandari"), False),
        ("PT", ("PT", "x"), False),
    ],
)
def test_holder_names_are_compared_without_case_punctuation_or_titles(holder, names, matches):
    assert payout_account.holder_matches(holder, *names) is matches


def test_a_post_without_csrf_token_is_refused(make_app, with_account):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        seller = db.session.get(Seller, with_account.id)
        log_in(client, seller.user)
    page = client.get(URL).get_data(as_text=True)
    assert client.post(URL, data=form()).status_code == 400
    assert fresh(with_account.id).bank_account_number == "0123456789"
    response = client.post(URL, data={**form(), "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302 and fresh(with_account.id).bank_account_number == "8800112233"
