"""The Dinas console's user pages: search, one account's page, deactivating (every session ends)
and reactivating, the password-reset email (the admin never sees the link), role changes with
their rules; each action's effect and audit event, 404s, 403 for non-admins and CSRF."""

import re

import pytest

from catalog.extensions import db
from catalog.models import OfficerMembership, User
from catalog.models.base import utcnow
from catalog.services import user_admin
from catalog.services.errors import InvalidTransition
from tests.admin_accounts_factories import audit_count, events, log_in, page_text
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, gen_officer, gen_product, gen_seller, gen_user

REASON = "Akun dipakai untuk penipuan menurut laporan warga."


def fresh(user_id) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


# --- search and the account page ----------------------------------------------------------------------

def test_search_by_name_or_email_with_role_and_status_filters(admin_client):
    gen_user(name="Siti Aminah", email="siti@contoh.id")
    gen_user(name="Budi Santoso", email="budi@warung.id", role="seller")
    gen_user(name="Siti Nonaktif", email="siti2@contoh.id", active=False)
    db.session.commit()
    text = page_text(admin_client.get("/admin/pengguna?q=siti"))
    assert "Siti Aminah" in text and "Siti Nonaktif" in text and "Budi Santoso" not in text
    assert "Budi Santoso" in page_text(admin_client.get("/admin/pengguna?q=warung.id"))
    sellers = page_text(admin_client.get("/admin/pengguna?peran=seller"))
    assert "Budi Santoso" in sellers and "Siti Aminah" not in sellers
    inactive = page_text(admin_client.get("/admin/pengguna?status=nonaktif"))
    assert "Siti Nonaktif" in inactive and "Siti Aminah" not in inactive
    assert admin_client.get("/admin/pengguna?peran=raja&status=x&hal=-3").status_code == 200


def test_the_list_pages(admin_client):
    for n in range(user_admin.LIST_PER_PAGE + 2):
        gen_user(name=f"Warga {n:02d}")
    db.session.commit()
    first = page_text(admin_client.get("/admin/pengguna"))
    assert "dari 28 pengguna" in first
    assert "Menampilkan 26–28" in page_text(admin_client.get("/admin/pengguna?hal=2"))


def test_the_account_page_shows_profile_last_login_and_audit_events(admin_client, admin):
    user = gen_user(name="Pak Joko", last_login_at=utcnow())
    db.session.commit()
    admin_client.post(f"/admin/pengguna/{user.id}/peran", data={"role": "seller", "reason": REASON})
    text = page_text(admin_client.get(f"/admin/pengguna/{user.id}"))
    assert "Pak Joko" in text and user.email in text and "Terakhir masuk" in text
    assert "Peran diubah" in text and REASON in text and "belum pernah" not in text


# --- deactivate / reactivate ------------------------------------------------------------------------------

def test_deactivating_ends_the_users_sessions_and_is_audited(app, admin_client, admin):
    user = gen_user(name="Pengguna Nakal")
    db.session.commit()
    token_before = user.session_token
    their_client = app.test_client()
    assert their_client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 302
    assert their_client.get("/akun").status_code == 200

    response = admin_client.post(f"/admin/pengguna/{user.id}/nonaktifkan", data={"reason": REASON})
    assert response.status_code == 302
    user = fresh(user.id)
    assert user.active is False and user.session_token != token_before
    [event] = events("user.deactivated")
    assert event.actor_id == admin.id and event.object_id == str(user.id) and event.reason == REASON
    assert event.before == {"active": True} and event.after == {"active": False}

    # The session they already had stops working, and they cannot log in again.
    assert their_client.get("/akun").status_code == 302
    assert their_client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code != 302

    response = admin_client.post(f"/admin/pengguna/{user.id}/aktifkan", data={"reason": ""})
    assert response.status_code == 302
    assert fresh(user.id).active is True
    assert len(events("user.reactivated")) == 1


def test_an_admin_cannot_deactivate_themself(admin_client, admin):
    response = admin_client.post(f"/admin/pengguna/{admin.id}/nonaktifkan", data={"reason": REASON})
    assert response.status_code == 409
    assert "tidak dapat menonaktifkan akun Anda sendiri" in page_text(response)
    assert fresh(admin.id).active is True
    assert audit_count() == 0


