"""Background jobs in the embedded default (no REDIS_URL): `flask jobs run <name>` runs each
periodic job inline, a second run changes nothing; a failing job is retried, then recorded once
and shown on /admin/tugas, where the Dinas runs it again or closes it (audited, admins only)."""

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.jobs import enqueue, queue_depths
from catalog.jobs.queue import InlineResult
from catalog.jobs.schedule import SCHEDULE
from catalog.jobs.tasks import TASKS, Task
from catalog.models import AuditEvent, JobFailure, Notification
from tests.admin_accounts_factories import log_in
from tests.conftest import csrf_token_from
from tests.factories import gen_officer, gen_seller, gen_user
from tests.jobs_factories import FLAKY, Flaky, due_work, snapshot


@pytest.fixture
def app(make_app):
    """The embedded default even where the environment sets REDIS_URL."""
    app = make_app(REDIS_URL="")
    with app.app_context():
        yield app


def failures() -> list[JobFailure]:
    db.session.expire_all()
    return list(db.session.scalars(select(JobFailure).order_by(JobFailure.id)))


def audit_actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("job_failure.%"))
                                   .order_by(AuditEvent.id)))


@pytest.mark.parametrize("name", [entry.name for entry in SCHEDULE])
def test_each_scheduled_job_does_its_work_once_and_a_second_run_changes_nothing(app, runner, name):
    due_work(app)
    before = snapshot()
    first = runner.invoke(args=["jobs", "run", name])
    assert first.exit_code == 0, first.output
    after_first = snapshot()
    assert after_first != before, f"{name} found nothing to do"
    second = runner.invoke(args=["jobs", "run", name])
    assert second.exit_code == 0, second.output
    assert snapshot() == after_first
    assert failures() == []


def test_the_overdue_reminder_tells_the_bendahara_once_per_invoice(app, runner):
    work = due_work(app)
    app.extensions["mail_outbox"] = []
    assert runner.invoke(args=["jobs", "run", "overdue-invoices"]).exit_code == 0
    assert runner.invoke(args=["jobs", "run", "overdue-invoices"]).exit_code == 0
    notes = db.session.scalars(select(Notification).where(Notification.kind == "gov_invoice_overdue")).all()
    assert [(n.user_id, n.link) for n in notes] == [(work.bendahara.id, f"/pengadaan/tagihan/{work.invoice.id}")]
    assert "terlambat 10 hari" in notes[0].body and work.invoice.number in notes[0].title
    assert [m["to"] for m in app.extensions["mail_outbox"]] == [work.bendahara.email]


def test_a_failing_job_is_retried_then_recorded_once_and_again_on_the_same_row(app, monkeypatch):
    flaky = Flaky(monkeypatch)
    result = enqueue(FLAKY, "INV/7")
    assert isinstance(result, InlineResult) and not result.ok
    assert len(flaky.calls) == app.config["JOB_RETRIES"] + 1 == 4
    [failure] = failures()
    assert (failure.task, failure.args, failure.attempts) == (FLAKY, ["INV/7"], 4)
    assert "RuntimeError: gateway timed out" in failure.error and failure.resolved_at is None

    enqueue(FLAKY, "INV/7")  # the next run of the same job fails too: the same open row grows
    assert [(f.id, f.attempts) for f in failures()] == [(failure.id, 8)]
    enqueue(FLAKY, "INV/8")
    assert len(failures()) == 2
    assert queue_depths() == {"failed": 2}


def test_flask_jobs_run_exits_1_when_the_job_keeps_failing_and_jobs_failed_lists_it(app, runner, monkeypatch):
    flaky = Flaky(monkeypatch)
    monkeypatch.setitem(TASKS, "orders.expire", Task("orders.expire", flaky))
    result = runner.invoke(args=["jobs", "run", "orders-expire"])
    assert result.exit_code == 1 and "gagal 4 kali" in result.output
    listed = runner.invoke(args=["jobs", "failed"])
    assert "orders.expire" in listed.output and "gateway timed out" in listed.output


