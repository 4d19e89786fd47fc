"""The audit trail is a hash chain: any edited or removed row is found and named."""

import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import AuditEvent, AuditHead
from catalog.services import audit
from tests.factories import gen_seller, gen_user


def _write_events(n=4):
    admin = gen_user(role="admin")
    seller = gen_seller(status="pending")
    events = [
        audit.record("seller.note", seller, actor_id=admin.id, before={"step": i}, after={"step": i + 1},
                     reason=f"langkah {i}")
        for i in range(n)
    ]
    db.session.commit()
    return [e.id for e in events]


def _fresh_verify():
    db.session.expire_all()
    return audit.verify_chain()


def test_record_links_each_event_to_the_previous_one(app):
    ids = _write_events(3)
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.id for e in events] == ids
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert len({e.hash for e in events}) == 3
    assert db.session.get(AuditHead, 1).last_hash == events[-1].hash
    assert events[0].before == {"step": 0} and events[0].after == {"step": 1}


def test_untouched_chain_verifies(app):
    _write_events(4)
    report = _fresh_verify()
    assert report.ok
    assert report.checked == 4


def test_empty_chain_verifies(app):
    report = _fresh_verify()
    assert report.ok and report.checked == 0


def test_changing_a_rows_values_names_that_row(app):
    ids = _write_events(4)
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == ids[1]).values(after={"step": 99}))
    db.session.commit()
    report = _fresh_verify()
    assert not report.ok
    assert report.first_bad_id == ids[1]
    assert report.checked == 1
    assert "hash" in report.problem


def test_deleting_a_middle_row_names_the_row_after_it(app):
    ids = _write_events(4)
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == ids[2]))
    db.session.commit()
    report = _fresh_verify()
    assert not report.ok
    assert report.first_bad_id == ids[3]
    assert "prev_hash" in report.problem


def test_deleting_the_newest_row_is_noticed(app):
    ids = _write_events(3)
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == ids[-1]))
    db.session.commit()
    report = _fresh_verify()
    assert not report.ok
    assert "newest" in report.problem


def test_verify_reads_the_chain_in_batches(app):
    _write_events(5)
    report = audit.verify_chain(batch_size=2)
    assert report.ok and report.checked == 5


def test_audit_verify_command_reports_an_intact_chain(app, runner):
    _write_events(2)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "OK: 2 audit events" in result.output


def test_audit_verify_command_fails_naming_the_tampered_event(app, runner):
    ids = _write_events(3)
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == ids[0]).values(reason="diubah diam-diam"))
    db.session.commit()
    db.session.remove()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"TAMPERED: event {ids[0]}" in result.output
