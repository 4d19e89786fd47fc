"""Seller verification moves only along its transition table, and every move is audited."""

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import AuditEvent, AuditHead
from catalog.services import audit
from catalog.services.errors import InvalidTransition
from catalog.services.states import transition
from tests.factories import gen_seller, gen_user


@pytest.fixture
def admin(app):
    return gen_user(role="admin")


def _events():
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()


def test_pending_seller_can_be_verified_and_the_move_is_audited(admin):
    seller = gen_seller(status="pending")
    transition("seller", seller, "verified", actor_id=admin.id, reason="Dokumen lengkap")
    db.session.commit()

    assert seller.status == "verified"
    [event] = _events()
    assert event.action == "seller.verified"
    assert event.object_type == "seller" and event.object_id == str(seller.id)
    assert event.actor_id == admin.id
    assert event.before == {"status": "pending"} and event.after == {"status": "verified"}
    assert event.reason == "Dokumen lengkap"
    assert audit.verify_chain().ok


def test_verified_seller_can_be_suspended_and_verified_again(admin):
    seller = gen_seller(status="verified")
    transition("seller", seller, "suspended", actor_id=admin.id, reason="Laporan pembeli")
    transition("seller", seller, "verified", actor_id=admin.id, reason="Sudah diperbaiki")
    db.session.commit()

    assert seller.status == "verified"
    assert [e.action for e in _events()] == ["seller.suspended", "seller.verified"]
    assert audit.verify_chain().ok


def test_pending_seller_cannot_be_suspended_and_nothing_is_audited(admin):
    seller = gen_seller(status="pending")
    db.session.commit()
    seq_before = db.session.get(AuditHead, 1).seq

    with pytest.raises(InvalidTransition) as refused:
        transition("seller", seller, "suspended", actor_id=admin.id)
    db.session.commit()

    assert seller.status == "pending"
    assert _events() == []
    assert db.session.get(AuditHead, 1).seq == seq_before
    assert "Status tidak dapat diubah" in str(refused.value.message)


@pytest.mark.parametrize(
    ("start", "target"),
    [("rejected", "verified"), ("suspended", "rejected"), ("verified", "pending"), ("verified", "verified")],
)
def test_moves_outside_the_table_are_refused(admin, start, target):
    seller = gen_seller(status=start)
    with pytest.raises(InvalidTransition):
        transition("seller", seller, target, actor_id=admin.id)
    assert seller.status == start
    assert _events() == []


def test_rejected_seller_may_ask_again(admin):
    seller = gen_seller(status="pending")
    transition("seller", seller, "rejected", actor_id=admin.id, reason="NIB tidak terbaca")
    transition("seller", seller, "pending", actor_id=seller.user_id)
    db.session.commit()
    assert seller.status == "pending"
    assert [e.action for e in _events()] == ["seller.rejected", "seller.pending"]