def test_deactivating_needs_a_reason_and_an_active_account(admin_client):
    user = gen_user()
    inactive = gen_user(active=False)
    db.session.commit()
    response = admin_client.post(f"/admin/pengguna/{user.id}/nonaktifkan", data={"reason": ""})
    assert response.status_code == 400 and "Tuliskan alasannya" in page_text(response)
    assert fresh(user.id).active is True
    again = admin_client.post(f"/admin/pengguna/{inactive.id}/nonaktifkan", data={"reason": REASON})
    assert again.status_code == 409
    assert audit_count() == 0


def test_the_last_active_admin_cannot_be_removed(app):
    only_admin = gen_user(role="admin")
    somebody = gen_user()
    db.session.commit()
    # Through the service (over HTTP the acting admin is always a second active admin).
    with pytest.raises(InvalidTransition, match="satu-satunya admin"):
        user_admin.change_role(only_admin.id, somebody.id, "shopper", REASON)
    with pytest.raises(InvalidTransition, match="satu-satunya admin"):
        user_admin.deactivate_user(only_admin.id, somebody.id, REASON)
    assert fresh(only_admin.id).role == "admin" and fresh(only_admin.id).active is True
    assert audit_count() == 0


def test_one_admin_may_demote_another_while_one_stays(admin_client, admin):
    other = gen_user(role="admin", name="Admin Kedua")
    db.session.commit()
    assert admin_client.post(f"/admin/pengguna/{other.id}/peran",
                             data={"role": "shopper", "reason": REASON}).status_code == 302
    assert fresh(other.id).role == "shopper"
    response = admin_client.post(f"/admin/pengguna/{admin.id}/peran", data={"role": "shopper", "reason": REASON})
    assert response.status_code == 409
    assert "tidak dapat mengubah peran akun Anda sendiri" in page_text(response)
    assert fresh(admin.id).role == "admin"


# --- password reset ---------------------------------------------------------------------------------------

def test_the_reset_link_is_emailed_to_the_user_never_shown_and_audited(app, admin_client, admin, client):
    user = gen_user(name="Bu Lupa", email="lupa@contoh.id")
    db.session.commit()
    outbox = app.extensions.setdefault("mail_outbox", [])
    response = admin_client.post(f"/admin/pengguna/{user.id}/reset-kata-sandi", follow_redirects=True)
    assert response.status_code == 200
    [mail] = [m for m in outbox if m["to"] == "lupa@contoh.id"]
    link = re.search(r"https?://\S+/atur-ulang-kata-sandi/(\S+)", mail["body"])
    assert link
    token = link.group(1)
    html = response.get_data(as_text=True)
    assert token not in html
    assert "lupa@contoh.id" in page_text(response)
    [event] = events("user.password_reset_sent")
    assert event.actor_id == admin.id and event.object_id == str(user.id)
    assert token not in str(event.after) and event.after["delivered"] is True
    # The emailed link is the ordinary one: it opens the reset form for a visitor.
    assert app.test_client().get(f"/atur-ulang-kata-sandi/{token}").status_code == 200


def test_no_reset_link_for_an_inactive_account(app, admin_client):
    user = gen_user(active=False)
    db.session.commit()
    outbox = app.extensions.setdefault("mail_outbox", [])
    response = admin_client.post(f"/admin/pengguna/{user.id}/reset-kata-sandi")
    assert response.status_code == 409
    assert "Akun ini nonaktif" in page_text(response)
    assert not [m for m in outbox if m["to"] == user.email]
    assert events("user.password_reset_sent") == []


# --- roles ---------------------------------------------------------------------------------------------------

def test_changing_a_role_is_audited_with_before_after_and_reason(admin_client, admin):
    user = gen_user(role="shopper")
    db.session.commit()
    response = admin_client.post(f"/admin/pengguna/{user.id}/peran", data={"role": "officer", "reason": REASON})
    assert response.status_code == 302
    assert fresh(user.id).role == "officer"
    [event] = events("user.role_changed")
    assert event.before == {"role": "shopper"} and event.after["role"] == "officer"
    assert event.reason == REASON and event.actor_id == admin.id


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"role": "raja", "reason": REASON}, 400, "Pilih peran dari daftar."),
    ({"role": "seller", "reason": ""}, 400, "Tuliskan alasannya"),
    ({"role": "seller", "reason": "singkat"}, 400, "Alasan terlalu singkat"),
    ({"role": "shopper", "reason": REASON}, 409, "sudah berperan sebagai Pembeli"),
])
def test_bad_role_changes_are_refused(admin_client, data, status, message):
    user = gen_user(role="shopper")
    db.session.commit()
    response = admin_client.post(f"/admin/pengguna/{user.id}/peran", data=data)
    assert response.status_code == status
    assert message in page_text(response)
    assert fresh(user.id).role == "shopper"
    assert audit_count() == 0


