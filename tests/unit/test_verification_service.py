"""services/verification.py: the four decisions on a seller, their refusals, notifications, the
visibility signal, and the queue's read side."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import AuditEvent, Notification, Seller, SellerDocument
from catalog.models.base import utcnow
from catalog.services import verification
from catalog.services.errors import InvalidTransition, NotFound, ValidationFailed
from tests.factories import gen_seller, gen_user

REASON = "Foto dokumen NIB tidak terbaca, mohon unggah ulang."


@pytest.fixture
def admin(app):
    user = gen_user(role="admin", name="Admin Dinas Uji")
    db.session.commit()
    return user


def pending_seller(days_ago=2, **kw):
    return gen_seller(status="pending", submitted_at=utcnow() - timedelta(days=days_ago), **kw)


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def notes_for(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def outbox(app) -> list[dict]:
    return app.extensions.get("mail_outbox", [])


def fresh(seller_id) -> Seller:
    db.session.expire_all()
    return db.session.get(Seller, seller_id)


# --- verify ------------------------------------------------------------------------------------

def test_verify_sets_status_reviewer_and_dates_and_writes_the_audit_event(app, admin):
    seller = pending_seller()
    db.session.commit()

    verification.verify_seller(seller.id, admin.id)

    seller = fresh(seller.id)
    assert seller.status == "verified"
    assert seller.reviewed_by_id == admin.id
    assert seller.reviewed_at is not None and seller.verified_at is not None
    assert seller.status_reason is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "seller.verified"))
    assert event.object_type == "seller" and event.object_id == str(seller.id)
    assert event.actor_id == admin.id
    assert event.before == {"status": "pending"}
    assert event.after["status"] == "verified"


def test_verify_tells_the_seller_in_site_and_by_email_with_the_storefront_link(app, admin):
    seller = pending_seller(slug="keripik-bu-sari")
    db.session.commit()

    verification.verify_seller(seller.id, admin.id)

    [note] = notes_for(seller.user)
    assert note.title == "Toko Anda sudah terverifikasi"
    assert note.link == "/toko/keripik-bu-sari"
    assert not note.is_read
    [mail] = outbox(app)
    assert mail["to"] == seller.user.email
    assert mail["subject"] == "Toko Anda sudah terverifikasi"
    assert "/toko/keripik-bu-sari" in mail["body"]


def test_the_notice_is_written_in_the_sellers_language(app, admin):
    seller = pending_seller(user=gen_user(role="seller", locale="en"))
    db.session.commit()

    verification.verify_seller(seller.id, admin.id)

    [note] = notes_for(seller.user)
    assert note.title == "Your shop has been verified"


def test_verifying_a_seller_who_never_submitted_is_refused_and_changes_nothing(app, admin):
    seller = gen_seller(status="pending")  # the wizard is not finished: submitted_at is None
    db.session.commit()
    before = audit_count()

    with pytest.raises(InvalidTransition) as refused:
        verification.verify_seller(seller.id, admin.id)

    assert "belum mengirim pendaftaran" in str(refused.value.message)
    assert fresh(seller.id).status == "pending"
    assert fresh(seller.id).reviewed_by_id is None
    assert audit_count() == before
    assert notes_for(seller.user) == [] and outbox(app) == []


def test_verifying_an_already_verified_seller_is_refused(app, admin):
    seller = gen_seller(status="verified")
    db.session.commit()
    before = audit_count()

    with pytest.raises(InvalidTransition, match="sudah terverifikasi"):
        verification.verify_seller(seller.id, admin.id)

    assert audit_count() == before
    assert notes_for(seller.user) == []


def test_unknown_seller_is_not_found(app, admin):
    with pytest.raises(NotFound):
        verification.verify_seller(987654, admin.id)
    with pytest.raises(NotFound):
        verification.suspend_seller(987654, admin.id, REASON)


# --- reject --------------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", [None, "", "    ", "Kurang", "123456789"])
def test_reject_needs_a_reason_of_at_least_ten_characters(app, admin, reason):
    seller = pending_seller()
    db.session.commit()
    before = audit_count()

    with pytest.raises(ValidationFailed) as refused:
        verification.reject_seller(seller.id, admin.id, reason)

    assert refused.value.field == "reason"
    assert fresh(seller.id).status == "pending"
    assert audit_count() == before
    assert notes_for(seller.user) == []


def test_reject_refuses_a_reason_longer_than_the_column(app, admin):
    seller = pending_seller()
    db.session.commit()
    with pytest.raises(ValidationFailed, match="maksimal 500"):
        verification.reject_seller(seller.id, admin.id, "x" * 501)
    assert fresh(seller.id).status == "pending"


def test_reject_keeps_the_reason_and_tells_the_seller(app, admin):
    seller = pending_seller()
    db.session.commit()

    verification.reject_seller(seller.id, admin.id, "  Foto dokumen NIB   tidak terbaca  ")

    seller = fresh(seller.id)
    assert seller.status == "rejected"
    assert seller.status_reason == "Foto dokumen NIB tidak terbaca"
    assert seller.reviewed_by_id == admin.id and seller.verified_at is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "seller.rejected"))
    assert event.reason == "Foto dokumen NIB tidak terbaca"
    [note] = notes_for(seller.user)
    assert note.title == "Pendaftaran toko perlu diperbaiki"
    assert "Foto dokumen NIB tidak terbaca." in note.body
    assert note.link == "/penjual"


def test_rejecting_a_verified_seller_is_refused_with_a_pointer_to_suspension(app, admin):
    seller = gen_seller(status="verified")
    db.session.commit()
    with pytest.raises(InvalidTransition, match="bekukan"):
        verification.reject_seller(seller.id, admin.id, REASON)
    assert fresh(seller.id).status == "verified"


# --- suspend and reinstate -------------------------------------------------------------------------

def test_suspend_needs_a_reason(app, admin):
    seller = gen_seller(status="verified")
    db.session.commit()
    with pytest.raises(ValidationFailed):
        verification.suspend_seller(seller.id, admin.id, "")
    assert fresh(seller.id).status == "verified"


def test_suspend_freezes_the_seller_and_says_why(app, admin):
    seller = gen_seller(status="verified")
    db.session.commit()

    verification.suspend_seller(seller.id, admin.id, "Laporan produk palsu dari pembeli.")

    seller = fresh(seller.id)
    assert seller.status == "suspended"
    assert seller.status_reason == "Laporan produk palsu dari pembeli."
    [note] = notes_for(seller.user)
    assert note.title == "Toko Anda dibekukan sementara"
    assert "Laporan produk palsu dari pembeli." in note.body


def test_suspending_an_already_suspended_seller_is_refused_and_changes_nothing(app, admin):
    seller = gen_seller(status="suspended", status_reason="Alasan pertama yang lama.")
    db.session.commit()
    before = audit_count()

    with pytest.raises(InvalidTransition, match="sudah dibekukan"):
        verification.suspend_seller(seller.id, admin.id, REASON)

    assert fresh(seller.id).status_reason == "Alasan pertama yang lama."
    assert audit_count() == before


def test_suspending_a_pending_seller_is_refused(app, admin):
    seller = pending_seller()
    db.session.commit()
    with pytest.raises(InvalidTransition, match="sudah terverifikasi yang dapat dibekukan"):
        verification.suspend_seller(seller.id, admin.id, REASON)
    assert fresh(seller.id).status == "pending"


def test_reinstate_makes_the_seller_verified_again_and_keeps_the_first_verification_date(app, admin):
    seller = gen_seller(status="verified")
    first_verified = seller.verified_at
    db.session.commit()
    verification.suspend_seller(seller.id, admin.id, REASON)

    verification.reinstate_seller(seller.id, admin.id)

    seller = fresh(seller.id)
    assert seller.status == "verified"
    assert seller.status_reason is None
    assert abs((seller.verified_at - first_verified).total_seconds()) < 1
    titles = [n.title for n in notes_for(seller.user)]
    assert "Toko Anda aktif kembali" in titles
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["seller.suspended", "seller.verified"]


def test_reinstating_a_seller_who_is_not_suspended_is_refused(app, admin):
    seller = gen_seller(status="verified")
    db.session.commit()
    with pytest.raises(InvalidTransition, match="sudah aktif"):
        verification.reinstate_seller(seller.id, admin.id)
    pending = pending_seller()
    db.session.commit()
    with pytest.raises(InvalidTransition, match="sedang dibekukan"):
        verification.reinstate_seller(pending.id, admin.id)


# --- the hook for the search index ---------------------------------------------------------------

def test_visibility_signal_is_sent_when_a_sellers_products_appear_or_disappear(app, admin):
    received = []

    def listener(sender, **kw):
        received.append((sender, kw["seller_id"], kw["visible"]))

    seller = pending_seller()
    rejected = pending_seller()
    db.session.commit()
    with verification.seller_visibility_changed.connected_to(listener):
        verification.reject_seller(rejected.id, admin.id, REASON)  # never public: no signal
        verification.verify_seller(seller.id, admin.id)
        verification.suspend_seller(seller.id, admin.id, REASON)
        verification.reinstate_seller(seller.id, admin.id)

    assert [(sid, visible) for _sender, sid, visible in received] == [
        (seller.id, True), (seller.id, False), (seller.id, True)
    ]
    assert all(sender is app for sender, _sid, _visible in received)


def test_visibility_signal_is_not_sent_when_the_decision_is_refused(app, admin):
    received = []
    seller = gen_seller(status="suspended")
    db.session.commit()
    with verification.seller_visibility_changed.connected_to(lambda sender, **kw: received.append(kw)):
        with pytest.raises(InvalidTransition):
            verification.suspend_seller(seller.id, admin.id, REASON)
    assert received == []


# --- the queue --------------------------------------------------------------------------------------

def test_queue_lists_submitted_pending_sellers_oldest_first(app):
    newer = pending_seller(days_ago=1, business_name="Baru Masuk")
    older = pending_seller(days_ago=5, business_name="Lama Menunggu")
    gen_seller(status="pending", business_name="Masih Mengisi")  # not submitted
    gen_seller(status="verified", business_name="Sudah Aktif")
    db.session.commit()

    queue = verification.seller_queue()

    assert queue.tab == "menunggu"
    assert [row.seller.id for row in queue.rows] == [older.id, newer.id]
    assert [row.waiting_days for row in queue.rows] == [5, 1]
    assert queue.counts == {"menunggu": 2, "terverifikasi": 1, "ditolak": 0, "dibekukan": 0}


def test_queue_counts_documents_per_seller(app):
    seller = pending_seller()
    other = pending_seller()
    for kind in ("nib", "halal", "pirt"):
        db.session.add(SellerDocument(seller=seller, kind=kind, number=f"{kind}-1"))
    db.session.commit()

    counts = {row.seller.id: row.document_count for row in verification.seller_queue().rows}

    assert counts == {seller.id: 3, other.id: 0}


def test_queue_searches_by_name_or_nib_start(app):
    sari = pending_seller(business_name="Keripik Bu Sari", nib="9120000000001")
    pending_seller(business_name="Batik Cempaka", nib="9130000000002")
    db.session.commit()

    assert [r.seller.id for r in verification.seller_queue(query="bu sari").rows] == [sari.id]
    assert [r.seller.id for r in verification.seller_queue(query="91200").rows] == [sari.id]
    assert verification.seller_queue(query="100%_").rows == []


def test_queue_tab_falls_back_to_pending_for_unknown_values(app):
    assert verification.seller_queue(tab="'; DROP TABLE seller; --").tab == "menunggu"
    assert verification.seller_queue(tab=["dibekukan"]).tab == "menunggu"


def test_queue_pages_past_the_end_show_the_last_page(app):
    for n in range(5):
        pending_seller(days_ago=10 - n, business_name=f"Usaha {n}")
    db.session.commit()

    queue = verification.seller_queue(page="99", per_page=2)

    assert queue.page.page == 3
    assert [r.seller.business_name for r in queue.rows] == ["Usaha 4"]
