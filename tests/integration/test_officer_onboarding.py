"""Officer onboarding: a shopper applies at /pengadaan/daftar with agency, duty, NIP and the letter
of assignment; the Dinas confirms or rejects at /admin/petugas; the letter is for admins only; a
pending officer may browse but not buy; every bad input is refused with nothing changed."""

import io

import pytest
from sqlalchemy import func, select

from catalog import storage
from catalog.extensions import db
from catalog.models import AuditEvent, Notification, OfficerMembership, User
from catalog.models.agencies import MEMBERSHIP_CONFIRMED, MEMBERSHIP_PENDING, MEMBERSHIP_REJECTED
from catalog.services import officer_onboarding
from catalog.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from tests.conftest import csrf_token_from
from tests.console_factories import MINIMAL_PDF, VALID_NIP, jpeg_bytes, log_in, text_of
from tests.factories import gen_agency, gen_officer, gen_product, gen_seller, gen_user

REASON = "Surat tugas tidak terbaca, mohon unggah ulang."


def application(agency, **overrides) -> dict:
    data = {"agency_id": str(agency.id), "duty": "pejabat_pengadaan", "employee_number": VALID_NIP,
            "letter": (io.BytesIO(MINIMAL_PDF), "sk.pdf")}
    data.update(overrides)
    return data


def apply_via_page(client, data):
    return client.post("/pengadaan/daftar", data=data, content_type="multipart/form-data")


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.fixture
def agency(app):
    agency = gen_agency(name="Dinas Kesehatan Kota Tangerang Selatan")
    db.session.commit()
    return agency


def pending_membership(agency) -> OfficerMembership:
    shopper = gen_user(name="Budi Santoso")
    db.session.commit()
    return officer_onboarding.apply(shopper, agency.id, "ppk", VALID_NIP, MINIMAL_PDF)


# --- applying -------------------------------------------------------------------------------------

def test_a_shopper_applies_and_becomes_a_pending_officer_with_the_letter_stored(client, agency):
    shopper = gen_user(name="Budi Santoso")
    db.session.commit()
    log_in(client, shopper)
    page = client.get("/pengadaan/daftar")
    assert page.status_code == 200 and agency.name in text_of(page)

    response = apply_via_page(client, application(agency, employee_number="19850101 201001 1 001"))
    assert response.status_code == 302

    user = fresh(shopper)
    assert user.role == "officer"
    membership = user.membership
    assert membership.status == MEMBERSHIP_PENDING and membership.agency_id == agency.id
    assert membership.duty == "pejabat_pengadaan" and membership.employee_number == VALID_NIP
    assert membership.letter_kind == "pdf" and storage.exists(membership.letter_key)
    assert membership.letter_key.startswith("d/")  # the private prefix: never served by the media route
    event = events("officer.applied")[0]
    assert event.actor_id == shopper.id and event.agency_id == agency.id and event.after["status"] == "pending"

    status_page = text_of(client.get("/pengadaan/daftar"))
    assert "Menunggu konfirmasi Dinas" in status_page and "Kirim pendaftaran" not in status_page


def test_a_photo_letter_is_re_encoded_as_jpeg(app, agency):
    shopper = gen_user()
    db.session.commit()
    membership = officer_onboarding.apply(shopper, agency.id, "bendahara", VALID_NIP, jpeg_bytes())
    assert membership.letter_kind == "jpg" and storage.path_for(membership.letter_key).read_bytes()[:2] == b"\xff\xd8"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"employee_number": "12345"}, "NIP terdiri dari 18 angka"),
    ({"employee_number": "19850101201001100A"}, "NIP terdiri dari 18 angka"),
    ({"employee_number": ""}, "NIP wajib diisi"),
    ({"letter": (io.BytesIO(b"GIF89a not a letter"), "sk.gif")}, "Berkas harus berupa PDF atau foto"),
    ({"letter": (io.BytesIO(b""), "")}, "Unggah SK atau surat tugas"),
    ({"duty": "kepala"}, "Pilih tugas Anda"),
    ({"agency_id": "999999"}, "Pilih instansi dari daftar"),
    ({"agency_id": "abc"}, "Pilih instansi dari daftar"),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_changes(client, agency, overrides, message):
    shopper = gen_user()
    db.session.commit()
    log_in(client, shopper)
    files_before = sorted(storage.path_for("d/x").parent.glob("*")) if storage.path_for("d/x").parent.exists() else []
    response = apply_via_page(client, application(agency, **overrides))
    assert response.status_code == 400
    assert message in text_of(response)
    user = fresh(shopper)
    assert user.role == "shopper" and user.membership is None
    root = storage.path_for("d/x").parent
    assert (sorted(root.glob("*")) if root.exists() else []) == files_before
    assert not events("officer.applied")