def test_a_seller_with_products_keeps_the_seller_role(admin_client):
    seller = gen_seller(business_name="Keripik Bu Sari")
    gen_product(seller=seller)
    db.session.commit()
    response = admin_client.post(f"/admin/pengguna/{seller.user.id}/peran", data={"role": "shopper", "reason": REASON})
    assert response.status_code == 409
    assert "pemilik toko Keripik Bu Sari" in page_text(response)
    assert fresh(seller.user.id).role == "seller"


def test_a_seller_without_products_or_orders_may_change_role(admin_client):
    seller = gen_seller(status="pending")
    db.session.commit()
    response = admin_client.post(f"/admin/pengguna/{seller.user.id}/peran", data={"role": "shopper", "reason": REASON})
    assert response.status_code == 302
    assert fresh(seller.user.id).role == "shopper"


def test_an_officer_who_gets_another_role_loses_the_membership(admin_client, admin):
    officer = gen_officer(name="Pak Pejabat")
    db.session.commit()
    member_id = officer.membership.id
    response = admin_client.post(f"/admin/pengguna/{officer.id}/peran",
                                 data={"role": "shopper", "reason": REASON}, follow_redirects=True)
    assert "Keanggotaannya di instansi dicabut." in page_text(response)
    db.session.expire_all()
    member = db.session.get(OfficerMembership, member_id)
    assert member.status == "rejected" and member.review_reason == REASON
    [revoked] = events("officer.revoked")
    assert revoked.agency_id == member.agency_id
    [changed] = events("user.role_changed")
    assert changed.after == {"role": "shopper", "membership_revoked": True}


# --- 404, 403, CSRF --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [
    ("get", "/admin/pengguna/99999"),
    ("post", "/admin/pengguna/99999/nonaktifkan"),
    ("post", "/admin/pengguna/99999/aktifkan"),
    ("post", "/admin/pengguna/99999/reset-kata-sandi"),
    ("post", "/admin/pengguna/99999/peran"),
])
def test_unknown_users_are_404(admin_client, method, path):
    data = {"reason": REASON, "role": "seller"}
    response = admin_client.get(path) if method == "get" else admin_client.post(path, data=data)
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["shopper", "seller", "officer"])
def test_non_admins_get_403_and_change_nothing(app, client, role):
    target = gen_user(name="Sasaran")
    user = gen_officer() if role == "officer" else (gen_seller().user if role == "seller" else gen_user(role=role))
    db.session.commit()
    log_in(client, user)
    assert client.get("/admin/pengguna").status_code == 403
    assert client.get(f"/admin/pengguna/{target.id}").status_code == 403
    assert client.post(f"/admin/pengguna/{target.id}/nonaktifkan", data={"reason": REASON}).status_code == 403
    assert client.post(f"/admin/pengguna/{user.id}/peran", data={"role": "admin", "reason": REASON}).status_code == 403
    assert fresh(target.id).active is True and fresh(user.id).role == role


def test_a_post_without_the_csrf_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = gen_user(role="admin")
        target = gen_user()
        db.session.commit()
        client = app.test_client()
        log_in(client, admin)
        assert client.post(f"/admin/pengguna/{target.id}/nonaktifkan", data={"reason": REASON}).status_code == 400
        assert client.post(f"/admin/pengguna/{target.id}/peran",
                           data={"role": "admin", "reason": REASON}).status_code == 400
        assert fresh(target.id).active is True and fresh(target.id).role == "shopper"
        token = csrf_token_from(client.get(f"/admin/pengguna/{target.id}").get_data(as_text=True))
        response = client.post(f"/admin/pengguna/{target.id}/nonaktifkan", data={"reason": REASON, "csrf_token": token})
        assert response.status_code == 302
        assert fresh(target.id).active is False