def test_the_console_lists_open_failures_and_runs_one_again_until_it_succeeds(app, client, admin, monkeypatch):
    flaky = Flaky(monkeypatch)
    enqueue(FLAKY, "INV/7")
    [failure] = failures()
    log_in(client, admin)
    page = client.get("/admin/tugas").get_data(as_text=True)
    assert FLAKY in page and "gateway timed out" in page and "Jalankan ulang" in page
    assert 'data-queue="jobs"' in client.get("/admin").get_data(as_text=True)

    calls = len(flaky.calls)
    response = client.post("/admin/tugas/ulang", data={"failure_id": failure.id}, follow_redirects=True)
    assert "gagal lagi" in response.get_data(as_text=True)
    assert len(flaky.calls) == calls + 4 and failures()[0].resolved_at is None

    flaky.failing = False
    response = client.post("/admin/tugas/ulang", data={"failure_id": failure.id}, follow_redirects=True)
    assert "berhasil dijalankan ulang" in response.get_data(as_text=True)
    assert flaky.calls[-1] == ("INV/7",)
    [done] = failures()
    assert done.resolved_at is not None and done.resolved_by_id == admin.id and done.resolution == "rerun succeeded"
    assert audit_actions() == ["job_failure.rerun", "job_failure.rerun", "job_failure.rerun_succeeded"]
    assert FLAKY not in client.get("/admin/tugas").get_data(as_text=True)


def test_the_console_closes_a_failure_with_a_reason(app, client, admin, monkeypatch):
    Flaky(monkeypatch)
    enqueue(FLAKY, "INV/7")
    [failure] = failures()
    log_in(client, admin)
    refused = client.post("/admin/tugas/selesai", data={"failure_id": failure.id, "reason": ""}, follow_redirects=True)
    assert "Tulis alasannya" in refused.get_data(as_text=True) and failures()[0].resolved_at is None
    client.post("/admin/tugas/selesai", data={"failure_id": failure.id, "reason": "Sudah dikirim manual."})
    [done] = failures()
    assert done.resolved_at is not None and done.resolution == "Sudah dikirim manual."
    assert audit_actions() == ["job_failure.resolved"]
    again = client.post("/admin/tugas/ulang", data={"failure_id": failure.id}, follow_redirects=True)
    assert "sudah ditangani" in again.get_data(as_text=True)
    for forged in ("abc", "99999999999", str(2**31)):
        response = client.post("/admin/tugas/ulang", data={"failure_id": forged})
        assert response.status_code == 302
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 1


@pytest.mark.parametrize("role", ["shopper", "seller", "officer"])
def test_non_admins_get_403(app, client, monkeypatch, role):
    Flaky(monkeypatch)
    enqueue(FLAKY)
    [failure] = failures()
    user = {"shopper": gen_user, "seller": lambda: gen_seller().user, "officer": gen_officer}[role]()
    db.session.commit()
    log_in(client, user)
    assert client.get("/admin/tugas").status_code == 403
    assert client.post("/admin/tugas/ulang", data={"failure_id": failure.id}).status_code == 403
    assert client.post("/admin/tugas/selesai", data={"failure_id": failure.id, "reason": "Bukan urusan saya"}
                       ).status_code == 403
    assert failures()[0].resolved_at is None


def test_the_console_forms_need_their_csrf_token(make_app, monkeypatch):
    app = make_app(WTF_CSRF_ENABLED=True, REDIS_URL="")
    with app.app_context():
        flaky = Flaky(monkeypatch)
        enqueue(FLAKY)
        failure_id = failures()[0].id
        admin = gen_user(role="admin")
        db.session.commit()
        client = app.test_client()
        log_in(client, admin)
        calls = len(flaky.calls)
        assert client.post("/admin/tugas/ulang", data={"failure_id": failure_id}).status_code in {302, 400}
        assert len(flaky.calls) == calls and failures()[0].resolved_at is None
        token = csrf_token_from(client.get("/admin/tugas").get_data(as_text=True))
        flaky.failing = False
        client.post("/admin/tugas/ulang", data={"failure_id": failure_id, "csrf_token": token})
        assert failures()[0].resolved_at is not None