def test_a_closed_agency_takes_no_new_officers(client, agency):
    closed = gen_agency(name="Kantor Lama", is_active=False)
    shopper = gen_user()
    db.session.commit()
    log_in(client, shopper)
    assert "Kantor Lama" not in text_of(client.get("/pengadaan/daftar"))
    response = apply_via_page(client, application(closed))
    assert response.status_code == 400 and "sudah tidak aktif" in text_of(response)
    assert fresh(shopper).membership is None


def test_a_seller_cannot_apply(client, agency):
    seller = gen_seller()
    db.session.commit()
    log_in(client, seller.user)
    page = client.get("/pengadaan/daftar")
    assert "Akun penjual tidak dapat didaftarkan" in text_of(page) and "Kirim pendaftaran" not in text_of(page)
    response = apply_via_page(client, application(agency))
    assert response.status_code == 403
    user = fresh(seller.user)
    assert user.role == "seller" and user.membership is None
    with pytest.raises(PermissionDenied):
        officer_onboarding.apply(user, agency.id, "ppk", VALID_NIP, MINIMAL_PDF)


def test_a_pending_officer_cannot_apply_twice(app, agency):
    membership = pending_membership(agency)
    with pytest.raises(InvalidTransition):
        officer_onboarding.apply(membership.user, agency.id, "ppk", VALID_NIP, MINIMAL_PDF)
    assert db.session.scalar(select(func.count(OfficerMembership.id))) == 1


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/pengadaan/daftar")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_the_application_needs_a_csrf_token(make_app, agency):
    app = make_app(WTF_CSRF_ENABLED=True)
    shopper = gen_user()
    db.session.commit()
    client = log_in(app.test_client(), shopper)
    response = apply_via_page(client, application(agency))
    assert response.status_code == 400
    assert fresh(shopper).membership is None
    token = csrf_token_from(client.get("/pengadaan/daftar").get_data(as_text=True))
    assert apply_via_page(client, application(agency, csrf_token=token)).status_code == 302


# --- before and after the decision --------------------------------------------------------------

def test_a_pending_officer_browses_but_cannot_buy_and_the_403_says_why(client, agency):
    product = gen_product()
    db.session.commit()
    membership = pending_membership(agency)
    log_in(client, membership.user)
    assert client.get(f"/produk/{product.slug}").status_code == 200
    refused = client.post("/pengadaan/keranjang/tambah", data={"variant_id": product.variants[0].id, "quantity": "1"})
    assert refused.status_code == 403
    assert "menunggu konfirmasi Dinas" in text_of(refused)
    assert client.get("/pengadaan/").status_code == 403


def test_confirm_lets_the_officer_use_procurement(client, agency, admin):
    membership = pending_membership(agency)
    officer = membership.user
    log_in(client, admin)
    response = client.post(f"/admin/petugas/{membership.id}/keputusan", data={"action": "confirm"})
    assert response.status_code == 302

    db.session.expire_all()
    membership = db.session.get(OfficerMembership, membership.id)
    assert membership.status == MEMBERSHIP_CONFIRMED and membership.confirmed_by_id == admin.id
    event = events("officer.confirmed")[0]
    assert event.actor_id == admin.id and event.agency_id == agency.id
    assert db.session.scalar(select(Notification).where(Notification.user_id == officer.id,
                                                        Notification.kind == "officer.confirmed"))

    officer_client = client.application.test_client()
    log_in(officer_client, fresh(officer))
    assert officer_client.get("/pengadaan/").status_code == 200


def test_reject_needs_a_reason_and_then_tells_the_officer_who_may_apply_again(client, agency, admin):
    membership = pending_membership(agency)
    old_key = membership.letter_key
    log_in(client, admin)
    missing = client.post(f"/admin/petugas/{membership.id}/keputusan", data={"action": "reject", "reason": "  "})
    assert missing.status_code == 400 and "Tuliskan alasannya" in text_of(missing)
    db.session.expire_all()
    assert db.session.get(OfficerMembership, membership.id).status == MEMBERSHIP_PENDING
    assert not events("officer.rejected")

    assert client.post(f"/admin/petugas/{membership.id}/keputusan",
                       data={"action": "reject", "reason": REASON}).status_code == 302
    db.session.expire_all()
    membership = db.session.get(OfficerMembership, membership.id)
    assert membership.status == MEMBERSHIP_REJECTED and membership.review_reason == REASON
    assert events("officer.rejected")[0].reason == REASON

    officer_client = log_in(client.application.test_client(), fresh(membership.user))
    page = text_of(officer_client.get("/pengadaan/daftar"))
    assert REASON in page and "Daftar lagi" in page
    response = apply_via_page(officer_client, application(agency, duty="bendahara",
                                                          letter=(io.BytesIO(jpeg_bytes()), "sk.jpg")))
    assert response.status_code == 302
    db.session.expire_all()
    again = db.session.get(OfficerMembership, membership.id)  # the same row, back to pending
    assert again.status == MEMBERSHIP_PENDING and again.duty == "bendahara" and again.letter_kind == "jpg"
    assert again.letter_key != old_key and not storage.exists(old_key)
    assert len(events("officer.applied")) == 2


@pytest.mark.parametrize("first", ["confirm", "reject"])
def test_a_second_decision_is_refused(client, agency, admin, first):
    membership = pending_membership(agency)
    log_in(client, admin)
    client.post(f"/admin/petugas/{membership.id}/keputusan", data={"action": first, "reason": REASON})
    for action in ("confirm", "reject"):
        response = client.post(f"/admin/petugas/{membership.id}/keputusan", data={"action": action, "reason": REASON})
        assert response.status_code == 409
        assert "sudah" in text_of(response)
    assert len(events("officer.confirmed")) + len(events("officer.rejected")) == 1
    with pytest.raises(InvalidTransition):
        officer_onboarding.confirm(membership.id, admin.id)


def test_unknown_application_is_404(client, admin):
    log_in(client, admin)
    assert client.get("/admin/petugas/999999").status_code == 404
    assert client.post("/admin/petugas/999999/keputusan", data={"action": "confirm"}).status_code == 404
    assert client.get("/admin/petugas/999999/surat").status_code == 404


def test_a_forged_action_is_refused(client, agency, admin):
    membership = pending_membership(agency)
    log_in(client, admin)
    response = client.post(f"/admin/petugas/{membership.id}/keputusan", data={"action": "verify"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(OfficerMembership, membership.id).status == MEMBERSHIP_PENDING


def test_reason_is_checked_by_the_service_too(app, agency, admin):
    membership = pending_membership(agency)
    with pytest.raises(ValidationFailed):
        officer_onboarding.reject(membership.id, admin.id, "")


def test_admin_decisions_need_a_csrf_token(make_app, agency):
    app = make_app(WTF_CSRF_ENABLED=True)
    admin = gen_user(role="admin")
    db.session.commit()
    membership = pending_membership(agency)
    client = log_in(app.test_client(), admin)
    assert client.post(f"/admin/petugas/{membership.id}/keputusan", data={"action": "confirm"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(OfficerMembership, membership.id).status == MEMBERSHIP_PENDING


# --- the letter and the queue -------------------------------------------------------------------------

def test_only_an_admin_can_open_the_letter(client, agency, admin):
    membership = pending_membership(agency)
    url = f"/admin/petugas/{membership.id}/surat"
    for user in (membership.user, gen_user(), gen_officer(agency), gen_seller().user):
        db.session.commit()
        other = log_in(client.application.test_client(), user)
        assert other.get(url).status_code == 403
    anonymous = client.application.test_client().get(url)
    assert anonymous.status_code == 302

    log_in(client, admin)
    with client.get(url) as response:
        assert response.status_code == 200 and response.data == MINIMAL_PDF
        assert response.mimetype == "application/pdf"
        assert "no-store" in response.headers["Cache-Control"]
    detail = client.get(f"/admin/petugas/{membership.id}").get_data(as_text=True)
    assert f'data="{url}"' in detail  # shown beside the application
    # The private "d/" prefix is not served by the public media route.
    assert client.application.test_client().get(f"/media/{membership.letter_key}").status_code == 404


def test_the_queue_lists_pending_applications_oldest_first_with_tabs_and_search(client, agency, admin):
    other_agency = gen_agency(name="Dinas Pendidikan")
    db.session.commit()
    first = pending_membership(agency)
    second_user = gen_user(name="Siti Aminah", email="siti@contoh.id")
    db.session.commit()
    second = officer_onboarding.apply(second_user, other_agency.id, "bendahara", VALID_NIP, MINIMAL_PDF)
    confirmed = gen_officer(agency, name="Pejabat Lama")
    db.session.commit()

    queue = officer_onboarding.officer_queue()
    assert [row.membership.id for row in queue.rows] == [first.id, second.id]
    assert queue.counts == {"menunggu": 2, "dikonfirmasi": 1, "ditolak": 0}
    assert all(row.waiting_days == 0 for row in queue.rows)

    log_in(client, admin)
    page = text_of(client.get("/admin/petugas"))
    assert "Budi Santoso" in page and "Siti Aminah" in page and "Pejabat Lama" not in page
    assert "Pejabat Lama" in text_of(client.get("/admin/petugas?status=dikonfirmasi"))
    by_agency = text_of(client.get("/admin/petugas?q=Pendidikan"))
    assert "Siti Aminah" in by_agency and "Budi Santoso" not in by_agency
    by_email = text_of(client.get("/admin/petugas?q=siti@"))
    assert "Siti Aminah" in by_email and "Budi Santoso" not in by_email
    assert client.get("/admin/petugas?status=x&hal=-3&q=%00").status_code == 200
    assert confirmed.membership.status == MEMBERSHIP_CONFIRMED
